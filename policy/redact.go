package policy

import (
	"context"
	"slices"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

// redactors holds, per company, its compliance level and a redactor that knows the names
// of its contacts. It is built once per batch that must be redacted.
type redactors struct {
	levels map[int64]codex.ComplianceLevel
	byID   map[int64]*redact.Redactor
	// cjisGrant is the caller's cjis grant: it may read CJIS free text once redacted.
	cjisGrant bool
}

func newRedactors() redactors {
	return redactors{levels: map[int64]codex.ComplianceLevel{}, byID: map[int64]*redact.Redactor{}}
}

// redactorsFor returns what redaction of rows of the given companies needs. Companies not
// yet known in this request are loaded with two statements, whatever their number; with
// the request cache installed, each company is loaded once per request.
func (s *service) redactorsFor(ctx context.Context, companyIDs []int64) (*redactors, error) {
	cache, _ := ctx.Value(cacheKey{}).(*requestCache)
	ids := slices.Clone(companyIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	r := newRedactors()
	if cache != nil {
		cache.mu.Lock()
		missing := ids[:0:0]
		for _, id := range ids {
			if red, ok := cache.redaction.byID[id]; ok {
				r.byID[id], r.levels[id] = red, cache.redaction.levels[id]
			} else {
				missing = append(missing, id)
			}
		}
		cache.mu.Unlock()
		ids = missing
	}
	if len(ids) == 0 {
		return &r, nil
	}
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("policy"))
	companies, errs := s.in.Companies.CompaniesByIDs(sys, ids)
	contacts, err := s.in.Contacts.ContactsByCompanies(sys, ids, codex.ContactFilter{IncludeArchived: true}, 0)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		level := codex.ComplianceCJIS // unknown company: redact the most
		if errs == nil || errs[i] == nil {
			if companies[i] != nil {
				level = companies[i].ComplianceLevel
			}
		}
		var names []string
		for _, c := range contacts[i] {
			names = append(names, c.Name())
			if full := c.FirstName + " " + c.LastName; c.LastName != "" && full != c.Name() {
				names = append(names, full)
			}
		}
		r.levels[id] = level
		r.byID[id] = redact.New(level, names)
	}
	if cache != nil {
		cache.mu.Lock()
		for _, id := range ids {
			cache.redaction.levels[id], cache.redaction.byID[id] = r.levels[id], r.byID[id]
		}
		cache.mu.Unlock()
	}
	return &r, nil
}

// fieldKind is what a protected field holds, which decides what a redacting caller
// gets of it.
type fieldKind uint8

const (
	// freeText is text people write (subjects, descriptions, notes, conversations): the
	// detectors run over it at every level; for a CJIS company it is withheld entirely
	// unless the caller holds the cjis grant.
	freeText fieldKind = iota
	// personName is a whole value that names a person: shortened to "Jane D." where
	// names are redacted.
	personName
	// surname is a last name alone: its initial where names are redacted.
	surname
	// emailAddress is a whole e-mail value: <EMAIL_ADDRESS> where e-mail is redacted.
	emailAddress
	// phoneNumber is a whole phone value: <PHONE_NUMBER> where phones are redacted.
	phoneNumber
)

// field is one protected field of a row type T: its name in the APIs, what it holds,
// and where it lives in the row. The tables below are the whole classification: a new
// text field of a ticket, contact, asset, ... is protected by adding one line to its
// type's table (fields missing from a table are never redacted, so every free-text
// field must be listed).
type field[T any] struct {
	name string
	kind fieldKind
	ref  func(*T) *string
}

