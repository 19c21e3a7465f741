package freshservice

import (
	"context"
	"strconv"
	"time"
)

// Requester is a Freshservice requester: a contact of a company.
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
	Active             bool           `json:"active"`
	VIPUser            bool           `json:"vip_user"`
	IsAgent            bool           `json:"is_agent"`
	CustomFields       map[string]any `json:"custom_fields"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
}

// CustomField returns custom field name as text ("" when absent or null).
func (r Requester) CustomField(name string) string { return customField(r.CustomFields, name) }

// RequesterUpdate is the body of PUT /requesters/{id}. Nil fields are left unchanged;
// a non-nil empty slice or map is sent and so clears the field.
type RequesterUpdate struct {
	FirstName         *string        `json:"first_name,omitempty"`
	LastName          *string        `json:"last_name,omitempty"`
	JobTitle          *string        `json:"job_title,omitempty"`
	PrimaryEmail      *string        `json:"primary_email,omitempty"`
	SecondaryEmails   []string       `json:"secondary_emails,omitzero"`
	WorkPhoneNumber   *string        `json:"work_phone_number,omitempty"`
	MobilePhoneNumber *string        `json:"mobile_phone_number,omitempty"`
	DepartmentIDs     []int64        `json:"department_ids,omitzero"`
	CustomFields      map[string]any `json:"custom_fields,omitzero"`
}

// Requesters calls fn with each page of requesters.
func (c *Client) Requesters(ctx context.Context, fn func(Page[Requester]) error) error {
	return list(ctx, c, "/requesters", nil, "requesters", func(r *Requester) int64 { return r.ID }, fn)
}

// Requester returns the requester with id, or a codex.NotFound error.
func (c *Client) Requester(ctx context.Context, id int64) (Requester, error) {
	var r Requester
	err := c.get(ctx, "/requesters/"+strconv.FormatInt(id, 10), "requester", &r)
	return r, err
}

// UpdateRequester changes the requester with id and returns it as Freshservice now has it.
// A rejected change is a codex.Invalid error whose Fields name the offending fields.
func (c *Client) UpdateRequester(ctx context.Context, id int64, u RequesterUpdate) (Requester, error) {
	var r Requester
	err := c.put(ctx, "/requesters/"+strconv.FormatInt(id, 10), u, "requester", &r)
	return r, err
}
