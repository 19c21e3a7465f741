package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// The HiveMatrix platform's shapes. The platform's services (Ledger, KnowledgeTree,
// Brainhair) address companies by account number and read flat items with their own
// field names. Codex's documented shapes stay as they are; where a platform shape truly
// conflicts with one (a location's address is one string there, an object here), the
// route answers the platform's shape when the company is addressed the platform's way,
// by account number (see companyByRef), and Codex's shape when it is addressed by id.

// PlatformAsset is an asset as the platform reads it (no billing fields).
type PlatformAsset struct {
	ID               int64      `json:"id"`
	Hostname         string     `json:"hostname"`
	HardwareType     string     `json:"hardware_type"`
	DeviceType       string     `json:"device_type"`
	OperatingSystem  string     `json:"operating_system"`
	LastLoggedInUser string     `json:"last_logged_in_user"`
	AntivirusProduct string     `json:"antivirus_product"`
	AntivirusStatus  string     `json:"antivirus_status"`
	PatchStatus      string     `json:"patch_status"`
	ExtIPAddress     string     `json:"ext_ip_address"`
	IntIPAddress     string     `json:"int_ip_address"`
	Domain           string     `json:"domain"`
	Online           bool       `json:"online"`
	LastSeen         *time.Time `json:"last_seen"`
	// BackupUsageTB is BackupDataBytes in TiB (the platform's earlier unit).
	BackupUsageTB float64 `json:"backup_usage_tb"`
	// BackupDataBytes is 0 when the RMM reports no backup.
	BackupDataBytes int64 `json:"backup_data_bytes"`
}

// hardwareType names an asset type as the RMM does (Desktop, Laptop, Server, ...).
func hardwareType(t codex.AssetType) string {
	if t == codex.AssetWorkstation {
		return "Desktop"
	}
	s := string(t)
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func platformAsset(x *codex.Asset) PlatformAsset {
	p := PlatformAsset{ID: x.ID, Hostname: x.Hostname, HardwareType: hardwareType(x.Type), DeviceType: hardwareType(x.Type),
		OperatingSystem: x.OperatingSystem, LastLoggedInUser: x.LastLoggedInUser, AntivirusProduct: x.AntivirusProduct,
		AntivirusStatus: x.AntivirusStatus, PatchStatus: x.PatchStatus, ExtIPAddress: x.ExtIPAddress,
		Domain: x.Domain, Online: x.Online, LastSeen: x.LastSeen}
	if p.Hostname == "" {
		p.Hostname = x.Name
	}
	if len(x.IPAddresses) > 0 {
		p.IntIPAddress = x.IPAddresses[0]
	}
	if x.BackupDataBytes != nil {
		p.BackupDataBytes = *x.BackupDataBytes
		p.BackupUsageTB = float64(*x.BackupDataBytes) / (1 << 40)
	}
	return p
}

// PlatformContact is a contact (a "user" to KnowledgeTree) as the platform reads it.
type PlatformContact struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	Email             string `json:"email"`
	Title             string `json:"title"`
	EmploymentType    string `json:"employment_type"`
	Active            bool   `json:"active"`
	MobilePhoneNumber string `json:"mobile_phone_number"`
	WorkPhoneNumber   string `json:"work_phone_number"`
	// SecondaryEmails are the contact's further addresses ([] when none).
	SecondaryEmails []string `json:"secondary_emails"`
}

func platformContact(c *codex.Contact) PlatformContact {
	secondary := c.SecondaryEmails
	if secondary == nil {
		secondary = []string{}
	}
	return PlatformContact{ID: c.ID, Name: c.Name(), Email: c.Email, Title: c.Title, EmploymentType: c.EmploymentType,
		Active: c.Active, MobilePhoneNumber: c.PhoneMobile, WorkPhoneNumber: c.PhoneWork, SecondaryEmails: secondary}
}

// PlatformLocation is a location as the platform reads it: the address as one line.
type PlatformLocation struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Address     string `json:"address"`
	PhoneNumber string `json:"phone_number"`
}

// oneLine writes an address as one line: "1 Main St, Suite 2, Springfield, IL 62701, US".
func oneLine(a codex.Address) string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(a.Line1)
	add(a.Line2)
	add(a.City)
	add(strings.TrimSpace(a.Region + " " + a.PostalCode))
	add(a.Country)
	return strings.Join(parts, ", ")
}

func platformLocation(l *codex.Location) PlatformLocation {
	return PlatformLocation{ID: l.ID, Name: l.Name, Address: oneLine(l.Address), PhoneNumber: l.Phone}
}

