package rest_test

import (
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestDocumentedCalls runs the five calls the product documents, verbatim (company 123 is
// Acme), and checks the documented JSON names.
func TestDocumentedCalls(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		// curl -H "Authorization: Bearer $TOKEN" http://localhost:5010/api/companies
		companies := decode[[]map[string]any](t, f.expect(req{as: "admin", path: "/api/companies"}, http.StatusOK))
		if len(companies) != 3 {
			t.Fatalf("GET /api/companies = %d companies; want 3", len(companies))
		}
		for _, c := range companies {
			for _, k := range []string{"id", "name", "account_number", "parent_id", "billing_contact_id"} {
				if _, ok := c[k]; !ok {
					t.Errorf("company %v has no %q", c["name"], k)
				}
			}
		}

		// curl ... http://localhost:5010/api/companies/123
		c := decode[map[string]any](t, f.expect(req{as: "admin", path: "/api/companies/123"}, http.StatusOK))
		if c["id"] != 123.0 || c["name"] != "Acme Corp" || c["account_number"] != "A-100" || c["parent_id"] != nil {
			t.Errorf("GET /api/companies/123 = %v; want Acme Corp, A-100, no parent", c)
		}

		// curl -X POST ... -d '{"company_id": 123, "name": "John Doe", ...}' http://localhost:5010/api/contacts
		resp := f.do(req{as: "admin", method: http.MethodPost, path: "/api/contacts",
			body: `{"company_id": 123, "name": "John Doe", "email": "john@example.com", "phone": "555-1234", "is_primary": true}`})
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /api/contacts = %d %s; want 201", resp.StatusCode, b)
		}
		john := decode[map[string]any](t, b)
		want := map[string]any{"company_id": 123.0, "name": "John Doe", "first_name": "John", "last_name": "Doe",
			"email": "john@example.com", "phone": "555-1234", "is_primary": true, "designation": "primary", "active": true}
		for k, v := range want {
			if john[k] != v {
				t.Errorf("POST /api/contacts: %s = %v; want %v", k, john[k], v)
			}
		}
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/api/contacts/") {
			t.Fatalf("POST /api/contacts: Location = %q", loc)
		}
		again := decode[map[string]any](t, f.expect(req{as: "admin", path: loc}, http.StatusOK))
		for k, v := range want {
			if again[k] != v {
				t.Errorf("GET %s: %s = %v; want %v", loc, k, again[k], v)
			}
		}

		// curl ... "http://localhost:5010/api/assets?company_id=123&type=server"
		assets := decode[[]map[string]any](t, f.expect(req{as: "admin", path: "/api/assets?company_id=123&type=server"}, http.StatusOK))
		if len(assets) != 1 || assets[0]["name"] != "acme-dc1" || assets[0]["type"] != "server" ||
			assets[0]["serial_number"] != "SN-1" || assets[0]["warranty_expires"] != "2025-01-31" || assets[0]["company_id"] != 123.0 {
			t.Errorf("GET /api/assets?company_id=123&type=server = %v; want only acme-dc1", assets)
		}

		// curl ... "http://localhost:5010/api/companies?format=csv" > companies.csv
		resp = f.do(req{as: "admin", path: "/api/companies?format=csv"})
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET /api/companies?format=csv = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 {
			t.Fatalf("companies.csv has %d rows; want a header and 3 companies", len(rows))
		}
		for _, col := range []string{"id", "name", "account_number", "parent_id", "billing_contact_id", "address_city"} {
			if !slices.Contains(rows[0], col) {
				t.Errorf("companies.csv header %v has no %q", rows[0], col)
			}
		}
	})
}

// TestDocumentedShapes checks the documented names of the asset and network equipment JSON.
func TestDocumentedShapes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for path, names := range map[string][]string{
			"/api/assets":            {"id", "company_id", "name", "type", "serial_number", "warranty_expires"},
			"/api/network_equipment": {"id", "company_id", "name", "type", "ip_address", "model"},
			"/api/contacts":          {"id", "company_id", "name", "email", "phone", "is_primary"},
		} {
			rows := decode[[]map[string]any](t, f.expect(req{as: "admin", path: path}, http.StatusOK))
			if len(rows) == 0 {
				t.Fatalf("GET %s is empty", path)
			}
			for _, n := range names {
				if _, ok := rows[0][n]; !ok {
					t.Errorf("GET %s: row has no %q: %v", path, n, rows[0])
				}
			}
		}
	})
}
