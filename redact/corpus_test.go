package redact

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// goldSpan is a labelled protected span of a corpus text.
type goldSpan struct {
	start, end int
	class      Class
}

// readCorpus reads testdata/corpus.txt: one text a line with protected spans written
// {{CLASS:text}}.
func readCorpus(t testing.TB) (texts []string, gold [][]goldSpan) {
	t.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		var spans []goldSpan
		for {
			i := strings.Index(line, "{{")
			if i < 0 {
				b.WriteString(line)
				break
			}
			j := strings.Index(line[i:], "}}")
			c := strings.Index(line[i:], ":")
			if j < 0 || c < 0 || c > j {
				t.Fatalf("corpus line %d: unbalanced label", n)
			}
			b.WriteString(line[:i])
			class, text := Class(line[i+2:i+c]), line[i+c+1:i+j]
			if !slices.Contains(allClasses[:], class) {
				t.Fatalf("corpus line %d: unknown class %q", n, class)
			}
			spans = append(spans, goldSpan{b.Len(), b.Len() + len(text), class})
			b.WriteString(text)
			line = line[i+j+2:]
		}
		texts, gold = append(texts, b.String()), append(gold, spans)
	}
	return texts, gold
}

// score is one class's counts.
type score struct{ gold, found, predicted, correct int }

// TestCorpusRecallPrecision measures the detectors on the labelled corpus at the level
// that redacts every class but IP addresses, without a contact list: recall per labelled class (a span
// counts as found when redactions cover all its letters and digits, whatever their
// class), and precision per predicted class (a redaction is correct when it overlaps a
// labelled span). Run with -v to see the table.
func TestCorpusRecallPrecision(t *testing.T) {
	texts, gold := readCorpus(t)
	if len(texts) < 300 {
		t.Fatalf("corpus has %d texts; want at least 300", len(texts))
	}
	// IP addresses are redacted at HIPAA and CJIS as device identifiers, but the
	// corpus's addresses are the MSP's own infrastructure and are not labelled, so the
	// IP detector is left out of this measurement (TestTextDetectors covers it).
	r := &Redactor{classes: allSet &^ setOf(IPAddress)}
	scores := map[Class]*score{}
	get := func(c Class) *score {
		if scores[c] == nil {
			scores[c] = &score{}
		}
		return scores[c]
	}
	var total score
	for i, s := range texts {
		pred := resolve(r.find(s), len(s))
		covered := make([]bool, len(s))
		for _, p := range pred {
			for k := p.start; k < p.end; k++ {
				covered[k] = true
			}
		}
		for _, g := range gold[i] {
			sc := get(g.class)
			sc.gold++
			total.gold++
			ok := true
			for k := g.start; k < g.end; k++ {
				if (isLetter(s[k]) || isDigit(s[k]) || s[k] >= 0x80) && !covered[k] {
					ok = false
				}
			}
			if ok {
				sc.found++
				total.found++
			} else {
				t.Logf("missed %s %q in: %s", g.class, s[g.start:g.end], s)
			}
		}
		for _, p := range pred {
			sc := get(p.class)
			sc.predicted++
			total.predicted++
			if slices.ContainsFunc(gold[i], func(g goldSpan) bool { return p.start < g.end && g.start < p.end }) {
				sc.correct++
				total.correct++
			} else {
				t.Logf("false %s %q in: %s", p.class, s[p.start:p.end], s)
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| class | labelled | found | recall | redacted | correct | precision |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range allClasses {
		sc := scores[c]
		if sc == nil {
			continue
		}
		fmt.Fprintf(&table, "| %s | %d | %d | %.1f%% | %d | %d | %.1f%% |\n", c, sc.gold, sc.found,
			100*ratio(sc.found, sc.gold), sc.predicted, sc.correct, 100*ratio(sc.correct, sc.predicted))
	}
	fmt.Fprintf(&table, "| all | %d | %d | %.1f%% | %d | %d | %.1f%% |\n", total.gold, total.found,
		100*ratio(total.found, total.gold), total.predicted, total.correct, 100*ratio(total.correct, total.predicted))
	t.Logf("%d texts, %d without protected data:%s", len(texts), countEmpty(gold), table.String())

	if got := ratio(total.found, total.gold); got < 0.99 {
		t.Errorf("overall recall = %.3f; want >= 0.99", got)
	}
	if got := ratio(total.correct, total.predicted); got < 0.90 {
		t.Errorf("overall precision = %.3f; want >= 0.90", got)
	}
	for _, c := range []Class{SSN, DateOfBirth, MRN, DriverLicense, Badge, Phone, Email} {
		if sc := scores[c]; sc == nil || sc.found != sc.gold {
			t.Errorf("recall of %s is not 100%%", c)
		}
	}
	for c, sc := range scores {
		if sc.predicted > 0 && ratio(sc.correct, sc.predicted) < 0.90 {
			t.Errorf("precision of %s = %.3f; want >= 0.90", c, ratio(sc.correct, sc.predicted))
		}
	}
}

func countEmpty(gold [][]goldSpan) int {
	n := 0
	for _, g := range gold {
		if len(g) == 0 {
			n++
		}
	}
	return n
}
