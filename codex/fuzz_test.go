package codex

import (
	"strings"
	"testing"
)

// FuzzParseCIDR checks that prefix parsing never panics, that a parsed prefix prints to
// a string that parses back to itself, and that its range is ordered.
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "192.168.1.7/24", "::1/128", "2001:db8::/32", "10.0.0.0/33", "1.2.3.4", "::ffff:10.0.0.1/120", "", "/", "10.0.0.0/-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCIDR(s)
		if err != nil {
			return
		}
		q, err := ParseCIDR(p.String())
		if err != nil || q != p {
			t.Fatalf("ParseCIDR(%q) = %v, which parses back as %v, %v", s, p, q, err)
		}
		if lo, hi := CIDRRange(p); lo > hi {
			t.Fatalf("CIDRRange(%v) = %q > %q", p, lo, hi)
		}
	})
}

// FuzzParseIP checks that address parsing never panics and round-trips, and that the
// address lies in the range of its own /N prefixes.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "::1", "fe80::1%eth0", "2001:db8::1", "256.0.0.1", "1.2.3", "::ffff:1.2.3.4", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseIP(s)
		if err != nil {
			return
		}
		b, err := ParseIP(a.String())
		if err != nil || a != b {
			t.Fatalf("ParseIP(%q) = %v, which parses back as %v, %v", s, a, b, err)
		}
		if p, err := ParseCIDR(a.String() + "/16"); err == nil && !strings.Contains(a.String(), "%") {
			lo, hi := CIDRRange(p)
			if k := IPKey(a); a.Is4() == p.Addr().Is4() && (k < lo || k > hi) {
				t.Fatalf("IPKey(%v) = %q outside %v's range %q..%q", a, k, p, lo, hi)
			}
		}
	})
}

// FuzzLimits checks that the value limits never panic and refuse every text longer
// than the limit or holding NUL.
func FuzzLimits(f *testing.F) {
	f.Add("Jane", 10)
	f.Add(strings.Repeat("é", 300), 0)
	f.Add("a\x00b", 5)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		c := &Contact{CompanyID: 1, FirstName: "A", LastName: s, Title: strings.Repeat("t", max(0, min(n, 1000)))}
		err := c.Validate()
		_, bad := ErrorFields(err)["last_name"]
		tooLong := len([]rune(s)) > MaxText
		if (tooLong || strings.ContainsRune(s, 0)) && !bad {
			t.Fatalf("last name %q (%d characters) accepted", s, len([]rune(s)))
		}
	})
}
