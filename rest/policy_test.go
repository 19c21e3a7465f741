package rest_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestPolicyThroughREST checks that REST, JSON and CSV alike, obeys the policy layer.
func TestPolicyThroughREST(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		globex := fmt.Sprintf("/api/companies/%d", f.globex.ID)

		// A client user sees its company subtree and nothing else: other ids are not found,
		// lists and totals hold only the subtree.
		resp := f.do(req{as: "client", path: "/api/companies"})
		if got := resp.Header.Get("X-Total-Count"); got != "2" {
			t.Errorf("client: X-Total-Count = %s; want 2", got)
		}
		if got := names(t, f.expect(req{as: "client", path: "/api/companies"}, http.StatusOK)); got != "Acme Corp,Acme East" {
			t.Errorf("client: companies = %s; want Acme Corp,Acme East", got)
		}
		if got := names(t, f.expect(req{as: "client", path: "/api/assets?type=server"}, http.StatusOK)); got != "acme-dc1" {
			t.Errorf("client: servers = %s; want acme-dc1", got)
		}
		for _, path := range []string{globex, globex + "/assets", globex + "/contacts",
			fmt.Sprintf("/api/assets/%d", f.gsrv.ID), "/api/network/inside?cidr=10.0.0.0/8&company_id=" + fmt.Sprint(f.globex.ID)} {
			f.problem(req{as: "client", path: path}, http.StatusNotFound, "")
		}
		resp = f.do(req{as: "client", path: "/api/assets?format=csv"})
		records, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(records) != 4 {
			t.Errorf("client: assets.csv = %d records, %v; want a header and Acme's 3 assets", len(records), err)
		}
		for _, rec := range records[1:] {
			if rec[slices.Index(records[0], "company_id")] != "123" {
				t.Errorf("client: assets.csv has a row of another company: %v", rec)
			}
		}
		f.problem(req{as: "client", method: http.MethodPatch, path: "/api/companies/123", body: `{"phone":"555-0199"}`}, http.StatusForbidden, "")

		// Secret fields: only admins see the licence key, in JSON and in CSV.
		license := fmt.Sprintf("/api/assets/%d", f.license.ID)
		key := func(as string) string {
			return fmt.Sprint(decode[map[string]any](t, f.expect(req{as: as, path: license}, http.StatusOK))["license_key"])
		}
		if got := key("admin"); got != "SECRET-KEY-1" {
			t.Errorf("admin: license_key = %q; want SECRET-KEY-1", got)
		}
		for _, as := range []string{"technician", "billing", "client", "service"} {
			if got := key(as); got != "" && got != "<nil>" {
				t.Errorf("%s: license_key = %q; want it hidden", as, got)
			}
		}
		resp = f.do(req{as: "technician", path: "/api/assets?format=csv&type=license"})
		records, _ = csv.NewReader(resp.Body).ReadAll()
		if col := slices.Index(records[0], "license_key"); len(records) != 2 || records[1][col] != "" {
			t.Errorf("technician: license CSV = %v; want the key column empty", records)
		}
		// A technician may change a licence without knowing its key, which survives.
		f.expect(req{as: "technician", method: http.MethodPatch, path: license, body: `{"seats_used":5}`}, http.StatusOK)
		tech := f.expect(req{as: "technician", path: license}, http.StatusOK)
		f.expect(req{as: "technician", method: http.MethodPut, path: license, body: string(tech)}, http.StatusOK)
		if got := key("admin"); got != "SECRET-KEY-1" {
			t.Errorf("after a technician's PATCH and PUT: license_key = %q; want SECRET-KEY-1 kept", got)
		}

		// Billing may change billing fields only.
		p := f.problem(req{as: "billing", method: http.MethodPatch, path: "/api/companies/123", body: `{"name":"Acme Renamed"}`}, http.StatusForbidden, "")
		if p.Detail == "" {
			t.Errorf("billing rename: problem has no detail")
		}
		got := decode[map[string]any](t, f.expect(req{as: "billing", method: http.MethodPatch, path: "/api/companies/123",
			body: `{"billing_plan":"platinum","contract_end":"2027-12-31"}`}, http.StatusOK))
		if got["billing_plan"] != "platinum" || got["name"] != "Acme Corp" {
			t.Errorf("billing PATCH = %v; want billing_plan platinum and the name unchanged", got)
		}
		// Sending back an unchanged name is not a change of it.
		f.expect(req{as: "billing", method: http.MethodPatch, path: "/api/companies/123",
			body: `{"name":"Acme Corp","billing_plan":"gold"}`}, http.StatusOK)
		f.problem(req{as: "billing", method: http.MethodPost, path: "/api/assets", body: `{"company_id":123,"name":"x"}`}, http.StatusForbidden, "")

		// A read-only service reads but may not write.
		f.expect(req{as: "service", path: "/api/companies"}, http.StatusOK)
		f.problem(req{as: "service", method: http.MethodDelete, path: license}, http.StatusForbidden, "")

		// A redacting service gets Acme's (HIPAA) contacts redacted, in JSON and CSV.
		jane := decode[map[string]any](t, f.expect(req{as: "redacted", path: fmt.Sprintf("/api/contacts/%d", f.jane.ID)}, http.StatusOK))
		if jane["name"] == "Jane Doe" || jane["email"] == "jane@acme.example" || jane["phone"] == "555-0100" {
			t.Errorf("redacted service: Jane = %v; want her name, e-mail and phone redacted", jane)
		}
		compareCSV(t, f, "redacted", "/api/contacts?company_id=123", false)
	})
}
