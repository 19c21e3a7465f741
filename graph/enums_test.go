package graph_test

import (
	"testing"

	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestClosedSetsAndLookups checks the schema's enums for codex's closed sets, the typed
// holder of an address, and the contact, asset and ticket lookups by id.
func TestClosedSetsAndLookups(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		fx := e.fx

		d := e.ok("admin", `query($c: ID!, $a: ID!, $t: ID!, $none: ID!) {
			contact(id: $c) { name }
			asset(id: $a) { name }
			ticket(id: $t) { subject source type }
			missing: asset(id: $none) { name }
		}`, map[string]any{"c": gid("Contact", fx.carol), "a": gid("Asset", fx.eastServer), "t": gid("Ticket", fx.eastTicket),
			"none": gid("Asset", 999999)})
		if str(d, "contact.name") == "" || str(d, "asset.name") != "EAST-SRV" || str(d, "ticket.source") != "FRESHSERVICE" ||
			str(d, "ticket.type") != "Incident" || d["missing"] != nil {
			t.Errorf("lookups = %v; want Carol, EAST-SRV, a FRESHSERVICE Incident and null for a missing asset", d)
		}
		// An id of another type is invalid input, not a silent null.
		e.mustFail("admin", `query($id: ID!) { ticket(id: $id) { subject } }`, map[string]any{"id": gid("Asset", fx.eastServer)}, "BAD_USER_INPUT", "id")
		// Out of reach reads as missing: Globex's PC is not the East client's.
		d = e.ok("client", `query($a: ID!) { asset(id: $a) { name } }`, map[string]any{"a": gid("Asset", fx.globexPC)})
		if d["asset"] != nil {
			t.Errorf("client's asset(Globex's PC) = %v; want null", d["asset"])
		}

		d = e.ok("admin", `{ networkEquipment(filter: {status: [UNKNOWN]}) { nodes { name status } } }`, nil)
		for _, n := range list(d, "networkEquipment.nodes") {
			if str(n, "status") != "UNKNOWN" {
				t.Errorf("%s: status %q; want the enum value UNKNOWN", str(n, "name"), str(n, "status"))
			}
		}
		if len(list(d, "networkEquipment.nodes")) == 0 {
			t.Errorf("no device with status UNKNOWN")
		}

		d = e.ok("admin", `{ inside(cidr: "10.1.0.0/28") { ip holder { __typename ... on Asset { serialNumber } ... on NetworkEquipment { model } } } }`, nil)
		types := map[string]bool{}
		for _, u := range list(d, "inside") {
			types[str(u, "holder.__typename")] = true
		}
		if !types["Asset"] || !types["NetworkEquipment"] {
			t.Errorf("inside holders' types = %v; want Asset and NetworkEquipment", types)
		}

		// The schema says what is an enum and what may be null.
		d = e.ok("admin", `{
			run: __type(name: "SyncRun") { fields { name type { kind name ofType { name } } } }
			start: __type(name: "Mutation") { fields { name args { name type { ofType { name kind } } } } }
		}`, nil)
		fields := map[string]any{}
		for _, f := range list(d, "run.fields") {
			fields[str(f, "name")] = f
		}
		for name, want := range map[string]string{"source": "NON_NULL:Integration", "status": "NON_NULL:SyncRunStatus", "error": "SCALAR:String"} {
			f := fields[name]
			got := str(f, "type.kind") + ":" + str(f, "type.name")
			if str(f, "type.kind") == "NON_NULL" {
				got = "NON_NULL:" + str(f, "type.ofType.name")
			}
			if got != want {
				t.Errorf("SyncRun.%s is %s; want %s", name, got, want)
			}
		}
		for _, f := range list(d, "start.fields") {
			if str(f, "name") == "startSync" && str(list(f, "args")[0], "type.ofType.name") != "Integration" {
				t.Errorf("startSync(source:) is not an Integration: %v", f)
			}
		}
	})
}
