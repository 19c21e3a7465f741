package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestGraph runs every read, mutation and policy test on one fixture per database.
func TestGraph(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		t.Run("company page", e.testCompanyPage)
		t.Run("lookups", e.testLookups)
		t.Run("lists and filters", e.testFilters)
		t.Run("relations", e.testRelations)
		t.Run("paging", e.testPaging)
		t.Run("nested paging", e.testNestedPaging)
		t.Run("policy", e.testPolicy)
		t.Run("contact scope", e.testContactScope)
		t.Run("errors", e.testErrors)
		t.Run("mutations", e.testMutations) // last: it changes the fixture
	})
}

func (e *env) testCompanyPage(t *testing.T) {
	e.t = t
	fx := e.fx
	d := e.ok("admin", `query($id: ID!) { company(id: $id) {
		id databaseId name accountNumber kind status complianceLevel domains settings { key value }
		address { city } createdAt updatedAt archivedAt
		parent { name } ancestors { name } children { name } descendants { name } d1: descendants(maxDepth: 1) { name }
		effectiveSettings { key value }
		locations { name company { name } }
		contacts(orderBy: {field: NAME}) { totalCount nodes { name email designation isPrimary } edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage } }
		primaries: contacts(filter: {designation: [PRIMARY]}) { totalCount nodes { name } }
		primaryContact { name } billingContact { name }
		assets(filter: {type: [SERVER]}) { totalCount nodes { name type serialNumber warrantyExpires } }
		allAssets: assets { totalCount }
		networkEquipment { totalCount nodes { name links { localPort peerPort kind speed peer { name } } } }
		networkLinks { aPort bPort speed a { name } b { name } }
		subnets { cidr vlan gateway devices { name } assets { name } location { name } }
		tickets { totalCount nodes { subject status priority requester { name } } }
		openTickets: tickets(filter: {openOnly: true}) { totalCount }
		alerts { totalCount nodes { message priority asset { name } } }
		assetCounts { type count }
		openTicketCount
	} }`, map[string]any{"id": gid("Company", fx.acme)})
	c := get(d, "company")
	checks := []struct {
		path string
		got  any
		want any
	}{
		{"id", str(c, "id"), gid("Company", fx.acme)},
		{"databaseId", num(c, "databaseId"), int(fx.acme)},
		{"complianceLevel", str(c, "complianceLevel"), "HIPAA"},
		{"kind", str(c, "kind"), "CLIENT"},
		{"parent", get(c, "parent"), nil},
		{"ancestors", len(list(c, "ancestors")), 0},
		{"children", names(c, "children"), []string{"Acme East", "Acme West"}},
		{"descendants", len(list(c, "descendants")), 3},
		{"descendants(maxDepth: 1)", len(list(c, "d1")), 2},
		{"contacts.totalCount", num(c, "contacts.totalCount"), 2},
		{"contacts", names(c, "contacts.nodes"), []string{"Alice Able", "Bob Baker"}},
		{"contacts.0.designation", str(c, "contacts.nodes.0.designation"), "PRIMARY"},
		{"contacts.0.isPrimary", get(c, "contacts.nodes.0.isPrimary"), true},
		{"contacts.edges.0.node", str(c, "contacts.edges.0.node.name"), "Alice Able"},
		{"contacts.pageInfo.hasNextPage", get(c, "contacts.pageInfo.hasNextPage"), false},
		{"primaries", names(c, "primaries.nodes"), []string{"Alice Able"}},
		{"primaryContact", str(c, "primaryContact.name"), "Alice Able"},
		{"billingContact", get(c, "billingContact"), nil},
		{"assets (own only)", num(c, "allAssets.totalCount"), 0},
		{"openTicketCount", num(c, "openTicketCount"), 0},
		{"settings", len(list(c, "settings")), 2},
	}
	for _, ch := range checks {
		if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
			t.Errorf("Company(Acme).%s = %v; want %v", ch.path, ch.got, ch.want)
		}
	}

	d = e.ok("admin", `query($id: ID!) { company(id: $id) {
		parent { name } ancestors { name } effectiveSettings { key value }
		contacts { nodes { name designation } }
		assets(orderBy: {field: NAME}) { totalCount nodes { name type serialNumber warrantyExpires } }
		servers: assets(filter: {type: [SERVER]}) { totalCount nodes { name } }
		networkEquipment(orderBy: {field: NAME}) { totalCount nodes { name links { localPort peerPort kind speed peer { name } } location { name } subnet { cidr } } }
		networkLinks { aPort bPort speed kind a { name } b { name } }
		subnets { cidr vlan gateway devices { name } assets { name } }
		locations { name }
		tickets { totalCount nodes { subject status priority requester { name } company { name } } }
		openTickets: tickets(filter: {openOnly: true}) { totalCount }
		alerts { totalCount nodes { message priority asset { name } company { name } } }
		assetCounts { type count }
		openTicketCount
	} }`, map[string]any{"id": gid("Company", fx.east)})
	c = get(d, "company")
	checks = []struct {
		path string
		got  any
		want any
	}{
		{"parent", str(c, "parent.name"), "Acme Holdings"},
		{"ancestors", names(c, "ancestors"), []string{"Acme Holdings"}},
		{"effectiveSettings", fmt.Sprint(list(c, "effectiveSettings")), "[map[key:backup value:nightly] map[key:patch_day value:Monday]]"},
		{"contacts (home and assigned)", names(c, "contacts.nodes"), []string{"Alice Able", "Carol Chen"}},
		{"assigned designation", str(c, "contacts.nodes.0.designation"), "SECONDARY"},
		{"assets", names(c, "assets.nodes"), []string{"EAST-LIC", "EAST-SRV"}},
		{"asset warranty", str(c, "assets.nodes.1.warrantyExpires"), "2026-01-15"},
		{"servers", num(c, "servers.totalCount"), 1},
		{"devices", names(c, "networkEquipment.nodes"), []string{"EAST-FW", "EAST-SW"}},
		{"link peer", str(c, "networkEquipment.nodes.0.links.0.peer.name"), "EAST-SW"},
		{"link ports", str(c, "networkEquipment.nodes.0.links.0.localPort") + "-" + str(c, "networkEquipment.nodes.0.links.0.peerPort"), "port1-gi1"},
		{"link back", str(c, "networkEquipment.nodes.1.links.0.peer.name"), "EAST-FW"},
		{"link speed", num(c, "networkEquipment.nodes.0.links.0.speed"), 1000},
		{"device location", str(c, "networkEquipment.nodes.0.location.name"), "East HQ"},
		{"device subnet", str(c, "networkEquipment.nodes.0.subnet.cidr"), "10.1.0.0/24"},
		{"networkLinks", str(c, "networkLinks.0.a.name") + "/" + str(c, "networkLinks.0.b.name"), "EAST-FW/EAST-SW"},
		{"subnet devices", names(c, "subnets.0.devices"), []string{"EAST-FW", "EAST-SW"}},
		{"subnet assets", names(c, "subnets.0.assets"), []string{"EAST-SRV"}},
		{"locations", names(c, "locations"), []string{"East HQ"}},
		{"tickets", num(c, "tickets.totalCount"), 1},
		{"ticket requester", str(c, "tickets.nodes.0.requester.name"), "Carol Chen"},
		{"ticket status", str(c, "tickets.nodes.0.status"), "OPEN"},
		{"open tickets", num(c, "openTickets.totalCount"), 1},
		{"openTicketCount", num(c, "openTicketCount"), 1},
		{"alerts", num(c, "alerts.totalCount"), 1},
		{"alert asset", str(c, "alerts.nodes.0.asset.name"), "EAST-SRV"},
		{"alert priority", str(c, "alerts.nodes.0.priority"), "CRITICAL"},
		{"assetCounts", fmt.Sprint(list(c, "assetCounts")), "[map[count:1 type:LICENSE] map[count:1 type:SERVER]]"},
	}
	for _, ch := range checks {
		if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
			t.Errorf("Company(East).%s = %v; want %v", ch.path, ch.got, ch.want)
		}
	}
}

