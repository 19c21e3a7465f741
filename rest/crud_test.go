package rest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// step is one call of a round trip and what the answer must hold.
type step struct {
	method string
	path   string // relative to the item: "" is the item itself, "/restore" ...
	body   string
	status int
	want   map[string]any // members the answer must have, by JSON value
}

// roundTrip creates a row at collection, then runs the steps against it, checking that
// each answer holds what it should and that a GET afterwards agrees.
func roundTrip(t *testing.T, f *fixture, collection, create string, created map[string]any, steps []step) {
	t.Helper()
	row := decode[map[string]any](t, f.expect(req{as: "admin", method: http.MethodPost, path: collection, body: create}, http.StatusCreated))
	check := func(what string, got, want map[string]any) {
		t.Helper()
		for k, v := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				t.Errorf("%s: %s = %v; want %v", what, k, got[k], v)
			}
		}
	}
	check("POST "+collection, row, created)
	item := collection + "/" + strconv.FormatFloat(row["id"].(float64), 'f', 0, 64)
	for _, s := range steps {
		what := s.method + " " + item + s.path + " " + s.body
		var body any
		if s.body != "" {
			body = s.body
		}
		got := decode[map[string]any](t, f.expect(req{as: "admin", method: s.method, path: item + s.path, body: body}, s.status))
		check(what, got, s.want)
		check("GET after "+what, decode[map[string]any](t, f.expect(req{as: "admin", path: item}, http.StatusOK)), s.want)
	}
}

func TestCompanyRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		parent := fmt.Sprint(f.globex.ID)
		roundTrip(t, f, "/api/companies",
			`{"name":"Initech","account_number":"I-300","parent_id":`+parent+`,"address":{"city":"Austin"},"domains":["initech.example"]}`,
			map[string]any{"name": "Initech", "account_number": "I-300", "parent_id": parent, "kind": "client",
				"status": "active", "compliance_level": "standard", "archived_at": nil},
			[]step{
				// PATCH merges a nested object and leaves absent members alone.
				{http.MethodPatch, "", `{"billing_plan":"bronze","address":{"line1":"4120 Freidrich Ln"}}`, http.StatusOK,
					map[string]any{"billing_plan": "bronze", "account_number": "I-300", "parent_id": parent,
						"address": map[string]any{"line1": "4120 Freidrich Ln", "line2": "", "city": "Austin", "region": "", "postal_code": "", "country": ""}}},
				// null clears a nullable field.
				{http.MethodPatch, "", `{"account_number":null,"contract_start":"2025-01-01"}`, http.StatusOK,
					map[string]any{"account_number": nil, "contract_start": "2025-01-01", "billing_plan": "bronze"}},
				// PATCH moves the company under another parent.
				{http.MethodPatch, "", fmt.Sprintf(`{"parent_id":%d}`, acmeID), http.StatusOK,
					map[string]any{"parent_id": acmeID}},
				// PUT replaces: absent fields go back to their defaults, the parent to none.
				{http.MethodPut, "", `{"name":"Initech LLC","kind":"vendor"}`, http.StatusOK,
					map[string]any{"name": "Initech LLC", "kind": "vendor", "parent_id": nil, "billing_plan": "",
						"contract_start": nil, "domains": []any{},
						"address": map[string]any{"line1": "", "line2": "", "city": "", "region": "", "postal_code": "", "country": ""}}},
				{http.MethodDelete, "", "", http.StatusOK, map[string]any{"name": "Initech LLC"}},
				{http.MethodPost, "/restore", "", http.StatusOK, map[string]any{"archived_at": nil}},
			})
	})
}

