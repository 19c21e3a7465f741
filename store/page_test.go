package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func assetIDs(as []*codex.Asset) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// walk pages through every asset f selects in pages of size, forward or backward, and
// returns the ids in list order, checking totals and page flags on the way.
func walk(t *testing.T, db *store.DB, f codex.AssetFilter, size int, backward bool) []int64 {
	t.Helper()
	c := ctx(t)
	var out []int64
	p := codex.PageArgs{WantTotal: true}
	total := -1
	for i := 0; ; i++ {
		if backward {
			p.Last = &size
		} else {
			p.First = &size
		}
		pg, err := db.Assets(c, f, p)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if total >= 0 && pg.TotalCount != total {
			t.Fatalf("page %d total = %d; want %d (stable)", i, pg.TotalCount, total)
		}
		total = pg.TotalCount
		if len(pg.Cursors) != len(pg.Items) {
			t.Fatalf("page %d: %d cursors for %d items", i, len(pg.Cursors), len(pg.Items))
		}
		ids := assetIDs(pg.Items)
		more := pg.HasNextPage
		if backward {
			more = pg.HasPreviousPage
			out = append(ids, out...)
			if i > 0 && !pg.HasNextPage {
				t.Fatalf("page %d backward: HasNextPage = false; want true", i)
			}
		} else {
			out = append(out, ids...)
			if i > 0 && !pg.HasPreviousPage {
				t.Fatalf("page %d: HasPreviousPage = false; want true", i)
			}
		}
		if !more {
			if len(out) != total {
				t.Fatalf("walked %d rows; total says %d", len(out), total)
			}
			return out
		}
		if len(pg.Items) != size {
			t.Fatalf("page %d has %d rows and more pages; want %d", i, len(pg.Items), size)
		}
		if backward {
			p.Before = pg.Cursors[0]
		} else {
			p.After = pg.Cursors[len(pg.Cursors)-1]
		}
		if i > 100 {
			t.Fatal("too many pages")
		}
	}
}

