package store_test

import (
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestSyncStore(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Sync"))
		co2 := newCompany(t, db, uniqueName("Sync 2"))

		r := &codex.ExternalRef{Entity: "company", EntityID: co.ID, Source: "freshservice", ExternalID: "21000097759", Fingerprint: "f1"}
		if err := db.SaveExternalRef(c, r); err != nil || r.ID == 0 || r.SyncedAt.IsZero() {
			t.Fatalf("SaveExternalRef(new) = %v, %+v", err, r)
		}
		// Saving the same outside record again updates it in place.
		r2 := &codex.ExternalRef{Entity: "company", EntityID: co.ID, Source: "freshservice", ExternalID: "21000097759", Fingerprint: "f2"}
		if err := db.SaveExternalRef(c, r2); err != nil || r2.ID != r.ID {
			t.Fatalf("SaveExternalRef(again) = %v, id %d; want id %d", err, r2.ID, r.ID)
		}
		got, err := db.ExternalRef(c, "freshservice", "company", "21000097759")
		if err != nil || got.Fingerprint != "f2" || got.EntityID != co.ID {
			t.Errorf("ExternalRef = %+v, %v; want fingerprint f2", got, err)
		}
		// The row's reference to that source follows a new outside id.
		r3 := &codex.ExternalRef{Entity: "company", EntityID: co.ID, Source: "freshservice", ExternalID: "999"}
		if err := db.SaveExternalRef(c, r3); err != nil || r3.ID != r.ID {
			t.Errorf("SaveExternalRef(new external id) = %v, id %d; want id %d", err, r3.ID, r.ID)
		}
		datto := &codex.ExternalRef{Entity: "company", EntityID: co.ID, Source: "datto", ExternalID: "site-uid"}
		if err := db.SaveExternalRef(c, datto); err != nil {
			t.Fatal(err)
		}
		other := &codex.ExternalRef{Entity: "company", EntityID: co2.ID, Source: "datto", ExternalID: "site-2"}
		if err := db.SaveExternalRef(c, other); err != nil {
			t.Fatal(err)
		}
		// Pointing co2's datto id at co, which has one already, is a conflict.
		clash := &codex.ExternalRef{Entity: "company", EntityID: co.ID, Source: "datto", ExternalID: "site-2"}
		err = db.SaveExternalRef(c, clash)
		wantErr(t, "SaveExternalRef(clash)", err, codex.Conflict, "entity_id")
		err = db.SaveExternalRef(c, &codex.ExternalRef{Entity: "company", Source: "x"})
		wantErr(t, "SaveExternalRef(incomplete)", err, codex.Invalid, "external_id")
		_, err = db.ExternalRef(c, "freshservice", "company", "21000097759")
		wantErr(t, "ExternalRef(old id)", err, codex.NotFound, "")

		refs, err := db.ExternalRefsByEntity(c, "company", []int64{co2.ID, 999999, co.ID})
		if err != nil || len(refs[0]) != 1 || len(refs[1]) != 0 || len(refs[2]) != 2 || refs[2][0].Source != "datto" {
			t.Errorf("ExternalRefsByEntity = %v, %v; want [[datto] [] [datto freshservice]]", refs, err)
		}

		run, err := db.StartSyncRun(c, "freshservice", "schedule")
		if err != nil || run.ID == 0 || run.Status != codex.SyncRunning {
			t.Fatalf("StartSyncRun = %+v, %v", run, err)
		}
		if last, err := db.LastSyncRun(c, "freshservice", ""); err != nil || last.ID != run.ID {
			t.Errorf("LastSyncRun(any) = %v, %v; want the running one", last, err)
		}
		_, err = db.LastSyncRun(c, "freshservice", codex.SyncSucceeded)
		wantErr(t, "LastSyncRun(succeeded, none yet)", err, codex.NotFound, "")
		mark := time.Date(2026, 5, 2, 3, 4, 5, 0, time.UTC)
		run.Created, run.Updated = 3, 4
		run.Counts = map[string]codex.SyncCounts{"company": {Created: 3, Updated: 4}}
		run.Watermark = &mark
		if err := db.FinishSyncRun(c, run); err != nil || run.Status != codex.SyncSucceeded || run.FinishedAt == nil {
			t.Fatalf("FinishSyncRun = %v, %+v; want succeeded", err, run)
		}
		failed, _ := db.StartSyncRun(c, "freshservice", "admin@example.com")
		failed.Error = "freshservice: 429 Too Many Requests"
		if err := db.FinishSyncRun(c, failed); err != nil || failed.Status != codex.SyncFailed {
			t.Fatalf("FinishSyncRun(error) = %v, status %q; want failed", err, failed.Status)
		}
		got2, err := db.SyncRun(c, run.ID)
		if err != nil || got2.Created != 3 || got2.Counts["company"].Updated != 4 || !got2.Watermark.Equal(mark) || got2.FinishedAt == nil {
			t.Errorf("SyncRun = %+v, %v", got2, err)
		}
		ok, err := db.LastSyncRun(c, "freshservice", codex.SyncSucceeded)
		if err != nil || ok.ID != run.ID {
			t.Errorf("LastSyncRun(succeeded) = %v, %v; want %d", ok, err, run.ID)
		}
		pg, err := db.SyncRuns(c, "freshservice", codex.PageArgs{WantTotal: true})
		if err != nil || pg.TotalCount != 2 || pg.Items[0].ID != failed.ID {
			t.Errorf("SyncRuns = %+v, %v; want 2, newest first", pg, err)
		}
		if pg, _ := db.SyncRuns(c, "", codex.PageArgs{WantTotal: true}); pg.TotalCount != 2 {
			t.Errorf("SyncRuns(every source) total = %d; want 2", pg.TotalCount)
		}
		_, err = db.SyncRun(c, 999999)
		wantErr(t, "SyncRun(999999)", err, codex.NotFound, "")
		err = db.FinishSyncRun(c, &codex.SyncRun{ID: 999999})
		wantErr(t, "FinishSyncRun(999999)", err, codex.NotFound, "")
	})
}
