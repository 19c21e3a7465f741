package graph_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
)

// testPolicy checks that GraphQL answers obey the policy layer: a client user sees only
// its subtree, secrets are for admins only, and a redacting service gets redacted data.
func (e *env) testPolicy(t *testing.T) {
	e.t = t
	fx := e.fx

	// The client user belongs to Acme East: it sees East and East Lab, nothing else.
	d := e.ok("client", `query($acme: ID!, $globex: ID!, $east: ID!, $srv: ID!, $glxpc: ID!) {
		acme: node(id: $acme) { id }
		globex: company(id: $globex) { name }
		east: company(id: $east) { name parent { name } ancestors { name } children { name } contacts { totalCount nodes { name } } }
		srv: node(id: $srv) { ... on Asset { name licenseKey } }
		glxpc: node(id: $glxpc) { id }
		companies { totalCount nodes { name } }
		contacts { totalCount }
		assets { totalCount }
		tickets { totalCount }
		search(query: "a") { companies { name } contacts { name } assets { name } networkEquipment { name } }
		byAccount: companyByAccountNumber(accountNumber: "ACC-1") { name }
	}`, map[string]any{"acme": gid("Company", fx.acme), "globex": gid("Company", fx.globex), "east": gid("Company", fx.east),
		"srv": gid("Asset", fx.eastServer), "glxpc": gid("Asset", fx.globexPC)})
	if get(d, "acme") != nil || get(d, "globex") != nil || get(d, "glxpc") != nil || get(d, "byAccount") != nil {
		t.Errorf("client sees out-of-scope rows: acme=%v globex=%v glxpc=%v byAccount=%v", get(d, "acme"), get(d, "globex"), get(d, "glxpc"), get(d, "byAccount"))
	}
	if get(d, "east.parent") != nil || len(list(d, "east.ancestors")) != 0 {
		t.Errorf("client follows parent above its root: parent=%v ancestors=%v", get(d, "east.parent"), get(d, "east.ancestors"))
	}
	if got := names(d, "companies.nodes"); !slices.Equal(got, []string{"Acme East", "Acme East Lab"}) || num(d, "companies.totalCount") != 2 {
		t.Errorf("client companies = %v (totalCount %d); want East and East Lab", got, num(d, "companies.totalCount"))
	}
	if n := num(d, "assets.totalCount"); n != 2 {
		t.Errorf("client assets.totalCount = %d; want 2", n)
	}
	if n := num(d, "tickets.totalCount"); n != 1 {
		t.Errorf("client tickets.totalCount = %d; want 1", n)
	}
	for _, kind := range []string{"companies", "contacts", "assets", "networkEquipment"} {
		for _, n := range names(d, "search."+kind) {
			if strings.Contains(n, "Globex") || strings.HasPrefix(n, "GLX") || n == "Acme Holdings" || n == "Acme West" || n == "Gina Gray" {
				t.Errorf("client search finds %s %q outside its subtree", kind, n)
			}
		}
	}
	if get(d, "srv.licenseKey") != nil {
		t.Errorf("client sees a licence key")
	}

	// Secrets: admins only.
	const secrets = `query($id: ID!) { node(id: $id) { ... on Asset { licenseKey secretFields { key value } customFields { key value } } } }`
	vars := map[string]any{"id": gid("Asset", fx.eastLicense)}
	d = e.ok("admin", secrets, vars)
	if got := str(d, "node.licenseKey"); got != "KEY-SECRET-123" {
		t.Errorf("admin licenseKey = %q; want KEY-SECRET-123", got)
	}
	if got := str(d, "node.secretFields.0.value"); got != "111-222-333" {
		t.Errorf("admin secretFields = %v", get(d, "node.secretFields"))
	}
	for _, who := range []string{"tech", "billing", "client", "service"} {
		d := e.ok(who, secrets, vars)
		if get(d, "node.licenseKey") != nil || len(list(d, "node.secretFields")) != 0 {
			t.Errorf("%s sees secrets: %v", who, get(d, "node"))
		}
		if got := str(d, "node.customFields.0.value"); got != "gold" {
			t.Errorf("%s customFields = %v; want tier=gold", who, get(d, "node.customFields"))
		}
	}

	// Redaction: the brainhair service reads Acme (HIPAA) redacted.
	const people = `query($id: ID!) { company(id: $id) { contacts { nodes { name email } } tickets { nodes { subject description } } } }`
	vars = map[string]any{"id": gid("Company", fx.east)}
	plain := e.ok("tech", people, vars)
	red := e.ok("service", people, vars)
	if str(plain, "company.contacts.nodes.1.name") != "Carol Chen" {
		t.Fatalf("technician reads contacts %v", get(plain, "company.contacts"))
	}
	if got := str(red, "company.contacts.nodes.1.name"); got == "Carol Chen" || got == "" {
		t.Errorf("redacting service reads contact name %q", got)
	}
	if got := str(red, "company.contacts.nodes.1.email"); strings.Contains(got, "carol@") {
		t.Errorf("redacting service reads contact e-mail %q", got)
	}
	if got := str(red, "company.tickets.nodes.0.subject"); strings.Contains(got, "867-5309") || strings.Contains(got, "Carol Chen") {
		t.Errorf("redacting service reads ticket subject %q", got)
	}
	if got := str(red, "company.tickets.nodes.0.description"); strings.Contains(got, "carol@acme.example") {
		t.Errorf("redacting service reads ticket description %q", got)
	}

	// Writes: a client may not create companies, a technician may.
	r := e.do("client", `mutation { createCompany(input: {name: "Sneaky"}) { company { id } } }`, nil)
	if r.code() != "FORBIDDEN" {
		t.Errorf("client createCompany: code %q (%+v); want FORBIDDEN", r.code(), r.Errors)
	}
	r = e.do("", `{ companies { totalCount } }`, nil)
	if r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous companies: code %q (%+v); want UNAUTHENTICATED", r.code(), r.Errors)
	}
}

