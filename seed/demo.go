package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/hivematrix/codex/codex"
)

// DemoAdmin is the e-mail of the demo's administrator, for whom `codex token` mints the
// README's token.
const DemoAdmin = "ada@example.com"

// Demo writes a small, believable MSP through svc, so every row is validated and audited
// as system:seed: the MSP itself, a few vendors and about a dozen clients (a dental group
// with three clinics, a law firm, a sheriff's office under CJIS, a medical practice under
// HIPAA, a manufacturer with two plants, a nonprofit, ...), with locations, contacts
// serving one or several companies, assets of every type including licences with secret
// keys and warranties running out within 30 days, network gear wired into a topology with
// subnets and one duplicate IP, tickets (some with PHI in their text, for the redaction
// demo), alerts, inherited settings, and staff users. Dates are relative to now. The
// database should be empty: account numbers would collide otherwise.
func Demo(ctx context.Context, svc codex.Services) error {
	b := &demo{ctx: codex.WithPrincipal(ctx, codex.SystemPrincipal("seed")), svc: svc, now: time.Now().UTC()}
	b.build()
	return b.err
}

// demo builds the data set. Its helpers create one row each and remember the first
// error; after an error they do nothing, so build reads as a plain list of rows.
type demo struct {
	ctx context.Context
	svc codex.Services
	now time.Time
	err error
	ext int // the next external id of a ticket or alert
}

func (b *demo) fail(what string, err error) {
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("seed: demo: %s: %w", what, err)
	}
}

// day returns today moved by n days.
func (b *demo) day(n int) *codex.Date {
	d := codex.DateOf(b.now).AddDays(n)
	return &d
}

// ago returns the time d before now.
func (b *demo) ago(d time.Duration) time.Time { return b.now.Add(-d) }

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

func (b *demo) company(c codex.Company, parent *codex.Company) *codex.Company {
	if parent != nil {
		c.ParentID = &parent.ID
	}
	if b.err == nil {
		b.fail("company "+c.Name, b.svc.Companies.CreateCompany(b.ctx, &c))
	}
	return &c
}

func (b *demo) location(c *codex.Company, name string, a codex.Address, phone string) *codex.Location {
	l := codex.Location{CompanyID: c.ID, Name: name, Address: a, Phone: phone}
	if b.err == nil {
		b.fail("location "+name, b.svc.Companies.CreateLocation(b.ctx, &l))
	}
	return &l
}

// contact creates a contact at its home company with designation d there.
func (b *demo) contact(home *codex.Company, first, last, title, email, phone string, d codex.Designation, roles ...string) *codex.Contact {
	c := codex.Contact{CompanyID: home.ID, FirstName: first, LastName: last, Title: title, Email: email,
		PhoneWork: phone, Roles: roles, Active: true, Designation: d}
	if b.err == nil {
		b.fail("contact "+first+" "+last, b.svc.Contacts.CreateContact(b.ctx, &c))
	}
	return &c
}

// serve assigns a contact to a further company it serves.
func (b *demo) serve(c *codex.Contact, at *codex.Company, d codex.Designation) {
	if b.err == nil {
		b.fail("assign "+c.DisplayName, b.svc.Contacts.AssignContact(b.ctx, c.ID, at.ID, d))
	}
}

func (b *demo) billing(c *codex.Company, contact *codex.Contact) {
	if b.err == nil {
		_, err := b.svc.Companies.UpdateCompany(b.ctx, c.ID, codex.CompanyPatch{BillingContactID: &contact.ID})
		b.fail("billing contact of "+c.Name, err)
	}
}

// asset creates an asset of c, used by the given contacts.
func (b *demo) asset(c *codex.Company, a codex.Asset, users ...*codex.Contact) *codex.Asset {
	a.CompanyID = c.ID
	if b.err == nil {
		b.fail("asset "+a.Name, b.svc.Assets.CreateAsset(b.ctx, &a))
	}
	if len(users) > 0 && b.err == nil {
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		b.fail("assign asset "+a.Name, b.svc.Assets.AssignAsset(b.ctx, a.ID, ids))
	}
	return &a
}

// pc is a Windows PC or server with an address, seen by the RMM an hour ago.
func (b *demo) pc(c *codex.Company, kind codex.AssetType, name, maker, model, serial, ip string, warrantyDays int, users ...*codex.Contact) *codex.Asset {
	seen := b.ago(time.Hour)
	system := "Windows 11 Pro"
	switch kind {
	case codex.AssetServer, codex.AssetVirtualMachine:
		system = "Windows Server 2022 Standard"
	}
	a := codex.Asset{
		Name: name, Type: kind, Manufacturer: maker, Model: model, SerialNumber: serial,
		Hostname: name, OperatingSystem: system, IPAddresses: []string{ip},
		PurchaseDate: b.day(warrantyDays - 3*365), WarrantyExpires: b.day(warrantyDays),
		LastSeen: &seen, Online: true,
	}
	if kind == codex.AssetVirtualMachine {
		a.Manufacturer, a.Model, a.PurchaseDate, a.WarrantyExpires = "Microsoft", "Hyper-V Gen 2", nil, nil
	}
	return b.asset(c, a, users...)
}

// laptop is a BitLocker-encrypted laptop whose recovery key is a secret field.
func (b *demo) laptop(c *codex.Company, name, model, serial, ip, recoveryKey string, warrantyDays int, user *codex.Contact) *codex.Asset {
	seen := b.ago(3 * time.Hour)
	return b.asset(c, codex.Asset{
		Name: name, Type: codex.AssetLaptop, Manufacturer: "Dell", Model: model, SerialNumber: serial,
		Hostname: name, OperatingSystem: "Windows 11 Pro", IPAddresses: []string{ip},
		PurchaseDate: b.day(warrantyDays - 3*365), WarrantyExpires: b.day(warrantyDays), LastSeen: &seen, Online: true,
		CustomFields: map[string]string{"udf1": "BitLocker: on", "udf2": "Patch ring: broad"},
		SecretFields: map[string]string{"bitlocker_recovery_key": recoveryKey},
	}, user)
}

func (b *demo) license(c *codex.Company, name, vendor, key string, total, used, expiresDays int) *codex.Asset {
	return b.asset(c, codex.Asset{
		Name: name, Type: codex.AssetLicense, Manufacturer: vendor,
		SeatsTotal: num(total), SeatsUsed: num(used), LicenseExpires: b.day(expiresDays), LicenseKey: key,
	})
}

func (b *demo) device(c *codex.Company, loc *codex.Location, e codex.NetworkEquipment) *codex.NetworkEquipment {
	e.CompanyID = c.ID
	if loc != nil {
		e.LocationID, e.Location = &loc.ID, loc.Name
	}
	if e.Status == "" {
		e.Status = "online"
		seen := b.ago(5 * time.Minute)
		e.LastSeen = &seen
	}
	if b.err == nil {
		b.fail("network equipment "+e.Name, b.svc.Network.CreateEquipment(b.ctx, &e))
	}
	return &e
}

func (b *demo) link(a *codex.NetworkEquipment, aPort string, z *codex.NetworkEquipment, zPort string, kind codex.LinkKind, mbps int) {
	l := codex.NetworkLink{AID: a.ID, APort: aPort, BID: z.ID, BPort: zPort, Kind: kind, SpeedMbps: mbps}
	if b.err == nil {
		b.fail("link "+a.Name+" - "+z.Name, b.svc.Network.ConnectDevices(b.ctx, &l))
	}
}

