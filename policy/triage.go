package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

// allowTriage lets admins and the system through: triage items belong to no company, so
// no scope or redaction could apply to them.
func allowTriage(ctx context.Context) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if !p.CanTriage() {
		return codex.Errorf(codex.Forbidden, "only admins may see or assign the triage list")
	}
	return nil
}

func (s *service) SaveTriageItems(ctx context.Context, items []*codex.TriageItem) error {
	if err := allowTriage(ctx); err != nil {
		return err
	}
	return s.in.Triage.SaveTriageItems(ctx, items)
}

func (s *service) TriageItem(ctx context.Context, id int64) (*codex.TriageItem, error) {
	if err := allowTriage(ctx); err != nil {
		return nil, err
	}
	return s.in.Triage.TriageItem(ctx, id)
}

func (s *service) TriageItems(ctx context.Context, f codex.TriageFilter, p codex.PageArgs) (*codex.Page[codex.TriageItem], error) {
	if err := allowTriage(ctx); err != nil {
		return nil, err
	}
	return s.in.Triage.TriageItems(ctx, f, p)
}

func (s *service) DeleteTriageItems(ctx context.Context, source, entity string, externalIDs []string) (int, error) {
	if err := allowTriage(ctx); err != nil {
		return 0, err
	}
	return s.in.Triage.DeleteTriageItems(ctx, source, entity, externalIDs)
}

func (s *service) AssignAccountNumbers(ctx context.Context, format string, start int64) ([]*codex.Company, error) {
	if _, err := allow(ctx, codex.Write, codex.ResSync); err != nil {
		return nil, err
	}
	p, _ := principal(ctx)
	if !p.CanTriage() {
		return nil, codex.Errorf(codex.Forbidden, "only admins may assign account numbers")
	}
	return s.in.Triage.AssignAccountNumbers(ctx, format, start)
}
