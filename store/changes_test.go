package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestSQLiteChangeTags checks the tags SQLite writes announce (PostgreSQL's triggers are
// tested in package cache).
func TestSQLiteChangeTags(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := context.Background()
	var mu sync.Mutex
	var got []string
	db.OnChange(func(tags []string) {
		mu.Lock()
		got = append(got, tags...)
		mu.Unlock()
	})
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		slices.Sort(out)
		return slices.Compact(out)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.Bun().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("INSERT INTO companies (id, name, created_at, updated_at) VALUES (1, 'A', '2026-01-01', '2026-01-01'), (2, 'B', '2026-01-01', '2026-01-01')")
	take()
	tests := []struct {
		name string
		run  func()
		want []string
	}{
		{"re-parent", func() { exec("UPDATE companies SET parent_id = 1 WHERE id = 2") },
			[]string{"companies#2", "companies.any", "companies.parent#1"}},
		{"a contact and its assignment", func() {
			exec("INSERT INTO contacts (id, company_id, first_name, display_name, created_at, updated_at) VALUES (7, 1, 'J', 'J', '2026-01-01', '2026-01-01')")
			exec("INSERT INTO contact_companies (contact_id, company_id, designation) VALUES (7, 1, 'none'), (7, 2, 'secondary')")
		}, []string{"contacts#7", "contacts.any", "contacts.company#1", "contacts.company#2"}},
		{"a contact's own change reaches every company it serves", func() {
			exec("UPDATE contacts SET archived_at = '2026-02-01' WHERE id = 7")
		}, []string{"contacts#7", "contacts.any", "contacts.company#1", "contacts.company#2"}},
		{"a transaction rolled back", func() {
			err := db.Bun().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.ExecContext(ctx, "UPDATE companies SET name = 'X' WHERE id = 1"); err != nil {
					return err
				}
				return errors.New("no")
			})
			if err == nil {
				t.Fatal("RunInTx = nil")
			}
		}, nil},
		{"a committed transaction", func() {
			if err := db.Bun().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE companies SET name = 'X' WHERE id = 1")
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}, []string{"companies#1", "companies.any"}},
		{"an agent's address, ASCII case folded", func() {
			exec("INSERT INTO agents (email, name, permission_level, created_at, updated_at) VALUES ('Ann@MSP.example', 'Ann', 'technician', '2026-01-01', '2026-01-01')")
		}, []string{"agents.any", store.EmailTag("ann@msp.example")}},
		{"a table rebuilt under another name", func() {
			exec("CREATE TABLE contacts_new AS SELECT * FROM contacts WHERE 0")
			exec("INSERT INTO contacts_new SELECT * FROM contacts")
			exec("DROP TABLE contacts_new")
		}, []string{"flush"}},
		{"an unrelated table", func() {
			exec("CREATE TABLE unrelated (x INTEGER)")
			exec("INSERT INTO unrelated VALUES (1)")
		}, nil},
		{"many rows at once", func() {
			exec("WITH RECURSIVE g(n) AS (SELECT 100 UNION ALL SELECT n + 1 FROM g WHERE n < 5100) INSERT INTO companies (id, name, created_at, updated_at) SELECT n, 'C', '2026-01-01', '2026-01-01' FROM g")
		}, nil}, // checked below
	}
	for _, tc := range tests {
		tc.run()
		g := take()
		if tc.name == "many rows at once" {
			if len(g) > 4100 || !slices.Contains(g, store.TableTag("companies")) {
				t.Errorf("%s: %d tags, table tag %v; want at most ~4,096 and the table's", tc.name, len(g), slices.Contains(g, store.TableTag("companies")))
			}
			continue
		}
		if !slices.Equal(g, tc.want) {
			t.Errorf("%s: tags %v; want %v", tc.name, g, tc.want)
		}
	}
}
