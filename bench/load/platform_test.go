package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testPools() *pools {
	p := &pools{
		companies: []int64{3, 7, 11},
		emails:    []string{"a+b@example.com"},
		prefixes:  []string{"ali"},
	}
	for i := range 60 {
		p.roots = append(p.roots, int64(100+i))
		p.rootCursors = append(p.rootCursors, "c"+string(rune('A'+i)))
	}
	return p
}

func TestSubstitute(t *testing.T) {
	var tmpl any
	json.Unmarshal([]byte(`{"id": "@a", "keep": "text", "n": 5, "list": ["@b", {"deep": "@a"}], "nil": null}`), &tmpl)
	draws := map[string]int{}
	got, err := substitute(tmpl, func(name string) (any, error) {
		draws[name]++
		return map[string]any{"a": "A", "b": 42}[name], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `{"id":"A","keep":"text","list":[42,{"deep":"A"}],"n":5,"nil":null}`; string(b) != want {
		t.Errorf("substitute = %s; want %s", b, want)
	}
	if draws["a"] != 2 || draws["b"] != 1 {
		t.Errorf("draws = %v; want a twice (each occurrence its own draw), b once", draws)
	}
	if _, err := substitute(tmpl, func(string) (any, error) { return nil, errTest }); err != errTest {
		t.Errorf("substitute with a failing draw: error = %v; want %v", err, errTest)
	}
}

var errTest = errors.New("draw failed")

func TestSubstitutePath(t *testing.T) {
	draw := func(name string) (any, error) {
		return map[string]any{"email": "a+b c@example.com", "id": "id:7"}[name], nil
	}
	got, err := substitutePath("/api/companies/@id/x?email=@email&z=1", draw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/api/companies/id:7/x?email=" + url.QueryEscape("a+b c@example.com") + "&z=1"; got != want {
		t.Errorf("substitutePath = %q; want %q", got, want)
	}
}

func TestVariables(t *testing.T) {
	p := testPools()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		v, err := p.variable("codex", "company_gid", rng)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(v.(string))
		if s := string(raw); s != "Company:3" && s != "Company:7" && s != "Company:11" {
			t.Fatalf("company_gid decodes to %q; want Company:<an id of the pool>", s)
		}
		if v, _ := p.variable("postgraphile", "root_id", rng); !strings.HasPrefix(v.(string), "1") || len(v.(string)) != 3 {
			t.Fatalf("root_id = %v; want a root's id as a string", v)
		}
		// 60 roots, pages of 50: positions 0..10, the cursor of the row before.
		off, _ := p.variable("postgraphile", "offset", rng)
		if o := off.(int); o < 0 || o > 10 {
			t.Fatalf("offset = %d; want 0..10", o)
		}
		cur, _ := p.variable("codex", "cursor", rng)
		if cur != nil && !strings.Contains("cAcBcCcDcEcFcGcHcIcJ", cur.(string)) {
			t.Fatalf("cursor = %v; want null or the cursor of one of roots 0..9", cur)
		}
	}
	if _, err := (&pools{}).variable("codex", "email", rng); err == nil {
		t.Error("email from an empty pool: error = nil; want one")
	}
	if _, err := p.variable("codex", "nope", rng); err == nil {
		t.Error("unknown variable: error = nil; want one")
	}
	a, _ := p.variable("codex", "stamp", rng)
	b, _ := p.variable("codex", "stamp", rng)
	if a == b {
		t.Errorf("two stamps are both %v; want a new value per write", a)
	}
}

func TestPickerProportions(t *testing.T) {
	pk, err := newPicker(platformMix)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200000
	got := map[string]int{}
	for range n {
		got[pk.pick(rng)]++
	}
	for _, w := range platformMix {
		share := 100 * float64(got[w.name]) / n
		if math.Abs(share-float64(w.weight)) > 0.5 {
			t.Errorf("%s: %.2f%% of %d draws; want %d%% ± 0.5", w.name, share, n, w.weight)
		}
	}
	if len(got) != len(platformMix) {
		t.Errorf("drew %v; want exactly the mix's kinds", got)
	}
}

func TestParseMix(t *testing.T) {
	ws, err := parseMix("theme=3, write=1")
	if err != nil || len(ws) != 2 || ws[0] != (weighted{"theme", 3}) || ws[1] != (weighted{"write", 1}) {
		t.Errorf("parseMix = %v, %v; want theme=3, write=1", ws, err)
	}
	for _, bad := range []string{"theme", "theme=x", "nope=1", "mix=1"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q): error = nil; want one", bad)
		}
	}
	if _, err := newPicker([]weighted{{"theme", 0}}); err == nil {
		t.Error("newPicker with weight 0: error = nil; want one")
	}
}

