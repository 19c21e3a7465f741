package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestOpenAPICoversRoutes checks that the document and the router agree: every chi route
// is described, and every described operation is routed (the public theme by the server).
func TestOpenAPICoversRoutes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		api := rest.New(policy.New(db.Services()), rest.Options{})
		doc := api.Document()
		paths := doc["paths"].(map[string]any)
		routed := map[string]bool{}
		err := chi.Walk(api.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			routed[method+" "+route] = true
			item, ok := paths[route].(map[string]any)
			if !ok {
				t.Errorf("route %s %s is not in the OpenAPI document", method, route)
				return nil
			}
			if _, ok := item[strings.ToLower(method)]; !ok {
				t.Errorf("route %s %s has no operation in the OpenAPI document", method, route)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for pattern := range api.Public() {
			routed["GET "+pattern] = true
		}
		for path, item := range paths {
			for method := range item.(map[string]any) {
				key := strings.ToUpper(method) + " " + path
				if !routed[key] {
					t.Errorf("the OpenAPI document describes %s, which is not routed", key)
				}
			}
		}
		if len(routed) < 40 {
			t.Errorf("only %d routes; want the whole table", len(routed))
		}

		// The document is served, and its schemas come from the Go types.
		f := newFixture(t, db)
		served := decode[map[string]any](t, f.expect(req{as: "admin", path: "/api/openapi.json"}, http.StatusOK))
		if served["openapi"] != "3.0.3" {
			t.Errorf("openapi = %v; want 3.0.3", served["openapi"])
		}
		schemas := served["components"].(map[string]any)["schemas"].(map[string]any)
		for name, props := range map[string][]string{
			"Contact":          {"id", "company_id", "name", "email", "phone", "is_primary"},
			"Company":          {"id", "name", "account_number", "parent_id", "billing_contact_id", "address"},
			"Asset":            {"id", "company_id", "name", "type", "serial_number", "warranty_expires"},
			"NetworkEquipment": {"id", "company_id", "name", "type", "ip_address", "model"},
			"Ticket":           {"id", "subject", "status"},
			"Problem":          {"type", "title", "status", "detail", "errors", "request_id"},
			"ThemeInfo":        {"theme", "color_theme", "source", "email"},
			"HomePageInfo":     {"home_page", "source", "email"},
		} {
			s, ok := schemas[name].(map[string]any)
			if !ok {
				t.Errorf("no schema %s", name)
				continue
			}
			for _, p := range props {
				if _, ok := s["properties"].(map[string]any)[p]; !ok {
					t.Errorf("schema %s has no property %s", name, p)
				}
			}
		}
		assetsGet := served["paths"].(map[string]any)["/assets"].(map[string]any)["get"].(map[string]any)
		var params []string
		for _, p := range assetsGet["parameters"].([]any) {
			params = append(params, p.(map[string]any)["name"].(string))
		}
		for _, want := range []string{"company_id", "type", "warranty_expires_before", "ip_in", "limit", "offset", "after", "format"} {
			if !strings.Contains(","+strings.Join(params, ",")+",", ","+want+",") {
				t.Errorf("GET /assets parameters %v lack %s", params, want)
			}
		}
	})
}