// testContactScope checks the one contact scope rule: a contact serving a company in the
// client's subtree (Alice: home Acme, assigned to Acme East as secondary) is visible by
// id and node as it is in lists, seen from that company, without showing the other
// company; a contact serving none (Gina) is not.
func (e *env) testContactScope(t *testing.T) {
	e.t = t
	fx := e.fx
	q := `query($alice: ID!, $gina: ID!) {
		byID: contact(id: $alice) { name designation compliance company { name } companies { company { name } designation } }
		node: node(id: $alice) { ... on Contact { name } }
		gina: contact(id: $gina) { name }
		ginaNode: node(id: $gina) { id }
		contacts { nodes { name designation } }
		east: company(id: "` + gid("Company", fx.east) + `") { contacts { nodes { name companies { company { name } } } } }
	}`
	d := e.ok("client", q, map[string]any{"alice": gid("Contact", fx.alice), "gina": gid("Contact", fx.gina)})
	if get(d, "byID.name") != "Alice Able" || get(d, "node.name") != "Alice Able" {
		t.Fatalf("client: contact(id:) = %v, node = %v; want Alice Able (she serves Acme East)", get(d, "byID"), get(d, "node"))
	}
	if get(d, "byID.designation") != "SECONDARY" || get(d, "byID.compliance") != "HIPAA" {
		t.Errorf("client sees Alice as %v / %v; want her standing at Acme East (SECONDARY, HIPAA)", get(d, "byID.designation"), get(d, "byID.compliance"))
	}
	if get(d, "byID.company") != nil {
		t.Errorf("client reads Alice's home company %v through her", get(d, "byID.company"))
	}
	if got := list(d, "byID.companies"); len(got) != 1 || get(got[0].(map[string]any), "company.name") != "Acme East" {
		t.Errorf("client sees Alice's companies %v; want only Acme East", got)
	}
	if get(d, "gina") != nil || get(d, "ginaNode") != nil {
		t.Errorf("client sees Gina (Globex only): %v %v", get(d, "gina"), get(d, "ginaNode"))
	}
	var listed bool
	for _, n := range list(d, "contacts.nodes") {
		if get(n.(map[string]any), "name") == "Alice Able" {
			listed = true
			if get(n.(map[string]any), "designation") != "SECONDARY" {
				t.Errorf("client's list shows Alice as %v; want SECONDARY", get(n.(map[string]any), "designation"))
			}
		}
	}
	if !listed {
		t.Errorf("client's contacts list lacks Alice: %v", list(d, "contacts.nodes"))
	}
	for _, n := range list(d, "east.contacts.nodes") {
		for _, c := range list(n.(map[string]any), "companies") {
			if name := get(c.(map[string]any), "company.name"); name != "Acme East" && name != "Acme East Lab" {
				t.Errorf("client sees %v serving %v", get(n.(map[string]any), "name"), name)
			}
		}
	}
	// The asset's contacts follow the same rule: Alice shows, Gina does not.
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	if err := e.db.AssignAsset(ctx, fx.eastServer, []int64{fx.carol, fx.alice, fx.gina}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.db.AssignAsset(ctx, fx.eastServer, []int64{fx.carol}) })
	d = e.ok("client", `query($a: ID!) { node(id: $a) { ... on Asset { assignedContacts { name designation } } } }`,
		map[string]any{"a": gid("Asset", fx.eastServer)})
	if got := names(d, "node.assignedContacts"); !slices.Equal(got, []string{"Alice Able", "Carol Chen"}) {
		t.Errorf("client sees the server's contacts %v; want Alice and Carol (not Gina)", got)
	}
	// Staff see everything, Alice at her home company.
	d = e.ok("admin", q, map[string]any{"alice": gid("Contact", fx.alice), "gina": gid("Contact", fx.gina)})
	if get(d, "byID.designation") != "PRIMARY" || get(d, "byID.company.name") != "Acme Holdings" || len(list(d, "byID.companies")) != 2 || get(d, "gina.name") != "Gina Gray" {
		t.Errorf("admin sees Alice as %v; want PRIMARY at Acme Holdings serving two companies, and Gina", get(d, "byID"))
	}
}
