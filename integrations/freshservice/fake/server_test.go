package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

// get sends an authenticated (or not) GET and decodes the JSON answer.
func get(t *testing.T, url, user, pass string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: body is not a JSON object: %v", url, err)
	}
	return resp, body
}

func TestWire(t *testing.T) {
	f := fake.New()
	t.Cleanup(f.Close)
	for i := range 5 {
		f.AddDepartment(fake.Department{Name: fmt.Sprint("D", i)})
	}
	f.AddAsset(fake.Asset{Name: "PC", SerialNumber: "SN1", Hostname: "pc"})
	f.AddTicket(fake.Ticket{Subject: "T"})
	base := f.BaseURL()

	tests := []struct {
		name, path, user, pass string
		wantStatus             int
		wantLink               string // "" for none
		check                  func(map[string]any) string
	}{
		{"no auth", "/departments", "", "", 401, "", nil},
		{"wrong password", "/departments", fake.APIKey, "Y", 401, "", nil},
		{"per_page over 100", "/departments?per_page=101", fake.APIKey, "X", 400, "", func(b map[string]any) string {
			errs, _ := b["errors"].([]any)
			if b["description"] != "Validation failed" || len(errs) != 1 || errs[0].(map[string]any)["field"] != "per_page" {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"middle page", "/departments?page=2&per_page=2", fake.APIKey, "X", 200, base + "/departments?page=3&per_page=2", func(b map[string]any) string {
			if d, _ := b["departments"].([]any); len(d) != 2 || d[0].(map[string]any)["name"] != "D2" {
				return fmt.Sprint(b)
			}
			return ""
		}},
		{"last page", "/departments?page=3&per_page=2", fake.APIKey, "X", 200, "", nil},
		{"include keeps its comma in Link", "/tickets?include=requester,stats&per_page=1&page=1", fake.APIKey, "X", 200, "", nil},
		{"type_fields suffixed", "/assets?include=type_fields", fake.APIKey, "X", 200, "", func(b map[string]any) string {
			a := b["assets"].([]any)[0].(map[string]any)
			tf, _ := a["type_fields"].(map[string]any)
			if tf["serial_number_21000855267"] != "SN1" || tf["hostname_21000855272"] != "pc" {
				return fmt.Sprint(a)
			}
			return ""
		}},
		{"no type_fields unless included", "/assets", fake.APIKey, "X", 200, "", func(b map[string]any) string {
			if _, ok := b["assets"].([]any)[0].(map[string]any)["type_fields"]; ok {
				return "type_fields present"
			}
			return ""
		}},
		{"single object wrapped", "/departments/21000100001", fake.APIKey, "X", 200, "", func(b map[string]any) string {
			if d, _ := b["department"].(map[string]any); d["created_at"] == nil || !strings.HasSuffix(d["created_at"].(string), "Z") {
				return fmt.Sprint(b)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, base+tt.path, tt.user, tt.pass)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("GET %s = %d; want %d", tt.path, resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Link"); tt.wantLink != "" && got != "<"+tt.wantLink+`>; rel="next"` {
				t.Errorf("Link = %q; want <%s>; rel=\"next\"", got, tt.wantLink)
			}
			if tt.check != nil {
				if bad := tt.check(body); bad != "" {
					t.Errorf("GET %s body = %s", tt.path, bad)
				}
			}
		})
	}
	// A ticket list of one per page announces page 2 with the include as sent.
	f.AddTicket(fake.Ticket{Subject: "T2"})
	resp, _ := get(t, base+"/tickets?include=requester,stats&per_page=1&page=1", fake.APIKey, "X")
	if got := resp.Header.Get("Link"); !strings.Contains(got, "include=requester,stats") || !strings.Contains(got, "page=2") {
		t.Errorf("tickets Link = %q; want page 2 with include=requester,stats", got)
	}
}
