package freshservice

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Department is a Freshservice department, which MSP mode calls a company.
type Department struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	HeadUserID  *int64   `json:"head_user_id"`
	PrimeUserID *int64   `json:"prime_user_id"`
	Domains     []string `json:"domains"`
	// CustomFields holds the account's own fields; MSPs keep their account number here.
	CustomFields map[string]any `json:"custom_fields"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// CustomField returns custom field name as text ("" when absent or null); numbers are
// formatted without exponent, so an account number typed as a number reads as typed.
func (d Department) CustomField(name string) string { return customField(d.CustomFields, name) }

// DepartmentUpdate is the body of PUT /departments/{id}. Nil fields are left unchanged;
// a non-nil empty Domains or CustomFields is sent and so clears the field.
type DepartmentUpdate struct {
	Name         *string        `json:"name,omitempty"`
	Description  *string        `json:"description,omitempty"`
	Domains      []string       `json:"domains,omitzero"`
	CustomFields map[string]any `json:"custom_fields,omitzero"`
}

// Departments calls fn with each page of departments, in the order Freshservice lists them.
func (c *Client) Departments(ctx context.Context, fn func(Page[Department]) error) error {
	return list(ctx, c, "/departments", nil, "departments", func(d *Department) int64 { return d.ID }, fn)
}

// Department returns the department with id, or a codex.NotFound error.
func (c *Client) Department(ctx context.Context, id int64) (Department, error) {
	var d Department
	err := c.get(ctx, "/departments/"+strconv.FormatInt(id, 10), "department", &d)
	return d, err
}

// UpdateDepartment changes the department with id and returns it as Freshservice now has it.
// A rejected change is a codex.Invalid error whose Fields name the offending fields.
func (c *Client) UpdateDepartment(ctx context.Context, id int64, u DepartmentUpdate) (Department, error) {
	var d Department
	err := c.put(ctx, "/departments/"+strconv.FormatInt(id, 10), u, "department", &d)
	return d, err
}

// customField formats fields[name] as text.
func customField(fields map[string]any, name string) string {
	switch v := fields[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
