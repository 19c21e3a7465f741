package graph_test

import (
	"slices"
	"strings"
	"testing"
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
