package codex

import (
	"encoding/hex"
	"net/netip"
	"strings"
)

// IPKey encodes an address as 32 lowercase hex digits of its 16-byte (IPv4-mapped) form.
// Keys compare in address order as plain text on every database, so "inside a CIDR" is a
// range query (lo <= key <= hi) and duplicates are equal keys.
func IPKey(a netip.Addr) string {
	b := a.As16()
	return hex.EncodeToString(b[:])
}

// ParseIP parses an IPv4 or IPv6 address, rejecting zones.
func ParseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, Errorf(Invalid, "%q is not an IP address", s)
	}
	return a.Unmap(), nil
}

// ParseCIDR parses a network prefix such as 10.20.0.0/16, masking host bits.
func ParseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, Errorf(Invalid, "%q is not a CIDR prefix", s)
	}
	return p.Masked(), nil
}

// CIDRRange returns the first and last IPKey inside p.
func CIDRRange(p netip.Prefix) (lo, hi string) {
	first := p.Masked().Addr()
	b := first.As16()
	bits := p.Bits()
	if first.Is4() {
		bits += 96
	}
	last := b
	for i := bits; i < 128; i++ {
		last[i/8] |= 1 << (7 - uint(i%8))
	}
	return hex.EncodeToString(b[:]), hex.EncodeToString(last[:])
}
