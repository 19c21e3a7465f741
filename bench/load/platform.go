package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"
)

// The platform workload (issue 18): every request draws its variables at random from
// pools read once from the database before the run, and each target gets its own id
// form (Codex global ids, PostGraphile rowIds).
//
//	q1r     company page (Q1) of a company drawn from all companies
//	q2r     list page (Q2, 50 roots by name) at a random position: Codex `after` the
//	        cursor of row k-1, PostGraphile `offset: k`
//	q3r     deep tree (root -> children -> grandchildren, contacts at each level) from a
//	        random root company
//	theme   a random agent's theme: Codex GET /api/public/user/theme?email=, PostGraphile
//	        allAgents(condition: {email}) { preferences }
//	search  contacts whose name, e-mail, phone or title contains a random 3-letter prefix
//	        (Codex contacts(filter: {search}); PostGraphile the SQL function
//	        bench_search_contacts that bench/platform.sh creates, the same predicate)
//	export  every company (Codex GET /api/companies?format=csv, PostGraphile allCompanies)
//	write   a real write: a random company's description set to a new value (Codex
//	        PATCH /api/companies/N, PostGraphile updateCompanyByRowId)
//	mix     the platform mix (platformMix): one of the above per request, by weight
var platformScenarios = []string{"q1r", "q2r", "q3r", "theme", "search", "export", "write", "mix"}

// platformMix is the share of each request kind in the mix, in percent. Every page view
// of every module asks for the user's theme; people open company pages spread over all
// clients; the assistant searches; lists and the deep tree are rarer pages; writes (a
// person's edit, a sync every few hours) are rare but real, so caches are exercised.
var platformMix = []weighted{
	{"theme", 50}, {"q1r", 25}, {"search", 10}, {"q2r", 10}, {"q3r", 4}, {"write", 1},
}

type weighted struct {
	name   string
	weight int
}

// picker draws a name by weight.
type picker struct {
	names []string
	cum   []int // cumulative weights
}

func newPicker(ws []weighted) (*picker, error) {
	p := &picker{}
	total := 0
	for _, w := range ws {
		if w.weight <= 0 {
			return nil, fmt.Errorf("mix: %s has weight %d", w.name, w.weight)
		}
		total += w.weight
		p.names = append(p.names, w.name)
		p.cum = append(p.cum, total)
	}
	if total == 0 {
		return nil, errors.New("mix: empty")
	}
	return p, nil
}

func (p *picker) pick(rng *rand.Rand) string {
	n := rng.IntN(p.cum[len(p.cum)-1])
	for i, c := range p.cum {
		if n < c {
			return p.names[i]
		}
	}
	panic("unreachable")
}

// parseMix reads "theme=50,q1r=25,..." (empty: platformMix).
func parseMix(s string) ([]weighted, error) {
	if s == "" {
		return platformMix, nil
	}
	var ws []weighted
	for part := range strings.SplitSeq(s, ",") {
		name, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		var w int
		if _, err := fmt.Sscan(n, &w); !ok || err != nil {
			return nil, fmt.Errorf("--mix: %q is not name=weight", part)
		}
		if name == "mix" || !contains(platformScenarios, name) {
			return nil, fmt.Errorf("--mix: unknown request kind %q", name)
		}
		ws = append(ws, weighted{name, w})
	}
	return ws, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// pools are the values requests draw from.
type pools struct {
	companies []int64  // every unarchived company
	roots     []int64  // unarchived roots by name, id
	emails    []string // agents' e-mail addresses
	prefixes  []string // 3-letter prefixes of contacts' display names
	// rootCursors[i] is Codex's cursor of root i in its name order (Codex only).
	rootCursors []string
}

// pageSize is Q2's page: a random position leaves a full page after it.
const pageSize = 50

// variable returns the value of @name for target, drawn with rng.
func (p *pools) variable(target, name string, rng *rand.Rand) (any, error) {
	pick := func(n int) (int, error) {
		if n == 0 {
			return 0, fmt.Errorf("@%s: its pool is empty", name)
		}
		return rng.IntN(n), nil
	}
	switch name {
	case "company_id", "company_gid", "root_id", "root_gid":
		ids := p.companies
		if strings.HasPrefix(name, "root") {
			ids = p.roots
		}
		i, err := pick(len(ids))
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(name, "gid") {
			return globalID("Company", ids[i]), nil
		}
		return fmt.Sprint(ids[i]), nil // GraphQL BigInt and path segments are strings
	case "offset": // PostGraphile: rows skipped
		i, err := pick(max(1, len(p.roots)-pageSize+1))
		return i, err
	case "cursor": // Codex: the cursor of the row before the page (null: the first page)
		i, err := pick(max(1, len(p.rootCursors)-pageSize+1))
		if err != nil || i == 0 {
			return nil, err
		}
		if len(p.rootCursors) == 0 {
			return nil, errors.New("@cursor: no cursors")
		}
		return p.rootCursors[i-1], nil
	case "email":
		i, err := pick(len(p.emails))
		if err != nil {
			return nil, err
		}
		return p.emails[i], nil
	case "prefix":
		i, err := pick(len(p.prefixes))
		if err != nil {
			return nil, err
		}
		return p.prefixes[i], nil
	case "stamp":
		return fmt.Sprintf("bench write %016x", rng.Uint64()), nil
	}
	return nil, fmt.Errorf("unknown variable @%s", name)
}

// globalID is Codex's global id of a row: base64("Type:N").
func globalID(typ string, id int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s:%d", typ, id))
}

// substitute replaces every JSON string "@name" in v (decoded JSON) by a drawn value.
func substitute(v any, draw func(name string) (any, error)) (any, error) {
	switch x := v.(type) {
	case string:
		if name, ok := strings.CutPrefix(x, "@"); ok {
			return draw(name)
		}
		return x, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			s, err := substitute(e, draw)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := substitute(e, draw)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	return v, nil
}

// substitutePath replaces every @name in a URL path or query (up to a character that
// is not a letter, digit or _) by a drawn value, escaped for a query or a path segment.
func substitutePath(s string, draw func(name string) (any, error)) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '@')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		j := i + 1
		for j < len(s) && (s[j] == '_' || 'a' <= s[j] && s[j] <= 'z' || '0' <= s[j] && s[j] <= '9') {
			j++
		}
		v, err := draw(s[i+1 : j])
		if err != nil {
			return "", err
		}
		text := fmt.Sprint(v)
		if strings.Contains(s[:i], "?") {
			b.WriteString(url.QueryEscape(text))
		} else {
			b.WriteString(url.PathEscape(text))
		}
		s = s[j:]
	}
}

