package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// entity is a writable resource: rows of type T, shown as R, changed through patches P.
// Every write reads the row first (so an unknown or out-of-scope id is a 404 before
// anything else), builds the wanted row from the body, and sends the store only the
// fields that differ. Each store write is one transaction, so a failed write changes
// nothing.
type entity[T, P, R any] struct {
	noun    string // "company"
	get     func(ctx context.Context, id int64) (*T, error)
	create  func(ctx context.Context, t *T) error
	update  func(ctx context.Context, id int64, p P) (*T, error)
	archive func(ctx context.Context, id int64) (*T, error)
	restore func(ctx context.Context, id int64) (*T, error)
	// blank is the row a POST or PUT starts from: every field at its default.
	blank func() *T
	// decode returns base with the members of a body applied, defaulted and validated.
	decode func(base *T, body map[string]json.RawMessage) (*T, error)
	// save, when set, replaces the default write (diff into a patch, then update); version
	// is the If-Match version to hand the store (empty: none).
	save func(ctx context.Context, cur, want *T, version string) (*T, error)
	view func(*T) R
	id   func(*T) int64
}

// entityRoutes returns the item routes of an entity under base (/companies).
func entityRoutes[T, P, R any](a *API, e entity[T, P, R], base, tag string) []route {
	rt := reflect.TypeFor[R]()
	item := base + "/{id}"
	one := "a " + e.noun
	if strings.ContainsRune("aeiou", rune(e.noun[0])) {
		one = "an " + e.noun
	}
	_, etag := any((*T)(nil)).(versioned)
	rts := []route{
		{method: http.MethodPost, pattern: base, summary: "Create " + one, tag: tag, body: rt, result: rt,
			status: http.StatusCreated, handler: func(w http.ResponseWriter, r *http.Request) { e.post(a, w, r) }},
		{method: http.MethodGet, pattern: item, summary: "Read " + one, tag: tag, result: rt,
			status: http.StatusOK, handler: func(w http.ResponseWriter, r *http.Request) { e.read(a, w, r) }},
		{method: http.MethodPut, pattern: item, summary: "Replace " + one + ": absent fields are reset to their defaults",
			tag: tag, body: rt, result: rt, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) { e.write(a, w, r, true) }},
		{method: http.MethodPatch, pattern: item, summary: "Change some fields of " + one + " (null clears a field)",
			tag: tag, body: rt, result: rt, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) { e.write(a, w, r, false) }},
		{method: http.MethodDelete, pattern: item, summary: "Archive " + one + " (nothing is deleted; restore undoes it)",
			tag: tag, result: rt, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) { e.change(a, w, r, e.archive) }},
		{method: http.MethodPost, pattern: item + "/restore", summary: "Restore an archived " + e.noun,
			tag: tag, result: rt, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) { e.change(a, w, r, e.restore) }},
	}
	for i := range rts {
		rts[i].etag = etag
		rts[i].ifMatch = etag && (rts[i].method != http.MethodPost && rts[i].method != http.MethodGet ||
			strings.HasSuffix(rts[i].pattern, "/restore"))
	}
	return rts
}

