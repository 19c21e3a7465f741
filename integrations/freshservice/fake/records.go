package fake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Department is a department as the fake stores and serves it.
type Department struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	HeadUserID   *int64         `json:"head_user_id"`
	PrimeUserID  *int64         `json:"prime_user_id"`
	Domains      []string       `json:"domains"`
	CustomFields map[string]any `json:"custom_fields"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// Requester is a requester as the fake stores and serves it.
type Requester struct {
	ID                 int64          `json:"id"`
	FirstName          string         `json:"first_name"`
	LastName           string         `json:"last_name"`
	JobTitle           string         `json:"job_title"`
	PrimaryEmail       string         `json:"primary_email"`
	SecondaryEmails    []string       `json:"secondary_emails"`
	WorkPhoneNumber    string         `json:"work_phone_number"`
	MobilePhoneNumber  string         `json:"mobile_phone_number"`
	DepartmentIDs      []int64        `json:"department_ids"`
	LocationID         *int64         `json:"location_id"`
	ReportingManagerID *int64         `json:"reporting_manager_id"`
	TimeZone           string         `json:"time_zone"`
	Language           string         `json:"language"`
	Active             bool           `json:"active"`
	VIPUser            bool           `json:"vip_user"`
	IsAgent            bool           `json:"is_agent"`
	HasLoggedIn        bool           `json:"has_logged_in"`
	CustomFields       map[string]any `json:"custom_fields"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
}

