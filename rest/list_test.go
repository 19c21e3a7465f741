package rest_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func names(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	for _, row := range decode[[]map[string]any](t, b) {
		out = append(out, row["name"].(string))
	}
	return strings.Join(out, ",")
}

func TestFilters(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, tc := range []struct{ path, want string }{
			{"/api/companies", "Acme Corp,Acme East,Globex"},
			{"/api/companies?parent_id=123", "Acme East"},
			{"/api/companies?roots_only=true", "Acme Corp,Globex"},
			{"/api/companies?subtree_of=123", "Acme Corp,Acme East"},
			{"/api/companies?compliance_level=hipaa", "Acme Corp"},
			{"/api/companies?search=globex", "Globex"},
			{"/api/companies?account_number=A-101", "Acme East"},
			{"/api/companies?status=active&kind=client", "Acme Corp,Acme East,Globex"},
			{"/api/companies?kind=vendor", ""},
			{"/api/companies?order_by=-name", "Globex,Acme East,Acme Corp"},
			{"/api/assets?type=server", "acme-dc1,globex-srv"},
			{"/api/assets?type=server,laptop&company_id=123", "acme-dc1,acme-lt1"},
			{"/api/assets?type=server&type=license", "Office 365,acme-dc1,globex-srv"}, // byte order: upper case first
			{"/api/assets?warranty_expires_before=2026-01-01", "acme-dc1"},
			{"/api/assets?online=true", "acme-dc1"},
			{"/api/assets?ip_in=10.0.0.4/31", "acme-dc1,globex-srv"},
			{"/api/assets?subtree_of=123&order_by=-name", "acme-lt1,acme-dc1,Office 365"},
			{"/api/assets?serial_number=SN-2", "acme-lt1"},
			{"/api/contacts?company_id=123", "Jane Doe"},
			{"/api/contacts?designation=primary", "Jane Doe"},
			{"/api/contacts?search=scorpio", "Hank Scorpio"},
			{"/api/network_equipment?type=router&ip_in=10.0.0.0/24", "acme-gw"},
			{"/api/network_equipment?type=switch", ""},
		} {
			if got := names(t, f.expect(req{as: "admin", path: tc.path}, http.StatusOK)); got != tc.want {
				t.Errorf("GET %s = [%s]; want [%s]", tc.path, got, tc.want)
			}
		}
		for _, tc := range []struct{ path, want string }{
			{"/api/tickets?priority=high", "Printer jam"},
			{"/api/tickets?status=closed", "VPN down"},
			{"/api/tickets?open_only=true", "Printer jam"},
			{"/api/tickets?company_id=123&updated_since=2000-01-01T00:00:00Z", "Printer jam"},
		} {
			var got []string
			for _, row := range decode[[]map[string]any](t, f.expect(req{as: "admin", path: tc.path}, http.StatusOK)) {
				got = append(got, row["subject"].(string))
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("GET %s = %v; want [%s]", tc.path, got, tc.want)
			}
		}
	})
}

var linkRE = regexp.MustCompile(`<([^>]*)>; rel="(next|prev)"`)

// links parses a Link header into rel -> URL.
func links(h string) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(h, -1) {
		out[m[2]] = m[1]
	}
	return out
}

