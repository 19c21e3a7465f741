package graph_test

import (
	"fmt"
	"slices"
	"testing"
)

// mustFail posts an operation that must fail with code and, when fields is not nil,
// name exactly those input fields in extensions.fields.
func (e *env) mustFail(who, query string, vars map[string]any, code string, fields ...string) result {
	e.t.Helper()
	r := e.do(who, query, vars)
	if r.code() != code {
		e.t.Errorf("%s: code %q; want %q (errors %+v)", oneLine(query), r.code(), code, r.Errors)
		return r
	}
	if fields != nil {
		var got []string
		for k := range r.fields() {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(fields)
		if !slices.Equal(got, fields) {
			e.t.Errorf("%s: extensions.fields = %v; want %v", oneLine(query), r.fields(), fields)
		}
	}
	return r
}

func (e *env) testMutations(t *testing.T) {
	e.t = t
	fx := e.fx
	id := func(typ string, n int64) string { return gid(typ, n) }

	// Companies.
	d := e.ok("admin", `mutation { createCompany(input: {name: "Initech", accountNumber: "ACC-50", parentId: "`+id("Company", fx.globex)+`",
		website: "https://initech.example", domains: ["initech.example"], settings: [{key: "k", value: "v"}],
		contractStart: "2025-01-01", address: {city: "Austin"}}) {
		company { id name accountNumber parent { name } website domains contractStart address { city } settings { key value } } } }`, nil)
	c := get(d, "createCompany.company")
	if str(c, "name") != "Initech" || str(c, "parent.name") != "Globex" || str(c, "contractStart") != "2025-01-01" || str(c, "address.city") != "Austin" {
		t.Errorf("createCompany = %v", c)
	}
	initech := str(c, "id")
	e.mustFail("tech", `mutation { createCompany(input: {name: "Dup", accountNumber: "ACC-50"}) { company { id } } }`, nil, "CONFLICT")
	e.mustFail("tech", `mutation { createCompany(input: {name: " ", website: "ftp:/x"}) { company { id } } }`, nil, "BAD_USER_INPUT", "name", "website")
	e.mustFail("tech", `mutation { createCompany(input: {name: "Orphan", parentId: "`+id("Company", 987654)+`"}) { company { id } } }`, nil, "BAD_USER_INPUT", "parentId")
	e.mustFail("tech", `mutation { createCompany(input: {name: "Wrong", parentId: "`+id("Contact", fx.alice)+`"}) { company { id } } }`, nil, "BAD_USER_INPUT", "parentId")
	e.mustFail("tech", `mutation { createCompany(input: {name: "Bad date", contractStart: "2025-13-45"}) { company { id } } }`, nil, "BAD_USER_INPUT")

	// Update: left out fields stay, null clears, null on a required field is refused.
	const upd = `mutation($in: UpdateCompanyInput!) { updateCompany(input: $in) { company { name description phone accountNumber contractStart } } }`
	d = e.ok("tech", upd, map[string]any{"in": map[string]any{"id": initech, "description": "Software", "phone": "+1-555-0111"}})
	d = e.ok("admin", upd, map[string]any{"in": map[string]any{"id": initech, "phone": nil, "accountNumber": nil, "contractStart": nil}})
	c = get(d, "updateCompany.company")
	if str(c, "description") != "Software" || str(c, "phone") != "" || get(c, "accountNumber") != nil || get(c, "contractStart") != nil {
		t.Errorf("updateCompany(phone: null, accountNumber: null) = %v; want description kept, the rest cleared", c)
	}
	e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": initech, "name": nil}}, "BAD_USER_INPUT", "name")
	e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": id("Company", 987654), "name": "Ghost"}}, "NOT_FOUND")
	e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": initech, "accountNumber": "ACC-9"}}, "CONFLICT")

	// Move: a cycle is refused; to the root and back.
	const move = `mutation($id: ID!, $p: ID) { moveCompany(input: {id: $id, parentId: $p}) { company { name parent { name } } } }`
	e.mustFail("tech", move, map[string]any{"id": id("Company", fx.acme), "p": id("Company", fx.lab)}, "BAD_USER_INPUT")
	e.mustFail("tech", move, map[string]any{"id": id("Company", fx.acme), "p": id("Company", fx.acme)}, "BAD_USER_INPUT")
	d = e.ok("tech", move, map[string]any{"id": initech, "p": nil})
	if get(d, "moveCompany.company.parent") != nil {
		t.Errorf("moveCompany(parentId: null) = %v; want a root", get(d, "moveCompany.company"))
	}
	d = e.ok("tech", move, map[string]any{"id": initech, "p": id("Company", fx.west)})
	if got := str(d, "moveCompany.company.parent.name"); got != "Acme West" {
		t.Errorf("moveCompany(under West).parent = %q", got)
	}

	d = e.ok("tech", `mutation($id: ID!) { archiveCompany(input: {id: $id}) { company { archivedAt } } }`, map[string]any{"id": initech})
	if get(d, "archiveCompany.company.archivedAt") == nil {
		t.Errorf("archiveCompany: archivedAt is null")
	}
	d = e.ok("tech", `{ companies(filter: {onlyArchived: true}) { nodes { name } } }`, nil)
	if got := names(d, "companies.nodes"); !slices.Equal(got, []string{"Initech"}) {
		t.Errorf("archived companies = %v", got)
	}
	d = e.ok("tech", `mutation($id: ID!) { restoreCompany(input: {id: $id}) { company { archivedAt } } }`, map[string]any{"id": initech})
	if get(d, "restoreCompany.company.archivedAt") != nil {
		t.Errorf("restoreCompany: archivedAt = %v", get(d, "restoreCompany.company.archivedAt"))
	}

	// Locations.
	d = e.ok("tech", `mutation($c: ID!) { createLocation(input: {companyId: $c, name: "Plant 1", address: {line1: "1 Main St"}}) { location { id name company { name } address { line1 } } } }`,
		map[string]any{"c": initech})
	loc := str(d, "createLocation.location.id")
	if got := str(d, "createLocation.location.company.name"); got != "Initech" {
		t.Errorf("createLocation.company = %q", got)
	}
	e.mustFail("tech", `mutation($c: ID!) { createLocation(input: {companyId: $c, name: "X"}) { location { id } } }`,
		map[string]any{"c": id("Contact", fx.alice)}, "BAD_USER_INPUT", "companyId")
	d = e.ok("tech", `mutation($id: ID!) { updateLocation(input: {id: $id, notes: "Dock B", address: null}) { location { name notes address { line1 } } } }`, map[string]any{"id": loc})
	if str(d, "updateLocation.location.notes") != "Dock B" || str(d, "updateLocation.location.address.line1") != "" {
		t.Errorf("updateLocation = %v", get(d, "updateLocation.location"))
	}
	e.ok("tech", `mutation($id: ID!) { archiveLocation(input: {id: $id}) { location { archivedAt } } }`, map[string]any{"id": loc})

	// Contacts.
	e.mustFail("tech", `mutation($c: ID!) { createContact(input: {companyId: $c, firstName: "Pat", email: "not-an-email", roles: ["wizard"]}) { contact { id } } }`,
		map[string]any{"c": initech}, "BAD_USER_INPUT", "email", "roles")
	d = e.ok("tech", `mutation($c: ID!) { createContact(input: {companyId: $c, firstName: "Pat", lastName: "Lee", email: "pat@initech.example", designation: PRIMARY}) {
		contact { id name designation isPrimary active company { name } } } }`, map[string]any{"c": initech})
	pat := str(d, "createContact.contact.id")
	if got := get(d, "createContact.contact"); str(got, "name") != "Pat Lee" || get(got, "isPrimary") != true || get(got, "active") != true {
		t.Errorf("createContact = %v", got)
	}
	d = e.ok("tech", `mutation($id: ID!) { updateContact(input: {id: $id, title: "CTO", designation: null}) { contact { title designation } } }`, map[string]any{"id": pat})
	if got := str(d, "updateContact.contact.designation"); got != "NONE" || str(d, "updateContact.contact.title") != "CTO" {
		t.Errorf("updateContact = %v", get(d, "updateContact.contact"))
	}
	e.mustFail("tech", `mutation($id: ID!) { updateContact(input: {id: $id, active: null}) { contact { id } } }`, map[string]any{"id": pat}, "BAD_USER_INPUT", "active")
	// Secondary e-mails and the employment type: set, read back through a list (the
	// projection of the batch lookups), validated, cleared.
	d = e.ok("tech", `mutation($id: ID!) { updateContact(input: {id: $id, secondaryEmails: ["pat@home.example"], employmentType: "Full Time"}) {
		contact { secondaryEmails employmentType } } }`, map[string]any{"id": pat})
	if got := get(d, "updateContact.contact"); fmt.Sprint(get(got, "secondaryEmails")) != "[pat@home.example]" || str(got, "employmentType") != "Full Time" {
		t.Errorf("updateContact(secondaryEmails, employmentType) = %v", got)
	}
	d = e.ok("tech", `query($c: ID!) { node(id: $c) { ... on Company { contacts { nodes { name secondaryEmails employmentType } } } } }`, map[string]any{"c": initech})
	found := false
	for _, n := range get(d, "node.contacts.nodes").([]any) {
		if str(n, "name") == "Pat Lee" {
			found = fmt.Sprint(get(n, "secondaryEmails")) == "[pat@home.example]" && str(n, "employmentType") == "Full Time"
		}
	}
	if !found {
		t.Errorf("Initech's contacts = %v; want Pat Lee with a secondary address and Full Time", get(d, "node.contacts.nodes"))
	}
	e.mustFail("tech", `mutation($id: ID!) { updateContact(input: {id: $id, secondaryEmails: ["nope"]}) { contact { id } } }`, map[string]any{"id": pat}, "BAD_USER_INPUT", "secondaryEmails")
	d = e.ok("tech", `mutation($id: ID!) { updateContact(input: {id: $id, secondaryEmails: null, employmentType: null}) { contact { secondaryEmails employmentType } } }`, map[string]any{"id": pat})
	if got := get(d, "updateContact.contact"); fmt.Sprint(get(got, "secondaryEmails")) != "[]" || str(got, "employmentType") != "" {
		t.Errorf("updateContact(clear) = %v", got)
	}
	e.ok("tech", `mutation($ct: ID!, $c: ID!) { assignContact(input: {contactId: $ct, companyId: $c, designation: SECONDARY}) { contact { id } } }`,
		map[string]any{"ct": pat, "c": id("Company", fx.globex)})
	d = e.ok("tech", `query($c: ID) { contacts(filter: {companyId: $c, designation: [SECONDARY]}) { nodes { name } } }`, map[string]any{"c": id("Company", fx.globex)})
	if got := names(d, "contacts.nodes"); !slices.Equal(got, []string{"Pat Lee"}) {
		t.Errorf("Globex's secondary contacts after assignContact = %v", got)
	}
	e.mustFail("tech", `mutation($ct: ID!, $c: ID!) { unassignContact(input: {contactId: $ct, companyId: $c}) { contact { id } } }`,
		map[string]any{"ct": pat, "c": initech}, "BAD_USER_INPUT")
	e.ok("tech", `mutation($ct: ID!, $c: ID!) { unassignContact(input: {contactId: $ct, companyId: $c}) { contact { companies { company { name } } } } }`,
		map[string]any{"ct": pat, "c": id("Company", fx.globex)})
	e.ok("tech", `mutation($id: ID!) { archiveContact(input: {id: $id}) { contact { archivedAt } } }`, map[string]any{"id": pat})
	e.ok("tech", `mutation($id: ID!) { restoreContact(input: {id: $id}) { contact { archivedAt } } }`, map[string]any{"id": pat})

	// Assets.
	e.mustFail("tech", `mutation($c: ID!) { createAsset(input: {companyId: $c, name: "Box", ipAddresses: ["10.0.0.300"]}) { asset { id } } }`,
		map[string]any{"c": initech}, "BAD_USER_INPUT", "ipAddresses")
	d = e.ok("tech", `mutation($c: ID!) { createAsset(input: {companyId: $c, name: "INI-SRV", type: SERVER, ipAddresses: ["10.50.0.10"], warrantyExpires: "2027-05-01",
		customFields: [{key: "rack", value: "A1"}]}) { asset { id name type warrantyExpires ipAddresses customFields { key value } company { name } } } }`, map[string]any{"c": initech})
	srv := str(d, "createAsset.asset.id")
	if got := get(d, "createAsset.asset"); str(got, "type") != "SERVER" || str(got, "warrantyExpires") != "2027-05-01" || str(got, "company.name") != "Initech" {
		t.Errorf("createAsset = %v", got)
	}
	d = e.ok("tech", `mutation($id: ID!) { updateAsset(input: {id: $id, warrantyExpires: null, online: true, notes: "moved"}) { asset { warrantyExpires online notes name } } }`, map[string]any{"id": srv})
	if got := get(d, "updateAsset.asset"); get(got, "warrantyExpires") != nil || get(got, "online") != true || str(got, "name") != "INI-SRV" {
		t.Errorf("updateAsset = %v", got)
	}
	d = e.ok("tech", `mutation($id: ID!, $ct: ID!) { assignAsset(input: {assetId: $id, contactIds: [$ct]}) { asset { assignedContacts { name } } } }`,
		map[string]any{"id": srv, "ct": pat})
	if got := names(d, "assignAsset.asset.assignedContacts"); !slices.Equal(got, []string{"Pat Lee"}) {
		t.Errorf("assignAsset = %v", got)
	}
	e.mustFail("tech", `mutation($id: ID!) { assignAsset(input: {assetId: $id, contactIds: ["nonsense"]}) { asset { id } } }`, map[string]any{"id": srv}, "BAD_USER_INPUT", "contactIds")
	e.ok("tech", `mutation($id: ID!) { archiveAsset(input: {id: $id}) { asset { archivedAt } } }`, map[string]any{"id": srv})
	e.ok("tech", `mutation($id: ID!) { restoreAsset(input: {id: $id}) { asset { archivedAt } } }`, map[string]any{"id": srv})

	// Network equipment, links and subnets.
	e.mustFail("tech", `mutation($c: ID!) { createNetworkEquipment(input: {companyId: $c, name: "X", ipAddress: "300.1.1.1", macAddress: "zz"}) { networkEquipment { id } } }`,
		map[string]any{"c": initech}, "BAD_USER_INPUT", "ipAddress", "macAddress")
	newDevice := func(name, ip string) string {
		d := e.ok("tech", `mutation($c: ID!, $n: String!, $ip: String) { createNetworkEquipment(input: {companyId: $c, name: $n, type: SWITCH, ipAddress: $ip}) {
			networkEquipment { id name ipAddress type } } }`, map[string]any{"c": initech, "n": name, "ip": ip})
		return str(d, "createNetworkEquipment.networkEquipment.id")
	}
	sw1, sw2 := newDevice("INI-SW1", "10.50.0.2"), newDevice("INI-SW2", "10.50.0.3")
	d = e.ok("tech", `mutation($id: ID!) { updateNetworkEquipment(input: {id: $id, model: "CBS350", lastSeen: "2025-03-01T10:00:00Z"}) { networkEquipment { model lastSeen } } }`, map[string]any{"id": sw1})
	if got := str(d, "updateNetworkEquipment.networkEquipment.lastSeen"); got != "2025-03-01T10:00:00Z" {
		t.Errorf("updateNetworkEquipment.lastSeen = %q", got)
	}
	e.mustFail("tech", `mutation($a: ID!, $b: ID!) { connectDevices(input: {aId: $a, bId: $b}) { networkLink { id } } }`,
		map[string]any{"a": sw1, "b": id("NetworkEquipment", fx.globexFW)}, "BAD_USER_INPUT")
	e.mustFail("tech", `mutation($a: ID!) { connectDevices(input: {aId: $a, bId: $a}) { networkLink { id } } }`, map[string]any{"a": sw1}, "BAD_USER_INPUT")
	d = e.ok("tech", `mutation($a: ID!, $b: ID!) { connectDevices(input: {aId: $a, aPort: "1", bId: $b, bPort: "2", kind: FIBER, speed: 10000}) {
		networkLink { id kind speed a { name } b { name } company { name } } } }`, map[string]any{"a": sw2, "b": sw1})
	link := get(d, "connectDevices.networkLink")
	if str(link, "kind") != "FIBER" || str(link, "a.name") != "INI-SW1" || str(link, "company.name") != "Initech" {
		t.Errorf("connectDevices = %v (ends are stored smaller id first)", link)
	}
	d = e.ok("tech", `mutation($id: ID!) { disconnectDevices(input: {id: $id}) { deletedLinkId } }`, map[string]any{"id": str(link, "id")})
	if got := str(d, "disconnectDevices.deletedLinkId"); got != str(link, "id") {
		t.Errorf("disconnectDevices.deletedLinkId = %q", got)
	}
	e.ok("tech", `mutation($id: ID!) { archiveNetworkEquipment(input: {id: $id}) { networkEquipment { archivedAt } } }`, map[string]any{"id": sw2})
	e.ok("tech", `mutation($id: ID!) { restoreNetworkEquipment(input: {id: $id}) { networkEquipment { archivedAt } } }`, map[string]any{"id": sw2})
	e.mustFail("tech", `mutation($c: ID!) { createSubnet(input: {companyId: $c, cidr: "10.50.0.0/33", vlan: 5000}) { subnet { id } } }`,
		map[string]any{"c": initech}, "BAD_USER_INPUT", "cidr", "vlan")
	e.mustFail("tech", `mutation($c: ID!) { createSubnet(input: {companyId: $c, cidr: "10.50.0.0/24", gateway: "10.60.0.1"}) { subnet { id } } }`,
		map[string]any{"c": initech}, "BAD_USER_INPUT", "gateway")
	d = e.ok("tech", `mutation($c: ID!) { createSubnet(input: {companyId: $c, cidr: "10.50.0.7/24", vlan: 50}) { subnet { id cidr vlan devices { name } } } }`, map[string]any{"c": initech})
	sn := get(d, "createSubnet.subnet")
	if str(sn, "cidr") != "10.50.0.0/24" || fmt.Sprint(names(sn, "devices")) != "[INI-SW1 INI-SW2]" {
		t.Errorf("createSubnet = %v", sn)
	}
	d = e.ok("tech", `mutation($id: ID!) { updateSubnet(input: {id: $id, vlan: null, description: "Servers"}) { subnet { vlan description } } }`, map[string]any{"id": str(sn, "id")})
	if get(d, "updateSubnet.subnet.vlan") != nil || str(d, "updateSubnet.subnet.description") != "Servers" {
		t.Errorf("updateSubnet = %v", get(d, "updateSubnet.subnet"))
	}
	e.mustFail("tech", `mutation($id: ID!) { updateSubnet(input: {id: $id, cidr: "nope"}) { subnet { id } } }`, map[string]any{"id": str(sn, "id")}, "BAD_USER_INPUT", "cidr")
	e.ok("tech", `mutation($id: ID!) { archiveSubnet(input: {id: $id}) { subnet { archivedAt } } }`, map[string]any{"id": str(sn, "id")})

	// Preferences.
	d = e.ok("tech", `mutation { updateMyPreferences(input: {theme: DARK, colorTheme: "teal", notifications: [{key: "alerts", enabled: true}]}) {
		agent { email preferences { theme colorTheme notifications { key enabled } } } } }`, nil)
	if got := get(d, "updateMyPreferences.agent.preferences"); str(got, "theme") != "DARK" || str(got, "colorTheme") != "teal" || len(list(got, "notifications")) != 1 {
		t.Errorf("updateMyPreferences = %v", got)
	}
	e.mustFail("tech", `mutation { updateMyPreferences(input: {colorTheme: "plaid"}) { agent { id } } }`, nil, "BAD_USER_INPUT", "colorTheme")

	// Every write above is in the audit log with the technician as its actor.
	d = e.ok("admin", `{ auditLog(first: 1, filter: {actor: "tom@msp.example", entity: "company", action: "move"}) { totalCount nodes { entityId } } }`, nil)
	if n := num(d, "auditLog.totalCount"); n != 2 {
		t.Errorf("audited moves by the technician = %d; want 2", n)
	}
	if got := str(d, "auditLog.nodes.0.entityId"); got != initech {
		t.Errorf("audit entityId = %q; want %q", got, initech)
	}
}
