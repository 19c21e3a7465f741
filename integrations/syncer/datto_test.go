package syncer_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/integrations/freshservice"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestDattoAfterFreshservice(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Freshservice knows 2 assets per company, Datto 3 devices: two of them are the
		// same machines (same serials), found through the device audit.
		e.fs.Generate(3, 1, 2)
		e.dt.Generate(3, 3)
		// A site no company matches (no AccountNumber variable, no such name) is created.
		e.dt.AddSite(dattofake.Site{Name: "Unlinked Site"})
		sw := e.dt.AddDevice(dattofake.Device{SiteUID: siteUID(e, 1), Hostname: "core-switch", DeviceClass: "rmmnetworkdevice",
			DeviceType: dattofake.DeviceType{Category: "Network Device", Type: "Switch"}, IntIPAddress: "10.0.0.2", Online: true})
		dev := devices(e)[0]
		open := e.dt.AddAlert(dattofake.Alert{Priority: "Critical", Diagnostics: "Disk C: 95% full", DeviceUID: dev.UID})
		e.dt.AddAlert(dattofake.Alert{Priority: "Low", Diagnostics: "switch flapped", DeviceUID: sw.UID, Resolved: true})

		run := e.run(syncerAll)
		if run.Status != codex.SyncSucceeded {
			t.Fatalf("all = %+v", run)
		}
		wantCounts(t, run, "datto company", codex.SyncCounts{Updated: 3, Created: 1})
		wantCounts(t, run, "datto asset", codex.SyncCounts{Updated: 6, Created: 3, Merged: 6})
		wantCounts(t, run, "datto equipment", codex.SyncCounts{Created: 1})
		wantCounts(t, run, "datto alert", codex.SyncCounts{Created: 2})
		if run.Counts["datto push:device"].Updated != 0 {
			t.Errorf("warranty pushes = %+v; want none: the dates agree", run.Counts["datto push:device"])
		}

		c1 := e.companyByAccount(fsfake.AccountNumber(1))
		siteRef := e.ref(codex.SourceDatto, codex.EntityCompany, siteUID(e, 1))
		if siteRef.EntityID != c1.ID {
			t.Errorf("site 1 linked to company %d; want %d (by its AccountNumber variable)", siteRef.EntityID, c1.ID)
		}
		a := e.ref(codex.SourceDatto, codex.EntityAsset, dev.UID)
		fsRef := e.ref(codex.SourceFreshservice, codex.EntityAsset, firstAssetID(e))
		if a.EntityID != fsRef.EntityID {
			t.Errorf("device %s -> asset %d, Freshservice asset -> %d; want the same asset (matched on serial)", dev.UID, a.EntityID, fsRef.EntityID)
		}
		asset, _ := e.svc.Assets.Asset(e.ctx, a.EntityID)
		if asset.OperatingSystem == "" || len(asset.IPAddresses) != 1 || asset.LastSeen == nil || asset.Name != fsfake.Hostname(1, 1) {
			t.Errorf("asset = %+v; want the RMM's OS, address and last seen, the PSA's name", asset)
		}
		third := e.ref(codex.SourceDatto, codex.EntityAsset, devices(e)[2].UID)
		a3, _ := e.svc.Assets.Asset(e.ctx, third.EntityID)
		if a3.SerialNumber != dattofake.SerialNumber(1, 3) || a3.Manufacturer != "Dell Inc." || a3.Type != codex.AssetWorkstation {
			t.Errorf("new asset = %+v; want serial and make from the audit", a3)
		}
		eq := e.ref(codex.SourceDatto, codex.EntityEquipment, sw.UID)
		got, _ := e.svc.Network.Equipment(e.ctx, eq.EntityID)
		if got.Type != codex.EquipmentSwitch || got.IPAddress != "10.0.0.2" || got.Status != "online" {
			t.Errorf("equipment = %+v; want an online switch", got)
		}
		al := e.ref(codex.SourceDatto, codex.EntityAlert, open.AlertUID)
		alert, _ := e.svc.Tickets.Alert(e.ctx, al.EntityID)
		if alert.AssetID == nil || *alert.AssetID != a.EntityID || alert.Priority != codex.AlertCritical || alert.Resolved {
			t.Errorf("alert = %+v; want an open critical alert on the asset", alert)
		}

		// The company the unlinked site created is the only client without an account
		// number: it gets one, pushed to its site in the same run.
		if ups := e.dt.Updates(); len(ups) != 1 || ups[0].Body["value"] != "000001" {
			t.Errorf("Datto pushes = %+v; want the new site's account number 000001", ups)
		}
		again := e.run(syncerAll)
		wantNoChange(t, again)
		if n := len(e.dt.Updates()); n != 1 {
			t.Errorf("Datto pushes = %+v; want none after the first run", e.dt.Updates())
		}

		// Upstream changes arrive; the alert is resolved.
		e.dt.ResolveAlert(open.AlertUID)
		e.dt.EditDevice(dev.UID, func(d *dattofake.Device) { d.OperatingSystem = "Windows 12"; d.Online = false })
		third2 := e.run(codex.SourceDatto)
		wantCounts(t, third2, codex.EntityAsset, codex.SyncCounts{Updated: 1, Unchanged: 8})
		wantCounts(t, third2, codex.EntityAlert, codex.SyncCounts{Updated: 1, Unchanged: 1})
		asset, _ = e.svc.Assets.Asset(e.ctx, a.EntityID)
		if asset.OperatingSystem != "Windows 12" || asset.Online {
			t.Errorf("asset after upstream change = %q online %v; want Windows 12, offline", asset.OperatingSystem, asset.Online)
		}
	})
}

