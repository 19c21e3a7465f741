package cache_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store/storetest"
)

// BenchmarkContactsByCompanies compares a hit with a miss and with the store alone, for
// the contacts of 20 companies (10 each): go test ./cache -run - -bench . -benchtime 2s
func BenchmarkContactsByCompanies(b *testing.B) {
	for _, dialect := range storetest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			ctx := codex.WithPrincipal(context.Background(), &codex.Principal{Email: "a@b.example", Level: codex.LevelAdmin})
			var ids []int64
			for i := range 20 {
				co := &codex.Company{Name: fmt.Sprintf("Company %d", i)}
				if err := db.CreateCompany(ctx, co); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, co.ID)
				for j := range 10 {
					ct := &codex.Contact{CompanyID: co.ID, FirstName: "Person", LastName: fmt.Sprint(j), Email: fmt.Sprintf("p%d.%d@x.example", i, j), Active: true}
					if err := db.CreateContact(ctx, ct); err != nil {
						b.Fatal(err)
					}
				}
			}
			c := newCache(b, db)
			svc := c.Services(db.Services())
			read := func(svc codex.ContactService) {
				ls, err := svc.ContactsByCompanies(ctx, ids, codex.ContactFilter{}, 0)
				if err != nil || len(ls[19]) != 10 {
					b.Fatalf("ContactsByCompanies = %d, %v", len(ls), err)
				}
			}
			b.Run("store", func(b *testing.B) {
				for b.Loop() {
					read(db)
				}
			})
			b.Run("miss", func(b *testing.B) {
				for b.Loop() {
					c.Flush()
					read(svc.Contacts)
				}
			})
			b.Run("hit", func(b *testing.B) {
				read(svc.Contacts)
				for b.Loop() {
					read(svc.Contacts)
				}
			})
		})
	}
}
