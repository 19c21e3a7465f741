package syncer

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// Placing every record. A requester none of whose departments Codex knows is placed by
// the domains of its e-mail addresses (primary and secondary) against the companies'
// domains, then by the companies of its tickets' departments; when neither gives exactly
// one company it is kept as a triage item (codex.TriageItem), as are the tickets and
// assets that hang on it and the devices whose match is ambiguous. Nothing upstream is
// dropped for lack of a company: a run counts these records as "unassigned" (or "held",
// for ambiguous matches), and an admin assigns them with Engine.AssignTriage.

// heldError is what a record's build returns when its row cannot be created yet: the
// record goes to triage instead of failing.
type heldError struct{ item *codex.TriageItem }

func (h *heldError) Error() string { return "held for triage: " + h.item.Reason }

// held returns the build error that sends a record to triage.
func held(entity, extID, label, reason, requester string, values map[string]string, candidates []int64) error {
	return &heldError{&codex.TriageItem{Entity: entity, ExternalID: extID, Label: label, Reason: reason,
		Requester: requester, Upstream: values, Candidates: candidates}}
}

// triageState is a run's view of the triage list.
type triageState struct {
	mu sync.Mutex
	// known holds, per entity, the external ids in triage when the run started.
	known map[string]map[string]bool
	// stored holds what each item was stored with (see heldKey), so that a record held
	// again unchanged is not written again.
	stored map[string]string
	// domains maps an e-mail domain to the companies that list it.
	domains map[string][]int64
	// hints maps a triage requester to the companies of its tickets' departments, and
	// hinted to those tickets, saved without a requester.
	hints  map[string]map[int64]bool
	hinted map[string][]*codex.Ticket
	// freed holds the requesters placed this run after they were in triage.
	freed map[string]bool
	// heldNow holds the records (entity NUL external id) this run put in triage.
	heldNow map[string]bool
}

// loadTriage reads what the run needs of the triage list and the companies' domains.
func (r *runner) loadTriage(ctx context.Context) error {
	t := &triageState{known: map[string]map[string]bool{}, stored: map[string]string{}, domains: map[string][]int64{}, hints: map[string]map[int64]bool{}, hinted: map[string][]*codex.Ticket{}, freed: map[string]bool{}, heldNow: map[string]bool{}}
	r.tri = t
	n := 1000
	args := codex.PageArgs{First: &n}
	for {
		pg, err := r.e.svc.Triage.TriageItems(ctx, codex.TriageFilter{Source: r.source}, args)
		if err != nil {
			return err
		}
		for _, it := range pg.Items {
			if t.known[it.Entity] == nil {
				t.known[it.Entity] = map[string]bool{}
			}
			t.known[it.Entity][it.ExternalID] = true
			t.stored[it.Entity+"\x00"+it.ExternalID] = heldKey(it)
		}
		if !pg.HasNextPage || len(pg.Cursors) == 0 {
			break
		}
		args.After = pg.Cursors[len(pg.Cursors)-1]
	}
	return r.loadDomains(ctx)
}

// loadDomains indexes the domains of the companies that are not archived.
func (r *runner) loadDomains(ctx context.Context) error {
	t := r.tri
	t.mu.Lock()
	defer t.mu.Unlock()
	t.domains = map[string][]int64{}
	return r.e.svc.Companies.EachCompany(ctx, codex.CompanyFilter{}, func(c *codex.Company) error {
		if c.ArchivedAt != nil {
			return nil
		}
		for _, d := range c.Domains {
			d = strings.ToLower(strings.TrimSpace(d))
			if d != "" && !slices.Contains(t.domains[d], c.ID) {
				t.domains[d] = append(t.domains[d], c.ID)
			}
		}
		return nil
	})
}

// emailDomain returns the lower-case domain of an e-mail address, or "".
func emailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[at+1:]))
}

