package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// linkedPair adds two devices to a company and connects them.
func linkedPair(t *testing.T, f *fixture, companyID int64, prefix string) (a, b *codex.NetworkEquipment, link *codex.NetworkLink) {
	t.Helper()
	a = &codex.NetworkEquipment{CompanyID: companyID, Name: prefix + "-CORE", Type: codex.EquipmentSwitch, IPAddress: "10.77.0.2"}
	b = &codex.NetworkEquipment{CompanyID: companyID, Name: prefix + "-EDGE", Type: codex.EquipmentRouter, IPAddress: "10.77.0.1"}
	for _, e := range []*codex.NetworkEquipment{a, b} {
		if err := f.svc.Network.CreateEquipment(f.sys, e); err != nil {
			t.Fatal(err)
		}
	}
	link = &codex.NetworkLink{AID: a.ID, APort: "Gi1/0/48", BID: b.ID, BPort: "ge-0/0/1", SpeedMbps: 1000}
	if err := f.svc.Network.ConnectDevices(f.sys, link); err != nil {
		t.Fatal(err)
	}
	return a, b, link
}

func TestSubnetAddAndEdit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		c := f.company("ACC-1040")
		loc := &codex.Location{CompanyID: c.ID, Name: "Main floor"}
		if err := f.svc.Companies.CreateLocation(f.sys, loc); err != nil {
			t.Fatal(err)
		}
		for i, level := range []codex.Level{codex.LevelAdmin, codex.LevelTechnician} {
			tok := f.token(level, "")
			_, topo, _ := f.get("/network/companies/"+itoa(c.ID), tok)
			newPath := "/network/companies/" + itoa(c.ID) + "/subnets/new"
			if !strings.Contains(topo, `href="network/companies/`+itoa(c.ID)+`/subnets/new"`) {
				t.Fatalf("%s network page lacks Add subnet:\n%.3000s", level, topo)
			}
			_, form, _ := f.get(newPath, tok)
			csrf := match(t, csrfRe, form)
			if !strings.Contains(form, `<option value="`+itoa(loc.ID)+`" >Main floor</option>`) {
				t.Errorf("%s subnet form does not offer the company's location:\n%.3000s", level, form)
			}

			// Bad input comes back at its fields.
			status, body, _ := f.post(newPath, tok, url.Values{"csrf": {csrf}, "cidr": {"10.88.0.0/33"}, "vlan": {"5000"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-cidr"`) || !strings.Contains(body, `id="e-vlan"`) {
				t.Errorf("%s bad subnet = %d:\n%.3000s", level, status, body)
			}
			cidr := "10.9" + itoa(int64(i)) + ".0.0/24"
			status, _, h := f.post(newPath, tok, url.Values{"csrf": {csrf}, "cidr": {cidr}, "vlan": {"30"}, "gateway": {"10.9" + itoa(int64(i)) + ".0.1"},
				"description": {"Shop floor"}, "location": {itoa(loc.ID)}})
			if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "network/subnets/") {
				t.Fatalf("%s add subnet = %d, Location %q", level, status, h.Get("Location"))
			}
			sn := subnetWith(t, f, c.ID, cidr)
			if sn.VLAN == nil || *sn.VLAN != 30 || sn.LocationID == nil || *sn.LocationID != loc.ID {
				t.Errorf("%s subnet = %+v; want VLAN 30 at the location", level, sn)
			}

			// Edit: stale is refused with the current values; fresh saves (VLAN and location cleared).
			edit := "/network/subnets/" + itoa(sn.ID) + "/edit"
			_, page, _ := f.get("/network/subnets/"+itoa(sn.ID), tok)
			if !strings.Contains(page, `href="network/subnets/`+itoa(sn.ID)+`/edit"`) {
				t.Errorf("%s subnet page lacks Edit", level)
			}
			_, form, _ = f.get(edit, tok)
			stale := match(t, versionRe, form)
			if _, err := f.svc.Network.UpdateSubnet(f.sys, sn.ID, codex.SubnetPatch{Description: ptr("Shop floor (PLC)")}); err != nil {
				t.Fatal(err)
			}
			status, body, _ = f.post(edit, tok, url.Values{"csrf": {csrf}, "version": {stale}, "cidr": {cidr}, "description": {"Mine"}})
			if status != http.StatusConflict || !strings.Contains(body, "Someone else changed this record") || !strings.Contains(body, `value="Shop floor (PLC)"`) {
				t.Errorf("%s stale subnet edit = %d:\n%.3000s", level, status, body)
			}
			_, form, _ = f.get(edit, tok)
			v := url.Values{"csrf": {csrf}, "version": {match(t, versionRe, form)}, "cidr": {cidr}, "vlan": {""}, "gateway": {""},
				"description": {"Shop floor (PLC)"}, "location": {""}}
			if status, body, _ := f.post(edit, tok, v); status != http.StatusSeeOther {
				t.Fatalf("%s subnet edit = %d:\n%.3000s", level, status, body)
			}
			if got := subnetWith(t, f, c.ID, cidr); got.VLAN != nil || got.LocationID != nil || got.Gateway != "" {
				t.Errorf("%s edited subnet = %+v; want VLAN, gateway and location cleared", level, got)
			}
		}
	})
}

