-- The first schema: the plan, agencies, accounts, and the sync log of progress updates.
-- Times are milliseconds since the Unix epoch (UTC) unless a column says otherwise.

CREATE TABLE agencies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    short_name  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_id   TEXT REFERENCES agencies(id),
    external    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    date        TEXT NOT NULL,          -- ISO 8601 date
    document    TEXT NOT NULL,          -- the parsed plan as JSON
    imported_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id),
    number      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    timeframe   TEXT NOT NULL,
    UNIQUE (plan_id, number)
) STRICT;

CREATE TABLE task_agencies (
    task_id     INTEGER NOT NULL REFERENCES tasks(id),
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    role        TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    PRIMARY KEY (task_id, agency_id, role)
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    role          TEXT NOT NULL CHECK (role IN ('staff', 'head', 'supervisor', 'admin')),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,       -- SHA-256 of the bearer token
    user_id     INTEGER NOT NULL REFERENCES users(id),
    expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per browser installation and person: the last mutation applied or rejected.
CREATE TABLE clients (
    client_id     TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    last_seq      INTEGER NOT NULL,
    last_push_at  INTEGER NOT NULL
) STRICT;

-- Every applied progress update, kept as history. `id` is the server's order and the
-- pull cursor; AUTOINCREMENT so that an id is never reused.
CREATE TABLE progress_updates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id  TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES clients(client_id),
    seq          INTEGER NOT NULL,
    task_id      INTEGER NOT NULL REFERENCES tasks(id),
    agency_id    TEXT NOT NULL REFERENCES agencies(id),
    author_id    INTEGER NOT NULL REFERENCES users(id),
    status       TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'blocked')),
    percent      INTEGER CHECK (percent BETWEEN 0 AND 100),
    note         TEXT NOT NULL,
    observed_at  TEXT NOT NULL,          -- RFC 3339, the device's clock, as sent
    received_at  INTEGER NOT NULL,
    base_id      INTEGER,
    conflict     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX progress_by_task_agency ON progress_updates (task_id, agency_id, id);
CREATE INDEX progress_by_agency ON progress_updates (agency_id, id);

-- Mutations refused for good, so that support can see what a device sent.
CREATE TABLE rejected_mutations (
    client_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (client_id, seq)
) STRICT, WITHOUT ROWID;
