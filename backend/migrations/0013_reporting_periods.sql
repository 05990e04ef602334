-- The first versions stored each reporting period of a plan with its kind and year as
-- two fields ({"kind": "half_year", "year": 2019, …}); the calendar now reads the
-- period as one code ({"period": "H1-2019", …}), and a plan stored the old way could
-- not be read (reports, the dashboard and agency renames failed on it). Rewrite them,
-- in the plan document and in the `reporting` column 0003 copied from it. Those
-- versions knew only the first half and the year.
UPDATE plans SET document = json_set(document, '$.reporting', (
    SELECT json_group_array(
        CASE WHEN json_type(r.value, '$.period') IS NULL
                  AND json_extract(r.value, '$.kind') IN ('half_year', 'year')
             THEN json_set(json_remove(r.value, '$.kind', '$.year'), '$.period',
                  CASE json_extract(r.value, '$.kind') WHEN 'half_year' THEN 'H1-' ELSE 'Y-' END
                  || json_extract(r.value, '$.year'))
             ELSE json(r.value) END
        ORDER BY r.key)
    FROM json_each(plans.document, '$.reporting') r))
WHERE json_type(document, '$.reporting') = 'array';

UPDATE plans SET reporting = (
    SELECT json_group_array(
        CASE WHEN json_type(r.value, '$.period') IS NULL
                  AND json_extract(r.value, '$.kind') IN ('half_year', 'year')
             THEN json_set(json_remove(r.value, '$.kind', '$.year'), '$.period',
                  CASE json_extract(r.value, '$.kind') WHEN 'half_year' THEN 'H1-' ELSE 'Y-' END
                  || json_extract(r.value, '$.year'))
             ELSE json(r.value) END
        ORDER BY r.key)
    FROM json_each(plans.reporting) r)
WHERE json_type(reporting) = 'array';
