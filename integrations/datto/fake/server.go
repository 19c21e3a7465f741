// Package fake is an in-memory Datto RMM API v2 served over real HTTP, for tests of Codex's
// Datto client and of the sync engine built on it.
//
// It issues tokens like Datto (POST /auth/oauth/token with HTTP Basic public-client:public
// and a password grant carrying the API key and secret) and then requires
// "Authorization: Bearer <token>" on /api/v2; it pages like Datto (0-based page, max up to
// 250, pageDetails with absolute prevPageUrl and nextPageUrl, null on the first and last
// page), serves timestamps as epoch milliseconds (or ISO strings for devices that ask for
// it), and can be told to fail, to rate limit, to block the account, to expire every token,
// or to serve malformed records. Its wire types are written from the API notes,
// independently of the client's, so that tests catch a client that disagrees.
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

// The credentials the fake accepts.
const (
	APIKey    = "datto-fake-key-7Q2W"
	APISecret = "datto-fake-secret-9XK4P"
)

// MaxPageSize is the largest max the fake (like Datto) serves.
const MaxPageSize = 250

// TokenPath is where tokens are issued.
const TokenPath = "/auth/oauth/token"

// defaultTokenLifetime is Datto's 100 hours, as expires_in 359999 seconds.
const defaultTokenLifetime = 359999 * time.Second

// Server is a fake Datto RMM account. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu            sync.Mutex
	accountUID    string
	nextSite      int64
	nextDevice    int64
	nextVariable  int64
	nextAlert     int64
	sites         []siteRow
	siteByUID     map[string]*Site
	devices       []deviceRow
	deviceByUID   map[string]*Device
	bySite        map[string][]*Device // rebuilt when nil
	variables     map[string][]*SiteVariable
	alerts        []alertRow
	alertByUID    map[string]*Alert
	tokens        map[string]time.Time // token -> expiry
	tokenSeq      int
	tokenLifetime time.Duration
	omitTotal     bool
	faults        []fault
	requests      map[string]int
	updates       []Update
}

// siteRow is a site in listing order, or a malformed record.
type siteRow struct {
	site *Site
	raw  json.RawMessage
}

// deviceRow is a device in listing order, or a malformed record.
type deviceRow struct {
	dev *Device
	raw json.RawMessage
}

// alertRow is an alert in listing order, or a malformed record of the open or resolved list.
type alertRow struct {
	alert    *Alert
	raw      json.RawMessage
	resolved bool
}

// fault is one injected failure, served instead of the answer to the next API call that
// matches method and path ("" matches any).
type fault struct {
	method, path string
	status       int
	retryAfter   string
	body         string
}

// Update records one push (POST or PUT) the fake received on /api/v2.
type Update struct {
	// Method is POST or PUT.
	Method string
	// Path is the request path, e.g. /api/v2/device/{uid}/warranty.
	Path string
	// Body is the JSON body as sent.
	Body map[string]any
	// Status is the HTTP status the fake answered with.
	Status int
}

// New starts a fake with no data. Call Close when done.
func New() *Server {
	s := &Server{
		accountUID:    "a1b2c3d4",
		nextSite:      1,
		nextDevice:    1,
		nextVariable:  1,
		nextAlert:     1,
		siteByUID:     map[string]*Site{},
		deviceByUID:   map[string]*Device{},
		variables:     map[string][]*SiteVariable{},
		alertByUID:    map[string]*Alert{},
		tokens:        map[string]time.Time{},
		tokenLifetime: defaultTokenLifetime,
		requests:      map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.issueToken)
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v2/account/sites", s.listSites)
	api.HandleFunc("GET /api/v2/site/{uid}", s.getSite)
	api.HandleFunc("GET /api/v2/site/{uid}/variables", s.listVariables)
	api.HandleFunc("PUT /api/v2/site/{uid}/variable", s.createVariable)
	api.HandleFunc("POST /api/v2/site/{uid}/variable/{id}", s.updateVariable)
	api.HandleFunc("GET /api/v2/site/{uid}/devices", s.listSiteDevices)
	api.HandleFunc("GET /api/v2/account/devices", s.listDevices)
	api.HandleFunc("GET /api/v2/device/{uid}", s.getDevice)
	api.HandleFunc("POST /api/v2/device/{uid}/warranty", s.setWarranty)
	api.HandleFunc("POST /api/v2/device/{uid}/udf", s.setUDF)
	api.HandleFunc("GET /api/v2/audit/device/{uid}", s.getAudit)
	api.HandleFunc("GET /api/v2/account/alerts/open", s.listAlerts(false))
	api.HandleFunc("GET /api/v2/account/alerts/resolved", s.listAlerts(true))
	mux.Handle("/api/v2/", s.apiMiddleware(api))
	s.srv = httptest.NewServer(s.count(mux))
	return s
}

// URL returns the platform root to configure the client with, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next n API calls (not token requests) fail with status, e.g. 503,
// before authentication. A 403 so injected is a plain permission error.
func (s *Server) FailNext(n, status int) {
	s.addFaults(n, fault{status: status, body: fmt.Sprintf(`{"code":"%d","message":"%s"}`, status, http.StatusText(status))})
}