func TestDattoPushesAccountNumberAndWarranty(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 0, 0)
		// The site has no AccountNumber variable; it is found by its name.
		site := e.dt.AddSite(dattofake.Site{Name: fsfake.CompanyName(1)})
		dev := e.dt.AddDevice(dattofake.Device{SiteUID: site.UID, Hostname: "PC-1", SerialNumber: "S1", WarrantyDate: "2027-01-31"})
		run := e.run(syncerAll)
		wantCounts(t, run, "datto push:site", codex.SyncCounts{Updated: 1})
		vars := e.dt.SiteVariables(site.UID)
		if len(vars) != 1 || vars[0].Name != "AccountNumber" || vars[0].Value != fsfake.AccountNumber(1) {
			t.Errorf("site variables = %+v; want AccountNumber pushed", vars)
		}

		ref := e.ref(codex.SourceDatto, codex.EntityAsset, dev.UID)
		d := codex.Date{Year: 2029, Month: time.March, Day: 1}
		if _, err := e.svc.Assets.UpdateAsset(e.ctx, ref.EntityID, codex.AssetPatch{WarrantyExpires: &d}); err != nil {
			t.Fatal(err)
		}
		run = e.run(codex.SourceDatto)
		wantCounts(t, run, "push:device", codex.SyncCounts{Updated: 1})
		if got, _ := e.dt.Device(dev.UID); got.WarrantyDate != "2029-03-01" {
			t.Errorf("device warranty = %q; want 2029-03-01 pushed", got.WarrantyDate)
		}
		wantNoChange(t, e.run(codex.SourceDatto))
	})
}

// syncerAll is the source that runs every integration.
const syncerAll = "all"

// siteUID returns the uid of generated site i, listed through a client.
func siteUID(e *env, i int) string {
	e.t.Helper()
	var uid string
	err := e.dattoClient().Sites(context.Background(), func(p datto.Page[datto.Site]) error {
		for _, s := range p.Items {
			if s.Name == dattofake.CompanyName(i) {
				uid = s.UID
			}
		}
		return nil
	})
	if err != nil || uid == "" {
		e.t.Fatalf("no site %d: %v", i, err)
	}
	return uid
}

// devices lists the fake's devices through a client, in listing order.
func devices(e *env) []datto.Device {
	e.t.Helper()
	var out []datto.Device
	err := e.dattoClient().Devices(context.Background(), func(p datto.Page[datto.Device]) error {
		out = append(out, p.Items...)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// firstAssetID returns the id of the first Freshservice asset, listed through a client.
func firstAssetID(e *env) string {
	e.t.Helper()
	var id int64
	err := e.fsClient().Assets(context.Background(), func(p freshservice.Page[freshservice.Asset]) error {
		if id == 0 && len(p.Items) > 0 {
			id = p.Items[0].ID
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}
