-- Agencies renamed and merged (`tiendo agency rename`, `tiendo agency merge`), and the
-- pull feed telling devices of it.

-- A merged agency is kept, pointing at the agency it joined: whatever still names it
-- (an old plan's text, a review queued on a device before the merge) is led there.
-- Nothing else refers to it after a merge; its rows have moved to that agency.
ALTER TABLE agencies ADD COLUMN merged_into TEXT REFERENCES agencies(id);

-- Other names an agency goes by in this database: its former names (a rename with
-- --keep-alias) and the names of the agencies merged into it.
CREATE TABLE agency_aliases (
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    name        TEXT NOT NULL,
    PRIMARY KEY (agency_id, name)
) STRICT, WITHOUT ROWID;

-- The feed's kinds gain 'agency'. SQLite cannot change a CHECK in place, so the feed
-- is rebuilt: its rows are set aside, the table is dropped and made again with the
-- wider CHECK, and the rows go back with their ids. Report events refer to the feed;
-- with foreign keys deferred, dropping the table counts their references as
-- violations and putting the rows back settles them again, so the commit checks that
-- every reference still holds. AUTOINCREMENT's high-water mark is carried over, so an
-- id once given out is never given out again.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE feed_0007 AS SELECT id, kind, mutation_id FROM feed;
CREATE TEMP TABLE feed_sequence_0007 AS SELECT seq FROM sqlite_sequence WHERE name = 'feed';
DROP TABLE feed;
CREATE TABLE feed (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('progress', 'report', 'agency')),
    mutation_id  TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO feed (id, kind, mutation_id) SELECT id, kind, mutation_id FROM temp.feed_0007 ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'feed', seq FROM temp.feed_sequence_0007
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'feed');
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM temp.feed_sequence_0007), 0))
    WHERE name = 'feed';
DROP TABLE temp.feed_0007;
DROP TABLE temp.feed_sequence_0007;

-- Every rename and merge, as history and as the feed's 'agency' rows.
CREATE TABLE agency_changes (
    id             INTEGER PRIMARY KEY REFERENCES feed(id),
    agency_id      TEXT NOT NULL REFERENCES agencies(id),  -- renamed, or merged into
    name           TEXT NOT NULL,                          -- its name after the change
    short_name     TEXT NOT NULL,
    merged_from    TEXT REFERENCES agencies(id),           -- for a merge: the agency merged
    previous_name  TEXT NOT NULL,                          -- the renamed or merged agency's name before
    changed_at     INTEGER NOT NULL
) STRICT;
