package fake

import (
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writePage(w, r, "departments", s.departments.all(), page, perPage, nil)
}

func (s *Server) getDepartment(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.departments.byID[id]
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"department": d})
}

func (s *Server) listRequesters(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	email := q.Get("email")
	active := q.Get("active")
	if active != "" && active != "true" && active != "false" {
		writeValidation(w, http.StatusBadRequest, fieldError{"active", "It should be a boolean value", "datatype_mismatch"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := s.requesters.rows(func(rq *Requester) bool {
		if email != "" && !strings.EqualFold(rq.PrimaryEmail, email) &&
			!slices.ContainsFunc(rq.SecondaryEmails, func(e string) bool { return strings.EqualFold(e, email) }) {
			return false
		}
		return active == "" || (active == "true") == rq.Active
	})
	writePage(w, r, "requesters", rows, page, perPage, nil)
}

func (s *Server) getRequester(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	rq, ok := s.requesters.byID[id]
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"requester": rq})
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writePage(w, r, "agents", s.agents.all(), page, perPage, nil)
}

// ticketWire is a ticket with what include= asked for.
type ticketWire struct {
	*Ticket
	Requester *ticketRequester `json:"requester,omitempty"`
	Stats     *ticketStats     `json:"stats,omitempty"`
}

type ticketRequester struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Email  string  `json:"email"`
	Phone  *string `json:"phone"`
	Mobile *string `json:"mobile"`
}

