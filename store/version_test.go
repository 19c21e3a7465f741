package store_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestVersions checks optimistic concurrency in the store: a write carrying the version
// the caller read succeeds and moves the version on; one carrying an older version is a
// Conflict wrapping codex.ErrChanged and changes nothing; archiving moves the version too.
func TestVersions(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, "Versioned")
		v0 := co.Version()
		got, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{Description: strp("one"), ExpectedVersion: v0})
		if err != nil {
			t.Fatalf("UpdateCompany with the current version: %v", err)
		}
		v1 := got.Version()
		if v1 == v0 {
			t.Fatalf("version %s did not change with a write", v1)
		}
		_, err = db.UpdateCompany(c, co.ID, codex.CompanyPatch{Description: strp("two"), ExpectedVersion: v0})
		if codex.ErrorCode(err) != codex.Conflict || !errors.Is(err, codex.ErrChanged) {
			t.Fatalf("UpdateCompany with a stale version = %v; want a Conflict wrapping ErrChanged", err)
		}
		if cur, _ := db.Company(c, co.ID); cur.Description != "one" || cur.Version() != v1 {
			t.Errorf("after a refused write: %q at %s; want %q at %s", cur.Description, cur.Version(), "one", v1)
		}
		// Even a write that changes nothing is refused on a stale version.
		if _, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{ExpectedVersion: v0}); !errors.Is(err, codex.ErrChanged) {
			t.Errorf("empty patch with a stale version = %v; want ErrChanged", err)
		}
		archived, err := db.ArchiveCompany(c, co.ID)
		if err != nil || archived.Version() == v1 {
			t.Errorf("ArchiveCompany = %v, version %s; want a new version", err, archived.Version())
		}

		// Every other patch checks its version the same way.
		loc := &codex.Location{CompanyID: co.ID, Name: "HQ"}
		must(t, db.CreateLocation(c, loc))
		ct := &codex.Contact{CompanyID: co.ID, FirstName: "A", LastName: "B", Email: "ab@x.example", Active: true}
		must(t, db.CreateContact(c, ct))
		as := &codex.Asset{CompanyID: co.ID, Name: "pc", Type: codex.AssetLaptop}
		must(t, db.CreateAsset(c, as))
		eq := &codex.NetworkEquipment{CompanyID: co.ID, Name: "sw", Type: codex.EquipmentSwitch}
		must(t, db.CreateEquipment(c, eq))
		sn := &codex.Subnet{CompanyID: co.ID, CIDR: "10.9.0.0/24"}
		must(t, db.CreateSubnet(c, sn))
		stale := "2001-01-01T00:00:00Z"
		for name, write := range map[string]func(string) error{
			"location": func(v string) error {
				_, err := db.UpdateLocation(c, loc.ID, codex.LocationPatch{Notes: strp("n"), ExpectedVersion: v})
				return err
			},
			"contact": func(v string) error {
				_, err := db.UpdateContact(c, ct.ID, codex.ContactPatch{Notes: strp("n"), ExpectedVersion: v})
				return err
			},
			"asset": func(v string) error {
				_, err := db.UpdateAsset(c, as.ID, codex.AssetPatch{Notes: strp("n"), ExpectedVersion: v})
				return err
			},
			"equipment": func(v string) error {
				_, err := db.UpdateEquipment(c, eq.ID, codex.EquipmentPatch{Notes: strp("n"), ExpectedVersion: v})
				return err
			},
			"subnet": func(v string) error {
				_, err := db.UpdateSubnet(c, sn.ID, codex.SubnetPatch{Description: strp("n"), ExpectedVersion: v})
				return err
			},
		} {
			if err := write(stale); !errors.Is(err, codex.ErrChanged) {
				t.Errorf("%s with a stale version = %v; want ErrChanged", name, err)
			}
		}
		for name, v := range map[string]func() error{
			"location": func() error {
				_, err := db.UpdateLocation(c, loc.ID, codex.LocationPatch{Notes: strp("n"), ExpectedVersion: loc.Version()})
				return err
			},
			"asset": func() error {
				_, err := db.UpdateAsset(c, as.ID, codex.AssetPatch{Notes: strp("n"), ExpectedVersion: as.Version()})
				return err
			},
		} {
			if err := v(); err != nil {
				t.Errorf("%s with its current version: %v", name, err)
			}
		}
	})
}

// TestAddressMembersConcurrently checks that two writers changing different members of
// one address at once both keep their change: the store merges the member patch into the
// row it has locked.
func TestAddressMembersConcurrently(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, "Addressed")
		for round := range 15 {
			city, line1 := "City "+itoa(round), "Street "+itoa(round)
			var wg sync.WaitGroup
			for _, p := range []*codex.AddressPatch{{City: &city}, {Line1: &line1}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{Address: p}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			got, err := db.Company(c, co.ID)
			must(t, err)
			if got.Address.City != city || got.Address.Line1 != line1 {
				t.Fatalf("round %d: address %+v; want city %q and line1 %q", round, got.Address, city, line1)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
