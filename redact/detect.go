package redact

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors' patterns, compiled once. A pattern only proposes
// candidates; the Go code around it validates them (checksums, ranges,
// boundaries). Patterns never scan a whole ticket: cheap byte scans find the
// few places where an entity could start (an "@", a cluster of digits, a
// context word) and the pattern runs there, on a short window, which keeps
// Text in the microseconds.
var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

	ibanRE = regexp.MustCompile(`^(?i)[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b`)

	// contextRE matches the words that introduce an identifier which has no
	// recognisable shape of its own. "DL" must be upper case: in lower case
	// it is too often something else.
	contextRE = regexp.MustCompile(`^(?:DL|(?i:passport|ssn|social\s+security|npi|dea|medical\s+licen[cs]e|driver['’]?s?\s+licen[cs]e|driving\s+licen[cs]e))\b`)

	locationRE = regexp.MustCompile(
		`^\d{1,6}[A-Za-z]?(?:-\d{1,5})? +` + // house number: 123, 123A, 12-14
			`(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.? +)?` +
			`(?:(?:[A-Z][A-Za-z'’-]*\.?|\d{1,3}(?:st|nd|rd|th)) +){1,4}` + // street name
			`(?:` + streetSuffixes() + `)\b` +
			`(?:\.? +(?:N|S|E|W|NE|NW|SE|SW)\b)?` +
			`(?:\.?,? +(?:Suite|Ste|STE|Apt|APT|Apartment|Unit|Floor|Fl|Bldg|Building|Room|Rm)\.? *#? *[A-Za-z0-9-]*\d[A-Za-z0-9-]*|\.?,? *# *[A-Za-z0-9-]*\d[A-Za-z0-9-]*)?` +
			`(?:\.?, +[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,3}, +[A-Z]{2}(?: +\d{5}(?:-\d{4})?)?)?`)
)

// streetSuffixes returns the street-type words of a US address, in title and
// upper case, as a regexp alternation.
func streetSuffixes() string {
	words := []string{
		"Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Boulevard", "Blvd",
		"Drive", "Dr", "Lane", "Ln", "Way", "Court", "Ct", "Place", "Pl",
		"Terrace", "Ter", "Parkway", "Pkwy", "Highway", "Hwy", "Circle", "Cir",
		"Square", "Sq", "Trail", "Trl", "Plaza", "Plz", "Pike", "Alley", "Aly",
		"Loop", "Crescent", "Cres", "Freeway", "Fwy", "Expressway", "Expy",
		"Turnpike", "Tpke", "Route", "Rte",
	}
	all := make([]string, 0, 2*len(words))
	for _, w := range words {
		all = append(all, w, strings.ToUpper(w))
	}
	return strings.Join(all, "|")
}

// findEmails adds e-mail addresses, looking around each "@".
func findEmails(spans []span, s string) []span {
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '@')
		if k < 0 {
			break
		}
		k += i
		l, r := k, k+1
		for l > 0 && isEmailByte(s[l-1]) {
			l--
		}
		for r < len(s) && isEmailByte(s[r]) && s[r] != '@' {
			r++
		}
		if m := emailRE.FindStringIndex(s[l:r]); m != nil {
			start := l + m[0]
			for s[start] == '.' {
				start++
			}
			spans = append(spans, span{start: start, end: l + m[1], class: Email})
		}
		i = r
	}
	return spans
}

func isEmailByte(c byte) bool {
	return isLetter(c) || isDigit(c) || strings.IndexByte("._%+-@", c) >= 0
}

// findIBANs adds IBANs, printed in groups of four or unbroken, whose mod-97
// checksum holds. Words caught after the number ("... 32 was") are given
// back one group at a time.
func findIBANs(spans []span, s string) []span {
	for i := 0; i+4 <= len(s); i++ {
		// Candidates start a word with two letters and two digits.
		if !isDigit(s[i+3]) || !isDigit(s[i+2]) || !isLetter(s[i+1]) || !isLetter(s[i]) || !wordStart(s, i) {
			continue
		}
		m := ibanRE.FindStringIndex(s[i:min(len(s), i+64)])
		if m == nil {
			continue
		}
		start, end := i, i+m[1]
		for end-start >= 15 {
			if validIBAN(s[start:end]) && isolated(s, start, end) {
				spans = append(spans, span{start: start, end: end, class: IBAN})
				i = end
				break
			}
			k := strings.LastIndexByte(s[start:end], ' ')
			if k < 0 {
				break
			}
			end = start + k
		}
	}
	return spans
}

