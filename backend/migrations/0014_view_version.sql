-- One number that changes whenever anything a plan view is built of changes: the plans,
-- their tasks, who is assigned to them, and the agencies (names, parents, merges).
-- The server keeps each view's ETag under this number, so that a device asking whether
-- its plan changed (every sync) is answered `304` after one lookup instead of building
-- the view; and it drops its parsed plans when the number moves. Triggers keep it, so
-- a change made by another process (`tiendo plan import` beside a running server)
-- moves it too.
CREATE TABLE view_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO view_version (id, n) VALUES (1, 0);

CREATE TRIGGER view_version_plans_insert AFTER INSERT ON plans
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_plans_update AFTER UPDATE ON plans
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_plans_delete AFTER DELETE ON plans
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER view_version_tasks_insert AFTER INSERT ON tasks
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_tasks_update AFTER UPDATE ON tasks
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER view_version_task_agencies_insert AFTER INSERT ON task_agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_task_agencies_update AFTER UPDATE ON task_agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_task_agencies_delete AFTER DELETE ON task_agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER view_version_agencies_insert AFTER INSERT ON agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_agencies_update AFTER UPDATE ON agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_agencies_delete AFTER DELETE ON agencies
BEGIN UPDATE view_version SET n = n + 1 WHERE id = 1; END;
