package redact

import "testing"

// BenchmarkCorpus redacts every text of the labelled corpus at the level that redacts
// every class, reporting the cost per text.
func BenchmarkCorpus(b *testing.B) {
	texts, _ := readCorpus(b)
	r := New("", nil)
	r.Text("warm up the lexicon: Jane Doe")
	for b.Loop() {
		for _, s := range texts {
			r.Text(s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(texts))/1000, "µs/text")
}
