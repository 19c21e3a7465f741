package fake

import (
	"fmt"
	"time"
)

// The naming scheme of generated data. The Freshservice fake uses the same scheme, so that a
// generated company's site, devices, department and assets match across the two fakes.

// CompanyName returns the name of generated company i (1-based), e.g. "Company 0001".
func CompanyName(i int) string { return fmt.Sprintf("Company %04d", i) }

// AccountNumber returns the account number of generated company i, e.g. "AC00001"; the
// fake keeps it in the site variable AccountNumberVariable.
func AccountNumber(i int) string { return fmt.Sprintf("AC%05d", i) }

// Hostname returns the hostname of generated device j (1-based) of company i.
func Hostname(i, j int) string { return fmt.Sprintf("C%04d-PC%04d", i, j) }

// SerialNumber returns the serial number of generated device j of company i.
func SerialNumber(i, j int) string { return fmt.Sprintf("SN%04d%05d", i, j) }

// AccountNumberVariable is the site variable generated sites keep their account number in.
const AccountNumberVariable = "AccountNumber"

// generatedEpoch is when generated records were created.
var generatedEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate adds companies sites, each with the site variable AccountNumberVariable and
// devicesPerCompany devices named by CompanyName, AccountNumber, Hostname and SerialNumber.
// It is deterministic: every 10th device serves ISO-8601 timestamps and every 7th (that is
// not a 10th) epoch milliseconds as strings, to exercise the client's parser; every 5th is
// offline.
func (s *Server) Generate(companies, devicesPerCompany int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= companies; i++ {
		site := s.addSite(Site{Name: CompanyName(i), Description: fmt.Sprintf("Generated company %d", i)})
		s.setVariable(site.UID, AccountNumberVariable, AccountNumber(i), false)
		at := generatedEpoch.Add(time.Duration(i) * time.Minute)
		for j := 1; j <= devicesPerCompany; j++ {
			format := TimeMillis
			switch {
			case j%10 == 0:
				format = TimeISO
			case j%7 == 0:
				format = TimeMillisString
			}
			s.addDevice(Device{
				SiteUID:          site.UID,
				Hostname:         Hostname(i, j),
				IntIPAddress:     fmt.Sprintf("10.%d.%d.%d", i/256%256, i%256, j%250+1),
				ExtIPAddress:     fmt.Sprintf("203.0.113.%d", i%250+1),
				OperatingSystem:  "Microsoft Windows 11 Pro 10.0.22631",
				LastLoggedInUser: fmt.Sprintf(`COMPANY%04d\user%d`, i, j),
				Domain:           fmt.Sprintf("COMPANY%04d", i),
				Online:           j%5 != 0,
				LastSeen:         at.Add(time.Duration(j) * time.Hour),
				LastReboot:       at.Add(time.Duration(j) * time.Minute),
				LastAuditDate:    at.Add(time.Duration(j) * time.Hour),
				CreationDate:     at,
				WarrantyDate:     at.AddDate(3, 0, j%365).Format(time.DateOnly),
				AntivirusProduct: "Datto AV",
				AntivirusStatus:  "RunningAndUpToDate",
				PatchStatus:      "FullyPatched",
				SerialNumber:     SerialNumber(i, j),
				Manufacturer:     "Dell Inc.",
				Model:            "OptiPlex 7090",
				TimeFormat:       format,
			})
		}
	}
}
