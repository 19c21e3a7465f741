package syncer

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// AccountNumberField is the department custom field MSPs keep their account number in.
const AccountNumberField = "account_number"

// ticketEpoch is the updated_since of the first ticket sync: Freshservice lists only
// recent tickets without one.
var ticketEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Push count keys.
const (
	pushDepartments = "push:department"
	pushRequesters  = "push:requester"
	pushSites       = "push:site"
	pushDevices     = "push:device"
)

// freshservice syncs departments, requesters, assets and tickets, in that order, so that
// each finds the rows it refers to.
func (r *runner) freshservice(ctx context.Context) error {
	fs := r.e.fs
	companies := r.fsCompanies(fs)
	contacts := r.fsContacts(fs)
	assets := r.fsAssets()
	r.archivers = append(r.archivers, companies, contacts, assets)
	if err := r.loadTriage(ctx); err != nil {
		return err
	}

	err := syncPages(ctx, companies, fs.Departments,
		func(ctx context.Context, p freshservice.Page[freshservice.Department]) (*page[codex.Company], error) {
			out := fsPage[codex.Company](len(p.Items), p.Skipped)
			for _, d := range p.Items {
				out.recs = append(out.recs, fsDepartment(d))
			}
			return out, nil
		})
	if err != nil {
		return err
	}
	if err := r.accountNumbers(ctx, companies); err != nil {
		return err
	}
	if err := r.loadDomains(ctx); err != nil {
		return err
	}

	err = syncPages(ctx, contacts, fs.Requesters,
		func(ctx context.Context, p freshservice.Page[freshservice.Requester]) (*page[codex.Contact], error) {
			var depts []string
			for _, q := range p.Items {
				for _, d := range q.DepartmentIDs {
					depts = append(depts, strconv.FormatInt(d, 10))
				}
			}
			deptCompany, err := r.rowsOf(ctx, codex.EntityCompany, depts)
			if err != nil {
				return nil, err
			}
			out := fsPage[codex.Contact](len(p.Items), p.Skipped)
			var placed []string
			for _, q := range p.Items {
				rec := fsRequester(q, deptCompany)
				r.placeRequester(q, rec)
				if rec.values["company_id"] != "" {
					placed = append(placed, rec.extID)
				}
				out.recs = append(out.recs, rec)
			}
			return out, r.placed(ctx, codex.EntityContact, placed)
		})
	if err != nil {
		return err
	}

	err = syncPages(ctx, assets, fs.Assets,
		func(ctx context.Context, p freshservice.Page[freshservice.Asset]) (*page[codex.Asset], error) {
			var depts, users []string
			for _, a := range p.Items {
				if a.DepartmentID != nil {
					depts = append(depts, strconv.FormatInt(*a.DepartmentID, 10))
				}
				if a.UserID != nil {
					users = append(users, strconv.FormatInt(*a.UserID, 10))
				}
			}
			deptCompany, err := r.rowsOf(ctx, codex.EntityCompany, depts)
			if err != nil {
				return nil, err
			}
			userCompany, err := r.homeCompanies(ctx, users)
			if err != nil {
				return nil, err
			}
			out := fsPage[codex.Asset](len(p.Items), p.Skipped)
			var placed []string
			for _, a := range p.Items {
				rec := fsAsset(a, deptCompany, userCompany)
				if rec.values["company_id"] != "" {
					placed = append(placed, rec.extID)
				}
				out.recs = append(out.recs, rec)
			}
			return out, r.placed(ctx, codex.EntityAsset, placed)
		})
	if err != nil {
		return err
	}

	if err := r.fsAgentsAndGroups(ctx, fs); err != nil {
		return err
	}
	if err := r.fsTickets(ctx, fs); err != nil {
		return err
	}
	return r.placeByTickets(ctx)
}

// fsPage starts the page of a Freshservice listing of n good records.
func fsPage[T any](n int, skipped []freshservice.SkipError) *page[T] {
	p := &page[T]{recs: make([]*record[T], 0, n), size: n + len(skipped), total: -1}
	for _, s := range skipped {
		p.skipped, p.skippedIDs = append(p.skipped, s), append(p.skippedIDs, s.ID)
	}
	return p
}

// skippedFS counts Freshservice's malformed records.
func (r *runner) skippedFS(ctx context.Context, entity string, skipped []freshservice.SkipError) {
	p := fsPage[struct{}](0, skipped)
	r.skipped(ctx, entity, entity, p.skipped, p.skippedIDs)
}

