-- The audit trail: one row for each change a person made, written in the same
-- transaction as the change (applied progress, report saves, submissions and reviews,
-- account changes, plan imports, agency renames and merges) and read by `tiendo audit`.
-- Rows name things as they were at the time (no foreign keys: a merge or a rename does
-- not rewrite history), and are never changed or deleted.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,          -- the server's time, ms since the Unix epoch
    device_at   TEXT,                      -- RFC 3339 by the device's clock, for a change a device made
    actor       TEXT NOT NULL,             -- a username, `cli:<system user>` or `server`
    client_id   TEXT,                      -- the device, for a change a device made
    kind        TEXT NOT NULL,             -- progress.record, report.save, account.disable …
    agency_id   TEXT,                      -- the agency the change is about, if one
    target      TEXT NOT NULL,             -- what changed: a task, a report, a username, a plan …
    detail      TEXT NOT NULL              -- a short JSON object
) STRICT;
CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_agency ON audit (agency_id, at);

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
