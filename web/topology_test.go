package web

import (
	"context"
	"html"
	"net/netip"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
)

func TestTopologyPicture(t *testing.T) {
	vlan := 10
	top := &topology{Company: &codex.Company{Name: `Acme "West"`},
		Devices: []*codex.NetworkEquipment{
			{ID: 1, Name: "CORE-SW", Type: codex.EquipmentSwitch, Status: "online", IPAddress: "10.0.0.2", Location: "HQ"},
			{ID: 2, Name: "EDGE-FW", Type: codex.EquipmentFirewall, Status: "offline", IPAddress: "10.0.0.1", Location: "HQ"},
			{ID: 3, Name: "AP-1", Type: codex.EquipmentAccessPoint, Status: "unknown"},
		},
		Links: []*codex.NetworkLink{
			{AID: 1, APort: "Gi1/0/1", BID: 2, BPort: "port2", Kind: codex.LinkEthernet, SpeedMbps: 1000},
			{AID: 1, BID: 3, Kind: codex.LinkWireless, SpeedMbps: 300},
		},
		Subnets: []*codex.Subnet{{CIDR: "10.0.0.0/24", VLAN: &vlan}},
	}
	dot := string(top.dot("../"))
	for _, want := range []string{`graph "Acme \"West\""`, `label="Location: HQ"`, `label="10.0.0.0/24 · VLAN 10"`, "shape=octagon", `fillcolor="#ffd0cc"`,
		`URL="../network/equipment/2"`, `d1 -- d2 [label="Gi1/0/1 ↔ port2\n1 Gb/s\nVLAN 10", style=solid]`, `d1 -- d3 [label="300 Mb/s", style=dashed]`} {
		if !strings.Contains(dot, want) {
			t.Errorf("dot() lacks %s:\n%s", want, dot)
		}
	}
	var tr topologyRenderer
	svg, err := tr.svg(context.Background(), []byte(dot))
	if err != nil {
		t.Fatal(err)
	}
	text := html.UnescapeString(string(svg))
	if !strings.HasPrefix(text, "<svg") {
		t.Errorf("svg starts %.40q; want <svg (no prolog, to inline it)", text)
	}
	for _, want := range []string{"CORE-SW", "EDGE-FW", "AP-1", "Gi1/0/1 ↔ port2", `xlink:href="../network/equipment/1"`, "10.0.0.0/24 · VLAN 10"} {
		if !strings.Contains(text, want) {
			t.Errorf("svg lacks %s", want)
		}
	}
}

func TestFreeRanges(t *testing.T) {
	p := mustPrefix(t, "192.168.1.0/29")
	got := freeRanges(p, addrs(t, "192.168.1.3", "192.168.1.1", "10.0.0.1"))
	want := []string{"192.168.1.2", "192.168.1.4 – 192.168.1.6"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("freeRanges = %q; want %q", got, want)
	}
}

func TestRelBase(t *testing.T) {
	for path, want := range map[string]string{"/": "./", "/companies": "./", "/companies/": "../", "/companies/12": "../", "/companies/12/edit": "../../"} {
		if got := relBase(path); got != want {
			t.Errorf("relBase(%q) = %q; want %q", path, got, want)
		}
	}
}

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func addrs(t *testing.T, ss ...string) []netip.Addr {
	t.Helper()
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestHomePage(t *testing.T) {
	for pref, want := range map[string]string{"": "", "/": "", "/codex": "", "/codex/": "", "/ledger": "", "/codex/companies": "companies",
		"/companies/tree": "companies/tree", "/codex/network?q=fw": "network?q=fw", "/signin": "", "//evil.example": ""} {
		if got := homePage(pref); got != want {
			t.Errorf("homePage(%q) = %q; want %q", pref, got, want)
		}
	}
}
