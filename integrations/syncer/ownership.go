package syncer

import (
	"strconv"

	"github.com/hivematrix/codex/codex"
)

// Field ownership. "PSA" is Freshservice, "RMM" is Datto RMM. A field owned by a source
// is pulled with the three-way rule (applied unless a person changed it in Codex, then
// recorded as a conflict). A Codex-owned field is taken from upstream when the row is
// created (or filled in when blank at the first link) and afterwards pushed back whenever
// Codex's value differs from what the source was last seen to hold. "Initial" fields are
// taken at creation and then left to Codex without pushing. Where two sources map one
// field, the first named owns it and the second pulls it only for rows the first does
// not know. Codex wins over the source for the fields it owns: an edit made upstream to
// one of them is overwritten by Codex's value on the next run (a blank Codex value is
// filled in from upstream when the row is first linked, never pushed over it then, and
// an account number is never blanked upstream).
//
//	entity     field              owner            pushed to
//	company    name               PSA, then RMM    -
//	company    account_number     Codex            department custom_fields.account_number; site variable AccountNumber
//	company    description        Codex            department description (RMM: initial)
//	company    domains            Codex            department domains
//	contact    first/last/display PSA              -
//	contact    email, active      PSA              -
//	contact    secondary_emails   PSA              -  (requester secondary_emails, the addresses Codex accepts)
//	contact    employment_type    PSA              -  (requester custom_fields.employment_type)
//	contact    company_id (home)  PSA              -  (first department; further departments are assigned, add-only)
//	contact    title              Codex            requester job_title
//	contact    phone_work/mobile  Codex            requester work/mobile phone numbers
//	asset      name, company_id   PSA, then RMM    -
//	asset      hostname, serial   RMM, then PSA    -  (RMM serial from the device audit, at first sight only)
//	asset      status             PSA              -
//	asset      operating_system   RMM              -
//	asset      ip_addresses       RMM              -
//	asset      online, last_seen  RMM              -
//	asset      manufacturer/model initial (RMM audit)
//	asset      type               initial
//	asset      warranty_expires   Codex            device warrantyDate (PSA: initial)
//	asset      device audit       RMM              -  (ext IP, last user, domain, antivirus, patch status)
//	asset      backup_data_bytes  RMM              -  (UDF udf6, bytes)
//	asset      custom_fields      RMM              -  (the device's other UDFs)
//	asset      secret_fields      RMM              -  (UDFs holding keys: BitLocker, Windows, passwords)
//	equipment  name, ip_address   RMM              -
//	equipment  status, last_seen  RMM              -
//	equipment  company_id         RMM              -
//	equipment  type               initial
//	ticket     every field        PSA (read-only in Codex; saved whole when it changed)
//	alert      every field        RMM (read-only in Codex; saved whole when it changed)
//
// Every other column (notes, settings, billing, compliance level, roles, ...) is Codex's
// alone and never touched by a sync.

var fsCompanyFields = []field[codex.Company, codex.CompanyPatch]{
	companyName(pulled, ""),
	companyAccountNumber(codexOwned),
	companyDescription(codexOwned),
	companyDomains(codexOwned),
}

var dattoCompanyFields = []field[codex.Company, codex.CompanyPatch]{
	companyName(pulled, codex.SourceFreshservice),
	companyAccountNumber(codexOwned),
	companyDescription(initial),
}

func contactString(name string, o owner, ptr func(*codex.Contact) *string, set func(*codex.ContactPatch, *string)) field[codex.Contact, codex.ContactPatch] {
	return field[codex.Contact, codex.ContactPatch]{name: name, owner: o,
		get: func(c *codex.Contact) string { return *ptr(c) },
		set: func(p *codex.ContactPatch, v string) { set(p, &v) }}
}

