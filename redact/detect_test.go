package redact

import "testing"

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},
		{"4111 1111 1111 1111", true},
		{"378282246310005", true},
		{"6011111111111117", true},
		{"4111111111111112", false},
		{"0000000000000000", false},
		{"1234567812345678", false},
		{"1234567812345670", true},
	}
	for _, tt := range tests {
		if got := luhn(tt.in); got != tt.want {
			t.Errorf("luhn(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidIBAN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"GB82 WEST 1234 5698 7654 32", true},
		{"GB82WEST12345698765432", true},
		{"DE89370400440532013000", true},
		{"FR1420041010050500013M02606", true},
		{"NL91ABNA0417164300", true},
		{"gb82west12345698765432", true},
		{"GB82 WEST 1234 5698 7654 33", false},
		{"GB28 WEST 1234 5698 7654 32", false},
		{"DE8937040044", false},                             // too short
		{"DE89370400440532013000DE8937040044053201", false}, // too long
		{"1289370400440532013000", false},                   // no country code
		{"DE89-3704-0044-0532-0130-00", false},
	}
	for _, tt := range tests {
		if got := validIBAN(tt.in); got != tt.want {
			t.Errorf("validIBAN(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidSSN(t *testing.T) {
	tests := []struct {
		area, group, serial string
		want                bool
	}{
		{"123", "45", "6789", true},
		{"078", "05", "1120", true},
		{"000", "45", "6789", false},
		{"666", "45", "6789", false},
		{"900", "45", "6789", false},
		{"999", "45", "6789", false},
		{"123", "00", "6789", false},
		{"123", "45", "0000", false},
	}
	for _, tt := range tests {
		if got := validSSN(tt.area, tt.group, tt.serial); got != tt.want {
			t.Errorf("validSSN(%q, %q, %q) = %v; want %v", tt.area, tt.group, tt.serial, got, tt.want)
		}
	}
}

func TestValidIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"10.20.1.5", true},
		{"0.0.0.0", true},
		{"255.255.255.255", true},
		{"010.000.000.001", true},
		{"256.1.1.1", false},
		{"999.1.1.1", false},
		{"1.1.1.300", false},
	}
	for _, tt := range tests {
		if got := validIPv4(tt.in); got != tt.want {
			t.Errorf("validIPv4(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestResolvePrefersLongerThenMoreSpecific(t *testing.T) {
	spans := []span{
		{start: 0, end: 5, class: Phone},
		{start: 3, end: 12, class: Email},
		{start: 12, end: 16, class: Phone},
		{start: 12, end: 16, class: CreditCard},
		{start: 20, end: 22, class: Person},
	}
	got := resolve(spans, 30)
	want := []span{
		{start: 3, end: 12, class: Email},
		{start: 12, end: 16, class: CreditCard},
		{start: 20, end: 22, class: Person},
	}
	if len(got) != len(want) {
		t.Fatalf("resolve(...) = %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("resolve(...)[%d] = %v; want %v", i, got[i], want[i])
		}
	}
}
