package seed

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/hivematrix/codex/codex"
)

// Per-company ratios of the synthetic data set, as in ../shared/bench/seed.sql.
const (
	ContactsPerCompany = 10
	AssetsPerCompany   = 50
	DevicesPerCompany  = 8
	LinksPerCompany    = 12
	TicketsPerCompany  = 40
	SubnetsPerCompany  = 1
)

// Counts are the rows Scale writes for a number of companies.
type Counts struct {
	Companies, Contacts, Assets, Devices, Links, Tickets, Subnets int
}

// ScaleCounts returns the rows Scale(n) writes: n is rounded down to a multiple of 5.
func ScaleCounts(n int) Counts {
	n = n / 5 * 5
	return Counts{
		Companies: n,
		Contacts:  n * ContactsPerCompany,
		Assets:    n * AssetsPerCompany,
		Devices:   n * DevicesPerCompany,
		Links:     n * LinksPerCompany,
		Tickets:   n * TicketsPerCompany,
		Subnets:   n * SubnetsPerCompany,
	}
}

// batchRows is how many rows one INSERT carries.
const batchRows = 2500

// chunkCompanies is how many companies' rows are built in memory at once.
const chunkCompanies = 250

// Scale writes a deterministic synthetic data set of n companies (rounded down to a
// multiple of 5) for benchmarks: the same companies, names, hierarchy and per-company
// rows as ../shared/bench/seed.sql, mapped onto Codex's schema, with the same explicit
// ids. Rows go in with multi-row INSERTs inside one transaction, bypassing the services
// (no validation, no audit entries): the data set is synthetic and the database must be
// empty. On PostgreSQL the identity sequences are moved past the explicit ids and the
// tables analyzed.
func Scale(ctx context.Context, db *bun.DB, n int) error {
	n = n / 5 * 5
	if n < 5 {
		return fmt.Errorf("seed: scale must be at least 5 companies (got %d)", n)
	}
	empty, err := IsEmpty(ctx, db)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("seed: the database already holds companies; reset it first")
	}
	pg := db.Dialect().Name() == dialect.PG
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if pg {
			// Losing the last commit in a crash is fine for a synthetic data set.
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
		}
		for first := 1; first <= n; first += chunkCompanies {
			last := min(first+chunkCompanies-1, n)
			if err := scaleChunk(ctx, tx, first, last); err != nil {
				return fmt.Errorf("seed: companies %d..%d: %w", first, last, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return finish(ctx, db, pg)
}

// finish moves PostgreSQL's identity sequences past the explicit ids and refreshes the
// planner statistics. SQLite's AUTOINCREMENT counters follow explicit ids by themselves.
func finish(ctx context.Context, db *bun.DB, pg bool) error {
	if !pg {
		_, err := db.ExecContext(ctx, "ANALYZE")
		return err
	}
	for _, table := range []string{"companies", "contacts", "assets", "network_equipment", "network_links", "tickets", "subnets"} {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT max(id) FROM %[1]s))", table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("seed: reset the id sequence of %s: %w", table, err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("seed: analyze: %w", err)
	}
	return nil
}