func TestPaging(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		all := names(t, f.expect(req{as: "admin", path: "/api/assets"}, http.StatusOK))

		// Follow rel="next" from the first page (cursor links) and from an offset page.
		for _, start := range []string{"/api/assets?limit=1", "/api/assets?limit=1&offset=0"} {
			var got []string
			next, pages := start, 0
			for next != "" && pages < 10 {
				resp := f.do(req{as: "admin", path: next})
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d %s", next, resp.StatusCode, b)
				}
				if n := resp.Header.Get("X-Total-Count"); n != "4" {
					t.Errorf("GET %s: X-Total-Count = %q; want 4", next, n)
				}
				if s := names(t, b); s != "" {
					got = append(got, s)
				}
				next = links(resp.Header.Get("Link"))["next"]
				pages++
			}
			if strings.Join(got, ",") != all {
				t.Errorf("pages from %s = %v; want %s", start, got, all)
			}
		}

		// Offset pages link back and forth by offset, keeping the filters.
		resp := f.do(req{as: "admin", path: "/api/assets?company_id=123&limit=1&offset=1"})
		l := links(resp.Header.Get("Link"))
		if !strings.Contains(l["next"], "offset=2") || !strings.Contains(l["prev"], "offset=0") ||
			!strings.Contains(l["next"], "company_id=123") || !strings.Contains(l["next"], "limit=1") {
			t.Errorf("Link = %q; want next offset=2 and prev offset=0 with company_id=123 and limit=1", resp.Header.Get("Link"))
		}
		// A cursor page links back with before=.
		first := f.do(req{as: "admin", path: "/api/assets?limit=2"})
		second := f.do(req{as: "admin", path: links(first.Header.Get("Link"))["next"]})
		back := links(second.Header.Get("Link"))["prev"]
		if !strings.Contains(back, "before=") {
			t.Fatalf("second cursor page: Link = %q; want a prev with before=", second.Header.Get("Link"))
		}
		b, _ := io.ReadAll(first.Body)
		if got, want := names(t, f.expect(req{as: "admin", path: back}, http.StatusOK)), names(t, b); got != want {
			t.Errorf("prev of the second page = %s; want the first page %s", got, want)
		}

		// The default page is 1,000 rows; 10,000 is the maximum.
		f.expect(req{as: "admin", path: "/api/companies?limit=10000"}, http.StatusOK)
		for _, q := range []string{"limit=10001", "limit=-1", "limit=ten", "limit=1&limit=2"} {
			f.problem(req{as: "admin", path: "/api/companies?" + q}, http.StatusBadRequest, "limit")
		}
		f.problem(req{as: "admin", path: "/api/companies?offset=-1"}, http.StatusBadRequest, "offset")
		f.problem(req{as: "admin", path: "/api/companies?after=garbage"}, http.StatusBadRequest, "")
	})
}

func TestBadQueries(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, tc := range []struct{ path, param string }{
			{"/api/companies?colour=red", "colour"},
			{"/api/companies?company_id=123", "company_id"}, // companies filter by parent_id / subtree_of
			{"/api/companies/123?limit=5", "limit"},
			{"/api/assets?company_id=abc", "company_id"},
			{"/api/assets?company_id=0", "company_id"},
			{"/api/assets?type=spaceship", "type"},
			{"/api/assets?warranty_expires_before=2025-13-01", "warranty_expires_before"},
			{"/api/assets?ip_in=10.0.0.300/24", "ip_in"},
			{"/api/assets?online=maybe", "online"},
			{"/api/assets?order_by=colour", "order_by"},
			{"/api/tickets?updated_since=yesterday", "updated_since"},
			{"/api/contacts?designation=boss", "designation"},
			{"/api/companies?format=xml", "format"},
			{"/api/network/inside", "cidr"},
			{"/api/network/inside?cidr=nope", "cidr"},
		} {
			f.problem(req{as: "admin", path: tc.path}, http.StatusBadRequest, tc.param)
		}
		// The parameters every list shares are not unknown.
		f.expect(req{as: "admin", path: "/api/assets?format=json&limit=5&offset=0&redact=false"}, http.StatusOK)
	})
}

// csvValue renders a JSON value as the CSV export must: strings bare, null empty, lists
// joined with ';', objects as JSON.
func csvValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = csvValue(e)
		}
		return strings.Join(parts, ";")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// flatten turns a JSON row into the CSV columns: nested objects whose members are
