package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestLocationAddEditArchive(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		for _, level := range []codex.Level{codex.LevelAdmin, codex.LevelTechnician} {
			tok := f.token(level, "")
			c := f.company("ACC-1020")
			base := "/companies/" + itoa(c.ID)
			_, page, _ := f.get(base, tok)
			if !strings.Contains(page, `href="companies/`+itoa(c.ID)+`/locations/new"`) {
				t.Fatalf("%s company page lacks Add location:\n%.3000s", level, page)
			}
			status, form, _ := f.get(base+"/locations/new", tok)
			if status != http.StatusOK || !strings.Contains(form, `action="companies/`+itoa(c.ID)+`/locations/new"`) {
				t.Fatalf("%s GET new location = %d:\n%.2000s", level, status, form)
			}
			csrf := match(t, csrfRe, form)

			// A blank name comes back at its field, with what was typed kept.
			status, body, _ := f.post(base+"/locations/new", tok, url.Values{"csrf": {csrf}, "name": {" "}, "address_city": {"Ocala"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-name"`) || !strings.Contains(body, `value="Ocala"`) {
				t.Errorf("%s add location without a name = %d:\n%.3000s", level, status, body)
			}
			name := "Substation " + string(level)
			status, _, h := f.post(base+"/locations/new", tok, url.Values{"csrf": {csrf}, "name": {name}, "address_city": {"Ocala"}, "phone": {"352 555 0100"}})
			if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "../../../companies/"+itoa(c.ID)+"?flash=") {
				t.Fatalf("%s add location = %d, Location %q", level, status, h.Get("Location"))
			}
			loc := locationNamed(t, f, c.ID, name)
			if loc.Address.City != "Ocala" || loc.Phone != "352 555 0100" {
				t.Errorf("%s location = %+v; want as typed", level, loc)
			}

			// Edit: a form opened before someone else saved is refused with the current values.
			edit := base + "/locations/" + itoa(loc.ID) + "/edit"
			_, form, _ = f.get(edit, tok)
			stale := match(t, versionRe, form)
			if _, err := f.svc.Companies.UpdateLocation(f.sys, loc.ID, codex.LocationPatch{Phone: ptr("352 555 0199")}); err != nil {
				t.Fatal(err)
			}
			status, body, _ = f.post(edit, tok, url.Values{"csrf": {csrf}, "version": {stale}, "name": {name + " (renamed)"}, "address_city": {"Ocala"}})
			if status != http.StatusConflict || !strings.Contains(body, "Someone else changed this record") || !strings.Contains(body, `value="352 555 0199"`) {
				t.Errorf("%s stale location edit = %d:\n%.3000s", level, status, body)
			}
			if got := locationNamed(t, f, c.ID, name); got.Phone != "352 555 0199" {
				t.Errorf("%s stale edit wrote %+v", level, got)
			}
			_, form, _ = f.get(edit, tok)
			v := url.Values{"csrf": {csrf}, "version": {match(t, versionRe, form)}, "name": {name + " (renamed)"}, "address_city": {"Belleview"}, "phone": {"352 555 0199"}}
			if status, body, _ := f.post(edit, tok, v); status != http.StatusSeeOther {
				t.Fatalf("%s location edit = %d:\n%.2000s", level, status, body)
			}
			if got := locationNamed(t, f, c.ID, name+" (renamed)"); got.Address.City != "Belleview" {
				t.Errorf("%s edited location = %+v", level, got)
			}

			// Archive: it leaves the company page.
			if status, _, _ := f.post(base+"/locations/"+itoa(loc.ID)+"/archive", tok, url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
				t.Errorf("%s archive location = %d", level, status)
			}
			if _, page, _ := f.get(base, tok); strings.Contains(page, name) {
				t.Errorf("%s company page still lists the archived location", level)
			}
		}
	})
}

// A client sees no location actions, cannot open another company's locations and cannot
// write its own; a form without the page's CSRF token is refused.
func TestLocationRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		own, other := f.company("ACC-1001"), f.company("ACC-1020")
		ownLoc := &codex.Location{CompanyID: own.ID, Name: "Front desk"}
		otherLoc := &codex.Location{CompanyID: other.ID, Name: "Evidence room"}
		for _, l := range []*codex.Location{ownLoc, otherLoc} {
			if err := f.svc.Companies.CreateLocation(f.sys, l); err != nil {
				t.Fatal(err)
			}
		}
		client := f.token(codex.LevelClient, "ACC-1001")
		_, page, _ := f.get("/companies/"+itoa(own.ID), client)
		if !strings.Contains(page, "Front desk") || strings.Contains(page, "locations/new") || strings.Contains(page, "/archive") {
			t.Errorf("client's company page shows location actions:\n%.3000s", page)
		}
		for _, p := range []string{"/companies/" + itoa(other.ID) + "/locations/new", "/companies/" + itoa(other.ID) + "/locations/" + itoa(otherLoc.ID) + "/edit"} {
			if status, body, _ := f.get(p, client); status != http.StatusNotFound || strings.Contains(body, "Evidence room") {
				t.Errorf("client GET %s = %d; want 404", p, status)
			}
		}
		_, settings, _ := f.get("/settings", client)
		csrf := match(t, csrfRe, settings)
		if status, _, _ := f.post("/companies/"+itoa(own.ID)+"/locations/new", client, url.Values{"csrf": {csrf}, "name": {"Sneaky"}}); status != http.StatusForbidden {
			t.Errorf("client add location = %d; want 403", status)
		}
		_, form, _ := f.get("/companies/"+itoa(own.ID)+"/locations/"+itoa(ownLoc.ID)+"/edit", client)
		v := url.Values{"csrf": {csrf}, "version": {match(t, versionRe, form)}, "name": {"Renamed"}}
		if status, _, _ := f.post("/companies/"+itoa(own.ID)+"/locations/"+itoa(ownLoc.ID)+"/edit", client, v); status != http.StatusForbidden {
			t.Errorf("client edit location = %d; want 403", status)
		}
		if status, _, _ := f.post("/companies/"+itoa(own.ID)+"/locations/"+itoa(ownLoc.ID)+"/archive", client, url.Values{"csrf": {csrf}}); status != http.StatusForbidden {
			t.Errorf("client archive location = %d; want 403", status)
		}
		admin := f.token(codex.LevelAdmin, "")
		for _, tok := range []string{"", "forged", csrf} {
			v := url.Values{"name": {"No token"}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			if status, _, _ := f.post("/companies/"+itoa(own.ID)+"/locations/new", admin, v); status != http.StatusForbidden {
				t.Errorf("admin add location with csrf %q = %d; want 403", tok, status)
			}
		}
		if got, _ := f.svc.Companies.Location(f.sys, ownLoc.ID); got.Name != "Front desk" || got.ArchivedAt != nil {
			t.Errorf("refused requests changed the location: %+v", got)
		}
	})
}

// locationNamed returns the live location of a company with a name.
func locationNamed(t *testing.T, f *fixture, companyID int64, name string) *codex.Location {
	t.Helper()
	ls, err := f.svc.Companies.LocationsByCompanies(f.sys, []int64{companyID})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls[0] {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no location %q at company %d", name, companyID)
	return nil
}
