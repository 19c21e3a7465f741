package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hivematrix/codex/codex"
)

// dashboardData is the dashboard's model.
type dashboardData struct {
	Counts    []countCard
	Expiring  []expiring
	LastSyncs []lastSync
	Audit     []*codex.AuditEntry
}

type countCard struct {
	Label, Link string
	N           int
}

// expiring is an asset whose warranty or licence ends within 90 days.
type expiring struct {
	Asset  *codex.Asset
	What   string // "warranty" or "licence"
	Ends   codex.Date
	Bucket int // 30, 60 or 90
}

type lastSync struct {
	Source string
	Run    *codex.SyncRun
}

func ptr[T any](v T) *T { return &v }

// dashboard serves /: counts, what expires soon, the last sync per source and the recent
// changes. A person whose home page is elsewhere is sent there (the nav's Dashboard
// link asks for ?view=dashboard).
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := codex.PrincipalFrom(ctx)
	if r.URL.RawQuery == "" {
		if home := homePage(u.preferences(ctx, p).HomePage); home != "" {
			redirect(w, r, home)
			return
		}
	}
	d := u.dashboardTotals(ctx, p)
	if p.Can(codex.Read, codex.ResSync) {
		for _, src := range []string{codex.SourceFreshservice, codex.SourceDatto} {
			run, err := u.svc.Sync.LastSyncRun(ctx, src, "")
			if err != nil {
				run = nil
			}
			d.LastSyncs = append(d.LastSyncs, lastSync{Source: src, Run: run})
		}
	}
	if p.Can(codex.Read, codex.ResAudit) {
		if pg, err := u.svc.Audit.AuditLog(ctx, codex.AuditFilter{}, codex.PageArgs{First: ptr(10)}); err == nil {
			d.Audit = pg.Items
		}
	}
	u.render(w, r, http.StatusOK, "dashboard", "Dashboard", "dashboard", d)
}

// homePage turns the home page preference, a path on the platform ("/codex/companies")
// or in Codex ("/companies"), into a page of this UI relative to its root; "" for the
// dashboard or a page of another service ("/ledger").
func homePage(pref string) string {
	p := strings.TrimPrefix(pref, "/codex")
	if p == "" || p == "/" || !strings.HasPrefix(p, "/") {
		return ""
	}
	first := "/" + strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]
	first = strings.SplitN(first, "?", 2)[0]
	for _, ok := range Paths {
		if ok == first && ok != "/" && ok != "/static" && ok != "/signin" && ok != "/signout" {
			return strings.TrimPrefix(p, "/")
		}
	}
	return ""
}

// dashboardTTL is how long the dashboard's counts and expiry list are reused per
// audience: they cost two to three statements, but a busy dashboard is visited often.
const dashboardTTL = time.Minute

type cachedTotals struct {
	counts   []countCard
	expiring []expiring
	at       time.Time
}

// dashboardTotals returns the counts and the expiry list, computed at most once a
// minute per audience: the principals who see the same rows (same level, company,
// service and redaction) share them. The counts are one statement (the dashboard
// service's Totals), the expiry list two, run at once.
func (u *UI) dashboardTotals(ctx context.Context, p *codex.Principal) dashboardData {
	key := fmt.Sprintf("%s|%s|%d|%t", p.Level, p.Service, p.CompanyID, p.MustRedact())
	if c, ok := u.dash.Get(key); ok && u.opts.Now().Sub(c.at) < dashboardTTL {
		return dashboardData{Counts: c.counts, Expiring: c.expiring}
	}
	var d dashboardData
	var g errgroup.Group
	g.Go(func() error {
		t, err := u.svc.Dashboard.Totals(ctx, codex.TotalsFilter{Companies: true, Contacts: true, Assets: true, Network: true, Tickets: true})
		if err != nil {
			return err
		}
		for _, c := range []struct {
			label, link string
			n           *int
		}{
			{"Clients", "companies?kind=client", t.Clients},
			{"Contacts", "contacts", t.Contacts},
			{"Assets", "assets", t.Assets},
			{"Network devices", "network", t.Equipment},
			{"Open tickets", "", t.OpenTickets},
			{"Open alerts", "", t.OpenAlerts},
		} {
			if c.n != nil {
				d.Counts = append(d.Counts, countCard{Label: c.label, Link: c.link, N: *c.n})
			}
		}
		return nil
	})
	g.Go(func() error {
		var err error
		d.Expiring, err = u.expiring(ctx)
		return err
	})
	if err := g.Wait(); err != nil {
		// The page still shows what it could; the next visit tries again.
		u.log.WarnContext(ctx, "web: dashboard totals", "err", err)
		return d
	}
	u.dash.Add(key, cachedTotals{counts: d.Counts, expiring: d.Expiring, at: u.opts.Now()})
	return d
}

// expiring lists the warranties and licences ending in the next 90 days, soonest first,
// in 30/60/90-day buckets.
func (u *UI) expiring(ctx context.Context) ([]expiring, error) {
	today := codex.DateOf(u.opts.Now())
	es, err := u.svc.Dashboard.Expiring(ctx, codex.ExpiryFilter{From: today, Before: today.AddDays(90)})
	if codex.ErrorCode(err) == codex.Forbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]expiring, len(es))
	for i, e := range es {
		b := 90
		switch {
		case e.Ends.Before(today.AddDays(31)):
			b = 30
		case e.Ends.Before(today.AddDays(61)):
			b = 60
		}
		out[i] = expiring{Asset: e.Asset, What: e.What, Ends: e.Ends, Bucket: b}
	}
	return out, nil
}

func sortStrings(s []string) { sort.Strings(s) }
