package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestNetwork(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Equipment", func(t *testing.T) { testEquipment(t, db) })
		t.Run("Links", func(t *testing.T) { testLinks(t, db) })
		t.Run("Subnets", func(t *testing.T) { testSubnets(t, db) })
		t.Run("Inside", func(t *testing.T) { testInside(t, db) })
		t.Run("DuplicateIPs", func(t *testing.T) { testDuplicateIPs(t, db) })
	})
}

func testEquipment(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("Net Root"))
	kid := newCompany(t, db, uniqueName("Net Kid"), under(root))
	loc := &codex.Location{CompanyID: root.ID, Name: "Closet"}
	if err := db.CreateLocation(c, loc); err != nil {
		t.Fatal(err)
	}
	fw := &codex.NetworkEquipment{CompanyID: root.ID, Name: "Edge FW", Type: codex.EquipmentFirewall, IPAddress: "10.20.0.1",
		MACAddress: "00:1A:2B:3C:4D:5E", LocationID: &loc.ID, Status: "online", ManagementURL: "https://10.20.0.1"}
	if err := db.CreateEquipment(c, fw); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "network_equipment", fw.ID, "create")
	got, err := db.Equipment(c, fw.ID)
	if err != nil || got.MACAddress != "00:1a:2b:3c:4d:5e" || got.IPKey == "" || *got.LocationID != loc.ID {
		t.Fatalf("Equipment = %+v, %v; want normalized MAC, ip key, location", got, err)
	}
	sw := newDevice(t, db, kid.ID, "Core Switch", "10.20.1.2")
	ap := newDevice(t, db, kid.ID, "Lobby AP", "")
	v6 := newDevice(t, db, kid.ID, "V6 Router", "2001:db8:1::1")

	up, err := db.UpdateEquipment(c, sw.ID, codex.EquipmentPatch{FirmwareVersion: strp("17.3"), IPAddress: strp("10.20.1.3")})
	if err != nil || up.FirmwareVersion != "17.3" || up.IPAddress != "10.20.1.3" || up.Name != "Core Switch" {
		t.Fatalf("UpdateEquipment = %+v, %v", up, err)
	}
	lastAudit(t, db, "network_equipment", sw.ID, "update")
	_, err = db.UpdateEquipment(c, sw.ID, codex.EquipmentPatch{LocationID: &loc.ID})
	wantErr(t, "UpdateEquipment(location of another company)", err, codex.Invalid, "location_id")
	_, err = db.UpdateEquipment(c, sw.ID, codex.EquipmentPatch{IPAddress: strp("nope")})
	wantErr(t, "UpdateEquipment(bad ip)", err, codex.Invalid, "ip_address")
	err = db.CreateEquipment(c, &codex.NetworkEquipment{CompanyID: 999999, Name: "x"})
	wantErr(t, "CreateEquipment(unknown company)", err, codex.Invalid, "company_id")
	_, err = db.Equipment(c, 999999)
	wantErr(t, "Equipment(999999)", err, codex.NotFound, "")

	scope := []int64{root.ID, kid.ID}
	tests := []struct {
		name string
		f    codex.EquipmentFilter
		want []int64
	}{
		{"search", codex.EquipmentFilter{Search: "switch"}, []int64{sw.ID}},
		{"search mac", codex.EquipmentFilter{Search: "4d:5e"}, []int64{fw.ID}},
		{"company", codex.EquipmentFilter{CompanyID: &root.ID}, []int64{fw.ID}},
		{"subtree", codex.EquipmentFilter{SubtreeOf: &kid.ID}, []int64{sw.ID, ap.ID, v6.ID}},
		{"type", codex.EquipmentFilter{Type: []codex.EquipmentType{codex.EquipmentFirewall}}, []int64{fw.ID}},
		{"status", codex.EquipmentFilter{Status: []string{"online"}}, []int64{fw.ID}},
		{"ip in", codex.EquipmentFilter{IPIn: "10.20.0.0/16"}, []int64{fw.ID, sw.ID}},
		{"ip in v6", codex.EquipmentFilter{IPIn: "2001:db8::/32"}, []int64{v6.ID}},
		{"scope", codex.EquipmentFilter{Scope: []int64{kid.ID}}, []int64{sw.ID, ap.ID, v6.ID}},
	}
	for _, tt := range tests {
		f := tt.f
		if f.Scope == nil {
			f.Scope = scope
		}
		pg, err := db.EquipmentList(c, f, codex.PageArgs{WantTotal: true})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []int64
		for _, e := range pg.Items {
			got = append(got, e.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || pg.TotalCount != len(tt.want) {
			t.Errorf("EquipmentList(%s) = %v (total %d); want %v", tt.name, got, pg.TotalCount, tt.want)
		}
	}
	// Address order puts IPv4 before IPv6 and equipment without an address last.
	pg, err := db.EquipmentList(c, codex.EquipmentFilter{Scope: scope, Order: codex.Order{Field: "ip_address"}}, codex.PageArgs{First: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	pg2, err := db.EquipmentList(c, codex.EquipmentFilter{Scope: scope, Order: codex.Order{Field: "ip_address"}}, codex.PageArgs{First: intp(2), After: pg.Cursors[1]})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range append(pg.Items, pg2.Items...) {
		order = append(order, e.Name)
	}
	if want := []string{"Edge FW", "Core Switch", "V6 Router", "Lobby AP"}; !slices.Equal(order, want) {
		t.Errorf("EquipmentList(ip_address) = %v; want %v", order, want)
	}
	var n int
	if err := db.EachEquipment(c, codex.EquipmentFilter{Scope: scope}, func(*codex.NetworkEquipment) error { n++; return nil }); err != nil || n != 4 {
		t.Errorf("EachEquipment = %d, %v; want 4", n, err)
	}
	byCo, err := db.EquipmentByCompanies(c, []int64{kid.ID, root.ID}, codex.EquipmentFilter{}, 2)
	if err != nil || len(byCo[0]) != 2 || byCo[0][0].Name != "Core Switch" || len(byCo[1]) != 1 {
		t.Errorf("EquipmentByCompanies(limit 2) = %v, %v", byCo, err)
	}
	counts, err := db.CountEquipmentByCompanies(c, []int64{kid.ID, root.ID, 999999}, codex.EquipmentFilter{})
	if err != nil || !slices.Equal(counts, []int{3, 1, 0}) {
		t.Errorf("CountEquipmentByCompanies = %v, %v; want [3 1 0]", counts, err)
	}
	byID, errs := db.EquipmentByIDs(c, []int64{ap.ID, 999999})
	if byID[0].ID != ap.ID || !codex.IsNotFound(errs[1]) {
		t.Errorf("EquipmentByIDs = %v, %v", byID, errs)
	}
	if _, err := db.ArchiveEquipment(c, ap.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "network_equipment", ap.ID, "archive")
	if _, err := db.RestoreEquipment(c, ap.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "network_equipment", ap.ID, "restore")
}

func testLinks(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Links"))
	other := newCompany(t, db, uniqueName("Links Other"))
	r := newDevice(t, db, co.ID, "router", "10.0.0.1")
	s := newDevice(t, db, co.ID, "switch", "10.0.0.2")
	ap := newDevice(t, db, co.ID, "ap", "10.0.0.3")
	far := newDevice(t, db, other.ID, "far", "10.0.0.4")

	// Given as switch -> router, stored as router (lower id) -> switch.
	l1 := &codex.NetworkLink{AID: s.ID, APort: "Gi1/0/1", BID: r.ID, BPort: "eth1", SpeedMbps: 1000}
	if err := db.ConnectDevices(c, l1); err != nil {
		t.Fatal(err)
	}
	if l1.AID != r.ID || l1.APort != "eth1" || l1.CompanyID != co.ID || l1.Kind != codex.LinkEthernet {
		t.Errorf("ConnectDevices stored %+v; want a=router port eth1, company %d", l1, co.ID)
	}
	lastAudit(t, db, "network_link", l1.ID, "create")
	l2 := &codex.NetworkLink{AID: s.ID, APort: "Gi1/0/2", BID: ap.ID, BPort: "lan", Kind: codex.LinkFiber}
	if err := db.ConnectDevices(c, l2); err != nil {
		t.Fatal(err)
	}
	err := db.ConnectDevices(c, &codex.NetworkLink{AID: r.ID, APort: "eth1", BID: s.ID, BPort: "Gi1/0/1"})
	wantErr(t, "ConnectDevices(same ports again)", err, codex.Conflict, "ports")
	err = db.ConnectDevices(c, &codex.NetworkLink{AID: r.ID, BID: far.ID})
	wantErr(t, "ConnectDevices(other company)", err, codex.Invalid, "b_id")
	err = db.ConnectDevices(c, &codex.NetworkLink{AID: r.ID, BID: 999999})
	wantErr(t, "ConnectDevices(unknown device)", err, codex.Invalid, "b_id")
	err = db.ConnectDevices(c, &codex.NetworkLink{AID: r.ID, BID: r.ID})
	wantErr(t, "ConnectDevices(self)", err, codex.Invalid, "b_id")
	_, err = db.UpdateEquipment(c, s.ID, codex.EquipmentPatch{CompanyID: &other.ID})
	wantErr(t, "UpdateEquipment(move a linked device)", err, codex.Invalid, "company_id")

	counter := storetest.CountQueries(db)
	ends, err := db.LinksByDevices(c, []int64{s.ID, far.ID, r.ID})
	if err != nil {
		t.Fatal(err)
	}
	if counter.Count() != 1 {
		t.Errorf("LinksByDevices ran %d statements; want 1", counter.Count())
	}
	want := [][]codex.LinkEnd{
		{
			{LinkID: l1.ID, DeviceID: s.ID, LocalPort: "Gi1/0/1", PeerID: r.ID, PeerPort: "eth1", Kind: codex.LinkEthernet, SpeedMbps: 1000},
			{LinkID: l2.ID, DeviceID: s.ID, LocalPort: "Gi1/0/2", PeerID: ap.ID, PeerPort: "lan", Kind: codex.LinkFiber},
		},
		{},
		{{LinkID: l1.ID, DeviceID: r.ID, LocalPort: "eth1", PeerID: s.ID, PeerPort: "Gi1/0/1", Kind: codex.LinkEthernet, SpeedMbps: 1000}},
	}
	for i := range want {
		if !slices.Equal(ends[i], want[i]) {
			t.Errorf("LinksByDevices[%d] = %+v; want %+v", i, ends[i], want[i])
		}
	}
	byCo, err := db.LinksByCompanies(c, []int64{other.ID, co.ID})
	if err != nil || len(byCo[0]) != 0 || len(byCo[1]) != 2 || byCo[1][0].ID != l1.ID {
		t.Errorf("LinksByCompanies = %v, %v; want [[] [l1 l2]]", byCo, err)
	}
	if err := db.DisconnectDevices(c, l1.ID); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, db, "network_link", l1.ID, "delete")
	if field(t, e.Before, "a_port") != "eth1" {
		t.Errorf("disconnect audit before = %s; want the link", e.Before)
	}
	err = db.DisconnectDevices(c, l1.ID)
	wantErr(t, "DisconnectDevices(again)", err, codex.NotFound, "")
}

func testSubnets(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Subnets"))
	wide := &codex.Subnet{CompanyID: co.ID, CIDR: "10.20.0.0/16", Description: "campus"}
	narrow := &codex.Subnet{CompanyID: co.ID, CIDR: "10.20.5.77/24", VLAN: intp(5), Gateway: "10.20.5.1"}
	v6 := &codex.Subnet{CompanyID: co.ID, CIDR: "2001:db8:5::/48"}
	for _, s := range []*codex.Subnet{wide, narrow, v6} {
		if err := db.CreateSubnet(c, s); err != nil {
			t.Fatal(err)
		}
	}
	if narrow.CIDR != "10.20.5.0/24" {
		t.Errorf("CreateSubnet CIDR = %q; want masked 10.20.5.0/24", narrow.CIDR)
	}
	lastAudit(t, db, "subnet", narrow.ID, "create")
	err := db.CreateSubnet(c, &codex.Subnet{CompanyID: co.ID, CIDR: "10.0.0.0/8", Gateway: "192.168.0.1"})
	wantErr(t, "CreateSubnet(gateway outside)", err, codex.Invalid, "gateway")
	err = db.CreateSubnet(c, &codex.Subnet{CompanyID: 999999, CIDR: "10.0.0.0/8"})
	wantErr(t, "CreateSubnet(unknown company)", err, codex.Invalid, "company_id")

	inNarrow := newDevice(t, db, co.ID, "in narrow", "10.20.5.10")
	inWide := newDevice(t, db, co.ID, "in wide", "10.20.9.10")
	outside := newDevice(t, db, co.ID, "outside", "192.168.1.1")
	inV6 := newDevice(t, db, co.ID, "in v6", "2001:db8:5::10")
	got, err := db.SubnetsOfDevices(c, []int64{inNarrow.ID, inWide.ID, outside.ID, inV6.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []int64{narrow.ID, wide.ID, 0, v6.ID, 0}
	for i, s := range got {
		var id int64
		if s != nil {
			id = s.ID
		}
		if id != wantIDs[i] {
			t.Errorf("SubnetsOfDevices[%d] = %d; want %d", i, id, wantIDs[i])
		}
	}
	up, err := db.UpdateSubnet(c, narrow.ID, codex.SubnetPatch{Description: strp("office"), VLAN: ptrTo((*int)(nil))})
	if err != nil || up.Description != "office" || up.VLAN != nil || up.CIDR != "10.20.5.0/24" {
		t.Errorf("UpdateSubnet = %+v, %v; want description set, vlan cleared", up, err)
	}
	lastAudit(t, db, "subnet", narrow.ID, "update")
	if _, err := db.ArchiveSubnet(c, narrow.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "subnet", narrow.ID, "archive")
	if got, _ := db.SubnetsOfDevices(c, []int64{inNarrow.ID}); got[0] == nil || got[0].ID != wide.ID {
		t.Errorf("SubnetsOfDevices after archiving the narrow subnet = %v; want the wide one", got[0])
	}
	byCo, err := db.SubnetsByCompanies(c, []int64{co.ID, 999999})
	if err != nil || len(byCo[0]) != 2 || byCo[0][0].ID != wide.ID || len(byCo[1]) != 0 {
		t.Errorf("SubnetsByCompanies = %v, %v; want [[wide v6] []]", byCo, err)
	}
	if s, err := db.Subnet(c, v6.ID); err != nil || s.CIDR != "2001:db8:5::/48" {
		t.Errorf("Subnet = %v, %v", s, err)
	}
	_, err = db.Subnet(c, 999999)
	wantErr(t, "Subnet(999999)", err, codex.NotFound, "")
}

func users(us []codex.IPUser) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = fmt.Sprintf("%s:%s@%s", u.Kind, u.Name, u.IP)
	}
	return out
}

func testInside(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Inside"))
	other := newCompany(t, db, uniqueName("Inside Other"))
	newDevice(t, db, co.ID, "gw", "10.20.0.1")
	newDevice(t, db, co.ID, "edge", "10.21.0.1")
	newDevice(t, db, co.ID, "v6gw", "2001:db8:20::1")
	newAsset(t, db, co.ID, "pc", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.3.4", "2001:db8:20::99"} })
	newAsset(t, db, co.ID, "top", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.255.255"} })
	gone := newAsset(t, db, co.ID, "gone", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.0.2"} })
	db.ArchiveAsset(c, gone.ID)
	newAsset(t, db, other.ID, "theirs", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.0.3"} })

	tests := []struct {
		company int64
		cidr    string
		scope   []int64
		want    []string
	}{
		{co.ID, "10.20.0.0/16", nil, []string{"network_equipment:gw@10.20.0.1", "asset:pc@10.20.3.4", "asset:top@10.20.255.255"}},
		{0, "10.20.0.0/16", []int64{co.ID, other.ID}, []string{"network_equipment:gw@10.20.0.1", "asset:theirs@10.20.0.3", "asset:pc@10.20.3.4", "asset:top@10.20.255.255"}},
		{0, "10.20.0.0/16", []int64{other.ID}, []string{"asset:theirs@10.20.0.3"}},
		{0, "10.20.0.0/16", []int64{}, []string{}},
		{co.ID, "2001:db8:20::/48", nil, []string{"network_equipment:v6gw@2001:db8:20::1", "asset:pc@2001:db8:20::99"}},
		{co.ID, "10.21.0.1", nil, []string{"network_equipment:edge@10.21.0.1"}},
	}
	for _, tt := range tests {
		got, err := db.Inside(c, tt.company, tt.cidr, tt.scope)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(users(got), tt.want) {
			t.Errorf("Inside(%d, %s, %v) = %v; want %v", tt.company, tt.cidr, tt.scope, users(got), tt.want)
		}
	}
	_, err := db.Inside(c, co.ID, "10.20.0.0/99", nil)
	wantErr(t, "Inside(bad cidr)", err, codex.Invalid, "cidr")
}

func testDuplicateIPs(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Dups"))
	other := newCompany(t, db, uniqueName("Dups Other"))
	newDevice(t, db, co.ID, "printer-sw", "10.1.1.50")
	newAsset(t, db, co.ID, "printer", func(a *codex.Asset) { a.IPAddresses = []string{"10.1.1.50"} })
	newAsset(t, db, co.ID, "laptop", func(a *codex.Asset) { a.IPAddresses = []string{"fd00::5", "10.1.1.9"} })
	newAsset(t, db, co.ID, "phone", func(a *codex.Asset) { a.IPAddresses = []string{"FD00:0::5"} })
	gone := newAsset(t, db, co.ID, "gone", func(a *codex.Asset) { a.IPAddresses = []string{"10.1.1.9"} })
	db.ArchiveAsset(c, gone.ID)
	// The same address in two companies is no duplicate.
	newAsset(t, db, other.ID, "elsewhere", func(a *codex.Asset) { a.IPAddresses = []string{"10.1.1.50"} })

	got, err := db.DuplicateIPs(c, co.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].IP != "10.1.1.50" || got[1].IP != "fd00::5" || got[0].CompanyID != co.ID {
		t.Fatalf("DuplicateIPs = %+v; want 10.1.1.50 and fd00::5", got)
	}
	if want := []string{"asset:printer@10.1.1.50", "network_equipment:printer-sw@10.1.1.50"}; !slices.Equal(users(got[0].Holders), want) {
		t.Errorf("holders of 10.1.1.50 = %v; want %v", users(got[0].Holders), want)
	}
	if want := []string{"asset:laptop@fd00::5", "asset:phone@fd00::5"}; !slices.Equal(users(got[1].Holders), want) {
		t.Errorf("holders of fd00::5 = %v; want %v", users(got[1].Holders), want)
	}
	all, err := db.DuplicateIPs(c, 0, []int64{co.ID, other.ID})
	if err != nil || len(all) != 2 {
		t.Errorf("DuplicateIPs(every company in scope) = %+v, %v; want the same 2", all, err)
	}
	none, err := db.DuplicateIPs(c, 0, []int64{other.ID})
	if err != nil || len(none) != 0 {
		t.Errorf("DuplicateIPs(other) = %+v, %v; want none", none, err)
	}
}
