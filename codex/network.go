package codex

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// EquipmentType classifies network equipment.
type EquipmentType string

// The equipment types.
const (
	EquipmentRouter      EquipmentType = "router"
	EquipmentSwitch      EquipmentType = "switch"
	EquipmentFirewall    EquipmentType = "firewall"
	EquipmentAccessPoint EquipmentType = "access_point"
	EquipmentOther       EquipmentType = "other"
)

// Valid reports whether t is a known equipment type.
func (t EquipmentType) Valid() bool {
	switch t {
	case EquipmentRouter, EquipmentSwitch, EquipmentFirewall, EquipmentAccessPoint, EquipmentOther:
		return true
	}
	return false
}

// NetworkEquipment is a router, switch, firewall or access point at a company.
type NetworkEquipment struct {
	bun.BaseModel `bun:"table:network_equipment,alias:ne" json:"-"`

	ID              int64         `bun:"id,pk,autoincrement" json:"id"`
	CompanyID       int64         `bun:"company_id,notnull" json:"company_id"`
	Name            string        `bun:"name,notnull" json:"name"`
	Type            EquipmentType `bun:"type,notnull" json:"type"`
	IPAddress       string        `bun:"ip_address,notnull" json:"ip_address"`
	IPKey           string        `bun:"ip_key,nullzero" json:"-"`
	MACAddress      string        `bun:"mac_address,notnull" json:"mac_address"`
	Manufacturer    string        `bun:"manufacturer,notnull" json:"manufacturer"`
	Model           string        `bun:"model,notnull" json:"model"`
	Serial          string        `bun:"serial,notnull" json:"serial"`
	FirmwareVersion string        `bun:"firmware_version,notnull" json:"firmware_version"`
	Location        string        `bun:"location,notnull" json:"location"`
	LocationID      *int64        `bun:"location_id" json:"location_id"`
	ManagementURL   string        `bun:"management_url,notnull" json:"management_url"`
	Status          string        `bun:"status,notnull" json:"status"` // online, offline, unknown (from the RMM)
	LastSeen        *time.Time    `bun:"last_seen" json:"last_seen"`
	Notes           string        `bun:"notes,notnull" json:"notes"`
	CreatedAt       time.Time     `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt       time.Time     `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt      *time.Time    `bun:"archived_at" json:"archived_at"`
}

// Defaults fills unset enumerations.
func (e *NetworkEquipment) Defaults() {
	if e.Type == "" {
		e.Type = EquipmentOther
	}
	if e.Status == "" {
		e.Status = "unknown"
	}
}

// Validate checks the fields, normalizes the addresses and sets IPKey.
func (e *NetworkEquipment) Validate() error {
	var v Validation
	v.Check(e.CompanyID > 0, "company_id", "is required")
	v.Check(strings.TrimSpace(e.Name) != "", "name", "is required")
	v.Check(e.Type.Valid(), "type", "must be one of router, switch, firewall, access_point, other")
	v.Check(e.Status == "online" || e.Status == "offline" || e.Status == "unknown", "status", "must be one of online, offline, unknown")
	e.IPKey = ""
	if e.IPAddress != "" {
		if ip, err := ParseIP(e.IPAddress); err != nil {
			v.Add("ip_address", "%q is not an IP address", e.IPAddress)
		} else {
			e.IPAddress, e.IPKey = ip.String(), IPKey(ip)
		}
	}
	if e.MACAddress != "" {
		if hw, err := net.ParseMAC(e.MACAddress); err != nil {
			v.Add("mac_address", "%q is not a MAC address", e.MACAddress)
		} else {
			e.MACAddress = hw.String()
		}
	}
	if e.ManagementURL != "" {
		u, err := url.Parse(e.ManagementURL)
		v.Check(err == nil && u.Scheme != "" && u.Host != "", "management_url", "must be an absolute URL")
	}
	checkLimits(&v, e)
	return v.Err()
}

// LinkKind is the medium of a network link.
type LinkKind string

// The link kinds.
const (
	LinkEthernet LinkKind = "ethernet"
	LinkFiber    LinkKind = "fiber"
	LinkWireless LinkKind = "wireless"
	LinkVPN      LinkKind = "vpn"
)

// Valid reports whether k is a known link kind.
func (k LinkKind) Valid() bool {
	return k == LinkEthernet || k == LinkFiber || k == LinkWireless || k == LinkVPN
}

