package codex

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// AssetType classifies an asset.
type AssetType string

// The asset types.
const (
	AssetServer         AssetType = "server"
	AssetWorkstation    AssetType = "workstation"
	AssetLaptop         AssetType = "laptop"
	AssetVirtualMachine AssetType = "virtual_machine"
	AssetPrinter        AssetType = "printer"
	AssetMobile         AssetType = "mobile"
	AssetLicense        AssetType = "license"
	AssetOther          AssetType = "other"
)

// AssetTypes lists every asset type.
var AssetTypes = []AssetType{AssetServer, AssetWorkstation, AssetLaptop, AssetVirtualMachine, AssetPrinter, AssetMobile, AssetLicense, AssetOther}

// Valid reports whether t is a known asset type.
func (t AssetType) Valid() bool {
	for _, x := range AssetTypes {
		if x == t {
			return true
		}
	}
	return false
}

// AssetStatus is an asset's life-cycle state.
type AssetStatus string

// The asset statuses.
const (
	AssetActive   AssetStatus = "active"
	AssetInRepair AssetStatus = "in_repair"
	AssetRetired  AssetStatus = "retired"
)

// Valid reports whether s is a known asset status.
func (s AssetStatus) Valid() bool { return s == AssetActive || s == AssetInRepair || s == AssetRetired }

// Asset is a piece of equipment or a licence a company owns.
type Asset struct {
	bun.BaseModel `bun:"table:assets,alias:asset" json:"-"`

	ID              int64             `bun:"id,pk,autoincrement" json:"id"`
	CompanyID       int64             `bun:"company_id,notnull" json:"company_id"`
	Name            string            `bun:"name,notnull" json:"name"`
	Type            AssetType         `bun:"type,notnull" json:"type"`
	Manufacturer    string            `bun:"manufacturer,notnull" json:"manufacturer"`
	Model           string            `bun:"model,notnull" json:"model"`
	SerialNumber    string            `bun:"serial_number,notnull" json:"serial_number"`
	Hostname        string            `bun:"hostname,notnull" json:"hostname"`
	OperatingSystem string            `bun:"operating_system,notnull" json:"operating_system"`
	IPAddresses     []string          `bun:"ip_addresses,type:json" json:"ip_addresses"`
	Status          AssetStatus       `bun:"status,notnull" json:"status"`
	PurchaseDate    *Date             `bun:"purchase_date,type:date" json:"purchase_date"`
	WarrantyExpires *Date             `bun:"warranty_expires,type:date" json:"warranty_expires"`
	LastSeen        *time.Time        `bun:"last_seen" json:"last_seen"`
	Online          bool              `bun:"online,notnull" json:"online"`
	SeatsTotal      *int              `bun:"seats_total" json:"seats_total"`
	SeatsUsed       *int              `bun:"seats_used" json:"seats_used"`
	LicenseExpires  *Date             `bun:"license_expires,type:date" json:"license_expires"`
	LicenseKey      string            `bun:"license_key,notnull" json:"license_key"`
	CustomFields    map[string]string `bun:"custom_fields,type:json" json:"custom_fields"`
	SecretFields    map[string]string `bun:"secret_fields,type:json" json:"secret_fields"`
	// The RMM's device audit (Datto RMM owns these).
	ExtIPAddress     string     `bun:"ext_ip_address,notnull" json:"ext_ip_address"`
	LastLoggedInUser string     `bun:"last_logged_in_user,notnull" json:"last_logged_in_user"`
	Domain           string     `bun:"domain,notnull" json:"domain"`
	AntivirusProduct string     `bun:"antivirus_product,notnull" json:"antivirus_product"`
	AntivirusStatus  string     `bun:"antivirus_status,notnull" json:"antivirus_status"`
	PatchStatus      string     `bun:"patch_status,notnull" json:"patch_status"`
	BackupDataBytes  *int64     `bun:"backup_data_bytes" json:"backup_data_bytes"`
	Notes            string     `bun:"notes,notnull" json:"notes"`
	CreatedAt        time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt       *time.Time `bun:"archived_at" json:"archived_at"`

	// CompanyComplianceLevel is the compliance level of the asset's company, filled by
	// the policy layer on every read so consumers can apply it themselves.
	CompanyComplianceLevel ComplianceLevel `bun:"-" json:"company_compliance_level"`
}