// homeCompanies maps requester ids to the home companies of their contacts.
func (r *runner) homeCompanies(ctx context.Context, requesterIDs []string) (map[string]int64, error) {
	contacts, err := r.rowsOf(ctx, codex.EntityContact, requesterIDs)
	if err != nil || len(contacts) == 0 {
		return map[string]int64{}, err
	}
	var keys []string
	var ids []int64
	for k, id := range contacts {
		keys, ids = append(keys, k), append(ids, id)
	}
	rows, errs := r.e.svc.Contacts.ContactsByIDs(ctx, ids)
	out := map[string]int64{}
	for i, c := range rows {
		if c != nil {
			out[keys[i]] = c.CompanyID
		} else if errs != nil && fatal(errs[i]) {
			return nil, errs[i]
		}
	}
	return out, nil
}

// Companies from departments.

func fsDepartment(d freshservice.Department) *record[codex.Company] {
	v := map[string]string{
		"name":           text(d.Name),
		"account_number": text(d.CustomField(AccountNumberField)),
		"description":    text(d.Description),
		"domains":        listText(validDomains(d.Domains)),
	}
	return &record[codex.Company]{
		extID: strconv.FormatInt(d.ID, 10), label: "department " + strconv.FormatInt(d.ID, 10) + " (" + v["name"] + ")",
		values: v, upstream: d,
		build: func() (*codex.Company, error) {
			c := &codex.Company{Name: v["name"], Description: v["description"], Domains: parseList(v["domains"])}
			if a := v["account_number"]; a != "" {
				c.AccountNumber = &a
			}
			return c, nil
		},
	}
}

func (r *runner) fsCompanies(fs *freshservice.Client) *companyMirror {
	m := newCompanyMirror(r)
	m.fields = fsCompanyFields
	m.match = r.matchByAccountNumber
	m.pushKey = pushDepartments
	m.push = func(ctx context.Context, rec *record[codex.Company], c *codex.Company, changed map[string]string) ([]string, error) {
		var u freshservice.DepartmentUpdate
		var pushed []string
		for f, v := range changed {
			switch f {
			case "account_number":
				if v == "" {
					continue // an account number, once given, is not taken back upstream
				}
				u.CustomFields = map[string]any{AccountNumberField: v}
			case "description":
				u.Description = &v
			case "domains":
				u.Domains = parseList(v)
			default:
				continue
			}
			pushed = append(pushed, f)
		}
		if len(pushed) == 0 {
			return nil, nil
		}
		id, _ := strconv.ParseInt(rec.extID, 10, 64)
		if _, err := fs.UpdateDepartment(ctx, id, u); err != nil {
			return nil, err
		}
		return pushed, nil
	}
	return m
}

// matchByAccountNumber links records to the company with their account number, unless
// that company is linked to another record of the source.
func (r *runner) matchByAccountNumber(ctx context.Context, recs []*record[codex.Company]) error {
	found := map[*record[codex.Company]]int64{}
	var ids []int64
	for _, rec := range recs {
		a := rec.values["account_number"]
		if a == "" {
			continue
		}
		c, err := r.e.svc.Companies.CompanyByAccountNumber(ctx, a)
		if codex.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		found[rec] = c.ID
		ids = append(ids, c.ID)
	}
	linked, err := r.linkedTo(ctx, codex.EntityCompany, ids)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if id, ok := found[rec]; ok && !linked[id] && r.take(codex.EntityCompany, id) {
			rec.matchID = id
		}
	}
	return nil
}

// Contacts from requesters.

func fsRequester(q freshservice.Requester, deptCompany map[string]int64) *record[codex.Contact] {
	first, last := text(q.FirstName), text(q.LastName)
	v := map[string]string{
		"first_name":   first,
		"last_name":    last,
		"display_name": strings.TrimSpace(first + " " + last),
		"email":        text(q.PrimaryEmail),
		"active":       boolText(q.Active),
		"title":        text(q.JobTitle),
		"phone_work":   validPhone(q.WorkPhoneNumber),
		"phone_mobile": validPhone(q.MobilePhoneNumber),
		// The old platform stored the requester's secondary_emails as they came; the
		// employment type is the requester's custom field of that name.
		"secondary_emails": listText(validEmails(q.SecondaryEmails)),
		"employment_type":  clip(text(q.CustomField("employment_type"))),
	}
	if v["display_name"] == "" {
		v["display_name"] = v["email"]
	}
	var home int64
	var more []string
	for _, d := range q.DepartmentIDs {
		id := deptCompany[strconv.FormatInt(d, 10)]
		switch {
		case id == 0:
		case home == 0:
			home = id
		case id != home:
			more = append(more, idText(id))
		}
	}
	if home != 0 {
		v["company_id"] = idText(home)
		v["companies"] = strings.Join(more, ",")
	}
	id := strconv.FormatInt(q.ID, 10)
	return &record[codex.Contact]{
		extID: id, label: "requester " + id, values: v, upstream: q,
		build: func() (*codex.Contact, error) {
			home := parseID(v["company_id"])
			if home == 0 {
				return nil, codex.Errorf(codex.Invalid, "none of its departments is known to Codex")
			}
			return &codex.Contact{CompanyID: home, FirstName: first, LastName: last, DisplayName: v["display_name"],
				Email: v["email"], Title: v["title"], PhoneWork: v["phone_work"], PhoneMobile: v["phone_mobile"],
				SecondaryEmails: parseList(v["secondary_emails"]), EmploymentType: v["employment_type"],
				Active: q.Active}, nil
		},
	}
}

