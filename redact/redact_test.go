package redact_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

var contacts = []string{"Jane Doe", "Mary Ann van Dyke", "Pat O'Brien"}

func TestClasses(t *testing.T) {
	tests := []struct {
		level codex.ComplianceLevel
		want  []redact.Class
	}{
		{codex.ComplianceStandard, []redact.Class{
			redact.SSN, redact.CreditCard, redact.IBAN, redact.Passport, redact.DriverLicense,
		}},
		{codex.ComplianceHIPAA, []redact.Class{
			redact.Person, redact.Email, redact.Phone, redact.SSN, redact.CreditCard, redact.IBAN,
			redact.IPAddress, redact.Passport, redact.DriverLicense, redact.MedicalLicense, redact.Location,
			redact.DateOfBirth, redact.MRN, redact.IDNumber, redact.Badge, redact.Plate, redact.CaseNumber, redact.NCIC,
		}},
		{codex.ComplianceCJIS, []redact.Class{
			redact.Person, redact.Email, redact.Phone, redact.SSN, redact.CreditCard, redact.IBAN,
			redact.IPAddress, redact.Passport, redact.DriverLicense, redact.Location,
			redact.DateOfBirth, redact.MRN, redact.IDNumber, redact.Badge, redact.Plate, redact.CaseNumber, redact.NCIC,
		}},
		// An unknown or missing level fails closed.
		{"", []redact.Class{
			redact.Person, redact.Email, redact.Phone, redact.SSN, redact.CreditCard, redact.IBAN,
			redact.IPAddress, redact.Passport, redact.DriverLicense, redact.MedicalLicense, redact.Location,
			redact.DateOfBirth, redact.MRN, redact.IDNumber, redact.Badge, redact.Plate, redact.CaseNumber, redact.NCIC,
		}},
		{"HIPAA", []redact.Class{
			redact.Person, redact.Email, redact.Phone, redact.SSN, redact.CreditCard, redact.IBAN,
			redact.IPAddress, redact.Passport, redact.DriverLicense, redact.MedicalLicense, redact.Location,
			redact.DateOfBirth, redact.MRN, redact.IDNumber, redact.Badge, redact.Plate, redact.CaseNumber, redact.NCIC,
		}},
	}
	for _, tt := range tests {
		if got := redact.Classes(tt.level); !slices.Equal(got, tt.want) {
			t.Errorf("Classes(%q) = %v; want %v", tt.level, got, tt.want)
		}
	}
}

func TestClassesReturnsACopy(t *testing.T) {
	got := redact.Classes(codex.ComplianceStandard)
	got[0] = redact.Person
	if again := redact.Classes(codex.ComplianceStandard); again[0] != redact.SSN {
		t.Errorf("Classes(standard)[0] = %v after the caller changed its slice; want %v", again[0], redact.SSN)
	}
}

func TestRedacts(t *testing.T) {
	tests := []struct {
		level codex.ComplianceLevel
		class redact.Class
		want  bool
	}{
		{codex.ComplianceStandard, redact.SSN, true},
		{codex.ComplianceStandard, redact.CreditCard, true},
		{codex.ComplianceStandard, redact.Person, false},
		{codex.ComplianceStandard, redact.Email, false},
		{codex.ComplianceStandard, redact.IPAddress, false},
		{codex.ComplianceHIPAA, redact.Person, true},
		{codex.ComplianceHIPAA, redact.MedicalLicense, true},
		{codex.ComplianceCJIS, redact.MedicalLicense, false},
		{codex.ComplianceCJIS, redact.DriverLicense, true},
		{codex.ComplianceCJIS, redact.CreditCard, true},
		{codex.ComplianceCJIS, redact.IBAN, true},
		{codex.ComplianceCJIS, redact.Passport, true},
		{"", redact.MedicalLicense, true},
		{codex.ComplianceHIPAA, "NOT_A_CLASS", false},
	}
	for _, tt := range tests {
		if got := redact.Redacts(tt.level, tt.class); got != tt.want {
			t.Errorf("Redacts(%q, %v) = %v; want %v", tt.level, tt.class, got, tt.want)
		}
	}
}

// ticket is a realistic ticket body with one entity of most classes.
const ticket = "Hi, this is Jane Doe (jane.doe@clinic.com, 555-867-5309). " +
	"Patient SSN 123-45-6789 card 4111 1111 1111 1111 was charged; server 10.20.1.5 is down. " +
	"Dr. Lee (NPI 1234567893) works at 42 Elm Avenue, Suite 5. Passport 123456789, DL: D1234567."