func (e *env) testLookups(t *testing.T) {
	e.t = t
	fx := e.fx
	d := e.ok("admin", `{ companyByAccountNumber(accountNumber: "ACC-9") { name } nope: companyByAccountNumber(accountNumber: "NOPE") { name } }`, nil)
	if got := str(d, "companyByAccountNumber.name"); got != "Globex" {
		t.Errorf("companyByAccountNumber(ACC-9) = %q; want Globex", got)
	}
	if get(d, "nope") != nil {
		t.Errorf("companyByAccountNumber(NOPE) = %v; want null", get(d, "nope"))
	}

	nodes := []struct {
		typ, field string
		id         int64
		want       string
	}{
		{"Company", "name", fx.globex, "Globex"},
		{"Location", "name", fx.eastLocation, "East HQ"},
		{"Contact", "name", fx.carol, "Carol Chen"},
		{"Asset", "name", fx.eastServer, "EAST-SRV"},
		{"NetworkEquipment", "name", fx.eastFW, "EAST-FW"},
		{"Subnet", "cidr", fx.eastSubnet, "10.1.0.0/24"},
		{"Ticket", "subject", fx.eastTicket, "Printer down, call Carol Chen at 555-867-5309"},
		{"Alert", "message", fx.eastAlert, "Disk almost full"},
	}
	for _, n := range nodes {
		q := fmt.Sprintf(`query($id: ID!) { node(id: $id) { __typename id ... on %s { %s } } }`, n.typ, n.field)
		d := e.ok("admin", q, map[string]any{"id": gid(n.typ, n.id)})
		if got := str(d, "node."+n.field); got != n.want {
			t.Errorf("node(%s:%d).%s = %q; want %q", n.typ, n.id, n.field, got, n.want)
		}
		if got := str(d, "node.__typename"); got != n.typ {
			t.Errorf("node(%s:%d).__typename = %q", n.typ, n.id, got)
		}
		if got := str(d, "node.id"); got != gid(n.typ, n.id) {
			t.Errorf("node(%s:%d).id = %q; want %q", n.typ, n.id, got, gid(n.typ, n.id))
		}
	}
	d = e.ok("admin", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { name } } }`,
		map[string]any{"ids": []string{gid("Company", fx.west), gid("Company", 99999), gid("Company", fx.lab)}})
	if got := fmt.Sprint(list(d, "nodes")); got != "[map[name:Acme West] <nil> map[name:Acme East Lab]]" {
		t.Errorf("nodes(West, missing, Lab) = %s", got)
	}
	d = e.ok("admin", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Company", 424242)})
	if get(d, "node") != nil {
		t.Errorf("node(missing) = %v; want null", get(d, "node"))
	}

	d = e.ok("admin", `{ search(query: "acme", first: 10) { companies { name } contacts { name } assets { name } networkEquipment { name } } }`, nil)
	if got := names(d, "search.companies"); !slices.Equal(got, []string{"Acme East", "Acme East Lab", "Acme Holdings", "Acme West"}) {
		t.Errorf("search(acme).companies = %v", got)
	}
	if got := names(d, "search.contacts"); len(got) != 3 {
		t.Errorf("search(acme).contacts = %v; want the 3 @acme.example contacts", got)
	}
	d = e.ok("admin", `{ search(query: "10.1.0.") { assets { name } networkEquipment { name } } s2: search(query: "S-GLX") { assets { name } } }`, nil)
	if got := names(d, "search.networkEquipment"); !slices.Equal(got, []string{"EAST-FW", "EAST-SW"}) {
		t.Errorf("search(10.1.0.).networkEquipment = %v", got)
	}
	if got := names(d, "s2.assets"); !slices.Equal(got, []string{"GLX-PC"}) {
		t.Errorf("search(S-GLX).assets = %v", got)
	}

	d = e.ok("admin", `{ duplicateIPs { ip company { name } holders { kind name ip id node { __typename } } } }`, nil)
	if got := str(d, "duplicateIPs.0.ip") + " " + str(d, "duplicateIPs.0.company.name"); got != "10.9.0.5 Globex" {
		t.Errorf("duplicateIPs = %v", get(d, "duplicateIPs"))
	}
	if got := len(list(d, "duplicateIPs.0.holders")); got != 2 {
		t.Errorf("duplicateIPs.0.holders = %d; want 2", got)
	}
	d = e.ok("admin", `query($c: ID) { inside(cidr: "10.1.0.0/28", companyId: $c) { kind name ip node { ... on Asset { serialNumber } ... on NetworkEquipment { model } } } }`,
		map[string]any{"c": gid("Company", fx.east)})
	if got := names(d, "inside"); len(got) != 3 {
		t.Errorf("inside(10.1.0.0/28) = %v; want EAST-FW, EAST-SW, EAST-SRV", got)
	}

	d = e.ok("tech", `{ me { email permissionLevel preferences { theme colorTheme ui { key } notifications { key } } } }`, nil)
	if got := str(d, "me.email") + " " + str(d, "me.permissionLevel"); got != "tom@msp.example TECHNICIAN" {
		t.Errorf("me = %v", get(d, "me"))
	}
	if d := e.ok("service", `{ me { email } }`, nil); get(d, "me") != nil {
		t.Errorf("me as a service = %v; want null", get(d, "me"))
	}
}

func (e *env) testFilters(t *testing.T) {
	e.t = t
	fx := e.fx
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		path  string
		want  []string
	}{
		{"companies roots", `{ companies(first: 3, filter: {rootsOnly: true}) { nodes { name } } }`, nil, "companies.nodes", []string{"Acme Holdings", "Globex", "Pager 01"}},
		{"companies parent", `query($p: ID) { companies(filter: {parentId: $p}) { nodes { name } } }`, map[string]any{"p": gid("Company", fx.acme)}, "companies.nodes", []string{"Acme East", "Acme West"}},
		{"companies subtree", `query($p: ID) { companies(filter: {subtreeOf: $p}) { nodes { name } } }`, map[string]any{"p": gid("Company", fx.east)}, "companies.nodes", []string{"Acme East", "Acme East Lab"}},
		{"companies search", `{ companies(filter: {search: "west"}) { nodes { name } } }`, nil, "companies.nodes", []string{"Acme West"}},
		{"companies compliance", `{ companies(filter: {complianceLevel: [HIPAA]}) { nodes { name } } }`, nil, "companies.nodes", []string{"Acme East", "Acme Holdings"}},
		{"companies account", `{ companies(filter: {accountNumber: "ACC-3"}) { nodes { name } } }`, nil, "companies.nodes", []string{"Acme West"}},
		{"companies kind", `{ companies(filter: {kind: [VENDOR]}) { nodes { name } } }`, nil, "companies.nodes", nil},
		{"companies order", `{ companies(first: 2, orderBy: {field: ACCOUNT_NUMBER, direction: DESC}) { nodes { name } } }`, nil, "companies.nodes", []string{"Pager 12", "Pager 11"}},
		{"contacts company", `query($c: ID) { contacts(filter: {companyId: $c}) { nodes { name } } }`, map[string]any{"c": gid("Company", fx.east)}, "contacts.nodes", []string{"Alice Able", "Carol Chen"}},
		{"contacts designation", `query($c: ID) { contacts(filter: {companyId: $c, designation: [PRIMARY]}) { nodes { name } } }`, map[string]any{"c": gid("Company", fx.east)}, "contacts.nodes", []string{"Carol Chen"}},
		{"contacts subtree", `query($c: ID) { contacts(filter: {subtreeOf: $c}) { nodes { name } } }`, map[string]any{"c": gid("Company", fx.acme)}, "contacts.nodes", []string{"Alice Able", "Bob Baker", "Carol Chen"}},
		{"contacts search", `{ contacts(filter: {search: "gray"}) { nodes { name } } }`, nil, "contacts.nodes", []string{"Gina Gray"}},
		{"contacts email", `{ contacts(filter: {email: "BOB@acme.example"}) { nodes { name } } }`, nil, "contacts.nodes", []string{"Bob Baker"}},
		{"contacts role", `{ contacts(filter: {role: "billing"}) { nodes { name } } }`, nil, "contacts.nodes", nil},
		{"assets type", `{ assets(filter: {type: [LICENSE]}) { nodes { name } } }`, nil, "assets.nodes", []string{"EAST-LIC"}},
		{"assets warranty", `{ assets(filter: {warrantyExpiresBefore: "2027-01-01"}) { nodes { name } } }`, nil, "assets.nodes", []string{"EAST-SRV"}},
		{"assets online", `{ assets(filter: {online: true}) { nodes { name } } }`, nil, "assets.nodes", []string{"EAST-SRV"}},
		{"assets ipIn", `{ assets(filter: {ipIn: "10.9.0.0/16"}) { nodes { name } } }`, nil, "assets.nodes", []string{"GLX-PC"}},
		{"assets contact", `query($c: ID) { assets(filter: {contactId: $c}) { nodes { name } } }`, map[string]any{"c": gid("Contact", fx.carol)}, "assets.nodes", []string{"EAST-SRV"}},
		{"assets serial", `{ assets(filter: {serialNumber: "S-GLX-1"}) { nodes { name } } }`, nil, "assets.nodes", []string{"GLX-PC"}},
		{"assets subtree", `query($c: ID) { assets(filter: {subtreeOf: $c}, orderBy: {field: SERIAL_NUMBER}) { nodes { name } } }`, map[string]any{"c": gid("Company", fx.acme)}, "assets.nodes", []string{"EAST-LIC", "EAST-SRV"}},
		{"equipment type", `{ networkEquipment(filter: {type: [FIREWALL]}) { nodes { name } } }`, nil, "networkEquipment.nodes", []string{"EAST-FW", "GLX-FW"}},
		{"equipment ipIn", `{ networkEquipment(filter: {ipIn: "10.1.0.0/24"}, orderBy: {field: IP_ADDRESS, direction: DESC}) { nodes { name } } }`, nil, "networkEquipment.nodes", []string{"EAST-SW", "EAST-FW"}},
		{"equipment company", `query($c: ID) { networkEquipment(filter: {companyId: $c}) { nodes { name } } }`, map[string]any{"c": gid("Company", fx.globex)}, "networkEquipment.nodes", []string{"GLX-DUP", "GLX-FW"}},
		{"tickets status", `{ tickets(filter: {status: [CLOSED]}) { nodes { name: subject } } }`, nil, "tickets.nodes", []string{"Closed one"}},
		{"tickets priority", `{ tickets(filter: {priority: [HIGH]}) { nodes { name: subject } } }`, nil, "tickets.nodes", []string{"Printer down, call Carol Chen at 555-867-5309"}},
		{"tickets open", `{ tickets(filter: {openOnly: true}) { nodes { name: subject } } }`, nil, "tickets.nodes", []string{"Printer down, call Carol Chen at 555-867-5309"}},
		{"tickets requester", `query($c: ID) { tickets(filter: {requesterId: $c}) { nodes { name: subject } } }`, map[string]any{"c": gid("Contact", fx.gina)}, "tickets.nodes", nil},
		{"alerts priority", `{ alerts(filter: {priority: [CRITICAL], resolved: false}) { nodes { name: message } } }`, nil, "alerts.nodes", []string{"Disk almost full"}},
		{"alerts asset", `query($a: ID) { alerts(filter: {assetId: $a}) { nodes { name: message } } }`, map[string]any{"a": gid("Asset", fx.globexPC)}, "alerts.nodes", nil},
		{"companies status", `{ companies(filter: {status: [INACTIVE]}) { nodes { name } } }`, nil, "companies.nodes", nil},
		{"contacts inactive", `{ contacts(filter: {active: false}) { nodes { name } } }`, nil, "contacts.nodes", nil},
		{"assets hostname", `{ assets(filter: {hostname: "east-srv"}) { nodes { name } } }`, nil, "assets.nodes", []string{"EAST-SRV"}},
		{"assets search", `{ assets(filter: {search: "10.9.0.5"}) { nodes { name } } }`, nil, "assets.nodes", []string{"GLX-PC"}},
		{"equipment status", `{ networkEquipment(filter: {status: [UNKNOWN], search: "glx"}) { nodes { name } } }`, nil, "networkEquipment.nodes", []string{"GLX-DUP", "GLX-FW"}},
		{"tickets search", `{ tickets(filter: {search: "printer", source: FRESHSERVICE}) { nodes { name: subject } } }`, nil, "tickets.nodes", []string{"Printer down, call Carol Chen at 555-867-5309"}},
		{"tickets updatedSince", `{ tickets(filter: {updatedSince: "2030-01-01T00:00:00Z"}) { nodes { name: subject } } }`, nil, "tickets.nodes", nil},
		{"tickets subtree", `query($c: ID) { tickets(filter: {subtreeOf: $c}, orderBy: {field: PRIORITY}) { nodes { name: subject } } }`, map[string]any{"c": gid("Company", fx.acme)}, "tickets.nodes", []string{"Printer down, call Carol Chen at 555-867-5309"}},
		{"alerts subtree", `query($c: ID) { alerts(filter: {subtreeOf: $c}) { nodes { name: message } } }`, map[string]any{"c": gid("Company", fx.acme)}, "alerts.nodes", []string{"Disk almost full"}},
		{"audit", `{ auditLog(first: 2, filter: {entity: "subnet"}) { nodes { name: action } } }`, nil, "auditLog.nodes", []string{"create"}},
	}
	for _, c := range cases {
		d := e.ok("admin", c.query, c.vars)
		if got := names(d, c.path); !slices.Equal(got, c.want) {
			t.Errorf("%s: %s = %q; want %q", c.name, c.path, got, c.want)
		}
	}
	d := e.ok("admin", `{ auditLog(first: 1, filter: {entity: "company", action: "create"}) { totalCount nodes { actor entity entityId entityDatabaseId company { name } after requestId at } } }`, nil)
	if n := num(d, "auditLog.totalCount"); n != 17 {
		t.Errorf("auditLog(company create).totalCount = %d; want 17", n)
	}
	if a := str(d, "auditLog.nodes.0.actor"); a != "system:test" {
		t.Errorf("audit actor = %q; want system:test", a)
	}
	if get(d, "auditLog.nodes.0.after") == nil {
		t.Errorf("audit entry has no after snapshot: %v", get(d, "auditLog.nodes.0"))
	}
	d = e.ok("admin", `{ syncRuns { totalCount } agents(first: 5) { totalCount nodes { email } } }`, nil)
	if n := num(d, "syncRuns.totalCount"); n != 0 {
		t.Errorf("syncRuns.totalCount = %d; want 0", n)
	}
}

func (e *env) testRelations(t *testing.T) {
	e.t = t
	fx := e.fx
	d := e.ok("admin", `query($c: ID!, $a: ID!, $t: ID!) {
		carol: node(id: $c) { ... on Contact { company { name } companies { company { name } designation } assets { name } } }
		alice: contacts(filter: {email: "alice@acme.example"}) { nodes { companies { company { name } designation } } }
		srv: node(id: $a) { ... on Asset { company { name } assignedContacts { name } alerts { totalCount nodes { message asset { name } } } } }
		t: node(id: $t) { ... on Ticket { company { name } requester { email } } }
	}`, map[string]any{"c": gid("Contact", fx.carol), "a": gid("Asset", fx.eastServer), "t": gid("Ticket", fx.eastTicket)})
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"carol.company", str(d, "carol.company.name"), "Acme East"},
		{"carol.assets", names(d, "carol.assets"), []string{"EAST-SRV"}},
		{"alice.companies", fmt.Sprint(list(d, "alice.nodes.0.companies")), "[map[company:map[name:Acme Holdings] designation:PRIMARY] map[company:map[name:Acme East] designation:SECONDARY]]"},
		{"srv.company", str(d, "srv.company.name"), "Acme East"},
		{"srv.assignedContacts", names(d, "srv.assignedContacts"), []string{"Carol Chen"}},
		{"srv.alerts", num(d, "srv.alerts.totalCount"), 1},
		{"srv.alerts.asset", str(d, "srv.alerts.nodes.0.asset.name"), "EAST-SRV"},
		{"ticket.requester", str(d, "t.requester.email"), "carol@acme.example"},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v; want %v", c.what, c.got, c.want)
		}
	}
}

// testPaging walks the companies forward and backward page by page: every row once, in
// order, with a stable totalCount.
func (e *env) testPaging(t *testing.T) {
	e.t = t
	all := names(e.ok("admin", `{ companies(first: 500) { nodes { name } } }`, nil), "companies.nodes")
	if len(all) != 17 {
		t.Fatalf("companies = %d; want 17", len(all))
	}
	for _, order := range []string{"{field: NAME}", "{field: ID, direction: DESC}", "{field: ACCOUNT_NUMBER}", "{field: CREATED_AT}"} {
		want := names(e.ok("admin", `{ companies(first: 500, orderBy: `+order+`) { nodes { name } } }`, nil), "companies.nodes")
		const fwd = `query($after: String, $o: CompanyOrder) { companies(first: 4, after: $after, orderBy: $o) {
			totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
		const back = `query($before: String, $o: CompanyOrder) { companies(last: 4, before: $before, orderBy: $o) {
			totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
		o := parseOrder(order)
		var got []string
		var after any
		for page := 0; ; page++ {
			d := e.ok("admin", fwd, map[string]any{"after": after, "o": o})
			if n := num(d, "companies.totalCount"); n != 17 {
				t.Fatalf("%s page %d: totalCount = %d; want 17", order, page, n)
			}
			for _, edge := range list(d, "companies.edges") {
				got = append(got, str(edge, "node.name"))
			}
			if prev := get(d, "companies.pageInfo.hasPreviousPage"); prev != (page > 0) {
				t.Errorf("%s page %d: hasPreviousPage = %v", order, page, prev)
			}
			if get(d, "companies.pageInfo.hasNextPage") != true {
				break
			}
			after = get(d, "companies.pageInfo.endCursor")
			if page > 10 {
				t.Fatal("paging forward does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s forward: %q; want %q", order, got, want)
		}
		got = nil
		var before any
		for page := 0; ; page++ {
			d := e.ok("admin", back, map[string]any{"before": before, "o": o})
			if n := num(d, "companies.totalCount"); n != 17 {
				t.Fatalf("%s back page %d: totalCount = %d; want 17", order, page, n)
			}
			var pg []string
			for _, edge := range list(d, "companies.edges") {
				pg = append(pg, str(edge, "node.name"))
			}
			got = append(pg, got...)
			if get(d, "companies.pageInfo.hasPreviousPage") != true {
				break
			}
			before = get(d, "companies.pageInfo.startCursor")
			if page > 10 {
				t.Fatal("paging backward does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s backward: %q; want %q", order, got, want)
		}
	}
}

// parseOrder turns "{field: NAME, direction: DESC}" into variables.
func parseOrder(s string) map[string]any {
	o := map[string]any{}
	for _, part := range strings.Split(strings.Trim(s, "{}"), ",") {
		k, v, _ := strings.Cut(part, ":")
		o[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return o
}

// testNestedPaging walks a nested connection with first/after.
func (e *env) testNestedPaging(t *testing.T) {
	e.t = t
	const q = `query($id: ID!, $after: String) { company(id: $id) { contacts(first: 1, after: $after) {
		totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`
	var got []string
	var after any
	for page := 0; page < 5; page++ {
		d := e.ok("admin", q, map[string]any{"id": gid("Company", e.fx.east), "after": after})
		c := get(d, "company.contacts")
		if n := num(c, "totalCount"); n != 2 {
			t.Errorf("page %d: totalCount = %d; want 2", page, n)
		}
		if prev := get(c, "pageInfo.hasPreviousPage"); prev != (page > 0) {
			t.Errorf("page %d: hasPreviousPage = %v", page, prev)
		}
		got = append(got, names(c, "nodes")...)
		if get(c, "pageInfo.hasNextPage") != true {
			break
		}
		after = get(c, "pageInfo.endCursor")
	}
	if want := []string{"Alice Able", "Carol Chen"}; !slices.Equal(got, want) {
		t.Errorf("East's contacts page by page = %q; want %q", got, want)
	}
}