func (b *demo) subnet(c *codex.Company, cidr string, vlan int, gateway, description string) {
	s := codex.Subnet{CompanyID: c.ID, CIDR: cidr, VLAN: num(vlan), Gateway: gateway, Description: description}
	if b.err == nil {
		b.fail("subnet "+cidr, b.svc.Network.CreateSubnet(b.ctx, &s))
	}
}

// ticket records a PSA ticket opened age ago; resolved tickets were resolved a day later.
func (b *demo) ticket(c *codex.Company, requester *codex.Contact, status codex.TicketStatus, priority codex.TicketPriority,
	age time.Duration, subject, description string) {
	b.ext++
	created := b.ago(age)
	t := codex.Ticket{
		Source: "demo", ExternalID: fmt.Sprintf("DEMO-%d", 1000+b.ext), CompanyID: c.ID,
		Subject: subject, Description: description, Status: status, Priority: priority, Type: "Incident",
		CreatedAt: created, UpdatedAt: created,
	}
	if requester != nil {
		t.RequesterID = &requester.ID
	}
	due := created.Add(72 * time.Hour)
	t.DueAt = &due
	if status == codex.TicketResolved || status == codex.TicketClosed {
		resolved := created.Add(26 * time.Hour)
		t.ResolvedAt, t.UpdatedAt = &resolved, resolved
	}
	if b.err == nil {
		_, err := b.svc.Tickets.SaveTicket(b.ctx, &t)
		b.fail("ticket "+subject, err)
	}
}

// alert records an RMM alert on an asset, raised age ago.
func (b *demo) alert(a *codex.Asset, priority codex.AlertPriority, age time.Duration, resolved bool, message string) {
	b.ext++
	al := codex.Alert{
		Source: "demo", ExternalID: fmt.Sprintf("DEMO-ALERT-%d", 1000+b.ext), CompanyID: a.CompanyID, AssetID: &a.ID,
		Priority: priority, Message: message, RaisedAt: b.ago(age), Resolved: resolved,
	}
	if resolved {
		at := b.ago(age - 40*time.Minute)
		al.ResolvedAt = &at
	}
	if b.err == nil {
		_, err := b.svc.Tickets.SaveAlert(b.ctx, &al)
		b.fail("alert "+message, err)
	}
}

// agent registers a staff member (or client user) and their preferences.
func (b *demo) agent(email, name string, level codex.Level, company *codex.Company, prefs codex.PreferencesPatch) {
	p := &codex.Principal{Subject: email, Email: email, Name: name, Level: level}
	if company != nil {
		p.CompanyID = company.ID
	}
	if b.err == nil {
		_, err := b.svc.Agents.EnsureAgent(b.ctx, p)
		b.fail("agent "+email, err)
	}
	if b.err == nil {
		_, err := b.svc.Agents.UpdatePreferences(b.ctx, email, prefs)
		b.fail("preferences of "+email, err)
	}
}

func addr(line1, city, region, postal string) codex.Address {
	return codex.Address{Line1: line1, City: city, Region: region, PostalCode: postal, Country: "US"}
}