// columns (address_city) are spread, other objects (maps) stay whole.
func flatten(row map[string]any, header []string) map[string]string {
	out := map[string]string{}
	for k, v := range row {
		if m, ok := v.(map[string]any); ok && slices.ContainsFunc(header, func(h string) bool { return strings.HasPrefix(h, k+"_") }) &&
			!slices.Contains(header, k) {
			for mk, mv := range m {
				out[k+"_"+mk] = csvValue(mv)
			}
			continue
		}
		out[k] = csvValue(v)
	}
	return out
}

// sameCell compares a CSV cell with the value expected from the JSON: equal text, or the
// same JSON objects (whose member order may differ), alone or in a ';' list.
func sameCell(a, b string) bool {
	if a == b || sameJSON(a, b) {
		return true
	}
	as, bs := strings.Split(a, "};{"), strings.Split(b, "};{")
	if len(as) < 2 || len(as) != len(bs) {
		return false
	}
	for i := range as {
		x, y := as[i], bs[i]
		if i > 0 {
			x, y = "{"+x, "{"+y
		}
		if i < len(as)-1 {
			x, y = x+"}", y+"}"
		}
		if !sameJSON(x, y) {
			return false
		}
	}
	return true
}

// sameJSON compares two cells holding JSON objects by value.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// compareCSV checks that the CSV export of a list holds the same rows, columns and values
// as its JSON.
func compareCSV(t *testing.T, f *fixture, as, path string, viaAccept bool) {
	t.Helper()
	jsonRows := decode[[]map[string]any](t, f.expect(req{as: as, path: path}, http.StatusOK))
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	r := req{as: as, path: path + sep + "format=csv"}
	if viaAccept {
		r = req{as: as, path: path, header: []string{"Accept", "text/csv"}}
	}
	resp := f.do(r)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s as CSV = %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("GET %s as CSV: %v", path, err)
	}
	header, rows := records[0], records[1:]
	if len(rows) != len(jsonRows) {
		t.Fatalf("GET %s: CSV has %d rows, JSON %d", path, len(rows), len(jsonRows))
	}
	for i, rec := range rows {
		want := flatten(jsonRows[i], header)
		if len(want) != len(header) {
			t.Errorf("GET %s: CSV columns %v; JSON members %v", path, header, jsonRows[i])
		}
		for j, col := range header {
			w, ok := want[col]
			if !ok {
				t.Errorf("GET %s: CSV column %q is not in the JSON", path, col)
				continue
			}
			if !sameCell(rec[j], w) {
				t.Errorf("GET %s row %d: CSV %s = %q; JSON has %q", path, i, col, rec[j], w)
			}
		}
	}
}

func TestCSVMatchesJSON(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, path := range []string{
			"/api/companies?order_by=name",
			"/api/contacts?order_by=name",
			"/api/assets?order_by=name",
			"/api/assets?type=server&company_id=123",
			"/api/network_equipment?order_by=name",
			"/api/tickets?order_by=id",
			"/api/companies/123/children?order_by=name",
			"/api/companies/123/subnets",
			"/api/companies/123/duplicate_ips",
		} {
			compareCSV(t, f, "admin", path, false)
			compareCSV(t, f, "admin", path, true)
		}
		// CSV is not paged: limit does not apply.
		resp := f.do(req{as: "admin", path: "/api/assets?format=csv&limit=1"})
		records, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(records) != 5 {
			t.Errorf("GET /api/assets?format=csv&limit=1 = %d records, %v; want a header and all 4 assets", len(records), err)
		}
		// An empty export still has its header.
		resp = f.do(req{as: "admin", path: "/api/assets?format=csv&type=printer"})
		records, err = csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(records) != 1 || records[0][0] != "id" {
			t.Errorf("empty CSV export = %v, %v; want the header only", records, err)
		}
		// A bad filter is still a problem, not a broken CSV.
		f.problem(req{as: "admin", path: "/api/assets?format=csv&type=spaceship"}, http.StatusBadRequest, "type")
	})
}