func (e entity[T, P, R]) post(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := readObject(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	t, err := e.decode(e.blank(), body)
	if err == nil {
		err = refError(e.create(ctx, t))
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	// Read it back as any reader sees it (the policy may hide what was just written).
	got, err := e.get(ctx, e.id(t))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+strconv.FormatInt(e.id(got), 10))
	setETag(w, got)
	writeJSON(w, http.StatusCreated, e.view(got))
}

func (e entity[T, P, R]) read(a *API, w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var t *T
	if err == nil {
		t, err = e.get(r.Context(), id)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	setETag(w, t)
	writeJSON(w, http.StatusOK, e.view(t))
}

// write serves PUT (replace: the body applies to a blank row) and PATCH (the body applies
// to the current row).
func (e entity[T, P, R]) write(a *API, w http.ResponseWriter, r *http.Request, replace bool) {
	ctx := r.Context()
	id, err := pathID(r)
	var cur *T
	if err == nil {
		cur, err = e.get(ctx, id)
	}
	var version string
	if err == nil {
		version, err = a.precondition(r, cur)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	body, err := readObject(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	base := cur
	if replace {
		base = e.blank()
		// The row keeps its identity; only its fields are replaced.
		copyIdentity(base, cur)
	}
	want, err := e.decode(base, body)
	var saved *T
	if err == nil {
		if e.save != nil {
			saved, err = e.save(ctx, cur, want, version)
		} else {
			saved, err = patchSave(ctx, cur, want, id, version, e.update)
		}
		err = refError(err)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	setETag(w, saved)
	writeJSON(w, http.StatusOK, e.view(saved))
}

// change serves DELETE (archive) and restore. With If-Match (or when the server requires
// it, on DELETE) the row is read first and its version compared.
func (e entity[T, P, R]) change(a *API, w http.ResponseWriter, r *http.Request, fn func(context.Context, int64) (*T, error)) {
	id, err := pathID(r)
	if err == nil && (r.Header.Get("If-Match") != "" || (a.requireIfMatch && r.Method == http.MethodDelete)) {
		var cur *T
		if cur, err = e.get(r.Context(), id); err == nil {
			_, err = a.precondition(r, cur)
		}
	}
	var t *T
	if err == nil {
		t, err = fn(r.Context(), id)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	setETag(w, t)
	writeJSON(w, http.StatusOK, e.view(t))
}

// versioned is a row with a version token (codex.VersionOf).
type versioned interface{ Version() string }

// setETag shows row's version as the response's ETag.
func setETag(w http.ResponseWriter, row any) {
	if v, ok := row.(versioned); ok {
		w.Header().Set("ETag", `"`+v.Version()+`"`)
	}
}

// precondition checks r's If-Match against cur, the row as read (RFC 9110 §13.1.1, strong
// comparison): a mismatch is a 412, and a write without If-Match a 428 when the server
// requires it. It returns the version to hand the store, which compares it again inside
// the write's transaction, so a change made between this read and the write is a 412 too.
func (a *API) precondition(r *http.Request, cur any) (string, error) {
	v, ok := cur.(versioned)
	if !ok {
		return "", nil
	}
	header := strings.TrimSpace(r.Header.Get("If-Match"))
	if header == "" {
		if a.requireIfMatch {
			return "", httpError(http.StatusPreconditionRequired, "precondition_required",
				"this server requires If-Match with the ETag of the row you read, so that you cannot overwrite a change you have not seen")
		}
		return "", nil
	}
	current := v.Version()
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return "", nil
		}
		if tag == `"`+current+`"` {
			return current, nil
		}
	}
	return "", errPreconditionFailed
}

var errPreconditionFailed = &statusError{status: http.StatusPreconditionFailed, kind: "precondition_failed",
	err: &codex.Error{Code: codex.Conflict, Message: "changed by someone else since you loaded it (If-Match does not match the current ETag): reload it and apply your change again", Err: codex.ErrChanged}}

// patchSave sends the differences between cur and want as one patch; no difference, no write.
func patchSave[T, P any](ctx context.Context, cur, want *T, id int64, version string, update func(context.Context, int64, P) (*T, error)) (*T, error) {
	var p P
	if !diffPatch(cur, want, &p) {
		return cur, nil
	}
	expectVersion(&p, version)
	return update(ctx, id, p)
}

// expectVersion sets a codex patch's ExpectedVersion.
func expectVersion(patch any, version string) {
	if f := reflect.ValueOf(patch).Elem().FieldByName("ExpectedVersion"); f.IsValid() {
		f.SetString(version)
	}
}

// copyIdentity copies the read-only fields (id, created_at, ...) of src into dst.
func copyIdentity[T any](dst, src *T) {
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	fields := jsonFields(dv.Type())
	for _, name := range readOnly {
		if i, ok := fields[name]; ok {
			dv.Field(i).Set(sv.Field(i))
		}
	}
}

// decodeRow applies a body to a copy of base, for rows whose JSON is the codex type's own,
// then fills defaults and validates (so bad values are a 422 before any write).
func decodeRow[T any](base *T, body map[string]json.RawMessage) (*T, error) {
	t := *base
	if err := applyJSON(body, &t); err != nil {
		return nil, err
	}
	return &t, check(&t)
}

// check fills a row's defaults and validates it.
func check(row any) error {
	if d, ok := row.(interface{ Defaults() }); ok {
		d.Defaults()
	}
	if v, ok := row.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// refError turns a not-found from a write into an invalid reference: the row itself was
// found before writing, so what is missing is a row the body points to (a company_id that
// does not exist or is out of the caller's scope).
func refError(err error) error {
	if err == nil || !codex.IsNotFound(err) {
		return err
	}
	fields := codex.ErrorFields(err)
	return &codex.Error{Code: codex.Invalid, Message: "unknown reference: " + codex.ErrorMessage(err), Fields: fields, Err: err}
}