// scaleChunk writes companies first..last and all their rows.
func scaleChunk(ctx context.Context, tx bun.Tx, first, last int) error {
	var (
		companies []codex.Company
		contacts  []codex.Contact
		cc        []codex.ContactCompany
		assets    []codex.Asset
		assetIPs  []codex.AssetIP
		devices   []codex.NetworkEquipment
		links     []codex.NetworkLink
		tickets   []codex.Ticket
		subnets   []codex.Subnet
	)
	for c := first; c <= last; c++ {
		companies = append(companies, scaleCompany(c))
		for k := 1; k <= ContactsPerCompany; k++ {
			ct, assignment := scaleContact(c, k)
			contacts = append(contacts, ct)
			cc = append(cc, assignment)
		}
		for k := 1; k <= AssetsPerCompany; k++ {
			a := scaleAsset(c, k)
			assets = append(assets, a)
			for _, ip := range a.IPAddresses {
				addr := netip.MustParseAddr(ip)
				assetIPs = append(assetIPs, codex.AssetIP{AssetID: a.ID, IPKey: codex.IPKey(addr), CompanyID: a.CompanyID, IP: ip})
			}
		}
		for k := 1; k <= DevicesPerCompany; k++ {
			devices = append(devices, scaleDevice(c, k))
		}
		links = append(links, scaleLinks(c)...)
		for k := 1; k <= TicketsPerCompany; k++ {
			tickets = append(tickets, scaleTicket(c, k))
		}
		subnets = append(subnets, scaleSubnet(c))
	}
	// Parents before children, devices before links: a parent always has a smaller id,
	// so it is in an earlier chunk or earlier in this one.
	steps := []func() error{
		func() error { return insert(ctx, tx, companies) },
		func() error { return insert(ctx, tx, contacts) },
		func() error { return insert(ctx, tx, cc) },
		func() error { return insert(ctx, tx, assets) },
		func() error { return insert(ctx, tx, assetIPs) },
		func() error { return insert(ctx, tx, devices) },
		func() error { return insert(ctx, tx, links) },
		func() error { return insert(ctx, tx, tickets) },
		func() error { return insert(ctx, tx, subnets) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// insert writes rows with multi-row INSERTs of batchRows rows.
func insert[T any](ctx context.Context, db bun.IDB, rows []T) error {
	for len(rows) > 0 {
		n := min(len(rows), batchRows)
		batch := rows[:n]
		if _, err := db.NewInsert().Model(&batch).Returning("NULL").Exec(ctx); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// The word lists of seed.sql; index i there is [i-1] here.
var (
	namePrefixes = []string{"Acme", "Apex", "Atlas", "Beacon", "Blue Ridge", "Cascade", "Cedar", "Summit",
		"Evergreen", "Frontier", "Granite", "Harbor", "Horizon", "Keystone", "Lakeside", "Liberty",
		"Meridian", "Northwind", "Oakwood", "Pinnacle", "Redwood", "Riverside", "Silverline", "Westbrook"}
	nameTrades = []string{"Dental", "Legal", "Logistics", "Manufacturing", "Realty", "Accounting", "Veterinary", "Construction",
		"Insurance", "Pharmacy", "Engineering", "Architecture", "Hospitality", "Retail", "Clinic", "Nonprofit"}
	nameSuffixes = []string{"Group", "Partners", "LLC", "Inc", "Associates", "Co"}
	billingPlans = []string{"basic", "standard", "premium", "enterprise"}
	cities       = []string{"Austin", "Boston", "Chicago", "Denver", "Miami", "Portland", "Seattle", "Tampa"}
	firstNames   = []string{"Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
		"Mallory", "Niaj", "Olivia", "Peggy", "Quentin", "Rupert", "Sybil", "Trent", "Uma", "Victor"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez", "Wilson",
		"Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "White", "Harris"}
	contactTitles = []string{"Owner", "Office Manager", "IT Contact", "Billing", "Staff", "Staff"}
	// contactRoles maps seed.sql's role column onto Codex's role set, by the same index.
	contactRoles     = [][]string{{"executive", "decision_maker"}, {"primary"}, {"technical"}, {"billing"}, {"user"}, {"user"}}
	assetKinds       = []string{"workstation", "laptop", "server", "printer", "phone", "tablet", "ups", "license"}
	operatingSystems = map[string]string{"workstation": "Windows 11 Pro", "laptop": "Windows 11 Pro", "server": "Windows Server 2022",
		"phone": "iOS 17", "tablet": "iPadOS 17"}
	manufacturers = []string{"Dell", "HP", "Lenovo", "Apple", "Cisco", "APC", "Microsoft", "Brother"}
	deviceTypes   = []codex.EquipmentType{codex.EquipmentFirewall, codex.EquipmentRouter, codex.EquipmentSwitch, codex.EquipmentSwitch,
		codex.EquipmentSwitch, codex.EquipmentAccessPoint, codex.EquipmentAccessPoint, codex.EquipmentAccessPoint}
	deviceAbbrevs = []string{"fw", "rt", "sw", "sw", "sw", "ap", "ap", "ap"}
	deviceModels  = []string{"FortiGate 60F", "Cisco ISR 1100", "Cisco C9300-48P", "Aruba 2930F", "Aruba 2930F",
		"UniFi U6-Pro", "UniFi U6-Pro", "UniFi U6-LR"}
	deviceMakers    = []string{"Fortinet", "Cisco", "Cisco", "Aruba", "Aruba", "Ubiquiti", "Ubiquiti", "Ubiquiti"}
	deviceLocations = []string{"Server room", "Front office", "Warehouse", "Floor 2"}
	ticketSubjects  = []string{"Printer offline", "Cannot access VPN", "New user onboarding", "Password reset", "Email not syncing",
		"Slow workstation", "Backup job failed", "Firewall firmware update", "Replace UPS battery",
		"Wi-Fi dead zone", "License renewal", "Phishing report"}
	ticketStatuses = []codex.TicketStatus{codex.TicketOpen /* new */, codex.TicketOpen, codex.TicketPending, codex.TicketResolved,
		codex.TicketClosed, codex.TicketClosed, codex.TicketClosed}
	ticketPriorities = []codex.TicketPriority{codex.PriorityLow, codex.PriorityMedium /* normal */, codex.PriorityMedium,
		codex.PriorityMedium, codex.PriorityHigh, codex.PriorityUrgent /* critical */}
)

// linkPlan is the 11 intra-company links of seed.sql: devices na-nb of one company.
var linkPlan = []struct {
	na, nb int
	kind   codex.LinkKind
}{
	{1, 2, codex.LinkEthernet}, {2, 3, codex.LinkFiber}, {3, 4, codex.LinkFiber}, {4, 5, codex.LinkEthernet},
	{5, 6, codex.LinkEthernet}, {6, 7, codex.LinkWireless}, {7, 8, codex.LinkWireless},
	{1, 3, codex.LinkFiber}, {3, 5, codex.LinkEthernet}, {3, 6, codex.LinkEthernet}, {4, 8, codex.LinkEthernet},
}

var linkSpeeds = map[codex.LinkKind]int{codex.LinkEthernet: 1000, codex.LinkFiber: 10000, codex.LinkWireless: 1200, codex.LinkVPN: 500}

func utc(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ParentOf returns the parent of company id in the synthetic tree, or 0 for a root:
// blocks of five ids hold one root, two children and two grandchildren.
func ParentOf(id int) int {
	switch id % 5 {
	case 1:
		return 0
	case 2:
		return 5*((id/5)/2) + 1
	case 3:
		return 5*((id/5)/4) + 1
	case 4:
		return 5*((id/5)/2) + 2
	default:
		return 5*(((id-1)/5)/3) + 3
	}
}

// net24 returns the first three octets of company c's /24: 10.(c/256).(c%256).
func net24(c int) string { return fmt.Sprintf("10.%d.%d", (c/256)%256, c%256) }

func scaleCompany(id int) codex.Company {
	account := fmt.Sprintf("ACC-%06d", id)
	c := codex.Company{
		ID:              int64(id),
		Name:            namePrefixes[id%24] + " " + nameTrades[(id/24)%16] + " " + nameSuffixes[(id/384)%6],
		AccountNumber:   &account,
		Kind:            codex.KindClient,
		Status:          codex.StatusActive,
		ComplianceLevel: codex.ComplianceStandard,
		Phone:           fmt.Sprintf("+1-555-%04d", id%10000),
		Website:         fmt.Sprintf("https://c%d.example.com", id),
		Domains:         []string{fmt.Sprintf("c%d.example.com", id)},
		Address:         codex.Address{City: cities[id%8], Country: "US"},
		BillingPlan:     billingPlans[(id*7)%4],
		CreatedAt:       utc(2019, 1, 1).Add(time.Duration(id) * 13 * time.Hour),
		UpdatedAt:       utc(2024, 6, 1).Add(time.Duration(id) * time.Minute),
	}
	if id%23 == 0 {
		c.Status = codex.StatusInactive
	}
	if p := ParentOf(id); p != 0 {
		parent := int64(p)
		c.ParentID = &parent
	}
	return c
}

func scaleContact(c, k int) (codex.Contact, codex.ContactCompany) {
	id := (c-1)*ContactsPerCompany + k
	first, last := firstNames[(id*7)%20], lastNames[(id*11)%20]
	created := utc(2020, 1, 1).Add(time.Duration(id) * 17 * time.Minute)
	ct := codex.Contact{
		ID:          int64(id),
		CompanyID:   int64(c),
		FirstName:   first,
		LastName:    last,
		DisplayName: first + " " + last,
		Email:       fmt.Sprintf("%s.%s%d@c%d.example.com", strings.ToLower(first), strings.ToLower(last), k, c),
		PhoneWork:   fmt.Sprintf("+1-555-%04d", id%10000),
		Title:       contactTitles[(k-1)%6],
		Roles:       contactRoles[(k-1)%6],
		Active:      true,
		CreatedAt:   created,
		UpdatedAt:   created,
	}
	d := codex.DesignationNone
	if k == 1 || (k == 2 && c%3 == 0) {
		d = codex.DesignationPrimary
	}
	return ct, codex.ContactCompany{ContactID: ct.ID, CompanyID: ct.CompanyID, Designation: d, CreatedAt: created}
}

func scaleAsset(c, k int) codex.Asset {
	id := (c-1)*AssetsPerCompany + k
	kind := assetKinds[(k-1)%8]
	sum := md5.Sum([]byte(strconv.Itoa(id)))
	warranty := codex.DateOf(utc(2021, 1, 1)).AddDays((id * 37) % 1460)
	purchased := warranty.AddDays(-1095)
	created := utc(2021, 1, 1).Add(time.Duration(id) * 5 * time.Minute)
	a := codex.Asset{
		ID:              int64(id),
		CompanyID:       int64(c),
		Name:            fmt.Sprintf("%s-%05d-%02d", strings.ToUpper(kind[:2]), c, k),
		Type:            assetType(kind),
		Manufacturer:    manufacturers[(id*3)%8],
		SerialNumber:    fmt.Sprintf("SN-%08d-%s", id, strings.ToUpper(hex.EncodeToString(sum[:])[:4])),
		Status:          codex.AssetActive,
		PurchaseDate:    &purchased,
		WarrantyExpires: &warranty,
		CreatedAt:       created,
		UpdatedAt:       created,
	}
	if id%17 == 0 {
		a.Status = codex.AssetRetired
	}
	if id%9 == 0 {
		a.Notes = fmt.Sprintf("Reimaged after ticket #%d", id%1000)
	}
	switch kind {
	case "workstation", "laptop", "server", "printer", "phone", "tablet":
		// .101 .. .150: devices hold .1 .. .8 of the same /24.
		a.IPAddresses = []string{fmt.Sprintf("%s.%d", net24(c), 100+k)}
		a.Hostname = strings.ToLower(a.Name)
		a.Online = id%5 != 0
		seen := utc(2024, 6, 1).Add(time.Duration(id) * time.Minute)
		a.LastSeen = &seen
	case "license":
		total, used := 5+id%46, 5+id%46-id%5
		a.SeatsTotal, a.SeatsUsed = &total, &used
		a.LicenseExpires = &warranty
	}
	a.OperatingSystem = operatingSystems[kind]
	return a
}

// assetType maps seed.sql's asset types onto Codex's.
func assetType(kind string) codex.AssetType {
	switch kind {
	case "phone", "tablet":
		return codex.AssetMobile
	case "ups":
		return codex.AssetOther
	}
	return codex.AssetType(kind)
}

func scaleDevice(c, k int) codex.NetworkEquipment {
	id := (c-1)*DevicesPerCompany + k
	ip := netip.MustParseAddr(fmt.Sprintf("%s.%d", net24(c), k))
	created := utc(2021, 6, 1).Add(time.Duration(id) * 29 * time.Minute)
	h := fmt.Sprintf("%08x", id)
	status := "online"
	if id%13 == 0 {
		status = "offline"
	}
	return codex.NetworkEquipment{
		ID:              int64(id),
		CompanyID:       int64(c),
		Name:            fmt.Sprintf("%s-%d-%d", deviceAbbrevs[k-1], c, k),
		Type:            deviceTypes[k-1],
		IPAddress:       ip.String(),
		IPKey:           codex.IPKey(ip),
		MACAddress:      "02:00:" + h[0:2] + ":" + h[2:4] + ":" + h[4:6] + ":" + h[6:8],
		Manufacturer:    deviceMakers[k-1],
		Model:           deviceModels[k-1],
		FirmwareVersion: fmt.Sprintf("v%d.%d.%d", 1+id%5, id%10, id%7),
		Location:        deviceLocations[k%4],
		Status:          status,
		CreatedAt:       created,
		UpdatedAt:       created,
	}
}

// scaleLinks returns company c's 12 links: the 11 of linkPlan, then a VPN from its
// parent's firewall to its own, or, for a root, one more link inside the company.
func scaleLinks(c int) []codex.NetworkLink {
	dev := func(company, k int) int64 { return int64((company-1)*DevicesPerCompany + k) }
	created := utc(2021, 6, 1).Add(time.Duration(c) * time.Hour)
	out := make([]codex.NetworkLink, 0, LinksPerCompany)
	for i, l := range linkPlan {
		out = append(out, codex.NetworkLink{
			ID: int64((c-1)*LinksPerCompany + i + 1), CompanyID: int64(c),
			AID: dev(c, l.na), APort: fmt.Sprintf("port%d", l.nb),
			BID: dev(c, l.nb), BPort: fmt.Sprintf("port%d", l.na),
			Kind: l.kind, SpeedMbps: linkSpeeds[l.kind], CreatedAt: created,
		})
	}
	last := codex.NetworkLink{ID: int64(c * LinksPerCompany), CompanyID: int64(c), CreatedAt: created}
	if p := ParentOf(c); p == 0 {
		last.AID, last.APort, last.BID, last.BPort, last.Kind = dev(c, 2), "port4", dev(c, 4), "port2", codex.LinkEthernet
	} else {
		// The parent has a smaller id, so its firewall is the lower end (AID < BID).
		last.AID, last.APort, last.BID, last.BPort, last.Kind = dev(p, 1), fmt.Sprintf("vpn%d", c), dev(c, 1), "vpn0", codex.LinkVPN
	}
	last.SpeedMbps = linkSpeeds[last.Kind]
	return append(out, last)
}

func scaleTicket(c, k int) codex.Ticket {
	id := (c-1)*TicketsPerCompany + k
	requester := int64((c-1)*ContactsPerCompany + 1 + k%10)
	created := utc(2023, 1, 1).Add(time.Duration(id) * 11 * time.Minute)
	t := codex.Ticket{
		ID:          int64(id),
		Source:      "seed",
		ExternalID:  strconv.Itoa(id),
		CompanyID:   int64(c),
		RequesterID: &requester,
		Subject:     ticketSubjects[(id*5)%12],
		Status:      ticketStatuses[(id*3)%7],
		Priority:    ticketPriorities[(id*7)%6],
		Type:        "Incident",
		CreatedAt:   created,
		UpdatedAt:   created,
	}
	switch t.Status {
	case codex.TicketResolved:
		at := created.Add(4 * time.Hour)
		t.ResolvedAt, t.UpdatedAt = &at, at
	case codex.TicketClosed:
		at := created.Add(4 * time.Hour)
		closed := at.Add(72 * time.Hour)
		t.ResolvedAt, t.ClosedAt, t.UpdatedAt = &at, &closed, closed
	}
	return t
}

func scaleSubnet(c int) codex.Subnet {
	p := netip.MustParsePrefix(net24(c) + ".0/24")
	lo, hi := codex.CIDRRange(p)
	vlan := 10
	created := utc(2021, 6, 1).Add(time.Duration(c) * time.Hour)
	return codex.Subnet{
		ID: int64(c), CompanyID: int64(c), CIDR: p.String(), LoKey: lo, HiKey: hi, VLAN: &vlan,
		Gateway: net24(c) + ".1", Description: "Office LAN", CreatedAt: created, UpdatedAt: created,
	}
}
