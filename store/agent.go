package store

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// lastSeenEvery is how stale an agent's last_seen_at may get before EnsureAgent writes it
// again: EnsureAgent runs on every sign-in, and a write per request would be waste.
const lastSeenEvery = time.Minute

var agentEntity = &entity[codex.Agent]{
	noun:  "agent",
	alias: "agent",
	keys: map[string]sortKey[codex.Agent]{
		"email": {expr: "agent.email", kind: kindText, value: func(a *codex.Agent) any { return a.Email }},
		"id":    {expr: "agent.id", kind: kindInt},
	},
	allowed: []string{"email", "id"},
	def:     "email",
	id:      func(a *codex.Agent) int64 { return a.ID },
}

// withDefaults fills the preferences an agent has never set.
func withDefaults(a *codex.Agent) *codex.Agent {
	d := codex.DefaultPreferences()
	p := &a.Preferences
	if p.Theme == "" {
		p.Theme = d.Theme
	}
	if p.ColorTheme == "" {
		p.ColorTheme = d.ColorTheme
	}
	if p.HomePage == "" {
		p.HomePage = d.HomePage
	}
	if p.KnowledgeTreeView == "" {
		p.KnowledgeTreeView = d.KnowledgeTreeView
	}
	return a
}

func (db *DB) getAgentByEmail(ctx context.Context, idb bun.IDB, email string, lock bool) (*codex.Agent, error) {
	a := new(codex.Agent)
	q := idb.NewSelect().Model(a).Where(db.ciEqual("agent.email"), strings.TrimSpace(email))
	if lock {
		q = forUpdate(idb, q, "agent")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "agent", strings.TrimSpace(email))
	}
	return withDefaults(a), nil
}

// Agent returns one agent.
func (db *DB) Agent(ctx context.Context, id int64) (*codex.Agent, error) {
	a := new(codex.Agent)
	if err := db.bun.NewSelect().Model(a).Where("agent.id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "agent", id))
	}
	return withDefaults(a), nil
}

// AgentByEmail returns the agent with an e-mail address, ignoring case.
func (db *DB) AgentByEmail(ctx context.Context, email string) (*codex.Agent, error) {
	a, err := db.getAgentByEmail(ctx, db.bun, email, false)
	return a, translate(err)
}

// Agents lists agents by e-mail.
func (db *DB) Agents(ctx context.Context, p codex.PageArgs) (*codex.Page[codex.Agent], error) {
	pg, err := agentEntity.page(ctx, db.bun, codex.Order{}, p, noFilter)
	if pg != nil {
		for _, a := range pg.Items {
			withDefaults(a)
		}
	}
	return pg, translate(err)
}

// EnsureAgent creates or refreshes the agent record of an authenticated person: its name,
// permission level and company follow the principal, its preferences are kept. Only
// changes are audited; last_seen_at is refreshed at most once a minute.
func (db *DB) EnsureAgent(ctx context.Context, p *codex.Principal) (*codex.Agent, error) {
	if p == nil || strings.TrimSpace(p.Email) == "" {
		return nil, invalid("email", "is required: only people have agent records")
	}
	email := strings.TrimSpace(p.Email)
	var companyID *int64
	if p.CompanyID > 0 {
		companyID = ptr(p.CompanyID)
	}
	var out *codex.Agent
	attempt := func() error {
		return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
			a, err := db.getAgentByEmail(ctx, tx, email, true)
			if err != nil && !codex.IsNotFound(err) {
				return err
			}
			now := db.now()
			if a == nil {
				a = &codex.Agent{Email: email, Name: p.Name, PermissionLevel: p.Level, CompanyID: companyID,
					Preferences: codex.DefaultPreferences(), LastSeenAt: &now, CreatedAt: now, UpdatedAt: now}
				if err := a.Validate(); err != nil {
					return err
				}
				if companyID != nil {
					if err := mustExist(ctx, tx, "companies", "company_id", *companyID); err != nil {
						return err
					}
				}
				if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
					return err
				}
				out = a
				return db.audit(ctx, tx, actionCreate, "agent", a.ID, a.CompanyID, nil, a)
			}
			out = a
			before := *a
			var cols []string
			if p.Name != "" && p.Name != a.Name {
				a.Name = p.Name
				cols = append(cols, "name")
			}
			if p.Level != "" && p.Level != a.PermissionLevel {
				a.PermissionLevel = p.Level
				cols = append(cols, "permission_level")
			}
			if !equalID(companyID, a.CompanyID) {
				a.CompanyID = companyID
				cols = append(cols, "company_id")
			}
			if len(cols) == 0 {
				if a.LastSeenAt != nil && now.Sub(*a.LastSeenAt) < lastSeenEvery {
					return nil
				}
				a.LastSeenAt = &now
				_, err := tx.NewUpdate().Model(a).Column("last_seen_at").WherePK().Exec(ctx)
				return err
			}
			if err := a.Validate(); err != nil {
				return err
			}
			if companyID != nil {
				if err := mustExist(ctx, tx, "companies", "company_id", *companyID); err != nil {
					return err
				}
			}
			a.LastSeenAt, a.UpdatedAt = &now, now
			if _, err := tx.NewUpdate().Model(a).Column(append(cols, "last_seen_at", "updated_at")...).WherePK().Exec(ctx); err != nil {
				return err
			}
			return db.audit(ctx, tx, actionUpdate, "agent", a.ID, a.CompanyID, &before, a)
		})
	}
	err := attempt()
	if codex.ErrorCode(err) == codex.Conflict {
		// Two first sign-ins raced to insert the agent; the other one won.
		err = attempt()
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdatePreferences merges patch into the preferences of the agent with email, creating
// the agent with default preferences if it does not exist yet (its level, name and
// company then come from the principal in ctx when that is the same person, and default
// to technician otherwise).
func (db *DB) UpdatePreferences(ctx context.Context, email string, patch codex.PreferencesPatch) (*codex.Agent, error) {
	email = strings.TrimSpace(email)
	var out *codex.Agent
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := db.getAgentByEmail(ctx, tx, email, true)
		if err != nil && !codex.IsNotFound(err) {
			return err
		}
		now := db.now()
		created := a == nil
		if created {
			a = &codex.Agent{Email: email, PermissionLevel: codex.LevelTechnician, Preferences: codex.DefaultPreferences(), CreatedAt: now}
			if p := codex.PrincipalFrom(ctx); p != nil && strings.EqualFold(strings.TrimSpace(p.Email), email) {
				a.Name = p.Name
				if p.Level.Valid() {
					a.PermissionLevel = p.Level
				}
				if p.CompanyID > 0 {
					a.CompanyID = ptr(p.CompanyID)
				}
			}
		}
		before := *a
		prefs := a.Preferences
		patch.Apply(&prefs)
		if err := prefs.Validate(); err != nil {
			return err
		}
		a.Preferences, a.UpdatedAt = prefs, now
		out = a
		if created {
			if err := a.Validate(); err != nil {
				return err
			}
			if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
				return err
			}
			return db.audit(ctx, tx, actionCreate, "agent", a.ID, a.CompanyID, nil, a)
		}
		if _, err := tx.NewUpdate().Model(a).Column("preferences", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "agent", a.ID, a.CompanyID, &before, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
