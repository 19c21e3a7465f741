package syncer_test

import (
	"testing"

	"github.com/hivematrix/codex/codex"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestDattoDeviceAudit: the Datto sync keeps the device audit the platform reads
// (external IP, last user, domain, antivirus, patch status, backup usage) and the UDFs,
// those holding keys as secret fields that services never see.
func TestDattoDeviceAudit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.dt.Generate(1, 0)
		dev := e.dt.AddDevice(dattofake.Device{SiteUID: siteUID(e, 1), Hostname: "ws-01", DeviceClass: "device",
			DeviceType: dattofake.DeviceType{Category: "Desktop", Type: "Desktop"}, IntIPAddress: "10.0.0.9",
			ExtIPAddress: "203.0.113.7", LastLoggedInUser: "ACME\\jsmith", Domain: "ACME", Online: true,
			AntivirusProduct: "Windows Defender", AntivirusStatus: "RunningAndUpToDate", PatchStatus: "FullyPatched",
			UDF: map[string]string{
				"udf1": "Codex:123",
				"udf2": "BitLocker: 123456-234567-345678-456789-567890-678901-789012-890123",
				"udf3": "VK7JG-NPHTM-C97JM-9MPGT-3V66T",
				"udf6": "549755813888",
			}})
		e.run("datto")
		ref := e.ref(codex.SourceDatto, codex.EntityAsset, dev.UID)
		a, err := e.svc.Assets.Asset(e.ctx, ref.EntityID)
		if err != nil {
			t.Fatal(err)
		}
		if a.ExtIPAddress != "203.0.113.7" || a.LastLoggedInUser != "ACME\\jsmith" || a.Domain != "ACME" ||
			a.AntivirusProduct != "Windows Defender" || a.AntivirusStatus != "RunningAndUpToDate" || a.PatchStatus != "FullyPatched" {
			t.Errorf("asset audit = ext %q user %q domain %q av %q/%q patch %q; want the device's", a.ExtIPAddress,
				a.LastLoggedInUser, a.Domain, a.AntivirusProduct, a.AntivirusStatus, a.PatchStatus)
		}
		if a.BackupDataBytes == nil || *a.BackupDataBytes != 549755813888 {
			t.Errorf("backup_data_bytes = %v; want 549755813888 from udf6", a.BackupDataBytes)
		}
		if len(a.CustomFields) != 1 || a.CustomFields["udf1"] != "Codex:123" {
			t.Errorf("custom fields = %v; want only the plain udf1", a.CustomFields)
		}
		if len(a.SecretFields) != 2 || a.SecretFields["udf2"] == "" || a.SecretFields["udf3"] == "" {
			t.Errorf("secret fields = %v; want the BitLocker and Windows keys", a.SecretFields)
		}
		// A service with every read right sees none of the secrets.
		svc := codex.WithPrincipal(e.ctx, &codex.Principal{Subject: "service:brainhair", Name: "brainhair", Service: "brainhair",
			Grant: codex.Grant{Read: true, Write: true}})
		sa, err := e.svc.Assets.Asset(svc, ref.EntityID)
		if err != nil || len(sa.SecretFields) != 0 {
			t.Errorf("asset as a service = %v, %v; want no secret fields", sa, err)
		}

		// A second run with nothing changed upstream changes nothing.
		run := e.run("datto")
		if c := run.Counts["datto asset"]; c.Updated != 0 {
			t.Errorf("second run counts = %+v; want no update", c)
		}
	})
}
