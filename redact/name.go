package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name shortens a person's full name to the first given name and the
// initial of the surname: "Jane Doe" is "Jane D.", "Mary Ann van Dyke" is
// "Mary V." (a surname particle such as "van" or "de" starts the surname),
// "Doe, Jane" is "Jane D.", "John Smith Jr." is "John S.". Titles and
// suffixes are dropped; a single name is kept as it is and an empty name
// stays empty.
func Name(full string) string {
	given, surname := splitName(full)
	switch {
	case len(given) == 0:
		return ""
	case len(surname) == 0:
		return given[0]
	}
	return given[0] + " " + initial(surname[0])
}

// splitName splits a full name into given names and surname words. A name
// with a comma is read as "Surname, Given" unless only suffixes follow the
// comma ("John Smith, MD").
func splitName(full string) (given, surname []string) {
	full = strings.TrimSpace(full)
	if before, after, ok := strings.Cut(full, ","); ok {
		after, _, _ = strings.Cut(after, ",") // "Doe, Jane, Jr."
		if f := strings.Fields(after); len(f) > 0 && !isSuffix(f[0]) {
			full = after + " " + before
		} else {
			full = before
		}
	}
	f := strings.Fields(full)
	for len(f) > 1 && isTitle(f[0]) {
		f = f[1:]
	}
	for len(f) > 1 && isSuffix(f[len(f)-1]) {
		f = f[:len(f)-1]
	}
	switch len(f) {
	case 0:
		return nil, nil
	case 1:
		return f, nil
	}
	si := len(f) - 1
	for k := 1; k < len(f)-1; k++ {
		if isParticle(f[k]) {
			si = k
			break
		}
	}
	return f[:si], f[si:]
}

// initial returns the upper-case first letter of w followed by a dot.
func initial(w string) string {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r)) + "."
		}
	}
	return w
}

func isTitle(w string) bool {
	switch strings.ToLower(strings.TrimSuffix(w, ".")) {
	case "mr", "mrs", "ms", "mx", "dr", "prof":
		return true
	}
	return false
}

func isSuffix(w string) bool {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(w, ","), ".")) {
	case "jr", "sr", "ii", "iii", "iv", "md", "m.d", "phd", "ph.d", "dds", "dmd", "esq", "rn", "cpa":
		return true
	}
	return false
}

func isParticle(w string) bool {
	switch strings.ToLower(w) {
	case "van", "von", "de", "der", "den", "del", "della", "di", "da", "du",
		"la", "le", "dos", "das", "ten", "ter", "bin", "ibn", "st", "st.":
		return true
	}
	return false
}

// nameIndex finds a company's contacts in text. Each contact is known by
// several variants: "Jane Doe", "Doe, Jane" and, for longer names, "Mary van
// Dyke" and "van Dyke, Mary"; once one of those is in the text, the
// capitalised surname on its own ("Ms. Doe") is replaced by its initial too.
type nameIndex struct {
	byFirst map[string][]*nameVariant // keyed by the lower-case first word
	// maybe[c] has bit n set when a key of byFirst starts with byte c and
	// is n bytes long (63 for longer ones): a cheap test that spares the map
	// lookup for most words of a text.
	maybe [256]uint64
}

func lengthBit(n int) uint64 { return 1 << min(n, 63) }

// nameVariant is one way of writing a contact's name.
type nameVariant struct {
	words   []string // lower case
	gaps    []string // between words: " " for any white space, else the punctuation (",")
	repl    string
	contact int
	surname bool // the surname alone: counts only after a full match
	capital bool // surname only: the text must capitalise it as the contact does
}

func newNameIndex(names []string) *nameIndex {
	idx := &nameIndex{byFirst: make(map[string][]*nameVariant)}
	for i, full := range names {
		given, surname := splitName(full)
		if len(surname) == 0 {
			continue // a single name is its own short form
		}
		repl := Name(full)
		g, sn := strings.Join(given, " "), strings.Join(surname, " ")
		idx.add(g+" "+sn, repl, i, false)
		idx.add(sn+", "+g, repl, i, false)
		if len(given) > 1 {
			idx.add(given[0]+" "+sn, repl, i, false)
			idx.add(sn+", "+given[0], repl, i, false)
		}
		idx.add(sn, initial(surname[0]), i, true)
	}
	if len(idx.byFirst) == 0 {
		return nil
	}
	return idx
}

