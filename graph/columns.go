package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// Projections.
//
// A nested connection (a company's contacts, assets or devices) loads only the columns its
// query reads: the resolver collects the fields selected on the connection's nodes (under
// `nodes` or `edges { node }`, fragments included) and maps each through the type's table
// below to the columns it reads. The store adds the keys (id, company_id) and the sort
// key. A field missing from its table (a new one, or one whose resolver reads more of the
// row) makes the whole row load, so forgetting an entry costs speed, never data.
//
// The list goes to the store in the filter's Columns, so it is part of the loader's
// arguments: two selections of the same relation with different fields never share rows.

// columnTable maps a GraphQL field of an object type to the columns its value reads; an
// empty list means it needs only the keys the store always selects.
type columnTable map[string][]string

var companyColumns = columnTable{
	"__typename":        nil,
	"id":                nil,
	"databaseId":        nil,
	"parent":            nil, // parent_id
	"ancestors":         nil, // id
	"children":          nil,
	"descendants":       nil,
	"effectiveSettings": nil,
	"locations":         nil,
	"contacts":          nil,
	"primaryContact":    nil,
	"assets":            nil,
	"networkEquipment":  nil,
	"networkLinks":      nil,
	"subnets":           nil,
	"tickets":           nil,
	"alerts":            nil,
	"assetCounts":       nil,
	"openTicketCount":   nil,
	"billingContact":    {"billing_contact_id"},
	"name":              {"name"},
	"accountNumber":     {"account_number"},
	"kind":              {"kind"},
	"status":            {"status"},
	"complianceLevel":   {"compliance_level"},
	"description":       {"description"},
	"phone":             {"phone"},
	"website":           {"website"},
	"domains":           {"domains"},
	"billingPlan":       {"billing_plan"},
	"plan":              {"billing_plan", "contract_term"},
	"contractTerm":      {"contract_term"},
	"contractStart":     {"contract_start"},
	"contractEnd":       {"contract_end"},
	"settings":          {"settings"},
	"supportLevel":      {"support_level"},
	"profitOrNonProfit": {"profit_or_non_profit"},
	"companyMainNumber": {"company_main_number"},
	"companyStartDate":  {"company_start_date"},
	"phoneSystem":       {"phone_system"},
	"emailSystem":       {"email_system"},
	"createdAt":         {"created_at"},
	"updatedAt":         {"updated_at"},
	"archivedAt":        {"archived_at"},
	// address: the embedded address_* columns; left out, so it loads whole rows
}

var contactColumns = columnTable{
	"__typename":      nil,
	"id":              nil,
	"databaseId":      nil,
	"company":         nil, // company_id
	"companies":       nil, // id
	"assets":          nil, // id
	"designation":     nil, // from contact_companies, always selected
	"isPrimary":       nil, // designation
	"compliance":      nil, // company_id
	"firstName":       {"first_name"},
	"lastName":        {"last_name"},
	"displayName":     {"display_name"},
	"name":            {"display_name", "first_name", "last_name"},
	"email":           {"email"},
	"phoneWork":       {"phone_work"},
	"phoneMobile":     {"phone_mobile"},
	"title":           {"title"},
	"roles":           {"roles"},
	"active":          {"active"},
	"notes":           {"notes"},
	"createdAt":       {"created_at"},
	"updatedAt":       {"updated_at"},
	"archivedAt":      {"archived_at"},
	"secondaryEmails": {"secondary_emails"},
	"employmentType":  {"employment_type"},
}

