package graph_test

import (
	"strings"
	"testing"

	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestProjections checks that nested lists load only the columns their query reads, and
// that selections with different fields never share rows.
func TestProjections(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		counter := storetest.CountQueries(db)
		fx := e.fx
		east := gid("Company", fx.east)
		acme := gid("Company", fx.acme)

		// statement returns the one counted statement reading table, failing unless there
		// is exactly one.
		statement := func(t *testing.T, table string) string {
			t.Helper()
			var found []string
			for _, q := range counter.Queries() {
				if strings.Contains(q, `FROM "`+table+`"`) || strings.Contains(q, `FROM `+table+` `) {
					found = append(found, q)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d statements read %s, want 1:\n%s", len(found), table, counter)
			}
			return found[0]
		}

		t.Run("contacts", func(t *testing.T) {
			counter.Reset()
			d := e.ok("admin", `query($id: ID!) { company(id: $id) { contacts(orderBy: {field: ID}) { nodes { email } } } }`,
				map[string]any{"id": east})
			if got := strings.Join(values(d, "company.contacts.nodes", "email"), ","); got != "alice@acme.example,carol@acme.example" {
				t.Errorf("emails = %s", got)
			}
			q := statement(t, "contacts")
			if !strings.Contains(q, `"email"`) || strings.Contains(q, "phone_work") || strings.Contains(q, "notes") {
				t.Errorf("the contacts statement should select email and not phone_work or notes:\n%s", q)
			}
		})

		t.Run("aliases with different fields", func(t *testing.T) {
			d := e.ok("admin", `query($id: ID!) { company(id: $id) {
				a: contacts(orderBy: {field: ID}) { nodes { email } }
				b: contacts(orderBy: {field: ID}) { edges { node { ... on Contact { title phoneWork } } } } } }`,
				map[string]any{"id": east})
			a := list(d, "company.a.nodes")
			b := list(d, "company.b.edges")
			if len(a) != 2 || len(b) != 2 {
				t.Fatalf("a = %v, b = %v", a, b)
			}
			if str(a[0], "email") != "alice@acme.example" {
				t.Errorf("a[0] = %v", a[0])
			}
			if str(b[0], "node.title") != "Manager" || str(b[0], "node.phoneWork") != "+1-555-0100" {
				t.Errorf("b[0] = %v; the fragment's fields were not loaded", b[0])
			}
		})

		t.Run("assets and devices", func(t *testing.T) {
			counter.Reset()
			d := e.ok("admin", `query($id: ID!) { company(id: $id) {
				assets(orderBy: {field: ID}) { nodes { name serialNumber } }
				networkEquipment(orderBy: {field: ID}) { nodes { name locationName location { name } } } } }`,
				map[string]any{"id": east})
			if got := strings.Join(values(d, "company.assets.nodes", "serialNumber"), ","); got != "S-EAST-1,L-EAST-1" {
				t.Errorf("serial numbers = %s", got)
			}
			if got := str(d, "company.networkEquipment.nodes.0.location.name"); got != "East HQ" {
				t.Errorf("first device's location = %q, want East HQ (location_id must be loaded)", got)
			}
			if q := statement(t, "assets"); strings.Contains(q, "secret_fields") || strings.Contains(q, "notes") {
				t.Errorf("the assets statement should not select secret_fields or notes:\n%s", q)
			}
		})

		t.Run("children", func(t *testing.T) {
			counter.Reset()
			d := e.ok("admin", `query($id: ID!) { company(id: $id) { children { name } } }`, map[string]any{"id": acme})
			if got := strings.Join(values(d, "company.children", "name"), ","); got != "Acme East,Acme West" {
				t.Errorf("children = %s", got)
			}
			var kids []string
			for _, q := range counter.Queries() {
				if strings.Contains(q, "parent_id") && !strings.Contains(q, "WHERE (company.id") {
					kids = append(kids, q)
				}
			}
			for _, q := range kids {
				if strings.Contains(q, "description") {
					t.Errorf("the children statement should not select description:\n%s", q)
				}
			}
			d = e.ok("admin", `query($id: ID!) { company(id: $id) { children { name complianceLevel } } }`, map[string]any{"id": acme})
			if got := str(d, "company.children.0.complianceLevel"); got != "HIPAA" {
				t.Errorf("East's compliance level = %q, want HIPAA", got)
			}
		})

		t.Run("a field without a column entry loads whole rows", func(t *testing.T) {
			counter.Reset()
			d := e.ok("admin", `{ companies(first: 2, orderBy: {field: NAME}) { nodes { name address { city } } } }`, nil)
			if n := len(list(d, "companies.nodes")); n != 2 {
				t.Fatalf("%d companies", n)
			}
			if q := statement(t, "companies"); !strings.Contains(q, "description") {
				t.Errorf("address is not in the column table, so the whole row should load:\n%s", q)
			}
		})

		t.Run("top-level list pages with a projection", func(t *testing.T) {
			q := `query($after: String) { companies(first: 3, after: $after, orderBy: {field: CREATED_AT}) {
				nodes { name } pageInfo { endCursor hasNextPage } } }`
			var all []string
			var after any
			for range 10 {
				d := e.ok("admin", q, map[string]any{"after": after})
				all = append(all, values(d, "companies.nodes", "name")...)
				if get(d, "companies.pageInfo.hasNextPage") != true {
					break
				}
				after = str(d, "companies.pageInfo.endCursor")
			}
			if len(all) != 17 || all[0] != "Acme Holdings" || all[16] != "Pager 12" {
				t.Errorf("paging by creation time saw %d companies: %v", len(all), all)
			}
		})

		t.Run("redaction still applies", func(t *testing.T) {
			d := e.ok("service", `query($id: ID!) { company(id: $id) { contacts(orderBy: {field: ID}) { nodes { email } } } }`,
				map[string]any{"id": east})
			for _, email := range values(d, "company.contacts.nodes", "email") {
				if strings.Contains(email, "@acme.example") {
					t.Errorf("a redacting service sees %q at a HIPAA company", email)
				}
			}
		})
	})
}

// values returns field of every object of the list at path.
func values(v any, path, field string) []string {
	var out []string
	for _, x := range list(v, path) {
		out = append(out, str(x, field))
	}
	return out
}

// TestProjectionsUnderAliases checks that one sibling group rendered at two places (two
// aliases of one relation) gets each place's own columns.
func TestProjectionsUnderAliases(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		d := e.ok("admin", `query($id: ID!) { company(id: $id) {
			a: children { name contacts(orderBy: {field: ID}) { nodes { email } } }
			b: children { name contacts(orderBy: {field: ID}) { nodes { title } } } } }`,
			map[string]any{"id": gid("Company", e.fx.acme)})
		east := list(d, "company.b")[0]
		if str(east, "name") != "Acme East" {
			t.Fatalf("b[0] = %v", east)
		}
		if got := values(east, "contacts.nodes", "title"); len(got) != 2 || got[0] != "Manager" {
			t.Errorf("titles under b = %v; want the contacts' titles", got)
		}
		if got := values(list(d, "company.a")[0], "contacts.nodes", "email"); len(got) != 2 || got[0] != "alice@acme.example" {
			t.Errorf("emails under a = %v", got)
		}
	})
}