func (r *runner) fsContacts(fs *freshservice.Client) *contactMirror {
	m := newContactMirror(r)
	m.fields = fsContactFields
	m.match = r.matchContacts
	m.after = func(ctx context.Context, rec *record[codex.Contact], c *codex.Contact) error {
		if err := r.assignFurther(ctx, rec, c); err != nil {
			return err
		}
		return r.followPlaced(ctx, rec, c)
	}
	m.pushKey = pushRequesters
	m.push = func(ctx context.Context, rec *record[codex.Contact], c *codex.Contact, changed map[string]string) ([]string, error) {
		var u freshservice.RequesterUpdate
		var pushed []string
		for f, v := range changed {
			switch f {
			case "title":
				u.JobTitle = &v
			case "phone_work":
				u.WorkPhoneNumber = &v
			case "phone_mobile":
				u.MobilePhoneNumber = &v
			default:
				continue
			}
			pushed = append(pushed, f)
		}
		if len(pushed) == 0 {
			return nil, nil
		}
		id, _ := strconv.ParseInt(rec.extID, 10, 64)
		if _, err := fs.UpdateRequester(ctx, id, u); err != nil {
			return nil, err
		}
		return pushed, nil
	}
	return m
}

// matchContacts links requesters to a contact of their home company with their e-mail
// that is not linked to another requester.
func (r *runner) matchContacts(ctx context.Context, recs []*record[codex.Contact]) error {
	var companies []int64
	for _, rec := range recs {
		if rec.values["email"] != "" && rec.values["company_id"] != "" {
			companies = append(companies, parseID(rec.values["company_id"]))
		}
	}
	companies = uniqIDs(companies)
	if len(companies) == 0 {
		return nil
	}
	lists, err := r.e.svc.Contacts.ContactsByCompanies(ctx, companies, codex.ContactFilter{IncludeArchived: true}, 0)
	if err != nil {
		return err
	}
	byCompany := map[int64][]*codex.Contact{}
	for i, l := range lists {
		byCompany[companies[i]] = l
	}
	cands := make([][]int64, len(recs))
	var all []int64
	for i, rec := range recs {
		email, home := rec.values["email"], parseID(rec.values["company_id"])
		if email == "" {
			continue
		}
		for _, c := range byCompany[home] {
			if c.CompanyID == home && strings.EqualFold(c.Email, email) {
				cands[i] = append(cands[i], c.ID)
			}
		}
		all = append(all, cands[i]...)
	}
	return pick(ctx, r, codex.EntityContact, recs, cands, uniqIDs(all))
}

// assignFurther assigns a contact to the companies of its further departments. It only
// adds: an assignment made in Codex, or one whose department was dropped upstream, stays.
func (r *runner) assignFurther(ctx context.Context, rec *record[codex.Contact], c *codex.Contact) error {
	more := rec.values["companies"]
	if more == "" {
		return nil
	}
	have, err := r.e.svc.Contacts.CompaniesOfContacts(ctx, []int64{c.ID})
	if err != nil {
		return err
	}
	assigned := map[int64]bool{}
	for _, a := range have[0] {
		assigned[a.CompanyID] = true
	}
	for _, s := range parseList(more) {
		id := parseID(s)
		if id == 0 || assigned[id] {
			continue
		}
		if err := r.e.svc.Contacts.AssignContact(ctx, c.ID, id, codex.DesignationNone); err != nil {
			return err
		}
	}
	return nil
}

// Assets from assets.

// fsAssetStatus maps an asset state to an asset status.
func fsAssetStatus(state string) codex.AssetStatus {
	s := strings.ToLower(state)
	switch {
	case strings.Contains(s, "repair"):
		return codex.AssetInRepair
	case strings.Contains(s, "retire"), strings.Contains(s, "dispos"), strings.Contains(s, "lost"), strings.Contains(s, "missing"):
		return codex.AssetRetired
	}
	return codex.AssetActive
}

