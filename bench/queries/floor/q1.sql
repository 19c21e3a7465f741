-- Q1 "company page" floor over Codex's tables: one statement producing the same JSON as
-- Codex's bench/queries/codex/q1.graphql response "data" (ids as text; enums upper-case
-- as GraphQL shows them). Runs unchanged under pgbench (-M prepared: :id becomes $1) and
-- psql (\set). What Codex returns, and so what this selects:
--   children   unarchived, by name then id
--   contacts   the contacts serving the company (contact_companies), unarchived, by id,
--              first 500, isPrimary = the designation there is 'primary'; name is the
--              display name, or first and last name when it is empty
--   assets     unarchived, by id, first 50
--   equipment  unarchived, by id, first 500; each device's links seen from it (both
--              directions of the stored a_id < b_id row), by local port then link id,
--              with the other end's name
\set id 3
SELECT json_build_object('company', (
  SELECT json_build_object(
           'databaseId', c.id::text,
           'name', c.name,
           'accountNumber', c.account_number,
           'parent', par.obj,
           'children', ch.nodes,
           'contacts', json_build_object('nodes', ct.nodes),
           'assets', json_build_object('nodes', a.nodes),
           'networkEquipment', json_build_object('nodes', ne.nodes))
  FROM companies c
  LEFT JOIN LATERAL (
    SELECT json_build_object('name', p.name) AS obj
    FROM companies p WHERE p.id = c.parent_id) par ON true
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object('databaseId', x.id::text, 'name', x.name) ORDER BY x.name, x.id), '[]') AS nodes
    FROM companies x WHERE x.parent_id = c.id AND x.archived_at IS NULL) ch
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'name', CASE WHEN x.display_name <> '' THEN x.display_name ELSE btrim(x.first_name || ' ' || x.last_name) END,
             'email', x.email, 'title', x.title, 'isPrimary', x.designation = 'primary') ORDER BY x.id), '[]') AS nodes
    FROM (SELECT k.id, k.display_name, k.first_name, k.last_name, k.email, k.title, cc.designation
          FROM contact_companies cc JOIN contacts k ON k.id = cc.contact_id
          WHERE cc.company_id = c.id AND k.archived_at IS NULL
          ORDER BY k.id LIMIT 500) x) ct
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object('name', x.name, 'type', upper(x.type), 'serialNumber', x.serial_number,
                                               'warrantyExpires', x.warranty_expires) ORDER BY x.id), '[]') AS nodes
    FROM (SELECT id, name, type, serial_number, warranty_expires FROM assets
          WHERE company_id = c.id AND archived_at IS NULL ORDER BY id LIMIT 50) x) a
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'name', d.name, 'type', upper(d.type), 'ipAddress', d.ip_address, 'model', d.model,
             'links', lk.nodes) ORDER BY d.id), '[]') AS nodes
    FROM (SELECT id, name, type, ip_address, model FROM network_equipment
          WHERE company_id = c.id AND archived_at IS NULL ORDER BY id LIMIT 500) d
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('peer', json_build_object('name', o.name))
                               ORDER BY e.local_port, e.link_id), '[]') AS nodes
      FROM (SELECT l.id AS link_id, l.a_port AS local_port, l.b_id AS peer_id FROM network_links l WHERE l.a_id = d.id
            UNION ALL
            SELECT l.id, l.b_port, l.a_id FROM network_links l WHERE l.b_id = d.id) e
      JOIN network_equipment o ON o.id = e.peer_id) lk) ne
  WHERE c.id = :id));
