package redact

import (
	"regexp"
	"strings"
)

// valueKind is the shape of the value a label introduces.
type valueKind uint8

const (
	idValue    valueKind = iota // letters, digits and dashes with enough digits; may carry a letter prefix ("ORDL 7743019")
	dateValue                   // a calendar date
	phoneValue                  // 7 to 15 digits with phone separators
	last4Value                  // the last four digits of a number
)

// label is a word sequence that introduces an identifier of class: "MRN 448812",
// "badge #3317", "driver licence ORDL 7743019", "DOB 03/14/1961".
type label struct {
	words     []string // lower case
	class     Class
	kind      valueKind
	minDigits int
	notAfter  []string // words that, right before the label, mean something else ("service tag")
	upper     bool     // the label counts only in capitals ("DL", not "dl")
}

// vendorWords, before a case or incident label, mean a vendor's support case, which is
// no criminal-justice record.
var vendorWords = []string{"support", "vendor", "microsoft", "dell", "cisco", "hp", "tac", "apple", "google",
	"adobe", "fortinet", "datto", "veeam", "sophos", "lenovo", "vmware", "carrier", "isp", "our", "psa", "freshservice", "servicenow"}

// labels is the table of labelled identifiers. Adding a label is one line.
var labels = buildLabels([]label{
	// Dates of birth.
	{words: w("dob"), class: DateOfBirth, kind: dateValue},
	{words: w("d o b"), class: DateOfBirth, kind: dateValue},
	{words: w("date of birth"), class: DateOfBirth, kind: dateValue},
	{words: w("birth date"), class: DateOfBirth, kind: dateValue},
	{words: w("birthdate"), class: DateOfBirth, kind: dateValue},
	{words: w("birthday"), class: DateOfBirth, kind: dateValue},
	{words: w("born"), class: DateOfBirth, kind: dateValue},
	{words: w("born on"), class: DateOfBirth, kind: dateValue},
	// Medical record numbers.
	{words: w("mrn"), class: MRN, minDigits: 3},
	{words: w("medical record"), class: MRN, minDigits: 3},
	{words: w("medical record number"), class: MRN, minDigits: 3},
	{words: w("med rec"), class: MRN, minDigits: 3},
	{words: w("chart"), class: MRN, minDigits: 4},
	{words: w("chart number"), class: MRN, minDigits: 3},
	{words: w("patient id"), class: MRN, minDigits: 3},
	{words: w("patient number"), class: MRN, minDigits: 3},
	{words: w("pt id"), class: MRN, minDigits: 3},
	{words: w("emr id"), class: MRN, minDigits: 3},
	// Health plan, beneficiary, account and other unique numbers of a person.
	{words: w("member id"), class: IDNumber, minDigits: 3},
	{words: w("member number"), class: IDNumber, minDigits: 3},
	{words: w("subscriber id"), class: IDNumber, minDigits: 3},
	{words: w("policy number"), class: IDNumber, minDigits: 3},
	{words: w("policy"), class: IDNumber, minDigits: 5},
	{words: w("insurance id"), class: IDNumber, minDigits: 3},
	{words: w("medicaid"), class: IDNumber, minDigits: 4},
	{words: w("medicaid id"), class: IDNumber, minDigits: 3},
	{words: w("medicare"), class: IDNumber, minDigits: 1, notAfter: nil},
	{words: w("medicare id"), class: IDNumber, minDigits: 1},
	{words: w("mbi"), class: IDNumber, minDigits: 1},
	{words: w("patient account"), class: IDNumber, minDigits: 3},
	{words: w("claim"), class: IDNumber, minDigits: 5, notAfter: []string{"warranty", "rma", "vendor", "support", "shipping", "freight"}},
	{words: w("claim number"), class: IDNumber, minDigits: 3},
	{words: w("booking"), class: IDNumber, minDigits: 4},
	{words: w("booking number"), class: IDNumber, minDigits: 3},
	{words: w("inmate"), class: IDNumber, minDigits: 4},
	{words: w("inmate number"), class: IDNumber, minDigits: 3},
	{words: w("sid"), class: IDNumber, minDigits: 5},
	{words: w("fbi"), class: IDNumber, minDigits: 4},
	{words: w("fbi number"), class: IDNumber, minDigits: 3},
	{words: w("dl"), class: DriverLicense, minDigits: 5, upper: true},
	// Driver licences and state ids (the older "DL" and "driver's license" words are in contextRE).
	{words: w("driver licence"), class: DriverLicense, minDigits: 3},
	{words: w("driver license"), class: DriverLicense, minDigits: 3},
	{words: w("drivers licence"), class: DriverLicense, minDigits: 3},
	{words: w("drivers license"), class: DriverLicense, minDigits: 3},
	{words: w("driver's licence"), class: DriverLicense, minDigits: 3},
	{words: w("driver's license"), class: DriverLicense, minDigits: 3},
	{words: w("driving licence"), class: DriverLicense, minDigits: 3},
	{words: w("oln"), class: DriverLicense, minDigits: 3},
	{words: w("state id"), class: DriverLicense, minDigits: 4},
	{words: w("id card"), class: DriverLicense, minDigits: 4},
	// Badge and officer numbers.
	{words: w("badge"), class: Badge, minDigits: 2},
	{words: w("badge number"), class: Badge, minDigits: 2},
	{words: w("officer number"), class: Badge, minDigits: 2},
	{words: w("officer id"), class: Badge, minDigits: 2},
	{words: w("star number"), class: Badge, minDigits: 2},
	// Plates and vehicle identification numbers.
	{words: w("plate"), class: Plate, minDigits: 1},
	{words: w("plates"), class: Plate, minDigits: 1},
	{words: w("plate number"), class: Plate, minDigits: 1},
	{words: w("license plate"), class: Plate, minDigits: 1},
	{words: w("licence plate"), class: Plate, minDigits: 1},
	{words: w("tag"), class: Plate, minDigits: 1, notAfter: []string{"asset", "service", "property", "inventory", "express", "vlan", "html", "git", "version", "release", "docker", "image"}},
	{words: w("vin"), class: Plate, minDigits: 3},
	// Case, incident, arrest, report, citation and warrant numbers.
	{words: w("case"), class: CaseNumber, minDigits: 4, notAfter: vendorWords},
	{words: w("case number"), class: CaseNumber, minDigits: 3, notAfter: vendorWords},
	{words: w("incident"), class: CaseNumber, minDigits: 4, notAfter: vendorWords},
	{words: w("incident number"), class: CaseNumber, minDigits: 3, notAfter: vendorWords},
	{words: w("report number"), class: CaseNumber, minDigits: 3},
	{words: w("arrest"), class: CaseNumber, minDigits: 4},
	{words: w("arrest number"), class: CaseNumber, minDigits: 3},
	{words: w("citation"), class: CaseNumber, minDigits: 4},
	{words: w("warrant"), class: CaseNumber, minDigits: 4},
	{words: w("warrant number"), class: CaseNumber, minDigits: 3},
	{words: w("cad"), class: CaseNumber, minDigits: 4},
	{words: w("cad incident"), class: CaseNumber, minDigits: 3},
	{words: w("docket"), class: CaseNumber, minDigits: 4},
	{words: w("offense"), class: CaseNumber, minDigits: 4},
	{words: w("complaint"), class: CaseNumber, minDigits: 4},
	// NCIC numbers.
	{words: w("ncic"), class: NCIC, minDigits: 6},
	{words: w("nic"), class: NCIC, minDigits: 6},
	{words: w("ncic number"), class: NCIC, minDigits: 6},
	// Phones given without separators ("cell 5035550142").
	{words: w("phone"), class: Phone, kind: phoneValue},
	{words: w("cell"), class: Phone, kind: phoneValue},
	{words: w("mobile"), class: Phone, kind: phoneValue},
	{words: w("tel"), class: Phone, kind: phoneValue},
	{words: w("fax"), class: Phone, kind: phoneValue},
	{words: w("call"), class: Phone, kind: phoneValue},
	{words: w("callback"), class: Phone, kind: phoneValue},
	// The last four digits of an SSN.
	{words: w("ssn ending"), class: SSN, kind: last4Value},
	{words: w("last four of ssn"), class: SSN, kind: last4Value},
	{words: w("last 4 of ssn"), class: SSN, kind: last4Value},
	{words: w("last four of the ssn"), class: SSN, kind: last4Value},
	{words: w("ssn last four"), class: SSN, kind: last4Value},
	{words: w("ssn last 4"), class: SSN, kind: last4Value},
})

