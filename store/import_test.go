package store_test

import (
	"slices"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestStoreImports runs the sync engine's batch writes on both databases: linked imports,
// reference batches, run problems and conflicts.
func TestStoreImports(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		parent := newCompany(t, db, uniqueName("Import Parent"))
		cos := []*codex.Company{{Name: "Imp A", ParentID: &parent.ID}, {Name: "Imp B"}}
		refs := []*codex.ExternalRef{{Source: "freshservice", Entity: codex.EntityCompany, ExternalID: "d1"}, {Source: "freshservice", Entity: codex.EntityCompany, ExternalID: "d2"}}
		if err := db.ImportCompanies(c, cos, refs); err != nil {
			t.Fatal(err)
		}
		if cos[0].ID == 0 || refs[0].EntityID != cos[0].ID || refs[1].EntityID != cos[1].ID || refs[0].Entity != codex.EntityCompany || refs[1].ID == 0 {
			t.Fatalf("ImportCompanies: rows %d %d, refs %+v %+v; want ids linked", cos[0].ID, cos[1].ID, refs[0], refs[1])
		}
		lastAudit(t, db, "company", cos[1].ID, "create")

		cts := []*codex.Contact{{CompanyID: cos[0].ID, FirstName: "Imp", LastName: "One", Designation: codex.DesignationPrimary}}
		if err := db.ImportContacts(c, cts, []*codex.ExternalRef{{Source: "freshservice", Entity: codex.EntityContact, ExternalID: "r1"}}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Contact(c, cts[0].ID); err != nil || got.Designation != codex.DesignationPrimary {
			t.Errorf("imported contact = %+v, %v; want primary at home", got, err)
		}
		as := []*codex.Asset{{CompanyID: cos[0].ID, Name: "imp-pc", IPAddresses: []string{"10.9.0.1"}}}
		if err := db.ImportAssets(c, as, []*codex.ExternalRef{{Source: "datto", Entity: codex.EntityAsset, ExternalID: "dev-1"}}); err != nil {
			t.Fatal(err)
		}
		if in, _ := db.Inside(c, cos[0].ID, "10.9.0.0/16", nil); len(in) != 1 {
			t.Errorf("Inside after ImportAssets = %v; want the imported asset", in)
		}
		eqs := []*codex.NetworkEquipment{{CompanyID: cos[0].ID, Name: "imp-sw", IPAddress: "10.9.0.2"}}
		if err := db.ImportEquipment(c, eqs, []*codex.ExternalRef{{Source: "datto", Entity: codex.EntityEquipment, ExternalID: "net-1"}}); err != nil {
			t.Fatal(err)
		}
		lastAudit(t, db, "network_equipment", eqs[0].ID, "create")

		// All or none: an unknown company in the second row leaves nothing behind.
		before := auditCount(t, db)
		bad := []*codex.Contact{{CompanyID: cos[0].ID, FirstName: "Ok"}, {CompanyID: 999999, FirstName: "Bad"}}
		err := db.ImportContacts(c, bad, []*codex.ExternalRef{{Source: "fs", Entity: "contact", ExternalID: "x1"}, {Source: "fs", Entity: "contact", ExternalID: "x2"}})
		wantErr(t, "ImportContacts(unknown company)", err, codex.Invalid, "company_id")
		if bad[0].ID != 0 || auditCount(t, db) != before {
			t.Errorf("failed import left id %d and %d audit entries; want none", bad[0].ID, auditCount(t, db)-before)
		}
		if r, _ := db.ExternalRefsByExternalIDs(c, "fs", "contact", []string{"x1"}); r[0] != nil {
			t.Errorf("failed import left reference %+v", r[0])
		}
		err = db.ImportCompanies(c, []*codex.Company{{Name: ""}}, []*codex.ExternalRef{{Source: "fs", Entity: "company", ExternalID: "e"}})
		wantErr(t, "ImportCompanies(blank name)", err, codex.Invalid, "name")

		// Reference batches.
		up := []*codex.ExternalRef{
			{Source: "freshservice", Entity: codex.EntityCompany, EntityID: cos[0].ID, ExternalID: "d1", Fingerprint: "new", Upstream: map[string]string{"name": "Imp A"}},
			{Source: "freshservice", Entity: codex.EntityCompany, EntityID: parent.ID, ExternalID: "d0"},
		}
		if err := db.SaveExternalRefs(c, up); err != nil {
			t.Fatal(err)
		}
		if up[0].ID != refs[0].ID || up[1].ID == 0 {
			t.Errorf("SaveExternalRefs ids = %d, %d; want %d (updated) and a new one", up[0].ID, up[1].ID, refs[0].ID)
		}
		got, err := db.ExternalRefsByExternalIDs(c, "freshservice", codex.EntityCompany, []string{"d2", "nope", "d1"})
		if err != nil || got[0].EntityID != cos[1].ID || got[1] != nil || got[2].Fingerprint != "new" || got[2].Upstream["name"] != "Imp A" {
			t.Errorf("ExternalRefsByExternalIDs = %+v, %v", got, err)
		}
		var ids []string
		if err := db.EachExternalRef(c, "freshservice", codex.EntityCompany, func(r *codex.ExternalRef) error {
			ids = append(ids, r.ExternalID)
			return nil
		}); err != nil || !slices.Equal(ids, []string{"d1", "d2", "d0"}) {
			t.Errorf("EachExternalRef = %v, %v; want [d1 d2 d0] in id order", ids, err)
		}

		// Run problems.
		run, err := db.StartSyncRun(c, "freshservice", "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveSyncRunProblems(c, run.ID, []string{"contact 7: bad e-mail"}); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishSyncRun(c, run); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.SyncRun(c, run.ID); !slices.Equal(r.Problems, []string{"contact 7: bad e-mail"}) {
			t.Errorf("run problems = %v; want the saved one (kept by FinishSyncRun)", r.Problems)
		}
		err = db.SaveSyncRunProblems(c, 999999, nil)
		wantErr(t, "SaveSyncRunProblems(999999)", err, codex.NotFound, "")

		// Conflicts: an open one of the same row and field is updated, not repeated.
		mk := func(local string) *codex.SyncConflict {
			return &codex.SyncConflict{RunID: &run.ID, Source: "freshservice", Entity: codex.EntityCompany, EntityID: cos[0].ID,
				Field: "phone", LocalValue: local, UpstreamValue: "555-2", BaseValue: "555-0"}
		}
		first := mk("555-1")
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{first}); err != nil {
			t.Fatal(err)
		}
		again := mk("555-9")
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{again}); err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID {
			t.Errorf("second conflict id = %d; want %d (updated in place)", again.ID, first.ID)
		}
		pg, err := db.SyncConflicts(c, codex.SyncConflictFilter{EntityID: &cos[0].ID, OpenOnly: true}, codex.PageArgs{WantTotal: true})
		if err != nil || pg.TotalCount != 1 || pg.Items[0].LocalValue != "555-9" {
			t.Fatalf("SyncConflicts = %+v, %v; want one open with the new local value", pg, err)
		}
		res, err := db.ResolveSyncConflict(c, first.ID)
		if err != nil || res.ResolvedAt == nil {
			t.Fatalf("ResolveSyncConflict = %+v, %v", res, err)
		}
		lastAudit(t, db, "sync_conflict", first.ID, "resolve")
		if _, err := db.ResolveSyncConflict(c, first.ID); err != nil {
			t.Errorf("ResolveSyncConflict(again) = %v; want no error", err)
		}
		// After resolution the same field may conflict again, as a new conflict.
		third := mk("555-3")
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{third}); err != nil || third.ID == first.ID {
			t.Errorf("conflict after resolution = id %d, %v; want a new one", third.ID, err)
		}
		pg, _ = db.SyncConflicts(c, codex.SyncConflictFilter{Source: "freshservice", Entity: codex.EntityCompany}, codex.PageArgs{WantTotal: true})
		if pg.TotalCount != 2 {
			t.Errorf("SyncConflicts(all) total = %d; want 2", pg.TotalCount)
		}
		_, err = db.ResolveSyncConflict(c, 999999)
		wantErr(t, "ResolveSyncConflict(999999)", err, codex.NotFound, "")
	})
}