// validIBAN reports whether v, spaces ignored, is an IBAN: a country code,
// two check digits and up to 30 letters or digits, with the ISO 13616 mod-97
// remainder 1.
func validIBAN(v string) bool {
	var b [34]byte
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			continue
		}
		if n == len(b) {
			return false
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b[n] = c
		n++
	}
	if n < 15 || !isUpper(b[0]) || !isUpper(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return false
	}
	rem := 0
	for i := range n {
		c := b[(i+4)%n] // the first four characters move to the end
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// findIPv6s adds IPv6 addresses that net/netip accepts. Candidates are runs
// of hex digits, dots and at least two colons; colons and dots that belong to
// the sentence ("host:fe80::1.") are trimmed first.
func findIPv6s(spans []span, s string) []span {
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], ':')
		if k < 0 {
			break
		}
		start, end := i+k, i+k
		for start > 0 && isIPv6Byte(s[start-1]) {
			start--
		}
		for end < len(s) && isIPv6Byte(s[end]) {
			end++
		}
		i = end
		if strings.Count(s[start:end], ":") < 2 {
			continue
		}
		for start < end && s[start] == '.' {
			start++
		}
		if start < end && s[start] == ':' && !strings.HasPrefix(s[start:end], "::") {
			start++
		}
		for end > start && (s[end-1] == '.' || s[end-1] == ':' && !strings.HasSuffix(s[start:end], "::")) {
			end--
		}
		v := s[start:end]
		if !strings.ContainsAny(v, "0123456789abcdefABCDEF") {
			continue // "::" alone is an operator more often than an address
		}
		if a, err := netip.ParseAddr(v); err == nil && a.Is6() && isolated(s, start, end) {
			spans = append(spans, span{start: start, end: end, class: IPAddress})
		}
	}
	return spans
}

func isIPv6Byte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == ':' || c == '.'
}

// findLocations adds US street addresses: a house number, a capitalised
// street name and a street type ("123 Main St", "42 Elm Avenue, Suite 5"),
// with an optional unit and "City, ST 12345".
func findLocations(spans []span, s string) []span {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || !wordStart(s, i) {
			continue
		}
		j := i
		for j < len(s) && (isDigit(s[j]) || isLetter(s[j]) || s[j] == '-') {
			j++
		}
		if streetNameFollows(s[j:]) {
			if m := locationRE.FindStringIndex(s[i:min(len(s), i+200)]); m != nil && isolated(s, i, i+m[1]) {
				spans = append(spans, span{start: i, end: i + m[1], class: Location})
				j = i + m[1]
			}
		}
		i = j
	}
	return spans
}

