package rest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
)

// FuzzListQuery checks that parsing any query string into paging arguments and the
// filters and order of companies, contacts and assets never panics, and that every
// refusal is a 400-class problem rather than an internal error.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{
		"limit=10&offset=20", "offset=4294967298", "limit=-1", "after=abc&before=def",
		"order_by=-name", "order_by=name,id", "status=active,inactive", "search=%00",
		"company_id=0", "archived=maybe", "warranty_before=2026-13-01", "cidr=10.0.0.0/33",
		"updated_since=2026-01-01T00:00:00Z", "q=%zz", "type=server&type=laptop",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		check := func(what string, err error) {
			if err != nil && codex.ErrorCode(err) != codex.Invalid {
				t.Fatalf("%s(%q) = %v; want nil or an Invalid error", what, raw, err)
			}
		}
		args, err := pageArgs(q)
		check("pageArgs", err)
		if err == nil && (args.Offset < 0 || args.Offset > codex.MaxOffset) {
			t.Fatalf("pageArgs(%q) accepted offset %d", raw, args.Offset)
		}
		var cf codex.CompanyFilter
		check("companies", bindFilter(q, companyParams, &cf))
		var ctf codex.ContactFilter
		check("contacts", bindFilter(q, contactParams, &ctf))
		var af codex.AssetFilter
		check("assets", bindFilter(q, assetParams, &af))
	})
}

// FuzzCSVCell checks the CSV encoder: any text cell comes back from a standard CSV
// reader as written, except that a cell starting with a formula character gets a leading
// quote (and nothing else changes), and every line ends with CRLF.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"plain", `=HYPERLINK("http://x","y")`, "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a,b", `"q"`, "line\nbreak", " lead", `\.`, ""} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a+b, '\r') && strings.Contains(a+b, "\r\n") {
			// encoding/csv's reader turns \r\n inside a quoted field into \n.
			return
		}
		var out bytes.Buffer
		cw := &csvWriter{w: bufio.NewWriter(&out)}
		for i, cell := range []string{a, b} {
			n := len(cw.line)
			cw.line = append(cw.line, cell...)
			cw.line = neutralize(cw.line, n)
			cw.endCell(n, i == 1)
		}
		if err := cw.writeLine(); err != nil {
			t.Fatal(err)
		}
		cw.w.Flush()
		if !bytes.HasSuffix(out.Bytes(), []byte("\r\n")) {
			t.Fatalf("line %q does not end with CRLF", out.Bytes())
		}
		r := csv.NewReader(&out)
		r.FieldsPerRecord = 2
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("cells %q, %q: CSV %q does not read back: %v", a, b, out.Bytes(), err)
		}
		for i, cell := range []string{a, b} {
			want := strings.ReplaceAll(cell, "\r", "\n")
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				want = "'" + want
			}
			got := strings.ReplaceAll(rec[i], "\r", "\n")
			if got != want {
				t.Fatalf("cell %q read back as %q; want %q", cell, rec[i], want)
			}
		}
	})
}

// FuzzPatchBody checks JSON patch decoding: any body either is refused as a 400 or
// applies to a company, and the differences between the row and the result always fit a
// CompanyPatch (diffPatch panics on a field that does not).
func FuzzPatchBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Acme"}`, `{"address":{"city":"Austin"}}`, `{"address":null}`, `{"settings":{"a":"b"}}`,
		`{"domains":["a.example"]}`, `{"contract_start":"2026-01-01"}`, `{"id":5,"created_at":"x"}`,
		`{"nope":1}`, `[1]`, `{"name":5}`, `{"address":{"zip":"1"}}`, `{"billing_contact_id":0}`,
	} {
		f.Add(s)
	}
	cur := &codex.Company{ID: 1, Name: "Cur", Address: codex.Address{City: "Old", Line1: "1 Main"}, Settings: map[string]string{"k": "v"}}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 1<<16 {
			return
		}
		req := httptest.NewRequest("PATCH", "/api/companies/1", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		m, err := readObject(httptest.NewRecorder(), req)
		if err != nil {
			return
		}
		base := *cur
		base.Address = cur.Address
		want := base
		if err := applyJSON(m, &want); err != nil {
			if codex.ErrorCode(err) != codex.Invalid {
				t.Fatalf("applyJSON(%s) = %v; want an Invalid error", body, err)
			}
			return
		}
		var p codex.CompanyPatch
		diffPatch(cur, &want, &p)
		got := *cur
		got.Settings = cur.Settings
		p.Apply(&got)
		if got.Address != want.Address || got.Name != want.Name {
			t.Fatalf("body %s: the patch gives %+v; want %+v", body, got.Address, want.Address)
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
}