func fsAsset(a freshservice.Asset, deptCompany, userCompany map[string]int64) *record[codex.Asset] {
	f := a.Fields()
	typ := codex.AssetOther
	if f.Hostname != "" {
		typ = codex.AssetWorkstation
	}
	v := map[string]string{
		"name":          text(a.Name),
		"serial_number": f.SerialNumber,
		"hostname":      f.Hostname,
		"status":        string(fsAssetStatus(f.AssetState)),
		"type":          string(typ),
	}
	if !f.WarrantyExpiry.IsZero() {
		v["warranty_expires"] = f.WarrantyExpiry.String()
	} else {
		v["warranty_expires"] = ""
	}
	var company int64
	if a.DepartmentID != nil {
		company = deptCompany[strconv.FormatInt(*a.DepartmentID, 10)]
	}
	if company == 0 && a.UserID != nil {
		company = userCompany[strconv.FormatInt(*a.UserID, 10)]
	}
	if company != 0 {
		v["company_id"] = idText(company)
	}
	if v["name"] == "" {
		v["name"] = f.Hostname
	}
	if m := macList(a.TypeFieldString("mac_address")); m != "" {
		v["mac_addresses"] = m // matching only: no asset column holds it
	}
	id := strconv.FormatInt(a.ID, 10)
	return &record[codex.Asset]{
		extID: id, label: "asset " + strconv.FormatInt(a.DisplayID, 10) + " (" + v["name"] + ")", values: v, upstream: a,
		build: func() (*codex.Asset, error) {
			if company == 0 {
				var user string
				if a.UserID != nil {
					user = strconv.FormatInt(*a.UserID, 10)
				}
				return nil, held(codex.EntityAsset, id, "asset "+strconv.FormatInt(a.DisplayID, 10)+" ("+v["name"]+")",
					codex.TriageUnassigned, user, v, nil)
			}
			return &codex.Asset{CompanyID: company, Name: v["name"], Type: typ, SerialNumber: v["serial_number"],
				Hostname: v["hostname"], Status: codex.AssetStatus(v["status"]), WarrantyExpires: datePtr(v["warranty_expires"])}, nil
		},
	}
}

func (r *runner) fsAssets() *assetMirror {
	m := newAssetMirror(r)
	m.fields = fsAssetFields
	m.match = r.matchAssets
	return m
}

// Tickets.

// fsTicketStatus maps a Freshservice status; the account's own statuses (6 on) are open.
func fsTicketStatus(s int) codex.TicketStatus {
	switch s {
	case freshservice.StatusPending:
		return codex.TicketPending
	case freshservice.StatusResolved:
		return codex.TicketResolved
	case freshservice.StatusClosed:
		return codex.TicketClosed
	}
	return codex.TicketOpen
}

// fsTicketPriority maps a Freshservice priority.
func fsTicketPriority(p int) codex.TicketPriority {
	switch p {
	case freshservice.PriorityMedium:
		return codex.PriorityMedium
	case freshservice.PriorityHigh:
		return codex.PriorityHigh
	case freshservice.PriorityUrgent:
		return codex.PriorityUrgent
	}
	return codex.PriorityLow
}

// ticketValues are the fields of t that a ticket's fingerprint covers.
func ticketValues(t *codex.Ticket) map[string]string {
	var requester string
	if t.RequesterID != nil {
		requester = idText(*t.RequesterID)
	}
	values := map[string]string{
		"company_id": idText(t.CompanyID), "requester_id": requester, "subject": t.Subject,
		"description": t.Description, "status": string(t.Status), "priority": string(t.Priority), "type": t.Type,
		"created_at": timeText(&t.CreatedAt), "updated_at": timeText(&t.UpdatedAt), "due_at": timeText(t.DueAt),
		"resolved_at": timeText(t.ResolvedAt), "closed_at": timeText(t.ClosedAt),
	}
	psaTicketValues(t, values)
	return values
}

