-- The reporting cycle (section IV of a plan): progress in the terms agencies report
-- in, the agencies' period reports and their reviews, and one sequence for every
-- change that devices pull.

-- Progress as results, difficulties and proposals. A note of schema version 1 is
-- the results.
ALTER TABLE progress_updates ADD COLUMN results TEXT NOT NULL DEFAULT '';
ALTER TABLE progress_updates ADD COLUMN difficulties TEXT NOT NULL DEFAULT '';
ALTER TABLE progress_updates ADD COLUMN proposals TEXT NOT NULL DEFAULT '';
UPDATE progress_updates SET results = note;

-- The plan's year, for the calendar (periods of the plan's year and the years its
-- recurring tasks run on).
ALTER TABLE plans ADD COLUMN year INTEGER NOT NULL DEFAULT 0;
UPDATE plans SET year = COALESCE(json_extract(document, '$.year'), CAST(substr(date, 1, 4) AS INTEGER));

-- Every change devices pull, in the server's order: the pull cursor is a feed id.
-- Progress updates keep their ids, so cursors issued before this migration still
-- name the same change. AUTOINCREMENT: an id is never reused.
CREATE TABLE feed (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('progress', 'report')),
    mutation_id  TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO feed (id, kind, mutation_id)
    SELECT id, 'progress', mutation_id FROM progress_updates ORDER BY id;
-- Never hand out an id progress_updates already gave out (even one since lost).
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'feed', seq FROM sqlite_sequence
    WHERE name = 'progress_updates' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'feed');
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'progress_updates'), 0))
    WHERE name = 'feed';

-- Every version (save, submission) of a report and every review, as history. A
-- report is (plan, period, scope, agency); its state is the state of its last event.
CREATE TABLE report_events (
    id           INTEGER PRIMARY KEY REFERENCES feed(id),
    mutation_id  TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES clients(client_id),
    seq          INTEGER NOT NULL,
    plan_id      INTEGER NOT NULL REFERENCES plans(id),
    period       TEXT NOT NULL,          -- H1-2019, Y-2019, Q1-2019 …
    scope        TEXT NOT NULL CHECK (scope IN ('agency', 'consolidated')),
    agency_id    TEXT NOT NULL REFERENCES agencies(id),
    action       TEXT NOT NULL CHECK (action IN ('saved', 'submitted', 'accepted', 'returned')),
    version      INTEGER NOT NULL,       -- its own id for a version; the judged one for a review
    base_id      INTEGER,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'accepted', 'final')),
    conflict     INTEGER NOT NULL DEFAULT 0,
    content      TEXT,                   -- the version's content (JSON); NULL for a review
    comment      TEXT NOT NULL DEFAULT '',
    author_id    INTEGER NOT NULL REFERENCES users(id),
    observed_at  TEXT NOT NULL,          -- RFC 3339, the device's clock, as sent
    received_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX report_events_by_report ON report_events (plan_id, period, scope, agency_id, id);
