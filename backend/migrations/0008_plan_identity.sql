-- A plan is its issuer's number on its date: two provinces' "215/KH-UBND", or one
-- province's plans of two years that happen to share a number, are different plans.
--
-- `number` is the number as issued ("215/KH-UBND"). `code` stays the plan's name on
-- the wire, in URLs and on the command line, and is now unique within a province only:
-- it is the number, or, for a later plan of the same province with the same number
-- (another date), the number followed by "_" and its date ("215/KH-UBND_2023-03-01").
--
-- SQLite cannot drop a UNIQUE constraint in place, so the table is rebuilt, as 0007
-- rebuilt the feed: tasks and report events refer to plans, their references are
-- counted as violations while the table is away and settled when the rows are back
-- with their ids, and the commit checks that every one holds.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE plans_0008 AS
    SELECT id, code, title, date, document, imported_at, reporting, year, province FROM plans;
DROP TABLE plans;
CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    number      TEXT NOT NULL,
    title       TEXT NOT NULL,
    date        TEXT NOT NULL,          -- ISO 8601 date
    document    TEXT NOT NULL,          -- the parsed plan as JSON
    imported_at INTEGER NOT NULL,
    reporting   TEXT NOT NULL DEFAULT '[]',
    year        INTEGER NOT NULL DEFAULT 0,
    province    TEXT NOT NULL DEFAULT '',
    UNIQUE (province, code),
    UNIQUE (province, number, date)
) STRICT;
INSERT INTO plans (id, code, number, title, date, document, imported_at, reporting, year, province)
    SELECT id, code, code, title, date, document, imported_at, reporting, year, province
    FROM temp.plans_0008 ORDER BY id;
DROP TABLE temp.plans_0008;
CREATE INDEX plans_by_province ON plans (province, date);
CREATE INDEX plans_by_code ON plans (code);
