-- Each time this database was put back from a backup (`tiendo restore`), written into
-- the restored copy before it replaces the database. The last restore's `token` enters
-- the check of every pull cursor the server issues, so every device's next pull
-- answers `reset: true` once: that is how a device learns that the server went back
-- in time and must send again what it had acknowledged since the backup.
CREATE TABLE restores (
    id           INTEGER PRIMARY KEY,
    restored_at  INTEGER NOT NULL,
    backup_file  TEXT NOT NULL,      -- the file restored, as named on the command line
    token        INTEGER NOT NULL CHECK (token BETWEEN 1 AND 4294967295)
) STRICT;
