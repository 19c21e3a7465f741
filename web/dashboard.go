package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
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

// dashboardTTL is how long the dashboard's counts and expiry list are reused: counting
// 100,000 assets and 80,000 tickets on every visit would cost far more than the page.
const dashboardTTL = time.Minute

type cachedTotals struct {
	counts   []countCard
	expiring []expiring
	at       time.Time
}

// dashboardTotals returns the counts and the expiry list, computed at most once a
// minute per audience: the principals who see the same rows (same level, company,
// service and redaction) share them.
func (u *UI) dashboardTotals(ctx context.Context, p *codex.Principal) dashboardData {
	key := fmt.Sprintf("%s|%s|%d|%t", p.Level, p.Service, p.CompanyID, p.MustRedact())
	if c, ok := u.dash.Get(key); ok && u.opts.Now().Sub(c.at) < dashboardTTL {
		return dashboardData{Counts: c.counts, Expiring: c.expiring}
	}
	var d dashboardData
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	count := func(label, link string, f func(context.Context, codex.PageArgs) (int, error)) {
		g.Go(func() error {
			n, err := f(gctx, codex.PageArgs{First: ptr(0), WantTotal: true})
			if err == nil {
				mu.Lock()
				d.Counts = append(d.Counts, countCard{Label: label, Link: link, N: n})
				mu.Unlock()
			}
			return nil
		})
	}
	count("Clients", "companies?kind=client", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Companies.Companies(ctx, codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindClient}}, pa)
		return total(pg, err)
	})
	count("Contacts", "contacts", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Contacts.Contacts(ctx, codex.ContactFilter{}, pa)
		return total(pg, err)
	})
	count("Assets", "assets", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Assets.Assets(ctx, codex.AssetFilter{}, pa)
		return total(pg, err)
	})
	count("Network devices", "network", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Network.EquipmentList(ctx, codex.EquipmentFilter{}, pa)
		return total(pg, err)
	})
	count("Open tickets", "", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Tickets.Tickets(ctx, codex.TicketFilter{OpenOnly: true}, pa)
		return total(pg, err)
	})
	count("Open alerts", "", func(ctx context.Context, pa codex.PageArgs) (int, error) {
		pg, err := u.svc.Tickets.Alerts(ctx, codex.AlertFilter{Resolved: ptr(false)}, pa)
		return total(pg, err)
	})
	g.Go(func() error {
		d.Expiring = u.expiring(gctx)
		return nil
	})
	g.Wait()
	order := map[string]int{"Clients": 0, "Contacts": 1, "Assets": 2, "Network devices": 3, "Open tickets": 4, "Open alerts": 5}
	sort.Slice(d.Counts, func(i, j int) bool { return order[d.Counts[i].Label] < order[d.Counts[j].Label] })
	u.dash.Add(key, cachedTotals{counts: d.Counts, expiring: d.Expiring, at: u.opts.Now()})
	return d
}

func total[T any](pg *codex.Page[T], err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return pg.TotalCount, nil
}

// expiring lists the warranties and licences ending in the next 90 days, soonest first.
func (u *UI) expiring(ctx context.Context) []expiring {
	today := codex.DateOf(u.opts.Now())
	limit := today.AddDays(90)
	var out []expiring
	bucket := func(d codex.Date) int {
		switch {
		case d.Before(today.AddDays(31)):
			return 30
		case d.Before(today.AddDays(61)):
			return 60
		}
		return 90
	}
	pg, err := u.svc.Assets.Assets(ctx, codex.AssetFilter{WarrantyExpiresBefore: &limit, Order: codex.Order{Field: "warranty_expires", Desc: true}},
		codex.PageArgs{First: ptr(200)})
	if err == nil {
		for _, a := range pg.Items {
			if a.WarrantyExpires == nil || a.WarrantyExpires.Before(today) {
				break
			}
			out = append(out, expiring{Asset: a, What: "warranty", Ends: *a.WarrantyExpires, Bucket: bucket(*a.WarrantyExpires)})
		}
	}
	n := 0
	u.svc.Assets.EachAsset(ctx, codex.AssetFilter{Type: []codex.AssetType{codex.AssetLicense}}, func(a *codex.Asset) error {
		if a.LicenseExpires != nil && !a.LicenseExpires.Before(today) && a.LicenseExpires.Before(limit) && n < 200 {
			out = append(out, expiring{Asset: a, What: "licence", Ends: *a.LicenseExpires, Bucket: bucket(*a.LicenseExpires)})
			n++
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ends.Before(out[j].Ends) })
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
