package datto

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/hivematrix/codex/codex"
)

// DeviceAudit is the hardware audit of a device (GET /audit/device/{uid}).
type DeviceAudit struct {
	PortalURL        string             `json:"portalUrl"`
	WebRemoteURL     string             `json:"webRemoteUrl"`
	SystemInfo       SystemInfo         `json:"systemInfo"`
	NetworkInterface []NetworkInterface `json:"networkInterface"`
	BIOS             BIOS               `json:"bios"`
	BaseBoard        BaseBoard          `json:"baseBoard"`
	Processors       []Processor        `json:"processors"`
	PhysicalMemory   []PhysicalMemory   `json:"physicalMemory"`
	LogicalDisks     []LogicalDisk      `json:"logicalDisks"`
}

// SystemInfo is the make and model part of an audit.
type SystemInfo struct {
	Manufacturer        string `json:"manufacturer"`
	Model               string `json:"model"`
	TotalPhysicalMemory int64  `json:"totalPhysicalMemory"`
	Username            string `json:"username"`
	DotNetVersion       string `json:"dotNetVersion"`
	TotalCPUCores       int    `json:"totalCpuCores"`
}

// NetworkInterface is one network adapter of an audit.
type NetworkInterface struct {
	Instance   string `json:"instance"`
	IPv4       string `json:"ipv4"`
	IPv6       string `json:"ipv6"`
	MACAddress string `json:"macAddress"`
	Type       string `json:"type"`
}

// BIOS is the BIOS part of an audit; SerialNumber is the machine's serial number.
type BIOS struct {
	Instance      string `json:"instance"`
	ReleaseDate   Time   `json:"releaseDate"`
	SerialNumber  string `json:"serialNumber"`
	SMBIOSVersion string `json:"smBiosVersion"`
}

// BaseBoard is the motherboard part of an audit.
type BaseBoard struct {
	Manufacturer string `json:"manufacturer"`
	Product      string `json:"product"`
	SerialNumber string `json:"serialNumber"`
}

// Processor is one CPU of an audit.
type Processor struct {
	Name string `json:"name"`
}

// PhysicalMemory is one memory module of an audit.
type PhysicalMemory struct {
	Module       string `json:"module"`
	Size         int64  `json:"size"`
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serialNumber"`
}

// LogicalDisk is one volume of an audit.
type LogicalDisk struct {
	DiskIdentifier string `json:"diskIdentifier"`
	Freespace      int64  `json:"freespace"`
	Size           int64  `json:"size"`
}

// DeviceAudit returns the hardware audit of device uid, or a codex.NotFound error. Each
// section is decoded on its own, so a section in an unexpected shape is left empty (and
// logged) instead of failing the audit; only a bios section that does not decode, which
// would lose the serial number, is an error.
func (c *Client) DeviceAudit(ctx context.Context, uid string) (DeviceAudit, error) {
	var raw map[string]json.RawMessage
	path := "/audit/device/" + url.PathEscape(uid)
	if err := c.getJSON(ctx, path, &raw); err != nil {
		return DeviceAudit{}, err
	}
	var a DeviceAudit
	sections := []struct {
		key string
		v   any
	}{
		{"portalUrl", &a.PortalURL},
		{"webRemoteUrl", &a.WebRemoteURL},
		{"systemInfo", &a.SystemInfo},
		{"networkInterface", &a.NetworkInterface},
		{"bios", &a.BIOS},
		{"baseBoard", &a.BaseBoard},
		{"processors", &a.Processors},
		{"physicalMemory", &a.PhysicalMemory},
		{"logicalDisks", &a.LogicalDisks},
	}
	for _, s := range sections {
		r, ok := raw[s.key]
		if !ok {
			continue
		}
		if err := json.Unmarshal(r, s.v); err != nil {
			if s.key == "bios" {
				return DeviceAudit{}, codex.Errorf(codex.Unavailable, "datto: GET %s: bios section does not decode: %v", path, err)
			}
			c.log.WarnContext(ctx, "datto: audit section skipped", "path", path, "section", s.key, "error", err.Error())
		}
	}
	return a, nil
}