func TestPagination(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Paging"))
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for i := range 13 {
			newAsset(t, db, co.ID, fmt.Sprintf("host-%02d", i%5), func(a *codex.Asset) {
				if i%3 != 0 {
					d := codex.Date{Year: 2027, Month: time.Month(1 + i%4), Day: 1}
					a.WarrantyExpires = &d
				}
				if i%4 != 0 {
					ls := base.Add(time.Duration(i%6) * time.Hour).Add(123456 * time.Nanosecond)
					a.LastSeen = &ls
				}
				a.SerialNumber = fmt.Sprintf("SN%d", 13-i)
				if i%2 == 0 {
					a.Type = codex.AssetLaptop
				}
			})
		}
		orders := []codex.Order{
			{}, {Field: "name", Desc: true}, {Field: "id"}, {Field: "id", Desc: true},
			{Field: "warranty_expires"}, {Field: "warranty_expires", Desc: true},
			{Field: "last_seen"}, {Field: "last_seen", Desc: true},
			{Field: "type"}, {Field: "serial_number", Desc: true}, {Field: "created_at", Desc: true}, {Field: "updated_at"},
		}
		for _, o := range orders {
			t.Run(fmt.Sprintf("%s desc=%v", o.Field, o.Desc), func(t *testing.T) {
				f := codex.AssetFilter{CompanyID: &co.ID, Order: o}
				all, err := db.Assets(c, f, codex.PageArgs{First: intp(100)})
				if err != nil {
					t.Fatal(err)
				}
				want := assetIDs(all.Items)
				if len(want) != 13 {
					t.Fatalf("one page = %d rows; want 13", len(want))
				}
				for _, size := range []int{1, 4, 13} {
					if got := walk(t, db, f, size, false); !slices.Equal(got, want) {
						t.Errorf("forward by %d = %v; want %v", size, got, want)
					}
					if got := walk(t, db, f, size, true); !slices.Equal(got, want) {
						t.Errorf("backward by %d = %v; want %v", size, got, want)
					}
				}
				pg, err := db.Assets(c, f, codex.PageArgs{Offset: 4, First: intp(3)})
				if err != nil {
					t.Fatal(err)
				}
				if got := assetIDs(pg.Items); !slices.Equal(got, want[4:7]) || !pg.HasPreviousPage || !pg.HasNextPage || len(pg.Cursors) != 3 {
					t.Errorf("offset 4 first 3 = %v (prev %v next %v); want %v", got, pg.HasPreviousPage, pg.HasNextPage, want[4:7])
				}
				// The cursor of row 6 continues right after it.
				pg, err = db.Assets(c, f, codex.PageArgs{After: pg.Cursors[2], First: intp(2)})
				if err != nil {
					t.Fatal(err)
				}
				if got := assetIDs(pg.Items); !slices.Equal(got, want[7:9]) {
					t.Errorf("after offset page = %v; want %v", got, want[7:9])
				}
				// Between two cursors.
				pg, err = db.Assets(c, f, codex.PageArgs{After: all.Cursors[2], Before: all.Cursors[6]})
				if err != nil {
					t.Fatal(err)
				}
				if got := assetIDs(pg.Items); !slices.Equal(got, want[3:6]) {
					t.Errorf("after 2 before 6 = %v; want %v", got, want[3:6])
				}
			})
		}

		t.Run("default size", func(t *testing.T) {
			pg, err := db.Assets(c, codex.AssetFilter{CompanyID: &co.ID}, codex.PageArgs{})
			if err != nil || len(pg.Items) != 13 || pg.HasNextPage || pg.HasPreviousPage {
				t.Errorf("Assets(no page args) = %d rows, next %v, prev %v, %v; want 13, false, false", len(pg.Items), pg.HasNextPage, pg.HasPreviousPage, err)
			}
			pg, err = db.Assets(c, codex.AssetFilter{CompanyID: &co.ID}, codex.PageArgs{First: intp(0), WantTotal: true})
			if err != nil || len(pg.Items) != 0 || !pg.HasNextPage || pg.TotalCount != 13 {
				t.Errorf("Assets(first 0) = %d rows, next %v, total %d, %v; want 0, true, 13", len(pg.Items), pg.HasNextPage, pg.TotalCount, err)
			}
		})

		t.Run("cursor of another order", func(t *testing.T) {
			pg, err := db.Assets(c, codex.AssetFilter{CompanyID: &co.ID}, codex.PageArgs{First: intp(2)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Assets(c, codex.AssetFilter{CompanyID: &co.ID, Order: codex.Order{Field: "last_seen"}}, codex.PageArgs{After: pg.Cursors[1]})
			wantErr(t, "Assets(name cursor, last_seen order)", err, codex.Invalid, "after")
			_, err = db.Assets(c, codex.AssetFilter{CompanyID: &co.ID}, codex.PageArgs{Before: pg.Cursors[1] + "x"})
			wantErr(t, "Assets(bad cursor)", err, codex.Invalid, "before")
		})

		t.Run("rows inserted between pages", func(t *testing.T) {
			other := newCompany(t, db, uniqueName("Paging Inserts"))
			for i := range 6 {
				newAsset(t, db, other.ID, fmt.Sprintf("m-%02d", i*2))
			}
			f := codex.AssetFilter{CompanyID: &other.ID}
			var seen []string
			p := codex.PageArgs{First: intp(2), WantTotal: true}
			for page := 0; ; page++ {
				pg, err := db.Assets(c, f, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range pg.Items {
					seen = append(seen, a.Name)
				}
				if page == 0 {
					// One row before the cursor (not seen: it belongs to a page already read),
					// one after (seen once), and a duplicate name of the cursor row.
					newAsset(t, db, other.ID, "m-01")
					newAsset(t, db, other.ID, "m-07")
					newAsset(t, db, other.ID, "m-02")
				}
				if !pg.HasNextPage {
					if page == 0 || pg.TotalCount != 9 {
						t.Errorf("last page total = %d; want 9", pg.TotalCount)
					}
					break
				}
				p.After = pg.Cursors[len(pg.Cursors)-1]
			}
			want := []string{"m-00", "m-02", "m-02", "m-04", "m-06", "m-07", "m-08", "m-10"}
			if !slices.Equal(seen, want) {
				t.Errorf("names seen = %v; want %v", seen, want)
			}
		})

		t.Run("tickets by priority rank", func(t *testing.T) {
			prios := []codex.TicketPriority{codex.PriorityHigh, codex.PriorityLow, codex.PriorityUrgent, codex.PriorityMedium, codex.PriorityLow}
			for i, pr := range prios {
				if _, err := db.SaveTicket(c, &codex.Ticket{Source: "test", ExternalID: uniqueName("P"), CompanyID: co.ID,
					Subject: fmt.Sprint("t", i), Status: codex.TicketOpen, Priority: pr}); err != nil {
					t.Fatal(err)
				}
			}
			f := codex.TicketFilter{CompanyID: &co.ID, Order: codex.Order{Field: "priority", Desc: true}}
			var got []codex.TicketPriority
			p := codex.PageArgs{First: intp(2)}
			for {
				pg, err := db.Tickets(c, f, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range pg.Items {
					got = append(got, tk.Priority)
				}
				if !pg.HasNextPage {
					break
				}
				p.After = pg.Cursors[len(pg.Cursors)-1]
			}
			want := []codex.TicketPriority{codex.PriorityUrgent, codex.PriorityHigh, codex.PriorityMedium, codex.PriorityLow, codex.PriorityLow}
			if !slices.Equal(got, want) {
				t.Errorf("tickets by priority desc = %v; want %v", got, want)
			}
		})
	})
}