func (b *demo) build() {
	const (
		day  = 24 * time.Hour
		hour = time.Hour
	)
	var (
		primary   = codex.DesignationPrimary
		secondary = codex.DesignationSecondary
		none      = codex.DesignationNone
	)

	// The MSP itself and its vendors.
	msp := b.company(codex.Company{
		Name: "Lighthouse IT Partners", AccountNumber: str("MSP-0001"), Kind: codex.KindInternal,
		Description: "The managed service provider running this Codex.", Phone: "+1-555-0100",
		Website: "https://lighthouse-it.example", Domains: []string{"lighthouse-it.example"},
		Address: addr("200 Harbor Way, Suite 400", "Portland", "OR", "97204"),
	}, nil)
	dell := b.company(codex.Company{
		Name: "Dell Technologies", AccountNumber: str("VEN-DELL"), Kind: codex.KindVendor,
		Description: "Hardware vendor: servers, workstations, laptops; warranty claims via TechDirect.",
		Phone:       "+1-800-555-0199", Website: "https://www.dell.com", Domains: []string{"dell.com"},
	}, nil)
	fortinet := b.company(codex.Company{
		Name: "Fortinet", AccountNumber: str("VEN-FTNT"), Kind: codex.KindVendor,
		Description: "Firewall vendor: FortiGate appliances and FortiCare support contracts.",
		Phone:       "+1-866-555-0148", Website: "https://www.fortinet.com", Domains: []string{"fortinet.com"},
	}, nil)
	b.contact(msp, "Nora", "Lindgren", "Service Desk Manager", "nora.lindgren@lighthouse-it.example", "+1-555-0101", primary, "primary", "technical")
	b.contact(dell, "Jordan", "Miles", "Account Executive", "jordan.miles@dell.example", "+1-555-0190", primary, "primary", "billing")
	b.contact(fortinet, "Priyanka", "Desai", "Partner Support Engineer", "pdesai@fortinet.example", "+1-555-0191", primary, "technical")

	// Bright Smile Dental Group: three clinics under one owner, HIPAA. The group's
	// settings are inherited by the clinics; Lakeview overrides its patch day.
	dental := b.company(codex.Company{
		Name: "Bright Smile Dental Group", AccountNumber: str("ACC-1001"), ComplianceLevel: codex.ComplianceHIPAA,
		Description: "Family and cosmetic dentistry, three clinics.", Phone: "+1-555-0110",
		Website: "https://brightsmile.example", Domains: []string{"brightsmile.example"},
		Address:     addr("1450 Cedar Hills Blvd", "Beaverton", "OR", "97005"),
		BillingPlan: "managed-pro", ContractTerm: "36 months", ContractStart: b.day(-400), ContractEnd: b.day(695),
		Settings: map[string]string{"backup_window": "22:00-04:00", "patch_day": "Sunday",
			"after_hours_support": "on-call rotation", "practice_management": "Dentrix Enterprise"},
	}, nil)
	clinic := func(name, account, line1, city, postal, phone string, settings map[string]string) (*codex.Company, *codex.Location) {
		c := b.company(codex.Company{
			Name: name, AccountNumber: str(account), ComplianceLevel: codex.ComplianceHIPAA, Phone: phone,
			Website: "https://brightsmile.example", Address: addr(line1, city, "OR", postal),
			BillingPlan: "managed-pro", Settings: settings,
		}, dental)
		return c, b.location(c, name+" clinic", addr(line1, city, "OR", postal), phone)
	}
	riverside, riversideLoc := clinic("Bright Smile Dental - Riverside", "ACC-1002", "88 River Rd", "Portland", "97217", "+1-555-0111", nil)
	oakPark, _ := clinic("Bright Smile Dental - Oak Park", "ACC-1003", "3120 Oak Park Ave", "Salem", "97301", "+1-555-0112", nil)
	lakeview, _ := clinic("Bright Smile Dental - Lakeview", "ACC-1004", "7 Lakeview Plaza", "Lake Oswego", "97034", "+1-555-0113",
		map[string]string{"patch_day": "Saturday"})

	chen := b.contact(dental, "Maria", "Chen", "Owner & Managing Dentist", "maria.chen@brightsmile.example", "+1-555-0120", primary, "executive", "decision_maker")
	li := b.contact(dental, "Karen", "Li", "Practice Administrator", "karen.li@brightsmile.example", "+1-555-0121", secondary, "primary", "billing")
	for _, c := range []*codex.Company{riverside, oakPark, lakeview} {
		b.serve(chen, c, primary)
		b.serve(li, c, secondary)
	}
	patel := b.contact(riverside, "Raj", "Patel", "Office Manager", "raj.patel@brightsmile.example", "+1-555-0122", primary, "primary", "technical")
	adler := b.contact(riverside, "Ben", "Adler", "Associate Dentist", "ben.adler@brightsmile.example", "+1-555-0123", none, "user")
	brooks := b.contact(oakPark, "Tasha", "Brooks", "Office Manager", "tasha.brooks@brightsmile.example", "+1-555-0124", primary, "primary")
	ortega := b.contact(lakeview, "Luis", "Ortega", "Front Desk Lead", "luis.ortega@brightsmile.example", "+1-555-0125", primary, "primary", "user")
	b.billing(dental, li)

	bsdDC := b.pc(dental, codex.AssetServer, "BSD-DC01", "Dell", "PowerEdge T350", "7HX2Q93", "192.168.20.10", 12)
	b.pc(dental, codex.AssetVirtualMachine, "BSD-DENTRIX01", "", "", "", "192.168.20.11", 0)
	b.license(dental, "Dentrix Enterprise", "Henry Schein One", "DTX-ENT-4471-9920-AC31", 25, 22, 210)
	b.license(dental, "Windows Server 2022 Standard (16 core)", "Microsoft", "N4DJ7-PLQ2X-8HRTW-KM3YB-V6CF9", 1, 1, 3650)
	b.license(dental, "Microsoft 365 Business Premium", "Microsoft", "", 40, 36, 160)
	b.pc(riverside, codex.AssetWorkstation, "RS-FRONT-01", "Dell", "OptiPlex 7010", "5KQ8L24", "192.168.20.21", 400, patel)
	b.pc(riverside, codex.AssetWorkstation, "RS-OP1", "Dell", "OptiPlex 7010", "5KQ8L25", "192.168.20.31", 400)
	b.pc(riverside, codex.AssetWorkstation, "RS-OP2", "Dell", "OptiPlex 7010", "5KQ8L26", "192.168.20.32", 400)
	rsXray := b.pc(riverside, codex.AssetWorkstation, "RS-XRAY", "HP", "Z2 G9 Tower", "CZC3318XK1", "192.168.21.20", 22, adler)
	b.asset(riverside, codex.Asset{Name: "RS-PRN-FRONT", Type: codex.AssetPrinter, Manufacturer: "Brother", Model: "HL-L6200DW",
		SerialNumber: "U64789K2N331", IPAddresses: []string{"192.168.20.40"}, WarrantyExpires: b.day(-40), Online: true})
	b.laptop(riverside, "RS-LT-PATEL", "Latitude 5440", "9TQ4M73", "192.168.20.55", "514382-064251-220154-697543-131846-402930-583671-111254", 700, patel)
	b.pc(oakPark, codex.AssetWorkstation, "OP-FRONT-01", "Dell", "OptiPlex 7010", "6BR2M11", "192.168.30.21", 380, brooks)
	b.pc(oakPark, codex.AssetWorkstation, "OP-OP1", "Dell", "OptiPlex 7010", "6BR2M12", "192.168.30.31", 380)
	b.asset(oakPark, codex.Asset{Name: "OP-IPAD-CHECKIN", Type: codex.AssetMobile, Manufacturer: "Apple", Model: "iPad (10th generation)",
		SerialNumber: "DMPXR0Q1Q1GC", OperatingSystem: "iPadOS 17", WarrantyExpires: b.day(90)})
	b.pc(lakeview, codex.AssetWorkstation, "LV-FRONT-01", "Dell", "OptiPlex 7000", "3ZC9K88", "192.168.40.21", 150, ortega)
	b.asset(lakeview, codex.Asset{Name: "LV-UPS-01", Type: codex.AssetOther, Manufacturer: "APC", Model: "Smart-UPS 1500",
		SerialNumber: "AS2219240118", WarrantyExpires: b.day(300), CustomFields: map[string]string{"udf5": "Battery replaced 2024-03"}})

	// Riverside's network: firewall -> core switch -> access switch -> access points.
	rsFW := b.device(riverside, riversideLoc, codex.NetworkEquipment{Name: "RS-FW01", Type: codex.EquipmentFirewall,
		IPAddress: "192.168.20.1", MACAddress: "70:4c:a5:12:34:01", Manufacturer: "Fortinet", Model: "FortiGate 40F",
		Serial: "FGT40FTK22001234", FirmwareVersion: "7.2.8", ManagementURL: "https://192.168.20.1:8443"})
	rsCore := b.device(riverside, riversideLoc, codex.NetworkEquipment{Name: "RS-SW-CORE", Type: codex.EquipmentSwitch,
		IPAddress: "192.168.20.2", MACAddress: "88:3a:30:aa:10:02", Manufacturer: "Aruba", Model: "2930F-24G-4SFP+",
		Serial: "CN12KP0123", FirmwareVersion: "WC.16.11.0016"})
	rsAcc := b.device(riverside, riversideLoc, codex.NetworkEquipment{Name: "RS-SW-OPS", Type: codex.EquipmentSwitch,
		IPAddress: "192.168.20.3", MACAddress: "88:3a:30:aa:10:03", Manufacturer: "Aruba", Model: "2930F-8G-PoE+",
		Serial: "CN12KP0456", FirmwareVersion: "WC.16.11.0016"})
	rsAP1 := b.device(riverside, riversideLoc, codex.NetworkEquipment{Name: "RS-AP-FRONT", Type: codex.EquipmentAccessPoint,
		IPAddress: "192.168.20.201", MACAddress: "f4:92:bf:01:00:11", Manufacturer: "Ubiquiti", Model: "UniFi U6-Pro",
		Serial: "F492BF010011", FirmwareVersion: "6.6.77"})
	rsAP2 := b.device(riverside, riversideLoc, codex.NetworkEquipment{Name: "RS-AP-OPS", Type: codex.EquipmentAccessPoint,
		IPAddress: "192.168.20.202", MACAddress: "f4:92:bf:01:00:12", Manufacturer: "Ubiquiti", Model: "UniFi U6-Lite",
		Serial: "F492BF010012", FirmwareVersion: "6.6.77", Status: "offline"})
	b.link(rsFW, "internal1", rsCore, "1", codex.LinkEthernet, 1000)
	b.link(rsCore, "25", rsAcc, "9", codex.LinkFiber, 10000)
	b.link(rsCore, "12", rsAP1, "eth0", codex.LinkEthernet, 2500)
	b.link(rsAcc, "8", rsAP2, "eth0", codex.LinkEthernet, 1000)
	b.subnet(riverside, "192.168.20.0/24", 1, "192.168.20.1", "Clinic LAN")
	b.subnet(riverside, "192.168.21.0/24", 20, "192.168.21.1", "Imaging (X-ray sensors and viewer)")
	b.subnet(riverside, "192.168.99.0/24", 99, "192.168.99.1", "Guest Wi-Fi")
	b.subnet(oakPark, "192.168.30.0/24", 1, "192.168.30.1", "Clinic LAN")
	b.subnet(lakeview, "192.168.40.0/24", 1, "192.168.40.1", "Clinic LAN")

	// Harlow & Finch LLP, a law firm; a reception PC and the copier share an address.
	law := b.company(codex.Company{
		Name: "Harlow & Finch LLP", AccountNumber: str("ACC-1010"),
		Description: "Estate planning and business law.", Phone: "+1-555-0130",
		Website: "https://harlowfinch.example", Domains: []string{"harlowfinch.example"},
		Address:     addr("500 Pioneer Square, Floor 9", "Portland", "OR", "97204"),
		BillingPlan: "managed-essentials", ContractTerm: "12 months", ContractStart: b.day(-200), ContractEnd: b.day(165),
		Settings: map[string]string{"retention_policy": "7 years", "document_management": "NetDocuments"},
	}, nil)
	lawMain := b.location(law, "Pioneer Square office", addr("500 Pioneer Square, Floor 9", "Portland", "OR", "97204"), "+1-555-0130")
	b.location(law, "Records annex", addr("512 SW 2nd Ave", "Portland", "OR", "97204"), "+1-555-0138")
	harlow := b.contact(law, "Eleanor", "Harlow", "Managing Partner", "eharlow@harlowfinch.example", "+1-555-0131", primary, "executive", "decision_maker")
	b.contact(law, "James", "Finch", "Partner", "jfinch@harlowfinch.example", "+1-555-0132", none, "executive")
	nair := b.contact(law, "Priya", "Nair", "Office Manager", "pnair@harlowfinch.example", "+1-555-0133", secondary, "primary", "billing")
	webb := b.contact(law, "Marcus", "Webb", "Paralegal", "mwebb@harlowfinch.example", "+1-555-0134", none, "user")
	b.billing(law, nair)
	hfFS := b.pc(law, codex.AssetServer, "HF-FS01", "Dell", "PowerEdge R450", "2JW7T43", "192.168.10.10", 520)
	b.pc(law, codex.AssetWorkstation, "HF-RECEPTION", "Lenovo", "ThinkCentre M70q", "MJ0K4Q2A", "192.168.10.50", 260, webb)
	b.asset(law, codex.Asset{Name: "HF-COPIER", Type: codex.AssetPrinter, Manufacturer: "Ricoh", Model: "IM C3000",
		SerialNumber: "3100R910442", IPAddresses: []string{"192.168.10.50"}, Notes: "Leased through 2026; scan-to-folder on HF-FS01.", Online: true})
	b.laptop(law, "HF-LT-HARLOW", "Latitude 7440", "8FJ3K63", "192.168.10.61", "280566-437019-660022-175296-048774-513360-284691-032032", 18, harlow)
	b.laptop(law, "HF-LT-NAIR", "Latitude 5440", "8FJ3K64", "192.168.10.62", "163405-022748-519937-640684-312719-725131-400103-250855", 540, nair)
	b.license(law, "Adobe Acrobat Pro", "Adobe", "1118-1904-4466-2237-8810-5521", 12, 11, 45)
	lawFW := b.device(law, lawMain, codex.NetworkEquipment{Name: "HF-FW01", Type: codex.EquipmentFirewall, IPAddress: "192.168.10.1",
		MACAddress: "70:4c:a5:22:10:01", Manufacturer: "Fortinet", Model: "FortiGate 60F", Serial: "FGT60FTK21005678", FirmwareVersion: "7.2.8"})
	lawSW := b.device(law, lawMain, codex.NetworkEquipment{Name: "HF-SW01", Type: codex.EquipmentSwitch, IPAddress: "192.168.10.2",
		MACAddress: "00:1b:17:22:10:02", Manufacturer: "Cisco", Model: "CBS350-24P", Serial: "FOC2345X0AB", FirmwareVersion: "3.3.0.16"})
	lawAP := b.device(law, lawMain, codex.NetworkEquipment{Name: "HF-AP01", Type: codex.EquipmentAccessPoint, IPAddress: "192.168.10.3",
		MACAddress: "f4:92:bf:22:10:03", Manufacturer: "Ubiquiti", Model: "UniFi U6-Pro", Serial: "F492BF221003", FirmwareVersion: "6.6.77"})
	b.link(lawFW, "internal1", lawSW, "gi1", codex.LinkEthernet, 1000)
	b.link(lawSW, "gi24", lawAP, "eth0", codex.LinkEthernet, 1000)
	b.subnet(law, "192.168.10.0/24", 1, "192.168.10.1", "Office LAN")

	// Marion County Sheriff's Office, under CJIS.
	sheriff := b.company(codex.Company{
		Name: "Marion County Sheriff's Office", AccountNumber: str("ACC-1020"), ComplianceLevel: codex.ComplianceCJIS,
		Description: "County law enforcement: patrol, dispatch, records and jail.", Phone: "+1-555-0140",
		Website: "https://sheriff.marion.example", Domains: []string{"sheriff.marion.example"},
		Address:     addr("100 High St NE", "Salem", "OR", "97301"),
		BillingPlan: "managed-pro", ContractTerm: "60 months", ContractStart: b.day(-900), ContractEnd: b.day(925),
		Settings: map[string]string{"mfa_required": "true", "escort_required": "true", "patch_day": "Tuesday"},
	}, nil)
	hq := b.location(sheriff, "Headquarters", addr("100 High St NE", "Salem", "OR", "97301"), "+1-555-0140")
	b.location(sheriff, "North Substation", addr("4400 River Rd N", "Keizer", "OR", "97303"), "+1-555-0147")
	b.contact(sheriff, "Dale", "Whitaker", "Sheriff", "dwhitaker@sheriff.marion.example", "+1-555-0141", none, "executive")
	ruiz := b.contact(sheriff, "Sandra", "Ruiz", "Lieutenant, IT Liaison", "sruiz@sheriff.marion.example", "+1-555-0142", primary, "primary", "technical", "security")
	obrien := b.contact(sheriff, "Kevin", "O'Brien", "Records Supervisor", "kobrien@sheriff.marion.example", "+1-555-0143", secondary, "user")
	moss := b.contact(sheriff, "Angela", "Moss", "Finance Manager", "amoss@sheriff.marion.example", "+1-555-0144", none, "billing")
	b.billing(sheriff, moss)
	b.pc(sheriff, codex.AssetServer, "MCSO-RMS01", "Dell", "PowerEdge R650", "4GS2X83", "172.16.10.10", 640)
	b.pc(sheriff, codex.AssetWorkstation, "MCSO-DISPATCH-01", "Dell", "Precision 3660", "C7LQ2N3", "172.16.20.21", 300)
	b.pc(sheriff, codex.AssetWorkstation, "MCSO-DISPATCH-02", "Dell", "Precision 3660", "C7LQ2N4", "172.16.20.22", 300)
	mdt := b.asset(sheriff, codex.Asset{Name: "MCSO-MDT-07", Type: codex.AssetLaptop, Manufacturer: "Panasonic", Model: "Toughbook 55",
		SerialNumber: "3BKSA07712", Hostname: "MCSO-MDT-07", OperatingSystem: "Windows 11 Enterprise", IPAddresses: []string{"172.16.30.107"},
		PurchaseDate: b.day(-1090), WarrantyExpires: b.day(5), Online: false,
		CustomFields: map[string]string{"udf1": "Unit 14", "udf2": "Patrol"},
		SecretFields: map[string]string{"bitlocker_recovery_key": "700040-215567-601590-369721-134288-052030-459316-682616"}})
	b.asset(sheriff, codex.Asset{Name: "MCSO-MDT-08", Type: codex.AssetLaptop, Manufacturer: "Panasonic", Model: "Toughbook 55",
		SerialNumber: "3BKSA07713", Hostname: "MCSO-MDT-08", OperatingSystem: "Windows 11 Enterprise", IPAddresses: []string{"172.16.30.108"},
		PurchaseDate: b.day(-700), WarrantyExpires: b.day(395), Online: true,
		SecretFields: map[string]string{"bitlocker_recovery_key": "392194-610885-003322-574926-238040-116787-640091-525371"}})
	b.asset(sheriff, codex.Asset{Name: "MCSO-PHONE-RUIZ", Type: codex.AssetMobile, Manufacturer: "Apple", Model: "iPhone 15",
		SerialNumber: "F17ZK2P3Q6M", OperatingSystem: "iOS 17", WarrantyExpires: b.day(200)}, ruiz)
	b.license(sheriff, "Duo Advanced Authentication (CJIS MFA)", "Cisco", "DUO-ADV-9QX4-77LM-2210", 120, 118, 27)
	shFW := b.device(sheriff, hq, codex.NetworkEquipment{Name: "MCSO-FW01", Type: codex.EquipmentFirewall, IPAddress: "172.16.10.1",
		MACAddress: "70:4c:a5:33:10:01", Manufacturer: "Fortinet", Model: "FortiGate 200F", Serial: "FG200FT922004455", FirmwareVersion: "7.4.4"})
	shCore := b.device(sheriff, hq, codex.NetworkEquipment{Name: "MCSO-CORE01", Type: codex.EquipmentSwitch, IPAddress: "172.16.10.2",
		MACAddress: "00:1b:17:33:10:02", Manufacturer: "Cisco", Model: "Catalyst 9500-24Y4C", Serial: "FCW2245L0ZQ", FirmwareVersion: "17.9.5"})
	shAcc1 := b.device(sheriff, hq, codex.NetworkEquipment{Name: "MCSO-ACC-DISPATCH", Type: codex.EquipmentSwitch, IPAddress: "172.16.10.3",
		MACAddress: "00:1b:17:33:10:03", Manufacturer: "Cisco", Model: "Catalyst 9200-48P", Serial: "JAE2331031X", FirmwareVersion: "17.9.5"})
	shAcc2 := b.device(sheriff, hq, codex.NetworkEquipment{Name: "MCSO-ACC-RECORDS", Type: codex.EquipmentSwitch, IPAddress: "172.16.10.4",
		MACAddress: "00:1b:17:33:10:04", Manufacturer: "Cisco", Model: "Catalyst 9200-48P", Serial: "JAE2331032Y", FirmwareVersion: "17.9.5"})
	shAP := b.device(sheriff, hq, codex.NetworkEquipment{Name: "MCSO-AP-LOBBY", Type: codex.EquipmentAccessPoint, IPAddress: "172.16.10.20",
		MACAddress: "00:1b:17:33:10:20", Manufacturer: "Cisco", Model: "Catalyst 9120AXI", Serial: "FJC2412M1AB", FirmwareVersion: "17.9.5"})
	b.link(shFW, "port1", shCore, "Te1/0/1", codex.LinkFiber, 10000)
	b.link(shCore, "Te1/0/10", shAcc1, "Te1/1/1", codex.LinkFiber, 10000)
	b.link(shCore, "Te1/0/11", shAcc2, "Te1/1/1", codex.LinkFiber, 10000)
	b.link(shAcc2, "Gi1/0/48", shAP, "Gi0", codex.LinkEthernet, 1000)
	b.subnet(sheriff, "172.16.10.0/24", 10, "172.16.10.1", "Administration and infrastructure")
	b.subnet(sheriff, "172.16.20.0/24", 20, "172.16.20.1", "Dispatch (CJIS)")
	b.subnet(sheriff, "172.16.30.0/24", 30, "172.16.30.1", "Mobile data terminals over VPN (CJIS)")

	// Cedar Valley Family Medicine, under HIPAA.
	clinicMed := b.company(codex.Company{
		Name: "Cedar Valley Family Medicine", AccountNumber: str("ACC-1030"), ComplianceLevel: codex.ComplianceHIPAA,
		Description: "Primary care practice, four physicians.", Phone: "+1-555-0150",
		Website: "https://cedarvalleyfm.example", Domains: []string{"cedarvalleyfm.example"},
		Address:     addr("2200 Valley View Dr", "Eugene", "OR", "97401"),
		BillingPlan: "managed-pro", ContractTerm: "36 months", ContractStart: b.day(-500), ContractEnd: b.day(595),
		Settings: map[string]string{"ehr": "eClinicalWorks", "backup_window": "23:00-05:00"},
	}, nil)
	b.location(clinicMed, "Clinic", addr("2200 Valley View Dr", "Eugene", "OR", "97401"), "+1-555-0150")
	b.contact(clinicMed, "Samuel", "Okafor", "Medical Director", "sokafor@cedarvalleyfm.example", "+1-555-0151", primary, "executive", "decision_maker")
	price := b.contact(clinicMed, "Jenna", "Price", "Practice Manager", "jenna.price@cedarvalleyfm.example", "+1-555-0152", secondary, "primary", "billing")
	b.contact(clinicMed, "Tom", "Becker", "Privacy Officer", "tbecker@cedarvalleyfm.example", "+1-555-0153", none, "security")
	b.billing(clinicMed, price)
	cvEHR := b.pc(clinicMed, codex.AssetVirtualMachine, "CVFM-EHR01", "", "", "", "10.30.1.10", 0)
	b.pc(clinicMed, codex.AssetWorkstation, "CVFM-EXAM1", "HP", "EliteDesk 800 G9", "MXL3250Q1K", "10.30.1.31", 420)
	b.pc(clinicMed, codex.AssetWorkstation, "CVFM-EXAM2", "HP", "EliteDesk 800 G9", "MXL3250Q1L", "10.30.1.32", 420)
	b.asset(clinicMed, codex.Asset{Name: "CVFM-PRN-EXAM3", Type: codex.AssetPrinter, Manufacturer: "HP", Model: "LaserJet Pro M404dn",
		SerialNumber: "PHBBK12345", IPAddresses: []string{"10.30.1.43"}, WarrantyExpires: b.day(120), Online: true})
	b.license(clinicMed, "eClinicalWorks", "eClinicalWorks", "ECW-CVFM-0041-7788", 18, 17, 300)
	b.subnet(clinicMed, "10.30.1.0/24", 1, "10.30.1.1", "Clinic LAN")

	// Keystone Fabrication: a manufacturer with two plants.
	keystone := b.company(codex.Company{
		Name: "Keystone Fabrication Inc.", AccountNumber: str("ACC-1040"),
		Description: "Sheet-metal fabrication and powder coating.", Phone: "+1-555-0160",
		Website: "https://keystonefab.example", Domains: []string{"keystonefab.example"},
		Address:     addr("900 Industrial Pkwy", "Dayton", "OH", "45402"),
		BillingPlan: "managed-pro", ContractTerm: "36 months", ContractStart: b.day(-100), ContractEnd: b.day(995),
		Settings: map[string]string{"maintenance_window": "Sat 02:00-06:00", "ot_network": "isolated", "patch_day": "Saturday"},
	}, nil)
	dayton := b.company(codex.Company{Name: "Keystone Fabrication - Dayton Plant", AccountNumber: str("ACC-1041"),
		Phone: "+1-555-0161", Address: addr("900 Industrial Pkwy", "Dayton", "OH", "45402"), BillingPlan: "managed-pro"}, keystone)
	toledo := b.company(codex.Company{Name: "Keystone Fabrication - Toledo Plant", AccountNumber: str("ACC-1042"),
		Phone: "+1-555-0162", Address: addr("15 Maumee Bay Rd", "Toledo", "OH", "43604"), BillingPlan: "managed-pro",
		Settings: map[string]string{"maintenance_window": "Sun 01:00-05:00"}}, keystone)
	daytonLoc := b.location(dayton, "Dayton plant", addr("900 Industrial Pkwy", "Dayton", "OH", "45402"), "+1-555-0161")
	toledoLoc := b.location(toledo, "Toledo plant", addr("15 Maumee Bay Rd", "Toledo", "OH", "43604"), "+1-555-0162")
	kowalski := b.contact(keystone, "Frank", "Kowalski", "CEO", "fkowalski@keystonefab.example", "+1-555-0163", primary, "executive", "decision_maker")
	carter := b.contact(keystone, "Denise", "Carter", "Controller", "dcarter@keystonefab.example", "+1-555-0164", none, "billing")
	halvorsen := b.contact(keystone, "Greg", "Halvorsen", "IT/OT Manager", "ghalvorsen@keystonefab.example", "+1-555-0165", secondary, "technical", "security")
	b.serve(halvorsen, dayton, primary)
	b.serve(halvorsen, toledo, primary)
	b.serve(carter, dayton, none)
	b.serve(carter, toledo, none)
	santos := b.contact(dayton, "Maria", "Santos", "Plant Manager", "msantos@keystonefab.example", "+1-555-0166", secondary, "primary")
	b.contact(toledo, "Ray", "Jackson", "Plant Manager", "rjackson@keystonefab.example", "+1-555-0167", secondary, "primary")
	b.billing(keystone, carter)
	b.billing(dayton, carter)
	b.billing(toledo, carter)
	b.license(keystone, "Microsoft 365 Business Standard", "Microsoft", "", 85, 79, 19)
	b.license(keystone, "SOLIDWORKS Standard", "Dassault Systemes", "9010-0044-7181-3322-WXYZ", 6, 6, 240)
	kfDayFS := b.pc(dayton, codex.AssetServer, "KF-DAY-FS01", "Dell", "PowerEdge T550", "1QW9Z53", "10.20.10.10", 25)
	b.pc(dayton, codex.AssetWorkstation, "KF-DAY-HMI01", "Dell", "OptiPlex 7010 XE", "4NN7R21", "10.20.20.31", 500)
	b.pc(dayton, codex.AssetWorkstation, "KF-DAY-CAD01", "Dell", "Precision 3660", "4NN7R22", "10.20.10.41", 500)
	b.laptop(dayton, "KF-DAY-LT-SANTOS", "Latitude 5540", "6GH2L93", "10.20.10.62", "450835-203599-118943-710611-062513-296109-590941-357852", 610, santos)
	daytonUPS := b.asset(dayton, codex.Asset{Name: "KF-DAY-UPS01", Type: codex.AssetOther, Manufacturer: "APC", Model: "Smart-UPS SRT 3000",
		SerialNumber: "AS2244310012", IPAddresses: []string{"10.20.10.5"}, WarrantyExpires: b.day(14), Online: true})
	b.pc(toledo, codex.AssetServer, "KF-TOL-FS01", "Dell", "PowerEdge T350", "8PL4C63", "10.21.10.10", 330)
	b.pc(toledo, codex.AssetWorkstation, "KF-TOL-HMI01", "Dell", "OptiPlex 7010 XE", "4NN7R31", "10.21.20.31", 500, kowalski)
	b.asset(toledo, codex.Asset{Name: "KF-TOL-ZEBRA", Type: codex.AssetPrinter, Manufacturer: "Zebra", Model: "ZT411",
		SerialNumber: "99J214400812", IPAddresses: []string{"10.21.20.45"}, WarrantyExpires: b.day(60), Online: true})

	dayFW := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-FW01", Type: codex.EquipmentFirewall, IPAddress: "10.20.10.1",
		MACAddress: "70:4c:a5:44:10:01", Manufacturer: "Fortinet", Model: "FortiGate 100F", Serial: "FG100FTK21009911", FirmwareVersion: "7.4.4"})
	dayCore := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-CORE", Type: codex.EquipmentSwitch, IPAddress: "10.20.10.2",
		MACAddress: "00:1b:17:44:10:02", Manufacturer: "Cisco", Model: "Catalyst 9300-48P", Serial: "FOC2431Y1AA", FirmwareVersion: "17.9.5"})
	dayOffice := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-ACC-OFFICE", Type: codex.EquipmentSwitch, IPAddress: "10.20.10.3",
		MACAddress: "00:1b:17:44:10:03", Manufacturer: "Cisco", Model: "Catalyst 9200-24P", Serial: "JAE2412A1BC", FirmwareVersion: "17.9.5"})
	dayFloor := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-ACC-FLOOR", Type: codex.EquipmentSwitch, IPAddress: "10.20.20.2",
		MACAddress: "00:1b:17:44:20:02", Manufacturer: "Cisco", Model: "IE-3300-8P2S", Serial: "FOC2415V0DE", FirmwareVersion: "17.9.5",
		Notes: "Industrial switch in the shop-floor cabinet; OT VLAN only."})
	dayAP1 := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-AP-OFFICE", Type: codex.EquipmentAccessPoint, IPAddress: "10.20.10.21",
		MACAddress: "f4:92:bf:44:10:21", Manufacturer: "Ubiquiti", Model: "UniFi U6-Pro", Serial: "F492BF441021", FirmwareVersion: "6.6.77"})
	dayAP2 := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-AP-FLOOR1", Type: codex.EquipmentAccessPoint, IPAddress: "10.20.20.21",
		MACAddress: "f4:92:bf:44:20:21", Manufacturer: "Ubiquiti", Model: "UniFi U6-Mesh", Serial: "F492BF442021", FirmwareVersion: "6.6.77"})
	dayAP3 := b.device(dayton, daytonLoc, codex.NetworkEquipment{Name: "KF-DAY-AP-FLOOR2", Type: codex.EquipmentAccessPoint, IPAddress: "10.20.20.22",
		MACAddress: "f4:92:bf:44:20:22", Manufacturer: "Ubiquiti", Model: "UniFi U6-Mesh", Serial: "F492BF442022", FirmwareVersion: "6.6.77"})
	b.link(dayFW, "port1", dayCore, "Te1/1/1", codex.LinkFiber, 10000)
	b.link(dayCore, "Gi1/0/47", dayOffice, "Gi1/1/1", codex.LinkEthernet, 1000)
	b.link(dayCore, "Te1/1/2", dayFloor, "Gi1/1/1", codex.LinkFiber, 1000)
	b.link(dayOffice, "Gi1/0/24", dayAP1, "eth0", codex.LinkEthernet, 1000)
	b.link(dayFloor, "Gi1/0/7", dayAP2, "eth0", codex.LinkEthernet, 1000)
	b.link(dayAP2, "mesh", dayAP3, "mesh", codex.LinkWireless, 866)
	b.subnet(dayton, "10.20.10.0/24", 10, "10.20.10.1", "Office")
	b.subnet(dayton, "10.20.20.0/24", 20, "10.20.20.1", "Shop floor (OT)")
	b.subnet(dayton, "10.20.30.0/24", 30, "10.20.30.1", "Cameras")
	tolFW := b.device(toledo, toledoLoc, codex.NetworkEquipment{Name: "KF-TOL-FW01", Type: codex.EquipmentFirewall, IPAddress: "10.21.10.1",
		MACAddress: "70:4c:a5:55:10:01", Manufacturer: "Fortinet", Model: "FortiGate 60F", Serial: "FGT60FTK21007788", FirmwareVersion: "7.4.4"})
	tolCore := b.device(toledo, toledoLoc, codex.NetworkEquipment{Name: "KF-TOL-CORE", Type: codex.EquipmentSwitch, IPAddress: "10.21.10.2",
		MACAddress: "00:1b:17:55:10:02", Manufacturer: "Cisco", Model: "Catalyst 9200-24P", Serial: "JAE2412A2CD", FirmwareVersion: "17.9.5"})
	tolAP := b.device(toledo, toledoLoc, codex.NetworkEquipment{Name: "KF-TOL-AP01", Type: codex.EquipmentAccessPoint, IPAddress: "10.21.10.21",
		MACAddress: "f4:92:bf:55:10:21", Manufacturer: "Ubiquiti", Model: "UniFi U6-LR", Serial: "F492BF551021", FirmwareVersion: "6.6.77"})
	b.link(tolFW, "port1", tolCore, "Gi1/0/1", codex.LinkEthernet, 1000)
	b.link(tolCore, "Gi1/0/24", tolAP, "eth0", codex.LinkEthernet, 1000)
	b.subnet(toledo, "10.21.10.0/24", 10, "10.21.10.1", "Office")
	b.subnet(toledo, "10.21.20.0/24", 20, "10.21.20.1", "Shop floor (OT)")

	// Smaller clients.
	foodBank := b.company(codex.Company{
		Name: "Hope Harbor Food Bank", AccountNumber: str("ACC-1050"),
		Description: "Regional nonprofit food bank with a volunteer warehouse.", Phone: "+1-555-0170",
		Website: "https://hopeharbor.example", Domains: []string{"hopeharbor.example"},
		Address:     addr("75 Dockside Ln", "Astoria", "OR", "97103"),
		BillingPlan: "nonprofit", ContractTerm: "12 months", ContractStart: b.day(-300), ContractEnd: b.day(65),
	}, nil)
	lindqvist := b.contact(foodBank, "Grace", "Lindqvist", "Executive Director", "grace@hopeharbor.example", "+1-555-0171", primary, "executive", "billing")
	hughes := b.contact(foodBank, "Owen", "Hughes", "Volunteer Coordinator", "owen@hopeharbor.example", "+1-555-0172", none, "user")
	b.pc(foodBank, codex.AssetWorkstation, "HH-OFFICE-01", "HP", "ProDesk 400 G7", "8CG1234XYZ", "192.168.1.20", -200, lindqvist)
	b.laptop(foodBank, "HH-LT-WAREHOUSE", "Latitude 3420", "2XK8P33", "192.168.1.30", "617045-330209-095887-201630-487146-659923-044528-372515", 120, hughes)
	b.license(foodBank, "Microsoft 365 Business Premium (nonprofit grant)", "Microsoft", "", 10, 8, 200)

	realty := b.company(codex.Company{
		Name: "Summit Ridge Realty", AccountNumber: str("ACC-1060"),
		Description: "Residential brokerage, 30 agents.", Phone: "+1-555-0175",
		Website: "https://summitridge.example", Domains: []string{"summitridge.example"},
		Address:     addr("12 Mountain View Rd", "Bend", "OR", "97702"),
		BillingPlan: "managed-essentials", ContractTerm: "12 months", ContractStart: b.day(-50), ContractEnd: b.day(315),
	}, nil)
	summers := b.contact(realty, "Nate", "Summers", "Principal Broker", "nate@summitridge.example", "+1-555-0176", primary, "executive", "decision_maker")
	tran := b.contact(realty, "Lily", "Tran", "Office Administrator", "lily@summitridge.example", "+1-555-0177", secondary, "billing", "primary")
	b.pc(realty, codex.AssetWorkstation, "SR-FRONT-01", "Lenovo", "ThinkCentre M90q", "MJ0L2B7C", "192.168.50.20", 240, tran)
	b.asset(realty, codex.Asset{Name: "SR-MFP", Type: codex.AssetPrinter, Manufacturer: "Canon", Model: "imageRUNNER ADVANCE DX C3826i",
		SerialNumber: "2TX04477", IPAddresses: []string{"192.168.50.40"}, WarrantyExpires: b.day(28), Online: true})
	b.license(realty, "Microsoft 365 Business Standard", "Microsoft", "", 32, 31, 75)

	vet := b.company(codex.Company{
		Name: "Greenfield Veterinary Hospital", AccountNumber: str("ACC-1070"),
		Description: "Small-animal hospital with 24/7 emergency care.", Phone: "+1-555-0180",
		Website: "https://greenfieldvet.example", Domains: []string{"greenfieldvet.example"},
		Address:     addr("410 Meadow Ln", "Corvallis", "OR", "97330"),
		BillingPlan: "managed-pro", ContractTerm: "24 months", ContractStart: b.day(-600), ContractEnd: b.day(130),
	}, nil)
	romero := b.contact(vet, "Alicia", "Romero", "Owner, DVM", "aromero@greenfieldvet.example", "+1-555-0181", primary, "executive", "decision_maker")
	young := b.contact(vet, "Paul", "Young", "Practice Manager", "pyoung@greenfieldvet.example", "+1-555-0182", secondary, "billing", "technical")
	b.billing(vet, young)
	b.pc(vet, codex.AssetServer, "GV-SRV01", "Dell", "PowerEdge T150", "3HC7V12", "192.168.60.10", 200)
	b.pc(vet, codex.AssetWorkstation, "GV-FRONT-01", "Dell", "OptiPlex 7010", "5XF2W91", "192.168.60.21", 310, romero)
	b.asset(vet, codex.Asset{Name: "GV-LABEL-01", Type: codex.AssetPrinter, Manufacturer: "DYMO", Model: "LabelWriter 5XL",
		SerialNumber: "82111904233", Notes: "USB on GV-FRONT-01", WarrantyExpires: b.day(-10)})

	cpa := b.company(codex.Company{
		Name: "Bluewater Accounting CPAs", AccountNumber: str("ACC-1080"),
		Description: "Tax preparation and bookkeeping.", Phone: "+1-555-0185",
		Website: "https://bluewatercpa.example", Domains: []string{"bluewatercpa.example"},
		Address:     addr("300 Waterfront Pl", "Newport", "OR", "97365"),
		BillingPlan: "managed-essentials", ContractTerm: "12 months", ContractStart: b.day(-330), ContractEnd: b.day(35),
		Settings: map[string]string{"busy_season_freeze": "Feb 1 - Apr 20"},
	}, nil)
	foster := b.contact(cpa, "Diane", "Foster", "Managing Partner", "diane.foster@bluewatercpa.example", "+1-555-0186", primary, "executive", "billing")
	kim := b.contact(cpa, "Sam", "Kim", "Staff Accountant (IT contact)", "sam.kim@bluewatercpa.example", "+1-555-0187", secondary, "technical")
	b.pc(cpa, codex.AssetWorkstation, "BW-WS-FOSTER", "HP", "EliteDesk 800 G9", "MXL3250Q7P", "192.168.70.21", 430, foster)
	b.pc(cpa, codex.AssetWorkstation, "BW-WS-KIM", "HP", "EliteDesk 800 G9", "MXL3250Q7Q", "192.168.70.22", 430, kim)
	bwTax := b.license(cpa, "Drake Tax Unlimited", "Drake Software", "DRK-2025-UNL-51A7-90C3", 5, 5, 9)

	former := b.company(codex.Company{
		Name: "Pioneer Title Company", AccountNumber: str("ACC-1090"), Status: codex.StatusInactive,
		Description: "Former client; services ended, records kept.", Phone: "+1-555-0195",
		Address: addr("18 Main St", "Albany", "OR", "97321"), BillingPlan: "break-fix",
	}, nil)
	lane := codex.Contact{CompanyID: former.ID, FirstName: "Robert", LastName: "Lane", Title: "Owner",
		Email: "rlane@pioneertitle.example", Roles: []string{"executive"}, Active: false}
	if b.err == nil {
		b.fail("contact Robert Lane", b.svc.Contacts.CreateContact(b.ctx, &lane))
	}

	// Tickets from the PSA. The HIPAA and CJIS ones carry personal data in their text,
	// which redaction hides from callers who must not see it; the stored text is unchanged.
	open, pending, resolved := codex.TicketOpen, codex.TicketPending, codex.TicketResolved
	low, medium, high, urgent := codex.PriorityLow, codex.PriorityMedium, codex.PriorityHigh, codex.PriorityUrgent
	b.ticket(riverside, adler, open, high, 5*hour, "Imaging software crashes when opening X-rays",
		"Dr. Ben Adler cannot open the panoramic X-rays of patient Thomas Reed (DOB 07/22/1958, SSN 078-05-1120) on RS-XRAY (192.168.21.20). "+
			"The viewer closes without an error. Patient is in the chair at 2pm; please call Ben at (555) 013-2291.")
	b.ticket(riverside, patel, pending, medium, 3*day, "Front desk scanner not saving to patient chart",
		"Insurance cards scanned at RS-FRONT-01 do not attach to the chart. Example: card for Linda Morales, member ID WX4471-0093. Waiting on Dentrix support.")
	b.ticket(oakPark, brooks, resolved, low, 9*day, "New hire: hygienist account",
		"Please create an account for our new hygienist Emily Shaw (emily.shaw@brightsmile.example), start date Monday.")
	b.ticket(lakeview, ortega, open, medium, 20*hour, "Check-in kiosk Wi-Fi drops",
		"The iPad at check-in loses Wi-Fi every few minutes since Tuesday.")
	b.ticket(dental, li, resolved, medium, 30*day, "Quarterly HIPAA access review",
		"Access review completed for all three clinics; two former employees disabled.")
	b.ticket(clinicMed, price, open, high, 2*hour, "Exam room 3 printer prints blank pages",
		"Jenna Price reports the printer in exam room 3 prints blank pages. The stuck job is a referral letter for patient Maria Gonzalez "+
			"(DOB 03/14/1961, MRN 448812); please purge it from the queue. Call back at (555) 013-2219 or jenna.price@cedarvalleyfm.example.")
	b.ticket(clinicMed, price, resolved, urgent, 12*day, "EHR unavailable for all users",
		"eClinicalWorks was down from 8:05 to 8:50; CVFM-EHR01 ran out of disk space on the log volume.")
	b.ticket(sheriff, ruiz, open, urgent, 90*time.Minute, "MDT in unit 14 cannot connect to VPN",
		"Deputy Aaron Miles (badge 3317) reports MCSO-MDT-07 fails to connect to the CJIS VPN. He was running driver licence "+
			"ORDL 7743019 for a stop when it dropped. Reach him through dispatch at 555-0142.")
	b.ticket(sheriff, obrien, pending, medium, 4*day, "Records printer jams on duplex",
		"The records room printer jams on every duplex job. Replacement fuser ordered.")
	b.ticket(sheriff, ruiz, resolved, high, 15*day, "Annual CJIS security awareness training accounts",
		"Created training accounts for 14 new hires; roster attached in the PSA.")
	b.ticket(law, webb, open, medium, 6*hour, "Reception PC loses network when the copier is on",
		"HF-RECEPTION drops off the network whenever the copier wakes up. Looks like an IP conflict on 192.168.10.50.")
	b.ticket(law, nair, pending, low, 2*day, "Update card on file for the Clio subscription",
		"Client services asked us to update the card for the Clio subscription: 4111 1111 1111 1111, exp 09/27. "+
			"Please do not keep the number after updating. Priya Nair, +1-555-0133.")
	b.ticket(law, harlow, resolved, medium, 20*day, "Laptop battery swelling",
		"Eleanor's laptop battery is swelling; replaced under warranty.")
	b.ticket(dayton, santos, open, high, 8*hour, "Shop-floor HMI frozen on line 2",
		"KF-DAY-HMI01 stopped responding during second shift. Operators restarted it twice.")
	b.ticket(dayton, halvorsen, resolved, urgent, 6*day, "UPS on battery during storm",
		"Dayton UPS ran on battery for 18 minutes; server shut down cleanly. Battery self-test passed afterwards.")
	b.ticket(toledo, halvorsen, pending, low, 5*day, "Zebra printer label alignment",
		"Labels on KF-TOL-ZEBRA print 3 mm low. Vendor sending calibration guide.")
	b.ticket(foodBank, hughes, open, low, 26*hour, "Volunteer laptop is very slow", "Warehouse laptop takes 10 minutes to boot.")
	b.ticket(realty, summers, open, medium, 4*hour, "New agent onboarding: Mark Diaz",
		"Please set up e-mail and MLS access for Mark Diaz starting next week.")
	b.ticket(vet, young, resolved, high, 3*day, "Label printer not printing", "DYMO driver reinstalled after Windows update.")
	b.ticket(cpa, kim, pending, high, 2*day, "Drake Tax licence renewal", "Renewal quote requested; current licence expires in 9 days.")
	b.ticket(cpa, foster, resolved, medium, 40*day, "Phishing e-mail reported", "Reported message removed from all mailboxes; no clicks.")

	// Alerts from the RMM.
	b.alert(bsdDC, codex.AlertModerate, 7*hour, false, "Disk C: is 92% full (18 GB free)")
	b.alert(rsXray, codex.AlertHigh, 5*hour, false, "Application crash: ImagingViewer.exe faulted 6 times in 1 hour")
	b.alert(hfFS, codex.AlertHigh, 26*hour, false, "Backup job 'HF-FS01 nightly' failed: target not reachable")
	b.alert(mdt, codex.AlertCritical, 2*hour, false, "Device offline for more than 90 minutes")
	b.alert(kfDayFS, codex.AlertModerate, 3*day, true, "CPU above 95% for 15 minutes")
	b.alert(daytonUPS, codex.AlertCritical, 6*day, true, "UPS on battery power")
	b.alert(cvEHR, codex.AlertHigh, 12*day, true, "Volume L: is 99% full")
	b.alert(bwTax, codex.AlertLow, day, false, "Licence expires in 9 days")

	// Staff users and a client user; Ada, the administrator, prefers the dark theme.
	dark, blue, teal := codex.ThemeDark, "blue", "teal"
	b.agent(DemoAdmin, "Ada Lovelace", codex.LevelAdmin, nil, codex.PreferencesPatch{Theme: &dark, ColorTheme: &blue, HomePage: str("/codex")})
	b.agent("grace@example.com", "Grace Hopper", codex.LevelTechnician, nil, codex.PreferencesPatch{ColorTheme: &teal})
	b.agent("ledger@example.com", "Leo Ledger", codex.LevelBilling, nil, codex.PreferencesPatch{HomePage: str("/ledger")})
	b.agent(chen.Email, chen.DisplayName, codex.LevelClient, dental, codex.PreferencesPatch{})
}
