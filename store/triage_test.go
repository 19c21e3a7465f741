package store_test

import (
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestAssignAccountNumbers(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		a := newCompany(t, db, "A")
		newCompany(t, db, "Taken", func(c *codex.Company) { c.AccountNumber = strp("MSP-0101") })
		b := newCompany(t, db, "B")
		newCompany(t, db, "Vendor", func(c *codex.Company) { c.Kind = codex.KindVendor })
		old := newCompany(t, db, "Old")
		if _, err := db.ArchiveCompany(c, old.ID); err != nil {
			t.Fatal(err)
		}

		got, err := db.AssignAccountNumbers(c, "MSP-%04d", 100)
		if err != nil {
			t.Fatalf("AssignAccountNumbers = %v", err)
		}
		// Clients only, not archived, in id order, skipping a number a company holds.
		want := map[int64]string{a.ID: "MSP-0100", b.ID: "MSP-0102"}
		if len(got) != 2 {
			t.Fatalf("numbered %d companies; want 2 (A and B)", len(got))
		}
		for _, co := range got {
			if *co.AccountNumber != want[co.ID] {
				t.Errorf("company %d numbered %s; want %s", co.ID, *co.AccountNumber, want[co.ID])
			}
		}
		if again, err := db.AssignAccountNumbers(c, "MSP-%04d", 100); err != nil || len(again) != 0 {
			t.Errorf("second AssignAccountNumbers = %d, %v; want nothing to do", len(again), err)
		}
		// A number given up is never handed out again.
		if _, err := db.UpdateCompany(c, b.ID, codex.CompanyPatch{AccountNumber: strp("")}); err != nil {
			t.Fatal(err)
		}
		got, err = db.AssignAccountNumbers(c, "MSP-%04d", 100)
		if err != nil || len(got) != 1 || *got[0].AccountNumber != "MSP-0103" {
			t.Errorf("renumbering B = %+v, %v; want MSP-0103", got, err)
		}
		entries, err := db.AuditLog(c, codex.AuditFilter{Entity: "company", EntityID: &a.ID}, codex.PageArgs{})
		if err != nil || len(entries.Items) < 2 {
			t.Errorf("audit of A = %v, %v; want its creation and its numbering", entries, err)
		}
		if _, err := db.AssignAccountNumbers(c, "MSP", 1); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("AssignAccountNumbers(bad format) = %v; want invalid", err)
		}
	})
}

func TestTriageItems(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		items := []*codex.TriageItem{
			{Source: "freshservice", Entity: "contact", ExternalID: "7", Reason: codex.TriageUnassigned, Upstream: map[string]string{"email": "x@y.example"}},
			{Source: "freshservice", Entity: "ticket", ExternalID: "9", Reason: codex.TriageUnassigned, Requester: "7"},
		}
		if err := db.SaveTriageItems(c, items); err != nil || items[0].ID == 0 {
			t.Fatalf("SaveTriageItems = %v (ids %d)", err, items[0].ID)
		}
		// Seen again: updated in place, not repeated.
		again := []*codex.TriageItem{{Source: "freshservice", Entity: "contact", ExternalID: "7", Reason: codex.TriageUnassigned, Label: "requester 7"}}
		if err := db.SaveTriageItems(c, again); err != nil || again[0].ID != items[0].ID {
			t.Fatalf("SaveTriageItems again = %v, id %d; want id %d", err, again[0].ID, items[0].ID)
		}
		pg, err := db.TriageItems(c, codex.TriageFilter{Requester: "7"}, codex.PageArgs{})
		if err != nil || len(pg.Items) != 1 || pg.Items[0].ExternalID != "9" {
			t.Errorf("TriageItems(requester 7) = %+v, %v; want the ticket", pg, err)
		}
		if err := db.SaveTriageItems(c, []*codex.TriageItem{{Source: "x", Entity: "y", ExternalID: "1", Reason: "lost"}}); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("SaveTriageItems(bad reason) = %v; want invalid", err)
		}
		n, err := db.DeleteTriageItems(c, "freshservice", "contact", []string{"7", "8"})
		if err != nil || n != 1 {
			t.Errorf("DeleteTriageItems = %d, %v; want 1", n, err)
		}
		if _, err := db.TriageItem(c, items[0].ID); !codex.IsNotFound(err) {
			t.Errorf("TriageItem(deleted) = %v; want not found", err)
		}
	})
}