// add indexes the variant written as text.
func (idx *nameIndex) add(text, repl string, contact int, surname bool) {
	v := &nameVariant{repl: repl, contact: contact, surname: surname}
	prev := 0
	for w := nextWord(text, 0); w.start < len(text); w = nextWord(text, w.end) {
		if len(v.words) > 0 {
			v.gaps = append(v.gaps, normalizeGap(text[prev:w.start]))
		}
		v.words = append(v.words, string(appendLower(nil, text[w.start:w.end])))
		prev = w.end
	}
	if len(v.words) == 0 {
		return
	}
	if surname {
		r, _ := utf8.DecodeRuneInString(text)
		v.capital = unicode.IsUpper(r)
	}
	key := v.words[0]
	idx.byFirst[key] = append(idx.byFirst[key], v)
	idx.maybe[key[0]] |= lengthBit(len(key))
}

// find adds the contact names in s.
func (idx *nameIndex) find(spans []span, s string) []span {
	var (
		buf      [64]byte
		matched  map[int]bool
		surnames []span // surname-only matches, with their contacts in contacts
		contacts []int
	)
	for w := nextWord(s, 0); w.start < len(s); w = nextWord(s, w.end) {
		text, _ := stripPossessive(s[w.start:w.end])
		key := appendLower(buf[:0], text)
		if idx.maybe[key[0]]&lengthBit(len(key)) == 0 {
			continue
		}
		for _, v := range idx.byFirst[string(key)] {
			end, ok := v.matchAt(s, w)
			if !ok {
				continue
			}
			sp := span{start: w.start, end: end, class: Person, repl: v.repl}
			if v.surname {
				surnames = append(surnames, sp)
				contacts = append(contacts, v.contact)
				continue
			}
			if matched == nil {
				matched = make(map[int]bool)
			}
			matched[v.contact] = true
			spans = append(spans, sp)
		}
	}
	for k, sp := range surnames {
		if matched[contacts[k]] {
			spans = append(spans, sp)
		}
	}
	return spans
}

// matchAt reports whether v is written in s starting at word w, and where
// the match ends. A possessive "'s" after the last word is not part of the
// match.
func (v *nameVariant) matchAt(s string, w word) (end int, ok bool) {
	if v.capital {
		if r, _ := utf8.DecodeRuneInString(s[w.start:]); !unicode.IsUpper(r) {
			return 0, false
		}
	}
	for k, want := range v.words {
		if k > 0 {
			next := nextWord(s, w.end)
			if next.start == len(s) || !gapMatches(s[w.end:next.start], v.gaps[k-1]) {
				return 0, false
			}
			w = next
		}
		got := s[w.start:w.end]
		end = w.end
		if k == len(v.words)-1 {
			var cut int
			got, cut = stripPossessive(got)
			end -= cut
		}
		if !strings.EqualFold(got, want) {
			return 0, false
		}
	}
	return end, true
}

// word is the byte range of a word in a text.
type word struct{ start, end int }

// nextWord returns the first word of s at or after byte i, or a word starting
// at len(s) if there is none. A word is a run of letters, digits and marks;
// an apostrophe or hyphen followed by a letter stays inside it ("O'Brien",
// "Jean-Luc", "Doe's").
func nextWord(s string, i int) word {
	start := -1
	for i < len(s) {
		c := s[i]
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		in := r != '_' && isWordRune(r)
		if !in && start >= 0 && (r == '\'' || r == '’' || r == '-') {
			r2, _ := utf8.DecodeRuneInString(s[i+n:])
			in = unicode.IsLetter(r2)
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			return word{start, i}
		}
		i += n
	}
	if start < 0 {
		return word{len(s), len(s)}
	}
	return word{start, len(s)}
}

// stripPossessive removes a trailing "'s" from w and reports how many bytes
// it removed.
func stripPossessive(w string) (string, int) {
	n := len(w)
	if n < 3 || w[n-1] != 's' && w[n-1] != 'S' {
		return w, 0
	}
	if w[n-2] == '\'' {
		return w[:n-2], 2
	}
	if n > 4 && w[n-4:n-1] == "’" {
		return w[:n-4], 4
	}
	return w, 0
}

// appendLower appends w in lower case to dst.
func appendLower(dst []byte, w string) []byte {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			for _, r := range w[i:] {
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
			return dst
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// normalizeGap reduces the text between two words to " " when it is only
// white space, else to its punctuation without the white space.
func normalizeGap(g string) string {
	if strings.TrimSpace(g) == "" {
		return " "
	}
	return strings.Join(strings.Fields(g), "")
}

// gapMatches reports whether the text g between two words normalises to
// want, without allocating.
func gapMatches(g, want string) bool {
	if want == " " {
		return g != "" && strings.TrimSpace(g) == ""
	}
	k := 0
	for _, r := range g {
		if unicode.IsSpace(r) {
			continue
		}
		if k >= len(want) {
			return false
		}
		w, n := utf8.DecodeRuneInString(want[k:])
		if w != r {
			return false
		}
		k += n
	}
	return k == len(want)
}
