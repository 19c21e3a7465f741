package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// triageRow is one triage item with what its assign form offers: the candidate companies
// (an unassigned record several companies matched) or the candidate assets (an ambiguous
// device).
type triageRow struct {
	Item      *codex.TriageItem
	Companies []*codex.Company
	Assets    []*codex.Asset
	Error     string
	Company   string // the picker's text as submitted, after a refused assignment
}

type triageData struct {
	Q          url.Values
	Rows       []*triageRow
	Next, Prev string
	Parents    []string
	CanAssign  bool
	Reasons    []string
}

// triagePage serves the sync centre's triage list (admins; the policy refuses everyone
// else with 403): the upstream records the sync holds without a company or for an
// ambiguous match, each with a one-action assign form.
func (u *UI) triagePage(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadTriage(r.Context(), r.URL.Query())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "triage", "Triage", "sync", d)
}

func (u *UI) loadTriage(ctx context.Context, q url.Values) (*triageData, error) {
	f := codex.TriageFilter{Source: q.Get("source"), Entity: q.Get("entity"), Reason: q.Get("reason")}
	pg, err := u.svc.Triage.TriageItems(ctx, f, pageArgs(q, false))
	if err != nil {
		return nil, err
	}
	_, canAssign := u.opts.Sync.(codex.SyncActions)
	d := &triageData{Q: q, CanAssign: canAssign, Reasons: []string{codex.TriageUnassigned, codex.TriageAmbiguous}}
	d.Next, d.Prev = pagerLinks("sync/triage", q, pg)
	for _, it := range pg.Items {
		row := &triageRow{Item: it}
		if len(it.Candidates) > 0 {
			if it.Reason == codex.TriageAmbiguous && it.Entity == codex.EntityAsset {
				as, _ := u.svc.Assets.AssetsByIDs(ctx, it.Candidates)
				for _, a := range as {
					if a != nil {
						row.Assets = append(row.Assets, a)
					}
				}
			} else {
				cs, _ := u.svc.Companies.CompaniesByIDs(ctx, it.Candidates)
				for _, c := range cs {
					if c != nil {
						row.Companies = append(row.Companies, c)
					}
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if canAssign && len(d.Rows) > 0 {
		d.Parents = u.pickerOptions(ctx)
	}
	return d, nil
}

// triageAssign assigns one item through the sync engine, as POST /api/triage/{id}/assign
// does: to the company of the picker, or (an ambiguous device) to the chosen candidate
// asset. A refused assignment re-renders the list with the error at the item.
func (u *UI) triageAssign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, sa, ok := u.syncAction(w, r)
	if !ok {
		return
	}
	f := postedForm(r)
	var companyID, assetID int64
	var err error
	if s := strings.TrimSpace(f.Get("asset")); s != "" {
		assetID, err = strconv.ParseInt(s, 10, 64)
		if err != nil {
			err = codex.Errorf(codex.Invalid, "choose one of the candidate assets")
		}
	} else {
		companyID, err = u.companyRef(ctx, f.Get("company"))
		if err == nil && companyID == 0 {
			err = codex.Errorf(codex.Invalid, "choose a company")
		}
	}
	var out *codex.TriageOutcome
	if err == nil {
		out, err = sa.AssignTriage(ctx, id, companyID, assetID)
	}
	if err != nil {
		switch codex.ErrorCode(err) {
		case codex.Invalid, codex.NotFound:
		default:
			u.fail(w, r, err)
			return
		}
		q, _ := url.ParseQuery(f.Get("return"))
		d, lerr := u.loadTriage(ctx, q)
		if lerr != nil {
			u.fail(w, r, lerr)
			return
		}
		msg := codex.ErrorMessage(err)
		for _, m := range codex.ErrorFields(err) {
			msg = m
		}
		found := false
		for _, row := range d.Rows {
			if row.Item.ID == id {
				row.Error, row.Company, found = msg, f.Get("company"), true
			}
		}
		v := u.newView(r, "Triage", "sync", d)
		if !found {
			v.Error = msg
		}
		u.renderView(w, r, http.StatusUnprocessableEntity, "triage", v)
		return
	}
	flash := "Assigned: " + strconv.Itoa(out.Contacts) + " contacts, " + strconv.Itoa(out.Tickets) + " tickets, " +
		strconv.Itoa(out.Assets) + " assets."
	target := "sync/triage?flash=" + url.QueryEscape(flash)
	if ret := f.Get("return"); ret != "" {
		if q, err := url.ParseQuery(ret); err == nil {
			q.Del("flash")
			if enc := q.Encode(); enc != "" {
				target += "&" + enc
			}
		}
	}
	redirect(w, r, target)
}
