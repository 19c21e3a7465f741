package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// instanceEnv is cliEnv with the database at dsn.
func instanceEnv(t *testing.T, dsn string) func(string) string {
	t.Helper()
	return cliEnv(t, "CODEX_DATABASE_URL", dsn)
}

func mustRun(t *testing.T, env func(string) string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, env, args...)
	if code != exitOK {
		t.Fatalf("codex %s = %d: %s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// rowsOf is an export without its header line (which names the dialect and the time).
func rowsOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "\n")
	return rest
}

// apiView is what the REST API shows of a database: the same for equal data on either
// dialect.
func apiView(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := testConfig(t)
	s, err := buildServer(ctx, cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	var b strings.Builder
	for _, target := range []string{"/api/companies?limit=1000", "/api/contacts?limit=1000", "/api/assets?limit=1000",
		"/api/tickets?limit=1000", "/api/network_equipment?limit=1000"} {
		w := do(t, s.handler, "GET", target, admin, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", target, w.Code, w.Body)
		}
		b.WriteString(w.Body.String())
	}
	return b.String()
}

// TestBackupAndRestore round-trips the demo data through every path: an SQLite copy
// (VACUUM INTO), exports restored into SQLite and PostgreSQL (the move from the embedded
// default), and back from PostgreSQL; every restore shows the same data through the API,
// and new rows on the restored PostgreSQL get fresh ids (the sequences were reset).
func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	srcDSN := filepath.Join(dir, "src", "codex.db")
	src := instanceEnv(t, srcDSN)
	mustRun(t, src, "seed", "--demo")
	want := apiView(t, srcDSN)

	export := filepath.Join(dir, "codex.jsonl")
	if out := mustRun(t, src, "backup", export); !strings.Contains(out, "exported") {
		t.Errorf("backup said %q", out)
	}
	if code, _, stderr := runCLI(t, src, "backup", export); code != exitFailure || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file = %d %q; want 1, exists", code, stderr)
	}

	// SQLite copy, restored into a new embedded instance.
	copyPath := filepath.Join(dir, "copy.db")
	mustRun(t, src, "backup", copyPath)
	copyDSN := filepath.Join(dir, "copy", "codex.db")
	mustRun(t, instanceEnv(t, copyDSN), "restore", copyPath)
	if got := apiView(t, copyDSN); got != want {
		t.Error("the restored SQLite copy shows other data than the original")
	}

	// Export into a new SQLite database: the same rows.
	sqliteDSN := filepath.Join(dir, "restored", "codex.db")
	mustRun(t, instanceEnv(t, sqliteDSN), "restore", export)
	again := filepath.Join(dir, "again.jsonl")
	mustRun(t, instanceEnv(t, sqliteDSN), "backup", again)
	if rowsOf(t, again) != rowsOf(t, export) {
		t.Error("SQLite → export → SQLite → export changed the rows")
	}

	// Export into PostgreSQL: the move from the embedded default.
	pgDSN := storetest.Fresh(t, "pg")
	pg := instanceEnv(t, pgDSN)
	if out := mustRun(t, pg, "restore", export); !strings.Contains(out, "from a sqlite export into pg") {
		t.Errorf("restore said %q", out)
	}
	if got := apiView(t, pgDSN); got != want {
		t.Errorf("PostgreSQL restored from SQLite shows other data:\n got %.400s\nwant %.400s", got, want)
	}
	if code, _, stderr := runCLI(t, pg, "restore", export); code != exitFailure || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore into a filled database = %d %q; want 1, not empty", code, stderr)
	}

	// And back: PostgreSQL → export → PostgreSQL and SQLite.
	pgExport := filepath.Join(dir, "pg.jsonl")
	mustRun(t, pg, "backup", pgExport)
	assertFreshIDs(t, pgDSN)
	pg2DSN := storetest.Fresh(t, "pg")
	mustRun(t, instanceEnv(t, pg2DSN), "restore", pgExport)
	pgAgain := filepath.Join(dir, "pg-again.jsonl")
	mustRun(t, instanceEnv(t, pg2DSN), "backup", pgAgain)
	if rowsOf(t, pgAgain) != rowsOf(t, pgExport) {
		t.Error("PostgreSQL → export → PostgreSQL → export changed the rows")
	}
	backDSN := filepath.Join(dir, "back", "codex.db")
	mustRun(t, instanceEnv(t, backDSN), "restore", pgExport)
	if got := apiView(t, backDSN); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("SQLite restored from PostgreSQL shows other data than the original; from byte %d:\n got %.300s\nwant %.300s", i, got[max(0, i-100):], want[max(0, i-100):])
	}
}

// assertFreshIDs creates a company on a restored PostgreSQL database: its id must be
// past every restored one.
func assertFreshIDs(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var maxID int64
	if err := db.Bun().NewRaw("SELECT max(id) FROM companies").Scan(ctx, &maxID); err != nil {
		t.Fatal(err)
	}
	svc := policy.New(db.Services())
	ctx = codex.WithPrincipal(ctx, codex.SystemPrincipal("test"))
	acc := "ACC-9999"
	c := &codex.Company{Name: "After Restore LLC", AccountNumber: &acc}
	if err := svc.Companies.CreateCompany(ctx, c); err != nil {
		t.Fatalf("creating a company after the restore: %v", err)
	}
	if c.ID <= maxID {
		t.Errorf("new company id %d; want past the restored maximum %d", c.ID, maxID)
	}
}

func TestRestoreRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"hello":1}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := instanceEnv(t, filepath.Join(dir, "db", "codex.db"))
	if code, _, stderr := runCLI(t, env, "restore", bad); code != exitFailure || !strings.Contains(stderr, "not a Codex export") {
		t.Errorf("restore of another file = %d %q; want 1, not a Codex export", code, stderr)
	}
	truncated := filepath.Join(dir, "cut.jsonl")
	mustRun(t, env, "seed", "--scale", "5")
	full := filepath.Join(dir, "full.jsonl")
	mustRun(t, env, "backup", full)
	b, _ := os.ReadFile(full)
	if err := os.WriteFile(truncated, b[:len(b)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	env2 := instanceEnv(t, filepath.Join(dir, "db2", "codex.db"))
	if code, _, stderr := runCLI(t, env2, "restore", truncated); code != exitFailure || !strings.Contains(stderr, "export") {
		t.Errorf("restore of a truncated export = %d %q; want 1", code, stderr)
	}
	_ = config.DefaultInstance
}
