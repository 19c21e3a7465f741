package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// roleWords are the titles and roles that are followed by a person's name in ticket
// text: "patient Maria Gonzalez", "Deputy Aaron Miles", "Dr. Adler". The role stays in the
// text; the name after it is replaced.
var roleWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`dr doctor mr mrs ms miss mx prof professor patient pt deputy dep officer ofc
		sgt sergeant lt lieut lieutenant det detective cpl corporal capt captain trooper sheriff undersheriff chief
		inmate suspect victim witness defendant arrestee detainee offender complainant juvenile subject
		nurse rn np pa dds dmd hygienist dentist physician judge attorney counsel guardian parent mother father
		son daughter wife husband spouse caller resident client member employee tenant`) {
		m[w] = true
	}
	return m
}()

// greetings are the words after which a capitalised given name is a person: "Thanks
// Grace", "Hi Tom".
var greetings = map[string]bool{"thanks": true, "thank": true, "hi": true, "hello": true, "dear": true,
	"hey": true, "regards": true, "cheers": true, "sincerely": true, "with": true, "ask": true, "told": true}

// findPersons adds people's names found without a contact list: a name after a title or
// role word, a given name from the lexicon followed by a capitalised surname ("Jenna
// Price", "Aaron J. Miles"), "Surname, Given", and a common given name standing alone
// ("call Ben back").
func findPersons(spans []span, s string) []span {
	lex := loadLexicon()
	var buf [64]byte
	for wd := nextWord(s, 0); wd.start < len(s); {
		text, _ := stripPossessive(s[wd.start:wd.end])
		lowb := appendLower(buf[:0], text)
		next := nextWord(s, wd.end)

		// A title or role, then one to three capitalised words.
		if roleWords[string(lowb)] && isRoleGap(s[wd.end:next.start]) {
			if end, ok := nameAfter(s, next, lex, 3); ok {
				spans = append(spans, span{start: next.start, end: end, class: Person})
				wd = nextWord(s, end)
				continue
			}
		}
		// A greeting, then a given name: "Thanks Grace", "Hi Tom,".
		if greetings[string(lowb)] && next.start < len(s) {
			g, _ := stripPossessive(s[next.start:next.end])
			gl := strings.ToLower(g)
			if isCapitalised(g) && lex.given[gl] && !lex.stop[gl] && !lex.stopGiven[gl] {
				end := next.start + len(g)
				if e, ok := surnameAfter(s, next, lex, false); ok {
					end = e
				}
				spans = append(spans, span{start: next.start, end: end, class: Person})
				wd = nextWord(s, end)
				continue
			}
		}
		if !isCapitalised(text) {
			wd = next
			continue
		}
		low := string(lowb)
		if !lex.stop[low] {
			// A given name and a surname, maybe with a middle initial. A given name that
			// is also a word ("Mark", "Frank") needs a surname from the lexicon.
			if lex.given[low] {
				if end, ok := surnameAfter(s, wd, lex, lex.stopGiven[low]); ok {
					spans = append(spans, span{start: wd.start, end: end, class: Person})
					wd = nextWord(s, end)
					continue
				}
				if lex.common[low] && !lex.stopGiven[low] {
					spans = append(spans, span{start: wd.start, end: wd.start + len(text), class: Person})
					wd = next
					continue
				}
			}
			// "Gonzalez, Maria".
			if lex.surname[low] && next.start < len(s) && strings.TrimSpace(s[wd.end:next.start]) == "," {
				g, _ := stripPossessive(s[next.start:next.end])
				gl := strings.ToLower(g)
				if isCapitalised(g) && lex.given[gl] && !lex.stop[gl] && !lex.stopGiven[gl] {
					spans = append(spans, span{start: wd.start, end: next.start + len(g), class: Person})
					wd = nextWord(s, next.end)
					continue
				}
			}
		}
		wd = next
	}
	return namesInLists(spans, s, lex)
}

// namesInLists extends the names found to their neighbours in an enumeration: in
// "Okafor, Lindqvist, Marsh and Hale", once one name is known the capitalised names
// joined to it by a comma or "and" are names too.
func namesInLists(spans []span, s string, lex *lexicon) []span {
	isName := func(t string) bool {
		low := strings.ToLower(t)
		return isCapitalised(t) && !lex.stop[low] && !lex.stopGiven[low] &&
			(lex.surname[low] || lex.given[low] || looksLikeSurname(t))
	}
	for k := 0; k < len(spans); k++ {
		sp := spans[k]
		if sp.class != Person || sp.repl != "" {
			continue
		}
		// The word after: ", Name" or " and Name".
		next := nextWord(s, sp.end)
		if next.start < len(s) && s[next.start:next.end] == "and" {
			next = nextWord(s, next.end)
		}
		if next.start < len(s) && isListGap(s[sp.end:next.start]) {
			if t, cut := stripPossessive(s[next.start:next.end]); isName(t) && !covers(spans, next.start) {
				spans = append(spans, span{start: next.start, end: next.end - cut, class: Person})
			}
		}
		// The word before: "Name, " or "Name and ".
		if prev, ok := wordBefore(s, sp.start); ok && isListGap(s[prev.end:sp.start]) {
			if t := s[prev.start:prev.end]; isName(t) && !covers(spans, prev.start) {
				spans = append(spans, span{start: prev.start, end: prev.end, class: Person})
			}
		}
	}
	return spans
}

