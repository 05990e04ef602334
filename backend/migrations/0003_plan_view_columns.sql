-- What the plan view shows, kept in columns at import, so that serving the plan (which
-- every device asks for after every sync) never parses the whole stored document.
ALTER TABLE tasks ADD COLUMN lead_text TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN coordinating_text TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN reporting TEXT NOT NULL DEFAULT '[]';

-- Plans imported before this migration: fill the columns from their documents.
UPDATE tasks SET
    lead_text = COALESCE((SELECT json_extract(t.value, '$.lead_text')
        FROM plans p, json_each(p.document, '$.tasks') t
        WHERE p.id = tasks.plan_id AND json_extract(t.value, '$.number') = tasks.number), ''),
    coordinating_text = COALESCE((SELECT json_extract(t.value, '$.coordinating_text')
        FROM plans p, json_each(p.document, '$.tasks') t
        WHERE p.id = tasks.plan_id AND json_extract(t.value, '$.number') = tasks.number), '');
UPDATE plans SET reporting = COALESCE(json_extract(document, '$.reporting'), '[]');
