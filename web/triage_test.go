package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
	"github.com/hivematrix/codex/web"
)

// withSync gives the UI a real sync engine (without sources: the triage actions need
// none).
func withSync(db *store.DB) func(*fixture, *web.Options) {
	return func(f *fixture, o *web.Options) {
		o.Sync = syncer.New(syncer.Config{Services: f.svc, Locker: db})
	}
}

// triageFixture holds an unassigned requester and an ambiguous device.
func triageFixture(t *testing.T, db *store.DB) (f *fixture, contact, device *codex.TriageItem, candidates []*codex.Asset) {
	t.Helper()
	f = newFixture(t, db, true, withSync(db))
	pg, err := f.svc.Assets.Assets(f.sys, codex.AssetFilter{Search: "MCSO-MDT"}, codex.PageArgs{First: ptr(2)})
	if err != nil || len(pg.Items) != 2 {
		t.Fatalf("MCSO-MDT assets: %v", err)
	}
	contact = &codex.TriageItem{Source: codex.SourceFreshservice, Entity: codex.EntityContact, ExternalID: "9001",
		Label: "requester 9001 (di@nowhere.example)", Reason: codex.TriageUnassigned,
		Upstream: map[string]string{"first_name": "Di", "last_name": "Nowhere", "email": "di@nowhere.example", "active": "true"}, Fingerprint: "fp"}
	device = &codex.TriageItem{Source: codex.SourceDatto, Entity: codex.EntityAsset, ExternalID: "dev-oem", Label: "device OEM-A",
		Reason: codex.TriageAmbiguous, Candidates: []int64{pg.Items[0].ID, pg.Items[1].ID}}
	if err := f.svc.Triage.SaveTriageItems(f.sys, []*codex.TriageItem{contact, device}); err != nil {
		t.Fatal(err)
	}
	return f, contact, device, pg.Items
}

func TestTriageListAndAssign(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f, contact, device, cands := triageFixture(t, db)
		admin := f.token(codex.LevelAdmin, "")
		status, page, _ := f.get("/sync/triage", admin)
		for _, want := range []string{"requester 9001 (di@nowhere.example)", "device OEM-A", "unassigned", "ambiguous",
			`action="sync/triage/` + itoa(contact.ID) + `/assign"`, `<option value="` + itoa(cands[1].ID) + `">` + cands[1].Name,
			`<a href="assets/` + itoa(cands[0].ID) + `">`, `list="companies"`} {
			if status != http.StatusOK || !strings.Contains(page, want) {
				t.Errorf("GET /sync/triage = %d, lacks %q:\n%.4000s", status, want, page)
			}
		}
		if _, body, _ := f.get("/sync", admin); !strings.Contains(body, `href="sync/triage"`) {
			t.Errorf("the sync centre does not link the triage list")
		}
		csrf := match(t, csrfRe, page)

		// The ambiguous device goes to the chosen candidate.
		status, body, h := f.post("/sync/triage/"+itoa(device.ID)+"/assign", admin, url.Values{"csrf": {csrf}, "asset": {itoa(cands[1].ID)}})
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "../../../sync/triage?flash=") {
			t.Fatalf("assign device = %d, Location %q:\n%.2000s", status, h.Get("Location"), body)
		}
		refs, err := f.svc.Sync.ExternalRefsByEntity(f.sys, codex.EntityAsset, []int64{cands[1].ID})
		if err != nil || !hasRef(refs[0], codex.SourceDatto, "dev-oem") {
			t.Errorf("refs of the chosen asset = %v, %v; want datto dev-oem", refs, err)
		}

		// A company that does not exist is refused at the item, which stays.
		sheriff := f.company("ACC-1020")
		status, body, _ = f.post("/sync/triage/"+itoa(contact.ID)+"/assign", admin, url.Values{"csrf": {csrf}, "company": {"No Such Company Ltd"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "no company matches") || !strings.Contains(body, `value="No Such Company Ltd"`) {
			t.Errorf("assign to an unknown company = %d:\n%.3000s", status, body)
		}
		// The requester goes to the picked company: a contact is created there.
		status, body, _ = f.post("/sync/triage/"+itoa(contact.ID)+"/assign", admin, url.Values{"csrf": {csrf}, "company": {"Marion County Sheriff's Office (#" + itoa(sheriff.ID) + ")"}})
		if status != http.StatusSeeOther {
			t.Fatalf("assign requester = %d:\n%.2000s", status, body)
		}
		cs, err := f.svc.Contacts.Contacts(f.sys, codex.ContactFilter{Search: "di@nowhere.example"}, codex.PageArgs{})
		if err != nil || len(cs.Items) != 1 || cs.Items[0].CompanyID != sheriff.ID {
			t.Errorf("contacts of di@nowhere.example = %v, %v; want one at the sheriff's", cs, err)
		}
		left, _ := f.svc.Triage.TriageItems(f.sys, codex.TriageFilter{}, codex.PageArgs{})
		if len(left.Items) != 0 {
			t.Errorf("triage after both assignments holds %d items", len(left.Items))
		}
		if _, body, _ := f.get("/sync/triage", admin); !strings.Contains(body, "Nothing to triage.") {
			t.Errorf("the emptied triage list:\n%.2000s", body)
		}
	})
}

