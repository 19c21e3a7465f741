package policy

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// self reports whether email is the caller's own.
func self(p *codex.Principal, email string) bool {
	return p.Email != "" && strings.EqualFold(p.Email, email)
}

func (s *service) Agent(ctx context.Context, id int64) (*codex.Agent, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.in.Agents.Agent(ctx, id)
	if err != nil {
		return nil, err
	}
	if !self(p, a.Email) && !p.Can(codex.Read, codex.ResAgent) {
		return nil, notFound("agent", id)
	}
	return a, nil
}

func (s *service) AgentByEmail(ctx context.Context, email string) (*codex.Agent, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !self(p, email) && !p.Can(codex.Read, codex.ResAgent) {
		return nil, codex.Errorf(codex.NotFound, "no agent has e-mail %q", email)
	}
	return s.in.Agents.AgentByEmail(ctx, email)
}

func (s *service) EnsureAgent(ctx context.Context, who *codex.Principal) (*codex.Agent, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if who == nil || who.Email == "" {
		return nil, codex.Errorf(codex.Forbidden, "only people have agent records")
	}
	if !self(p, who.Email) && !p.System {
		return nil, codex.Errorf(codex.Forbidden, "you may only register yourself")
	}
	return s.in.Agents.EnsureAgent(ctx, who)
}

func (s *service) UpdatePreferences(ctx context.Context, email string, patch codex.PreferencesPatch) (*codex.Agent, error) {
	p, err := allow(ctx, codex.Write, codex.ResPreferences)
	if err != nil {
		return nil, err
	}
	if !self(p, email) && !(p.System || p.Can(codex.Write, codex.ResAgent)) {
		return nil, codex.Errorf(codex.Forbidden, "you may only change your own preferences")
	}
	return s.in.Agents.UpdatePreferences(ctx, email, patch)
}

func (s *service) Agents(ctx context.Context, pa codex.PageArgs) (*codex.Page[codex.Agent], error) {
	if _, err := allow(ctx, codex.Read, codex.ResAgent); err != nil {
		return nil, err
	}
	return s.in.Agents.Agents(ctx, pa)
}

// AuditLog returns audit entries. Secret fields are removed from the before/after images
// for everyone but admins; redacting callers may not read the log, whose images hold
// personal data that cannot be redacted reliably.
func (s *service) AuditLog(ctx context.Context, f codex.AuditFilter, pa codex.PageArgs) (*codex.Page[codex.AuditEntry], error) {
	p, err := allow(ctx, codex.Read, codex.ResAudit)
	if err != nil {
		return nil, err
	}
	if p.MustRedact() {
		return nil, codex.Errorf(codex.Forbidden, "the audit log is not available with redaction")
	}
	page, err := s.in.Audit.AuditLog(ctx, f, pa)
	if err != nil || p.SeesSecrets() {
		return page, err
	}
	for _, e := range page.Items {
		e.Before = stripSecretJSON(e.Before)
		e.After = stripSecretJSON(e.After)
	}
	return page, nil
}

// stripSecretJSON removes secret asset fields from an audit image.
func stripSecretJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	for _, f := range codex.SecretAssetFields {
		delete(m, f)
	}
	out, _ := json.Marshal(m)
	return out
}

func (s *service) ExternalRef(ctx context.Context, source, entity, externalID string) (*codex.ExternalRef, error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.ExternalRef(ctx, source, entity, externalID)
}

func (s *service) ExternalRefsByEntity(ctx context.Context, entity string, entityIDs []int64) ([][]*codex.ExternalRef, error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.ExternalRefsByEntity(ctx, entity, entityIDs)
}

func (s *service) SaveExternalRef(ctx context.Context, r *codex.ExternalRef) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.SaveExternalRef(ctx, r)
}

func (s *service) StartSyncRun(ctx context.Context, source, triggeredBy string) (*codex.SyncRun, error) {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.StartSyncRun(ctx, source, triggeredBy)
}

func (s *service) FinishSyncRun(ctx context.Context, run *codex.SyncRun) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.FinishSyncRun(ctx, run)
}

func (s *service) SyncRun(ctx context.Context, id int64) (*codex.SyncRun, error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.SyncRun(ctx, id)
}