// TestBuilders builds every request kind of both targets from the repository's query
// files and checks each one's form.
func TestBuilders(t *testing.T) {
	p := testPools()
	rng := rand.New(rand.NewPCG(5, 6))
	for target, specs := range platformSpecs {
		c := &config{url: "http://h", target: target, platformQueries: "../queries/platform"}
		for name := range specs {
			b, err := newBuilder(c, p, name)
			if err != nil {
				t.Fatalf("%s %s: %v", target, name, err)
			}
			r, err := b.build(rng)
			if err != nil {
				t.Fatalf("%s %s: build: %v", target, name, err)
			}
			if strings.Contains(r.url+string(r.body), "@") && !strings.Contains(string(r.body), "@example.com") {
				t.Errorf("%s %s: unsubstituted variable in %s %s", target, name, r.url, r.body)
			}
			if r.graphQL {
				var gq struct {
					Query     string
					Variables map[string]any
				}
				if err := json.Unmarshal(r.body, &gq); err != nil || gq.Query == "" || r.url != "http://h/graphql" {
					t.Errorf("%s %s: GraphQL request %s %s: %v", target, name, r.url, r.body, err)
				}
				if target == "postgraphile" && name == "q2r" {
					if _, ok := gq.Variables["offset"].(float64); !ok {
						t.Errorf("postgraphile q2r: offset = %#v; want a number", gq.Variables["offset"])
					}
				}
			}
		}
	}
	c := &config{url: "http://h", target: "codex", platformQueries: "../queries/platform"}
	b, _ := newBuilder(c, p, "write")
	r, _ := b.build(rng)
	if r.method != "PATCH" || !strings.HasPrefix(r.url, "http://h/api/companies/") || !strings.Contains(string(r.body), `"description":"bench write `) {
		t.Errorf("codex write = %s %s %s; want PATCH /api/companies/N with a new description", r.method, r.url, r.body)
	}
	b, _ = newBuilder(c, p, "theme")
	r, _ = b.build(rng)
	if r.method != "GET" || r.url != "http://h/api/public/user/theme?email=a%2Bb%40example.com" {
		t.Errorf("codex theme = %s %s; want GET with the escaped e-mail", r.method, r.url)
	}
	mix, err := platformRequest(c, p, "mix")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 2000 {
		r, err := mix.gen(rng)
		if err != nil {
			t.Fatal(err)
		}
		seen[r.name] = true
	}
	if len(seen) != len(platformMix) {
		t.Errorf("2000 mix requests were of kinds %v; want all of %v", seen, platformMix)
	}
}

// TestMixBreakdown drives a two-kind generated request against a server that fails one
// kind and checks the per-kind figures.
func TestMixBreakdown(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The first request (runLoad's check that the scenario works) always succeeds.
		if served.Add(1) > 1 && r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	pk, _ := newPicker([]weighted{{"good", 3}, {"bad", 1}})
	req := request{name: "mix", gen: func(rng *rand.Rand) (request, error) {
		k := pk.pick(rng)
		return request{name: k, method: http.MethodGet, url: srv.URL + "/" + k}, nil
	}}
	c := &config{conc: 2, duration: 300 * time.Millisecond, token: "t"}
	res, err := runLoad(t.Context(), c, req, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Kinds) != 2 || res.Kinds[0].Name != "bad" || res.Kinds[1].Name != "good" {
		t.Fatalf("kinds = %+v; want bad and good", res.Kinds)
	}
	bad, good := res.Kinds[0], res.Kinds[1]
	if bad.Errors != bad.Requests || good.Errors != 0 || bad.Requests+good.Requests != res.Requests {
		t.Errorf("kinds = %+v of %d requests; want every bad one failed, no good one, all counted", res.Kinds, res.Requests)
	}
	if share := float64(bad.Requests) / float64(res.Requests); share < 0.1 || share > 0.4 {
		t.Errorf("bad share = %.2f; want about 0.25", share)
	}
}
