// Package fake is an in-memory Freshservice API v2 served over real HTTP, for tests of
// Codex's Freshservice client and of the sync engine built on it.
//
// It checks authentication (HTTP Basic: the API key as user name, "X" as password), pages
// like Freshservice (1-based page, per_page up to 100, an absolute Link rel="next" header
// that is absent on the last page), wraps lists and objects in their plural and singular
// keys, filters tickets by updated_since, adds type_fields to assets on include=type_fields,
// answers bad updates with Freshservice's validation error body, and can be told to fail,
// to rate limit, or to serve malformed records. Its wire types are written from the API
// notes, independently of the client's, so that tests catch a client that disagrees.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIKey is the API key the fake accepts.
const APIKey = "fs-fake-key-3f9a27c1d8"

// MaxPerPage is the largest per_page the fake (like Freshservice) serves.
const MaxPerPage = 100

// defaultPerPage is what Freshservice serves when per_page is absent.
const defaultPerPage = 30

// Server is a fake Freshservice account. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	now         func() time.Time
	departments table[Department]
	requesters  table[Requester]
	agents      table[Agent]
	tickets     table[Ticket]
	assets      table[Asset]
	groups      table[Group]
	// conversations and timeEntries hold every ticket's, by their own ids.
	conversations table[Conversation]
	timeEntries   table[TimeEntry]
	statuses      map[int]string
	nextDisplay   int64
	faults        []fault
	requests      map[string]int
	updates       []Update
}

// fault is one injected failure, served instead of the answer to the next request that
// matches method and path ("" matches any).
type fault struct {
	method, path string
	status       int
	retryAfter   string
}

// Update records one PUT the fake received.
type Update struct {
	// Kind is "department", "requester", "ticket" or "note".
	Kind string
	// ID is the record's id from the path.
	ID int64
	// Body is the JSON body as sent.
	Body map[string]any
	// Status is the HTTP status the fake answered with.
	Status int
}

// New starts a fake with no data. Call Close when done.
func New() *Server {
	s := &Server{
		now:           func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		departments:   newTable[Department](21000100001),
		requesters:    newTable[Requester](21000200001),
		agents:        newTable[Agent](21000400001),
		tickets:       newTable[Ticket](1),
		assets:        newTable[Asset](21000300001),
		groups:        newTable[Group](21000500001),
		conversations: newTable[Conversation](21000600001),
		timeEntries:   newTable[TimeEntry](21000700001),
		statuses:      map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"},
		nextDisplay:   1,
		requests:      map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/departments", s.listDepartments)
	mux.HandleFunc("GET /api/v2/departments/{id}", s.getDepartment)
	mux.HandleFunc("PUT /api/v2/departments/{id}", s.putDepartment)
	mux.HandleFunc("GET /api/v2/requesters", s.listRequesters)
	mux.HandleFunc("GET /api/v2/requesters/{id}", s.getRequester)
	mux.HandleFunc("PUT /api/v2/requesters/{id}", s.putRequester)
	mux.HandleFunc("GET /api/v2/agents", s.listAgents)
	mux.HandleFunc("GET /api/v2/tickets", s.listTickets)
	mux.HandleFunc("GET /api/v2/tickets/{id}", s.getTicket)
	mux.HandleFunc("PUT /api/v2/tickets/{id}", s.putTicket)
	mux.HandleFunc("POST /api/v2/tickets/{id}/notes", s.postNote)
	mux.HandleFunc("GET /api/v2/tickets/{id}/conversations", s.listConversations)
	mux.HandleFunc("GET /api/v2/tickets/{id}/time_entries", s.listTimeEntries)
	mux.HandleFunc("GET /api/v2/groups", s.listGroups)
	mux.HandleFunc("GET /api/v2/assets", s.listAssets)
	mux.HandleFunc("GET /api/v2/assets/{display_id}", s.getAsset)
	s.srv = httptest.NewServer(s.middleware(mux))
	return s
}

// URL returns the server's root, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string { return s.srv.URL }

// BaseURL returns the API root to configure the client with: URL() + "/api/v2".
func (s *Server) BaseURL() string { return s.srv.URL + "/api/v2" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// SetClock makes the fake stamp created_at and updated_at with now (in UTC, to the second).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = func() time.Time { return now().UTC().Truncate(time.Second) }
}

// FailNext makes the next n requests fail with status (e.g. 503), before authentication.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status})
	}
}