type ticketStats struct {
	FirstRespondedAt *time.Time `json:"first_responded_at"`
	AgentRespondedAt *time.Time `json:"agent_responded_at"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	ClosedAt         *time.Time `json:"closed_at"`
}

// includes parses include= against the allowed values.
func includes(w http.ResponseWriter, r *http.Request, allowed ...string) (map[string]bool, bool) {
	out := map[string]bool{}
	v := r.URL.Query().Get("include")
	if v == "" {
		return out, true
	}
	for inc := range strings.SplitSeq(v, ",") {
		inc = strings.TrimSpace(inc)
		if !slices.Contains(allowed, inc) {
			writeValidation(w, http.StatusBadRequest, fieldError{"include", "It should be one/a combination of the following: " + strings.Join(allowed, ","), "invalid_value"})
			return nil, false
		}
		out[inc] = true
	}
	return out, true
}

// ticketWire renders t with the includes asked for; the caller holds s.mu.
func (s *Server) ticketWire(t *Ticket, inc map[string]bool) ticketWire {
	tw := ticketWire{Ticket: t}
	if inc["requester"] {
		tr := &ticketRequester{ID: t.RequesterID}
		if rq, ok := s.requesters.byID[t.RequesterID]; ok {
			tr.Name = strings.TrimSpace(rq.FirstName + " " + rq.LastName)
			tr.Email = rq.PrimaryEmail
			if rq.WorkPhoneNumber != "" {
				tr.Phone = &rq.WorkPhoneNumber
			}
			if rq.MobilePhoneNumber != "" {
				tr.Mobile = &rq.MobilePhoneNumber
			}
		}
		tw.Requester = tr
	}
	if inc["stats"] {
		tw.Stats = &ticketStats{FirstRespondedAt: t.FirstRespondedAt, AgentRespondedAt: t.AgentRespondedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt}
	}
	return tw
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeValidation(w, http.StatusBadRequest, fieldError{"updated_since", "It should be in the 'yyyy-mm-ddThh:mm:ssZ' format", "invalid_value"})
			return
		}
		since = t
	}
	orderType := cmp.Or(q.Get("order_type"), "desc")
	if orderType != "asc" && orderType != "desc" {
		writeValidation(w, http.StatusBadRequest, fieldError{"order_type", "It should be one of these values: 'asc,desc'", "invalid_value"})
		return
	}
	orderBy := cmp.Or(q.Get("order_by"), "created_at")
	if orderBy != "created_at" && orderBy != "updated_at" {
		writeValidation(w, http.StatusBadRequest, fieldError{"order_by", "It should be one of these values: 'created_at,updated_at'", "invalid_value"})
		return
	}
	inc, ok := includes(w, r, "requester", "stats")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Sort the stored tickets and keep malformed rows at their positions.
	all := s.tickets.rows(func(t *Ticket) bool { return since.IsZero() || !t.UpdatedAt.Before(since) })
	var tickets []*Ticket
	var raws []int
	for i, v := range all {
		if t, ok := v.(*Ticket); ok {
			tickets = append(tickets, t)
		} else {
			raws = append(raws, i)
		}
	}
	slices.SortStableFunc(tickets, func(a, b *Ticket) int {
		ka, kb := a.CreatedAt, b.CreatedAt
		if orderBy == "updated_at" {
			ka, kb = a.UpdatedAt, b.UpdatedAt
		}
		c := cmp.Or(ka.Compare(kb), cmp.Compare(a.ID, b.ID))
		if orderType == "desc" {
			c = -c
		}
		return c
	})
	rows := make(items, 0, len(all))
	for _, t := range tickets {
		rows = append(rows, t)
	}
	for _, i := range raws {
		rows = slices.Insert(rows, min(i, len(rows)), all[i])
	}
	writePage(w, r, "tickets", rows, page, perPage, func(v any) any { return s.ticketWire(v.(*Ticket), inc) })
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	inc, ok := includes(w, r, "requester", "stats", "conversations", "problem", "assets", "change", "related_tickets")
	if !ok {
		return
	}
	id, _ := pathID(r, "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets.byID[id]
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.ticketWire(t, inc)})
}

// assetWire is an asset with its type fields.
type assetWire struct {
	*Asset
	TypeFields map[string]any `json:"type_fields"`
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	inc, ok := includes(w, r, "type_fields")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var render func(any) any
	if inc["type_fields"] {
		render = func(v any) any {
			a := v.(*Asset)
			return assetWire{Asset: a, TypeFields: a.typeFields()}
		}
	}
	writePage(w, r, "assets", s.assets.all(), page, perPage, render)
}

func (s *Server) getAsset(w http.ResponseWriter, r *http.Request) {
	inc, ok := includes(w, r, "type_fields")
	if !ok {
		return
	}
	displayID, _ := pathID(r, "display_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.assets.byID {
		if a.DisplayID == displayID {
			var v any = a
			if inc["type_fields"] {
				v = assetWire{Asset: a, TypeFields: a.typeFields()}
			}
			writeJSON(w, http.StatusOK, map[string]any{"asset": v})
			return
		}
	}
	writeNotFound(w)
}

// readBody decodes a JSON object body, answering 400 when it is not one.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, map[string]any, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var fields map[string]json.RawMessage
	var generic map[string]any
	if err == nil {
		err = json.Unmarshal(data, &fields)
	}
	if err == nil {
		err = json.Unmarshal(data, &generic)
	}
	if err != nil || fields == nil {
		writeValidation(w, http.StatusBadRequest, fieldError{"", "Request body has invalid json format", "invalid_json"})
		return nil, nil, false
	}
	return fields, generic, true
}

// unknownFields returns a validation error for each field not in allowed, sorted.
func unknownFields(fields map[string]json.RawMessage, allowed ...string) []fieldError {
	var errs []fieldError
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(allowed, k) {
			errs = append(errs, fieldError{k, "Unexpected/invalid field in request", "invalid_field"})
		}
	}
	return errs
}

// decodeField decodes fields[name] into v, adding a datatype error to errs when it fails.
func decodeField(fields map[string]json.RawMessage, name string, v any, kind string, errs *[]fieldError) bool {
	raw, ok := fields[name]
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		*errs = append(*errs, fieldError{name, "It should be a/an " + kind, "datatype_mismatch"})
		return false
	}
	return true
}

func (s *Server) putDepartment(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	fields, body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.applyDepartment(w, id, fields)
	s.updates = append(s.updates, Update{Kind: "department", ID: id, Body: body, Status: status})
}

// applyDepartment validates and applies a department update, writes the answer and
// returns its status; the caller holds s.mu.
func (s *Server) applyDepartment(w http.ResponseWriter, id int64, fields map[string]json.RawMessage) int {
	d, ok := s.departments.byID[id]
	if !ok {
		writeNotFound(w)
		return http.StatusNotFound
	}
	errs := unknownFields(fields, "name", "description", "head_user_id", "prime_user_id", "domains", "custom_fields")
	next := d.clone()
	if decodeField(fields, "name", &next.Name, "String", &errs) && strings.TrimSpace(next.Name) == "" {
		errs = append(errs, fieldError{"name", "It should not be blank as this is a mandatory field", "missing_field"})
	}
	var desc *string
	if decodeField(fields, "description", &desc, "String", &errs) {
		next.Description = ""
		if desc != nil {
			next.Description = *desc
		}
	}
	decodeField(fields, "head_user_id", &next.HeadUserID, "Integer", &errs)
	decodeField(fields, "prime_user_id", &next.PrimeUserID, "Integer", &errs)
	if decodeField(fields, "domains", &next.Domains, "Array", &errs) {
		next.Domains = nonNil(next.Domains)
	}
	var custom map[string]any
	if decodeField(fields, "custom_fields", &custom, "key/value pair", &errs) {
		maps.Copy(next.CustomFields, custom)
	}
	if len(errs) > 0 {
		writeValidation(w, http.StatusBadRequest, errs...)
		return http.StatusBadRequest
	}
	for otherID, other := range s.departments.byID {
		if otherID != id && strings.EqualFold(other.Name, next.Name) {
			writeValidation(w, http.StatusConflict, fieldError{"name", "It should be a unique value", "duplicate_value"})
			return http.StatusConflict
		}
	}
	next.UpdatedAt = s.now()
	*d = next
	writeJSON(w, http.StatusOK, map[string]any{"department": d})
	return http.StatusOK
}

func (s *Server) putRequester(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	fields, body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.applyRequester(w, id, fields)
	s.updates = append(s.updates, Update{Kind: "requester", ID: id, Body: body, Status: status})
}

// applyRequester validates and applies a requester update, writes the answer and returns
// its status; the caller holds s.mu.
func (s *Server) applyRequester(w http.ResponseWriter, id int64, fields map[string]json.RawMessage) int {
	rq, ok := s.requesters.byID[id]
	if !ok {
		writeNotFound(w)
		return http.StatusNotFound
	}
	errs := unknownFields(fields, "first_name", "last_name", "job_title", "primary_email", "secondary_emails",
		"work_phone_number", "mobile_phone_number", "department_ids", "location_id", "reporting_manager_id",
		"time_zone", "language", "custom_fields", "address", "background_information")
	next := rq.clone()
	if decodeField(fields, "first_name", &next.FirstName, "String", &errs) && strings.TrimSpace(next.FirstName) == "" {
		errs = append(errs, fieldError{"first_name", "It should not be blank as this is a mandatory field", "missing_field"})
	}
	decodeField(fields, "last_name", &next.LastName, "String", &errs)
	decodeField(fields, "job_title", &next.JobTitle, "String", &errs)
	if decodeField(fields, "primary_email", &next.PrimaryEmail, "String", &errs) && !validEmail(next.PrimaryEmail) {
		errs = append(errs, fieldError{"primary_email", "It should be in the 'valid email address' format", "invalid_value"})
	}
	if decodeField(fields, "secondary_emails", &next.SecondaryEmails, "Array", &errs) {
		next.SecondaryEmails = nonNil(next.SecondaryEmails)
		for _, e := range next.SecondaryEmails {
			if !validEmail(e) {
				errs = append(errs, fieldError{"secondary_emails", "It should contain elements that are in the 'valid email address' format", "invalid_value"})
				break
			}
		}
	}
	decodeField(fields, "work_phone_number", &next.WorkPhoneNumber, "String", &errs)
	decodeField(fields, "mobile_phone_number", &next.MobilePhoneNumber, "String", &errs)
	if decodeField(fields, "department_ids", &next.DepartmentIDs, "Array", &errs) {
		next.DepartmentIDs = nonNil(next.DepartmentIDs)
		for _, d := range next.DepartmentIDs {
			if _, ok := s.departments.byID[d]; !ok {
				errs = append(errs, fieldError{"department_ids", "There are no records matching the ids: '" + jsonString(d) + "'", "invalid_value"})
				break
			}
		}
	}
	decodeField(fields, "location_id", &next.LocationID, "Integer", &errs)
	decodeField(fields, "reporting_manager_id", &next.ReportingManagerID, "Integer", &errs)
	decodeField(fields, "time_zone", &next.TimeZone, "String", &errs)
	decodeField(fields, "language", &next.Language, "String", &errs)
	var custom map[string]any
	if decodeField(fields, "custom_fields", &custom, "key/value pair", &errs) {
		maps.Copy(next.CustomFields, custom)
	}
	if len(errs) > 0 {
		writeValidation(w, http.StatusBadRequest, errs...)
		return http.StatusBadRequest
	}
	for otherID, other := range s.requesters.byID {
		if otherID != id && next.PrimaryEmail != "" && strings.EqualFold(other.PrimaryEmail, next.PrimaryEmail) {
			writeValidation(w, http.StatusConflict, fieldError{"primary_email", "It should be a unique value", "duplicate_value"})
			return http.StatusConflict
		}
	}
	next.UpdatedAt = s.now()
	*rq = next
	writeJSON(w, http.StatusOK, map[string]any{"requester": rq})
	return http.StatusOK
}

func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " ,;")
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
