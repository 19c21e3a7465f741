package fake

import (
	"fmt"
	"time"
)

// The naming scheme of generated data. The Datto fake uses the same scheme, so that a
// generated company's department, site, assets and devices match across the two fakes.

// CompanyName returns the name of generated company i (1-based), e.g. "Company 0001".
func CompanyName(i int) string { return fmt.Sprintf("Company %04d", i) }

// AccountNumber returns the account number of generated company i, e.g. "AC00001"; the
// fake keeps it in the department's custom_fields.account_number.
func AccountNumber(i int) string { return fmt.Sprintf("AC%05d", i) }

// Hostname returns the hostname of generated device j (1-based) of company i.
func Hostname(i, j int) string { return fmt.Sprintf("C%04d-PC%04d", i, j) }

// SerialNumber returns the serial number of generated device j of company i.
func SerialNumber(i, j int) string { return fmt.Sprintf("SN%04d%05d", i, j) }

// ContactEmail returns the e-mail of generated contact j of company i.
func ContactEmail(i, j int) string { return fmt.Sprintf("contact%04d@company%04d.example", j, i) }

// ContactSecondaryEmail is the secondary address of generated requester j of company i
// (odd j only).
func ContactSecondaryEmail(i, j int) string {
	return fmt.Sprintf("contact%04d.alt@company%04d.example", j, i)
}

// generatedEpoch is when generated records were created.
var generatedEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate adds companies departments, each with contactsPerCompany requesters and
// assetsPerCompany computer assets, named by CompanyName, ContactEmail, Hostname and
// SerialNumber; every other asset's warranty date is a timestamp rather than a date. It is
// deterministic and takes about a second for 2,000 companies with 10 contacts and 50 assets
// each.
func (s *Server) Generate(companies, contactsPerCompany, assetsPerCompany int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= companies; i++ {
		at := generatedEpoch.Add(time.Duration(i) * time.Minute)
		d := &Department{
			ID:           s.departments.newID(),
			Name:         CompanyName(i),
			Description:  fmt.Sprintf("Generated company %d", i),
			Domains:      []string{fmt.Sprintf("company%04d.example", i)},
			CustomFields: map[string]any{"account_number": AccountNumber(i)},
			CreatedAt:    at,
			UpdatedAt:    at,
		}
		s.departments.put(d.ID, d)
		for j := 1; j <= contactsPerCompany; j++ {
			r := &Requester{
				ID:                s.requesters.newID(),
				FirstName:         "Contact",
				LastName:          fmt.Sprintf("%04d-%04d", i, j),
				JobTitle:          "Staff",
				PrimaryEmail:      ContactEmail(i, j),
				SecondaryEmails:   []string{},
				WorkPhoneNumber:   fmt.Sprintf("+1 555 %03d %04d", i%1000, j),
				DepartmentIDs:     []int64{d.ID},
				TimeZone:          "Eastern Time (US & Canada)",
				Language:          "en",
				Active:            true,
				CustomFields:      map[string]any{},
				CreatedAt:         at,
				UpdatedAt:         at,
				MobilePhoneNumber: "",
			}
			if j%2 == 1 { // every other requester has a second address and an employment type
				r.SecondaryEmails = []string{ContactSecondaryEmail(i, j)}
				r.CustomFields["employment_type"] = "Full Time"
			}
			s.requesters.put(r.ID, r)
		}
		for j := 1; j <= assetsPerCompany; j++ {
			dept := d.ID
			warranty := at.AddDate(3, 0, j%365)
			wd := warranty.Format(time.DateOnly)
			if j%2 == 0 {
				wd = warranty.Format(time.RFC3339)
			}
			s.addAsset(Asset{
				Name:               Hostname(i, j),
				AssetTypeID:        DefaultAssetTypeID,
				AssetTag:           fmt.Sprintf("ASSET-%04d-%04d", i, j),
				DepartmentID:       &dept,
				CreatedAt:          at,
				UpdatedAt:          at,
				SerialNumber:       SerialNumber(i, j),
				Hostname:           Hostname(i, j),
				AssetState:         "In Use",
				WarrantyExpiryDate: wd,
			})
		}
	}
}
