// Package redact finds protected health information (PHI) and criminal-justice
// information (CJIS) in free text and replaces it according to a company's
// compliance level.
//
// Detection leans towards precision where a false positive would damage
// ordinary ticket text: card numbers must pass the Luhn check, IBANs the
// mod-97 check, SSNs the Social Security Administration's structural rules,
// IP addresses must parse, and passport, driver-licence and medical-licence
// numbers are recognised only after a context word such as "passport", "DL"
// or "NPI". Identifiers without a shape of their own (MRN, badge, case, NCIC,
// member, plate numbers, dates of birth) are found after their label words, from
// one table in label.go. People's names are found three ways: the company's
// own contacts, passed in by the caller, are shortened ("Jane D."); other names
// become <PERSON> when a title or role word precedes them ("patient", "Deputy",
// "Dr."), when a given name from the embedded lexicon (lexicon/) is followed by
// a capitalised surname, or when a common given name stands alone.
//
// Every enabled detector reports spans of the original text; overlapping spans
// are resolved (the longer wins, then the more specific class) before anything
// is replaced, so one replacement can never corrupt another. Detectors for
// classes a level does not redact are not run at all.
package redact

import (
	"slices"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// Class is an entity class that can be redacted. Its value is the placeholder
// name used in redacted text ("<EMAIL_ADDRESS>").
type Class string

// The entity classes. The values match the platform's existing analyzer so
// redacted text reads the same everywhere.
const (
	Person         Class = "PERSON"
	Email          Class = "EMAIL_ADDRESS"
	Phone          Class = "PHONE_NUMBER"
	SSN            Class = "US_SSN"
	CreditCard     Class = "CREDIT_CARD"
	IBAN           Class = "IBAN_CODE"
	IPAddress      Class = "IP_ADDRESS"
	Passport       Class = "US_PASSPORT"
	DriverLicense  Class = "US_DRIVER_LICENSE"
	MedicalLicense Class = "MEDICAL_LICENSE"
	Location       Class = "LOCATION"
	DateOfBirth    Class = "DATE_OF_BIRTH"
	MRN            Class = "MRN"
	IDNumber       Class = "ID_NUMBER" // health plan, member, policy, booking and other unique numbers
	Badge          Class = "BADGE_NUMBER"
	Plate          Class = "LICENSE_PLATE"
	CaseNumber     Class = "CASE_NUMBER" // case, incident, arrest, report, citation, warrant numbers
	NCIC           Class = "NCIC_NUMBER"
)

// WithheldCJIS replaces the whole of a CJIS company's free text (ticket text, notes,
// descriptions) for a redacting caller that lacks the cjis grant: detection can miss
// criminal-history narrative that has no identifier shape, so such text is not handed
// out at all, and the placeholder says why.
const WithheldCJIS = "<WITHHELD: CJIS-protected text; reading it redacted needs the cjis grant>"

// allClasses is the order in which Classes lists classes.
var allClasses = [...]Class{
	Person, Email, Phone, SSN, CreditCard, IBAN, IPAddress,
	Passport, DriverLicense, MedicalLicense, Location,
	DateOfBirth, MRN, IDNumber, Badge, Plate, CaseNumber, NCIC,
}

// specificity ranks classes for overlap resolution when two spans are equally
// long: checksum-validated classes first, then structural ones, then those
// that rely on context or loose patterns.
func specificity(c Class) int {
	switch c {
	case IBAN:
		return 0
	case CreditCard:
		return 1
	case SSN:
		return 2
	case Email:
		return 3
	case IPAddress:
		return 4
	case MedicalLicense:
		return 5
	case Passport:
		return 6
	case DriverLicense:
		return 7
	case NCIC, MRN, DateOfBirth, Badge:
		return 8
	case Phone:
		return 9
	case CaseNumber, IDNumber, Plate:
		return 10
	case Location:
		return 11
	}
	return 12 // Person
}

// classSet is a bit set of classes, indexed by position in allClasses.
type classSet uint32

func setOf(cs ...Class) classSet {
	var s classSet
	for _, c := range cs {
		if i := slices.Index(allClasses[:], c); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

func (s classSet) has(c Class) bool {
	i := slices.Index(allClasses[:], c)
	return i >= 0 && s&(1<<i) != 0
}

var (
	standardSet = setOf(SSN, CreditCard, IBAN, Passport, DriverLicense)
	// HIPAA's Safe Harbor identifiers that occur in text: names, places smaller than a
	// state, dates of birth, phone, e-mail, SSN, MRN, health plan and account numbers,
	// licence, vehicle and other unique numbers, IP addresses.
	hipaaSet = standardSet | setOf(Person, Email, Phone, Location, MedicalLicense, IPAddress,
		DateOfBirth, MRN, IDNumber, Badge, Plate, CaseNumber, NCIC)
	// The platform's CJIS list omits card, IBAN and passport numbers, but
	// standard, the weakest level, redacts them; a stricter level must never
	// reveal what a weaker one hides, so CJIS keeps them.
	cjisSet = setOf(Person, Email, Phone, SSN, DriverLicense, Location, IPAddress) |
		setOf(CreditCard, IBAN, Passport) |
		setOf(DateOfBirth, MRN, IDNumber, Badge, Plate, CaseNumber, NCIC)
	allSet = setOf(allClasses[:]...)
)

// classesAt returns the set redacted at level. An unknown or empty level
// fails closed and redacts every class: a company whose level is missing or
// misspelt must not leak PHI.
func classesAt(level codex.ComplianceLevel) classSet {
	switch level {
	case codex.ComplianceStandard:
		return standardSet
	case codex.ComplianceHIPAA:
		return hipaaSet
	case codex.ComplianceCJIS:
		return cjisSet
	default:
		return allSet
	}
}

// Classes returns the classes redacted at level, in a fixed order. Standard
// redacts SSN, card, IBAN, passport and driver-licence numbers; HIPAA adds
// person names, e-mail, phone, location, medical licence and IP addresses,
// dates of birth, MRN, member and other id numbers, badge, plate, case and
// NCIC numbers; CJIS redacts everything except medical licences. An unknown
// level redacts every class.
func Classes(level codex.ComplianceLevel) []Class {
	set := classesAt(level)
	var out []Class
	for _, c := range allClasses {
		if set.has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Redacts reports whether class c is redacted at level.
func Redacts(level codex.ComplianceLevel, c Class) bool {
	return classesAt(level).has(c)
}

// A Redactor redacts text for one compliance level and one set of contact
// names. It is immutable once built, so one Redactor may serve any number of
// goroutines; build it with New.
type Redactor struct {
	classes classSet
	names   *nameIndex // nil unless Person is redacted and names were given
}

// New returns a Redactor for level that also recognises the full names of
// the company's contacts in names (ignored when level keeps person names).
func New(level codex.ComplianceLevel, names []string) *Redactor {
	r := &Redactor{classes: classesAt(level)}
	if r.classes.has(Person) {
		r.names = newNameIndex(names)
	}
	return r
}

// logRedactor redacts log lines: every class but IP addresses, which in Codex's own logs
// are its callers' and servers' and which operators need.
var logRedactor = &Redactor{classes: allSet &^ setOf(IPAddress)}

// Log returns s with every protected entity replaced, whatever the company: for text
// that leaves Codex outside any company's policy, such as the logs shipped to Helm.
func Log(s string) string { return logRedactor.Text(s) }

// Text redacts free text s for level; names are the full names of the
// company's contacts. It is New(level, names).Text(s); callers redacting many
// texts for one company should build the Redactor once.
func Text(s string, level codex.ComplianceLevel, names []string) string {
	return New(level, names).Text(s)
}

// Text returns s with every entity of a redacted class replaced: contact
// names by their short form ("Jane D."), everything else by a placeholder
// such as "<US_SSN>". Text without such entities is returned unchanged.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	spans := r.find(s)
	if len(spans) == 0 {
		return s
	}
	return replace(s, resolve(spans, len(s)))
}

// span is one detected entity: s[start:end] is to become repl.
type span struct {
	start, end int
	class      Class
	repl       string // empty means the class placeholder
}

// find runs every detector enabled for r over s.
func (r *Redactor) find(s string) []span {
	var spans []span
	on := r.classes.has
	digits := strings.ContainsAny(s, "0123456789")
	if on(Email) && strings.IndexByte(s, '@') >= 0 {
		spans = findEmails(spans, s)
	}
	if digits {
		spans = findNumbers(spans, s, r.classes)
		if on(IBAN) {
			spans = findIBANs(spans, s)
		}
		if on(Location) {
			spans = findLocations(spans, s)
		}
		spans = findByContext(spans, s, r.classes)
		spans = findLabelled(spans, s, r.classes)
		if on(DateOfBirth) {
			spans = findBirthDates(spans, s)
		}
	}
	if on(IPAddress) && strings.Count(s, ":") >= 2 {
		spans = findIPv6s(spans, s)
	}
	if r.names != nil {
		spans = r.names.find(spans, s)
	}
	if on(Person) {
		spans = findPersons(spans, s)
	}
	return spans
}

// resolve drops spans that overlap a better one: the longer span wins, then
// the more specific class, then the earlier span. It returns the survivors in
// text order.
func resolve(spans []span, n int) []span {
	if len(spans) > 1 {
		slices.SortFunc(spans, func(a, b span) int {
			if d := (b.end - b.start) - (a.end - a.start); d != 0 {
				return d
			}
			if d := specificity(a.class) - specificity(b.class); d != 0 {
				return d
			}
			return a.start - b.start
		})
		taken := make([]bool, n)
		kept := spans[:0]
	next:
		for _, sp := range spans {
			for i := sp.start; i < sp.end; i++ {
				if taken[i] {
					continue next
				}
			}
			for i := sp.start; i < sp.end; i++ {
				taken[i] = true
			}
			kept = append(kept, sp)
		}
		spans = kept
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	return spans
}

// replace applies non-overlapping spans, sorted by start, to s.
func replace(s string, spans []span) string {
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		if sp.repl == "" {
			b.WriteByte('<')
			b.WriteString(string(sp.class))
			b.WriteByte('>')
		} else if strings.HasSuffix(sp.repl, ".") && sp.end < len(s) && s[sp.end] == '.' {
			// "Jane Doe." becomes "Jane D.", not "Jane D..".
			b.WriteString(sp.repl[:len(sp.repl)-1])
		} else {
			b.WriteString(sp.repl)
		}
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}