// spec is one request kind for one target: a GraphQL operation (query file + variables
// template) or a REST request (method, path template, optional JSON body template).
type spec struct {
	query  string // bench/queries/platform/<target>/<query>.graphql
	vars   string
	method string
	path   string
	body   string
}

var platformSpecs = map[string]map[string]spec{
	"codex": {
		"q1r":    {query: "q1", vars: `{"id": "@company_gid"}`},
		"q2r":    {query: "q2", vars: `{"first": 50, "after": "@cursor"}`},
		"q3r":    {query: "q3", vars: `{"id": "@root_gid"}`},
		"theme":  {method: http.MethodGet, path: "/api/public/user/theme?email=@email"},
		"search": {query: "search", vars: `{"text": "@prefix"}`},
		"export": {method: http.MethodGet, path: "/api/companies?format=csv"},
		"write":  {method: http.MethodPatch, path: "/api/companies/@company_id", body: `{"description": "@stamp"}`},
	},
	"postgraphile": {
		"q1r":    {query: "q1", vars: `{"id": "@company_id"}`},
		"q2r":    {query: "q2", vars: `{"first": 50, "offset": "@offset"}`},
		"q3r":    {query: "q3", vars: `{"id": "@root_id"}`},
		"theme":  {query: "theme", vars: `{"email": "@email"}`},
		"search": {query: "search", vars: `{"text": "@prefix"}`},
		"export": {query: "export", vars: `{}`},
		"write":  {query: "write", vars: `{"id": "@company_id", "description": "@stamp"}`},
	},
}

// builder makes one request kind's requests for one target.
type builder struct {
	name    string
	target  string
	base    string // the server's base URL (GraphQL at base+"/graphql")
	s       spec
	query   string // the GraphQL text
	tmpl    any    // decoded variables or body template
	pools   *pools
	graphQL bool
}

func newBuilder(c *config, p *pools, name string) (*builder, error) {
	s, ok := platformSpecs[c.target][name]
	if !ok {
		return nil, fmt.Errorf("%s: no %s request for target %s", name, name, c.target)
	}
	b := &builder{name: name, target: c.target, base: c.url, s: s, pools: p}
	t := s.vars
	if s.query != "" {
		q, err := os.ReadFile(filepath.Join(c.platformQueries, c.target, s.query+".graphql"))
		if err != nil {
			return nil, err
		}
		b.query, b.graphQL = string(q), true
	} else {
		t = s.body
	}
	if t != "" {
		if err := json.Unmarshal([]byte(t), &b.tmpl); err != nil {
			return nil, fmt.Errorf("%s: template: %w", name, err)
		}
	}
	return b, nil
}