var fsContactFields = []field[codex.Contact, codex.ContactPatch]{
	contactString("first_name", pulled, func(c *codex.Contact) *string { return &c.FirstName }, func(p *codex.ContactPatch, v *string) { p.FirstName = v }),
	contactString("last_name", pulled, func(c *codex.Contact) *string { return &c.LastName }, func(p *codex.ContactPatch, v *string) { p.LastName = v }),
	contactString("display_name", pulled, func(c *codex.Contact) *string { return &c.DisplayName }, func(p *codex.ContactPatch, v *string) { p.DisplayName = v }),
	contactString("email", pulled, func(c *codex.Contact) *string { return &c.Email }, func(p *codex.ContactPatch, v *string) { p.Email = v }),
	{name: "active", owner: pulled,
		get: func(c *codex.Contact) string { return boolText(c.Active) },
		set: func(p *codex.ContactPatch, v string) { b := parseBool(v); p.Active = &b }},
	{name: "company_id", owner: pulled,
		get: func(c *codex.Contact) string { return idText(c.CompanyID) },
		set: func(p *codex.ContactPatch, v string) { id := parseID(v); p.CompanyID = &id }},
	{name: "secondary_emails", owner: pulled,
		get: func(c *codex.Contact) string { return listText(c.SecondaryEmails) },
		set: func(p *codex.ContactPatch, v string) { l := parseList(v); p.SecondaryEmails = &l }},
	contactString("employment_type", pulled, func(c *codex.Contact) *string { return &c.EmploymentType }, func(p *codex.ContactPatch, v *string) { p.EmploymentType = v }),
	contactString("title", codexOwned, func(c *codex.Contact) *string { return &c.Title }, func(p *codex.ContactPatch, v *string) { p.Title = v }),
	contactString("phone_work", codexOwned, func(c *codex.Contact) *string { return &c.PhoneWork }, func(p *codex.ContactPatch, v *string) { p.PhoneWork = v }),
	contactString("phone_mobile", codexOwned, func(c *codex.Contact) *string { return &c.PhoneMobile }, func(p *codex.ContactPatch, v *string) { p.PhoneMobile = v }),
}

var fsAssetFields = []field[codex.Asset, codex.AssetPatch]{
	assetName(pulled, ""),
	assetCompany(pulled, ""),
	assetHostname(pulled, codex.SourceDatto),
	assetSerial(pulled, codex.SourceDatto),
	{name: "status", owner: pulled,
		get: func(a *codex.Asset) string { return string(a.Status) },
		set: func(p *codex.AssetPatch, v string) { s := codex.AssetStatus(v); p.Status = &s }},
	assetType(initial),
	assetWarranty(initial),
}

