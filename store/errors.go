package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"
	"modernc.org/sqlite"

	"github.com/hivematrix/codex/codex"
)

// SQLite extended result codes the store translates.
const (
	sqliteBusy         = 5
	sqliteLocked       = 6
	sqliteBusySnapshot = 517
	sqliteCheck        = 275
	sqliteForeignKey   = 787
	sqliteNotNull      = 1299
	sqlitePrimaryKey   = 1555
	sqliteUnique       = 2067
)

// uniqueKey names the input field and the message of a unique constraint. match holds
// the PostgreSQL constraint (index) name and the column list SQLite reports.
type uniqueKey struct {
	match []string
	field string
	msg   string
}

var uniqueKeys = []uniqueKey{
	{[]string{"companies_account_number_key", "companies.account_number"}, "account_number", "is already used by another company"},
	{[]string{"agents_email_key", "agents.email"}, "email", "is already used by another agent"},
	{[]string{"network_links_ports_key", "network_links.a_id, network_links.a_port"}, "ports", "these ports are already linked"},
	{[]string{"tickets_external_key", "tickets.source, tickets.external_id"}, "external_id", "is already used by another ticket of this source"},
	{[]string{"alerts_external_key", "alerts.source, alerts.external_id"}, "external_id", "is already used by another alert of this source"},
	{[]string{"external_refs_external_key", "external_refs.source, external_refs.entity, external_refs.external_id"}, "external_id", "is already linked to another row"},
	{[]string{"external_refs_entity_key", "external_refs.entity, external_refs.entity_id"}, "entity_id", "is already linked to another record of this source"},
	{[]string{"contact_companies_pkey", "contact_companies.contact_id, contact_companies.company_id"}, "company_id", "the contact is already assigned to this company"},
	{[]string{"asset_ips_pkey", "asset_ips.asset_id, asset_ips.ip_key"}, "ip_addresses", "lists an address twice"},
	{[]string{"asset_contacts_pkey", "asset_contacts.asset_id, asset_contacts.contact_id"}, "contact_ids", "lists a contact twice"},
}

// nouns names a referenced table in messages.
var nouns = map[string]string{
	"companies":         "company",
	"contacts":          "contact",
	"assets":            "asset",
	"locations":         "location",
	"network_equipment": "network equipment",
}

// translate maps a driver error to a codex error: the one place where the store's
// errors get their codes. Errors that are already codex errors pass unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ce *codex.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &codex.Error{Code: codex.NotFound, Message: "not found", Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &codex.Error{Code: codex.Unavailable, Message: "the request was cancelled or timed out", Err: err}
	}
	var pe pgdriver.Error
	if errors.As(err, &pe) {
		switch code := pe.Field('C'); {
		case code == "23505":
			return conflict(pe.Field('n'), err)
		case code == "23503":
			return foreignKey(pe.Field('D'), err)
		case code == "23514" || code == "23502" || strings.HasPrefix(code, "22") || code == "54000":
			// PostgreSQL's own text (which quotes values and names internals) is logged
			// through Err, never shown: the same words as on SQLite. The domain's
			// validation refuses these values first; this is the safety net.
			e := &codex.Error{Code: codex.Invalid, Message: "invalid input: a value is out of range", Err: err}
			if col := pe.Field('c'); col != "" {
				e.Fields = map[string]string{col: "is out of range"}
			}
			return e
		case code == "40001" || code == "40P01" || code == "55P03" || code == "57014" || code == "53300":
			return &codex.Error{Code: codex.Unavailable, Message: "the database is busy; try again", Err: err}
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteUnique, sqlitePrimaryKey:
			return conflict(se.Error(), err)
		case sqliteForeignKey:
			return &codex.Error{Code: codex.Invalid, Message: "invalid input: a referenced row does not exist", Err: err}
		case sqliteCheck, sqliteNotNull:
			return &codex.Error{Code: codex.Invalid, Message: "invalid input: a value is out of range", Err: err}
		case sqliteBusy, sqliteLocked, sqliteBusySnapshot:
			return &codex.Error{Code: codex.Unavailable, Message: "the database is busy; try again", Err: err}
		}
	}
	return codex.Wrap(err, "database error")
}

// conflict turns a unique violation into a Conflict naming the field; where is the
// PostgreSQL constraint name or SQLite's message.
func conflict(where string, err error) error {
	for _, k := range uniqueKeys {
		for _, m := range k.match {
			if strings.Contains(where, m) {
				return &codex.Error{Code: codex.Conflict, Message: "conflict", Fields: map[string]string{k.field: k.msg}, Err: err}
			}
		}
	}
	return &codex.Error{Code: codex.Conflict, Message: "conflict: the row already exists", Err: err}
}

// foreignKey turns a PostgreSQL foreign key violation into an Invalid error naming the
// column, from its detail: Key (company_id)=(999) is not present in table "companies".
func foreignKey(detail string, err error) error {
	col, rest, ok := strings.Cut(strings.TrimPrefix(detail, "Key ("), ")=(")
	val, rest2, _ := strings.Cut(rest, ")")
	if !ok || !strings.HasPrefix(detail, "Key (") {
		return &codex.Error{Code: codex.Invalid, Message: "invalid input: a referenced row does not exist", Err: err}
	}
	noun := "row"
	if _, table, ok := strings.Cut(rest2, `table "`); ok {
		table = strings.TrimSuffix(strings.TrimSuffix(table, "."), `"`)
		if n, ok := nouns[table]; ok {
			noun = n
		}
	}
	return &codex.Error{Code: codex.Invalid, Message: "invalid input",
		Fields: map[string]string{col: fmt.Sprintf("%s %s does not exist", noun, val)}, Err: err}
}

// notFound is the NotFound error of one row.
func notFound(noun string, id any) error {
	return codex.Errorf(codex.NotFound, "%s %v not found", noun, id)
}

// invalid is an Invalid error naming one field.
func invalid(field, format string, args ...any) error {
	var v codex.Validation
	v.Add(field, format, args...)
	return v.Err()
}

// notFoundOr returns notFound(noun, id) for sql.ErrNoRows and err otherwise.
func notFoundOr(err error, noun string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(noun, id)
	}
	return err
}
