package redact

import (
	"regexp"
	"strings"
)

// Phone, SSN, card and IPv4 detection works on clusters: maximal runs of
// digits and the separators these numbers are written with. Inside a cluster
// the digit groups and the separators between them are compared with each
// format by hand, which is several times faster than running a pattern per
// format and keeps each format's rule in one readable place.

var (
	// intlPhoneRE needs the leading "+" of the international format; it
	// only runs on clusters that contain a "+".
	intlPhoneRE = regexp.MustCompile(`\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}`)
	extensionRE = regexp.MustCompile(`^ ?(?:x|ext\.?|extension) ?\d{1,6}`)
)

// group is the byte range of a run of digits.
type group struct{ start, end int }

func (g group) len() int { return g.end - g.start }

// findNumbers runs the phone, SSN, card and IPv4 detectors enabled in on
// over each cluster of digits and separators in s.
func findNumbers(spans []span, s string, on classSet) []span {
	var gs []group
	for i := 0; i < len(s); {
		if !isNumberByte(s[i]) {
			i++
			continue
		}
		start, digits := i, 0
		for ; i < len(s) && isNumberByte(s[i]); i++ {
			if isDigit(s[i]) {
				digits++
			}
		}
		if digits < 4 {
			continue
		}
		gs = digitGroups(s, start, i, gs[:0])
		if on.has(Phone) && digits >= 7 {
			spans = findPhones(spans, s, gs)
			spans = findLocalPhones(spans, s, gs)
			if strings.IndexByte(s[start:i], '+') >= 0 {
				spans = findIntlPhones(spans, s, start, i)
			}
		}
		if on.has(SSN) && digits >= 9 {
			spans = findSSNs(spans, s, gs)
		}
		if on.has(CreditCard) && digits >= 13 {
			spans = findCards(spans, s, gs)
		}
		if on.has(IPAddress) {
			spans = findIPv4s(spans, s, gs)
		}
	}
	return spans
}

// isNumberByte reports whether c can be part of a phone, SSN, card number or
// IPv4 address.
func isNumberByte(c byte) bool {
	return isDigit(c) || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '+'
}

// digitGroups appends the digit runs of s[from:to] to dst.
func digitGroups(s string, from, to int, dst []group) []group {
	for i := from; i < to; {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start := i
		for i < to && isDigit(s[i]) {
			i++
		}
		dst = append(dst, group{start, i})
	}
	return dst
}

// sep returns the text between groups a and b.
func sep(s string, a, b group) string { return s[a.end:b.start] }

// oneOf reports whether v is a single byte from set.
func oneOf(v, set string) bool { return len(v) == 1 && strings.IndexByte(set, v[0]) >= 0 }

// findPhones adds North American numbers written with separators:
// 555-123-4567, 555.123.4567, 555 123 4567 and (555) 123-4567, each with an
// optional 1 or +1 in front and an extension after. Ten digits without
// separators are left alone (they are as often order numbers), and so are
// dates (2024-01-15), which have the wrong grouping.
func findPhones(spans []span, s string, gs []group) []span {
	for k := 0; k+2 < len(gs); k++ {
		a, b, c := gs[k], gs[k+1], gs[k+2]
		if a.len() != 3 || b.len() != 3 || c.len() != 4 || !oneOf(sep(s, b, c), " .-") {
			continue
		}
		start := a.start
		switch ab := sep(s, a, b); {
		case oneOf(ab, " .-"):
		case (ab == ")" || ab == ") ") && start > 0 && s[start-1] == '(':
			start--
		default:
			continue
		}
		// A leading country code 1, written "1-", "1 ", "+1 " or "+1(".
		if k > 0 && gs[k-1].len() == 1 && s[gs[k-1].start] == '1' {
			if p := s[gs[k-1].end:start]; p == "" && s[start] == '(' || oneOf(p, " .-") {
				start = gs[k-1].start
				if start > 0 && s[start-1] == '+' {
					start--
				}
			}
		}
		end := c.end
		if x := extensionRE.FindStringIndex(s[end:min(len(s), end+16)]); x != nil {
			end += x[1]
		}
		if tollFree(s[a.start:a.end]) {
			k += 2 // a business line, never a person's own number
			continue
		}
		if isolated(s, start, end) {
			spans = append(spans, span{start: start, end: end, class: Phone})
			k += 2
		}
	}
	return spans
}

// tollFree reports whether a North American area code is a toll-free one.
func tollFree(area string) bool {
	switch area {
	case "800", "833", "844", "855", "866", "877", "888":
		return true
	}
	return false
}

// findLocalPhones adds seven-digit local numbers written 555-0142 or 555.0142: a
// three-digit exchange that does not start with 0 or 1 and four digits, standing alone
// (not part of a longer number or a date).
func findLocalPhones(spans []span, s string, gs []group) []span {
	for k := 0; k+1 < len(gs); k++ {
		a, b := gs[k], gs[k+1]
		if a.len() != 3 || b.len() != 4 || !oneOf(sep(s, a, b), ".-") || s[a.start] < '2' {
			continue
		}
		if k > 0 && len(sep(s, gs[k-1], a)) <= 2 || k+2 < len(gs) && len(sep(s, b, gs[k+2])) <= 1 {
			continue // part of a longer number
		}
		end := b.end
		if x := extensionRE.FindStringIndex(s[end:min(len(s), end+16)]); x != nil {
			end += x[1]
		}
		if isolated(s, a.start, end) {
			spans = append(spans, span{start: a.start, end: end, class: Phone})
		}
	}
	return spans
}