// The classification, per row type. Every level applies it; what a kind yields depends
// on the company's level (redact.Classes) and, for CJIS free text, the caller's grant.
var (
	ticketFields = []field[codex.Ticket]{
		{"subject", freeText, func(t *codex.Ticket) *string { return &t.Subject }},
		{"description", freeText, func(t *codex.Ticket) *string { return &t.Description }},
		{"description_text", freeText, func(t *codex.Ticket) *string { return &t.DescriptionText }},
		{"requester_name", personName, func(t *codex.Ticket) *string { return &t.RequesterName }},
		{"requester_email", emailAddress, func(t *codex.Ticket) *string { return &t.RequesterEmail }},
	}
	contactFields = []field[codex.Contact]{
		{"display_name", personName, func(c *codex.Contact) *string { return &c.DisplayName }},
		{"last_name", surname, func(c *codex.Contact) *string { return &c.LastName }},
		{"email", emailAddress, func(c *codex.Contact) *string { return &c.Email }},
		{"phone_work", phoneNumber, func(c *codex.Contact) *string { return &c.PhoneWork }},
		{"phone_mobile", phoneNumber, func(c *codex.Contact) *string { return &c.PhoneMobile }},
		{"title", freeText, func(c *codex.Contact) *string { return &c.Title }},
		{"notes", freeText, func(c *codex.Contact) *string { return &c.Notes }},
	}
	assetFields = []field[codex.Asset]{
		{"notes", freeText, func(a *codex.Asset) *string { return &a.Notes }},
		// custom_fields values are free text too: see guardAssets.
	}
	equipmentFields = []field[codex.NetworkEquipment]{
		{"notes", freeText, func(e *codex.NetworkEquipment) *string { return &e.Notes }},
	}
	alertFields = []field[codex.Alert]{
		{"message", freeText, func(a *codex.Alert) *string { return &a.Message }},
	}
	companyTextFields = []field[codex.Company]{
		{"description", freeText, func(c *codex.Company) *string { return &c.Description }},
	}
)

// applyFields redacts the protected fields of row, a row of company companyID.
func applyFields[T any](r *redactors, companyID int64, row *T, fields []field[T]) {
	for _, f := range fields {
		v := f.ref(row)
		*v = r.value(companyID, *v, f.kind)
	}
}

// value returns what a redacting caller gets of v, a value of kind k of a row of
// companyID.
func (r *redactors) value(companyID int64, v string, k fieldKind) string {
	if v == "" {
		return v
	}
	level := r.levels[companyID]
	switch k {
	case freeText:
		if withholds(level) && !r.cjisGrant {
			return redact.WithheldCJIS
		}
		return r.byID[companyID].Text(v)
	case personName:
		if r.has(companyID, redact.Person) {
			return redact.Name(v)
		}
	case surname:
		if r.has(companyID, redact.Person) {
			return initial(v)
		}
	case emailAddress:
		if r.has(companyID, redact.Email) {
			return "<" + string(redact.Email) + ">"
		}
	case phoneNumber:
		if r.has(companyID, redact.Phone) {
			return "<" + string(redact.Phone) + ">"
		}
	}
	return v
}

// withholds reports whether free text of a company at level is withheld from redacting
// callers without the cjis grant: CJIS, and any level that is not known (fail closed).
func withholds(level codex.ComplianceLevel) bool {
	return level != codex.ComplianceStandard && level != codex.ComplianceHIPAA
}

// levelsFor returns the compliance level of each of the given companies, for callers
// whose rows are stamped but not redacted: one statement for the companies not yet known
// in this request. An unknown company reads as CJIS, the strictest level.
func (s *service) levelsFor(ctx context.Context, companyIDs []int64) (map[int64]codex.ComplianceLevel, error) {
	cache, _ := ctx.Value(cacheKey{}).(*requestCache)
	out := make(map[int64]codex.ComplianceLevel, 1)
	var missing []int64
	if cache != nil {
		cache.mu.Lock()
	}
	for _, id := range companyIDs {
		if _, ok := out[id]; ok {
			continue
		}
		if cache != nil {
			if l, ok := cache.redaction.levels[id]; ok {
				out[id] = l
				continue
			}
		}
		out[id] = ""
		missing = append(missing, id)
	}
	if cache != nil {
		cache.mu.Unlock()
	}
	if len(missing) == 0 {
		return out, nil
	}
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("policy"))
	companies, errs := s.in.Companies.CompaniesByIDs(sys, missing)
	for i, id := range missing {
		level := codex.ComplianceCJIS
		if (errs == nil || errs[i] == nil) && i < len(companies) && companies[i] != nil {
			level = companies[i].ComplianceLevel
		} else if errs != nil && errs[i] != nil && !codex.IsNotFound(errs[i]) {
			return nil, errs[i]
		}
		out[id] = level
	}
	if cache != nil {
		cache.mu.Lock()
		for _, id := range missing {
			cache.redaction.levels[id] = out[id]
		}
		cache.mu.Unlock()
	}
	return out, nil
}