var assetColumns = columnTable{
	"__typename":       nil,
	"id":               nil,
	"databaseId":       nil,
	"company":          nil, // company_id
	"assignedContacts": nil, // id
	"alerts":           nil, // id
	"compliance":       nil, // company_id
	"name":             {"name"},
	"type":             {"type"},
	"manufacturer":     {"manufacturer"},
	"model":            {"model"},
	"serialNumber":     {"serial_number"},
	"hostname":         {"hostname"},
	"operatingSystem":  {"operating_system"},
	"ipAddresses":      {"ip_addresses"},
	"status":           {"status"},
	"purchaseDate":     {"purchase_date"},
	"warrantyExpires":  {"warranty_expires"},
	"lastSeen":         {"last_seen"},
	"online":           {"online"},
	"seatsTotal":       {"seats_total"},
	"seatsUsed":        {"seats_used"},
	"licenseExpires":   {"license_expires"},
	"licenseKey":       {"license_key"},
	"customFields":     {"custom_fields"},
	"secretFields":     {"secret_fields"},
	"notes":            {"notes"},
	"extIpAddress":     {"ext_ip_address"},
	"lastLoggedInUser": {"last_logged_in_user"},
	"domain":           {"domain"},
	"antivirusProduct": {"antivirus_product"},
	"antivirusStatus":  {"antivirus_status"},
	"patchStatus":      {"patch_status"},
	"backupDataBytes":  {"backup_data_bytes"},
	"createdAt":        {"created_at"},
	"updatedAt":        {"updated_at"},
	"archivedAt":       {"archived_at"},
}

var equipmentColumns = columnTable{
	"__typename":      nil,
	"id":              nil,
	"databaseId":      nil,
	"company":         nil, // company_id
	"links":           nil, // id
	"name":            {"name"},
	"type":            {"type"},
	"ipAddress":       {"ip_address"},
	"macAddress":      {"mac_address"},
	"manufacturer":    {"manufacturer"},
	"model":           {"model"},
	"serial":          {"serial"},
	"firmwareVersion": {"firmware_version"},
	"locationName":    {"location"},
	"location":        {"location_id"},
	"managementUrl":   {"management_url"},
	"status":          {"status"},
	"lastSeen":        {"last_seen"},
	"notes":           {"notes"},
	"createdAt":       {"created_at"},
	"updatedAt":       {"updated_at"},
	"archivedAt":      {"archived_at"},
	"subnet":          nil, // id
}

// fieldColumns returns the columns the object (or list of objects) of type typ being
// resolved reads: nil (whole rows) outside a GraphQL field or when a selected field is not
// in table.
func fieldColumns(ctx context.Context, parent any, typ string, table columnTable) []string {
	return columnsOf(ctx, parent, typ, table, false)
}

// nodeColumns is fieldColumns for a connection: the columns its nodes read, under
// `nodes` or `edges { node }`.
func nodeColumns(ctx context.Context, parent any, typ string, table columnTable) []string {
	return columnsOf(ctx, parent, typ, table, true)
}

func columnsOf(ctx context.Context, parent any, typ string, table columnTable, connection bool) []string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	return sameForSiblings(ctx, parent, "columns", func() []string {
		oc := graphql.GetOperationContext(ctx)
		satisfies := []string{typ, "Node"}
		var objects [][]graphql.CollectedField // the selections on typ
		if !connection {
			objects = append(objects, graphql.CollectFields(oc, fc.Field.Selections, satisfies))
		} else {
			for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
				switch f.Name {
				case "nodes":
					objects = append(objects, graphql.CollectFields(oc, f.Selections, satisfies))
				case "edges":
					for _, e := range graphql.CollectFields(oc, f.Selections, nil) {
						if e.Name == "node" {
							objects = append(objects, graphql.CollectFields(oc, e.Selections, satisfies))
						}
					}
				}
			}
		}
		cols := []string{}
		for _, sel := range objects {
			for _, f := range sel {
				c, ok := table[f.Name]
				if !ok {
					return nil
				}
				cols = append(cols, c...)
			}
		}
		slices.Sort(cols)
		return slices.Compact(cols)
	})
}

// columnsKey is a loader argument naming a projection.
func columnsKey(cols []string) string {
	if cols == nil {
		return "*"
	}
	return strings.Join(cols, ",")
}
