-- Q3 "deep tree" floor over Codex's tables: the first :first unarchived root companies
-- by name (then id) -> unarchived children -> unarchived grandchildren (each level by
-- name, then id), with the contacts serving each company (contact_companies,
-- unarchived, by id, first 10: name, email) at every level. Same JSON as Codex's
-- bench/queries/codex/q3.graphql response "data", ids as text.
\set first 20
SELECT json_build_object('companies', json_build_object('nodes', coalesce(json_agg(
         json_build_object(
           'databaseId', r.id::text,
           'name', r.name,
           'contacts', json_build_object('nodes', rc.nodes),
           'children', l1.nodes)
         ORDER BY r.name, r.id), '[]')))
FROM (SELECT id, name FROM companies
      WHERE parent_id IS NULL AND archived_at IS NULL ORDER BY name, id LIMIT :first) r
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'name', CASE WHEN x.display_name <> '' THEN x.display_name ELSE btrim(x.first_name || ' ' || x.last_name) END,
           'email', x.email) ORDER BY x.id), '[]') AS nodes
  FROM (SELECT k.id, k.display_name, k.first_name, k.last_name, k.email
        FROM contact_companies cc JOIN contacts k ON k.id = cc.contact_id
        WHERE cc.company_id = r.id AND k.archived_at IS NULL ORDER BY k.id LIMIT 10) x) rc
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'databaseId', c1.id::text,
           'name', c1.name,
           'contacts', json_build_object('nodes', c1c.nodes),
           'children', l2.nodes) ORDER BY c1.name, c1.id), '[]') AS nodes
  FROM companies c1
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'name', CASE WHEN x.display_name <> '' THEN x.display_name ELSE btrim(x.first_name || ' ' || x.last_name) END,
             'email', x.email) ORDER BY x.id), '[]') AS nodes
    FROM (SELECT k.id, k.display_name, k.first_name, k.last_name, k.email
          FROM contact_companies cc JOIN contacts k ON k.id = cc.contact_id
          WHERE cc.company_id = c1.id AND k.archived_at IS NULL ORDER BY k.id LIMIT 10) x) c1c
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'databaseId', c2.id::text,
             'name', c2.name,
             'contacts', json_build_object('nodes', c2c.nodes)) ORDER BY c2.name, c2.id), '[]') AS nodes
    FROM companies c2
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
               'name', CASE WHEN x.display_name <> '' THEN x.display_name ELSE btrim(x.first_name || ' ' || x.last_name) END,
               'email', x.email) ORDER BY x.id), '[]') AS nodes
      FROM (SELECT k.id, k.display_name, k.first_name, k.last_name, k.email
            FROM contact_companies cc JOIN contacts k ON k.id = cc.contact_id
            WHERE cc.company_id = c2.id AND k.archived_at IS NULL ORDER BY k.id LIMIT 10) x) c2c
    WHERE c2.parent_id = c1.id AND c2.archived_at IS NULL) l2
  WHERE c1.parent_id = r.id AND c1.archived_at IS NULL) l1;