// NetworkLink is an undirected edge of the topology between two devices' ports.
// It is stored once with AID < BID.
type NetworkLink struct {
	bun.BaseModel `bun:"table:network_links,alias:nl" json:"-"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	CompanyID int64     `bun:"company_id,notnull" json:"company_id"`
	AID       int64     `bun:"a_id,notnull" json:"a_id"`
	APort     string    `bun:"a_port,notnull" json:"a_port"`
	BID       int64     `bun:"b_id,notnull" json:"b_id"`
	BPort     string    `bun:"b_port,notnull" json:"b_port"`
	Kind      LinkKind  `bun:"kind,notnull" json:"kind"`
	SpeedMbps int       `bun:"speed_mbps,notnull" json:"speed_mbps"`
	CreatedAt time.Time `bun:"created_at,notnull" json:"created_at"`
}

// Normalize orders the ends so that AID < BID.
func (l *NetworkLink) Normalize() {
	if l.AID > l.BID {
		l.AID, l.BID = l.BID, l.AID
		l.APort, l.BPort = l.BPort, l.APort
	}
	if l.Kind == "" {
		l.Kind = LinkEthernet
	}
}

// Validate checks a link's fields.
func (l *NetworkLink) Validate() error {
	var v Validation
	v.Check(l.AID > 0, "a_id", "is required")
	v.Check(l.BID > 0, "b_id", "is required")
	v.Check(l.AID != l.BID, "b_id", "a device cannot link to itself")
	v.Check(l.Kind.Valid(), "kind", "must be one of ethernet, fiber, wireless, vpn")
	v.Check(l.SpeedMbps >= 0, "speed", "must not be negative")
	checkLimits(&v, l)
	return v.Err()
}

// LinkEnd is a link seen from one device: its local port, and the peer at the other end.
type LinkEnd struct {
	LinkID    int64    `bun:"link_id" json:"id"`
	DeviceID  int64    `bun:"device_id" json:"device_id"`
	LocalPort string   `bun:"local_port" json:"local_port"`
	PeerID    int64    `bun:"peer_id" json:"peer_id"`
	PeerPort  string   `bun:"peer_port" json:"peer_port"`
	Kind      LinkKind `bun:"kind" json:"kind"`
	SpeedMbps int      `bun:"speed_mbps" json:"speed_mbps"`
}

// Subnet is an IP network of a company.
type Subnet struct {
	bun.BaseModel `bun:"table:subnets,alias:sn" json:"-"`

	ID          int64      `bun:"id,pk,autoincrement" json:"id"`
	CompanyID   int64      `bun:"company_id,notnull" json:"company_id"`
	CIDR        string     `bun:"cidr,notnull" json:"cidr"`
	LoKey       string     `bun:"lo_key,notnull" json:"-"`
	HiKey       string     `bun:"hi_key,notnull" json:"-"`
	VLAN        *int       `bun:"vlan" json:"vlan"`
	Gateway     string     `bun:"gateway,notnull" json:"gateway"`
	Description string     `bun:"description,notnull" json:"description"`
	LocationID  *int64     `bun:"location_id" json:"location_id"`
	CreatedAt   time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt  *time.Time `bun:"archived_at" json:"archived_at"`
}

// Validate checks the fields, normalizes the CIDR and sets the range keys.
func (s *Subnet) Validate() error {
	var v Validation
	v.Check(s.CompanyID > 0, "company_id", "is required")
	p, err := ParseCIDR(s.CIDR)
	if err != nil {
		v.Add("cidr", "%q is not a CIDR prefix", s.CIDR)
	} else {
		s.CIDR = p.String()
		s.LoKey, s.HiKey = CIDRRange(p)
	}
	if s.VLAN != nil {
		v.Check(*s.VLAN >= 1 && *s.VLAN <= 4094, "vlan", "must be between 1 and 4094")
	}
	if s.Gateway != "" {
		gw, err := ParseIP(s.Gateway)
		if err != nil {
			v.Add("gateway", "%q is not an IP address", s.Gateway)
		} else if err == nil && p.IsValid() && !p.Contains(gw) {
			v.Add("gateway", "%s is not inside %s", gw, p)
		} else {
			s.Gateway = gw.String()
		}
	}
	checkLimits(&v, s)
	return v.Err()
}

// DuplicateIP is an address used by more than one device or asset of one company.
type DuplicateIP struct {
	CompanyID int64    `json:"company_id"`
	IP        string   `json:"ip"`
	Holders   []IPUser `json:"holders"`
}

// IPUser is a device or asset holding an address.
type IPUser struct {
	Kind string `bun:"kind" json:"kind"` // "asset" or "network_equipment"
	ID   int64  `bun:"id" json:"id"`
	Name string `bun:"name" json:"name"`
	IP   string `bun:"ip" json:"ip"`
}

// EquipmentFilter selects network equipment. Zero fields do not filter.
type EquipmentFilter struct {
	Search          string
	CompanyID       *int64
	SubtreeOf       *int64
	Type            []EquipmentType
	Status          []string
	IPIn            string
	IncludeArchived bool
	Scope           []int64
	// Columns, when not nil, names the only columns the caller will read, for the batch
	// lookups by company (a projection, not a filter: GraphQL sets it from the fields a
	// query selects). The rows hold those and the keys; every other field is left zero.
	Columns []string
	Order   Order
}

// EquipmentOrders are the orders an equipment list accepts ("name" is the default).
var EquipmentOrders = []string{"name", "id", "type", "ip_address", "created_at", "updated_at"}
