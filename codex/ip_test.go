package codex_test

import (
	"testing"

	"github.com/hivematrix/codex/codex"
)

func TestCIDRRangeContainsKeys(t *testing.T) {
	tests := []struct {
		cidr   string
		inside []string
		out    []string
	}{
		{"10.20.0.0/16", []string{"10.20.0.0", "10.20.1.5", "10.20.255.255"}, []string{"10.19.255.255", "10.21.0.0", "::ffff:10.21.0.1"}},
		{"10.20.5.7/32", []string{"10.20.5.7"}, []string{"10.20.5.6", "10.20.5.8"}},
		{"2001:db8::/32", []string{"2001:db8::1", "2001:db8:ffff::"}, []string{"2001:db9::1", "10.0.0.1"}},
		{"0.0.0.0/0", []string{"0.0.0.0", "255.255.255.255"}, []string{"::1"}},
	}
	for _, tt := range tests {
		p, err := codex.ParseCIDR(tt.cidr)
		if err != nil {
			t.Fatalf("ParseCIDR(%q) = %v", tt.cidr, err)
		}
		lo, hi := codex.CIDRRange(p)
		check := func(s string, want bool) {
			ip, err := codex.ParseIP(s)
			if err != nil {
				t.Fatalf("ParseIP(%q) = %v", s, err)
			}
			k := codex.IPKey(ip)
			if got := lo <= k && k <= hi; got != want {
				t.Errorf("%s inside %s (by key) = %v; want %v", s, tt.cidr, got, want)
			}
		}
		for _, s := range tt.inside {
			check(s, true)
		}
		for _, s := range tt.out {
			check(s, false)
		}
	}
}

func TestParseIPRejectsJunk(t *testing.T) {
	for _, s := range []string{"", "999.1.1.1", "10.0.0", "fe80::1%eth0", "host.example.com"} {
		if _, err := codex.ParseIP(s); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("ParseIP(%q) error code = %q; want invalid", s, codex.ErrorCode(err))
		}
	}
	if _, err := codex.ParseCIDR("10.0.0.0/33"); err == nil {
		t.Errorf("ParseCIDR(10.0.0.0/33) = nil error; want invalid")
	}
}

func TestDateRoundTrip(t *testing.T) {
	d, err := codex.ParseDate("2026-02-28")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AddDays(1).String(); got != "2026-03-01" {
		t.Errorf("AddDays(1) = %s; want 2026-03-01", got)
	}
	b, _ := d.MarshalJSON()
	var back codex.Date
	if err := back.UnmarshalJSON(b); err != nil || back != d {
		t.Errorf("JSON round trip = %v, %v; want %v", back, err, d)
	}
	var scanned codex.Date
	if err := scanned.Scan("2026-02-28"); err != nil || scanned != d {
		t.Errorf("Scan(text) = %v, %v; want %v", scanned, err, d)
	}
	if err := scanned.Scan(d.Time()); err != nil || scanned != d {
		t.Errorf("Scan(time) = %v, %v; want %v", scanned, err, d)
	}
	if _, err := codex.ParseDate("2026-02-30"); err == nil {
		t.Errorf("ParseDate(2026-02-30) = nil error; want error")
	}
}

func TestValidationNamesFields(t *testing.T) {
	c := &codex.Company{Name: " ", Website: "ftp://x", Domains: []string{"not a domain"}}
	c.Defaults()
	err := c.Validate()
	fields := codex.ErrorFields(err)
	for _, f := range []string{"name", "website", "domains"} {
		if fields[f] == "" {
			t.Errorf("Company.Validate() fields = %v; want a message for %s", fields, f)
		}
	}
	s := &codex.Subnet{CompanyID: 1, CIDR: "10.0.0.0/24", Gateway: "10.0.1.1"}
	if got := codex.ErrorFields(s.Validate())["gateway"]; got == "" {
		t.Errorf("Subnet gateway outside CIDR: no error for gateway")
	}
	e := &codex.NetworkEquipment{CompanyID: 1, Name: "sw", IPAddress: "10.0.0.300"}
	e.Defaults()
	if got := codex.ErrorFields(e.Validate())["ip_address"]; got == "" {
		t.Errorf("equipment with IP 10.0.0.300: no error for ip_address")
	}
}
