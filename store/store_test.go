package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// testActor is the principal test writes run as.
const testActor = "tester@example.com"

// ctx returns a context carrying the test principal and a request id.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c := codex.WithPrincipal(context.Background(), &codex.Principal{Email: testActor, Level: codex.LevelAdmin})
	return codex.WithRequestID(c, "req-"+strings.ReplaceAll(t.Name(), "/", "-"))
}

func strp(s string) *string { return &s }
func i64(n int64) *int64    { return &n }
func intp(n int) *int       { return &n }
func boolp(b bool) *bool    { return &b }

var seq atomic.Int64

// uniqueName returns prefix with a suffix unique within the test binary.
func uniqueName(prefix string) string { return fmt.Sprintf("%s %03d", prefix, seq.Add(1)) }

// newCompany creates a company named name, changed by mods first.
func newCompany(t *testing.T, db *store.DB, name string, mods ...func(*codex.Company)) *codex.Company {
	t.Helper()
	c := &codex.Company{Name: name}
	for _, m := range mods {
		m(c)
	}
	if err := db.CreateCompany(ctx(t), c); err != nil {
		t.Fatalf("CreateCompany(%q): %v", name, err)
	}
	return c
}

func under(parent *codex.Company) func(*codex.Company) {
	return func(c *codex.Company) { c.ParentID = &parent.ID }
}

// newContact creates a contact at company.
func newContact(t *testing.T, db *store.DB, companyID int64, name string, mods ...func(*codex.Contact)) *codex.Contact {
	t.Helper()
	first, last := codex.SplitName(name)
	c := &codex.Contact{CompanyID: companyID, FirstName: first, LastName: last, Active: true}
	for _, m := range mods {
		m(c)
	}
	if err := db.CreateContact(ctx(t), c); err != nil {
		t.Fatalf("CreateContact(%q): %v", name, err)
	}
	return c
}

// newAsset creates an asset at company.
func newAsset(t *testing.T, db *store.DB, companyID int64, name string, mods ...func(*codex.Asset)) *codex.Asset {
	t.Helper()
	a := &codex.Asset{CompanyID: companyID, Name: name, Type: codex.AssetWorkstation}
	for _, m := range mods {
		m(a)
	}
	if err := db.CreateAsset(ctx(t), a); err != nil {
		t.Fatalf("CreateAsset(%q): %v", name, err)
	}
	return a
}

// newDevice creates network equipment at company.
func newDevice(t *testing.T, db *store.DB, companyID int64, name, ip string) *codex.NetworkEquipment {
	t.Helper()
	e := &codex.NetworkEquipment{CompanyID: companyID, Name: name, Type: codex.EquipmentSwitch, IPAddress: ip}
	if err := db.CreateEquipment(ctx(t), e); err != nil {
		t.Fatalf("CreateEquipment(%q): %v", name, err)
	}
	return e
}

// wantErr fails unless err has code and, when field is set, names field.
func wantErr(t *testing.T, what string, err error, code codex.Code, field string) {
	t.Helper()
	if got := codex.ErrorCode(err); got != code {
		t.Fatalf("%s: error code = %q (%v); want %q", what, got, err, code)
	}
	if field != "" {
		if _, ok := codex.ErrorFields(err)[field]; !ok {
			t.Fatalf("%s: error fields = %v; want a message for %q", what, codex.ErrorFields(err), field)
		}
	}
}

// auditOf returns the audit entries of one row, oldest first.
func auditOf(t *testing.T, db *store.DB, entity string, id int64) []*codex.AuditEntry {
	t.Helper()
	pg, err := db.AuditLog(context.Background(), codex.AuditFilter{Entity: entity, EntityID: &id}, codex.PageArgs{First: intp(1000)})
	if err != nil {
		t.Fatalf("AuditLog(%s %d): %v", entity, id, err)
	}
	out := pg.Items
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// lastAudit returns the newest audit entry of a row and checks its actor, request id and
// action.
func lastAudit(t *testing.T, db *store.DB, entity string, id int64, action string) *codex.AuditEntry {
	t.Helper()
	es := auditOf(t, db, entity, id)
	if len(es) == 0 {
		t.Fatalf("no audit entry for %s %d", entity, id)
	}
	e := es[len(es)-1]
	if e.Action != action || e.Actor != testActor || !strings.HasPrefix(e.RequestID, "req-") {
		t.Fatalf("audit of %s %d = {action %q, actor %q, request %q}; want {%q, %q, req-...}",
			entity, id, e.Action, e.Actor, e.RequestID, action, testActor)
	}
	return e
}

// field decodes one field of an audit snapshot.
func field(t *testing.T, doc json.RawMessage, name string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("audit snapshot %s: %v", doc, err)
	}
	return m[name]
}