// SecretAssetFields are the asset fields only admins may read.
var SecretAssetFields = []string{"license_key", "secret_fields"}

// Defaults fills unset enumerations.
func (a *Asset) Defaults() {
	if a.Type == "" {
		a.Type = AssetOther
	}
	if a.Status == "" {
		a.Status = AssetActive
	}
}

// Validate checks an asset's fields and normalizes its IP addresses.
func (a *Asset) Validate() error {
	var v Validation
	v.Check(a.CompanyID > 0, "company_id", "is required")
	v.Check(strings.TrimSpace(a.Name) != "", "name", "is required")
	v.Check(a.Type.Valid(), "type", "must be one of %v", AssetTypes)
	v.Check(a.Status.Valid(), "status", "must be one of active, in_repair, retired")
	for i, s := range a.IPAddresses {
		ip, err := ParseIP(s)
		if err != nil {
			v.Add("ip_addresses", "%q is not an IP address", s)
			continue
		}
		a.IPAddresses[i] = ip.String()
	}
	if a.SeatsTotal != nil {
		v.Check(*a.SeatsTotal >= 0, "seats_total", "must not be negative")
	}
	if a.SeatsUsed != nil {
		v.Check(*a.SeatsUsed >= 0, "seats_used", "must not be negative")
		if a.SeatsTotal != nil {
			v.Check(*a.SeatsUsed <= *a.SeatsTotal, "seats_used", "must not exceed seats_total")
		}
	}
	if a.Type != AssetLicense {
		v.Check(a.SeatsTotal == nil && a.SeatsUsed == nil && a.LicenseKey == "", "type", "licence fields need type license")
	}
	for k := range a.CustomFields {
		v.Check(k != "", "custom_fields", "keys must not be empty")
	}
	checkLimits(&v, a)
	return v.Err()
}

// AssetContact assigns an asset to a contact who uses it.
type AssetContact struct {
	bun.BaseModel `bun:"table:asset_contacts,alias:ac" json:"-"`

	AssetID   int64 `bun:"asset_id,pk"`
	ContactID int64 `bun:"contact_id,pk"`
}

// AssetIP is one address of an asset, kept as an IPKey for range queries.
type AssetIP struct {
	bun.BaseModel `bun:"table:asset_ips,alias:aip" json:"-"`

	AssetID   int64  `bun:"asset_id,pk"`
	IPKey     string `bun:"ip_key,pk"`
	CompanyID int64  `bun:"company_id,notnull"`
	IP        string `bun:"ip,notnull"`
}

// AssetFilter selects assets. Zero fields do not filter.
type AssetFilter struct {
	Search                string // name, serial, hostname, model, IP
	CompanyID             *int64
	SubtreeOf             *int64
	Type                  []AssetType
	Status                []AssetStatus
	WarrantyExpiresBefore *Date
	Online                *bool
	IPIn                  string // a CIDR prefix
	ContactID             *int64 // assigned to this contact
	SerialNumber          string
	Hostname              string
	IncludeArchived       bool
	Scope                 []int64
	// Columns, when not nil, names the only columns the caller will read, for the batch
	// lookups by company (a projection, not a filter: GraphQL sets it from the fields a
	// query selects). The rows hold those and the keys; every other field is left zero.
	Columns []string
	Order   Order
}

// AssetOrders are the orders an asset list accepts ("name" is the default).
var AssetOrders = []string{"name", "id", "type", "serial_number", "warranty_expires", "last_seen", "created_at", "updated_at"}

// TypeCount is how many assets of one type a company has.
type TypeCount struct {
	Type  AssetType `bun:"type" json:"type"`
	Count int       `bun:"count" json:"count"`
}
