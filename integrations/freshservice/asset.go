package freshservice

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// Asset is a Freshservice asset as listed with include=type_fields.
type Asset struct {
	ID           int64  `json:"id"`
	DisplayID    int64  `json:"display_id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	AssetTypeID  int64  `json:"asset_type_id"`
	AssetTag     string `json:"asset_tag"`
	UserID       *int64 `json:"user_id"`
	DepartmentID *int64 `json:"department_id"`
	LocationID   *int64 `json:"location_id"`
	AgentID      *int64 `json:"agent_id"`
	// EndOfLife is the date as Freshservice sends it ("" when unset).
	EndOfLife string    `json:"end_of_life"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// TypeFields holds the fields of the asset's type; each key carries the id of the asset
	// type that defines it as a suffix ("serial_number_21000855267"). Use TypeField or
	// Fields to read them without knowing the suffix.
	TypeFields map[string]any `json:"type_fields"`
}

// AssetFields are the type fields of an asset that Codex syncs, read without their suffixes.
type AssetFields struct {
	SerialNumber string
	Hostname     string
	AssetState   string
	// WarrantyExpiry is the zero Date when the asset has no (readable) warranty date.
	WarrantyExpiry codex.Date
}

// TypeField returns type field name whatever its asset type suffix, so TypeField("hostname")
// finds "hostname_21000855272". An exact key wins; among suffixed keys the first non-null in
// key order does. ok is false when no key matches or every match is null.
func (a Asset) TypeField(name string) (v any, ok bool) {
	if v, ok := a.TypeFields[name]; ok && v != nil {
		return v, true
	}
	keys := make([]string, 0, 4)
	for k := range a.TypeFields {
		if suffix, found := strings.CutPrefix(k, name+"_"); found && isDigits(suffix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := a.TypeFields[k]; v != nil {
			return v, true
		}
	}
	return nil, false
}

// TypeFieldString returns type field name as text, or "".
func (a Asset) TypeFieldString(name string) string {
	v, ok := a.TypeField(name)
	if !ok {
		return ""
	}
	return strings.TrimSpace(customField(map[string]any{name: v}, name))
}

// Fields extracts serial number, hostname, asset state and warranty expiry date. The
// warranty date is read from "2026-12-31" or from a timestamp such as "2026-12-31T00:00:00Z".
func (a Asset) Fields() AssetFields {
	f := AssetFields{
		SerialNumber: a.TypeFieldString("serial_number"),
		Hostname:     a.TypeFieldString("hostname"),
		AssetState:   a.TypeFieldString("asset_state"),
	}
	f.WarrantyExpiry, _ = parseDate(a.TypeFieldString("warranty_expiry_date"))
	return f
}

// parseDate reads a date alone or the date of an RFC 3339 timestamp.
func parseDate(s string) (codex.Date, bool) {
	if s == "" {
		return codex.Date{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return codex.DateOf(t.UTC()), true
	}
	if len(s) > len(time.DateOnly) && s[len(time.DateOnly)] == 'T' {
		s = s[:len(time.DateOnly)]
	}
	d, err := codex.ParseDate(s)
	return d, err == nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Assets calls fn with each page of assets, each with its type fields.
func (c *Client) Assets(ctx context.Context, fn func(Page[Asset]) error) error {
	q := url.Values{"include": {"type_fields"}}
	return list(ctx, c, "/assets", q, "assets", func(a *Asset) int64 { return a.ID }, fn)
}

// Asset returns the asset with displayID (the number shown in Freshservice, which is the
// asset's path key), with its type fields, or a codex.NotFound error.
func (c *Client) Asset(ctx context.Context, displayID int64) (Asset, error) {
	var a Asset
	err := c.get(ctx, "/assets/"+strconv.FormatInt(displayID, 10)+"?include=type_fields", "asset", &a)
	return a, err
}