func TestDisconnectLink(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		c := f.company("ACC-1040")
		a, b, link := linkedPair(t, f, c.ID, "KF")
		tech := f.token(codex.LevelTechnician, "")
		_, page, _ := f.get("/network/equipment/"+itoa(a.ID), tech)
		action := `action="network/equipment/` + itoa(a.ID) + `/links/` + itoa(link.ID) + `/disconnect"`
		if !strings.Contains(page, action) {
			t.Fatalf("device page lacks the disconnect form %s:\n%.3000s", action, page)
		}
		csrf := match(t, csrfRe, page)
		path := "/network/equipment/" + itoa(a.ID) + "/links/" + itoa(link.ID) + "/disconnect"
		if status, _, h := f.post(path, tech, url.Values{"csrf": {csrf}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "flash=Disconnected") {
			t.Fatalf("disconnect = %d, Location %q", status, h.Get("Location"))
		}
		if ls, _ := f.svc.Network.LinksByDevices(f.sys, []int64{a.ID, b.ID}); len(ls[0]) != 0 || len(ls[1]) != 0 {
			t.Errorf("links after disconnecting = %v", ls)
		}
		// The same form again (someone else was quicker): a conflict on the device's page.
		status, body, _ := f.post(path, tech, url.Values{"csrf": {csrf}})
		if status != http.StatusConflict || !strings.Contains(body, "no longer there") || !strings.Contains(body, "<h1>KF-CORE") {
			t.Errorf("disconnect twice = %d:\n%.3000s", status, body)
		}
		// A link of another device is not this device's to disconnect.
		_, _, other := linkedPair(t, f, c.ID, "KF2")
		if status, _, _ := f.post("/network/equipment/"+itoa(a.ID)+"/links/"+itoa(other.ID)+"/disconnect", tech, url.Values{"csrf": {csrf}}); status != http.StatusConflict {
			t.Errorf("disconnect another device's link = %d; want 409", status)
		}
		if ls, _ := f.svc.Network.LinksByCompanies(f.sys, []int64{c.ID}); !hasLink(ls[0], other.ID) {
			t.Errorf("another device's link was removed")
		}
	})
}

