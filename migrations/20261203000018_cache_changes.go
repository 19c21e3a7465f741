package migrations

import (
	"fmt"
	"slices"
	"strings"
)

// Change notifications for the read cache (package cache): on PostgreSQL, every statement
// that changes a table the cache reads, whoever runs it (the API, the sync engine, the
// seeder, a migration, psql), sends the tags of the rows it changed on the channel
// codex_changes when it commits — old and new values of the key and parent columns and
// the table's "<table>.any" tag, one notification per statement (the transition tables),
// or the table's flush tag when the tags would not fit a notification. Every replica's listener drops what they name. The
// tags are those of store/changes.go, which computes them itself on SQLite (one process:
// the store's own connections), so this migration changes nothing there.

func init() {
	Migrations.MustRegister(up(ddl{pg: cacheChangesPG(), sqlite: ""}), down)
}

// cacheTable is a table the cache reads and the tag expressions of one of its rows r.
type cacheTable struct {
	name  string
	tags  []string // SQL text expressions over r; NULL values send no tag
	extra string   // a further SELECT of tags over the changed rows s, or ""
}

var cacheTables = []cacheTable{
	{name: "companies", tags: []string{"'companies#' || r.id", "'companies.parent#' || r.parent_id"}},
	{name: "contacts", tags: []string{"'contacts#' || r.id", "'contacts.company#' || r.company_id"},
		// A contact's own change reaches the lists of every company it serves.
		extra: "SELECT 'contacts.company#' || cc.company_id FROM contact_companies AS cc WHERE cc.contact_id IN (SELECT id FROM s)"},
	{name: "contact_companies", tags: []string{"'contacts#' || r.contact_id", "'contacts.company#' || r.company_id"}},
	{name: "assets", tags: []string{"'assets#' || r.id", "'assets.company#' || r.company_id"}},
	{name: "network_equipment", tags: []string{"'network_equipment#' || r.id", "'network_equipment.company#' || r.company_id"}},
	{name: "network_links", tags: []string{"'network_links.device#' || r.a_id", "'network_links.device#' || r.b_id"}},
	// lower() under "C" folds ASCII letters only, as store.EmailTag does; the
	// database's own collation may fold more (what AgentByEmail's lower() = lower()
	// matches), so that folding is sent too.
	{name: "agents", tags: []string{`'agents.email#' || lower(btrim(r.email) COLLATE "C")`, "'agents.email#' || lower(btrim(r.email))"}},
}

// codex_cache_send sends the tags, or the table's flush tag when they are too long
// for one notification (8000 bytes at most).
const cacheSendPG = `CREATE FUNCTION codex_cache_send(flush text, tags text[]) RETURNS void LANGUAGE plpgsql AS $$ ` +
	`DECLARE payload text := array_to_string(tags, ' '); ` +
	`BEGIN IF octet_length(payload) > 7000 THEN payload := flush; END IF; ` +
	`IF payload <> '' THEN PERFORM pg_notify('codex_changes', payload); END IF; END $$;
`

// cacheChangesPG returns the functions and triggers. The runner splits statements at
// ";\n", so each function body stays on one line.
func cacheChangesPG() string {
	var b strings.Builder
	b.WriteString(cacheSendPG)
	for _, t := range cacheTables {
		flush, anyTag := "table:"+t.name, t.name+".any"
		if t.name == "contact_companies" {
			flush, anyTag = "table:contacts", "contacts.any"
		}
		// Every change also sends the table's "any" tag (store.AnyTag).
		t.tags = append(slices.Clip(t.tags), "'"+anyTag+"'")
		sel := func(src string) string {
			vals := make([]string, len(t.tags))
			for i, e := range t.tags {
				vals[i] = "(" + e + ")"
			}
			q := fmt.Sprintf("WITH s AS (%s) SELECT v.t FROM s AS r CROSS JOIN LATERAL (VALUES %s) AS v(t) WHERE v.t IS NOT NULL", src, strings.Join(vals, ", "))
			if t.extra != "" {
				q += " UNION " + t.extra
			} else {
				q = "SELECT DISTINCT x.t FROM (" + q + ") AS x"
			}
			return "ARRAY(" + q + ")"
		}
		fmt.Fprintf(&b, "CREATE FUNCTION codex_cache_%s() RETURNS trigger LANGUAGE plpgsql AS $$ "+
			"DECLARE tags text[]; BEGIN "+
			"IF TG_OP = 'TRUNCATE' THEN PERFORM pg_notify('codex_changes', '%s'); RETURN NULL; "+
			"ELSIF TG_OP = 'INSERT' THEN tags := %s; "+
			"ELSIF TG_OP = 'DELETE' THEN tags := %s; "+
			"ELSE tags := %s; END IF; "+
			"PERFORM codex_cache_send('%s', tags); RETURN NULL; END $$;\n",
			t.name, flush,
			sel("SELECT * FROM new_rows"), sel("SELECT * FROM old_rows"),
			sel("SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows"), flush)
		fn := "codex_cache_" + t.name + "()"
		fmt.Fprintf(&b, "CREATE TRIGGER codex_cache_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s;\n", t.name, fn)
		fmt.Fprintf(&b, "CREATE TRIGGER codex_cache_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s;\n", t.name, fn)
		fmt.Fprintf(&b, "CREATE TRIGGER codex_cache_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %s;\n", t.name, fn)
		fmt.Fprintf(&b, "CREATE TRIGGER codex_cache_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s;\n", t.name, fn)
	}
	return b.String()
}
