package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// editor is what the edit forms of contacts, assets, network devices and locations share:
// the row loaded as the caller sees it now, the form filled from it, and on submission
// the optimistic-concurrency check, the patch written with the form's version, and the
// form shown again with its errors (or, when stale, with the current values).
type editor[T, P any] struct {
	u *UI // for its error page
	// param names the row's id in the route; "" is "id".
	param string
	// load reads row id now, with the label the form's company field shows.
	load func(ctx context.Context, id int64) (row *T, label string, err error)
	// values fills a form from the row, its version included.
	values    func(f *form, row *T, label string)
	updatedAt func(*T) time.Time
	// render shows the form with status.
	render func(w http.ResponseWriter, r *http.Request, status int, f *form, row *T)
	// patch reads the fields the posted form changed (field errors go on f).
	patch func(ctx context.Context, f *form, row *T, label string) P
	// save writes the patch, refused when the row's version is no longer version.
	save func(ctx context.Context, id int64, p P, version string) error
	// saved is where a saved form goes: the row's page, relative to the UI's root.
	saved func(row *T) string
}

// rowID parses the route's id of the row.
func (e *editor[T, P]) rowID(r *http.Request) (int64, error) {
	if e.param == "" {
		return idParam(r)
	}
	id, err := strconv.ParseInt(chi.URLParam(r, e.param), 10, 64)
	if err != nil || id <= 0 {
		return 0, codex.Errorf(codex.NotFound, "no such page")
	}
	return id, nil
}

// edit serves the form with the row's current values.
func (e *editor[T, P]) edit(w http.ResponseWriter, r *http.Request) {
	id, err := e.rowID(r)
	var row *T
	var label string
	if err == nil {
		row, label, err = e.load(r.Context(), id)
	}
	if err != nil {
		e.u.fail(w, r, err)
		return
	}
	f := newForm()
	e.values(f, row, label)
	e.render(w, r, http.StatusOK, f, row)
}

// update saves a submitted form. A form opened before the row last changed is refused
// before anything is written and shown again with the current values and the conflict
// message; the version also travels with the patch, so a change between this read and
// the write is refused by the store the same way.
func (e *editor[T, P]) update(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := e.rowID(r)
	var row *T
	var label string
	if err == nil {
		row, label, err = e.load(ctx, id)
	}
	if err != nil {
		e.u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	if !f.checkVersion(e.updatedAt(row)) {
		fresh := newForm()
		e.values(fresh, row, label)
		fresh.Conflict, fresh.Message = true, f.Message
		e.render(w, r, http.StatusConflict, fresh, row)
		return
	}
	p := e.patch(ctx, f, row, label)
	if len(f.Errors) == 0 {
		err := e.save(ctx, id, p, f.Version)
		if codex.ErrorCode(err) == codex.Forbidden {
			e.u.fail(w, r, err)
			return
		}
		if err != nil {
			f.fail(err)
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		e.render(w, r, statusOfForm(f), f, row)
		return
	}
	redirect(w, r, e.saved(row)+"?flash=Saved.")
}

// withCompanyLabel makes an editor's load from a row's getter: the row, and its
// company's label for the form's company field.
func withCompanyLabel[T any](u *UI, get func(context.Context, int64) (*T, error), companyOf func(*T) int64) func(context.Context, int64) (*T, string, error) {
	return func(ctx context.Context, id int64) (*T, string, error) {
		row, err := get(ctx, id)
		if err != nil {
			return nil, "", err
		}
		return row, u.companyLabelOf(ctx, companyOf(row)), nil
	}
}

// movedTo reads a form's company field when it no longer shows label: the company the row
// moves to, or nil (unchanged, or an error at the field saying what to choose).
func (u *UI) movedTo(ctx context.Context, f *form, label, choose string) *int64 {
	if strings.TrimSpace(f.Get("company")) == label {
		return nil
	}
	cid, err := u.companyRef(ctx, f.Get("company"))
	if err != nil || cid == 0 {
		f.Errors["company"] = choose
		return nil
	}
	return &cid
}
