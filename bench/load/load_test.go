package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecordCounter(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   int
	}{
		{"header only", []string{"id,name\n"}, 1},
		{"rows", []string{"id,name\n1,a\n2,b\n"}, 3},
		{"last row without a line end", []string{"id,name\n1,a"}, 2},
		{"line end inside quotes", []string{"id,notes\n1,\"two\nlines\"\n"}, 2},
		{"escaped quote", []string{"id,notes\n1,\"say \"\"hi\"\"\"\n2,x\n"}, 3},
		{"split across reads", []string{"id,notes\n1,\"a\n", "b\"\n2,", "c\n"}, 3},
	}
	for _, tt := range tests {
		var rc recordCounter
		for _, c := range tt.chunks {
			rc.count([]byte(c))
		}
		if got := rc.records(); got != tt.want {
			t.Errorf("%s: records() = %d; want %d", tt.name, got, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(d, tt.p); got != tt.want {
			t.Errorf("percentile(1..100 ms, %v) = %v; want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %v; want 0", got)
	}
}

func TestRedactDSN(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://bench@127.0.0.1:55432/codex", "postgres://bench@127.0.0.1:55432/codex"},
		{"postgres://u:secret@h/db?sslmode=disable", "postgres://u:xxxxx@h/db?sslmode=disable"},
		{"instance/bench.db", "instance/bench.db"},
		{"", "(not given)"},
	} {
		if got := redactDSN(tt.in); got != tt.want {
			t.Errorf("redactDSN(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestProcessReadsItself(t *testing.T) {
	p := process(os.Getpid())
	if _, err := p.cpuTicks(); err != nil {
		t.Fatalf("cpuTicks() error: %v", err)
	}
	rss, err := p.rss()
	if err != nil || rss <= 0 {
		t.Fatalf("rss() = %d, %v; want > 0", rss, err)
	}
	if hwm, err := p.hwm(); err != nil || hwm < rss {
		t.Fatalf("hwm() = %d, %v; want >= rss %d", hwm, err, rss)
	}
	if _, err := process(0).rss(); err == nil {
		t.Error("process(0).rss() error = nil; want one")
	}
}

// TestRunAgainstFakeServer drives every scenario against an httptest server that checks
// the token and answers like Codex.
func TestRunAgainstFakeServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/graphql":
			w.Write([]byte(`{"data":{"company":{"name":"x"}}}`))
		case r.URL.Query().Get("format") == "csv":
			w.Write([]byte("id,name\n1,a\n2,\"b\nc\"\n3,d\n"))
		default:
			w.Write([]byte(`[]`))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	for _, f := range []string{"q1.graphql", "q2.graphql", "q3.graphql"} {
		os.WriteFile(filepath.Join(dir, f), []byte("{ company(id: 1) { name } }"), 0o644)
		os.WriteFile(filepath.Join(dir, strings.TrimSuffix(f, ".graphql")+".vars.json"), []byte(`{}`), 0o644)
	}
	var out strings.Builder
	args := []string{"--url", srv.URL, "--token", "t0k", "--queries", dir, "--conc", "2", "--duration", "200ms",
		"--warmup", "50ms", "--probe", "3", "--csv-runs", "1", "--pid", "0", "--db", "", "--json", filepath.Join(dir, "out.json")}
	if err := run(t.Context(), args, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"csv export 1: 3 rows", "\nrest ", "\nq1 ", "\nq3 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); err != nil {
		t.Errorf("--json file: %v", err)
	}

	args[3] = "wrong"
	if err := run(t.Context(), args, &out); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("run with a wrong token: error = %v; want one with status 401", err)
	}
}