func w(s string) []string { return strings.Fields(s) }

// buildLabels indexes labels by their first word, longest first, so the longest label
// that matches wins.
func buildLabels(ls []label) map[string][]label {
	m := make(map[string][]label)
	for _, l := range ls {
		m[l.words[0]] = append(m[l.words[0]], l)
	}
	for k, v := range m {
		for i := 1; i < len(v); i++ {
			for j := i; j > 0 && len(v[j].words) > len(v[j-1].words); j-- {
				v[j], v[j-1] = v[j-1], v[j]
			}
		}
		m[k] = v
	}
	return m
}

// findLabelled adds identifiers introduced by a label of the table. Only the identifier
// is replaced; the label stays, so the text still says what was there.
func findLabelled(spans []span, s string, on classSet) []span {
	var buf, prevBuf [32]byte
	prev := prevBuf[:0] // the word before the current one, lower case
	for wd := nextWord(s, 0); wd.start < len(s); wd = nextWord(s, wd.end) {
		key := appendLower(buf[:0], s[wd.start:wd.end])
		cands := labels[string(key)]
		if len(cands) == 0 {
			prev = append(prevBuf[:0], key...)
			continue
		}
		for _, l := range cands {
			if !on.has(l.class) || contains(l.notAfter, string(prev)) || l.upper && !isUpper(s[wd.start]) {
				continue
			}
			end, ok := matchLabel(s, wd, l.words)
			if !ok {
				continue
			}
			start, stop := labelValue(s, end, l)
			if start < stop {
				spans = append(spans, span{start: start, end: stop, class: l.class})
				break
			}
		}
		prev = append(prevBuf[:0], key...)
	}
	return spans
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// matchLabel reports whether the words of a label start at wd, joined by spaces or
// short punctuation ("D.O.B", "driver's license"), and where the label ends.
func matchLabel(s string, wd word, words []string) (int, bool) {
	for k, want := range words {
		if k > 0 {
			next := nextWord(s, wd.end)
			gap := s[wd.end:next.start]
			if next.start == len(s) || len(gap) == 0 || len(gap) > 2 || strings.ContainsAny(gap, "\n\r") {
				return 0, false
			}
			wd = next
		}
		if !strings.EqualFold(s[wd.start:wd.end], want) {
			return 0, false
		}
	}
	return wd.end, true
}

// labelValue returns the bounds of the value of l after a label ending at i, skipping
// punctuation and filler words ("MRN: 448812", "badge no. 3317", "DL # is ORDL 7743019").
func labelValue(s string, i int, l label) (int, int) {
	for range 4 {
		for i < len(s) && strings.IndexByte(" \t:#.=-(", s[i]) >= 0 {
			i++
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j == i || (j < len(s) && (isDigit(s[j]) || s[j] == '-')) || !isLabelFiller(s[i:j]) {
			break
		}
		i = j
	}
	if i >= len(s) {
		return i, i
	}
	switch l.kind {
	case dateValue:
		if m := dateRE.FindStringIndex(s[i:min(len(s), i+40)]); m != nil && isolated(s, i, i+m[1]) {
			return i, i + m[1]
		}
		return i, i
	case phoneValue:
		j := i
		if j < len(s) && s[j] == '+' {
			j++
		}
		for j < len(s) && (isDigit(s[j]) || (strings.IndexByte(" .-()", s[j]) >= 0 && j+1 < len(s) && isDigit(s[j+1]))) {
			j++
		}
		if n := countDigits(s[i:j]); n >= 7 && n <= 15 && isolated(s, i, j) {
			return i, j
		}
		return i, i
	case last4Value:
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 4 && isolated(s, i, j) {
			return i, j
		}
		return i, i
	}
	return idToken(s, i, l)
}

// idToken reads an identifier at i: letters, digits, "-" and "/", optionally after an
// upper-case prefix of up to five letters and one space ("ORDL 7743019", "OR DL-55102").
func idToken(s string, i int, l label) (int, int) {
	start := i
	// Up to two prefixes in capitals: a state and a document code.
	for range 2 {
		j := i
		for j < len(s) && isUpper(s[j]) {
			j++
		}
		if j == i || j-i > 5 || j+1 >= len(s) || s[j] != ' ' {
			break
		}
		k := j + 1
		for k < len(s) && (isUpper(s[k]) || isDigit(s[k])) {
			k++
		}
		if !strings.ContainsAny(s[j+1:k], "0123456789") && !(k < len(s) && s[k] == ' ') {
			break
		}
		i = j + 1
	}
	j := i
	for j < len(s) && (isLetter(s[j]) || isDigit(s[j]) || (s[j] == '-' || s[j] == '/') && j+1 < len(s) && (isDigit(s[j+1]) || isUpper(s[j+1]))) {
		j++
	}
	// A plate may be written in two groups ("ABC 1234", "7 ABC 123").
	if l.class == Plate && j < len(s) && s[j] == ' ' && j-start <= 4 {
		k := j + 1
		for k < len(s) && (isUpper(s[k]) || isDigit(s[k])) {
			k++
		}
		if k > j+1 && k-j <= 5 && isolated(s, j+1, k) {
			j = k
		}
	}
	v := s[start:j]
	if j == start || countDigits(v) < max(l.minDigits, 1) || len(v) > 24 || !isolated(s, start, j) {
		return start, start
	}
	if l.class == CaseNumber && hasTicketPrefix(v) {
		return start, start // a PSA's own ticket number ("INC0012345")
	}
	if l.class == Plate && (len(v) < 3 || strings.IndexFunc(v, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0) {
		return start, start // plates are written in capitals
	}
	return start, j
}

// hasTicketPrefix reports whether v is numbered like a service desk's record: INC, REQ,
// RITM, CHG, PRB, TASK or SR followed by digits.
func hasTicketPrefix(v string) bool {
	for _, p := range []string{"INC", "REQ", "RITM", "CHG", "PRB", "TASK", "SR"} {
		if strings.HasPrefix(v, p) && len(v) > len(p) && isDigit(v[len(p)]) {
			return true
		}
	}
	return false
}

// isLabelFiller reports whether w may stand between a label and its value.
func isLabelFiller(w string) bool {
	switch strings.ToLower(w) {
	case "no", "nr", "nbr", "num", "number", "is", "was", "of", "id", "ending", "in", "on", "at", "ref", "reference", "hit":
		return true
	}
	return false
}

// months is a regexp alternation of month names and their abbreviations.
const months = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`

var (
	// dateRE matches a date at the start of a value: 03/14/1961, 3-14-61, 1961-03-14,
	// March 14, 1961, 14 Mar 1961.
	dateRE = regexp.MustCompile(`^(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|` +
		months + `\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} ` + months + `\.?,? \d{4})`)
	// oldDateRE matches full dates from 1900 to 2009 anywhere: in an MSP's tickets such a
	// date is a birth date far more often than anything else.
	oldDateRE = regexp.MustCompile(`\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19\d\d|200\d)|(?:19\d\d|200\d)-\d{1,2}-\d{1,2}|` +
		months + `\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19\d\d|200\d)|\d{1,2} ` + months + `\.?,? (?:19\d\d|200\d))\b`)
)

// findBirthDates adds full dates from the years 1900 to 2009 without a label. Only the
// few places where such a year stands (four digits, 19xx or 200x) are looked at: the
// pattern runs on a short window that ends with the year.
func findBirthDates(spans []span, s string) []span {
	for i := 0; i+4 <= len(s); i++ {
		if s[i] != '1' && s[i] != '2' || !wordStart(s, i) {
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i != 4 || !(s[i:i+2] == "19" || s[i:i+3] == "200") {
			i = j
			continue
		}
		// The year ends a date (03/14/1961, March 14, 1961) or starts one (1961-03-14).
		from, to := max(0, i-24), min(len(s), j+6)
		for _, m := range oldDateRE.FindAllStringIndex(s[from:to], -1) {
			start, end := from+m[0], from+m[1]
			if start <= i && i < end && isolated(s, start, end) {
				spans = append(spans, span{start: start, end: end, class: DateOfBirth})
			}
		}
		i = j
	}
	return spans
}