// isListGap reports whether g joins two items of an enumeration.
func isListGap(g string) bool { return g == ", " || g == " and " || g == ", and " }

// covers reports whether a span of spans covers byte i.
func covers(spans []span, i int) bool {
	for _, sp := range spans {
		if sp.start <= i && i < sp.end {
			return true
		}
	}
	return false
}

// wordBefore returns the word that ends before byte i, skipping at most six bytes of
// separators.
func wordBefore(s string, i int) (word, bool) {
	j := i
	for j > 0 && i-j < 6 && !isWordRune(rune(s[j-1])) {
		j--
	}
	end := j
	for j > 0 && s[j-1] < utf8.RuneSelf && (isLetter(s[j-1]) || s[j-1] == '\'' || s[j-1] == '-') {
		j--
	}
	if j == end {
		return word{}, false
	}
	// " and " lies between: step over it to the name before.
	if s[j:end] == "and" {
		return wordBefore(s, j)
	}
	return word{j, end}, true
}

// isRoleGap reports whether the text between a role word and the next word is a space or
// an abbreviation's dot and a space.
func isRoleGap(g string) bool {
	g = strings.TrimPrefix(g, ".")
	return g != "" && len(g) <= 2 && strings.TrimSpace(g) == ""
}

// nameAfter reads up to n capitalised name words starting at wd (a middle initial such
// as "J." counts as one) and returns where they end. At least one word must be a real
// name word, neither an initial nor a stop word.
func nameAfter(s string, wd word, lex *lexicon, n int) (int, bool) {
	end, names := 0, 0
	for k := 0; k < n && wd.start < len(s); k++ {
		text, cut := stripPossessive(s[wd.start:wd.end])
		switch {
		case isInitial(text) && k < n-1:
			e := wd.end
			if e < len(s) && s[e] == '.' {
				e++
			}
			end = e
		case isCapitalised(text) && !lex.stop[strings.ToLower(text)]:
			end = wd.end - cut
			names++
			if cut > 0 {
				return end, true
			}
		default:
			return end, names > 0 && end > 0
		}
		next := nextWord(s, wd.end)
		if gap := s[wd.end:next.start]; strings.TrimPrefix(gap, ".") != " " {
			break
		}
		wd = next
	}
	return end, names > 0 && end > 0
}

// surnameAfter reports whether the given name at wd is followed by a surname: a
// capitalised word from the lexicon or one shaped like a name that is no stop word,
// optionally after a middle initial, and a second surname from the lexicon.
func surnameAfter(s string, wd word, lex *lexicon, strict bool) (int, bool) {
	if _, cut := stripPossessive(s[wd.start:wd.end]); cut > 0 {
		return 0, false // "Jenna's Printer"
	}
	next := nextWord(s, wd.end)
	if next.start >= len(s) || s[wd.end:next.start] != " " {
		return 0, false
	}
	if t := s[next.start:next.end]; isInitial(t) {
		after := nextWord(s, next.end)
		gap := s[next.end:after.start]
		if gap != ". " && gap != " " {
			return 0, false
		}
		next = after
	}
	text, cut := stripPossessive(s[next.start:next.end])
	low := strings.ToLower(text)
	if !isCapitalised(text) || lex.stop[low] || !(lex.surname[low] || lex.given[low] || looksLikeSurname(text)) {
		return 0, false
	}
	if strict && (!lex.surname[low] || lex.stopGiven[low]) {
		return 0, false
	}
	end := next.end - cut
	if cut == 0 {
		// A second surname ("Garcia Lopez") or a hyphen is already inside the word.
		if n2 := nextWord(s, next.end); n2.start < len(s) && s[next.end:n2.start] == " " {
			t2, cut2 := stripPossessive(s[n2.start:n2.end])
			if l2 := strings.ToLower(t2); isCapitalised(t2) && lex.surname[l2] && !lex.stop[l2] && !lex.given[l2] {
				end = n2.end - cut2
			}
		}
	}
	return end, true
}

// looksLikeSurname reports whether w has the shape of a surname missing from the
// lexicon: "O'Neill", "McAllister", "Okonjo-Iweala", or a capitalised word of at least
// four letters with a vowel.
func looksLikeSurname(w string) bool {
	if strings.ContainsAny(w, "'’-") {
		return true
	}
	return utf8.RuneCountInString(w) >= 4 && strings.ContainsAny(strings.ToLower(w), "aeiouy")
}

// isCapitalised reports whether w starts with an upper-case letter and is not written
// all in capitals (which is an acronym or a host name: "MRN", "HF-LT-HARLOW").
func isCapitalised(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || len(w) < 2 {
		return false
	}
	for _, c := range w[n:] {
		if unicode.IsLower(c) {
			return true
		}
		if unicode.IsDigit(c) {
			return false
		}
	}
	return false
}

// isInitial reports whether w is one capital letter.
func isInitial(w string) bool { return len(w) == 1 && isUpper(w[0]) }
