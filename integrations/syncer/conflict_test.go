package syncer_test

import (
	"context"
	"testing"

	"github.com/hivematrix/codex/codex"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// openConflict returns the one open conflict, failing the test otherwise.
func (e *env) openConflict() *codex.SyncConflict {
	e.t.Helper()
	cs, err := e.svc.Sync.SyncConflicts(e.ctx, codex.SyncConflictFilter{OpenOnly: true}, codex.PageArgs{})
	if err != nil || len(cs.Items) != 1 {
		e.t.Fatalf("SyncConflicts = %v, %v; want 1 open", cs, err)
	}
	return cs.Items[0]
}

func TestTakeUpstreamOfCompanyName(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(2, 1, 0)
		e.run(codex.SourceFreshservice)
		const dept = 21000100001
		c1 := e.companyByAccount(fsfake.AccountNumber(1))
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, c1.ID, codex.CompanyPatch{Name: ptr("Acme (local)")}); err != nil {
			t.Fatal(err)
		}
		e.fs.RenameDepartment(dept, "Acme (upstream)")
		wantCounts(t, e.run(codex.SourceFreshservice), codex.EntityCompany, codex.SyncCounts{Unchanged: 2, Conflicts: 1})
		c := e.openConflict()

		// Neither a technician nor a client may take it.
		for _, p := range []*codex.Principal{
			{Subject: "tech", Email: "tech@msp.example", Level: codex.LevelTechnician},
			{Subject: "client", Email: "c@client.example", Level: codex.LevelClient, CompanyID: c1.ID},
		} {
			_, err := e.engine.TakeUpstream(codex.WithPrincipal(context.Background(), p), c.ID)
			if codex.ErrorCode(err) != codex.Forbidden {
				t.Errorf("TakeUpstream as %s = %v; want forbidden", p.Level, err)
			}
		}

		got, err := e.engine.TakeUpstream(e.ctx, c.ID)
		if err != nil || got.ResolvedAt == nil {
			t.Fatalf("TakeUpstream = %+v, %v; want resolved", got, err)
		}
		if row, _ := e.svc.Companies.Company(e.ctx, c1.ID); row.Name != "Acme (upstream)" {
			t.Errorf("name = %q; want upstream's", row.Name)
		}
		if _, err := e.engine.TakeUpstream(e.ctx, c.ID); codex.ErrorCode(err) != codex.Conflict {
			t.Errorf("TakeUpstream twice = %v; want conflict", err)
		}
		audit, err := e.svc.Audit.AuditLog(e.ctx, codex.AuditFilter{Entity: "company", EntityID: &c1.ID}, codex.PageArgs{})
		if err != nil || len(audit.Items) == 0 || audit.Items[0].Action != "update" {
			t.Errorf("company audit = %+v, %v; want the update recorded last", audit, err)
		}

		// The next run raises nothing, and a later upstream rename is pulled.
		wantNoChange(t, e.run(codex.SourceFreshservice))
		e.fs.RenameDepartment(dept, "Acme (renamed again)")
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Updated: 1, Unchanged: 1})
		if row, _ := e.svc.Companies.Company(e.ctx, c1.ID); row.Name != "Acme (renamed again)" {
			t.Errorf("name = %q; want the later upstream rename pulled", row.Name)
		}
	})
}

func TestTakeUpstreamRefusesAChangedRow(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 0, 0)
		site := e.dt.AddSite(dattofake.Site{Name: fsfake.CompanyName(1)})
		dev := e.dt.AddDevice(dattofake.Device{SiteUID: site.UID, Hostname: "PC-1", SerialNumber: "S1"})
		e.run(syncerAll)
		ref := e.ref(codex.SourceDatto, codex.EntityAsset, dev.UID)
		if _, err := e.svc.Assets.UpdateAsset(e.ctx, ref.EntityID, codex.AssetPatch{Hostname: ptr("pc-1.local")}); err != nil {
			t.Fatal(err)
		}
		e.dt.EditDevice(dev.UID, func(d *dattofake.Device) { d.Hostname = "PC-1-NEW" })
		// (The asset's name follows the hostname upstream: that is pulled, no conflict.)
		if got := counts(e.run(codex.SourceDatto), codex.EntityAsset); got.Conflicts != 1 {
			t.Fatalf("asset counts = %+v; want 1 conflict", got)
		}
		c := e.openConflict()
		if c.Field != "hostname" || c.LocalValue != "pc-1.local" || c.UpstreamValue != "PC-1-NEW" {
			t.Fatalf("conflict = %+v; want hostname pc-1.local vs PC-1-NEW", c)
		}

		// A person edits the hostname again after the conflict: taking upstream's value
		// would overwrite that edit unseen, so it is refused and nothing changes.
		if _, err := e.svc.Assets.UpdateAsset(e.ctx, ref.EntityID, codex.AssetPatch{Hostname: ptr("pc-1.corp")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.engine.TakeUpstream(e.ctx, c.ID); codex.ErrorCode(err) != codex.Conflict {
			t.Fatalf("TakeUpstream of a changed row = %v; want conflict", err)
		}
		if a, _ := e.svc.Assets.Asset(e.ctx, ref.EntityID); a.Hostname != "pc-1.corp" {
			t.Errorf("hostname = %q; want the person's later edit kept", a.Hostname)
		}
		if got := e.openConflict(); got.ResolvedAt != nil {
			t.Errorf("conflict = %+v; want still open", got)
		}

		// Back to the value the conflict saw: now it is taken, and the next run is quiet.
		if _, err := e.svc.Assets.UpdateAsset(e.ctx, ref.EntityID, codex.AssetPatch{Hostname: ptr("pc-1.local")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.engine.TakeUpstream(e.ctx, c.ID); err != nil {
			t.Fatalf("TakeUpstream = %v", err)
		}
		if a, _ := e.svc.Assets.Asset(e.ctx, ref.EntityID); a.Hostname != "PC-1-NEW" {
			t.Errorf("hostname = %q; want upstream's PC-1-NEW", a.Hostname)
		}
		wantNoChange(t, e.run(codex.SourceDatto))
		if n := e.count("sync_conflicts", "resolved_at IS NULL"); n != 0 {
			t.Errorf("open conflicts = %d; want 0", n)
		}
	})
}