// PlatformTicket is a ticket in the platform's bulk call (Ledger's invoices read
// ticket_id, ticket_number, subject, last_updated_at, closed_at and total_hours_spent).
type PlatformTicket struct {
	TicketID        int64                `json:"ticket_id"`
	TicketNumber    string               `json:"ticket_number"`
	Subject         string               `json:"subject"`
	Description     string               `json:"description"`
	DescriptionText string               `json:"description_text"`
	Status          codex.TicketStatus   `json:"status"`
	Priority        codex.TicketPriority `json:"priority"`
	CreatedAt       time.Time            `json:"created_at"`
	LastUpdatedAt   time.Time            `json:"last_updated_at"`
	ClosedAt        *time.Time           `json:"closed_at"`
	TotalHoursSpent float64              `json:"total_hours_spent"`
}

func bulkTicket(t *codex.Ticket) PlatformTicket {
	number := t.TicketNumber
	if number == "" {
		number = t.ExternalID
	}
	return PlatformTicket{TicketID: t.ID, TicketNumber: number, Subject: t.Subject, Description: t.Description,
		DescriptionText: t.DescriptionText, Status: t.Status, Priority: t.Priority, CreatedAt: t.CreatedAt,
		LastUpdatedAt: t.UpdatedAt, ClosedAt: t.ClosedAt, TotalHoursSpent: t.TotalHoursSpent}
}

// inYear reports whether a ticket was closed or last updated in year, the platform's
// reading of ?year=.
func inYear(t *codex.Ticket, year int) bool {
	return t.UpdatedAt.UTC().Year() == year || (t.ClosedAt != nil && t.ClosedAt.UTC().Year() == year)
}

// The platform's query parameters, accepted on the routes its services call.
var (
	yearParam = param{name: "year", typ: "integer",
		doc: "The platform's ticket year (YYYY): tickets closed or last updated that year. On GET /companies/{id}/tickets it selects the billing service's shape: [{ticket_id, ticket_number, subject, last_updated_at, closed_at, total_hours_spent}], unpaged. Ignored where a route lists no tickets."}
	includeTicketsParam = param{name: "include_tickets", typ: "boolean",
		doc: "The platform's switch: include each company's tickets. Ignored where a route lists no tickets."}
)

// yearOf reads ?year=, 0 when absent.
func yearOf(r *http.Request) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1970 || y > 9999 {
		return 0, paramError("year", "must be a year such as 2025")
	}
	return y, nil
}

// platformNested returns the handler of GET /companies/{id}/<what>: the platform's
// items when the company is addressed by account number, Codex's documented list (next)
// otherwise.
func (a *API) platformNested(next http.HandlerFunc, rows func(ctx context.Context, id int64) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, kind, err := a.companyByRef(r.Context(), chi.URLParam(r, "id"))
		if err == nil && kind != refAccount {
			next(w, r)
			return
		}
		if _, yerr := yearOf(r); err == nil {
			err = yerr
		}
		var out any
		if err == nil {
			out, err = rows(r.Context(), c.ID)
		}
		if err != nil {
			a.problem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (a *API) platformAssets(ctx context.Context, id int64) (any, error) {
	out := []PlatformAsset{}
	err := a.svc.Assets.EachAsset(ctx, codex.AssetFilter{CompanyID: &id}, func(x *codex.Asset) error {
		if x.Type != codex.AssetLicense {
			out = append(out, platformAsset(x))
		}
		return nil
	})
	return out, err
}

func (a *API) platformContacts(ctx context.Context, id int64) (any, error) {
	out := []PlatformContact{}
	err := a.svc.Contacts.EachContact(ctx, codex.ContactFilter{CompanyID: &id}, func(c *codex.Contact) error {
		out = append(out, platformContact(c))
		return nil
	})
	return out, err
}

func (a *API) platformLocations(ctx context.Context, id int64) (any, error) {
	rows, err := a.svc.Companies.LocationsByCompanies(ctx, []int64{id})
	out := []PlatformLocation{}
	for _, l := range first(rows) {
		out = append(out, platformLocation(l))
	}
	return out, err
}

// platformRoutes are the routes only the platform calls.
func (a *API) platformRoutes() []route {
	return []route{
		{method: http.MethodGet, pattern: "/companies/{id}/users", tag: "platform",
			summary: "The contacts of a company in the platform's shape (KnowledgeTree's users); the company by account number or id",
			params:  []param{yearParam},
			result:  reflect.TypeFor[PlatformContact](), list: true, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				id, err := a.companyInPath(r)
				var out any
				if err == nil {
					out, err = a.platformContacts(r.Context(), id)
				}
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, out)
			}},
		{method: http.MethodGet, pattern: "/companies/bulk", tag: "platform",
			summary: "Every visible company with its assets, contacts, locations and (include_tickets=true) tickets, streamed (Ledger's dashboard)",
			params:  []param{includeTicketsParam, yearParam},
			result:  reflect.TypeFor[BulkCompany](), list: true, status: http.StatusOK, handler: a.bulk},
	}
}

