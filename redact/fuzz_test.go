package redact_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

// FuzzRedactedText checks (next to FuzzText) that redaction keeps valid UTF-8 valid and
// removes an e-mail address under HIPAA and CJIS whatever text surrounds it.
func FuzzRedactedText(f *testing.F) {
	for _, s := range []string{
		"Call Jane Doe at 555-867-5309 about SSN 123-45-6789",
		"mail jane.doe@acme.example now", "DOB 01/02/1980, MRN 12345678", "IBAN GB82 WEST 1234 5698 7654 32",
		"", "@@@", "é\u0301 \xff", strings.Repeat("a@b.c ", 20),
	} {
		f.Add(s)
	}
	names := []string{"Jane Doe", "John Smith"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, level := range []codex.ComplianceLevel{codex.ComplianceHIPAA, codex.ComplianceCJIS} {
			got := redact.Text(s, level, names)
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("%s: %q redacted to invalid UTF-8 %q", level, s, got)
			}
			withMail := s + " write to zed.q@example.org"
			if out := redact.Text(withMail, level, names); strings.Contains(out, "zed.q@example.org") {
				t.Fatalf("%s: the e-mail survived in %q", level, out)
			}
		}
	})
}
