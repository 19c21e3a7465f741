package store_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestValueLimits checks that values one database would refuse (PostgreSQL: texts too
// long to index, years 0 and 10000, integers over 32 bits, NUL characters) are refused on
// both alike, as Invalid errors naming the field, before they reach the database.
func TestValueLimits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, "Limits")
		long := strings.Repeat("x", 3000)
		big := math.MaxInt32 + 1
		asset := func(mod func(a *codex.Asset)) error {
			a := &codex.Asset{CompanyID: co.ID, Name: "pc", Type: codex.AssetLicense}
			mod(a)
			return db.CreateAsset(c, a)
		}
		contact := func(mod func(ct *codex.Contact)) error {
			ct := &codex.Contact{CompanyID: co.ID, FirstName: "A", LastName: "B", Active: true}
			mod(ct)
			return db.CreateContact(c, ct)
		}
		future := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			name, field string
			err         error
		}{
			{"asset name", "name", asset(func(a *codex.Asset) { a.Name = long })},
			{"serial", "serial_number", asset(func(a *codex.Asset) { a.SerialNumber = long })},
			{"hostname", "hostname", asset(func(a *codex.Asset) { a.Hostname = long })},
			{"notes", "notes", asset(func(a *codex.Asset) { a.Notes = strings.Repeat("n", codex.MaxLongText+1) })},
			{"NUL", "model", asset(func(a *codex.Asset) { a.Model = "a\x00b" })},
			{"year 10000", "warranty_expires", asset(func(a *codex.Asset) { a.WarrantyExpires = &codex.Date{Year: 10000, Month: 1, Day: 1} })},
			{"year 0", "purchase_date", asset(func(a *codex.Asset) { a.PurchaseDate = &codex.Date{Year: 0, Month: 1, Day: 1} })},
			{"last seen in year 10000", "last_seen", asset(func(a *codex.Asset) { a.LastSeen = &future })},
			{"seats over 32 bits", "seats_total", asset(func(a *codex.Asset) { a.SeatsTotal = &big })},
			{"custom field value", "custom_fields", asset(func(a *codex.Asset) { a.CustomFields = map[string]string{"k": long} })},
			{"contact e-mail", "email", contact(func(ct *codex.Contact) { ct.Email = long + "@x.example" })},
			{"contact last name", "last_name", contact(func(ct *codex.Contact) { ct.LastName = long })},
			{"equipment name", "name", db.CreateEquipment(c, &codex.NetworkEquipment{CompanyID: co.ID, Name: long, Type: codex.EquipmentSwitch})},
			{"location address", "address_city", db.CreateLocation(c, &codex.Location{CompanyID: co.ID, Name: "HQ", Address: codex.Address{City: long}})},
			{"company description", "description", db.CreateCompany(c, &codex.Company{Name: "D", Description: strings.Repeat("d", codex.MaxLongText+1)})},
		}
		for _, tc := range cases {
			if codex.ErrorCode(tc.err) != codex.Invalid {
				t.Errorf("%s: %v; want Invalid", tc.name, tc.err)
				continue
			}
			if _, ok := codex.ErrorFields(tc.err)[tc.field]; !ok {
				t.Errorf("%s: fields %v; want one for %s", tc.name, codex.ErrorFields(tc.err), tc.field)
			}
		}
		// At the limit, values are stored.
		if err := asset(func(a *codex.Asset) {
			a.Name, a.SerialNumber, a.Hostname = strings.Repeat("é", codex.MaxText), strings.Repeat("s", codex.MaxText), strings.Repeat("h", codex.MaxText)
			a.WarrantyExpires = &codex.Date{Year: 9999, Month: 12, Day: 31}
			a.PurchaseDate = &codex.Date{Year: 1, Month: 1, Day: 1}
		}); err != nil {
			t.Errorf("values at the limits: %v", err)
		}
		// Updates are checked the same way.
		if _, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{Phone: &long}); codex.ErrorFields(err)["phone"] == "" {
			t.Errorf("UpdateCompany(phone: 3000 characters) = %v; want Invalid naming phone", err)
		}
	})
}
