package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// syncServer is the real server with Datto configured against a fake RMM of two sites.
func syncServer(t *testing.T, db *store.DB) (*server, *fake.Server) {
	t.Helper()
	rmm := fake.New()
	t.Cleanup(rmm.Close)
	rmm.Generate(2, 2)
	cfg := testConfig(t)
	cfg.Integrations.DattoAPIURL = rmm.URL()
	cfg.Integrations.DattoAPIKey = fake.APIKey
	cfg.Integrations.DattoAPISecret = fake.APISecret
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	t.Cleanup(func() { s.sync.Shutdown(context.Background()) })
	return s, rmm
}

// waitRun polls GET /api/sync/runs/{id} until the run has finished.
func waitRun(t *testing.T, s *server, token string, id int64) codex.SyncRun {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		w := do(t, s.handler, http.MethodGet, "/api/sync/runs/"+itoa(id), token, nil)
		var run codex.SyncRun
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &run) != nil {
			t.Fatalf("GET /api/sync/runs/%d = %d %s", id, w.Code, w.Body)
		}
		if run.Status != codex.SyncRunning {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d still running after 30 s", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSyncOverRESTAndGraphQL(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s, _ := syncServer(t, db)
		admin := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		tech := mint(t, s, auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician})

		if w := do(t, s.handler, http.MethodPost, "/api/sync/datto", tech, nil); w.Code != http.StatusForbidden {
			t.Errorf("technician POST /api/sync/datto = %d %s; want 403", w.Code, w.Body)
		}
		if w := do(t, s.handler, http.MethodPost, "/api/sync/freshservice", admin, nil); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("POST /api/sync/freshservice (not configured) = %d %s; want 422", w.Code, w.Body)
		}
		w := do(t, s.handler, http.MethodPost, "/api/sync/datto", admin, nil)
		var started codex.SyncRun
		if w.Code != http.StatusAccepted || json.Unmarshal(w.Body.Bytes(), &started) != nil || started.ID == 0 {
			t.Fatalf("POST /api/sync/datto = %d %s; want 202 with the run", w.Code, w.Body)
		}
		run := waitRun(t, s, admin, started.ID)
		if run.Status != codex.SyncSucceeded || run.Created == 0 || run.TriggeredBy != "ada@example.com" {
			t.Errorf("finished run = %s, created %d, by %q; want succeeded, created > 0, by ada@example.com", run.Status, run.Created, run.TriggeredBy)
		}
		w = do(t, s.handler, http.MethodGet, "/api/sync/runs?source=datto", tech, nil)
		if w.Code != http.StatusOK || w.Header().Get("X-Total-Count") != "1" {
			t.Errorf("technician GET /api/sync/runs = %d (total %q) %s; want 200 with one run", w.Code, w.Header().Get("X-Total-Count"), w.Body)
		}

		// The same through GraphQL: a second run of the same upstream changes nothing.
		q := `{"query":"mutation { startSync(source: DATTO) { syncRun { databaseId status source error } } }"}`
		w = do(t, s.handler, http.MethodPost, "/graphql", admin, strings.NewReader(q), "Content-Type", "application/json")
		var resp struct {
			Data struct {
				StartSync struct {
					SyncRun struct {
						DatabaseID int64
						Status     string
						Source     string
						Error      *string
					}
				}
			}
			Errors []struct{ Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 || resp.Data.StartSync.SyncRun.DatabaseID == 0 {
			t.Fatalf("startSync = %d %s; want a run", w.Code, w.Body)
		}
		if got := resp.Data.StartSync.SyncRun; got.Source != "DATTO" || (got.Status != "RUNNING" && got.Status != "SUCCEEDED") || got.Error != nil {
			t.Errorf("startSync's run: source %s, status %s, error %v; want the enums DATTO and RUNNING (or SUCCEEDED), and no error", got.Source, got.Status, got.Error)
		}
		second := waitRun(t, s, admin, resp.Data.StartSync.SyncRun.DatabaseID)
		if second.Status != codex.SyncSucceeded || second.Created+second.Updated+second.Archived != 0 {
			t.Errorf("second run = %s created %d updated %d archived %d; want succeeded with no changes",
				second.Status, second.Created, second.Updated, second.Archived)
		}
		w = do(t, s.handler, http.MethodPost, "/graphql", tech, strings.NewReader(q), "Content-Type", "application/json")
		if !strings.Contains(w.Body.String(), "FORBIDDEN") {
			t.Errorf("technician startSync = %s; want a FORBIDDEN error", w.Body)
		}
	})
}

func TestSyncCommand(t *testing.T) {
	rmm := fake.New()
	t.Cleanup(rmm.Close)
	rmm.Generate(3, 2)
	env := cliEnv(t, "CODEX_DATTO_API_URL", rmm.URL(), "CODEX_DATTO_API_KEY", fake.APIKey, "CODEX_DATTO_API_SECRET", fake.APISecret,
		"CODEX_DEMO_DATA", "false")
	if code, _, errOut := runCLI(t, env, "migrate"); code != exitOK { // sync never creates an instance
		t.Fatalf("codex migrate = %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "sync", "datto")
	if code != exitOK || !strings.Contains(out, "datto sync succeeded") {
		t.Fatalf("codex sync datto = %d\nstdout: %s\nstderr: %s\nwant success and a summary", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "sync", "freshservice"); code != exitFailure || !strings.Contains(errOut, "not configured") {
		t.Errorf("codex sync freshservice (not configured) = %d %s; want failure naming the missing configuration", code, errOut)
	}
	if code, _, _ := runCLI(t, env, "sync"); code != exitUsage {
		t.Errorf("codex sync (no source) = %d; want %d", code, exitUsage)
	}
}