func (r *redactors) text(companyID int64, s string) string {
	return r.value(companyID, s, freeText)
}

func (r *redactors) has(companyID int64, c redact.Class) bool {
	return redact.Redacts(r.levels[companyID], c)
}

// contactCompany is the company whose level applies to a contact row: the one it was
// listed for, else its home company.
func contactCompany(c *codex.Contact) int64 {
	if c.ForCompanyID != 0 {
		return c.ForCompanyID
	}
	return c.CompanyID
}

func (r *redactors) contact(c *codex.Contact) {
	company := contactCompany(c)
	applyFields(r, company, c, contactFields)
	// secondary_emails: each address as "email" is (a new slice, the row's may be shared).
	if len(c.SecondaryEmails) > 0 {
		out := make([]string, len(c.SecondaryEmails))
		for i, e := range c.SecondaryEmails {
			out[i] = r.value(company, e, emailAddress)
		}
		c.SecondaryEmails = out
	}
}

func initial(last string) string {
	for _, r := range last {
		return string(r) + "."
	}
	return ""
}

// redactorsForCaller is redactorsFor with the caller's cjis grant applied.
func (s *service) redactorsForCaller(ctx context.Context, p *codex.Principal, companyIDs []int64) (*redactors, error) {
	r, err := s.redactorsFor(ctx, companyIDs)
	if err != nil {
		return nil, err
	}
	r.cjisGrant = p.HoldsCJISGrant()
	return r, nil
}

// redactContacts redacts contacts in place when the caller must get redacted data, and
// stamps them with their company's level. For callers who read plain data the stamp costs
// a statement per batch of companies not yet known, so the batch loaders that serve
// GraphQL's nested lists pass stamp=false and leave it to the compliance resolver, which
// reads it only when a query asks.
func (s *service) redactContacts(ctx context.Context, p *codex.Principal, stamp bool, cs ...*codex.Contact) error {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			ids = append(ids, contactCompany(c))
		}
	}
	if len(ids) == 0 || !p.MustRedact() && !stamp {
		return nil
	}
	if !p.MustRedact() {
		levels, err := s.levelsFor(ctx, ids)
		for _, c := range cs {
			if c != nil {
				c.CompanyComplianceLevel = levels[contactCompany(c)]
			}
		}
		return err
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c != nil {
			c.CompanyComplianceLevel = r.levels[contactCompany(c)]
			r.contact(c)
		}
	}
	return nil
}

// redactTickets stamps tickets with their company's level and redacts their text by it.
func (s *service) redactTickets(ctx context.Context, p *codex.Principal, stamp bool, ts ...*codex.Ticket) error {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		if t != nil {
			ids = append(ids, t.CompanyID)
		}
	}
	if len(ids) == 0 || !p.MustRedact() && !stamp {
		return nil
	}
	if !p.MustRedact() {
		levels, err := s.levelsFor(ctx, ids)
		for _, t := range ts {
			if t != nil {
				t.CompanyComplianceLevel = levels[t.CompanyID]
			}
		}
		return err
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t != nil {
			t.CompanyComplianceLevel = r.levels[t.CompanyID]
			applyFields(r, t.CompanyID, t, ticketFields)
		}
	}
	return nil
}

// ticket redacts a ticket's free text and its requester's name and e-mail. The fields it
// covers: subject, description, description_text, requester_name, requester_email.
func (r *redactors) ticket(t *codex.Ticket) {
	id := t.CompanyID
	t.Subject = r.text(id, t.Subject)
	t.Description = r.text(id, t.Description)
	t.DescriptionText = r.text(id, t.DescriptionText)
	if r.has(id, redact.Person) && t.RequesterName != "" {
		t.RequesterName = redact.Name(t.RequesterName)
	} else {
		t.RequesterName = r.text(id, t.RequesterName)
	}
	if r.has(id, redact.Email) && t.RequesterEmail != "" {
		t.RequesterEmail = "<EMAIL_ADDRESS>"
	}
}

