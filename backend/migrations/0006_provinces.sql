-- Provinces side by side: every plan and every agency belongs to one province, stored
-- as its key (the name folded to lowercase ASCII words joined by "-": "kon-tum").
-- A person works on the plans of their agency's province.
ALTER TABLE plans ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN province TEXT NOT NULL DEFAULT '';

-- Plans imported before: their province is in their document (the provinces a server
-- could hold so far had ASCII names). Agencies stored before all came with the one
-- province the server held, that of its first plan.
UPDATE plans SET province =
    replace(lower(trim(COALESCE(json_extract(document, '$.province'), ''))), ' ', '-');
UPDATE agencies SET province = COALESCE((SELECT province FROM plans ORDER BY id LIMIT 1), '');

CREATE INDEX plans_by_province ON plans (province, date);
