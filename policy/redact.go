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

func (r *redactors) text(companyID int64, s string) string {
	if s == "" {
		return s
	}
	return r.byID[companyID].Text(s)
}

func (r *redactors) has(companyID int64, c redact.Class) bool {
	return redact.Redacts(r.levels[companyID], c)
}

func (r *redactors) contact(c *codex.Contact) {
	id := c.CompanyID
	if c.ForCompanyID != 0 {
		id = c.ForCompanyID
	}
	if r.has(id, redact.Person) {
		c.DisplayName = redact.Name(c.Name())
		c.LastName = initial(c.LastName)
	}
	if r.has(id, redact.Email) && c.Email != "" {
		c.Email = "<EMAIL_ADDRESS>"
	}
	if r.has(id, redact.Phone) {
		if c.PhoneWork != "" {
			c.PhoneWork = "<PHONE_NUMBER>"
		}
		if c.PhoneMobile != "" {
			c.PhoneMobile = "<PHONE_NUMBER>"
		}
	}
	c.Notes = r.text(id, c.Notes)
	c.Title = r.text(id, c.Title)
}

func initial(last string) string {
	for _, r := range last {
		return string(r) + "."
	}
	return ""
}

// redactContacts redacts contacts in place when the caller must get redacted data.
func (s *service) redactContacts(ctx context.Context, p *codex.Principal, cs ...*codex.Contact) error {
	if !p.MustRedact() || len(cs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			ids = append(ids, c.CompanyID, c.ForCompanyID)
		}
	}
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c != nil {
			r.contact(c)
		}
	}
	return nil
}

// redactTickets redacts ticket subjects and descriptions by their company's level.
func (s *service) redactTickets(ctx context.Context, p *codex.Principal, ts ...*codex.Ticket) error {
	if !p.MustRedact() || len(ts) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		if t != nil {
			ids = append(ids, t.CompanyID)
		}
	}
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t != nil {
			r.ticket(t)
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
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range as {
		a.Message = r.text(a.CompanyID, a.Message)
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
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c != nil {
			c.Description = r.text(c.ID, c.Description)
		}
	}
	return nil
}

// guardAssets strips secrets for non-admins and redacts free text when asked.
func (s *service) guardAssets(ctx context.Context, p *codex.Principal, as ...*codex.Asset) error {
	if !p.SeesSecrets() {
		for _, a := range as {
			if a != nil {
				a.StripSecrets()
			}
		}
	}
	if !p.MustRedact() || len(as) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		if a != nil {
			ids = append(ids, a.CompanyID)
		}
	}
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a != nil {
			a.Notes = r.text(a.CompanyID, a.Notes)
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
	r, err := s.redactorsFor(ctx, ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e != nil {
			e.Notes = r.text(e.CompanyID, e.Notes)
		}
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
