package rest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestBadInput(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		globex := fmt.Sprintf("/api/companies/%d", f.globex.ID)
		post := func(path, body string) req { return req{as: "admin", method: http.MethodPost, path: path, body: body} }
		patch := func(path, body string) req { return req{as: "admin", method: http.MethodPatch, path: path, body: body} }
		for _, tc := range []struct {
			name   string
			r      req
			status int
			field  string
		}{
			{"malformed JSON", post("/api/companies", `{"name":`), 400, ""},
			{"trailing garbage", post("/api/companies", `{"name":"x"} {}`), 400, ""},
			{"not an object", post("/api/companies", `["Initech"]`), 400, ""},
			{"empty body", post("/api/companies", ``), 400, ""},
			{"wrong type", post("/api/companies", `{"name":5}`), 400, "name"},
			{"wrong type in PATCH", patch(fmt.Sprintf("/api/assets/%d", f.server.ID), `{"company_id":"123"}`), 400, "company_id"},
			{"wrong list type", post("/api/assets", `{"company_id":123,"name":"x","ip_addresses":"10.0.0.1"}`), 400, "ip_addresses"},
			{"malformed date", post("/api/assets", `{"company_id":123,"name":"x","warranty_expires":"31/01/2025"}`), 400, "warranty_expires"},
			{"unknown field", post("/api/companies", `{"name":"x","colour":"red"}`), 400, "colour"},
			{"unknown nested member", post("/api/companies", `{"name":"x","address":{"planet":"Mars"}}`), 400, "address"},
			{"is_primary contradicts designation", post("/api/contacts", `{"company_id":123,"name":"x","is_primary":true,"designation":"none"}`), 422, "is_primary"},
			{"missing name", post("/api/companies", `{"account_number":"Z-1"}`), 422, "name"},
			{"bad website", post("/api/companies", `{"name":"x","website":"ftp:/nowhere"}`), 422, "website"},
			{"bad enum", post("/api/assets", `{"company_id":123,"name":"x","type":"spaceship"}`), 422, "type"},
			{"bad e-mail", post("/api/contacts", `{"company_id":123,"name":"x","email":"not-an-address"}`), 422, "email"},
			{"bad phone", post("/api/contacts", `{"company_id":123,"name":"x","phone":"call me"}`), 422, "phone"},
			{"bad IP", post("/api/network_equipment", `{"company_id":123,"name":"x","ip_address":"10.0.0.256"}`), 422, "ip_address"},
			{"blank name in PATCH", patch("/api/companies/123", `{"name":null}`), 422, "name"},
			{"unknown company", post("/api/contacts", `{"company_id":999999,"name":"x"}`), 422, ""},
			{"unknown company for an asset", post("/api/assets", `{"company_id":999999,"name":"x"}`), 422, ""},
			{"unknown parent", post("/api/companies", `{"name":"x","parent_id":999999}`), 422, ""},
			{"duplicate account number", post("/api/companies", `{"name":"Dup","account_number":"A-100"}`), 409, ""},
			{"duplicate account number in PATCH", patch(globex, `{"account_number":"A-100"}`), 409, ""},
			{"unknown id", req{as: "admin", path: "/api/companies/999999"}, 404, ""},
			{"non-numeric id", req{as: "admin", path: "/api/companies/acme"}, 404, ""},
			{"negative id", req{as: "admin", path: "/api/assets/-1"}, 404, ""},
			{"unknown id in PATCH", patch("/api/contacts/999999", `{"name":"x"}`), 404, ""},
			{"unknown route", req{as: "admin", path: "/api/widgets"}, 404, ""},
			{"no principal", req{path: "/api/companies"}, 401, ""},
			{"client may not create", req{as: "client", method: http.MethodPost, path: "/api/companies", body: `{"name":"x"}`}, 403, ""},
			{"service may not write", req{as: "service", method: http.MethodPatch, path: "/api/companies/123", body: `{"name":"x"}`}, 403, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.t = t
				f.problem(tc.r, tc.status, tc.field)
			})
		}
		f.t = t

		// A failed write changes nothing.
		before := f.expect(req{as: "admin", path: globex}, http.StatusOK)
		f.problem(patch(globex, `{"parent_id":123,"account_number":"A-100"}`), http.StatusConflict, "")
		if after := f.expect(req{as: "admin", path: globex}, http.StatusOK); string(after) != string(before) {
			t.Errorf("after a failed move and edit, Globex = %s; want it unchanged %s", after, before)
		}
		f.problem(patch(globex, `{"parent_id":999999}`), http.StatusUnprocessableEntity, "")
		if after := f.expect(req{as: "admin", path: globex}, http.StatusOK); string(after) != string(before) {
			t.Errorf("after a failed move, Globex = %s; want it unchanged %s", after, before)
		}
		f.problem(patch(globex, fmt.Sprintf(`{"parent_id":%d}`, f.globex.ID)), http.StatusUnprocessableEntity, "parent_id")
	})
}

