package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestTotals(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		a := newCompany(t, db, uniqueName("Tot A"), func(co *codex.Company) { co.Kind = codex.KindClient })
		b := newCompany(t, db, uniqueName("Tot B"), func(co *codex.Company) { co.Kind = codex.KindClient })
		vendor := newCompany(t, db, uniqueName("Tot Vendor"), func(co *codex.Company) { co.Kind = codex.KindVendor })
		newContact(t, db, a.ID, "Ann Alpha")
		shared := newContact(t, db, b.ID, "Bob Beta")
		if err := db.AssignContact(c, shared.ID, a.ID, codex.DesignationSecondary); err != nil {
			t.Fatal(err)
		}
		newAsset(t, db, a.ID, "A-PC1")
		newAsset(t, db, a.ID, "A-PC2")
		gone := newAsset(t, db, a.ID, "A-OLD")
		if _, err := db.ArchiveAsset(c, gone.ID); err != nil {
			t.Fatal(err)
		}
		newAsset(t, db, b.ID, "B-PC1")
		newDevice(t, db, a.ID, "A-SW1", "10.9.0.1")
		t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		for i, st := range []codex.TicketStatus{codex.TicketOpen, codex.TicketPending, codex.TicketClosed} {
			tk := &codex.Ticket{Source: "fs", ExternalID: uniqueName("tot"), CompanyID: a.ID, Subject: "s", Status: st,
				Priority: codex.PriorityLow, CreatedAt: t0.Add(time.Duration(i) * time.Hour), UpdatedAt: t0}
			if _, err := db.SaveTicket(c, tk); err != nil {
				t.Fatal(err)
			}
		}
		for i, resolved := range []bool{false, true} {
			al := &codex.Alert{Source: "datto", ExternalID: uniqueName("tot"), CompanyID: a.ID, Priority: codex.AlertLow,
				Message: "m", RaisedAt: t0.Add(time.Duration(i) * time.Hour), Resolved: resolved}
			if _, err := db.SaveAlert(c, al); err != nil {
				t.Fatal(err)
			}
		}
		all := codex.TotalsFilter{Companies: true, Contacts: true, Assets: true, Network: true, Tickets: true}

		f := all
		f.Scope = []int64{a.ID}
		got, err := db.Totals(c, f)
		if err != nil {
			t.Fatal(err)
		}
		// The shared contact serves A too; the archived asset and the closed ticket and
		// resolved alert are not counted.
		want := []int{1, 2, 2, 1, 2, 1}
		for i, n := range []*int{got.Clients, got.Contacts, got.Assets, got.Equipment, got.OpenTickets, got.OpenAlerts} {
			if n == nil || *n != want[i] {
				t.Errorf("Totals(scope A) count %d = %v; want %d", i, n, want[i])
			}
		}

		// Each count equals its list's total for the same scope.
		for _, scope := range [][]int64{{a.ID}, {a.ID, b.ID, vendor.ID}, {b.ID}, {}} {
			f := all
			f.Scope = scope
			got, err := db.Totals(c, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []struct {
				name string
				got  *int
				list func() (int, error)
			}{
				{"clients", got.Clients, func() (int, error) {
					pg, err := db.Companies(c, codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindClient}, Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
				{"contacts", got.Contacts, func() (int, error) {
					pg, err := db.Contacts(c, codex.ContactFilter{Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
				{"assets", got.Assets, func() (int, error) {
					pg, err := db.Assets(c, codex.AssetFilter{Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
				{"equipment", got.Equipment, func() (int, error) {
					pg, err := db.EquipmentList(c, codex.EquipmentFilter{Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
				{"open tickets", got.OpenTickets, func() (int, error) {
					pg, err := db.Tickets(c, codex.TicketFilter{OpenOnly: true, Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
				{"open alerts", got.OpenAlerts, func() (int, error) {
					pg, err := db.Alerts(c, codex.AlertFilter{Resolved: boolp(false), Scope: scope}, codex.PageArgs{First: intp(0), WantTotal: true})
					return totalOf(pg, err)
				}},
			} {
				want, err := x.list()
				if err != nil {
					t.Fatal(err)
				}
				if x.got == nil || *x.got != want {
					t.Errorf("Totals(scope %v).%s = %v; want the list's total %d", scope, x.name, x.got, want)
				}
			}
		}

		// Counts not asked for are nil, and nothing asked is no statement.
		got, err = db.Totals(c, codex.TotalsFilter{Assets: true, Scope: []int64{b.ID}})
		if err != nil || got.Assets == nil || *got.Assets != 1 || got.Clients != nil || got.OpenTickets != nil {
			t.Errorf("Totals(assets only) = %+v, %v; want only assets = 1", got, err)
		}
		if got, err := db.Totals(c, codex.TotalsFilter{}); err != nil || *got != (codex.Totals{}) {
			t.Errorf("Totals(nothing) = %+v, %v", got, err)
		}
	})
}

func totalOf[T any](pg *codex.Page[T], err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return pg.TotalCount, nil
}

func TestExpiring(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Exp Co"))
		other := newCompany(t, db, uniqueName("Exp Other"))
		day := func(m, d int) *codex.Date { return &codex.Date{Year: 2031, Month: time.Month(m), Day: d} }
		warranty := func(d *codex.Date) func(*codex.Asset) { return func(a *codex.Asset) { a.WarrantyExpires = d } }
		licence := func(d *codex.Date) func(*codex.Asset) {
			return func(a *codex.Asset) { a.Type, a.LicenseExpires = codex.AssetLicense, d }
		}
		newAsset(t, db, co.ID, "W-before", warranty(day(1, 9)))
		newAsset(t, db, co.ID, "W-first-day", warranty(day(1, 10)))
		newAsset(t, db, co.ID, "W-late", warranty(day(3, 1)))
		newAsset(t, db, co.ID, "W-end", warranty(day(4, 10))) // Before is exclusive
		gone := newAsset(t, db, co.ID, "W-archived", warranty(day(2, 1)))
		if _, err := db.ArchiveAsset(c, gone.ID); err != nil {
			t.Fatal(err)
		}
		newAsset(t, db, co.ID, "L-365", licence(day(2, 15)))
		newAsset(t, db, co.ID, "L-before", licence(day(1, 1)))
		// A licence date on an asset that is not a licence is not a licence ending.
		newAsset(t, db, co.ID, "PC-with-licence-date", func(a *codex.Asset) { a.LicenseExpires = day(2, 2) })
		newAsset(t, db, other.ID, "Other-W", warranty(day(2, 20)))

		f := codex.ExpiryFilter{From: *day(1, 10), Before: *day(4, 10), Scope: []int64{co.ID}}
		got, err := db.Expiring(c, f)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"warranty W-first-day 2031-01-10", "licence L-365 2031-02-15", "warranty W-late 2031-03-01"}
		if s := expiryText(got); !slices.Equal(s, want) {
			t.Errorf("Expiring(scope co) = %v; want %v", s, want)
		}
		f.Scope = []int64{co.ID, other.ID}
		f.Limit = 1
		got, err = db.Expiring(c, f)
		want = []string{"warranty W-first-day 2031-01-10", "licence L-365 2031-02-15"}
		if s := expiryText(got); err != nil || !slices.Equal(s, want) {
			t.Errorf("Expiring(limit 1) = %v, %v; want %v", s, err, want)
		}
		f.Scope, f.Limit = []int64{}, 0
		if got, err := db.Expiring(c, f); err != nil || len(got) != 0 {
			t.Errorf("Expiring(empty scope) = %v, %v; want none", expiryText(got), err)
		}
	})
}

func expiryText(es []*codex.Expiry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.What+" "+e.Asset.Name+" "+e.Ends.String())
	}
	return out
}
