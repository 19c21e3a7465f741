package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestAgents(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Agents Client"))
		p := &codex.Principal{Subject: "u1", Email: "Jane.Tech@Example.com", Name: "Jane", Level: codex.LevelTechnician}
		a, err := db.EnsureAgent(c, p)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.PermissionLevel != codex.LevelTechnician || a.Preferences.Theme != codex.ThemeLight || a.LastSeenAt == nil {
			t.Fatalf("EnsureAgent(new) = %+v; want a technician with default preferences", a)
		}
		lastAudit(t, db, "agent", a.ID, "create")
		n := len(auditOf(t, db, "agent", a.ID))

		// A second sign-in changes nothing: no write, no audit entry.
		again, err := db.EnsureAgent(c, p)
		if err != nil || again.ID != a.ID {
			t.Fatalf("EnsureAgent(again) = %v, %v; want the same agent", again, err)
		}
		if got := len(auditOf(t, db, "agent", a.ID)); got != n {
			t.Errorf("EnsureAgent(unchanged) wrote %d audit entries; want 0", got-n)
		}

		prefs, err := db.UpdatePreferences(c, "jane.tech@example.com", codex.PreferencesPatch{
			Theme: ptrTo(codex.ThemeDark), UI: &map[string]string{"density": "compact"}})
		if err != nil {
			t.Fatal(err)
		}
		if prefs.Preferences.Theme != codex.ThemeDark || prefs.Preferences.ColorTheme != "default" || prefs.Preferences.UI["density"] != "compact" {
			t.Errorf("UpdatePreferences = %+v; want dark, default colours kept, ui set", prefs.Preferences)
		}
		lastAudit(t, db, "agent", a.ID, "update")
		_, err = db.UpdatePreferences(c, p.Email, codex.PreferencesPatch{ColorTheme: strp("neon")})
		wantErr(t, "UpdatePreferences(bad colour)", err, codex.Invalid, "preferred_color_theme")

		// A promotion is an audited change; preferences survive it.
		p2 := *p
		p2.Level = codex.LevelAdmin
		up, err := db.EnsureAgent(c, &p2)
		if err != nil || up.PermissionLevel != codex.LevelAdmin || up.Preferences.Theme != codex.ThemeDark {
			t.Fatalf("EnsureAgent(promoted) = %+v, %v; want admin, dark theme kept", up, err)
		}
		e := lastAudit(t, db, "agent", a.ID, "update")
		if field(t, e.After, "permission_level") != "admin" {
			t.Errorf("promotion audit after = %s", e.After)
		}
		got, err := db.AgentByEmail(c, "JANE.TECH@example.com")
		if err != nil || got.ID != a.ID {
			t.Errorf("AgentByEmail(other case) = %v, %v; want %d", got, err, a.ID)
		}
		if got, err := db.Agent(c, a.ID); err != nil || got.Email != "Jane.Tech@Example.com" {
			t.Errorf("Agent = %v, %v", got, err)
		}
		_, err = db.Agent(c, 999999)
		wantErr(t, "Agent(999999)", err, codex.NotFound, "")
		_, err = db.AgentByEmail(c, "nobody@example.com")
		wantErr(t, "AgentByEmail(nobody)", err, codex.NotFound, "")

		// Preferences of someone never seen create the agent, from the principal when it is them.
		client := &codex.Principal{Email: "c@client.example", Name: "Cli Ent", Level: codex.LevelClient, CompanyID: co.ID}
		cc := codex.WithPrincipal(context.Background(), client)
		made, err := db.UpdatePreferences(cc, "c@client.example", codex.PreferencesPatch{HomePage: strp("/tickets")})
		if err != nil || made.PermissionLevel != codex.LevelClient || made.CompanyID == nil || *made.CompanyID != co.ID || made.Preferences.HomePage != "/tickets" {
			t.Fatalf("UpdatePreferences(new client) = %+v, %v", made, err)
		}
		_, err = db.EnsureAgent(c, &codex.Principal{Service: "ledger", Subject: "service:ledger"})
		wantErr(t, "EnsureAgent(service)", err, codex.Invalid, "email")
		_, err = db.EnsureAgent(c, &codex.Principal{Email: "x@client.example", Level: codex.LevelClient, CompanyID: 999999})
		wantErr(t, "EnsureAgent(unknown company)", err, codex.Invalid, "company_id")
		// The platform's client users come without a company: recorded, with none.
		nc, err := db.EnsureAgent(c, &codex.Principal{Email: "y@client.example", Level: codex.LevelClient})
		if err != nil || nc.CompanyID != nil || nc.PermissionLevel != codex.LevelClient {
			t.Errorf("EnsureAgent(client without company) = %+v, %v; want a client agent without company", nc, err)
		}

		pg, err := db.Agents(c, codex.PageArgs{First: intp(1), WantTotal: true})
		if err != nil || len(pg.Items) != 1 || pg.TotalCount != 3 || !pg.HasNextPage || pg.Items[0].Email != "Jane.Tech@Example.com" {
			t.Errorf("Agents(first 1) = %+v, %v; want Jane of 3", pg, err)
		}
		pg, err = db.Agents(c, codex.PageArgs{After: pg.Cursors[0]})
		if err != nil || len(pg.Items) != 2 || pg.Items[0].Email != "c@client.example" || pg.Items[1].Email != "y@client.example" {
			t.Errorf("Agents(after Jane) = %+v, %v; want the two clients", pg, err)
		}
	})
}

func TestEnsureAgentLastSeen(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db0 *store.DB) {
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		db := store.New(db0.Bun(), store.WithClock(func() time.Time { return now }))
		c := ctx(t)
		p := &codex.Principal{Email: "clock@example.com", Level: codex.LevelBilling}
		a, err := db.EnsureAgent(c, p)
		if err != nil || !a.CreatedAt.Equal(now) {
			t.Fatalf("EnsureAgent = %+v, %v; want created at the fixed clock", a, err)
		}
		now = now.Add(30 * time.Second)
		if a, _ = db.EnsureAgent(c, p); !a.LastSeenAt.Equal(now.Add(-30 * time.Second)) {
			t.Errorf("last_seen_at after 30 s = %v; want unchanged", a.LastSeenAt)
		}
		now = now.Add(time.Minute)
		db.EnsureAgent(c, p)
		if a, _ = db.AgentByEmail(c, p.Email); !a.LastSeenAt.Equal(now) {
			t.Errorf("last_seen_at after 90 s = %v; want %v", a.LastSeenAt, now)
		}
		if es := auditOf(t, db, "agent", a.ID); len(es) != 1 {
			t.Errorf("audit entries = %d; want 1 (last_seen_at is not audited)", len(es))
		}
	})
}

func TestEnsureAgentConcurrentFirstSignIn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := &codex.Principal{Email: "race@example.com", Name: "Race", Level: codex.LevelTechnician}
		var wg sync.WaitGroup
		ids := make([]int64, 6)
		errs := make([]error, len(ids))
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := db.EnsureAgent(ctx(t), p)
				if err == nil {
					ids[i] = a.ID
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil || ids[i] != ids[0] {
				t.Errorf("EnsureAgent #%d = id %d, %v; want id %d", i, ids[i], err, ids[0])
			}
		}
	})
}