func hasRef(refs []*codex.ExternalRef, source, ext string) bool {
	for _, r := range refs {
		if r.Source == source && r.ExternalID == ext {
			return true
		}
	}
	return false
}

// Only admins see or assign the triage list (403 otherwise, as the sync centre); a form
// without the page's CSRF token is refused.
func TestTriageRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f, contact, device, cands := triageFixture(t, db)
		tech, client := f.token(codex.LevelTechnician, ""), f.token(codex.LevelClient, "ACC-1001")
		for name, tok := range map[string]string{"technician": tech, "client": client} {
			status, body, _ := f.get("/sync/triage", tok)
			if status != http.StatusForbidden || strings.Contains(body, "di@nowhere.example") {
				t.Errorf("%s GET /sync/triage = %d; want 403", name, status)
			}
		}
		v := url.Values{"csrf": {f.mintCSRFOf(codex.LevelTechnician)}, "asset": {itoa(cands[0].ID)}}
		if status, _, _ := f.post("/sync/triage/"+itoa(device.ID)+"/assign", tech, v); status != http.StatusForbidden {
			t.Errorf("technician assign = %d; want 403", status)
		}
		admin := f.token(codex.LevelAdmin, "")
		for _, tok := range []string{"", "forged", f.mintCSRFOf(codex.LevelTechnician)} {
			v := url.Values{"company": {"ACC-1020"}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			if status, _, _ := f.post("/sync/triage/"+itoa(contact.ID)+"/assign", admin, v); status != http.StatusForbidden {
				t.Errorf("admin assign with csrf %q = %d; want 403", tok, status)
			}
		}
		left, _ := f.svc.Triage.TriageItems(f.sys, codex.TriageFilter{}, codex.PageArgs{})
		if len(left.Items) != 2 {
			t.Errorf("refused assignments moved items: %d left", len(left.Items))
		}
	})
}

// Without a sync engine the list still shows, read-only, and an assignment answers 503.
func TestTriageWithoutSyncEngine(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := newFixture(t, db, true)
	item := &codex.TriageItem{Source: codex.SourceFreshservice, Entity: codex.EntityContact, ExternalID: "77", Label: "requester 77", Reason: codex.TriageUnassigned}
	if err := f.svc.Triage.SaveTriageItems(f.sys, []*codex.TriageItem{item}); err != nil {
		t.Fatal(err)
	}
	admin := f.token(codex.LevelAdmin, "")
	status, page, _ := f.get("/sync/triage", admin)
	if status != http.StatusOK || !strings.Contains(page, "requester 77") || strings.Contains(page, "/assign") || !strings.Contains(page, "cannot be assigned here") {
		t.Errorf("GET /sync/triage without a sync engine = %d:\n%.3000s", status, page)
	}
	v := url.Values{"csrf": {f.mintCSRFOf(codex.LevelAdmin)}, "company": {"ACC-1020"}}
	if status, _, _ := f.post("/sync/triage/"+itoa(item.ID)+"/assign", admin, v); status != http.StatusServiceUnavailable {
		t.Errorf("assign without a sync engine = %d; want 503", status)
	}
}

// The UI serves its sync centre pages without taking the paths the platform's ticket
// sync calls under /sync (mounted by the server before the UI).
func TestMountLeavesPlatformSyncRoutes(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := newFixture(t, db, true)
	r := chi.NewRouter()
	r.Mount("/sync", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	web.New(f.svc, web.Options{Verifier: f.ver}).Mount(r)
	for path, api := range map[string]bool{"/sync/tickets": true, "/sync/status/job-1": true,
		"/sync": false, "/sync/triage": false, "/sync/triage/3/assign": false, "/sync/run": false, "/sync/conflicts/4": false} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if got := w.Code == http.StatusTeapot; got != api {
			t.Errorf("GET %s = %d; served by the platform's routes: %v, want %v", path, w.Code, got, api)
		}
	}
}
