package rest

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// pageParams are the paging and format parameters of every list.
var pageParams = []param{
	{name: "limit", typ: "integer", doc: "Rows per page: default 1000, at most 10000 (JSON only; CSV is not paged)."},
	{name: "offset", typ: "integer", doc: "Rows to skip (JSON only)."},
	{name: "after", typ: "string", doc: "Cursor alternative to offset: the page after this cursor (from the Link header)."},
	{name: "before", typ: "string", doc: "The page before this cursor (from the Link header)."},
}

// csvParams choose and shape a CSV export, on every list.
var csvParams = []param{
	{name: "format", typ: "string", enum: []string{"json", "csv"},
		doc: "csv streams every matching row as RFC 4180 CSV (CRLF line ends) with a header row, like Accept: text/csv. " +
			"A text cell beginning with =, +, -, @, a tab or a carriage return gets a leading ' so a spreadsheet shows it instead of running it."},
	{name: "bom", typ: "boolean",
		doc: "true starts a CSV export with a UTF-8 byte order mark, so Excel reads non-ASCII names correctly (default false)."},
}

// list is a paged, filtered list of rows of type T shown as R, with its CSV export.
type list[F, T, R any] struct {
	name   string // the CSV file name
	params []filterParam[F]
	page   func(ctx context.Context, f F, p codex.PageArgs) (*codex.Page[T], error)
	each   func(ctx context.Context, f F, fn func(*T) error) error
	view   func(*T) R
	// scope, for a nested route (/companies/{id}/assets), checks the parent and narrows f.
	scope func(r *http.Request, f *F) error
}

// listRoute returns the route-table row of a list.
func listRoute[F, T, R any](a *API, l list[F, T, R], pattern, summary, tag string) route {
	return route{method: http.MethodGet, pattern: pattern, summary: summary, tag: tag,
		params: slices.Concat(docParams(l.params), pageParams, csvParams), result: reflect.TypeFor[R](),
		list: true, status: http.StatusOK,
		handler: func(w http.ResponseWriter, r *http.Request) { l.serve(a, w, r) }}
}

func (l list[F, T, R]) serve(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	var f F
	err := bindFilter(q, l.params, &f)
	if err == nil && l.scope != nil {
		err = l.scope(r, &f)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	csv, err := wantsCSV(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if csv {
		streamCSV(a, w, r, l.name, func(emit func(R) error) error {
			return asBadRequest(l.each(ctx, f, func(t *T) error { return emit(l.view(t)) }))
		})
		return
	}
	args, err := pageArgs(q)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	p, err := l.page(ctx, f, args)
	if err != nil {
		// A list read's only input is its query: whatever is invalid is a parameter.
		a.problem(w, r, asBadRequest(err))
		return
	}
	pagingHeaders(w, r, args, p.Cursors, p.TotalCount, len(p.Items), p.HasNextPage, p.HasPreviousPage)
	out := make([]R, len(p.Items))
	for i, t := range p.Items {
		out[i] = l.view(t)
	}
	writeJSON(w, http.StatusOK, out)
}

// pageArgs reads limit/offset or the cursors after/before.
func pageArgs(q url.Values) (codex.PageArgs, error) {
	args := codex.PageArgs{WantTotal: true}
	limit := DefaultLimit
	if vs, ok := q["limit"]; ok {
		s, err := single("limit", vs)
		if err != nil {
			return args, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > MaxLimit {
			return args, paramError("limit", "must be an integer from 0 to "+strconv.Itoa(MaxLimit))
		}
		limit = n
	}
	if vs, ok := q["offset"]; ok {
		s, err := single("offset", vs)
		if err != nil {
			return args, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > codex.MaxOffset {
			return args, paramError("offset", "must be an integer from 0 to "+strconv.Itoa(codex.MaxOffset)+" (page further with the after cursor of the Link header)")
		}
		args.Offset = n
	}
	for _, name := range []string{"after", "before"} {
		if vs, ok := q[name]; ok {
			s, err := single(name, vs)
			if err != nil {
				return args, err
			}
			if s == "" || len(s) > 1000 {
				return args, paramError(name, "must be a cursor from a Link header")
			}
			if name == "after" {
				args.After = s
			} else {
				args.Before = s
			}
		}
	}
	switch {
	case args.After != "" && args.Before != "":
		return args, paramError("before", "cannot be combined with after")
	case args.Offset > 0 && (args.After != "" || args.Before != ""):
		return args, paramError("offset", "cannot be combined with a cursor")
	}
	if args.Before != "" {
		args.Last = &limit
	} else {
		args.First = &limit
	}
	return args, nil
}

// pagingHeaders sets X-Total-Count and a Link header with rel="next" and rel="prev" pages
// of the same query. A request that pages by offset gets offset links; any other gets
// cursor links, which stay correct while rows are added or archived between pages.
func pagingHeaders(w http.ResponseWriter, r *http.Request, args codex.PageArgs, cursors []string, total, n int, hasNext, hasPrev bool) {
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	limit := DefaultLimit
	if args.First != nil {
		limit = *args.First
	} else if args.Last != nil {
		limit = *args.Last
	}
	link := func(rel string, set map[string]string) string {
		q := r.URL.Query()
		for _, k := range []string{"offset", "after", "before"} {
			q.Del(k)
		}
		q.Set("limit", strconv.Itoa(limit))
		for k, v := range set {
			q.Set(k, v)
		}
		return "<" + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if limit == 0 {
		return // an empty page leads nowhere
	}
	if r.URL.Query().Has("offset") {
		if args.Offset+n < total || (hasNext && n > 0) {
			links = append(links, link("next", map[string]string{"offset": strconv.Itoa(args.Offset + n)}))
		}
		if args.Offset > 0 {
			links = append(links, link("prev", map[string]string{"offset": strconv.Itoa(max(0, args.Offset-limit))}))
		}
	} else if len(cursors) > 0 {
		if hasNext || args.Before != "" {
			links = append(links, link("next", map[string]string{"after": cursors[len(cursors)-1]}))
		}
		if hasPrev || args.After != "" {
			links = append(links, link("prev", map[string]string{"before": cursors[0]}))
		}
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
}

// wantsCSV reports whether a list is asked for as CSV: ?format=csv, or an Accept header
// preferring text/csv to JSON.
func wantsCSV(r *http.Request) (bool, error) {
	if vs, ok := r.URL.Query()["format"]; ok {
		s, err := single("format", vs)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "csv":
			return true, nil
		case "json":
			return false, nil
		}
		return false, paramError("format", "must be json or csv")
	}
	csvQ, jsonQ := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				q = v
			}
		}
		switch mt {
		case "text/csv":
			csvQ = max(csvQ, q)
		case "application/json", "application/*", "*/*":
			jsonQ = max(jsonQ, q)
		}
	}
	return csvQ > 0 && csvQ > jsonQ, nil
}