func TestMigrate(t *testing.T) {
	tables := []string{"companies", "locations", "contacts", "contact_companies", "assets", "asset_ips", "asset_contacts",
		"network_equipment", "network_links", "subnets", "tickets", "alerts", "agents", "external_refs", "sync_runs", "audit_log"}
	for _, dialect := range storetest.Dialects {
		name := map[string]string{"pg": "postgres"}[dialect]
		if name == "" {
			name = dialect
		}
		t.Run(name, func(t *testing.T) {
			c := context.Background()
			dsn := storetest.Fresh(t, dialect)
			// Separate handles stand for separate processes starting at once.
			handles := make([]*store.DB, 3)
			for i := range handles {
				db, err := store.Open(c, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				handles[i] = db
			}
			db := handles[0]
			if got := db.Dialect(); got != dialect {
				t.Fatalf("Dialect() = %q; want %q", got, dialect)
			}
			if _, err := db.Bun().NewSelect().Table("companies").Count(c); err == nil {
				t.Fatal("a fresh database already has a companies table")
			}
			ms, err := db.MigrationStatus(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Applied {
					t.Errorf("migration %s applied on a fresh database", m.Name)
				}
			}
			if dialect == "pg" {
				// The advisory lock makes concurrent migrations wait for each other.
				var wg sync.WaitGroup
				errs := make([]error, len(handles))
				for i, h := range handles {
					wg.Add(1)
					go func() { defer wg.Done(); errs[i] = h.Migrate(c) }()
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("concurrent Migrate %d: %v", i, err)
					}
				}
			} else if err := db.Migrate(c); err != nil {
				t.Fatal(err)
			}
			for _, table := range tables {
				if _, err := db.Bun().NewSelect().Table(table).Count(c); err != nil {
					t.Errorf("table %s: %v", table, err)
				}
			}
			if ms, err = db.MigrationStatus(c); err != nil || len(ms) == 0 {
				t.Fatalf("MigrationStatus = %v, %v", ms, err)
			}
			for _, m := range ms {
				if !m.Applied || m.MigratedAt.IsZero() {
					t.Errorf("migration %s applied = %v at %v; want applied", m.Name, m.Applied, m.MigratedAt)
				}
			}
			if err := handles[1].Migrate(c); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
			if err := db.Ping(c); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

// TestFailedMigrationIsRetried: a migration that fails is not recorded as applied, so
// the next run applies it once its cause is gone (instead of skipping it silently).
func TestFailedMigrationIsRetried(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			c := context.Background()
			db, err := store.Open(c, storetest.Fresh(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// A table of a later migration already exists: that migration fails.
			if _, err := db.Bun().ExecContext(c, "CREATE TABLE billing_plans (x integer)"); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(c); err == nil {
				t.Fatal("Migrate with billing_plans in the way = nil; want its migration's error")
			}
			pending := func() []string {
				ms, err := db.MigrationStatus(c)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, m := range ms {
					if !m.Applied {
						out = append(out, m.Name)
					}
				}
				return out
			}
			if p := pending(); len(p) == 0 || p[0] != "20261203000014" {
				t.Errorf("pending after the failure = %v; want the failed migration (20261203000014, platform) first", p)
			}
			if _, err := db.Bun().ExecContext(c, "DROP TABLE billing_plans"); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(c); err != nil {
				t.Fatalf("Migrate once the cause is gone: %v", err)
			}
			if p := pending(); len(p) != 0 {
				t.Errorf("pending after the retry = %v; want none", p)
			}
			var n int
			if err := db.Bun().NewRaw("SELECT count(*) FROM billing_plans").Scan(c, &n); err != nil {
				t.Errorf("billing_plans after the retry: %v", err)
			}
		})
	}
}

func TestMigrateEmptyDatabase(t *testing.T) {
	c := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := store.Open(c, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.MigrationStatus(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Applied {
			t.Errorf("migration %s applied on a new file", m.Name)
		}
	}
	if err := db.Migrate(c); err != nil {
		t.Fatal(err)
	}
	if got := db.Dialect(); got != "sqlite" {
		t.Errorf("Dialect() = %q; want sqlite", got)
	}
	var mode string
	if err := db.Bun().NewRaw("PRAGMA journal_mode").Scan(c, &mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := db.Bun().NewRaw("PRAGMA foreign_keys").Scan(c, &fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

func TestSQLiteDSN(t *testing.T) {
	tests := []struct {
		in         string
		wantPath   string
		wantMemory bool
		wantPragma string // one pragma that must be present
	}{
		{"instance/codex.db", "instance/codex.db", false, "busy_timeout(5000)"},
		{"file:codex.db?cache=shared", "file:codex.db", false, "foreign_keys(1)"},
		{"file:x.db?_pragma=busy_timeout(100)", "file:x.db", false, "busy_timeout(100)"},
		{":memory:", ":memory:", true, "journal_mode(WAL)"},
	}
	for _, tt := range tests {
		got, memory := store.SQLiteDSN(tt.in)
		path, query, _ := strings.Cut(got, "?")
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		if path != tt.wantPath || memory != tt.wantMemory || q.Get("_txlock") != "immediate" {
			t.Errorf("sqliteDSN(%q) = %q, %v; want path %q, memory %v, _txlock=immediate", tt.in, got, memory, tt.wantPath, tt.wantMemory)
		}
		pragmas := strings.Join(q["_pragma"], " ")
		if !strings.Contains(pragmas, tt.wantPragma) || strings.Count(pragmas, "busy_timeout") != 1 {
			t.Errorf("sqliteDSN(%q) pragmas = %q; want %q once", tt.in, pragmas, tt.wantPragma)
		}
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	c, cancel := context.WithTimeout(context.Background(), 5e9)
	defer cancel()
	_, err := store.Open(c, "postgres://nobody:secret@127.0.0.1:1/x?sslmode=disable")
	if err == nil {
		t.Fatal("Open(unreachable) = nil error")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("Open error shows the password: %v", err)
	}
}
