package datto_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
	"github.com/hivematrix/codex/integrations/datto/fake"
)

func TestSetSiteVariable(t *testing.T) {
	f := newFake(t)
	site := f.AddSite(fake.Site{Name: "Acme"})
	f.SetSiteVariable(site.UID, "Other", "x", false)
	c := newClient(t, f)

	steps := []struct {
		name, value string
		want        []fake.Update // pushes this step adds
	}{
		{"AccountNumber", "AC1", []fake.Update{{Method: "PUT", Path: "/api/v2/site/" + site.UID + "/variable",
			Body: map[string]any{"name": "AccountNumber", "value": "AC1", "masked": false}, Status: 200}}},
		{"AccountNumber", "AC2", []fake.Update{{Method: "POST", Path: "/api/v2/site/" + site.UID + "/variable/2",
			Body: map[string]any{"name": "AccountNumber", "value": "AC2"}, Status: 200}}},
		{"AccountNumber", "AC2", nil}, // unchanged: no push
	}
	pushes := 0
	for _, st := range steps {
		if err := c.SetSiteVariable(t.Context(), site.UID, st.name, st.value); err != nil {
			t.Fatalf("SetSiteVariable(%s=%s): %v", st.name, st.value, err)
		}
		got := f.Updates()[pushes:]
		if len(got) != len(st.want) || (len(got) > 0 && !reflect.DeepEqual(got, st.want)) {
			t.Errorf("SetSiteVariable(%s=%s) pushed %+v; want %+v", st.name, st.value, got, st.want)
		}
		pushes += len(got)
	}
	vars, err := c.SiteVariables(t.Context(), site.UID)
	want := []datto.SiteVariable{{ID: 1, Name: "Other", Value: "x"}, {ID: 2, Name: "AccountNumber", Value: "AC2"}}
	if err != nil || !reflect.DeepEqual(vars, want) {
		t.Errorf("SiteVariables = %+v, %v; want %+v", vars, err, want)
	}
	if err := c.SetSiteVariable(t.Context(), "missing", "A", "1"); !codex.IsNotFound(err) {
		t.Errorf("SetSiteVariable on a missing site: error %v; want not found", err)
	}
}

func TestCreateVariableIsNotRetriedAfter5xx(t *testing.T) {
	f := newFake(t)
	site := f.AddSite(fake.Site{Name: "Acme"})
	path := "/api/v2/site/" + site.UID + "/variable"
	f.FailNextOn("PUT", path, 1, http.StatusBadGateway)
	c := newClient(t, f)
	err := c.SetSiteVariable(t.Context(), site.UID, "AccountNumber", "AC1")
	if codex.ErrorCode(err) != codex.Unavailable {
		t.Errorf("SetSiteVariable error = %v; want unavailable", err)
	}
	if got := f.Requests(path); got != 1 {
		t.Errorf("create requests = %d; want 1 (not retried)", got)
	}
	f.RateLimitNext(1, "")
	if err := c.SetSiteVariable(t.Context(), site.UID, "AccountNumber", "AC1"); err != nil {
		t.Errorf("SetSiteVariable after a 429: %v; want it retried", err)
	}
}

func TestSetWarranty(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 1)
	d := allDevices(t, newClient(t, f))[0]
	c := newClient(t, f)
	path := "/api/v2/device/" + d.UID + "/warranty"

	tests := []struct {
		date      string
		wantCode  codex.Code
		wantPush  map[string]any // nil: no push
		wantFinal string
	}{
		{"2026-12-31", "", map[string]any{"warrantyDate": "2026-12-31"}, "2026-12-31"},
		{"", "", map[string]any{"warrantyDate": nil}, ""},
		{"31/12/2026", codex.Invalid, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			before := len(f.Updates())
			err := c.SetWarranty(t.Context(), d.UID, tt.date)
			if got := codex.ErrorCode(err); got != tt.wantCode {
				t.Errorf("SetWarranty(%q) error = %v; want code %q", tt.date, err, tt.wantCode)
			}
			ups := f.Updates()[before:]
			switch {
			case tt.wantPush == nil && len(ups) != 0:
				t.Errorf("SetWarranty(%q) pushed %+v; want nothing", tt.date, ups)
			case tt.wantPush != nil && (len(ups) != 1 || ups[0].Method != "POST" || ups[0].Path != path || !reflect.DeepEqual(ups[0].Body, tt.wantPush)):
				t.Errorf("SetWarranty(%q) pushed %+v; want POST %s %v", tt.date, ups, path, tt.wantPush)
			}
			if stored, _ := f.Device(d.UID); stored.WarrantyDate != tt.wantFinal {
				t.Errorf("fake warranty = %q; want %q", stored.WarrantyDate, tt.wantFinal)
			}
		})
	}
	if err := c.SetWarranty(t.Context(), "missing", "2026-01-01"); !codex.IsNotFound(err) {
		t.Errorf("SetWarranty on a missing device: error %v; want not found", err)
	}
}

