package graph

import (
	"context"
	"sort"
	"strings"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// ID is the global id.
func (r *agentResolver) ID(_ context.Context, obj *codex.Agent) (string, error) {
	return globalID(typeAgent, obj.ID), nil
}

// Company loads a client user's company.
func (r *agentResolver) Company(ctx context.Context, obj *codex.Agent) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "Agent.company", func(a *codex.Agent) (int64, bool) { return some(a.CompanyID) }))
}

// UI lists the further UI settings.
func (r *preferencesResolver) UI(_ context.Context, obj *codex.Preferences) ([]*model.KeyValue, error) {
	return keyValues(obj.UI), nil
}

// Notifications lists the notification switches by name.
func (r *preferencesResolver) Notifications(_ context.Context, obj *codex.Preferences) ([]*model.NotificationSetting, error) {
	out := make([]*model.NotificationSetting, 0, len(obj.Notifications))
	for k, on := range obj.Notifications {
		out = append(out, &model.NotificationSetting{Key: k, Enabled: on})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// ID is the global id.
func (r *syncRunResolver) ID(_ context.Context, obj *codex.SyncRun) (string, error) {
	return globalID(typeSyncRun, obj.ID), nil
}

// Counts lists the outcomes per entity, by entity.
func (r *syncRunResolver) Counts(_ context.Context, obj *codex.SyncRun) ([]*model.EntitySyncCounts, error) {
	out := make([]*model.EntitySyncCounts, 0, len(obj.Counts))
	for entity, c := range obj.Counts {
		out = append(out, &model.EntitySyncCounts{Entity: entity, Counts: &c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Entity < out[j].Entity })
	return out, nil
}

// auditTypes maps the audit log's entity names to the GraphQL types of their ids.
var auditTypes = map[string]string{
	"company": typeCompany, "location": typeLocation, "contact": typeContact, "asset": typeAsset,
	"network_equipment": typeNetworkEquipment, "equipment": typeNetworkEquipment,
	"network_link": typeNetworkLink, "link": typeNetworkLink, "subnet": typeSubnet,
	"ticket": typeTicket, "alert": typeAlert, "agent": typeAgent, "sync_run": typeSyncRun,
}

// ID is the global id.
func (r *auditEntryResolver) ID(_ context.Context, obj *codex.AuditEntry) (string, error) {
	return globalID(typeAuditEntry, obj.ID), nil
}

// EntityID is the changed row's global id, when its kind has one.
func (r *auditEntryResolver) EntityID(_ context.Context, obj *codex.AuditEntry) (*string, error) {
	typ, ok := auditTypes[strings.ToLower(obj.Entity)]
	if !ok || obj.EntityID <= 0 {
		return nil, nil
	}
	id := globalID(typ, obj.EntityID)
	return &id, nil
}

// Company loads the company the changed row belongs to.
func (r *auditEntryResolver) Company(ctx context.Context, obj *codex.AuditEntry) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "AuditEntry.company", func(a *codex.AuditEntry) (int64, bool) { return some(a.CompanyID) }))
}

// Me returns the caller's agent record, creating it on a person's first visit; services
// have none.
func (r *queryResolver) Me(ctx context.Context) (*codex.Agent, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if p.Email == "" {
		return nil, nil
	}
	a, err := r.svc.Agents.AgentByEmail(ctx, p.Email)
	if codex.IsNotFound(err) {
		a, err = r.svc.Agents.EnsureAgent(ctx, p)
	}
	return one(ctx, a), err
}

// Agents lists the agents.
func (r *queryResolver) Agents(ctx context.Context, first *int, after *string, last *int, before *string) (*model.AgentConnection, error) {
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Agents.Agents(ctx, p)
	if err != nil {
		return nil, err
	}
	return agentConnection(fromPage(ctx, pg)), nil
}

// SyncRuns lists integration runs.
func (r *queryResolver) SyncRuns(ctx context.Context, source *model.Integration, first *int, after *string, last *int, before *string) (*model.SyncRunConnection, error) {
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	var src string
	if source != nil {
		src = valueOf(*source)
	}
	pg, err := r.svc.Sync.SyncRuns(ctx, src, p)
	if err != nil {
		return nil, err
	}
	return syncRunConnection(fromPage(ctx, pg)), nil
}

// AuditLog lists audit entries.
func (r *queryResolver) AuditLog(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.AuditFilter) (*model.AuditEntryConnection, error) {
	var f codex.AuditFilter
	if filter != nil {
		f.Actor = val(filter.Actor)
		f.Entity = val(filter.Entity)
		if n := filter.EntityDatabaseID.Value(); n != nil {
			id := int64(*n)
			f.EntityID = &id
		}
		f.Action = val(filter.Action)
		f.Since = filter.Since.Value()
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Audit.AuditLog(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return auditConnection(fromPage(ctx, pg)), nil
}

// preferenceFields names the preferences' input fields by their stored (JSON) names.
var preferenceFields = map[string]string{
	"theme_preference": "theme", "preferred_color_theme": "colorTheme",
	"home_page_preference": "homePage", "knowledgetree_view_preference": "knowledgeTreeView",
	"ui_settings": "ui", "notification_settings": "notifications",
}

// UpdateMyPreferences changes the caller's preferences.
func (r *mutationResolver) UpdateMyPreferences(ctx context.Context, in model.UpdatePreferencesInput) (*model.PreferencesPayload, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if p.Email == "" {
		return nil, codex.Errorf(codex.Forbidden, "a service has no preferences")
	}
	var v ids
	pp := codex.PreferencesPatch{
		Theme:             required(&v, "theme", in.Theme),
		ColorTheme:        required(&v, "colorTheme", in.ColorTheme),
		HomePage:          patch(in.HomePage),
		KnowledgeTreeView: patch(in.KnowledgeTreeView),
		UI:                patchMap(&v, "ui", in.UI),
	}
	if l, set := in.Notifications.ValueOK(); set {
		m := make(map[string]bool, len(l))
		for _, n := range l {
			if _, dup := m[n.Key]; dup {
				v.Add("notifications", "repeats the key %q", n.Key)
			}
			m[n.Key] = n.Enabled
		}
		pp.Notifications = &m
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := r.svc.Agents.UpdatePreferences(ctx, p.Email, pp)
	if err != nil {
		return nil, renameFields(err, preferenceFields)
	}
	return &model.PreferencesPayload{Agent: one(ctx, a)}, nil
}

// StartSync starts an integration run in the background.
func (r *mutationResolver) StartSync(ctx context.Context, source model.Integration) (*model.SyncRunPayload, error) {
	if r.opts.Sync == nil {
		return nil, codex.Errorf(codex.Unavailable, "no integration is configured")
	}
	run, err := r.opts.Sync.Start(ctx, valueOf(source))
	if err != nil {
		return nil, err
	}
	return &model.SyncRunPayload{SyncRun: run}, nil
}
