package syncer

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/hivematrix/codex/codex"
)

// Account numbers. Every client company gets one: a run hands out the next numbers of
// the database's mark (codex.TriageStore.AssignAccountNumbers, formatted with
// Config.AccountNumberFormat from Config.AccountNumberStart, never reused) to the client
// companies without one, right after the source's companies are synced, and pushes every
// account number the source does not hold yet (the department's custom field, the site's
// variable) in the same run. A failed push is counted under "push:department" or
// "push:site", named in the run's problems and retried by the next run, since the
// reference's snapshot still holds the old value.

// Account number defaults.
const (
	DefaultAccountNumberFormat = "%06d"
	DefaultAccountNumberStart  = 1
)

// modeAccountNumbers is a run that only assigns and pushes account numbers.
const modeAccountNumbers = "account-numbers"

// accountNumbers numbers the client companies that have none and pushes the account
// numbers that m's source does not hold.
func (r *runner) accountNumbers(ctx context.Context, m *companyMirror) error {
	got, err := r.e.svc.Triage.AssignAccountNumbers(ctx, r.e.accountFormat, r.e.accountStart)
	if err != nil {
		return err
	}
	for _, c := range got {
		r.accounts = append(r.accounts, ptrText(c.AccountNumber))
	}
	if len(got) > 0 {
		r.add("account_number", func(c *codex.SyncCounts) { c.Created += len(got) })
	}
	var refs []*codex.ExternalRef
	err = r.e.svc.Sync.EachExternalRef(ctx, r.source, codex.EntityCompany, func(x *codex.ExternalRef) error {
		if x.GoneAt == nil {
			refs = append(refs, x)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(refs, 500) {
		ids := make([]int64, len(chunk))
		for i, x := range chunk {
			ids[i] = x.EntityID
		}
		rows, errs := m.load(ctx, ids)
		var save []*codex.ExternalRef
		for i, x := range chunk {
			c := rows[i]
			if c == nil {
				if errs != nil && fatal(errs[i]) {
					return errs[i]
				}
				continue
			}
			number := ptrText(c.AccountNumber)
			held, observed := x.Upstream["account_number"]
			if number == "" || !observed || held == number {
				continue
			}
			rec := &record[codex.Company]{extID: x.ExternalID, label: m.entity + " " + x.ExternalID + " (" + c.Name + ")"}
			pushed, err := m.push(ctx, rec, c, map[string]string{"account_number": number})
			switch {
			case err != nil && fatal(err) && ctx.Err() != nil:
				return err
			case err != nil:
				r.failed(ctx, m.pushKey, rec.label, err)
				continue
			case len(pushed) == 0:
				continue
			}
			// Keep the fingerprint in step with the snapshot when it was taken from it,
			// so the next listing, which holds the pushed number, is unchanged.
			before := fingerprint(x.Upstream, m.observedKeys...)
			after := maps.Clone(x.Upstream)
			after["account_number"] = number
			if x.Fingerprint == before {
				x.Fingerprint = fingerprint(after, m.observedKeys...)
			}
			x.Upstream = after
			save = append(save, x)
			r.add(m.pushKey, func(c *codex.SyncCounts) { c.Updated++ })
		}
		if err := r.e.svc.Sync.SaveExternalRefs(ctx, save); err != nil {
			return err
		}
	}
	return nil
}

// accountNumbersOnly is a run that only assigns and pushes account numbers. It keeps the
// ticket watermark of the last successful run, so the next full run goes on from there.
func (r *runner) accountNumbersOnly(ctx context.Context) error {
	last, err := r.e.svc.Sync.LastSyncRun(ctx, r.source, codex.SyncSucceeded)
	switch {
	case err == nil:
		r.watermark = last.Watermark
	case !codex.IsNotFound(err):
		return err
	}
	switch r.source {
	case codex.SourceFreshservice:
		return r.accountNumbers(ctx, r.fsCompanies(r.e.fs))
	case codex.SourceDatto:
		return r.accountNumbers(ctx, r.dattoCompanies(r.e.datto))
	}
	return nil
}

// AccountNumbers assigns account numbers to the client companies that lack one and
// pushes them to every configured source, one run per source (triggered by triggeredBy),
// without syncing anything else. Only admins may. The runs are returned in source order.
func (e *Engine) AccountNumbers(ctx context.Context, triggeredBy string) ([]*codex.SyncRun, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if !p.CanTriage() {
		return nil, codex.Errorf(codex.Forbidden, "only admins may assign account numbers")
	}
	srcs := e.Sources()
	if len(srcs) == 0 {
		return nil, codex.Errorf(codex.Invalid, "no integration is configured: set [integrations] freshservice_api_key or datto_api_key")
	}
	var runs []*codex.SyncRun
	for _, s := range srcs {
		r, err := e.acquire(ctx, s, triggeredBy)
		if err != nil {
			return runs, err
		}
		r.mode = modeAccountNumbers
		run, err := r.execute(ctx, nil)
		if run != nil {
			runs = append(runs, run)
		}
		if err != nil {
			return runs, err
		}
	}
	return runs, nil
}

// RunAccountNumbersCLI runs `codex sync account-numbers`: one account number run per
// configured source, then each run's summary.
func RunAccountNumbersCLI(ctx context.Context, e *Engine, out io.Writer) error {
	start := time.Now()
	runs, err := e.AccountNumbers(ctx, "cli")
	for i, run := range runs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		WriteSummary(out, run, time.Since(start))
	}
	if err != nil && len(runs) == 0 {
		fmt.Fprintf(out, "account numbers: %s\n", codex.ErrorMessage(err))
	}
	return err
}
