package store

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Direct scanning.
//
// bun scans a row by reflection: it allocates the struct, then for every column looks the
// field up by name and sets it through reflect — about a third of the time the batch
// lookups of a deep company tree spent reading rows. For the four entities those lookups
// return most, a fields table maps each plain column (text, integers, nullable keys, the
// enumerations and dates) to the address of its field, and the rows are scanned with
// database/sql directly. A statement returning any column outside the table (JSON,
// timestamps, whose representation differs between the drivers) is scanned by bun, as
// before; columns starting with "_" (window helpers) are read and dropped, as bun does.

// fields maps a column to the address of the field holding it in a row.
type fields[T any] map[string]func(*T) any

var contactFields = fields[codex.Contact]{
	"id":              func(c *codex.Contact) any { return &c.ID },
	"company_id":      func(c *codex.Contact) any { return &c.CompanyID },
	"first_name":      func(c *codex.Contact) any { return &c.FirstName },
	"last_name":       func(c *codex.Contact) any { return &c.LastName },
	"display_name":    func(c *codex.Contact) any { return &c.DisplayName },
	"email":           func(c *codex.Contact) any { return &c.Email },
	"phone_work":      func(c *codex.Contact) any { return &c.PhoneWork },
	"phone_mobile":    func(c *codex.Contact) any { return &c.PhoneMobile },
	"title":           func(c *codex.Contact) any { return &c.Title },
	"notes":           func(c *codex.Contact) any { return &c.Notes },
	"employment_type": func(c *codex.Contact) any { return &c.EmploymentType },
	"designation":     func(c *codex.Contact) any { return &c.Designation },
	"for_company_id":  func(c *codex.Contact) any { return &c.ForCompanyID },
}

var companyFields = fields[codex.Company]{
	"id":                   func(c *codex.Company) any { return &c.ID },
	"name":                 func(c *codex.Company) any { return &c.Name },
	"account_number":       func(c *codex.Company) any { return &c.AccountNumber },
	"parent_id":            func(c *codex.Company) any { return &c.ParentID },
	"kind":                 func(c *codex.Company) any { return &c.Kind },
	"status":               func(c *codex.Company) any { return &c.Status },
	"compliance_level":     func(c *codex.Company) any { return &c.ComplianceLevel },
	"description":          func(c *codex.Company) any { return &c.Description },
	"phone":                func(c *codex.Company) any { return &c.Phone },
	"website":              func(c *codex.Company) any { return &c.Website },
	"billing_plan":         func(c *codex.Company) any { return &c.BillingPlan },
	"contract_term":        func(c *codex.Company) any { return &c.ContractTerm },
	"contract_start":       func(c *codex.Company) any { return &c.ContractStart },
	"contract_end":         func(c *codex.Company) any { return &c.ContractEnd },
	"billing_contact_id":   func(c *codex.Company) any { return &c.BillingContactID },
	"support_level":        func(c *codex.Company) any { return &c.SupportLevel },
	"profit_or_non_profit": func(c *codex.Company) any { return &c.ProfitOrNonProfit },
	"company_main_number":  func(c *codex.Company) any { return &c.CompanyMainNumber },
	"company_start_date":   func(c *codex.Company) any { return &c.CompanyStartDate },
	"phone_system":         func(c *codex.Company) any { return &c.PhoneSystem },
	"email_system":         func(c *codex.Company) any { return &c.EmailSystem },
}

var assetFields = fields[codex.Asset]{
	"id":                  func(a *codex.Asset) any { return &a.ID },
	"company_id":          func(a *codex.Asset) any { return &a.CompanyID },
	"name":                func(a *codex.Asset) any { return &a.Name },
	"type":                func(a *codex.Asset) any { return &a.Type },
	"manufacturer":        func(a *codex.Asset) any { return &a.Manufacturer },
	"model":               func(a *codex.Asset) any { return &a.Model },
	"serial_number":       func(a *codex.Asset) any { return &a.SerialNumber },
	"hostname":            func(a *codex.Asset) any { return &a.Hostname },
	"operating_system":    func(a *codex.Asset) any { return &a.OperatingSystem },
	"status":              func(a *codex.Asset) any { return &a.Status },
	"purchase_date":       func(a *codex.Asset) any { return &a.PurchaseDate },
	"warranty_expires":    func(a *codex.Asset) any { return &a.WarrantyExpires },
	"license_expires":     func(a *codex.Asset) any { return &a.LicenseExpires },
	"license_key":         func(a *codex.Asset) any { return &a.LicenseKey },
	"notes":               func(a *codex.Asset) any { return &a.Notes },
	"ext_ip_address":      func(a *codex.Asset) any { return &a.ExtIPAddress },
	"last_logged_in_user": func(a *codex.Asset) any { return &a.LastLoggedInUser },
	"domain":              func(a *codex.Asset) any { return &a.Domain },
	"antivirus_product":   func(a *codex.Asset) any { return &a.AntivirusProduct },
	"antivirus_status":    func(a *codex.Asset) any { return &a.AntivirusStatus },
	"patch_status":        func(a *codex.Asset) any { return &a.PatchStatus },
	"backup_data_bytes":   func(a *codex.Asset) any { return &a.BackupDataBytes },
}

var equipmentFields = fields[codex.NetworkEquipment]{
	"id":               func(e *codex.NetworkEquipment) any { return &e.ID },
	"company_id":       func(e *codex.NetworkEquipment) any { return &e.CompanyID },
	"name":             func(e *codex.NetworkEquipment) any { return &e.Name },
	"type":             func(e *codex.NetworkEquipment) any { return &e.Type },
	"ip_address":       func(e *codex.NetworkEquipment) any { return &e.IPAddress },
	"mac_address":      func(e *codex.NetworkEquipment) any { return &e.MACAddress },
	"manufacturer":     func(e *codex.NetworkEquipment) any { return &e.Manufacturer },
	"model":            func(e *codex.NetworkEquipment) any { return &e.Model },
	"serial":           func(e *codex.NetworkEquipment) any { return &e.Serial },
	"firmware_version": func(e *codex.NetworkEquipment) any { return &e.FirmwareVersion },
	"location":         func(e *codex.NetworkEquipment) any { return &e.Location },
	"location_id":      func(e *codex.NetworkEquipment) any { return &e.LocationID },
	"management_url":   func(e *codex.NetworkEquipment) any { return &e.ManagementURL },
	"status":           func(e *codex.NetworkEquipment) any { return &e.Status },
	"notes":            func(e *codex.NetworkEquipment) any { return &e.Notes },
}

// scanRows runs the batch statement q for keys (see scanKeys) and returns its rows:
// scanned directly when every column is in fs, by bun otherwise (or when fs is nil).
func scanRows[T any](ctx context.Context, db *DB, q bun.Query, keys []int64, fs fields[T]) ([]*T, error) {
	var out []*T
	if fs == nil {
		err := db.scanKeys(ctx, q, keys, &out)
		return out, err
	}
	rows, err := db.queryKeys(ctx, q, keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	addr := make([]func(*T) any, len(cols))
	for i, c := range cols {
		if f, ok := fs[c]; ok {
			addr[i] = f
		} else if strings.HasPrefix(c, "_") {
			addr[i] = discard[T]
		} else {
			err := db.bun.ScanRows(ctx, rows, &out) // a column outside the table: bun's way
			return out, err
		}
	}
	dest := make([]any, len(cols))
	for rows.Next() {
		row := new(T)
		for i, f := range addr {
			dest[i] = f(row)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	db.directScans.Add(1)
	return out, rows.Close()
}

// discard is the destination of a column that is read and dropped.
func discard[T any](*T) any { return new(any) }
