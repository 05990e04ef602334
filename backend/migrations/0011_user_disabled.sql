-- An account can be disabled (`tiendo user disable`): it cannot sign in, and its
-- sessions are ended when it is disabled. It is kept, not deleted, because its
-- progress updates, report events and devices refer to it.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
