package freshservice_test

import (
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

func TestAssetFields(t *testing.T) {
	tests := []struct {
		name       string
		typeFields map[string]any
		want       freshservice.AssetFields
	}{
		{
			"suffixes of two asset types",
			map[string]any{
				"serial_number_21000855267":        "SN-1",
				"warranty_expiry_date_21000855267": "2026-12-31",
				"asset_state_21000855267":          "In Use",
				"hostname_21000855272":             "ACME-PC01",
				"product_21000855267":              21000123,
			},
			freshservice.AssetFields{SerialNumber: "SN-1", Hostname: "ACME-PC01", AssetState: "In Use", WarrantyExpiry: codex.Date{Year: 2026, Month: 12, Day: 31}},
		},
		{
			"timestamp warranty and unsuffixed key",
			map[string]any{"serial_number": "SN-2", "warranty_expiry_date_5": "2027-03-01T00:00:00Z"},
			freshservice.AssetFields{SerialNumber: "SN-2", WarrantyExpiry: codex.Date{Year: 2027, Month: 3, Day: 1}},
		},
		{
			"nulls and look-alikes",
			map[string]any{"serial_number_1": nil, "serial_number_2": "SN-3", "hostname_x": "no", "hostnames_1": "no", "warranty_expiry_date_1": "soon"},
			freshservice.AssetFields{SerialNumber: "SN-3"},
		},
		{"no type fields", nil, freshservice.AssetFields{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := freshservice.Asset{TypeFields: tt.typeFields}
			if got := a.Fields(); got != tt.want {
				t.Errorf("Fields() = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestAssets(t *testing.T) {
	f := newFake(t)
	dept := f.AddDepartment(fake.Department{Name: "Acme"})
	want := f.AddAsset(fake.Asset{
		Name: "ACME-PC01", DepartmentID: &dept.ID, SerialNumber: "SN-1", Hostname: "acme-pc01",
		AssetState: "In Use", WarrantyExpiryDate: "2026-12-31",
		TypeFields: map[string]any{"product_21000855267": 77},
	})
	f.AddMalformed("assets", `{"id":12,"display_id":"twelve"}`)
	c := newClient(t, f)

	pages := collect(t, c.Assets)
	if len(pages) != 1 || len(pages[0].Items) != 1 || len(pages[0].Skipped) != 1 {
		t.Fatalf("pages = %+v; want one asset and one skipped", pages)
	}
	got := pages[0].Items[0]
	if got.ID != want.ID || got.DisplayID != want.DisplayID || got.AssetTypeID != fake.DefaultAssetTypeID ||
		got.DepartmentID == nil || *got.DepartmentID != dept.ID {
		t.Errorf("asset = %+v; want %+v", got, want)
	}
	wantFields := freshservice.AssetFields{SerialNumber: "SN-1", Hostname: "acme-pc01", AssetState: "In Use", WarrantyExpiry: codex.Date{Year: 2026, Month: 12, Day: 31}}
	if f := got.Fields(); f != wantFields {
		t.Errorf("Fields() = %+v; want %+v", f, wantFields)
	}
	if v := got.TypeFieldString("product"); v != "77" {
		t.Errorf(`TypeFieldString("product") = %q; want "77"`, v)
	}
	if pages[0].Skipped[0].ID != "12" {
		t.Errorf("skipped id = %q; want 12", pages[0].Skipped[0].ID)
	}

	one, err := c.Asset(t.Context(), want.DisplayID)
	if err != nil || one.Fields() != wantFields {
		t.Errorf("Asset(%d) = %+v, %v; want fields %+v", want.DisplayID, one, err, wantFields)
	}
}
