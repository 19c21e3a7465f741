package redact_test

import (
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jane Doe", "Jane D."},
		{"Jane", "Jane"},
		{"", ""},
		{"   ", ""},
		{"  Jane   Doe  ", "Jane D."},
		{"jane doe", "jane D."},
		{"Mary Ann van Dyke", "Mary V."},
		{"Juan de la Cruz", "Juan D."},
		{"Anna Maria Schmidt", "Anna S."},
		{"Doe, Jane", "Jane D."},
		{"Doe, Jane, Jr.", "Jane D."},
		{"John Smith Jr.", "John S."},
		{"John Smith, MD", "John S."},
		{"Dr. Jane Doe", "Jane D."},
		{"Pat O'Brien", "Pat O."},
		{"José Álvarez", "José Á."},
		{"Jean-Luc Picard", "Jean-Luc P."},
	}
	for _, tt := range tests {
		if got := redact.Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextNames(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full name", "Hi, this is Jane Doe.", "Hi, this is Jane D."},
		{"case-insensitive", "jane doe and JANE DOE called", "Jane D. and Jane D. called"},
		{"last, first", "Requester: Doe, Jane", "Requester: Jane D."},
		{"possessive", "Jane Doe's laptop", "Jane D.'s laptop"},
		{"line break inside the name", "Thanks,\nJane\nDoe", "Thanks,\nJane D."},
		{"surname alone once the full name is present", "Jane Doe called. Ms. Doe is out.", "Jane D. called. Ms. D. is out."},
		{"surname alone without the full name is a name after a title", "Ms. Doe is out.", "Ms. <PERSON> is out."},
		{"lower-case surname is a word, not a name", "Jane Doe saw a doe.", "Jane D. saw a doe."},
		{"first name alone", "Jane is out.", "Jane is out."},
		{"whole words only", "Janedoe and MaryJane doe", "Janedoe and MaryJane doe"},
		{"not a contact: a placeholder", "John Smith called about Jane Doe.", "<PERSON> called about Jane D."},
		{"name inside an e-mail address", "jane.doe@clinic.com", "<EMAIL_ADDRESS>"},
		{"long name", "Mary Ann van Dyke and Mary van Dyke", "Mary V. and Mary V."},
		{"long name reversed", "van Dyke, Mary Ann; van Dyke, Mary", "Mary V.; Mary V."},
		{"apostrophe", "Pat O'Brien's ticket", "Pat O.'s ticket"},
		{"non-ASCII", "Called JOSÉ ÁLVAREZ back", "Called José Á. back"},
		{"single-word contact is left alone", "Cher rang", "Cher rang"},
	}
	r := redact.New(codex.ComplianceHIPAA, []string{
		"Jane Doe", "Mary Ann van Dyke", "Pat O'Brien", "José Álvarez", "Cher",
	})
	for _, tt := range tests {
		if got := r.Text(tt.in); got != tt.want {
			t.Errorf("%s: Text(%q) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
