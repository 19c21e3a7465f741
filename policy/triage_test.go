package policy_test

import (
	"context"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// Records without a company carry no scope and no compliance level to redact by: only
// admins (and the sync engine) may see them or hand out account numbers.
func TestTriageIsAdminsOnly(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		sync := as(codex.SystemPrincipal("sync:freshservice"))
		item := []*codex.TriageItem{{Source: "freshservice", Entity: "contact", ExternalID: "1", Reason: codex.TriageUnassigned,
			Upstream: map[string]string{"email": "jane@nowhere.example"}}}
		if err := w.svc.Triage.SaveTriageItems(sync, item); err != nil {
			t.Fatalf("sync SaveTriageItems = %v", err)
		}
		for name, ctx := range map[string]context.Context{"technician": w.tech, "billing": w.billing, "client": w.client,
			"service": w.ledger, "redacting service": w.brainhair, "anonymous": w.anonymous} {
			want := codex.Forbidden
			if name == "anonymous" {
				want = codex.Unauthenticated
			}
			if _, err := w.svc.Triage.TriageItems(ctx, codex.TriageFilter{}, codex.PageArgs{}); codex.ErrorCode(err) != want {
				t.Errorf("%s TriageItems = %v; want %s", name, err, want)
			}
			if _, err := w.svc.Triage.TriageItem(ctx, item[0].ID); codex.ErrorCode(err) != want {
				t.Errorf("%s TriageItem = %v; want %s", name, err, want)
			}
			if _, err := w.svc.Triage.AssignAccountNumbers(ctx, "%06d", 1); codex.ErrorCode(err) != want {
				t.Errorf("%s AssignAccountNumbers = %v; want %s", name, err, want)
			}
			if err := w.svc.Triage.SaveTriageItems(ctx, item); codex.ErrorCode(err) != want {
				t.Errorf("%s SaveTriageItems = %v; want %s", name, err, want)
			}
		}
		pg, err := w.svc.Triage.TriageItems(w.admin, codex.TriageFilter{}, codex.PageArgs{})
		if err != nil || len(pg.Items) != 1 {
			t.Errorf("admin TriageItems = %v, %v; want the item", pg, err)
		}
	})
}
