package store

import (
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
)

// FuzzCursor checks that decoding any cursor string never panics and that every cursor
// the store makes decodes back to the same position, for each order of companies.
func FuzzCursor(f *testing.F) {
	orders := codex.CompanyOrders
	row := &codex.Company{ID: 7, Name: "Acme", AccountNumber: ptrTo("A-1"),
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for i, field := range orders {
		o, k, err := companyEntity.order(codex.Order{Field: field, Desc: i%2 == 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(companyEntity.encodeCursor(o, k, row), uint8(i), i%2 == 1)
	}
	f.Add("", uint8(0), false)
	f.Add("eyJmIjoibmFtZSJ9", uint8(0), false)
	f.Add("!!!", uint8(1), true)
	f.Fuzz(func(t *testing.T, s string, which uint8, desc bool) {
		field := orders[int(which)%len(orders)]
		o, k, err := companyEntity.order(codex.Order{Field: field, Desc: desc})
		if err != nil {
			t.Fatal(err)
		}
		c, err := companyEntity.decodeCursor(s, "after", o, k)
		if err != nil {
			if codex.ErrorCode(err) != codex.Invalid {
				t.Fatalf("decodeCursor(%q) = %v; want an Invalid error", s, err)
			}
			return
		}
		if c == nil {
			t.Fatalf("decodeCursor(%q) = nil, nil", s)
		}
		// A cursor of our own decodes to its row's id.
		own := companyEntity.encodeCursor(o, k, row)
		if back, err := companyEntity.decodeCursor(own, "after", o, k); err != nil || back.ID != row.ID {
			t.Fatalf("own cursor %q decodes to %+v, %v", own, back, err)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
