package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestDirectScan checks that rows scanned without bun (every column in the direct table)
// hold exactly what bun's scanning of the same rows holds, column by column, for every
// entity, on both databases and synthetic data with NULLs (no account number, no parent,
// no warranty) among the values; and that a projection with a column outside the table
// (JSON) still loads through bun.
func TestDirectScan(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		if err := seed.Scale(c, db.Bun(), 40); err != nil {
			t.Fatal(err)
		}
		roots, err := db.Companies(c, codex.CompanyFilter{RootsOnly: true}, codex.PageArgs{First: ptrTo(100)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range roots.Items {
			ids = append(ids, r.ID)
		}
		all, err := db.Companies(c, codex.CompanyFilter{}, codex.PageArgs{First: ptrTo(1000)})
		if err != nil {
			t.Fatal(err)
		}
		var every []int64
		for _, r := range all.Items {
			every = append(every, r.ID)
		}
		direct := func(entity string) []string {
			cols := store.DirectColumns(entity)
			cols = slices.DeleteFunc(cols, func(c string) bool { return c == "designation" || c == "for_company_id" })
			slices.Sort(cols)
			return cols
		}

		t.Run("contacts", func(t *testing.T) {
			cols := direct("contact")
			var got [][]*codex.Contact
			directly(t, db, 1, func() { got, err = db.ContactsByCompanies(c, every, codex.ContactFilter{Columns: cols}, 5) })
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.ContactsByCompanies(c, every, codex.ContactFilter{}, 5)
			if err != nil {
				t.Fatal(err)
			}
			sameColumns(t, db, flatten(got), flatten(want), append(cols, "designation", "for_company_id"))
		})
		t.Run("children", func(t *testing.T) {
			cols := direct("company")
			var got [][]*codex.Company
			directly(t, db, 1, func() { got, err = db.ChildrenByParents(c, ids, 0, cols) })
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.ChildrenByParents(c, ids, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameColumns(t, db, flatten(got), flatten(want), cols)
		})
		t.Run("assets", func(t *testing.T) {
			cols := direct("asset")
			var got [][]*codex.Asset
			directly(t, db, 1, func() { got, err = db.AssetsByCompanies(c, every, codex.AssetFilter{Columns: cols}, 10) })
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.AssetsByCompanies(c, every, codex.AssetFilter{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			sameColumns(t, db, flatten(got), flatten(want), cols)
			// A JSON column is outside the direct table: bun scans it, and it arrives.
			var withJSON [][]*codex.Asset
			directly(t, db, 0, func() {
				withJSON, err = db.AssetsByCompanies(c, every, codex.AssetFilter{Columns: []string{"name", "ip_addresses"}}, 10)
			})
			if err != nil {
				t.Fatal(err)
			}
			sameColumns(t, db, flatten(withJSON), flatten(want), []string{"name", "ip_addresses"})
		})
		t.Run("devices", func(t *testing.T) {
			cols := direct("equipment")
			var got [][]*codex.NetworkEquipment
			directly(t, db, 1, func() { got, err = db.EquipmentByCompanies(c, every, codex.EquipmentFilter{Columns: cols}, 10) })
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.EquipmentByCompanies(c, every, codex.EquipmentFilter{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			sameColumns(t, db, flatten(got), flatten(want), cols)
		})
	})
}

// directly runs load and checks that it scanned without bun exactly want times.
func directly(t *testing.T, db *store.DB, want int64, load func()) {
	t.Helper()
	before := store.DirectScans(db)
	load()
	if n := store.DirectScans(db) - before; n != want {
		t.Errorf("%d statements scanned directly; want %d", n, want)
	}
}

// sameColumns compares the fields holding cols in got and want, row by row.
func sameColumns[T any](t *testing.T, db *store.DB, got, want []*T, cols []string) {
	t.Helper()
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d rows scanned directly, %d by bun", len(got), len(want))
	}
	table := db.Bun().Table(reflect.TypeFor[T]())
	nulls := 0
	for i := range got {
		g, w := reflect.ValueOf(got[i]).Elem(), reflect.ValueOf(want[i]).Elem()
		for _, c := range cols {
			f := table.FieldMap[c]
			if f == nil {
				t.Fatalf("no column %s", c)
			}
			gv, wv := f.Value(g).Interface(), f.Value(w).Interface()
			if !reflect.DeepEqual(gv, wv) {
				t.Errorf("row %d, %s: direct %#v, bun %#v", i, c, gv, wv)
			}
			if v := f.Value(w); v.Kind() == reflect.Pointer && v.IsNil() {
				nulls++
			}
		}
	}
	t.Logf("%d rows, %d columns, %d NULLs compared", len(got), len(cols), nulls)
}

func flatten[T any](lists [][]*T) []*T {
	var out []*T
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
