package rest_test

import (
	"net/http"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestSettings(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		get := func(as string) map[string]any {
			t.Helper()
			return decode[map[string]any](t, f.expect(req{as: as, path: "/api/my/settings"}, http.StatusOK))
		}
		put := func(as, body string, status int) []byte {
			t.Helper()
			return f.expect(req{as: as, method: http.MethodPut, path: "/api/my/settings", body: body}, status)
		}

		// Someone without stored preferences gets the defaults.
		if s := get("technician"); s["theme_preference"] != "light" || s["preferred_color_theme"] != "default" ||
			s["home_page_preference"] != "/" || s["knowledgetree_view_preference"] != "grid" {
			t.Errorf("GET /api/my/settings for a newcomer = %v; want the defaults", s)
		}

		// The UI shell sends one setting at a time; the others stay.
		put("technician", `{"theme_preference":"dark"}`, http.StatusOK)
		put("technician", `{"preferred_color_theme":"teal","home_page_preference":"/codex"}`, http.StatusOK)
		if s := get("technician"); s["theme_preference"] != "dark" || s["preferred_color_theme"] != "teal" ||
			s["home_page_preference"] != "/codex" {
			t.Errorf("GET /api/my/settings after two PUTs = %v; want dark, teal, /codex", s)
		}
		// Each person has their own.
		if s := get("admin"); s["theme_preference"] != "light" {
			t.Errorf("admin's settings = %v; want the defaults", s)
		}
		// A client user may change their own preferences too.
		put("client", `{"knowledgetree_view_preference":"grid"}`, http.StatusOK)

		// Invalid values are a 400 naming the field; nothing changes.
		for body, field := range map[string]string{
			`{"theme_preference":"purple"}`:                  "theme_preference",
			`{"theme_preference":5}`:                         "theme_preference",
			`{"preferred_color_theme":"chartreuse"}`:         "preferred_color_theme",
			`{"home_page_preference":"nowhere"}`:             "home_page_preference",
			`{"knowledgetree_view_preference":"mindmap"}`:    "knowledgetree_view_preference",
			`{"theme_preference":"light","font_size":"big"}`: "font_size",
		} {
			f.problem(req{as: "technician", method: http.MethodPut, path: "/api/my/settings", body: body}, http.StatusBadRequest, field)
		}
		if s := get("technician"); s["theme_preference"] != "dark" {
			t.Errorf("settings after invalid PUTs = %v; want them unchanged", s)
		}

		// A service has no settings.
		f.problem(req{as: "service", path: "/api/my/settings"}, http.StatusForbidden, "")
		f.problem(req{as: "service", method: http.MethodPut, path: "/api/my/settings", body: `{"theme_preference":"dark"}`}, http.StatusForbidden, "")

		// The public theme lookup: stored preferences, or the defaults for someone unknown,
		// and nothing else.
		theme := func(email string) map[string]any {
			t.Helper()
			return decode[map[string]any](t, f.expect(req{path: "/api/public/user/theme?email=" + email}, http.StatusOK))
		}
		got := theme("tom@example.com")
		// teal is Codex's own colour, which the shell does not paint: its default, purple.
		want := map[string]any{"theme": "dark", "color_theme": "purple", "source": "codex", "email": "tom@example.com"}
		if len(got) != len(want) {
			t.Errorf("public theme = %v; want exactly %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("public theme of tom: %s = %v; want %v", k, got[k], v)
			}
		}
		got = theme("nobody@example.com")
		// An unknown address gets the same source as a known one.
		want = map[string]any{"theme": "light", "color_theme": "purple", "source": "codex", "email": "nobody@example.com"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("public theme of an unknown person: %s = %v; want %v", k, got[k], v)
			}
		}
		// Every colour of the shell is accepted and answered as is.
		for _, c := range codex.NexusColorThemes {
			put("technician", `{"preferred_color_theme":"`+c+`"}`, http.StatusOK)
			if got := theme("tom@example.com")["color_theme"]; got != c {
				t.Errorf("public theme after choosing %s = %v; want %s", c, got, c)
			}
		}
		for _, v := range []string{"grid", "tree", "hierarchy"} {
			put("technician", `{"knowledgetree_view_preference":"`+v+`"}`, http.StatusOK)
		}

		// The home page for Core: a slug, from a slug or from a Codex path.
		home := func(email string) map[string]any {
			t.Helper()
			return decode[map[string]any](t, f.expect(req{path: "/api/public/user/home-page?email=" + email}, http.StatusOK))
		}
		if got := home("tom@example.com"); got["home_page"] != "codex" || got["source"] != "codex" || got["email"] != "tom@example.com" {
			t.Errorf("home page of tom (stored /codex) = %v; want codex", got)
		}
		put("technician", `{"home_page_preference":"ledger"}`, http.StatusOK)
		if got := home("tom@example.com"); got["home_page"] != "ledger" {
			t.Errorf("home page of tom (stored ledger) = %v; want ledger", got)
		}
		if got := home("nobody@example.com"); got["home_page"] != "beacon" || got["source"] != "codex" || len(got) != 3 {
			t.Errorf("home page of an unknown person = %v; want beacon, source codex, email", got)
		}
		f.problem(req{path: "/api/public/user/home-page"}, http.StatusBadRequest, "email")

		f.problem(req{path: "/api/public/user/theme"}, http.StatusBadRequest, "email")
		f.problem(req{path: "/api/public/user/theme?email=not-an-address"}, http.StatusBadRequest, "email")
		f.problem(req{path: "/api/public/user/theme?email=tom@example.com&fields=name"}, http.StatusBadRequest, "fields")
	})
}
