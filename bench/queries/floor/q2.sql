-- Q2 "list page" floor over Codex's tables: the first :first unarchived root companies
-- by name (then id) with account number, primary contacts (those whose designation at
-- the company is 'primary', unarchived, by id, first 10), the count of unarchived
-- assets and the unarchived children's names (by name, then id). Same JSON as Codex's
-- bench/queries/codex/q2.graphql response "data", ids as text.
\set first 50
SELECT json_build_object('companies', json_build_object('nodes', coalesce(json_agg(
         json_build_object(
           'databaseId', c.id::text,
           'name', c.name,
           'accountNumber', c.account_number,
           'contacts', json_build_object('nodes', pc.nodes),
           'assets', json_build_object('totalCount', ac.n),
           'children', ch.nodes)
         ORDER BY c.name, c.id), '[]')))
FROM (SELECT id, name, account_number FROM companies
      WHERE parent_id IS NULL AND archived_at IS NULL ORDER BY name, id LIMIT :first) c
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'name', CASE WHEN x.display_name <> '' THEN x.display_name ELSE btrim(x.first_name || ' ' || x.last_name) END,
           'email', x.email) ORDER BY x.id), '[]') AS nodes
  FROM (SELECT k.id, k.display_name, k.first_name, k.last_name, k.email
        FROM contact_companies cc JOIN contacts k ON k.id = cc.contact_id
        WHERE cc.company_id = c.id AND cc.designation = 'primary' AND k.archived_at IS NULL
        ORDER BY k.id LIMIT 10) x) pc
CROSS JOIN LATERAL (
  SELECT count(*) AS n FROM assets x WHERE x.company_id = c.id AND x.archived_at IS NULL) ac
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object('name', x.name) ORDER BY x.name, x.id), '[]') AS nodes
  FROM companies x WHERE x.parent_id = c.id AND x.archived_at IS NULL) ch;
