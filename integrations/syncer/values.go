package syncer

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hivematrix/codex/codex"
)

// Mapped values travel as text in Codex's terms, so that a row's value, the source's value
// and the snapshot compare with ==: trimmed strings, "true"/"false", decimal ids ("" for
// none), YYYY-MM-DD dates and RFC 3339 UTC times at microsecond precision ("" for none),
// comma-separated lists.

func text(s string) string { return strings.TrimSpace(s) }

func boolText(b bool) string { return strconv.FormatBool(b) }

func parseBool(s string) bool { return s == "true" }

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func parseID(s string) int64 {
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

func ptrText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func dateText(d *codex.Date) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return d.String()
}

// parseDate returns the patch value of a date: the zero Date clears the column.
func parseDate(s string) *codex.Date {
	d, err := codex.ParseDate(s)
	if err != nil {
		return &codex.Date{}
	}
	return &d
}

// datePtr returns the row value of a date text.
func datePtr(s string) *codex.Date {
	if s == "" {
		return nil
	}
	d, err := codex.ParseDate(s)
	if err != nil {
		return nil
	}
	return &d
}

func timeText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

func parseTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}

func listText(l []string) string { return strings.Join(l, ",") }

func parseList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// validDomains keeps the entries of ds that Codex accepts as domain names.
func validDomains(ds []string) []string {
	out := []string{}
	for _, d := range ds {
		d = strings.ToLower(strings.TrimSpace(d))
		c := codex.Company{Name: "x", Kind: codex.KindClient, Status: codex.StatusActive,
			ComplianceLevel: codex.ComplianceStandard, Domains: []string{d}}
		if d != "" && c.Validate() == nil {
			out = append(out, d)
		}
	}
	return out
}

// validPhone returns p when Codex accepts it as a phone number, else "".
func validPhone(p string) string {
	p = text(p)
	c := codex.Contact{CompanyID: 1, FirstName: "x", PhoneWork: p}
	if codex.ErrorFields(c.Validate())["phone"] != "" {
		return ""
	}
	return p
}

// validIP returns the normalized form of s when it is an IP address, else "".
func validIP(s string) string {
	ip, err := codex.ParseIP(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return ip.String()
}

// validEmails keeps the entries of es that Codex accepts as e-mail addresses (and takes
// no comma, the separator of a list value), each once, in order, at most codex.MaxItems.
func validEmails(es []string) []string {
	out := []string{}
	for _, e := range es {
		e = text(e)
		c := codex.Contact{CompanyID: 1, FirstName: "x", SecondaryEmails: []string{e}}
		if e != "" && !strings.Contains(e, ",") && !slices.Contains(out, e) && c.Validate() == nil && len(out) < codex.MaxItems {
			out = append(out, e)
		}
	}
	return out
}

// clip shortens s to codex.MaxText characters (a free-form custom field may be longer
// than the one-line field it fills).
func clip(s string) string {
	if utf8.RuneCountInString(s) <= codex.MaxText {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:codex.MaxText]))
}