func TestCompanyArchive(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		path := fmt.Sprintf("/api/companies/%d", f.globex.ID)
		got := decode[map[string]any](t, f.expect(req{as: "admin", method: http.MethodDelete, path: path}, http.StatusOK))
		if got["archived_at"] == nil {
			t.Errorf("DELETE %s: archived_at = nil; want a time", path)
		}
		names := func(q string) []string {
			var out []string
			for _, c := range decode[[]map[string]any](t, f.expect(req{as: "admin", path: "/api/companies" + q}, http.StatusOK)) {
				out = append(out, c["name"].(string))
			}
			return out
		}
		if got := fmt.Sprint(names("")); got != "[Acme Corp Acme East]" {
			t.Errorf("companies after archiving Globex = %s; want [Acme Corp Acme East]", got)
		}
		if got := fmt.Sprint(names("?include_archived=true")); got != "[Acme Corp Acme East Globex]" {
			t.Errorf("companies?include_archived=true = %s; want all three", got)
		}
		if got := fmt.Sprint(names("?only_archived=true")); got != "[Globex]" {
			t.Errorf("companies?only_archived=true = %s; want [Globex]", got)
		}
		f.expect(req{as: "admin", method: http.MethodPost, path: path + "/restore"}, http.StatusOK)
		if got := fmt.Sprint(names("")); got != "[Acme Corp Acme East Globex]" {
			t.Errorf("companies after restoring Globex = %s; want all three", got)
		}
	})
}

func TestContactRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		roundTrip(t, f, "/api/contacts",
			`{"company_id":123,"first_name":"Peter","last_name":"Gibbons","email":"peter@acme.example","roles":["technical"]}`,
			map[string]any{"name": "Peter Gibbons", "first_name": "Peter", "last_name": "Gibbons", "is_primary": false,
				"designation": "none", "active": true, "roles": []any{"technical"}},
			[]step{
				{http.MethodPatch, "", `{"name":"Pete Gibbons","phone":"+1 (555) 010-2000"}`, http.StatusOK,
					map[string]any{"name": "Pete Gibbons", "first_name": "Pete", "last_name": "Gibbons", "phone": "+1 (555) 010-2000",
						"email": "peter@acme.example"}},
				{http.MethodPatch, "", `{"is_primary":true}`, http.StatusOK,
					map[string]any{"is_primary": true, "designation": "primary"}},
				{http.MethodPatch, "", `{"is_primary":false}`, http.StatusOK,
					map[string]any{"is_primary": false, "designation": "none"}},
				{http.MethodPatch, "", `{"designation":"secondary","active":false}`, http.StatusOK,
					map[string]any{"designation": "secondary", "active": false}},
				{http.MethodPut, "", `{"company_id":123,"name":"Samir Nagheenanajar"}`, http.StatusOK,
					map[string]any{"name": "Samir Nagheenanajar", "first_name": "Samir", "last_name": "Nagheenanajar",
						"email": "", "phone": "", "designation": "none", "active": true, "roles": []any{}}},
				{http.MethodDelete, "", "", http.StatusOK, map[string]any{"name": "Samir Nagheenanajar"}},
				{http.MethodPost, "/restore", "", http.StatusOK, map[string]any{"archived_at": nil}},
			})
	})
}

func TestAssetRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		roundTrip(t, f, "/api/assets",
			`{"company_id":123,"name":"acme-ws9","type":"workstation","ip_addresses":["10.0.0.9"],"warranty_expires":"2026-01-01","custom_fields":{"desk":"4"}}`,
			map[string]any{"name": "acme-ws9", "type": "workstation", "status": "active", "ip_addresses": []any{"10.0.0.9"},
				"warranty_expires": "2026-01-01", "custom_fields": map[string]any{"desk": "4"}},
			[]step{
				{http.MethodPatch, "", `{"warranty_expires":null,"online":true,"serial_number":"SN-9"}`, http.StatusOK,
					map[string]any{"warranty_expires": nil, "online": true, "serial_number": "SN-9", "ip_addresses": []any{"10.0.0.9"}}},
				{http.MethodPatch, "", `{"ip_addresses":["10.0.0.10","10.0.0.11"],"status":"in_repair"}`, http.StatusOK,
					map[string]any{"ip_addresses": []any{"10.0.0.10", "10.0.0.11"}, "status": "in_repair"}},
				{http.MethodPut, "", `{"company_id":123,"name":"acme-ws9","type":"laptop"}`, http.StatusOK,
					map[string]any{"type": "laptop", "status": "active", "serial_number": "", "online": false, "ip_addresses": []any{}}},
				{http.MethodDelete, "", "", http.StatusOK, map[string]any{"name": "acme-ws9"}},
				{http.MethodPost, "/restore", "", http.StatusOK, map[string]any{"archived_at": nil}},
			})
	})
}

func TestEquipmentRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		roundTrip(t, f, "/api/network_equipment",
			`{"company_id":123,"name":"acme-sw1","type":"switch","ip_address":"10.0.0.2","model":"MS120"}`,
			map[string]any{"name": "acme-sw1", "type": "switch", "ip_address": "10.0.0.2", "model": "MS120", "status": "unknown"},
			[]step{
				{http.MethodPatch, "", `{"status":"online","mac_address":"00:11:22:33:44:55"}`, http.StatusOK,
					map[string]any{"status": "online", "mac_address": "00:11:22:33:44:55", "model": "MS120"}},
				{http.MethodPut, "", `{"company_id":123,"name":"acme-sw1","type":"access_point"}`, http.StatusOK,
					map[string]any{"type": "access_point", "ip_address": "", "model": "", "status": "unknown"}},
				{http.MethodDelete, "", "", http.StatusOK, map[string]any{"name": "acme-sw1"}},
				{http.MethodPost, "/restore", "", http.StatusOK, map[string]any{"archived_at": nil}},
			})
	})
}

func TestTicketsAndNestedReads(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.must(db.CreateLocation(f.sys, &codex.Location{CompanyID: acmeID, Name: "HQ"}))

		tk := decode[map[string]any](t, f.expect(req{as: "admin", path: fmt.Sprintf("/api/tickets/%d", f.ticket.ID)}, http.StatusOK))
		if tk["subject"] != "Printer jam" || tk["priority"] != "high" {
			t.Errorf("GET /api/tickets/%d = %v", f.ticket.ID, tk)
		}
		f.problem(req{as: "admin", method: http.MethodPost, path: "/api/tickets", body: `{}`}, http.StatusMethodNotAllowed, "")

		count := func(path string) int {
			return len(decode[[]any](t, f.expect(req{as: "admin", path: path}, http.StatusOK)))
		}
		for path, want := range map[string]int{
			"/api/tickets":                                        2,
			"/api/companies/123/children":                         1,
			"/api/companies/123/contacts":                         1,
			"/api/companies/123/assets":                           3,
			"/api/companies/123/assets?type=license":              1,
			"/api/companies/123/network_equipment":                1,
			"/api/companies/123/tickets":                          1,
			"/api/companies/123/locations":                        1,
			"/api/companies/123/subnets":                          1,
			"/api/companies/123/duplicate_ips":                    1, // acme-gw and acme-lt1 share 10.0.0.1
			"/api/subnets":                                        1,
			"/api/subnets?company_id=123":                         1,
			"/api/network/inside?cidr=10.0.0.0/24":                4, // acme-gw, acme-lt1, acme-dc1, globex-srv
			"/api/network/inside?cidr=10.0.0.0/24&company_id=123": 3,
		} {
			if got := count(path); got != want {
				t.Errorf("GET %s = %d rows; want %d", path, got, want)
			}
		}
		s := decode[map[string]string](t, f.expect(req{as: "admin", path: fmt.Sprintf("/api/companies/%d/effective_settings", f.acmeEast.ID)}, http.StatusOK))
		if s["tz"] != "America/Chicago" {
			t.Errorf("effective settings of Acme East = %v; want Acme's tz inherited", s)
		}
		f.problem(req{as: "admin", path: "/api/companies/999999/assets"}, http.StatusNotFound, "")
		f.problem(req{as: "admin", path: "/api/companies/123/assets?company_id=1"}, http.StatusBadRequest, "company_id")
	})
}