// findIntlPhones adds, in s[from:to], international numbers written with a
// leading "+" and 8 to 15 digits (the E.164 limit): +44 20 7946 0958.
func findIntlPhones(spans []span, s string, from, to int) []span {
	for _, m := range intlPhoneRE.FindAllStringIndex(s[from:to], -1) {
		start, end := from+m[0], from+m[1]
		// A greedy match may run into a following number; give back
		// trailing groups until the digit count fits E.164.
		for countDigits(s[start:end]) > 15 {
			k := strings.LastIndexAny(s[start:end], " .-")
			if k <= 0 {
				break
			}
			end = start + k
		}
		if n := countDigits(s[start:end]); n >= 8 && n <= 15 && isolated(s, start, end) {
			spans = append(spans, span{start: start, end: end, class: Phone})
		}
	}
	return spans
}

// findSSNs adds US Social Security numbers written as 123-45-6789 or
// 123 45 6789 (one separator throughout) that the SSA could have issued.
func findSSNs(spans []span, s string, gs []group) []span {
	for k := 0; k+2 < len(gs); k++ {
		a, b, c := gs[k], gs[k+1], gs[k+2]
		if a.len() != 3 || b.len() != 2 || c.len() != 4 {
			continue
		}
		if p := sep(s, a, b); !oneOf(p, " -") || p != sep(s, b, c) {
			continue
		}
		if validSSN(s[a.start:a.end], s[b.start:b.end], s[c.start:c.end]) && isolated(s, a.start, c.end) {
			spans = append(spans, span{start: a.start, end: c.end, class: SSN})
			k += 2
		}
	}
	return spans
}

// validSSN applies the SSA's rules: no area 000, 666 or 900-999, no group
// 00, no serial 0000.
func validSSN(area, group, serial string) bool {
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// findCards adds payment card numbers: 13 to 19 digits that pass the Luhn
// check, either unbroken or grouped the way cards are printed (4-4-4-4,
// 4-6-5, 4-6-4). Groups joined by single spaces or dashes form a run; inside
// a run the card-shaped, Luhn-valid windows are taken, so "4111 1111 1111
// 1111 123" still finds the card.
func findCards(spans []span, s string, gs []group) []span {
	for lo := 0; lo < len(gs); {
		hi := lo + 1
		for hi < len(gs) && oneOf(sep(s, gs[hi-1], gs[hi]), " -") {
			hi++
		}
		run := gs[lo:hi]
		lo = hi
		if !isolated(s, run[0].start, run[len(run)-1].end) {
			continue
		}
		for i := 0; i < len(run); {
			found := false
			for j := len(run); j > i; j-- {
				w := run[i:j]
				if cardShaped(w) && luhn(s[w[0].start:w[len(w)-1].end]) {
					spans = append(spans, span{start: w[0].start, end: w[len(w)-1].end, class: CreditCard})
					i, found = j, true
					break
				}
			}
			if !found {
				i++
			}
		}
	}
	return spans
}

// cardShaped reports whether the digit groups w hold 13 to 19 digits laid
// out as on a card: one unbroken group, fours with a shorter last group, or
// the 4-6-5 and 4-6-4 layouts of American Express and Diners Club.
func cardShaped(w []group) bool {
	n := 0
	for _, g := range w {
		n += g.len()
	}
	switch {
	case n < 13 || n > 19:
		return false
	case len(w) == 1:
		return true
	case len(w) == 3 && w[0].len() == 4 && w[1].len() == 6 && (w[2].len() == 5 || w[2].len() == 4):
		return true
	}
	for _, g := range w[:len(w)-1] {
		if g.len() != 4 {
			return false
		}
	}
	return w[len(w)-1].len() <= 4
}

// luhn reports whether the digits of v (other bytes are skipped) pass the
// Luhn check. All zeros pass the arithmetic but are no card.
func luhn(v string) bool {
	sum, double, nonzero := 0, false, false
	for i := len(v) - 1; i >= 0; i-- {
		c := v[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		nonzero = nonzero || d != 0
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return nonzero && sum%10 == 0
}

// findIPv4s adds dotted-quad IPv4 addresses whose octets are 0 to 255.
// Version-like strings with more parts (1.2.3.4.5) are left alone.
func findIPv4s(spans []span, s string, gs []group) []span {
	for k := 0; k+3 < len(gs); k++ {
		w := gs[k : k+4]
		ok := true
		for i, g := range w {
			if g.len() > 3 || i > 0 && sep(s, w[i-1], g) != "." {
				ok = false
				break
			}
		}
		if ok && validIPv4(s[w[0].start:w[3].end]) && isolated(s, w[0].start, w[3].end) {
			spans = append(spans, span{start: w[0].start, end: w[3].end, class: IPAddress})
			k += 3
		}
	}
	return spans
}

// validIPv4 reports whether every dot-separated octet of v is at most 255.
// Leading zeros (010.000.000.001) are accepted: people pad addresses.
func validIPv4(v string) bool {
	for part := range strings.SplitSeq(v, ".") {
		n := 0
		for i := 0; i < len(part); i++ {
			n = n*10 + int(part[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}
