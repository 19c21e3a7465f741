package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
)

// Global ids are the unpadded base64url encoding of "Type:123": opaque to clients, and
// enough for node(id:) to find any object.

// The type names global ids carry (the GraphQL type names).
const (
	typeCompany          = "Company"
	typeLocation         = "Location"
	typeContact          = "Contact"
	typeAsset            = "Asset"
	typeNetworkEquipment = "NetworkEquipment"
	typeNetworkLink      = "NetworkLink"
	typeSubnet           = "Subnet"
	typeTicket           = "Ticket"
	typeAlert            = "Alert"
	typeAgent            = "Agent"
	typeSyncRun          = "SyncRun"
	typeAuditEntry       = "AuditEntry"
)

// globalID returns the global id of row id of type typ.
func globalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// parseGlobalID splits a global id into its type and row id.
func parseGlobalID(s string) (typ string, id int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", 0, false
	}
	typ, num, found := strings.Cut(string(b), ":")
	if !found || typ == "" {
		return "", 0, false
	}
	id, err = strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return typ, id, true
}

// ids decodes the global ids of one input, collecting a message per bad field.
type ids struct {
	v codex.Validation
}

// of decodes s, which must be a global id of type typ, for field.
func (d *ids) of(field, typ, s string) int64 {
	t, id, ok := parseGlobalID(s)
	if !ok || t != typ {
		d.v.Add(field, "is not a %s id", typ)
		return 0
	}
	return id
}

// opt decodes an optional id: nil when it is left out or null.
func (d *ids) opt(field, typ string, s *string) *int64 {
	if s == nil {
		return nil
	}
	id := d.of(field, typ, *s)
	return &id
}

// omit decodes an omittable id for a patch: nil when left out, a pointer to 0 (clear)
// when null.
func (d *ids) omit(field, typ string, o graphql.Omittable[*string]) *int64 {
	s, set := o.ValueOK()
	if !set {
		return nil
	}
	if s == nil {
		var zero int64
		return &zero
	}
	id := d.of(field, typ, *s)
	return &id
}

// list decodes a list of ids of type typ.
func (d *ids) list(field, typ string, ss []string) []int64 {
	out := make([]int64, 0, len(ss))
	for _, s := range ss {
		out = append(out, d.of(field, typ, s))
	}
	return out
}

// err returns the collected problems as an Invalid error, or nil.
func (d *ids) err() error { return d.v.Err() }

// Add records a problem with a field that is not an id.
func (d *ids) Add(field, format string, args ...any) { d.v.Add(field, format, args...) }