var dattoAssetFields = []field[codex.Asset, codex.AssetPatch]{
	assetHostname(pulled, ""),
	assetName(pulled, codex.SourceFreshservice),
	assetCompany(pulled, codex.SourceFreshservice),
	assetSerial(initial, ""),
	assetString("manufacturer", initial, "", func(a *codex.Asset) *string { return &a.Manufacturer }, func(p *codex.AssetPatch, v *string) { p.Manufacturer = v }),
	assetString("model", initial, "", func(a *codex.Asset) *string { return &a.Model }, func(p *codex.AssetPatch, v *string) { p.Model = v }),
	assetString("operating_system", pulled, "", func(a *codex.Asset) *string { return &a.OperatingSystem }, func(p *codex.AssetPatch, v *string) { p.OperatingSystem = v }),
	{name: "ip_addresses", owner: pulled,
		get: func(a *codex.Asset) string { return listText(a.IPAddresses) },
		set: func(p *codex.AssetPatch, v string) { l := parseList(v); p.IPAddresses = &l }},
	{name: "online", owner: pulled,
		get: func(a *codex.Asset) string { return boolText(a.Online) },
		set: func(p *codex.AssetPatch, v string) { b := parseBool(v); p.Online = &b }},
	{name: "last_seen", owner: pulled,
		get: func(a *codex.Asset) string { return timeText(a.LastSeen) },
		set: func(p *codex.AssetPatch, v string) { t := parseTime(v); p.LastSeen = &t }},
	assetType(initial),
	assetWarranty(codexOwned),
	assetString("ext_ip_address", pulled, "", func(a *codex.Asset) *string { return &a.ExtIPAddress }, func(p *codex.AssetPatch, v *string) { p.ExtIPAddress = v }),
	assetString("last_logged_in_user", pulled, "", func(a *codex.Asset) *string { return &a.LastLoggedInUser }, func(p *codex.AssetPatch, v *string) { p.LastLoggedInUser = v }),
	assetString("domain", pulled, "", func(a *codex.Asset) *string { return &a.Domain }, func(p *codex.AssetPatch, v *string) { p.Domain = v }),
	assetString("antivirus_product", pulled, "", func(a *codex.Asset) *string { return &a.AntivirusProduct }, func(p *codex.AssetPatch, v *string) { p.AntivirusProduct = v }),
	assetString("antivirus_status", pulled, "", func(a *codex.Asset) *string { return &a.AntivirusStatus }, func(p *codex.AssetPatch, v *string) { p.AntivirusStatus = v }),
	assetString("patch_status", pulled, "", func(a *codex.Asset) *string { return &a.PatchStatus }, func(p *codex.AssetPatch, v *string) { p.PatchStatus = v }),
	{name: "backup_data_bytes", owner: pulled,
		get: func(a *codex.Asset) string {
			if a.BackupDataBytes == nil {
				return ""
			}
			return strconv.FormatInt(*a.BackupDataBytes, 10)
		},
		set: func(p *codex.AssetPatch, v string) { n := parseInt64Ptr(v); p.BackupDataBytes = &n }},
	{name: "custom_fields", owner: pulled,
		get: func(a *codex.Asset) string { return mapText(a.CustomFields) },
		set: func(p *codex.AssetPatch, v string) { m := parseMap(v); p.CustomFields = &m }},
	{name: "secret_fields", owner: pulled,
		get: func(a *codex.Asset) string { return mapText(a.SecretFields) },
		set: func(p *codex.AssetPatch, v string) { m := parseMap(v); p.SecretFields = &m }},
}

func equipmentString(name string, o owner, ptr func(*codex.NetworkEquipment) *string, set func(*codex.EquipmentPatch, *string)) field[codex.NetworkEquipment, codex.EquipmentPatch] {
	return field[codex.NetworkEquipment, codex.EquipmentPatch]{name: name, owner: o,
		get: func(e *codex.NetworkEquipment) string { return *ptr(e) },
		set: func(p *codex.EquipmentPatch, v string) { set(p, &v) }}
}

var dattoEquipmentFields = []field[codex.NetworkEquipment, codex.EquipmentPatch]{
	equipmentString("name", pulled, func(e *codex.NetworkEquipment) *string { return &e.Name }, func(p *codex.EquipmentPatch, v *string) { p.Name = v }),
	equipmentString("ip_address", pulled, func(e *codex.NetworkEquipment) *string { return &e.IPAddress }, func(p *codex.EquipmentPatch, v *string) { p.IPAddress = v }),
	equipmentString("status", pulled, func(e *codex.NetworkEquipment) *string { return &e.Status }, func(p *codex.EquipmentPatch, v *string) { p.Status = v }),
	{name: "last_seen", owner: pulled,
		get: func(e *codex.NetworkEquipment) string { return timeText(e.LastSeen) },
		set: func(p *codex.EquipmentPatch, v string) { t := parseTime(v); p.LastSeen = &t }},
	{name: "company_id", owner: pulled,
		get: func(e *codex.NetworkEquipment) string { return idText(e.CompanyID) },
		set: func(p *codex.EquipmentPatch, v string) { id := parseID(v); p.CompanyID = &id }},
	{name: "type", owner: initial,
		get: func(e *codex.NetworkEquipment) string { return string(e.Type) },
		set: func(p *codex.EquipmentPatch, v string) { t := codex.EquipmentType(v); p.Type = &t }},
}
