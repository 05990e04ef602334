-- A task a revised plan no longer has is withdrawn, never deleted: its progress and
-- the reports that mention it stay attached, and it leaves the plan devices are served.
ALTER TABLE tasks ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