// A client sees no subnet or link actions and may not use them; neither may a billing
// user; forms without the page's CSRF token are refused.
func TestNetworkWritesRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		own, other := f.company("ACC-1001"), f.company("ACC-1040")
		a, _, link := linkedPair(t, f, own.ID, "BS")
		sn := &codex.Subnet{CompanyID: other.ID, CIDR: "10.66.0.0/24", Description: "Plant"}
		if err := f.svc.Network.CreateSubnet(f.sys, sn); err != nil {
			t.Fatal(err)
		}
		client := f.token(codex.LevelClient, "ACC-1001")
		_, page, _ := f.get("/network/equipment/"+itoa(a.ID), client)
		_, topo, _ := f.get("/network/companies/"+itoa(own.ID), client)
		if strings.Contains(page, "/disconnect") || strings.Contains(topo, "subnets/new") {
			t.Errorf("client sees network write actions")
		}
		for _, p := range []string{"/network/companies/" + itoa(other.ID) + "/subnets/new", "/network/subnets/" + itoa(sn.ID) + "/edit"} {
			if status, body, _ := f.get(p, client); status != http.StatusNotFound || strings.Contains(body, "10.66.0.0") {
				t.Errorf("client GET %s = %d; want 404", p, status)
			}
		}
		_, settings, _ := f.get("/settings", client)
		csrf := match(t, csrfRe, settings)
		disconnect := "/network/equipment/" + itoa(a.ID) + "/links/" + itoa(link.ID) + "/disconnect"
		if status, _, _ := f.post(disconnect, client, url.Values{"csrf": {csrf}}); status != http.StatusForbidden {
			t.Errorf("client disconnect = %d; want 403", status)
		}
		if status, _, _ := f.post("/network/companies/"+itoa(own.ID)+"/subnets/new", client, url.Values{"csrf": {csrf}, "cidr": {"10.55.0.0/24"}}); status != http.StatusForbidden {
			t.Errorf("client add subnet = %d; want 403", status)
		}
		billing := f.token(codex.LevelBilling, "")
		_, bsettings, _ := f.get("/settings", billing)
		bcsrf := match(t, csrfRe, bsettings)
		if status, _, _ := f.post("/network/companies/"+itoa(other.ID)+"/subnets/new", billing, url.Values{"csrf": {bcsrf}, "cidr": {"10.55.0.0/24"}}); status != http.StatusForbidden {
			t.Errorf("billing add subnet = %d; want 403", status)
		}
		_, form, _ := f.get("/network/subnets/"+itoa(sn.ID)+"/edit", billing)
		v := url.Values{"csrf": {bcsrf}, "version": {match(t, versionRe, form)}, "cidr": {"10.66.0.0/24"}, "description": {"Mine"}}
		if status, _, _ := f.post("/network/subnets/"+itoa(sn.ID)+"/edit", billing, v); status != http.StatusForbidden {
			t.Errorf("billing edit subnet = %d; want 403", status)
		}
		admin := f.token(codex.LevelAdmin, "")
		for _, tok := range []string{"", "forged", csrf} {
			v := url.Values{"cidr": {"10.55.0.0/24"}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			if status, _, _ := f.post("/network/companies/"+itoa(other.ID)+"/subnets/new", admin, v); status != http.StatusForbidden {
				t.Errorf("admin add subnet with csrf %q = %d; want 403", tok, status)
			}
			if status, _, _ := f.post(disconnect, admin, url.Values{"csrf": {tok}}); status != http.StatusForbidden {
				t.Errorf("admin disconnect with csrf %q = %d; want 403", tok, status)
			}
		}
		if ls, _ := f.svc.Network.LinksByCompanies(f.sys, []int64{own.ID}); !hasLink(ls[0], link.ID) {
			t.Errorf("a refused request removed the link")
		}
		if got, _ := f.svc.Network.Subnet(f.sys, sn.ID); got.Description != "Plant" {
			t.Errorf("a refused request changed the subnet: %+v", got)
		}
	})
}

func subnetWith(t *testing.T, f *fixture, companyID int64, cidr string) *codex.Subnet {
	t.Helper()
	ss, err := f.svc.Network.SubnetsByCompanies(f.sys, []int64{companyID})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss[0] {
		if s.CIDR == cidr {
			return s
		}
	}
	t.Fatalf("no subnet %s at company %d", cidr, companyID)
	return nil
}

func hasLink(ls []*codex.NetworkLink, id int64) bool {
	for _, l := range ls {
		if l.ID == id {
			return true
		}
	}
	return false
}