// byDomain returns the companies whose domains hold one of the e-mail addresses' domains.
func (r *runner) byDomain(emails []string) []int64 {
	t := r.tri
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int64
	for _, e := range emails {
		for _, id := range t.domains[emailDomain(e)] {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

// placeRequester places a requester none of whose departments is known by its e-mail
// domains; when that gives no single company, the record is held for triage.
func (r *runner) placeRequester(q freshservice.Requester, rec *record[codex.Contact]) {
	if rec.values["company_id"] != "" {
		return
	}
	emails := append([]string{q.PrimaryEmail}, q.SecondaryEmails...)
	cands := r.byDomain(emails)
	if len(cands) == 1 {
		rec.values["company_id"] = idText(cands[0])
		rec.values["companies"] = ""
		return
	}
	label := rec.label
	if rec.values["email"] != "" {
		label += " (" + rec.values["email"] + ")"
	}
	why := held(codex.EntityContact, rec.extID, label, codex.TriageUnassigned, "", rec.values, cands)
	rec.build = func() (*codex.Contact, error) { return nil, why }
}

// isKnown reports whether an entity's record was in triage when the run started.
func (r *runner) isKnown(entity, extID string) bool {
	r.tri.mu.Lock()
	defer r.tri.mu.Unlock()
	return r.tri.known[entity][extID]
}

// hint notes that a triage requester has a ticket of a known company's department.
func (r *runner) hint(requester string, tk *codex.Ticket) {
	t := r.tri
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hints[requester] == nil {
		t.hints[requester] = map[int64]bool{}
	}
	t.hints[requester][tk.CompanyID] = true
	t.hinted[requester] = append(t.hinted[requester], tk)
}

// hold keeps a record in triage and counts it: "unassigned" for a record without a
// company, "held" for an ambiguous match.
func (r *runner) hold(ctx context.Context, key string, item *codex.TriageItem) error {
	item.Source = r.source
	k := item.Entity + "\x00" + item.ExternalID
	r.tri.mu.Lock()
	same := item.Fingerprint != "" && r.tri.stored[k] == heldKey(item)
	r.tri.mu.Unlock()
	if !same {
		if err := r.e.svc.Triage.SaveTriageItems(ctx, []*codex.TriageItem{item}); err != nil {
			return err
		}
	}
	r.tri.mu.Lock()
	r.tri.stored[k] = heldKey(item)
	if r.tri.known[item.Entity] == nil {
		r.tri.known[item.Entity] = map[string]bool{}
	}
	r.tri.known[item.Entity][item.ExternalID] = true
	r.tri.heldNow[item.Entity+"\x00"+item.ExternalID] = true
	r.tri.mu.Unlock()
	r.add(key, func(c *codex.SyncCounts) {
		if item.Reason == codex.TriageAmbiguous {
			c.Held++
		} else {
			c.Unassigned++
		}
	})
	return nil
}

// asHeld returns the triage item of a build error that holds its record, or nil.
func asHeld(err error) *codex.TriageItem {
	var h *heldError
	if errors.As(err, &h) {
		return h.item
	}
	return nil
}

// placed removes from triage the records of entity that now have a row.
func (r *runner) placed(ctx context.Context, entity string, extIDs []string) error {
	var gone []string
	for _, id := range extIDs {
		if r.isKnown(entity, id) {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	if _, err := r.e.svc.Triage.DeleteTriageItems(ctx, r.source, entity, gone); err != nil {
		return err
	}
	r.tri.mu.Lock()
	for _, id := range gone {
		delete(r.tri.known[entity], id)
		if entity == codex.EntityContact {
			r.tri.freed[id] = true
		}
	}
	r.tri.mu.Unlock()
	return nil
}

// placeByTickets assigns each triage requester whose tickets' departments all belong to
// one company to that company, with its held tickets and assets.
func (r *runner) placeByTickets(ctx context.Context) error {
	r.tri.mu.Lock()
	found := map[string]int64{}
	for req, cs := range r.tri.hints {
		if len(cs) == 1 && r.tri.known[codex.EntityContact][req] {
			for id := range cs {
				found[req] = id
			}
		}
	}
	r.tri.mu.Unlock()
	for _, req := range slices.Sorted(maps.Keys(found)) {
		out, err := r.e.assign(ctx, r.source, codex.EntityContact, req, found[req], 0)
		if err != nil {
			if fatal(err) {
				return err
			}
			r.failed(ctx, codex.EntityContact, "requester "+req, err)
			continue
		}
		r.moved(append(out.items, &codex.TriageItem{Entity: codex.EntityContact, ExternalID: req}))
		// The tickets that placed it were saved without a requester: they get it now.
		if err := r.setRequester(ctx, req, r.tri.hinted[req]); err != nil {
			return err
		}
	}
	return nil
}

// TriageOutcome says what assigning a triage item created.
type TriageOutcome = codex.TriageOutcome

var _ codex.SyncActions = (*Engine)(nil)

// AssignTriage assigns triage item id: to companyID (a contact with its held tickets and
// assets, or a lone ticket or asset), or, for an ambiguous asset, links it to assetID,
// one of its candidates. Only admins may. The rows are written as the caller, so the
// audit log names who assigned them.
func (e *Engine) AssignTriage(ctx context.Context, id, companyID, assetID int64) (*TriageOutcome, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if !p.CanTriage() {
		return nil, codex.Errorf(codex.Forbidden, "only admins may assign the triage list")
	}
	item, err := e.svc.Triage.TriageItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if (companyID == 0) == (assetID == 0) {
		return nil, &codex.Error{Code: codex.Invalid, Message: "give a company or an asset",
			Fields: map[string]string{"company_id": "give exactly one of company_id and asset_id"}}
	}
	out, err := e.assign(ctx, item.Source, item.Entity, item.ExternalID, companyID, assetID)
	if err != nil {
		return nil, err
	}
	return &out.TriageOutcome, nil
}

// assigned is an assignment's outcome with the items that followed the record.
type assigned struct {
	TriageOutcome
	items []*codex.TriageItem
}

// assign creates the row of a triage item under companyID (or links it to assetID) with
// its reference, then the rows of the items that hang on it, and removes them from triage.
func (e *Engine) assign(ctx context.Context, source, entity, extID string, companyID, assetID int64) (*assigned, error) {
	ts := e.svc.Triage
	item, err := e.triageByKey(ctx, source, entity, extID)
	if err != nil {
		return nil, err
	}
	if companyID != 0 {
		if _, err := e.svc.Companies.Company(ctx, companyID); err != nil {
			return nil, err
		}
	}
	out := &assigned{}
	switch {
	case assetID != 0:
		if entity != codex.EntityAsset || !slices.Contains(item.Candidates, assetID) {
			return nil, &codex.Error{Code: codex.Invalid, Message: "not a candidate",
				Fields: map[string]string{"asset_id": "must be one of the item's candidates " + idsText(item.Candidates)}}
		}
		// The link's snapshot is empty: the next run fills the asset's blanks from the
		// record and records a conflict where both hold different values.
		ref := &codex.ExternalRef{Source: source, Entity: codex.EntityAsset, ExternalID: extID, EntityID: assetID, Upstream: map[string]string{}}
		if err := e.svc.Sync.SaveExternalRefs(ctx, []*codex.ExternalRef{ref}); err != nil {
			return nil, err
		}
		out.Assets++
	case entity == codex.EntityContact:
		v := item.Upstream
		fp := item.Fingerprint
		v["company_id"], v["companies"] = idText(companyID), ""
		c := &codex.Contact{CompanyID: companyID, FirstName: v["first_name"], LastName: v["last_name"],
			DisplayName: v["display_name"], Email: v["email"], Title: v["title"], PhoneWork: v["phone_work"],
			PhoneMobile: v["phone_mobile"], Active: parseBool(v["active"])}
		ref := &codex.ExternalRef{Source: source, Entity: codex.EntityContact, ExternalID: extID, Fingerprint: fp, Upstream: v}
		if err := e.svc.Sync.ImportContacts(ctx, []*codex.Contact{c}, []*codex.ExternalRef{ref}); err != nil {
			return nil, err
		}
		out.Contacts++
		items, err := e.follow(ctx, source, extID, companyID, c.ID, &out.TriageOutcome)
		out.items = items
		if err != nil {
			return nil, err
		}
	case entity == codex.EntityTicket:
		if err := e.assignTicket(ctx, item, companyID, nil); err != nil {
			return nil, err
		}
		out.Tickets++
	case entity == codex.EntityAsset:
		if err := e.assignAsset(ctx, item, companyID); err != nil {
			return nil, err
		}
		out.Assets++
	default:
		return nil, codex.Errorf(codex.Invalid, "a %s cannot be assigned", entity)
	}
	if _, err := ts.DeleteTriageItems(ctx, source, entity, []string{extID}); err != nil {
		return nil, err
	}
	return out, nil
}

func ptrInt(n int) *int { return &n }

func idsText(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// triageByKey returns the triage item of one record.
func (e *Engine) triageByKey(ctx context.Context, source, entity, extID string) (*codex.TriageItem, error) {
	pg, err := e.svc.Triage.TriageItems(ctx, codex.TriageFilter{Source: source, Entity: entity, ExternalID: extID}, codex.PageArgs{})
	if err != nil {
		return nil, err
	}
	if len(pg.Items) == 0 {
		return nil, codex.Errorf(codex.NotFound, "%s %s is not in triage", entity, extID)
	}
	return pg.Items[0], nil
}

// assignTicket saves a held ticket under company and removes it from triage.
func (e *Engine) assignTicket(ctx context.Context, item *codex.TriageItem, company int64, requester *int64) error {
	v := item.Upstream
	t := &codex.Ticket{Source: item.Source, ExternalID: item.ExternalID, CompanyID: company, RequesterID: requester,
		Subject: v["subject"], Description: v["description"], Status: codex.TicketStatus(v["status"]),
		Priority: codex.TicketPriority(v["priority"]), Type: v["type"]}
	if at := parseTime(v["created_at"]); at != nil {
		t.CreatedAt = *at
	}
	if at := parseTime(v["updated_at"]); at != nil {
		t.UpdatedAt = *at
	}
	t.DueAt, t.ResolvedAt, t.ClosedAt = parseTime(v["due_at"]), parseTime(v["resolved_at"]), parseTime(v["closed_at"])
	psaTicketFromValues(v, t)
	if _, err := e.svc.Tickets.SaveTicket(ctx, t); err != nil {
		return err
	}
	values := ticketValues(t)
	ref := &codex.ExternalRef{Source: item.Source, Entity: codex.EntityTicket, ExternalID: item.ExternalID,
		EntityID: t.ID, Fingerprint: fingerprint(values), Upstream: values}
	if err := e.svc.Sync.SaveExternalRefs(ctx, []*codex.ExternalRef{ref}); err != nil {
		return err
	}
	_, err := e.svc.Triage.DeleteTriageItems(ctx, item.Source, item.Entity, []string{item.ExternalID})
	return err
}

// assignAsset creates a held asset under company and removes it from triage.
func (e *Engine) assignAsset(ctx context.Context, item *codex.TriageItem, company int64) error {
	v := item.Upstream
	v["company_id"] = idText(company)
	a := &codex.Asset{CompanyID: company, Name: v["name"], Type: codex.AssetType(v["type"]), Hostname: v["hostname"],
		SerialNumber: v["serial_number"], Manufacturer: v["manufacturer"], Model: v["model"],
		OperatingSystem: v["operating_system"], Online: parseBool(v["online"]), LastSeen: parseTime(v["last_seen"]),
		WarrantyExpires: datePtr(v["warranty_expires"]), Status: codex.AssetStatus(v["status"])}
	if l := v["ip_addresses"]; l != "" {
		a.IPAddresses = parseList(l)
	}
	ref := &codex.ExternalRef{Source: item.Source, Entity: codex.EntityAsset, ExternalID: item.ExternalID,
		Fingerprint: item.Fingerprint, Upstream: v}
	if err := e.svc.Sync.ImportAssets(ctx, []*codex.Asset{a}, []*codex.ExternalRef{ref}); err != nil {
		return err
	}
	_, err := e.svc.Triage.DeleteTriageItems(ctx, item.Source, item.Entity, []string{item.ExternalID})
	return err
}

// holdTicket keeps a ticket neither whose department nor whose requester has a company,
// under its requester.
func (r *runner) holdTicket(ctx context.Context, t *codex.Ticket, label, requester string) error {
	values := ticketValues(t)
	return r.hold(ctx, codex.EntityTicket, &codex.TriageItem{Entity: codex.EntityTicket, ExternalID: t.ExternalID,
		Label: label + " (" + t.Subject + ")", Reason: codex.TriageUnassigned, Requester: requester, Upstream: values,
		Fingerprint: fingerprint(values)})
}

// setRequester sets the requester of tickets saved while it was in triage, and their
// references' fingerprints, so the next listing finds them unchanged.
func (r *runner) setRequester(ctx context.Context, requester string, tickets []*codex.Ticket) error {
	ids, err := r.rowsOf(ctx, codex.EntityContact, []string{requester})
	if err != nil || ids[requester] == 0 || len(tickets) == 0 {
		return err
	}
	id := ids[requester]
	var save []*codex.ExternalRef
	for _, t := range tickets {
		t.RequesterID = &id
		if _, err := r.e.svc.Tickets.SaveTicket(ctx, t); err != nil {
			return err
		}
		values := ticketValues(t)
		save = append(save, &codex.ExternalRef{Source: r.source, Entity: codex.EntityTicket, ExternalID: t.ExternalID,
			EntityID: t.ID, Fingerprint: fingerprint(values), Upstream: values})
	}
	return r.e.svc.Sync.SaveExternalRefs(ctx, save)
}

// follow assigns the tickets and assets held with a requester to the company its contact
// was placed in, counting them in out; it returns the items it moved.
func (e *Engine) follow(ctx context.Context, source, requester string, companyID, contactID int64, out *TriageOutcome) ([]*codex.TriageItem, error) {
	var moved []*codex.TriageItem
	for {
		hang, err := e.svc.Triage.TriageItems(ctx, codex.TriageFilter{Source: source, Requester: requester}, codex.PageArgs{First: ptrInt(500)})
		if err != nil || len(hang.Items) == 0 {
			return moved, err
		}
		for _, h := range hang.Items {
			switch h.Entity {
			case codex.EntityTicket:
				if err := e.assignTicket(ctx, h, companyID, &contactID); err != nil {
					return moved, err
				}
				out.Tickets++
			case codex.EntityAsset:
				if err := e.assignAsset(ctx, h, companyID); err != nil {
					return moved, err
				}
				out.Assets++
			default:
				return moved, codex.Errorf(codex.Internal, "triage: a %s cannot hang on requester %s", h.Entity, requester)
			}
			moved = append(moved, h)
		}
	}
}

// moved counts items that left triage for rows in this run: created, and no longer
// unassigned when this run had held them.
func (r *runner) moved(items []*codex.TriageItem) {
	for _, it := range items {
		r.tri.mu.Lock()
		now := r.tri.heldNow[it.Entity+"\x00"+it.ExternalID]
		r.tri.mu.Unlock()
		r.add(it.Entity, func(c *codex.SyncCounts) {
			c.Created++
			if now {
				c.Unassigned--
			}
		})
	}
}

// released reports whether a requester left triage this run (it is placed now), taking
// it off the list: the tickets and assets held with it follow its new contact.
func (r *runner) released(requester string) bool {
	r.tri.mu.Lock()
	defer r.tri.mu.Unlock()
	ok := r.tri.freed[requester]
	delete(r.tri.freed, requester)
	return ok
}

// followPlaced is the contacts' after hook for a requester placed this run after it was
// in triage: what was held with it follows.
func (r *runner) followPlaced(ctx context.Context, rec *record[codex.Contact], c *codex.Contact) error {
	if !r.released(rec.extID) {
		return nil
	}
	var out TriageOutcome
	items, err := r.e.follow(ctx, r.source, rec.extID, c.CompanyID, c.ID, &out)
	r.moved(items)
	return err
}

// heldKey is what decides whether a triage item must be written again: the record's
// fingerprint, why it is held and its candidates.
func heldKey(it *codex.TriageItem) string {
	return it.Fingerprint + "|" + it.Reason + "|" + it.Requester + "|" + idsText(it.Candidates)
}