// streetNameFollows reports whether s, the text after a house number, starts
// with spaces and a capitalised word or an ordinal ("5th"): the only places
// worth running locationRE.
func streetNameFollows(s string) bool {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == 0 || i == len(s) {
		return false
	}
	if isUpper(s[i]) {
		return true
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i || j+2 > len(s) {
		return false
	}
	switch s[j : j+2] {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

// findByContext adds identifiers that are only recognisable by the word in
// front of them: passport, driver-licence and medical-licence (NPI, DEA)
// numbers, and SSNs written without separators after "SSN". Only the
// identifier is replaced; the context word stays.
func findByContext(spans []span, s string, on classSet) []span {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) || !contextPrefix(s[i:]) || !wordStart(s, i) {
			continue
		}
		m := contextRE.FindStringIndex(s[i:min(len(s), i+40)])
		if m == nil {
			continue
		}
		var c Class
		switch strings.ToLower(s[i : i+2]) {
		case "pa":
			c = Passport
		case "ss", "so":
			c = SSN
		case "np", "de", "me":
			c = MedicalLicense
		default: // "DL", "driver's license", "driving licence"
			c = DriverLicense
		}
		i += m[1] - 1
		if !on.has(c) {
			continue
		}
		start, end := contextID(s, i+1)
		if start < end && validContextID(c, s[start:end]) {
			spans = append(spans, span{start: start, end: end, class: c})
			i = end - 1
		}
	}
	return spans
}

// contextPrefix reports whether s starts like one of contextRE's words; it
// spares running the pattern at every word.
func contextPrefix(s string) bool {
	switch s[0] | 0x20 { // ASCII lower case
	case 'p':
		return hasPrefixFold(s, "passport")
	case 's':
		return hasPrefixFold(s, "ssn") || hasPrefixFold(s, "social")
	case 'n':
		return hasPrefixFold(s, "npi")
	case 'd':
		return strings.HasPrefix(s, "DL") || hasPrefixFold(s, "dea") || hasPrefixFold(s, "driv")
	case 'm':
		return hasPrefixFold(s, "medical")
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p,
// ignoring case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := s[i]; c != p[i] && c|0x20 != p[i] {
			return false
		}
	}
	return true
}

// wordStart reports whether s[i] starts a word: the rune before it, if any,
// is no letter or digit.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return !isLetter(c) && !isDigit(c) && c != '_'
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWordRune(r)
}

// contextID returns the bounds of the identifier that follows a context word
// ending at i, skipping punctuation and filler words ("passport no. is
// 123456789").
func contextID(s string, i int) (start, end int) {
	for range 6 {
		for i < len(s) && strings.IndexByte(" \t\r\n:#.=-", s[i]) >= 0 {
			i++
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j == i || (j < len(s) && isDigit(s[j])) || !isFiller(s[i:j]) {
			break
		}
		i = j
	}
	j := i
	for j < len(s) && (isLetter(s[j]) || isDigit(s[j]) || s[j] == '-') {
		j++
	}
	for j > i && s[j-1] == '-' {
		j--
	}
	if !isolated(s, i, j) {
		return i, i
	}
	return i, j
}

// isFiller reports whether w is a word that may stand between a context word
// and its identifier.
func isFiller(w string) bool {
	switch strings.ToLower(w) {
	case "no", "nr", "nbr", "num", "number", "id", "is", "was", "ending":
		return true
	}
	return false
}

// validContextID reports whether id, found after a context word for class
// c, looks like such an identifier: a US passport is nine digits or a letter
// and eight digits; an SSN after "SSN" is nine valid digits; licence numbers
// are 5 to 20 characters with at least four digits.
func validContextID(c Class, id string) bool {
	digits := countDigits(id)
	switch c {
	case Passport:
		return len(id) == 9 && (digits == 9 || digits == 8 && isLetter(id[0]))
	case SSN:
		return len(id) == 9 && digits == 9 && validSSN(id[0:3], id[3:5], id[5:9])
	default:
		return len(id) >= 5 && len(id) <= 20 && digits >= 4
	}
}

// isolated reports whether s[i:j] stands on its own: it is not glued to a
// letter or digit, nor continued by a dot or dash and more digits (so
// 1.2.3.4.5 holds no IPv4 address and 12-555-123-4567 no phone number).
func isolated(s string, i, j int) bool {
	if i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if isWordRune(r) {
			return false
		}
		if (r == '.' || r == '-') && i-n > 0 && isDigit(s[i-n-1]) {
			return false
		}
	}
	if j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			return false
		}
		if (r == '.' || r == '-') && j+n < len(s) && isDigit(s[j+n]) {
			return false
		}
	}
	return true
}

func countDigits(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			n++
		}
	}
	return n
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isLetter(c byte) bool { return isUpper(c) || 'a' <= c && c <= 'z' }

// isWordRune reports whether r can be part of a word or number.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isLetter(c) || isDigit(c) || c == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