func TestTextLevels(t *testing.T) {
	tests := []struct {
		level codex.ComplianceLevel
		want  string
	}{
		{codex.ComplianceStandard, "Hi, this is Jane Doe (jane.doe@clinic.com, 555-867-5309). " +
			"Patient SSN <US_SSN> card <CREDIT_CARD> was charged; server 10.20.1.5 is down. " +
			"Dr. Lee (NPI 1234567893) works at 42 Elm Avenue, Suite 5. Passport <US_PASSPORT>, DL: <US_DRIVER_LICENSE>."},
		{codex.ComplianceHIPAA, "Hi, this is Jane D. (<EMAIL_ADDRESS>, <PHONE_NUMBER>). " +
			"Patient SSN <US_SSN> card <CREDIT_CARD> was charged; server <IP_ADDRESS> is down. " +
			"Dr. <PERSON> (NPI <MEDICAL_LICENSE>) works at <LOCATION>. Passport <US_PASSPORT>, DL: <US_DRIVER_LICENSE>."},
		{codex.ComplianceCJIS, "Hi, this is Jane D. (<EMAIL_ADDRESS>, <PHONE_NUMBER>). " +
			"Patient SSN <US_SSN> card <CREDIT_CARD> was charged; server <IP_ADDRESS> is down. " +
			"Dr. <PERSON> (NPI 1234567893) works at <LOCATION>. Passport <US_PASSPORT>, DL: <US_DRIVER_LICENSE>."},
		// A company without a known level fails closed: everything is redacted.
		{"", "Hi, this is Jane D. (<EMAIL_ADDRESS>, <PHONE_NUMBER>). " +
			"Patient SSN <US_SSN> card <CREDIT_CARD> was charged; server <IP_ADDRESS> is down. " +
			"Dr. <PERSON> (NPI <MEDICAL_LICENSE>) works at <LOCATION>. Passport <US_PASSPORT>, DL: <US_DRIVER_LICENSE>."},
	}
	for _, tt := range tests {
		if got := redact.Text(ticket, tt.level, contacts); got != tt.want {
			t.Errorf("Text(ticket, %q) =\n%s\nwant\n%s", tt.level, got, tt.want)
		}
	}
}

