package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestSyncBatches(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Import"))

		// Import creates rows and references together, audited.
		assets := []*codex.Asset{
			{CompanyID: co.ID, Name: "PC-1", IPAddresses: []string{"10.0.0.1"}},
			{CompanyID: co.ID, Name: "PC-2", Type: codex.AssetLaptop},
		}
		refs := []*codex.ExternalRef{
			{Source: "datto", Entity: "asset", ExternalID: "dev-1", Fingerprint: "f1", Upstream: map[string]string{"hostname": "PC-1"}},
			{Source: "datto", Entity: "asset", ExternalID: "dev-2", Fingerprint: "f2"},
		}
		if err := db.ImportAssets(c, assets, refs); err != nil {
			t.Fatalf("ImportAssets = %v", err)
		}
		for i, a := range assets {
			if a.ID == 0 || refs[i].EntityID != a.ID || refs[i].ID == 0 {
				t.Errorf("asset %d = %d, ref %+v; want linked ids", i, a.ID, refs[i])
			}
			if e := lastAudit(t, db, "asset", a.ID, "create"); e.Actor != testActor {
				t.Errorf("audit of asset %d = %+v", a.ID, e)
			}
		}
		inside, err := db.Inside(c, co.ID, "10.0.0.0/24", nil)
		if err != nil || len(inside) != 1 || inside[0].ID != assets[0].ID {
			t.Errorf("Inside = %v, %v; want the imported address", inside, err)
		}
		got, err := db.ExternalRefsByExternalIDs(c, "datto", "asset", []string{"dev-2", "nope", "dev-1"})
		if err != nil || got[0].EntityID != assets[1].ID || got[1] != nil || got[2].Upstream["hostname"] != "PC-1" {
			t.Errorf("ExternalRefsByExternalIDs = %v, %v; want key order with nil for unknown", got, err)
		}

		// A bad row fails the whole batch.
		bad := []*codex.Asset{{CompanyID: co.ID, Name: "ok"}, {CompanyID: 999999, Name: "orphan"}}
		err = db.ImportAssets(c, bad, []*codex.ExternalRef{{Source: "datto", Entity: "asset", ExternalID: "dev-3"}, {Source: "datto", Entity: "asset", ExternalID: "dev-4"}})
		wantErr(t, "ImportAssets(unknown company)", err, codex.Invalid, "company_id")
		if bad[0].ID != 0 {
			t.Errorf("a failed import left id %d", bad[0].ID)
		}
		if r, _ := db.ExternalRefsByExternalIDs(c, "datto", "asset", []string{"dev-3"}); r[0] != nil {
			t.Errorf("a failed import left reference %+v", r[0])
		}
		// Linking an outside record twice is a conflict.
		err = db.ImportAssets(c, []*codex.Asset{{CompanyID: co.ID, Name: "dup"}}, []*codex.ExternalRef{{Source: "datto", Entity: "asset", ExternalID: "dev-1"}})
		wantErr(t, "ImportAssets(linked twice)", err, codex.Conflict, "")

		contacts := []*codex.Contact{{CompanyID: co.ID, FirstName: "Ann", LastName: "Lee", Email: "ann@x.example"}}
		if err := db.ImportContacts(c, contacts, []*codex.ExternalRef{{Source: "freshservice", Entity: "contact", ExternalID: "r1"}}); err != nil {
			t.Fatal(err)
		}
		if of, _ := db.CompaniesOfContacts(c, []int64{contacts[0].ID}); len(of[0]) != 1 || of[0][0].CompanyID != co.ID {
			t.Errorf("imported contact's companies = %v; want its home", of)
		}
		companies := []*codex.Company{{Name: uniqueName("Imported"), AccountNumber: strp(uniqueName("ACI"))}}
		if err := db.ImportCompanies(c, companies, []*codex.ExternalRef{{Source: "freshservice", Entity: "company", ExternalID: "d1"}}); err != nil {
			t.Fatal(err)
		}
		eq := []*codex.NetworkEquipment{{CompanyID: co.ID, Name: "sw", IPAddress: "10.0.0.2"}}
		if err := db.ImportEquipment(c, eq, []*codex.ExternalRef{{Source: "datto", Entity: "equipment", ExternalID: "n1"}}); err != nil || eq[0].IPKey == "" {
			t.Fatalf("ImportEquipment = %v, %+v", err, eq[0])
		}

		// SaveExternalRefs updates by outside record, every column.
		gone := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		upd := []*codex.ExternalRef{
			{Source: "datto", Entity: "asset", ExternalID: "dev-1", EntityID: assets[0].ID, Fingerprint: "f9", Upstream: map[string]string{"hostname": "PC-1b"}, GoneAt: &gone},
			{Source: "datto", Entity: "asset", ExternalID: "dev-5", EntityID: assets[1].ID + 1000, Fingerprint: "new"},
		}
		if err := db.SaveExternalRefs(c, upd); err != nil {
			t.Fatal(err)
		}
		if upd[0].ID != refs[0].ID || upd[1].ID == 0 {
			t.Errorf("SaveExternalRefs ids = %d, %d; want the existing %d and a new one", upd[0].ID, upd[1].ID, refs[0].ID)
		}
		r1, _ := db.ExternalRef(c, "datto", "asset", "dev-1")
		if r1.Fingerprint != "f9" || r1.Upstream["hostname"] != "PC-1b" || r1.GoneAt == nil || !r1.GoneAt.Equal(gone) {
			t.Errorf("updated ref = %+v", r1)
		}
		var all []string
		err = db.EachExternalRef(c, "datto", "asset", func(r *codex.ExternalRef) error { all = append(all, r.ExternalID); return nil })
		if err != nil || fmt.Sprint(all) != "[dev-1 dev-2 dev-5]" {
			t.Errorf("EachExternalRef = %v, %v", all, err)
		}
	})
}

