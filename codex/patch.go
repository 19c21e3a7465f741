package codex

import "time"

// Patches carry a partial update: a nil field is left alone. For nullable columns a
// pointer to the zero value clears the column (empty account number, zero date, id 0).
// Apply copies the set fields onto a row and returns the changed columns' names.

// CompanyPatch is a partial update of a company (the parent changes only through a move).
type CompanyPatch struct {
	Name             *string
	AccountNumber    *string
	Kind             *CompanyKind
	Status           *CompanyStatus
	ComplianceLevel  *ComplianceLevel
	Description      *string
	Phone            *string
	Website          *string
	Domains          *[]string
	Address          *AddressPatch
	BillingPlan      *string
	ContractTerm     *string
	ContractStart    *Date
	ContractEnd      *Date
	BillingContactID *int64
	Settings         *map[string]string

	SupportLevel      *string
	ProfitOrNonProfit *string
	CompanyMainNumber *string
	CompanyStartDate  *Date
	PhoneSystem       *string
	EmailSystem       *string
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on c and returns the changed column names.
func (p CompanyPatch) Apply(c *Company) []string {
	var cols []string
	set(&cols, "name", p.Name, &c.Name)
	if p.AccountNumber != nil {
		cols = append(cols, "account_number")
		if *p.AccountNumber == "" {
			c.AccountNumber = nil
		} else {
			v := *p.AccountNumber
			c.AccountNumber = &v
		}
	}
	set(&cols, "kind", p.Kind, &c.Kind)
	set(&cols, "status", p.Status, &c.Status)
	set(&cols, "compliance_level", p.ComplianceLevel, &c.ComplianceLevel)
	set(&cols, "description", p.Description, &c.Description)
	set(&cols, "phone", p.Phone, &c.Phone)
	set(&cols, "website", p.Website, &c.Website)
	set(&cols, "domains", p.Domains, &c.Domains)
	p.Address.apply(&cols, &c.Address)
	set(&cols, "billing_plan", p.BillingPlan, &c.BillingPlan)
	set(&cols, "contract_term", p.ContractTerm, &c.ContractTerm)
	setDate(&cols, "contract_start", p.ContractStart, &c.ContractStart)
	setDate(&cols, "contract_end", p.ContractEnd, &c.ContractEnd)
	setID(&cols, "billing_contact_id", p.BillingContactID, &c.BillingContactID)
	set(&cols, "settings", p.Settings, &c.Settings)
	set(&cols, "support_level", p.SupportLevel, &c.SupportLevel)
	set(&cols, "profit_or_non_profit", p.ProfitOrNonProfit, &c.ProfitOrNonProfit)
	set(&cols, "company_main_number", p.CompanyMainNumber, &c.CompanyMainNumber)
	setDate(&cols, "company_start_date", p.CompanyStartDate, &c.CompanyStartDate)
	set(&cols, "phone_system", p.PhoneSystem, &c.PhoneSystem)
	set(&cols, "email_system", p.EmailSystem, &c.EmailSystem)
	return cols
}

// Fields returns the names of the fields p sets (for the policy's field checks).
func (p CompanyPatch) Fields() []string {
	var c Company
	return p.Apply(&c)
}

// AddressPatch is a partial update of an address, member by member, so that two callers
// changing different members of one address (one the city, the other the street) both
// keep their change: the store applies the patch to the row it has locked.
type AddressPatch struct {
	Line1      *string
	Line2      *string
	City       *string
	Region     *string
	PostalCode *string
	Country    *string
}

// WholeAddress returns the patch replacing an address with a.
func WholeAddress(a Address) *AddressPatch {
	return &AddressPatch{Line1: &a.Line1, Line2: &a.Line2, City: &a.City, Region: &a.Region,
		PostalCode: &a.PostalCode, Country: &a.Country}
}

// apply sets the patched members on a and appends the changed columns (address_city, ...).
func (p *AddressPatch) apply(cols *[]string, a *Address) {
	if p == nil {
		return
	}
	set(cols, "address_line1", p.Line1, &a.Line1)
	set(cols, "address_line2", p.Line2, &a.Line2)
	set(cols, "address_city", p.City, &a.City)
	set(cols, "address_region", p.Region, &a.Region)
	set(cols, "address_postal_code", p.PostalCode, &a.PostalCode)
	set(cols, "address_country", p.Country, &a.Country)
}

// LocationPatch is a partial update of a location.
type LocationPatch struct {
	Name    *string
	Address *AddressPatch
	Phone   *string
	Notes   *string
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on l and returns the changed column names.
func (p LocationPatch) Apply(l *Location) []string {
	var cols []string
	set(&cols, "name", p.Name, &l.Name)
	p.Address.apply(&cols, &l.Address)
	set(&cols, "phone", p.Phone, &l.Phone)
	set(&cols, "notes", p.Notes, &l.Notes)
	return cols
}

// ContactPatch is a partial update of a contact.
type ContactPatch struct {
	CompanyID       *int64
	FirstName       *string
	LastName        *string
	DisplayName     *string
	Email           *string
	PhoneWork       *string
	PhoneMobile     *string
	Title           *string
	Roles           *[]string
	Active          *bool
	Notes           *string
	SecondaryEmails *[]string
	EmploymentType  *string
	// Designation at the home company.
	Designation *Designation
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on c and returns the changed column names
// ("designation" is not a column of contacts; the store handles it).
func (p ContactPatch) Apply(c *Contact) []string {
	var cols []string
	set(&cols, "company_id", p.CompanyID, &c.CompanyID)
	set(&cols, "first_name", p.FirstName, &c.FirstName)
	set(&cols, "last_name", p.LastName, &c.LastName)
	set(&cols, "display_name", p.DisplayName, &c.DisplayName)
	set(&cols, "email", p.Email, &c.Email)
	set(&cols, "phone_work", p.PhoneWork, &c.PhoneWork)
	set(&cols, "phone_mobile", p.PhoneMobile, &c.PhoneMobile)
	set(&cols, "title", p.Title, &c.Title)
	set(&cols, "roles", p.Roles, &c.Roles)
	set(&cols, "active", p.Active, &c.Active)
	set(&cols, "notes", p.Notes, &c.Notes)
	set(&cols, "secondary_emails", p.SecondaryEmails, &c.SecondaryEmails)
	set(&cols, "employment_type", p.EmploymentType, &c.EmploymentType)
	set(&cols, "designation", p.Designation, &c.Designation)
	return cols
}

// AssetPatch is a partial update of an asset.
type AssetPatch struct {
	CompanyID       *int64
	Name            *string
	Type            *AssetType
	Manufacturer    *string
	Model           *string
	SerialNumber    *string
	Hostname        *string
	OperatingSystem *string
	IPAddresses     *[]string
	Status          *AssetStatus
	PurchaseDate    *Date
	WarrantyExpires *Date
	LastSeen        **time.Time
	Online          *bool
	SeatsTotal      **int
	SeatsUsed       **int
	LicenseExpires  *Date
	LicenseKey      *string
	CustomFields    *map[string]string
	SecretFields    *map[string]string
	Notes           *string

	ExtIPAddress     *string
	LastLoggedInUser *string
	Domain           *string
	AntivirusProduct *string
	AntivirusStatus  *string
	PatchStatus      *string
	BackupDataBytes  **int64
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on a and returns the changed column names.
func (p AssetPatch) Apply(a *Asset) []string {
	var cols []string
	set(&cols, "company_id", p.CompanyID, &a.CompanyID)
	set(&cols, "name", p.Name, &a.Name)
	set(&cols, "type", p.Type, &a.Type)
	set(&cols, "manufacturer", p.Manufacturer, &a.Manufacturer)
	set(&cols, "model", p.Model, &a.Model)
	set(&cols, "serial_number", p.SerialNumber, &a.SerialNumber)
	set(&cols, "hostname", p.Hostname, &a.Hostname)
	set(&cols, "operating_system", p.OperatingSystem, &a.OperatingSystem)
	set(&cols, "ip_addresses", p.IPAddresses, &a.IPAddresses)
	set(&cols, "status", p.Status, &a.Status)
	setDate(&cols, "purchase_date", p.PurchaseDate, &a.PurchaseDate)
	setDate(&cols, "warranty_expires", p.WarrantyExpires, &a.WarrantyExpires)
	set(&cols, "last_seen", p.LastSeen, &a.LastSeen)
	set(&cols, "online", p.Online, &a.Online)
	set(&cols, "seats_total", p.SeatsTotal, &a.SeatsTotal)
	set(&cols, "seats_used", p.SeatsUsed, &a.SeatsUsed)
	setDate(&cols, "license_expires", p.LicenseExpires, &a.LicenseExpires)
	set(&cols, "license_key", p.LicenseKey, &a.LicenseKey)
	set(&cols, "custom_fields", p.CustomFields, &a.CustomFields)
	set(&cols, "secret_fields", p.SecretFields, &a.SecretFields)
	set(&cols, "notes", p.Notes, &a.Notes)
	set(&cols, "ext_ip_address", p.ExtIPAddress, &a.ExtIPAddress)
	set(&cols, "last_logged_in_user", p.LastLoggedInUser, &a.LastLoggedInUser)
	set(&cols, "domain", p.Domain, &a.Domain)
	set(&cols, "antivirus_product", p.AntivirusProduct, &a.AntivirusProduct)
	set(&cols, "antivirus_status", p.AntivirusStatus, &a.AntivirusStatus)
	set(&cols, "patch_status", p.PatchStatus, &a.PatchStatus)
	set(&cols, "backup_data_bytes", p.BackupDataBytes, &a.BackupDataBytes)
	return cols
}

// EquipmentPatch is a partial update of network equipment.
type EquipmentPatch struct {
	CompanyID       *int64
	Name            *string
	Type            *EquipmentType
	IPAddress       *string
	MACAddress      *string
	Manufacturer    *string
	Model           *string
	Serial          *string
	FirmwareVersion *string
	Location        *string
	LocationID      *int64
	ManagementURL   *string
	Status          *string
	LastSeen        **time.Time
	Notes           *string
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on e and returns the changed column names.
func (p EquipmentPatch) Apply(e *NetworkEquipment) []string {
	var cols []string
	set(&cols, "company_id", p.CompanyID, &e.CompanyID)
	set(&cols, "name", p.Name, &e.Name)
	set(&cols, "type", p.Type, &e.Type)
	if p.IPAddress != nil {
		e.IPAddress = *p.IPAddress
		cols = append(cols, "ip_address", "ip_key")
	}
	set(&cols, "mac_address", p.MACAddress, &e.MACAddress)
	set(&cols, "manufacturer", p.Manufacturer, &e.Manufacturer)
	set(&cols, "model", p.Model, &e.Model)
	set(&cols, "serial", p.Serial, &e.Serial)
	set(&cols, "firmware_version", p.FirmwareVersion, &e.FirmwareVersion)
	set(&cols, "location", p.Location, &e.Location)
	setID(&cols, "location_id", p.LocationID, &e.LocationID)
	set(&cols, "management_url", p.ManagementURL, &e.ManagementURL)
	set(&cols, "status", p.Status, &e.Status)
	set(&cols, "last_seen", p.LastSeen, &e.LastSeen)
	set(&cols, "notes", p.Notes, &e.Notes)
	return cols
}

// SubnetPatch is a partial update of a subnet.
type SubnetPatch struct {
	CIDR        *string
	VLAN        **int
	Gateway     *string
	Description *string
	LocationID  *int64
	// ExpectedVersion, when set, is the version the caller read (see VersionOf): the
	// write is a Conflict (ErrChanged) when the row has changed since.
	ExpectedVersion string
}

// Apply sets the patched fields on s and returns the changed column names.
func (p SubnetPatch) Apply(s *Subnet) []string {
	var cols []string
	if p.CIDR != nil {
		s.CIDR = *p.CIDR
		cols = append(cols, "cidr", "lo_key", "hi_key")
	}
	set(&cols, "vlan", p.VLAN, &s.VLAN)
	set(&cols, "gateway", p.Gateway, &s.Gateway)
	set(&cols, "description", p.Description, &s.Description)
	setID(&cols, "location_id", p.LocationID, &s.LocationID)
	return cols
}

// PreferencesPatch is a partial update of a person's preferences.
type PreferencesPatch struct {
	Theme             *Theme
	ColorTheme        *string
	HomePage          *string
	KnowledgeTreeView *string
	UI                *map[string]string
	Notifications     *map[string]bool
}

// Apply sets the patched fields on p.
func (pp PreferencesPatch) Apply(p *Preferences) {
	var cols []string
	set(&cols, "theme_preference", pp.Theme, &p.Theme)
	set(&cols, "preferred_color_theme", pp.ColorTheme, &p.ColorTheme)
	set(&cols, "home_page_preference", pp.HomePage, &p.HomePage)
	set(&cols, "knowledgetree_view_preference", pp.KnowledgeTreeView, &p.KnowledgeTreeView)
	set(&cols, "ui_settings", pp.UI, &p.UI)
	set(&cols, "notification_settings", pp.Notifications, &p.Notifications)
}

func set[T any](cols *[]string, name string, v *T, dst *T) {
	if v != nil {
		*dst = *v
		*cols = append(*cols, name)
	}
}

func setDate(cols *[]string, name string, v *Date, dst **Date) {
	if v == nil {
		return
	}
	*cols = append(*cols, name)
	if v.IsZero() {
		*dst = nil
		return
	}
	d := *v
	*dst = &d
}

func setID(cols *[]string, name string, v *int64, dst **int64) {
	if v == nil {
		return
	}
	*cols = append(*cols, name)
	if *v == 0 {
		*dst = nil
		return
	}
	id := *v
	*dst = &id
}