func (s *service) SyncRuns(ctx context.Context, source string, pa codex.PageArgs) (*codex.Page[codex.SyncRun], error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.SyncRuns(ctx, source, pa)
}

func (s *service) LastSyncRun(ctx context.Context, source, status string) (*codex.SyncRun, error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.LastSyncRun(ctx, source, status)
}

func (s *service) SaveSyncRunProblems(ctx context.Context, runID int64, problems []string) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.SaveSyncRunProblems(ctx, runID, problems)
}

func (s *service) ExternalRefsByExternalIDs(ctx context.Context, source, entity string, externalIDs []string) ([]*codex.ExternalRef, error) {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.ExternalRefsByExternalIDs(ctx, source, entity, externalIDs)
}

func (s *service) EachExternalRef(ctx context.Context, source, entity string, fn func(*codex.ExternalRef) error) error {
	if _, err := allow(ctx, codex.Read, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.EachExternalRef(ctx, source, entity, fn)
}

func (s *service) SaveExternalRefs(ctx context.Context, refs []*codex.ExternalRef) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.SaveExternalRefs(ctx, refs)
}

// allowImport checks the rights an import needs: to run integrations and to create the
// rows of res.
func allowImport(ctx context.Context, res codex.Resource) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	_, err := allow(ctx, codex.Write, res)
	return err
}

func (s *service) ImportCompanies(ctx context.Context, rows []*codex.Company, refs []*codex.ExternalRef) error {
	if err := allowImport(ctx, codex.ResCompany); err != nil {
		return err
	}
	for _, c := range rows {
		if err := writeCompanyFields(ctx, companyFields(c)); err != nil {
			return err
		}
	}
	return s.in.Sync.ImportCompanies(ctx, rows, refs)
}

func (s *service) ImportContacts(ctx context.Context, rows []*codex.Contact, refs []*codex.ExternalRef) error {
	if err := allowImport(ctx, codex.ResContact); err != nil {
		return err
	}
	return s.in.Sync.ImportContacts(ctx, rows, refs)
}

func (s *service) ImportAssets(ctx context.Context, rows []*codex.Asset, refs []*codex.ExternalRef) error {
	if err := allowImport(ctx, codex.ResAsset); err != nil {
		return err
	}
	return s.in.Sync.ImportAssets(ctx, rows, refs)
}

func (s *service) ImportEquipment(ctx context.Context, rows []*codex.NetworkEquipment, refs []*codex.ExternalRef) error {
	if err := allowImport(ctx, codex.ResNetwork); err != nil {
		return err
	}
	return s.in.Sync.ImportEquipment(ctx, rows, refs)
}

func (s *service) SaveSyncConflicts(ctx context.Context, conflicts []*codex.SyncConflict) error {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return err
	}
	return s.in.Sync.SaveSyncConflicts(ctx, conflicts)
}

// SyncConflicts lists conflicts. Their values are copies of entity fields that cannot be
// redacted reliably, so redacting callers may not read them (like the audit log).
func (s *service) SyncConflicts(ctx context.Context, f codex.SyncConflictFilter, pa codex.PageArgs) (*codex.Page[codex.SyncConflict], error) {
	p, err := allow(ctx, codex.Read, codex.ResSync)
	if err != nil {
		return nil, err
	}
	if p.MustRedact() {
		return nil, codex.Errorf(codex.Forbidden, "sync conflicts are not available with redaction")
	}
	return s.in.Sync.SyncConflicts(ctx, f, pa)
}

// SyncConflict returns one conflict, to the callers that may list them.
func (s *service) SyncConflict(ctx context.Context, id int64) (*codex.SyncConflict, error) {
	p, err := allow(ctx, codex.Read, codex.ResSync)
	if err != nil {
		return nil, err
	}
	if p.MustRedact() {
		return nil, codex.Errorf(codex.Forbidden, "sync conflicts are not available with redaction")
	}
	return s.in.Sync.SyncConflict(ctx, id)
}

func (s *service) ResolveSyncConflict(ctx context.Context, id int64) (*codex.SyncConflict, error) {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return nil, err
	}
	return s.in.Sync.ResolveSyncConflict(ctx, id)
}