// Agent is an agent as the fake stores and serves it.
type Agent struct {
	ID        int64     `json:"id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     string    `json:"email"`
	JobTitle  string    `json:"job_title"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ticket is a ticket as the fake stores it. The stats milestones are served only with
// include=stats, the requester summary only with include=requester.
type Ticket struct {
	ID              int64          `json:"id"`
	Subject         string         `json:"subject"`
	Description     string         `json:"description"`
	DescriptionText string         `json:"description_text"`
	Status          int            `json:"status"`
	Priority        int            `json:"priority"`
	Source          int            `json:"source"`
	Type            string         `json:"type"`
	RequesterID     int64          `json:"requester_id"`
	ResponderID     *int64         `json:"responder_id"`
	GroupID         *int64         `json:"group_id"`
	DepartmentID    *int64         `json:"department_id"`
	DueBy           *time.Time     `json:"due_by"`
	FRDueBy         *time.Time     `json:"fr_due_by"`
	IsEscalated     bool           `json:"is_escalated"`
	CustomFields    map[string]any `json:"custom_fields"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`

	FirstRespondedAt *time.Time `json:"-"`
	AgentRespondedAt *time.Time `json:"-"`
	ResolvedAt       *time.Time `json:"-"`
	ClosedAt         *time.Time `json:"-"`
}

// Asset is an asset as the fake stores it. SerialNumber, Hostname, AssetState and
// WarrantyExpiryDate are served inside type_fields (with include=type_fields only), under
// keys suffixed with the asset type id, as Freshservice does; Hostname's key carries the
// parent type's id (AssetTypeID+5), like a hardware field inherited from a parent type.
// TypeFields adds further keys verbatim.
type Asset struct {
	ID           int64     `json:"id"`
	DisplayID    int64     `json:"display_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	AssetTypeID  int64     `json:"asset_type_id"`
	AssetTag     string    `json:"asset_tag"`
	UserID       *int64    `json:"user_id"`
	DepartmentID *int64    `json:"department_id"`
	LocationID   *int64    `json:"location_id"`
	AgentID      *int64    `json:"agent_id"`
	EndOfLife    *string   `json:"end_of_life"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	SerialNumber       string         `json:"-"`
	Hostname           string         `json:"-"`
	AssetState         string         `json:"-"`
	WarrantyExpiryDate string         `json:"-"`
	TypeFields         map[string]any `json:"-"`
}

// DefaultAssetTypeID is the asset type of assets added without one (a "Computer" type).
const DefaultAssetTypeID = 21000855267

// typeFields renders the type_fields object of a.
func (a *Asset) typeFields() map[string]any {
	suffix := "_" + strconv.FormatInt(a.AssetTypeID, 10)
	parent := "_" + strconv.FormatInt(a.AssetTypeID+5, 10)
	tf := map[string]any{
		"serial_number" + suffix:        nullable(a.SerialNumber),
		"asset_state" + suffix:          nullable(a.AssetState),
		"warranty_expiry_date" + suffix: nullable(a.WarrantyExpiryDate),
		"hostname" + parent:             nullable(a.Hostname),
	}
	maps.Copy(tf, a.TypeFields)
	return tf
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// clone copies the slices and maps of a department so caller and fake do not share them.
func (d Department) clone() Department {
	d.Domains = nonNil(slices.Clone(d.Domains))
	d.CustomFields = nonNilMap(maps.Clone(d.CustomFields))
	return d
}

func (r Requester) clone() Requester {
	r.SecondaryEmails = nonNil(slices.Clone(r.SecondaryEmails))
	r.DepartmentIDs = nonNil(slices.Clone(r.DepartmentIDs))
	r.CustomFields = nonNilMap(maps.Clone(r.CustomFields))
	return r
}

func (t Ticket) clone() Ticket {
	t.CustomFields = nonNilMap(maps.Clone(t.CustomFields))
	return t
}

func (a Asset) clone() Asset {
	a.TypeFields = maps.Clone(a.TypeFields)
	return a
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// stamp fills zero timestamps with now.
func stamp(created, updated *time.Time, now time.Time) {
	if created.IsZero() {
		*created = now
	}
	if updated.IsZero() {
		*updated = *created
	}
}

// AddDepartment stores d, giving it an id when d.ID is 0, and returns it as stored.
func (s *Server) AddDepartment(d Department) Department {
	s.mu.Lock()
	defer s.mu.Unlock()
	d = d.clone()
	if d.ID == 0 {
		d.ID = s.departments.newID()
	}
	stamp(&d.CreatedAt, &d.UpdatedAt, s.now())
	s.departments.put(d.ID, &d)
	return d.clone()
}

// RenameDepartment renames department id and bumps its updated_at; it reports whether the
// department exists.
func (s *Server) RenameDepartment(id int64, name string) bool {
	return s.EditDepartment(id, func(d *Department) { d.Name = name })
}

// EditDepartment applies edit to department id and bumps its updated_at; it reports whether
// the department exists.
func (s *Server) EditDepartment(id int64, edit func(*Department)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.departments.byID[id]
	if !ok {
		return false
	}
	edit(d)
	d.UpdatedAt = s.now()
	return true
}

// DeleteDepartment removes department id; it reports whether it existed.
func (s *Server) DeleteDepartment(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.departments.remove(id)
}

// Department returns the stored department id.
func (s *Server) Department(id int64) (Department, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.departments.byID[id]
	if !ok {
		return Department{}, false
	}
	return d.clone(), true
}

// AddRequester stores r, giving it an id when r.ID is 0, and returns it as stored.
func (s *Server) AddRequester(r Requester) Requester {
	s.mu.Lock()
	defer s.mu.Unlock()
	r = r.clone()
	if r.ID == 0 {
		r.ID = s.requesters.newID()
	}
	stamp(&r.CreatedAt, &r.UpdatedAt, s.now())
	s.requesters.put(r.ID, &r)
	return r.clone()
}

// EditRequester applies edit to requester id and bumps its updated_at; it reports whether
// the requester exists.
func (s *Server) EditRequester(id int64, edit func(*Requester)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requesters.byID[id]
	if !ok {
		return false
	}
	edit(r)
	r.UpdatedAt = s.now()
	return true
}

// DeleteRequester removes requester id; it reports whether it existed.
func (s *Server) DeleteRequester(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requesters.remove(id)
}

// Requester returns the stored requester id.
func (s *Server) Requester(id int64) (Requester, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requesters.byID[id]
	if !ok {
		return Requester{}, false
	}
	return r.clone(), true
}

// AddAgent stores a, giving it an id when a.ID is 0, and returns it as stored.
func (s *Server) AddAgent(a Agent) Agent {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == 0 {
		a.ID = s.agents.newID()
	}
	stamp(&a.CreatedAt, &a.UpdatedAt, s.now())
	s.agents.put(a.ID, &a)
	return a
}

// AddTicket stores t, giving it an id when t.ID is 0, and returns it as stored.
func (s *Server) AddTicket(t Ticket) Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	t = t.clone()
	if t.ID == 0 {
		t.ID = s.tickets.newID()
	}
	if t.Status == 0 {
		t.Status = 2
	}
	if t.Priority == 0 {
		t.Priority = 1
	}
	if t.Source == 0 {
		t.Source = 2
	}
	if t.Type == "" {
		t.Type = "Incident"
	}
	stamp(&t.CreatedAt, &t.UpdatedAt, s.now())
	s.tickets.put(t.ID, &t)
	return t.clone()
}

// EditTicket applies edit to ticket id and bumps its updated_at to now unless edit set it;
// it reports whether the ticket exists.
func (s *Server) EditTicket(id int64, edit func(*Ticket)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets.byID[id]
	if !ok {
		return false
	}
	before := t.UpdatedAt
	edit(t)
	if t.UpdatedAt.Equal(before) {
		t.UpdatedAt = s.now()
	}
	return true
}

// DeleteTicket removes ticket id; it reports whether it existed.
func (s *Server) DeleteTicket(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tickets.remove(id)
}

// AddAsset stores a, giving it an id and display id when they are 0 and the default asset
// type when it has none, and returns it as stored.
func (s *Server) AddAsset(a Asset) Asset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAsset(a)
}

func (s *Server) addAsset(a Asset) Asset {
	a = a.clone()
	if a.ID == 0 {
		a.ID = s.assets.newID()
	}
	if a.DisplayID == 0 {
		a.DisplayID = s.nextDisplay
	}
	s.nextDisplay = max(s.nextDisplay, a.DisplayID+1)
	if a.AssetTypeID == 0 {
		a.AssetTypeID = DefaultAssetTypeID
	}
	stamp(&a.CreatedAt, &a.UpdatedAt, s.now())
	s.assets.put(a.ID, &a)
	return a.clone()
}

// EditAsset applies edit to asset id and bumps its updated_at; it reports whether the
// asset exists.
func (s *Server) EditAsset(id int64, edit func(*Asset)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assets.byID[id]
	if !ok {
		return false
	}
	edit(a)
	a.UpdatedAt = s.now()
	return true
}

// DeleteAsset removes asset id; it reports whether it existed.
func (s *Server) DeleteAsset(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.assets.remove(id)
}

// AddMalformed appends a raw record that the client cannot decode (e.g. `{"id":"abc"}` or
// a department without an id) to a list: "departments", "requesters", "agents", "tickets"
// or "assets". It is served as sent, wherever it falls in the paging.
func (s *Server) AddMalformed(list, raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := json.RawMessage(raw)
	switch list {
	case "departments":
		s.departments.addRaw(r)
	case "requesters":
		s.requesters.addRaw(r)
	case "agents":
		s.agents.addRaw(r)
	case "tickets":
		s.tickets.addRaw(r)
	case "assets":
		s.assets.addRaw(r)
	default:
		panic(fmt.Sprintf("fake: AddMalformed: unknown list %q", list))
	}
}

// Counts returns how many departments, requesters, tickets and assets are stored.
func (s *Server) Counts() (departments, requesters, tickets, assets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.departments.byID), len(s.requesters.byID), len(s.tickets.byID), len(s.assets.byID)
}