func TestSyncConflictsAndProblems(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Conflicted"))
		run, _ := db.StartSyncRun(c, "freshservice", "test")
		first := &codex.SyncConflict{RunID: &run.ID, Source: "freshservice", Entity: "company", EntityID: co.ID, Field: "name",
			LocalValue: "Local", UpstreamValue: "Up 1", BaseValue: "Base"}
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{first}); err != nil || first.ID == 0 {
			t.Fatalf("SaveSyncConflicts = %v, %+v", err, first)
		}
		// The same open conflict seen again is updated in place.
		again := &codex.SyncConflict{RunID: &run.ID, Source: "freshservice", Entity: "company", EntityID: co.ID, Field: "name",
			LocalValue: "Local", UpstreamValue: "Up 2", BaseValue: "Other"}
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{again}); err != nil || again.ID != first.ID {
			t.Fatalf("SaveSyncConflicts(again) = %v, id %d; want %d", err, again.ID, first.ID)
		}
		pg, err := db.SyncConflicts(c, codex.SyncConflictFilter{EntityID: &co.ID, OpenOnly: true}, codex.PageArgs{WantTotal: true})
		if err != nil || pg.TotalCount != 1 || pg.Items[0].UpstreamValue != "Up 2" || pg.Items[0].BaseValue != "Base" {
			t.Fatalf("SyncConflicts = %+v, %v; want one, updated, with its first base", pg, err)
		}
		resolved, err := db.ResolveSyncConflict(c, first.ID)
		if err != nil || resolved.ResolvedAt == nil {
			t.Fatalf("ResolveSyncConflict = %+v, %v", resolved, err)
		}
		if e := lastAudit(t, db, "sync_conflict", first.ID, "resolve"); e.Actor != testActor {
			t.Errorf("resolve audit = %+v", e)
		}
		// Once resolved, a new conflict of the field is a new row.
		third := &codex.SyncConflict{Source: "freshservice", Entity: "company", EntityID: co.ID, Field: "name", UpstreamValue: "Up 3"}
		if err := db.SaveSyncConflicts(c, []*codex.SyncConflict{third}); err != nil || third.ID == first.ID {
			t.Errorf("SaveSyncConflicts(after resolve) = %v, id %d; want a new row", err, third.ID)
		}
		_, err = db.ResolveSyncConflict(c, 999999)
		wantErr(t, "ResolveSyncConflict(999999)", err, codex.NotFound, "")

		if err := db.SaveSyncRunProblems(c, run.ID, []string{"one", "two"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.SyncRun(c, run.ID); fmt.Sprint(got.Problems) != "[one two]" {
			t.Errorf("problems = %v", got.Problems)
		}
		wantErr(t, "SaveSyncRunProblems(999999)", db.SaveSyncRunProblems(c, 999999, nil), codex.NotFound, "")
	})
}

func TestTryLock(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := context.Background()
		unlock, ok, err := db.TryLock(c, "codex-sync:test")
		if err != nil || !ok {
			t.Fatalf("TryLock = %v, %v; want the lock", ok, err)
		}
		if _, ok, err := db.TryLock(c, "codex-sync:test"); err != nil || ok {
			t.Errorf("second TryLock = %v, %v; want refused", ok, err)
		}
		other, ok, err := db.TryLock(c, "codex-sync:other")
		if err != nil || !ok {
			t.Errorf("TryLock(other name) = %v, %v; want it", ok, err)
		}
		other()
		unlock()
		unlock() // twice is harmless
		again, ok, err := db.TryLock(c, "codex-sync:test")
		if err != nil || !ok {
			t.Fatalf("TryLock after unlock = %v, %v", ok, err)
		}
		again()

		// Many at once: exactly one wins, holding the lock until everyone has tried.
		var tried, held sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		tried.Add(8)
		for range 8 {
			held.Go(func() {
				u, ok, err := db.TryLock(c, "codex-sync:race")
				tried.Done()
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
					tried.Wait()
					u()
				}
			})
		}
		held.Wait()
		if wins != 1 {
			t.Errorf("%d got the lock; want exactly 1", wins)
		}
	})
}
