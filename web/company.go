package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/hivematrix/codex/codex"
)

// companyListData is the companies list's model.
type companyListData struct {
	Q               url.Values
	Page            *codex.Page[codex.Company]
	Next, Prev      string
	Kinds, Statuses []string
	Levels, Orders  []string
}

// companyList serves /companies: search, filters, sort and keyset paging.
func (u *UI) companyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := codex.CompanyFilter{Search: q.Get("q"), IncludeArchived: q.Get("archived") == "all", OnlyArchived: q.Get("archived") == "only"}
	if k := q.Get("kind"); k != "" {
		f.Kind = []codex.CompanyKind{codex.CompanyKind(k)}
	}
	if s := q.Get("status"); s != "" {
		f.Status = []codex.CompanyStatus{codex.CompanyStatus(s)}
	}
	if c := q.Get("compliance"); c != "" {
		f.ComplianceLevel = []codex.ComplianceLevel{codex.ComplianceLevel(c)}
	}
	f.Order = codex.Order{Field: q.Get("sort"), Desc: q.Get("desc") == "1"}
	pa := pageArgs(q, true)
	pg, err := u.svc.Companies.Companies(r.Context(), f, pa)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := companyListData{Q: q, Page: pg, Kinds: []string{"client", "vendor", "internal"}, Statuses: []string{"active", "inactive"},
		Levels: []string{"standard", "hipaa", "cjis"}, Orders: codex.CompanyOrders}
	d.Next, d.Prev = pagerLinks("companies", q, pg)
	u.render(w, r, http.StatusOK, "companies", "Companies", "companies", d)
}

const pageSize = 50

// pageArgs reads keyset paging from ?after= or ?before=. Counting every match is one
// more statement, cheap for companies but not over 100,000 assets: total asks for it.
func pageArgs(q url.Values, total bool) codex.PageArgs {
	pa := codex.PageArgs{WantTotal: total}
	if b := q.Get("before"); b != "" {
		pa.Last, pa.Before = ptr(pageSize), b
	} else {
		pa.First, pa.After = ptr(pageSize), q.Get("after")
	}
	return pa
}

// pagerLinks returns the next and previous page links of a keyset-paged list.
func pagerLinks[T any](path string, q url.Values, pg *codex.Page[T]) (next, prev string) {
	link := func(key, cursor string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "before" {
				v[k] = vs
			}
		}
		v.Set(key, cursor)
		return path + "?" + v.Encode()
	}
	if n := len(pg.Cursors); n > 0 {
		if pg.HasNextPage {
			next = link("after", pg.Cursors[n-1])
		}
		if pg.HasPreviousPage || q.Get("after") != "" {
			prev = link("before", pg.Cursors[0])
		}
	}
	return next, prev
}

// treeNode is one company of the tree view, with its children when expanded.
type treeNode struct {
	Company  *codex.Company
	Open     bool
	Children []*treeNode
	Toggle   string // the link that opens or closes this node
}

// companyTree serves /companies/tree: the roots, with the nodes named in ?open= expanded
// (expanding loads only that node's children).
func (u *UI) companyTree(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	open := map[int64]bool{}
	var openIDs []string
	for _, s := range strings.Split(r.URL.Query().Get("open"), ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			open[id] = true
			openIDs = append(openIDs, s)
		}
	}
	p := codex.PrincipalFrom(ctx)
	var roots []*codex.Company
	if p.Level == codex.LevelClient {
		c, err := u.svc.Companies.Company(ctx, p.CompanyID)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		roots = []*codex.Company{c}
	} else {
		pg, err := u.svc.Companies.Companies(ctx, codex.CompanyFilter{RootsOnly: true}, codex.PageArgs{First: ptr(codex.MaxPageSize)})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		roots = pg.Items
	}
	toggle := func(id int64) string {
		var ids []string
		s := strconv.FormatInt(id, 10)
		for _, o := range openIDs {
			if o != s {
				ids = append(ids, o)
			}
		}
		if !open[id] {
			ids = append(ids, s)
		}
		return "companies/tree?open=" + strings.Join(ids, ",") + "#c" + s
	}
	var build func(cs []*codex.Company, depth int) ([]*treeNode, error)
	build = func(cs []*codex.Company, depth int) ([]*treeNode, error) {
		nodes := make([]*treeNode, len(cs))
		var expand []int64
		for i, c := range cs {
			nodes[i] = &treeNode{Company: c, Open: open[c.ID], Toggle: toggle(c.ID)}
			if open[c.ID] {
				expand = append(expand, c.ID)
			}
		}
		if len(expand) == 0 || depth > 20 {
			return nodes, nil
		}
		kids, err := u.svc.Companies.ChildrenByParents(ctx, expand, 500, nil)
		if err != nil {
			return nil, err
		}
		j := 0
		for _, n := range nodes {
			if n.Open {
				if n.Children, err = build(kids[j], depth+1); err != nil {
					return nil, err
				}
				j++
			}
		}
		return nodes, nil
	}
	nodes, err := build(roots, 0)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "tree", "Company tree", "companies", nodes)
}

// settingRow is one effective setting and the company it comes from.
type settingRow struct {
	Key, Value string
	From       *codex.Company
}

// companyPageData is the company page's model.
type companyPageData struct {
	Company        *codex.Company
	Ancestors      []*codex.Company // root first
	Children       []*codex.Company
	Locations      []*codex.Location
	Contacts       []*codex.Contact
	ContactCount   int
	Assets         []*codex.Asset
	AssetCount     int
	Equipment      []*codex.NetworkEquipment
	Subnets        []*codex.Subnet
	Tickets        []*codex.Ticket
	Alerts         []*codex.Alert
	Settings       []settingRow
	BillingContact *codex.Contact
	Audit          []*codex.AuditEntry
	// CanEditLocations shows the location actions to those who may change locations.
	CanEditLocations bool
}