// TestTextDetectors runs each detector at HIPAA, where every class but none
// of the level rules is in play, on text that must and must not match.
func TestTextDetectors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"email", "mail jane.doe@clinic.com now", "mail <EMAIL_ADDRESS> now"},
		{"email at end of sentence", "Write to it-support@sub.example.co.uk.", "Write to <EMAIL_ADDRESS>."},

		{"phone dashes", "call 555-123-4567 today", "call <PHONE_NUMBER> today"},
		{"phone parentheses", "call (555) 123-4567 today", "call <PHONE_NUMBER> today"},
		{"phone +1", "call +1 555 123 4567 today", "call <PHONE_NUMBER> today"},
		{"phone +1 and parentheses", "call +1 (555) 123-4567 or 1-(555) 123-4567", "call <PHONE_NUMBER> or <PHONE_NUMBER>"},
		{"phone dots", "call 555.123.4567 today", "call <PHONE_NUMBER> today"},
		{"phone 1-800", "call 1-800-555-1234 today", "call <PHONE_NUMBER> today"},
		{"phone extension", "call 555-123-4567 ext. 204 today", "call <PHONE_NUMBER> today"},
		{"phone international", "call +44 20 7946 0958 today", "call <PHONE_NUMBER> today"},
		{"phone E.164", "call +15558675309 today", "call <PHONE_NUMBER> today"},
		{"date is no phone", "due 2024-01-15 at 10:30:00", "due 2024-01-15 at 10:30:00"},
		{"ticket number is no phone", "see ticket #12345 and order 5558675309", "see ticket #12345 and order 5558675309"},
		{"short number is no phone", "ext 5551234, room 204, 3 PCs", "ext 5551234, room 204, 3 PCs"},
		{"number inside a longer number is no phone", "part 12-555-123-4567-9", "part 12-555-123-4567-9"},

		{"ssn", "SSN 123-45-6789.", "SSN <US_SSN>."},
		{"ssn spaces", "ssn is 123 45 6789", "ssn is <US_SSN>"},
		{"ssn unbroken after context", "SSN: 123456789", "SSN: <US_SSN>"},
		{"ssn area 000", "id 000-12-3456", "id 000-12-3456"},
		{"ssn area 666", "id 666-12-3456", "id 666-12-3456"},
		{"ssn area 9xx", "id 912-12-3456", "id 912-12-3456"},
		{"ssn group 00", "id 123-00-4567", "id 123-00-4567"},
		{"ssn serial 0000", "id 123-45-0000", "id 123-45-0000"},
		{"ssn mixed separators", "id 123-45 6789", "id 123-45 6789"},
		{"nine digits without context", "order 123456789", "order 123456789"},

		{"card spaces", "card 4111 1111 1111 1111 ok", "card <CREDIT_CARD> ok"},
		{"card dashes", "card 4111-1111-1111-1111 ok", "card <CREDIT_CARD> ok"},
		{"card unbroken", "card 4111111111111111 ok", "card <CREDIT_CARD> ok"},
		{"card amex", "amex 3782 822463 10005 ok", "amex <CREDIT_CARD> ok"},
		{"card followed by cvv", "card 5500 0000 0000 0004 123", "card <CREDIT_CARD> 123"},
		{"card failing Luhn", "card 4111 1111 1111 1112 ok", "card 4111 1111 1111 1112 ok"},
		{"16 digits failing Luhn", "ref 4111111111111112", "ref 4111111111111112"},
		{"zeros", "ref 0000 0000 0000 0000", "ref 0000 0000 0000 0000"},
		{"dates are no card", "2024-01-15 2024-01-16 2024-01-17", "2024-01-15 2024-01-16 2024-01-17"},

		{"iban grouped", "pay GB82 WEST 1234 5698 7654 32 now", "pay <IBAN_CODE> now"},
		{"iban unbroken", "pay DE89370400440532013000.", "pay <IBAN_CODE>."},
		{"iban lower case", "pay de89370400440532013000", "pay <IBAN_CODE>"},
		{"iban bad checksum", "pay GB82 WEST 1234 5698 7654 33 now", "pay GB82 WEST 1234 5698 7654 33 now"},
		{"iban bad checksum unbroken", "pay DE89370400440532013001", "pay DE89370400440532013001"},

		{"ipv4", "server 10.20.1.5 is down", "server <IP_ADDRESS> is down"},
		{"ipv4 with port and mask", "10.0.0.1:8080 and 192.168.1.0/24.", "<IP_ADDRESS>:8080 and <IP_ADDRESS>/24."},
		{"ipv4 octet out of range", "server 999.1.1.1 and 10.0.0.256", "server 999.1.1.1 and 10.0.0.256"},
		{"version is no ipv4", "build 1.2.3.4.5 and 10.0.19045.3803", "build 1.2.3.4.5 and 10.0.19045.3803"},
		{"ipv6", "gw 2001:db8::1 up", "gw <IP_ADDRESS> up"},
		{"ipv6 full", "gw fe80::1ff:fe23:4567:890a.", "gw <IP_ADDRESS>."},
		{"ipv6 after a label", "host:2001:db8::2", "host:<IP_ADDRESS>"},
		{"ipv4-mapped ipv6", "src ::ffff:10.0.0.1 ok", "src <IP_ADDRESS> ok"},
		{"time and mac are no ipv6", "at 10:30:45 mac 00:1a:2b:3c:4d:5e", "at 10:30:45 mac 00:1a:2b:3c:4d:5e"},
		{"scope operator is no ipv6", "std::vector and a :: b", "std::vector and a :: b"},

		{"passport", "passport 123456789 expired", "passport <US_PASSPORT> expired"},
		{"passport no.", "Passport No. A12345678", "Passport No. <US_PASSPORT>"},
		{"passport without number", "passport expired 2024-01-15", "passport expired 2024-01-15"},
		{"dl", "DL: D1234567", "DL: <US_DRIVER_LICENSE>"},
		{"driver's license", "driver's license number is D123-4567-8901.", "driver's license number is <US_DRIVER_LICENSE>."},
		{"driver licence", "driver licence 12345678", "driver licence <US_DRIVER_LICENSE>"},
		{"distribution list is no dl", "added to the DL Sales-Team; DL 2024 plan", "added to the DL Sales-Team; DL 2024 plan"},
		{"lower-case dl", "dl 12345678", "dl 12345678"},
		{"npi", "NPI 1234567893", "NPI <MEDICAL_LICENSE>"},
		{"dea", "DEA: AB1234563", "DEA: <MEDICAL_LICENSE>"},
		{"medical license", "medical license #MD-123456", "medical license #<MEDICAL_LICENSE>"},
		{"identifier without context", "asset A12345678 and 1234567893", "asset A12345678 and 1234567893"},

		{"street", "ship to 123 Main St.", "ship to <LOCATION>."},
		{"street with suite", "office 42 Elm Avenue, Suite 5 today", "office <LOCATION> today"},
		{"street with city", "at 1600 Pennsylvania Avenue NW, Washington, DC 20500.", "at <LOCATION>."},
		{"ordinal street", "at 350 5th Ave", "at <LOCATION>"},
		{"no street type", "restarted 3 servers on Main and 2 Dell laptops", "restarted 3 servers on Main and 2 Dell laptops"},

		{"overlap: ipv4 inside ipv6 keeps the ipv6", "::ffff:192.168.0.1", "<IP_ADDRESS>"},
		{"overlap: digits inside an email", "4111111111111111@bank.com", "<EMAIL_ADDRESS>"},
		{"overlap: dl number shaped like a phone", "DL 555-123-4567", "DL <US_DRIVER_LICENSE>"},
		{"nothing to redact", "Printer on floor 2 is jammed again.", "Printer on floor 2 is jammed again."},
		{"empty", "", ""},
	}
	r := redact.New(codex.ComplianceHIPAA, nil)
	for _, tt := range tests {
		if got := r.Text(tt.in); got != tt.want {
			t.Errorf("%s: Text(%q) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestTextKeepsClassesTheLevelAllows shows that a level never touches text of
// classes it does not redact.
func TestTextKeepsClassesTheLevelAllows(t *testing.T) {
	tests := []struct {
		level codex.ComplianceLevel
		in    string
	}{
		{codex.ComplianceStandard, "Jane Doe, jane.doe@clinic.com, 555-867-5309, 10.20.1.5, 2001:db8::1, " +
			"42 Elm Avenue, NPI 1234567893, Ms. Doe"},
		{codex.ComplianceCJIS, "NPI 1234567893, DEA AB1234563, medical license MD-123456"},
	}
	for _, tt := range tests {
		if got := redact.Text(tt.in, tt.level, contacts); got != tt.in {
			t.Errorf("Text(%q, %q) = %q; want it unchanged", tt.in, tt.level, got)
		}
	}
}

func TestRedactorConcurrent(t *testing.T) {
	r := redact.New(codex.ComplianceHIPAA, contacts)
	want := redact.Text(ticket, codex.ComplianceHIPAA, contacts)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				in := fmt.Sprintf("%s #%d-%d", ticket, g, i)
				if got, want := r.Text(in), fmt.Sprintf("%s #%d-%d", want, g, i); got != want {
					errs <- fmt.Sprintf("Text(%q) = %q; want %q", in, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// benchTicket is a 2 KB ticket with a handful of entities among ordinary text.
var benchTicket = func() string {
	var b strings.Builder
	for b.Len() < 2048 {
		b.WriteString("Reported by Jane Doe: the printer on floor 2 stopped after the 2024-01-15 update (ticket #12345). ")
		b.WriteString("We rebooted the print server at 10:30 and cleared the spooler; error 0x80070005 persists. ")
		b.WriteString("Reach her at jane.doe@clinic.com or 555-867-5309; server 10.20.1.5, card 4111 1111 1111 1111. ")
	}
	return b.String()
}()

func BenchmarkText(b *testing.B) {
	names := slices.Clone(contacts)
	for i := range 200 {
		names = append(names, fmt.Sprintf("Contact%d Person%d", i, i))
	}
	r := redact.New(codex.ComplianceHIPAA, names)
	b.SetBytes(int64(len(benchTicket)))
	b.ReportAllocs()
	for b.Loop() {
		r.Text(benchTicket)
	}
}

// FuzzText checks that no input makes Text panic, and that standard, whose
// classes are all numbers, leaves text without digits alone.
func FuzzText(f *testing.F) {
	f.Add(ticket)
	f.Add("+1 (555) 123-4567 ext 12, GB82 WEST 1234 5698 7654 32 was, ::ffff:10.0.0.1.")
	f.Add("Doe, Jane’s DL: D1234567 passport no. is A12345678 at 42 Elm Avenue, Suite 5")
	f.Add("é@é.é 1.2.3.4.5 4111-1111-1111-1111-1 SSN 123456789 van Dyke, Mary")
	levels := []*redact.Redactor{
		redact.New(codex.ComplianceStandard, contacts),
		redact.New(codex.ComplianceHIPAA, contacts),
		redact.New(codex.ComplianceCJIS, contacts),
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range levels {
			r.Text(s)
		}
		if !strings.ContainsAny(s, "0123456789") {
			if got := levels[0].Text(s); got != s {
				t.Errorf("standard Text(%q) = %q; want it unchanged", s, got)
			}
		}
	})
}