func TestTransportErrors(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		// Body over 1 MiB: 413.
		big := `{"name":"` + strings.Repeat("x", rest.MaxBodyBytes) + `"}`
		f.problem(req{as: "admin", method: http.MethodPost, path: "/api/companies", body: big}, http.StatusRequestEntityTooLarge, "")

		// Wrong content type: 415; a charset is fine.
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml"} {
			f.problem(req{as: "admin", method: http.MethodPost, path: "/api/companies", body: `{"name":"x"}`,
				header: []string{"Content-Type", ct}}, http.StatusUnsupportedMediaType, "")
		}
		f.expect(req{as: "admin", method: http.MethodPost, path: "/api/companies", body: `{"name":"Charset Inc"}`,
			header: []string{"Content-Type", "application/json; charset=utf-8"}}, http.StatusCreated)

		// Wrong method: 405 with a problem and Allow.
		for path, allow := range map[string]string{
			"/api/companies":            "GET, POST",
			"/api/companies/123":        "GET, PUT, PATCH, DELETE",
			"/api/tickets/1":            "GET",
			"/api/companies/123/assets": "GET",
			"/api/my/settings":          "GET, PUT",
		} {
			f.problem(req{as: "admin", method: http.MethodTrace, path: path}, http.StatusMethodNotAllowed, "")
			resp := f.do(req{as: "admin", method: http.MethodTrace, path: path})
			if got := resp.Header.Get("Allow"); got != allow {
				t.Errorf("TRACE %s: Allow = %q; want %q", path, got, allow)
			}
		}

		// X-Request-ID: a sane one is kept, anything else replaced.
		for _, tc := range []struct {
			sent string
			kept bool
		}{
			{"req-42", true},
			{strings.Repeat("a", 128), true},
			{strings.Repeat("a", 129), false},
			{"two words", false},
			{"", false},
		} {
			resp := f.do(req{as: "admin", path: "/api/companies/999999", header: []string{"X-Request-ID", tc.sent}})
			got := resp.Header.Get("X-Request-ID")
			if (got == tc.sent) != tc.kept || got == "" {
				t.Errorf("X-Request-ID %q came back as %q; kept = %v, want %v", tc.sent, got, got == tc.sent, tc.kept)
			}
			p := decode[rest.Problem](t, f.expect(req{as: "admin", path: "/api/companies/999999",
				header: []string{"X-Request-ID", tc.sent}}, http.StatusNotFound))
			if tc.kept && p.RequestID != tc.sent {
				t.Errorf("problem request_id = %q; want %q", p.RequestID, tc.sent)
			}
		}
	})
}

// TestWriteProblem checks the mapping of every codex code, as the auth middleware uses it.
func TestWriteProblem(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		detail string
	}{
		{codex.Errorf(codex.Invalid, "bad"), 422, "bad"},
		{codex.Errorf(codex.NotFound, "no such company"), 404, "no such company"},
		{codex.Errorf(codex.Conflict, "taken"), 409, "taken"},
		{codex.Errorf(codex.Unauthenticated, "token expired"), 401, "token expired"},
		{codex.Errorf(codex.Forbidden, "not for you"), 403, "not for you"},
		{codex.Errorf(codex.Unavailable, "database down"), 503, "database down"},
		{codex.Wrap(errors.New("pq: password=hunter2"), "query failed"), 500, "internal error"},
		{errors.New("raw driver error"), 500, "internal error"},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
		r = r.WithContext(codex.WithRequestID(r.Context(), "rid-1"))
		rest.WriteProblem(w, r, tc.err)
		p := decode[rest.Problem](t, w.Body.Bytes())
		if w.Code != tc.status || p.Status != tc.status || p.Detail != tc.detail || p.RequestID != "rid-1" ||
			w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("WriteProblem(%v) = %d %+v; want %d with detail %q", tc.err, w.Code, p, tc.status, tc.detail)
		}
		if strings.Contains(w.Body.String(), "hunter2") {
			t.Errorf("WriteProblem leaked the internal cause: %s", w.Body)
		}
	}
	w := httptest.NewRecorder()
	rest.WriteProblem(w, httptest.NewRequest(http.MethodGet, "/", nil),
		&codex.Error{Code: codex.Invalid, Message: "invalid input", Fields: map[string]string{"name": "is required"}})
	if p := decode[rest.Problem](t, w.Body.Bytes()); p.Errors["name"] != "is required" {
		t.Errorf("WriteProblem of a validation error: errors = %v; want name", p.Errors)
	}
}
