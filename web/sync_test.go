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

// conflictFixture records an open Freshservice conflict on a demo company's name.
func conflictFixture(t *testing.T, db *store.DB) (*fixture, *codex.Company, *codex.SyncConflict) {
	t.Helper()
	f := newFixture(t, db, true, withSync(db))
	c := f.company("ACC-1020")
	conflict := &codex.SyncConflict{Source: codex.SourceFreshservice, Entity: codex.EntityCompany, EntityID: c.ID,
		Field: "name", LocalValue: c.Name, UpstreamValue: "Marion County Sheriff (PSA)", BaseValue: "Marion County"}
	if err := f.svc.Sync.SaveSyncConflicts(f.sys, []*codex.SyncConflict{conflict}); err != nil {
		t.Fatal(err)
	}
	return f, c, conflict
}

func TestSyncTakeUpstream(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f, c, conflict := conflictFixture(t, db)
		admin := f.token(codex.LevelAdmin, "")
		status, page, _ := f.get("/sync", admin)
		action := `action="sync/conflicts/` + itoa(conflict.ID) + `/upstream"`
		if status != http.StatusOK || !strings.Contains(page, action) || !strings.Contains(page, "Take upstream's value") {
			t.Fatalf("GET /sync = %d, lacks the take-upstream form %s:\n%.3000s", status, action, page)
		}
		csrf := match(t, csrfRe, page)

		// A person renames the company after the conflict: taking upstream's value is
		// refused with the reason, on the sync centre, and the rename stays.
		if _, err := f.svc.Companies.UpdateCompany(f.sys, c.ID, codex.CompanyPatch{Name: ptr("Sheriff (edited)")}); err != nil {
			t.Fatal(err)
		}
		status, body, _ := f.post("/sync/conflicts/"+itoa(conflict.ID)+"/upstream", admin, url.Values{"csrf": {csrf}})
		if status != http.StatusConflict || !strings.Contains(body, "changed since the conflict was recorded") || !strings.Contains(body, "<h1>Sync centre</h1>") {
			t.Errorf("take upstream of a changed row = %d:\n%.3000s", status, body)
		}
		if got, _ := f.svc.Companies.Company(f.sys, c.ID); got.Name != "Sheriff (edited)" {
			t.Errorf("name = %q; want the later edit kept", got.Name)
		}

		if _, err := f.svc.Companies.UpdateCompany(f.sys, c.ID, codex.CompanyPatch{Name: ptr(c.Name)}); err != nil {
			t.Fatal(err)
		}
		status, body, h := f.post("/sync/conflicts/"+itoa(conflict.ID)+"/upstream", admin, url.Values{"csrf": {csrf}})
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "../../../sync?flash=") {
			t.Fatalf("take upstream = %d, Location %q:\n%.2000s", status, h.Get("Location"), body)
		}
		if got, _ := f.svc.Companies.Company(f.sys, c.ID); got.Name != "Marion County Sheriff (PSA)" {
			t.Errorf("name = %q; want upstream's", got.Name)
		}
		audit, err := f.svc.Audit.AuditLog(f.sys, codex.AuditFilter{Entity: "company", EntityID: &c.ID}, codex.PageArgs{})
		if err != nil || len(audit.Items) == 0 || audit.Items[0].Actor != "admin@example.com" {
			t.Errorf("latest company audit entry = %+v, %v; want the admin's update", audit.Items, err)
		}
		if _, body, _ := f.get("/sync", admin); !strings.Contains(body, "No open conflicts.") {
			t.Errorf("sync centre after taking upstream:\n%.3000s", body)
		}
	})
}

// Only admins may take upstream's value, and only with the page's CSRF token.
func TestSyncTakeUpstreamRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f, c, conflict := conflictFixture(t, db)
		path := "/sync/conflicts/" + itoa(conflict.ID) + "/upstream"
		for _, level := range []codex.Level{codex.LevelTechnician, codex.LevelBilling} {
			v := url.Values{"csrf": {f.mintCSRFOf(level)}}
			if status, _, _ := f.post(path, f.token(level, ""), v); status != http.StatusForbidden {
				t.Errorf("%s take upstream = %d; want 403", level, status)
			}
		}
		client := f.token(codex.LevelClient, "ACC-1020")
		_, home, _ := f.get("/settings", client)
		if status, _, _ := f.post(path, client, url.Values{"csrf": {match(t, csrfRe, home)}}); status != http.StatusForbidden {
			t.Errorf("client take upstream = %d; want 403", status)
		}
		admin := f.token(codex.LevelAdmin, "")
		for _, tok := range []string{"", "forged", f.mintCSRFOf(codex.LevelTechnician)} {
			v := url.Values{}
			if tok != "" {
				v.Set("csrf", tok)
			}
			if status, _, _ := f.post(path, admin, v); status != http.StatusForbidden {
				t.Errorf("admin take upstream with csrf %q = %d; want 403", tok, status)
			}
		}
		if got, _ := f.svc.Companies.Company(f.sys, c.ID); got.Name != c.Name {
			t.Errorf("refused requests renamed the company to %q", got.Name)
		}
		open, _ := f.svc.Sync.SyncConflicts(f.sys, codex.SyncConflictFilter{OpenOnly: true}, codex.PageArgs{})
		if len(open.Items) != 1 {
			t.Errorf("open conflicts = %d; want 1", len(open.Items))
		}
	})
}