// BulkCompany is one element of GET /companies/bulk.
type BulkCompany struct {
	Company   *codex.Company     `json:"company"`
	Assets    []PlatformAsset    `json:"assets"`
	Contacts  []PlatformContact  `json:"contacts"`
	Locations []PlatformLocation `json:"locations"`
	// Tickets is present only with include_tickets=true.
	Tickets []PlatformTicket `json:"tickets,omitempty"`
}

// bulk answers GET /companies/bulk in a fixed number of statements whatever the number of
// companies (one per kind of row, each a streamed read), then writes the array one
// company at a time.
func (a *API) bulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	year, err := yearOf(r)
	withTickets := false
	if s := r.URL.Query().Get("include_tickets"); s != "" && err == nil {
		withTickets, err = strconv.ParseBool(s)
		if err != nil {
			err = paramError("include_tickets", "must be true or false")
		}
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var companies []*codex.Company
	index := map[int64]int{}
	err = a.svc.Companies.EachCompany(ctx, codex.CompanyFilter{}, func(c *codex.Company) error {
		index[c.ID] = len(companies)
		companies = append(companies, c)
		return nil
	})
	out := make([]BulkCompany, len(companies))
	ids := make([]int64, len(companies))
	for i, c := range companies {
		ids[i] = c.ID
		out[i] = BulkCompany{Company: c, Assets: []PlatformAsset{}, Contacts: []PlatformContact{},
			Locations: []PlatformLocation{}}
		if withTickets {
			out[i].Tickets = []PlatformTicket{}
		}
	}
	if err == nil {
		err = a.svc.Assets.EachAsset(ctx, codex.AssetFilter{}, func(x *codex.Asset) error {
			if i, ok := index[x.CompanyID]; ok && x.Type != codex.AssetLicense {
				out[i].Assets = append(out[i].Assets, platformAsset(x))
			}
			return nil
		})
	}
	if err == nil {
		err = a.svc.Contacts.EachContact(ctx, codex.ContactFilter{}, func(c *codex.Contact) error {
			if i, ok := index[c.CompanyID]; ok {
				out[i].Contacts = append(out[i].Contacts, platformContact(c))
			}
			return nil
		})
	}
	if err == nil && len(ids) > 0 {
		var locs [][]*codex.Location
		locs, err = a.svc.Companies.LocationsByCompanies(ctx, ids)
		for i := range locs {
			for _, l := range locs[i] {
				out[i].Locations = append(out[i].Locations, platformLocation(l))
			}
		}
	}
	if err == nil && withTickets {
		err = a.svc.Tickets.EachTicket(ctx, codex.TicketFilter{}, func(t *codex.Ticket) error {
			if i, ok := index[t.CompanyID]; ok && (year == 0 || inYear(t, year)) {
				out[i].Tickets = append(out[i].Tickets, bulkTicket(t))
			}
			return nil
		})
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	_, _ = w.Write([]byte{'['})
	for i := range out {
		if i > 0 {
			_, _ = w.Write([]byte{','})
		}
		if enc.Encode(&out[i]) != nil {
			return
		}
	}
	_, _ = w.Write([]byte("]\n"))
}

// platformize adapts the company routes the platform's services call: the company may be
// given by account number (companyByRef), the platform's parameters are accepted, and
// the nested lists answer the platform's items to an account number.
func (a *API) platformize(rts []route) {
	nested := map[string]func(ctx context.Context, id int64) (any, error){
		"/companies/{id}/assets":    a.platformAssets,
		"/companies/{id}/contacts":  a.platformContacts,
		"/companies/{id}/locations": a.platformLocations,
	}
	for i := range rts {
		rt := &rts[i]
		if rt.method != http.MethodGet {
			continue
		}
		switch {
		case rt.pattern == "/companies":
			rt.addParams(yearParam, includeTicketsParam)
		case rt.pattern == "/companies/{id}":
			rt.addParams(yearParam, includeTicketsParam)
			rt.summary += " (by id, or by the platform's account number: see companyByRef)"
			rt.handler = a.companyRead
		case nested[rt.pattern] != nil:
			rt.addParams(yearParam, includeTicketsParam)
			rt.summary += "; by account number, the platform's items (unpaged)"
			rt.handler = a.platformNested(rt.handler, nested[rt.pattern])
		case strings.HasPrefix(rt.pattern, "/companies/{id}/"):
			rt.addParams(yearParam)
		}
	}
}

// companyRead answers GET /companies/{id} with the company an id or account number names.
func (a *API) companyRead(w http.ResponseWriter, r *http.Request) {
	c, _, err := a.companyByRef(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	setETag(w, c)
	writeJSON(w, http.StatusOK, c)
}

// addParams adds the parameters the route does not list yet.
func (rt *route) addParams(ps ...param) {
outer:
	for _, p := range ps {
		for _, have := range rt.params {
			if have.name == p.name {
				continue outer
			}
		}
		rt.params = append(rt.params, p)
	}
}