// build draws the variables and returns the request.
func (b *builder) build(rng *rand.Rand) (request, error) {
	// A variable drawn twice in one request has one value (the write's id and stamp are
	// also what the stale-read checker verifies).
	drawn := map[string]any{}
	draw := func(v string) (any, error) {
		if x, ok := drawn[v]; ok {
			return x, nil
		}
		x, err := b.pools.variable(b.target, v, rng)
		drawn[v] = x
		return x, err
	}
	r := request{name: b.name, method: http.MethodPost, url: b.base + "/graphql", graphQL: b.graphQL}

	var payload any
	if b.tmpl != nil {
		v, err := substitute(b.tmpl, draw)
		if err != nil {
			return r, err
		}
		payload = v
	}
	if b.graphQL {
		payload = map[string]any{"query": b.query, "variables": payload}
	} else {
		r.method = b.s.method
		path, err := substitutePath(b.s.path, draw)
		if err != nil {
			return r, err
		}
		r.url = b.base + path
	}
	if payload != nil {
		body, err := json.Marshal(payload)
		if err != nil {
			return r, err
		}
		r.body = body
	}
	if b.name == "write" && b.target == "codex" {
		r.written = &written{id: fmt.Sprint(drawn["company_id"]), value: fmt.Sprint(drawn["stamp"])}
	}
	return r, nil
}

// platformRequest returns scenario s's request, whose gen draws a new one each time.
func platformRequest(c *config, p *pools, s string) (request, error) {
	if s != "mix" {
		b, err := newBuilder(c, p, s)
		if err != nil {
			return request{}, err
		}
		return request{name: s, gen: b.build}, nil
	}
	ws, err := parseMix(c.mix)
	if err != nil {
		return request{}, err
	}
	pk, err := newPicker(ws)
	if err != nil {
		return request{}, err
	}
	bs := map[string]*builder{}
	for _, w := range ws {
		if bs[w.name], err = newBuilder(c, p, w.name); err != nil {
			return request{}, err
		}
	}
	return request{name: "mix", gen: func(rng *rand.Rand) (request, error) {
		return bs[pk.pick(rng)].build(rng)
	}}, nil
}

// loadPools reads the pools from the server's PostgreSQL database and, for Codex, the
// roots' cursors from Codex itself (they are opaque).
func loadPools(ctx context.Context, c *config) (*pools, error) {
	if !strings.HasPrefix(c.poolDB, "postgres://") && !strings.HasPrefix(c.poolDB, "postgresql://") {
		return nil, errors.New("the platform scenarios need --pool-db (or --db): the PostgreSQL database to draw ids, e-mails and prefixes from")
	}
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(c.poolDB)))
	defer db.Close()
	p := &pools{}
	var err error
	if p.companies, err = column[int64](ctx, db, `SELECT id FROM companies WHERE archived_at IS NULL ORDER BY id`); err != nil {
		return nil, err
	}
	if p.roots, err = column[int64](ctx, db, `SELECT id FROM companies WHERE parent_id IS NULL AND archived_at IS NULL ORDER BY name, id`); err != nil {
		return nil, err
	}
	if p.emails, err = column[string](ctx, db, `SELECT email FROM agents ORDER BY id`); err != nil {
		return nil, err
	}
	if p.prefixes, err = column[string](ctx, db, `SELECT DISTINCT lower(left(display_name, 3)) FROM contacts WHERE length(display_name) >= 3 ORDER BY 1`); err != nil {
		return nil, err
	}
	if c.target == "codex" {
		if p.rootCursors, err = codexRootCursors(ctx, c); err != nil {
			return nil, fmt.Errorf("root cursors: %w", err)
		}
	}
	return p, nil
}

func column[T any](ctx context.Context, db *sql.DB, q string) ([]T, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// codexRootCursors pages through Codex's root companies by name and returns each one's cursor.
func codexRootCursors(ctx context.Context, c *config) ([]string, error) {
	const q = `query($after: String) { companies(first: 500, after: $after, filter: {rootsOnly: true}, orderBy: {field: NAME}) {
  edges { cursor } pageInfo { hasNextPage endCursor } } }`
	client := newClient(1, 0)
	defer client.CloseIdleConnections()
	var out []string
	var after any
	for {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"after": after}})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		var r struct {
			Data struct {
				Companies struct {
					Edges    []struct{ Cursor string }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			Errors []struct{ Message string }
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		switch {
		case err != nil:
			return nil, fmt.Errorf("status %d: %w", resp.StatusCode, err)
		case len(r.Errors) > 0:
			return nil, errors.New(r.Errors[0].Message)
		}
		for _, e := range r.Data.Companies.Edges {
			out = append(out, e.Cursor)
		}
		if !r.Data.Companies.PageInfo.HasNextPage {
			return out, nil
		}
		after = r.Data.Companies.PageInfo.EndCursor
	}
}