// redactAlerts redacts alert messages by their company's level.
func (s *service) redactAlerts(ctx context.Context, p *codex.Principal, as ...*codex.Alert) error {
	if !p.MustRedact() || len(as) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.CompanyID)
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, a := range as {
		applyFields(r, a.CompanyID, a, alertFields)
	}
	return nil
}

// redactCompanies redacts companies' free text by their own level.
func (s *service) redactCompanies(ctx context.Context, p *codex.Principal, cs ...*codex.Company) error {
	if !p.MustRedact() || len(cs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			ids = append(ids, c.ID)
		}
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c != nil {
			applyFields(r, c.ID, c, companyTextFields)
		}
	}
	return nil
}

// guardAssets strips secrets for non-admins, stamps each asset with its company's level
// and redacts free text when asked.
func (s *service) guardAssets(ctx context.Context, p *codex.Principal, stamp bool, as ...*codex.Asset) error {
	if !p.SeesSecrets() {
		for _, a := range as {
			if a != nil {
				a.StripSecrets()
			}
		}
	}
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		if a != nil {
			ids = append(ids, a.CompanyID)
		}
	}
	if len(ids) == 0 || !p.MustRedact() && !stamp {
		return nil
	}
	if !p.MustRedact() {
		levels, err := s.levelsFor(ctx, ids)
		for _, a := range as {
			if a != nil {
				a.CompanyComplianceLevel = levels[a.CompanyID]
			}
		}
		return err
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a == nil {
			continue
		}
		a.CompanyComplianceLevel = r.levels[a.CompanyID]
		applyFields(r, a.CompanyID, a, assetFields)
		if len(a.CustomFields) > 0 {
			custom := make(map[string]string, len(a.CustomFields))
			for k, v := range a.CustomFields {
				custom[k] = r.text(a.CompanyID, v)
			}
			a.CustomFields = custom
		}
	}
	return nil
}

// redactEquipment redacts equipment notes when asked.
func (s *service) redactEquipment(ctx context.Context, p *codex.Principal, es ...*codex.NetworkEquipment) error {
	if !p.MustRedact() || len(es) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(es))
	for _, e := range es {
		if e != nil {
			ids = append(ids, e.CompanyID)
		}
	}
	r, err := s.redactorsForCaller(ctx, p, ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e != nil {
			applyFields(r, e.CompanyID, e, equipmentFields)
		}
	}
	return nil
}

// Searching, filtering and sorting by a redacted field would give its value away (a
// substring loop recovers an e-mail address in a few hundred requests), so a redacting
// caller may not: it gets a Forbidden error that names the parameter. The fields are
// those of the classification above; an ordering that a caller did not choose falls back
// to the id for a redacting caller.

// redactedQuery returns a Forbidden error for a redacting caller that searches, filters
// or sorts by a redacted field, naming what it used.
func redactedQuery(what, fields string) error {
	return codex.Errorf(codex.Forbidden,
		"%s is not available with PHI/CJIS redaction: %s are redacted for this caller and cannot be searched, filtered or sorted by", what, fields)
}

// checkTicketQuery refuses ticket searches (subject and description) for redacting callers.
func checkTicketQuery(p *codex.Principal, f *codex.TicketFilter) error {
	if p.MustRedact() && f.Search != "" {
		return redactedQuery("ticket search", "ticket subjects and descriptions")
	}
	return nil
}

// checkContactQuery refuses contact searches, e-mail filters and name or e-mail orders for
// redacting callers, and orders their lists by id instead of by name.
func checkContactQuery(p *codex.Principal, f *codex.ContactFilter) error {
	if !p.MustRedact() {
		return nil
	}
	switch {
	case f.Search != "":
		return redactedQuery("contact search", "contact names, e-mail addresses, phone numbers and titles")
	case f.Email != "":
		return redactedQuery("the e-mail filter", "contact e-mail addresses")
	case f.Order.Field == "name" || f.Order.Field == "email":
		return redactedQuery("ordering by "+f.Order.Field, "contact names and e-mail addresses")
	case f.Order.Field == "":
		f.Order = codex.Order{Field: "id"}
	}
	return nil
}

func flatten[T any](groups [][]*T) []*T {
	var out []*T
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
