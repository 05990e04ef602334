-- Agencies created from a plan's wording (a name no registry knew) wait for an
-- administrator to confirm them as they are, rename them or merge them into an agency
-- the province already has. `created_by` is the code of the plan that named it first.
ALTER TABLE agencies ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN created_by TEXT;