// fsTickets syncs the tickets updated since the watermark of the last successful run, and
// moves the watermark to the latest update seen.
func (r *runner) fsTickets(ctx context.Context, fs *freshservice.Client) error {
	since := ticketEpoch
	last, err := r.e.svc.Sync.LastSyncRun(ctx, r.source, codex.SyncSucceeded)
	switch {
	case err == nil && last.Watermark != nil:
		since = *last.Watermark
	case err != nil && !codex.IsNotFound(err):
		return err
	}
	mark := since
	done := 0
	var changed []changedTicket
	err = fs.Tickets(ctx, since, func(p freshservice.Page[freshservice.Ticket]) error {
		r.skippedFS(ctx, codex.EntityTicket, p.Skipped)
		ids := make([]string, len(p.Items))
		var depts, requesters []string
		for i, t := range p.Items {
			ids[i] = strconv.FormatInt(t.ID, 10)
			if t.DepartmentID != nil {
				depts = append(depts, strconv.FormatInt(*t.DepartmentID, 10))
			}
			requesters = append(requesters, strconv.FormatInt(t.RequesterID, 10))
		}
		refs, err := r.e.svc.Sync.ExternalRefsByExternalIDs(ctx, r.source, codex.EntityTicket, ids)
		if err != nil {
			return err
		}
		deptCompany, err := r.rowsOf(ctx, codex.EntityCompany, depts)
		if err != nil {
			return err
		}
		contacts, err := r.rowsOf(ctx, codex.EntityContact, requesters)
		if err != nil {
			return err
		}
		homes, err := r.homeCompanies(ctx, requesters)
		if err != nil {
			return err
		}
		var save []*codex.ExternalRef
		var placed []string
		for i, ft := range p.Items {
			if ft.UpdatedAt.After(mark) {
				mark = ft.UpdatedAt
			}
			t := fsTicket(ft, deptCompany, contacts, homes)
			r.e.fsTicketPSA(ft, t)
			label := "ticket " + ids[i]
			requester := strconv.FormatInt(ft.RequesterID, 10)
			if t.CompanyID == 0 {
				if err := r.holdTicket(ctx, t, label, requester); err != nil {
					return err
				}
				continue
			}
			placed = append(placed, ids[i])
			if t.RequesterID == nil && r.isKnown(codex.EntityContact, requester) {
				r.hint(requester, t)
			}
			values := ticketValues(t)
			fp := fingerprint(values)
			ref := refs[i]
			if ref != nil && ref.Fingerprint == fp {
				r.add(codex.EntityTicket, func(c *codex.SyncCounts) { c.Unchanged++ })
				continue
			}
			created, err := r.e.svc.Tickets.SaveTicket(ctx, t)
			if err != nil {
				if fatal(err) {
					return err
				}
				r.failed(ctx, codex.EntityTicket, label, err)
				continue
			}
			changed = append(changed, changedTicket{id: t.ID, externalID: ft.ID})
			r.add(codex.EntityTicket, func(c *codex.SyncCounts) {
				if created {
					c.Created++
				} else {
					c.Updated++
				}
			})
			save = append(save, &codex.ExternalRef{Source: r.source, Entity: codex.EntityTicket, ExternalID: ids[i],
				EntityID: t.ID, Fingerprint: fp, Upstream: values})
		}
		if err := r.e.svc.Sync.SaveExternalRefs(ctx, save); err != nil {
			return err
		}
		if err := r.placed(ctx, codex.EntityTicket, placed); err != nil {
			return err
		}
		done += len(p.Items) + len(p.Skipped)
		r.report(codex.EntityTicket, done, -1, false)
		return nil
	})
	if err != nil {
		return err
	}
	r.report(codex.EntityTicket, done, done, true)
	if err := r.fsTicketDetails(ctx, fs, changed); err != nil {
		return err
	}
	r.watermark = &mark
	return nil
}

func fsTicket(ft freshservice.Ticket, deptCompany, contacts, homes map[string]int64) *codex.Ticket {
	t := &codex.Ticket{
		Source: codex.SourceFreshservice, ExternalID: strconv.FormatInt(ft.ID, 10),
		Subject: text(ft.Subject), Description: ft.DescriptionText,
		Status: fsTicketStatus(ft.Status), Priority: fsTicketPriority(ft.Priority), Type: ft.Type,
		CreatedAt: ft.CreatedAt.UTC(), UpdatedAt: ft.UpdatedAt.UTC(), DueAt: utcPtr(ft.DueBy),
	}
	if t.Description == "" {
		t.Description = ft.Description
	}
	if t.Subject == "" {
		t.Subject = "(no subject)"
	}
	requester := strconv.FormatInt(ft.RequesterID, 10)
	if id, ok := contacts[requester]; ok {
		t.RequesterID = &id
	}
	if ft.DepartmentID != nil {
		t.CompanyID = deptCompany[strconv.FormatInt(*ft.DepartmentID, 10)]
	}
	if t.CompanyID == 0 {
		t.CompanyID = homes[requester]
	}
	if ft.Stats != nil {
		t.ResolvedAt, t.ClosedAt = utcPtr(ft.Stats.ResolvedAt), utcPtr(ft.Stats.ClosedAt)
	}
	return t
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