// FailNextOn makes the next n requests of method (e.g. "PUT") to path (e.g.
// "/api/v2/departments/21000100001") fail with status; other requests are served as usual.
func (s *Server) FailNextOn(method, path string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{method: method, path: path, status: status})
	}
}

// RateLimitNext makes the next n requests answer 429 with the given Retry-After header;
// "" sends none.
func (s *Server) RateLimitNext(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter})
	}
}

// Requests returns how many requests reached path (e.g. "/api/v2/departments"), faults
// included; "" counts every request.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// Updates returns the PUTs received so far, oldest first.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Update, len(s.updates))
	copy(out, s.updates)
	return out
}

// middleware counts requests, serves injected faults and checks authentication.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.requests[""]++
		var f *fault
		for i, candidate := range s.faults {
			if (candidate.method == "" || candidate.method == r.Method) && (candidate.path == "" || candidate.path == r.URL.Path) {
				f = &candidate
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				break
			}
		}
		used := s.requests[""]
		s.mu.Unlock()

		w.Header().Set("X-RateLimit-Total", "500")
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(0, 500-used%500)))
		w.Header().Set("X-RateLimit-Used-CurrentRequest", "1")
		if f != nil {
			if f.status == http.StatusTooManyRequests {
				if f.retryAfter != "" {
					w.Header().Set("Retry-After", f.retryAfter)
				}
				writeJSON(w, f.status, map[string]any{"message": "You have exceeded the limit of requests per minute"})
				return
			}
			writeJSON(w, f.status, map[string]any{"message": http.StatusText(f.status)})
			return
		}
		user, pass, ok := r.BasicAuth()
		if !ok || user != APIKey || pass != "X" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{
				"code":    "invalid_credentials",
				"message": "You have to be logged in to perform this action.",
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fieldError is one entry of a validation error body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// writeValidation answers with Freshservice's validation error body.
func writeValidation(w http.ResponseWriter, status int, errs ...fieldError) {
	writeJSON(w, status, map[string]any{"description": "Validation failed", "errors": errs})
}

func writeNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"code": "not_found", "message": "Record not found"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// paging reads page and per_page, answering 400 like Freshservice when they are bad.
func paging(w http.ResponseWriter, r *http.Request) (page, perPage int, ok bool) {
	page, perPage = 1, defaultPerPage
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeValidation(w, http.StatusBadRequest, fieldError{"page", "It should be a Positive Number", "invalid_value"})
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			writeValidation(w, http.StatusBadRequest, fieldError{"per_page", fmt.Sprintf("It should be a Number between 1 to %d", MaxPerPage), "invalid_value"})
			return 0, 0, false
		}
		perPage = n
	}
	return page, perPage, true
}

// writePage serves one page of list under key, with a Link header to the next page when
// there is one. render, if not nil, turns a stored record into its wire form; it is not
// called for malformed records.
func writePage(w http.ResponseWriter, r *http.Request, key string, list listing, page, perPage int, render func(any) any) {
	n := list.len()
	start := min((page-1)*perPage, n)
	end := min(start+perPage, n)
	if end < n {
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", pageURL(r, page+1)))
	}
	out := make([]any, 0, end-start)
	for i := start; i < end; i++ {
		v := list.at(i)
		if _, malformed := v.(json.RawMessage); !malformed && render != nil {
			v = render(v)
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out})
}

// pageURL is the absolute URL of r with page replaced by n. The rest of the query is kept
// as sent, so a value such as include=requester,stats keeps its comma.
func pageURL(r *http.Request, n int) string {
	var parts []string
	replaced := false
	for p := range strings.SplitSeq(r.URL.RawQuery, "&") {
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "page=") {
			p = "page=" + strconv.Itoa(n)
			replaced = true
		}
		parts = append(parts, p)
	}
	if !replaced {
		parts = append(parts, "page="+strconv.Itoa(n))
	}
	return "http://" + r.Host + r.URL.Path + "?" + strings.Join(parts, "&")
}

// pathID reads the numeric path value name.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil
}
