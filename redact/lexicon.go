package redact

import (
	"embed"
	"strings"
	"sync"
)

// The name lexicon shipped in the binary (see lexicon/README.md for sources and
// licences): given names, surnames, the given names common enough to stand alone, and
// capitalised words that are never a name.
//
//go:embed lexicon/*.txt
var lexiconFS embed.FS

// lexicon holds the word lists in lower case.
type lexicon struct {
	given, surname, common, stop, stopGiven map[string]bool
}

var loadLexicon = sync.OnceValue(func() *lexicon {
	l := &lexicon{
		given:     readWords("lexicon/given.txt"),
		surname:   readWords("lexicon/surnames.txt"),
		common:    readWords("lexicon/common_given.txt"),
		stop:      readWords("lexicon/stop.txt"),
		stopGiven: readWords("lexicon/stop_given.txt"),
	}
	for w := range l.common {
		l.given[w] = true
	}
	return l
})

// readWords reads a lexicon file: words separated by white space, "#" lines are comments.
func readWords(name string) map[string]bool {
	b, err := lexiconFS.ReadFile(name)
	if err != nil {
		panic("redact: " + err.Error()) // embedded: cannot happen in a built binary
	}
	m := make(map[string]bool, len(b)/7)
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}
