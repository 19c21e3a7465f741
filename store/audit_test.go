package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestAuditLog(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		db = store.New(db.Bun(), store.WithClock(clock))

		seed := codex.WithRequestID(codex.WithPrincipal(context.Background(), codex.SystemPrincipal("seed")), "r-seed")
		a := &codex.Company{Name: "Audited A"}
		if err := db.CreateCompany(seed, a); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		now = now.Add(time.Hour)
		mu.Unlock()
		b := &codex.Company{Name: "Audited B"}
		if err := db.CreateCompany(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateCompany(seed, a.ID, codex.CompanyPatch{Phone: strp("1")}); err != nil {
			t.Fatal(err)
		}
		since := now
		tests := []struct {
			name string
			f    codex.AuditFilter
			want []string // action entity_id, newest first
		}{
			{"actor", codex.AuditFilter{Actor: "system:seed"}, []string{fmt.Sprint("update ", a.ID), fmt.Sprint("create ", a.ID)}},
			{"anonymous", codex.AuditFilter{Actor: "anonymous"}, []string{fmt.Sprint("create ", b.ID)}},
			{"entity id", codex.AuditFilter{Entity: "company", EntityID: &b.ID}, []string{fmt.Sprint("create ", b.ID)}},
			{"action", codex.AuditFilter{Action: "update"}, []string{fmt.Sprint("update ", a.ID)}},
			{"since", codex.AuditFilter{Since: &since}, []string{fmt.Sprint("update ", a.ID), fmt.Sprint("create ", b.ID)}},
			{"scope", codex.AuditFilter{Scope: []int64{b.ID}}, []string{fmt.Sprint("create ", b.ID)}},
			{"empty scope", codex.AuditFilter{Scope: []int64{}}, nil},
		}
		for _, tt := range tests {
			pg, err := db.AuditLog(context.Background(), tt.f, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, e := range pg.Items {
				got = append(got, fmt.Sprint(e.Action, " ", e.EntityID))
			}
			if !slices.Equal(got, tt.want) || pg.TotalCount != len(tt.want) {
				t.Errorf("AuditLog(%s) = %v (total %d); want %v", tt.name, got, pg.TotalCount, tt.want)
			}
		}
		es := auditOf(t, db, "company", a.ID)
		if es[0].RequestID != "r-seed" || !es[0].At.Equal(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("audit entry = %+v; want request r-seed at the fixed clock", es[0])
		}
	})
}

// TestConcurrentWrites checks that concurrent writers wait for each other rather than
// fail: SQLite serializes them with BEGIN IMMEDIATE and busy_timeout.
func TestConcurrentWrites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		co := newCompany(t, db, uniqueName("Concurrent"))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					c := &codex.Contact{CompanyID: co.ID, FirstName: fmt.Sprint("W", w), LastName: fmt.Sprint(i)}
					if err := db.CreateContact(ctx(t), c); err != nil {
						errs <- err
						return
					}
					if _, err := db.Contacts(ctx(t), codex.ContactFilter{CompanyID: &co.ID}, codex.PageArgs{First: intp(5)}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent write: %v", err)
		}
		n, _ := db.CountContactsByCompanies(ctx(t), []int64{co.ID}, codex.ContactFilter{})
		if n[0] != 40 {
			t.Errorf("contacts = %d; want 40", n[0])
		}
	})
}