func TestSetUDF(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 1)
	c := newClient(t, f)
	d := allDevices(t, c)[0]

	if err := c.SetUDF(t.Context(), d.UID, map[string]string{"udf1": "Codex:42", "udf5": ""}); err != nil {
		t.Fatalf("SetUDF: %v", err)
	}
	ups := f.Updates()
	want := map[string]any{"udf1": "Codex:42", "udf5": ""}
	if len(ups) != 1 || ups[0].Path != "/api/v2/device/"+d.UID+"/udf" || !reflect.DeepEqual(ups[0].Body, want) {
		t.Errorf("Updates() = %+v; want one POST udf with %v", ups, want)
	}
	got, err := c.Device(t.Context(), d.UID)
	if err != nil || got.UDF["udf1"] != "Codex:42" || got.UDF["udf5"] != "" {
		t.Errorf("Device(%s).UDF = %v, %v; want udf1 Codex:42", d.UID, got.UDF, err)
	}

	for _, bad := range []map[string]string{{"udf0": "x"}, {"udf101": "x"}, {"udf01": "x"}, {"custom": "x"}} {
		err := c.SetUDF(t.Context(), d.UID, bad)
		if codex.ErrorCode(err) != codex.Invalid || len(codex.ErrorFields(err)) != 1 {
			t.Errorf("SetUDF(%v) error = %v; want invalid naming the field", bad, err)
		}
	}
	if n := len(f.Updates()); n != 1 {
		t.Errorf("bad UDFs were pushed: %d pushes; want 1", n)
	}
}

func TestDeviceAudit(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 2)
	c := newClient(t, f)
	devs := allDevices(t, c)
	a, err := c.DeviceAudit(t.Context(), devs[1].UID)
	if err != nil {
		t.Fatalf("DeviceAudit: %v", err)
	}
	if a.BIOS.SerialNumber != fake.SerialNumber(1, 2) || a.SystemInfo.Manufacturer != "Dell Inc." ||
		len(a.NetworkInterface) != 1 || a.BIOS.ReleaseDate.Year() != 2021 {
		t.Errorf("DeviceAudit = %+v; want serial %s from Dell", a, fake.SerialNumber(1, 2))
	}
	if _, err := c.DeviceAudit(t.Context(), "missing"); !codex.IsNotFound(err) {
		t.Errorf("DeviceAudit(missing) error = %v; want not found", err)
	}
}

func TestAlerts(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 1)
	c := newClient(t, f)
	d := allDevices(t, c)[0]
	open := f.AddAlert(fake.Alert{DeviceUID: d.UID, Priority: datto.PriorityCritical, Diagnostics: "Disk C: 98% full",
		Context: map[string]any{"@class": "perf_disk_usage_ctx", "diskName": "C:"}})
	resolved := f.AddAlert(fake.Alert{DeviceUID: d.UID, Resolved: true, ResolvedBy: "jane"})
	f.AddMalformed("alerts/open", `{"alertUid":"bad","timestamp":{}}`)

	var got []datto.Alert
	skipped := 0
	if err := c.OpenAlerts(t.Context(), func(p datto.Page[datto.Alert]) error {
		got = append(got, p.Items...)
		skipped += len(p.Skipped)
		return nil
	}); err != nil {
		t.Fatalf("OpenAlerts: %v", err)
	}
	if len(got) != 1 || skipped != 1 {
		t.Fatalf("OpenAlerts = %d alerts, %d skipped; want 1, 1", len(got), skipped)
	}
	a := got[0]
	if a.AlertUID != open.AlertUID || a.Priority != datto.PriorityCritical || a.Resolved || !a.Timestamp.Equal(open.Timestamp) ||
		a.AlertContext["@class"] != "perf_disk_usage_ctx" || a.AlertSourceInfo.DeviceUID != d.UID ||
		a.AlertSourceInfo.DeviceName != d.Hostname || a.AlertSourceInfo.SiteName != fake.CompanyName(1) {
		t.Errorf("open alert = %+v; want %+v", a, open)
	}
	got = nil
	if err := c.ResolvedAlerts(t.Context(), func(p datto.Page[datto.Alert]) error {
		got = append(got, p.Items...)
		return nil
	}); err != nil || len(got) != 1 || got[0].AlertUID != resolved.AlertUID || !got[0].Resolved || got[0].ResolvedOn.IsZero() {
		t.Errorf("ResolvedAlerts = %+v, %v; want %s resolved", got, err, resolved.AlertUID)
	}
}