// RateLimitNext makes the next n API calls answer 429 with the given Retry-After header;
// "" sends none, as Datto does.
func (s *Server) RateLimitNext(n int, retryAfter string) {
	s.addFaults(n, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter, body: `{"message":"Too Many Requests"}`})
}

// BlockNext makes the next n API calls answer 403 with a body that blames the rate limit,
// as Datto does for a while after persistent abuse.
func (s *Server) BlockNext(n int) {
	s.addFaults(n, fault{status: http.StatusForbidden, body: `{"message":"Forbidden: rate limit exceeded, requests from this account are blocked for 5 minutes"}`})
}

// FailNextOn makes the next n calls of method (e.g. "POST") to path (e.g.
// "/api/v2/device/{uid}/warranty") fail with status; other calls are served as usual.
func (s *Server) FailNextOn(method, path string, n, status int) {
	f := fault{method: method, path: path, status: status}
	f.body = fmt.Sprintf(`{"code":"%d","message":"%s"}`, status, http.StatusText(status))
	s.addFaults(n, f)
}

func (s *Server) addFaults(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// ExpireTokens makes every token issued so far answer 401, as a token past its 100 hours does.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// SetTokenLifetime sets the lifetime of tokens issued from now on (Datto's is 100 hours).
// expires_in is sent in whole seconds, at least 1.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// OmitTotalCount makes list answers leave pageDetails.totalCount out, as some Datto lists do.
func (s *Server) OmitTotalCount(omit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omitTotal = omit
}

// Requests returns how many requests reached path (e.g. "/api/v2/account/devices" or
// TokenPath), faults included; "" counts every request.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// Updates returns the pushes received so far, oldest first.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Update, len(s.updates))
	copy(out, s.updates)
	return out
}

// count counts every request by path.
func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.requests[""]++
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// apiMiddleware serves injected faults and checks the bearer token.
func (s *Server) apiMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		f := s.takeFault(r)
		tok, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		expiry, known := s.tokens[tok]
		s.mu.Unlock()
		if f != nil {
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			writeRaw(w, f.status, f.body)
			return
		}
		if !hasBearer || !known || time.Now().After(expiry) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Access token expired or invalid"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// takeFault removes and returns the first fault that matches r, or nil; the caller holds
// s.mu.
func (s *Server) takeFault(r *http.Request) *fault {
	for i, f := range s.faults {
		if (f.method == "" || f.method == r.Method) && (f.path == "" || f.path == r.URL.Path) {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			return &f
		}
	}
	return nil
}

// issueToken implements the password grant.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "public-client" || pass != "public" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized", "error_description": "Full authentication is required to access this resource"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "form body required"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "password" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
		return
	}
	if r.PostForm.Get("username") != APIKey || r.PostForm.Get("password") != APISecret {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "Bad credentials"})
		return
	}
	s.mu.Lock()
	s.tokenSeq++
	tok := fmt.Sprintf("fake-token-%06d-%d", s.tokenSeq, time.Now().UnixNano())
	lifetime := s.tokenLifetime
	s.tokens[tok] = time.Now().Add(lifetime)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   max(1, int64(lifetime/time.Second)),
		"scope":        "default",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": strconv.Itoa(status), "message": msg})
}

// listing is a list to page through; at returns a record in wire form or a
// json.RawMessage for a malformed record.
type listing interface {
	len() int
	at(i int) any
}

// rows is a listing held in a slice.
type rows []any

func (l rows) len() int     { return len(l) }
func (l rows) at(i int) any { return l[i] }

// paging reads page and max, answering 400 when they are bad.
func paging(w http.ResponseWriter, r *http.Request) (page, size int, ok bool) {
	page, size = 0, MaxPageSize
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "page must be a number from 0")
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("max"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("max must be a number from 1 to %d", MaxPageSize))
			return 0, 0, false
		}
		size = n
	}
	return page, size, true
}

// writePage serves one page of list under key with Datto's pageDetails; the caller holds
// s.mu. render turns a stored record into its wire form.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, key string, list listing, page, size int, render func(any) any) {
	n := list.len()
	start := min(page*size, n)
	end := min(start+size, n)
	out := make([]any, 0, end-start)
	for i := start; i < end; i++ {
		v := list.at(i)
		if _, malformed := v.(json.RawMessage); !malformed && render != nil {
			v = render(v)
		}
		out = append(out, v)
	}
	details := map[string]any{"count": len(out), "prevPageUrl": nil, "nextPageUrl": nil}
	if !s.omitTotal {
		details["totalCount"] = n
	}
	if page > 0 {
		details["prevPageUrl"] = pageURL(r, page-1, size)
	}
	if end < n {
		details["nextPageUrl"] = pageURL(r, page+1, size)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pageDetails": details, key: out})
}

// pageURL is the absolute URL of page n of r's list.
func pageURL(r *http.Request, n, size int) string {
	return fmt.Sprintf("http://%s%s?max=%d&page=%d", r.Host, r.URL.Path, size, n)
}
