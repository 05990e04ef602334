-- Lead and coordinating agencies are listed in the order the plan names them.
ALTER TABLE task_agencies ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