// companyPage serves /companies/{id}.
func (u *UI) companyPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.loadCompanyPage(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "company", d.Company.Name, "companies", d)
}

// loadCompanyPage reads the company, then everything around it concurrently (each
// read is a round trip to the database; the policy layer is safe for concurrent use).
func (u *UI) loadCompanyPage(ctx context.Context, id int64) (*companyPageData, error) {
	c, err := u.svc.Companies.Company(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &companyPageData{Company: c, CanEditLocations: codex.PrincipalFrom(ctx).Can(codex.Write, codex.ResLocation)}
	ids := []int64{id}
	var anc []*codex.Company
	var eff map[string]string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { anc, err = u.svc.Companies.Ancestors(gctx, id); return err })
	g.Go(func() (err error) { eff, err = u.svc.Companies.EffectiveSettings(gctx, id); return err })
	g.Go(func() error {
		kids, err := u.svc.Companies.ChildrenByParents(gctx, ids, 200, nil)
		if err == nil {
			d.Children = kids[0]
		}
		return err
	})
	g.Go(func() error {
		locs, err := u.svc.Companies.LocationsByCompanies(gctx, ids)
		if err == nil {
			d.Locations = locs[0]
		}
		return err
	})
	g.Go(func() error {
		cs, err := u.svc.Contacts.ContactsByCompanies(gctx, ids, codex.ContactFilter{}, 100)
		if err == nil {
			d.Contacts = primaryFirst(cs[0])
		}
		return err
	})
	g.Go(func() error {
		if n, err := u.svc.Contacts.CountContactsByCompanies(gctx, ids, codex.ContactFilter{}); err == nil {
			d.ContactCount = n[0]
		}
		return nil
	})
	g.Go(func() error {
		as, err := u.svc.Assets.AssetsByCompanies(gctx, ids, codex.AssetFilter{}, 50)
		if err == nil {
			d.Assets = as[0]
		}
		return err
	})
	g.Go(func() error {
		if n, err := u.svc.Assets.CountAssetsByCompanies(gctx, ids, codex.AssetFilter{}); err == nil {
			d.AssetCount = n[0]
		}
		return nil
	})
	g.Go(func() error {
		eq, err := u.svc.Network.EquipmentByCompanies(gctx, ids, codex.EquipmentFilter{}, 200)
		if err == nil {
			d.Equipment = eq[0]
		}
		return err
	})
	g.Go(func() error {
		if sn, err := u.svc.Network.SubnetsByCompanies(gctx, ids); err == nil {
			d.Subnets = sn[0]
		}
		return nil
	})
	g.Go(func() error {
		if ts, err := u.svc.Tickets.TicketsByCompanies(gctx, ids, codex.TicketFilter{OpenOnly: true}, 20); err == nil {
			d.Tickets = ts[0]
		}
		return nil
	})
	g.Go(func() error {
		if as, err := u.svc.Tickets.AlertsByCompanies(gctx, ids, codex.AlertFilter{Resolved: ptr(false)}, 20); err == nil {
			d.Alerts = as[0]
		}
		return nil
	})
	if c.BillingContactID != nil {
		g.Go(func() error {
			if bc, err := u.svc.Contacts.Contact(gctx, *c.BillingContactID); err == nil {
				d.BillingContact = bc
			}
			return nil
		})
	}
	if codex.PrincipalFrom(ctx).Can(codex.Read, codex.ResAudit) {
		g.Go(func() error {
			if pg, err := u.svc.Audit.AuditLog(gctx, codex.AuditFilter{Entity: codex.EntityCompany, EntityID: &id}, codex.PageArgs{First: ptr(15)}); err == nil {
				d.Audit = pg.Items
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d.Ancestors = slices.Clone(anc)
	slices.Reverse(d.Ancestors)
	chain := append([]*codex.Company{c}, anc...) // nearest first
	for k, v := range eff {
		row := settingRow{Key: k, Value: v}
		for _, a := range chain {
			if av, ok := a.Settings[k]; ok && av == v {
				row.From = a
				break
			}
		}
		d.Settings = append(d.Settings, row)
	}
	slices.SortFunc(d.Settings, func(a, b settingRow) int { return strings.Compare(a.Key, b.Key) })
	return d, nil
}

// primaryFirst orders contacts primary, then secondary, then the rest (stable).
func primaryFirst(cs []*codex.Contact) []*codex.Contact {
	rank := func(c *codex.Contact) int {
		switch c.Designation {
		case codex.DesignationPrimary:
			return 0
		case codex.DesignationSecondary:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(cs, func(a, b *codex.Contact) int { return rank(a) - rank(b) })
	return cs
}

// companyArchive and companyRestore serve the archive and restore buttons.
func (u *UI) companyArchive(w http.ResponseWriter, r *http.Request) {
	u.companyLifecycle(w, r, u.svc.Companies.ArchiveCompany, "Archived.")
}

func (u *UI) companyRestore(w http.ResponseWriter, r *http.Request) {
	u.companyLifecycle(w, r, u.svc.Companies.RestoreCompany, "Restored.")
}

func (u *UI) companyLifecycle(w http.ResponseWriter, r *http.Request, op func(context.Context, int64) (*codex.Company, error), msg string) {
	id, err := idParam(r)
	if err == nil {
		_, err = op(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "companies/"+strconv.FormatInt(id, 10)+"?flash="+url.QueryEscape(msg))
}
