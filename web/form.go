package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// form is an edit form's state: the submitted (or current) values, the errors per field,
// the row version it was loaded at, and a message for the whole form.
type form struct {
	Values   url.Values
	Errors   map[string]string
	Version  string
	Conflict bool
	Message  string
}

// Get returns a field's value.
func (f *form) Get(k string) string { return f.Values.Get(k) }

// Has reports whether a multi-valued field holds v.
func (f *form) Has(k, v string) bool { return contains(f.Values[k], v) }

// Err returns a field's error message.
func (f *form) Err(k string) string { return f.Errors[k] }

func newForm() *form { return &form{Values: url.Values{}, Errors: map[string]string{}} }

// postedForm reads a submitted form.
func postedForm(r *http.Request) *form {
	r.ParseForm()
	f := newForm()
	f.Values = r.PostForm
	f.Version = r.PostForm.Get("version")
	return f
}

// fail records err on the form: field errors, or a message.
func (f *form) fail(err error) {
	if fields := codex.ErrorFields(err); len(fields) > 0 {
		for k, v := range fields {
			f.Errors[k] = v
		}
		f.Message = "Please correct the marked fields."
		return
	}
	f.Message = codex.ErrorMessage(err)
	f.Conflict = errIs(err, codex.Conflict)
}

// version is a row's optimistic-concurrency version as the forms carry it.
func version(t time.Time) string { return codex.VersionOf(t) }

// checkVersion compares the form's version with the row's current one. On mismatch the
// form is marked as a conflict and the caller re-renders it with the current values.
//
// The comparison here, before the write, lets the form show the current values; the
// patch's ExpectedVersion, checked by the store inside the write transaction, closes the
// window between this read and the write (a Conflict error marks the form the same way).
func (f *form) checkVersion(current time.Time) bool {
	if f.Version == version(current) {
		return true
	}
	f.Conflict = true
	f.Message = "Someone else changed this record since you opened the form (at " + current.UTC().Format("15:04:05") +
		" UTC). Your changes were not saved: review the current values below and make your changes again."
	return false
}

// str returns a trimmed field as a pointer when it differs from cur (nil: unchanged).
func (f *form) str(k, cur string) *string {
	if _, ok := f.Values[k]; !ok {
		return nil
	}
	v := strings.TrimSpace(f.Get(k))
	if v == cur {
		return nil
	}
	return &v
}

// date parses a yyyy-mm-dd field into a Date (zero when empty).
func (f *form) date(k string) codex.Date {
	s := strings.TrimSpace(f.Get(k))
	if s == "" {
		return codex.Date{}
	}
	d, err := codex.ParseDate(s)
	if err != nil {
		f.Errors[k] = "must be a date (yyyy-mm-dd)"
	}
	return d
}

// datePatch returns the date field when it differs from cur.
func (f *form) datePatch(k string, cur *codex.Date) *codex.Date {
	if _, ok := f.Values[k]; !ok {
		return nil
	}
	d := f.date(k)
	if cur == nil && d.IsZero() || cur != nil && *cur == d {
		return nil
	}
	return &d
}

// optInt parses an optional whole number (nil when empty).
func (f *form) optInt(k string) *int {
	s := strings.TrimSpace(f.Get(k))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Errors[k] = "must be a whole number"
		return nil
	}
	return &n
}

// list splits a comma- or newline-separated field.
func (f *form) list(k string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(f.Get(k), func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// kvs parses "key=value" lines.
func (f *form) kvs(k string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(f.Get(k), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			f.Errors[k] = "write one key=value per line"
			continue
		}
		out[strings.TrimSpace(key)] = strings.TrimSpace(val)
	}
	return out
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

var refID = regexp.MustCompile(`\(#(\d+)\)\s*$`)

// companyRef resolves a company picker's text: "Name (#12)" as the datalist offers it,
// "#12" or "12", an account number, or an exact name. Empty is no company.
func (u *UI) companyRef(ctx context.Context, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if m := refID.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil {
		c, err := u.svc.Companies.Company(ctx, id)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	}
	if c, err := u.svc.Companies.CompanyByAccountNumber(ctx, s); err == nil {
		return c.ID, nil
	}
	pg, err := u.svc.Companies.Companies(ctx, codex.CompanyFilter{Search: s}, codex.PageArgs{First: ptr(20)})
	if err != nil {
		return 0, err
	}
	for _, c := range pg.Items {
		if strings.EqualFold(c.Name, s) {
			return c.ID, nil
		}
	}
	return 0, codex.Errorf(codex.NotFound, "no company matches %q", s)
}

// companyLabel is how a company picker shows a company.
func companyLabel(c *codex.Company) string {
	return c.Name + " (#" + strconv.FormatInt(c.ID, 10) + ")"
}

// pickerOptions are the companies offered by a picker's datalist (the first 300 by
// name; any other can be typed by name, account number or #id).
func (u *UI) pickerOptions(ctx context.Context) []string {
	pg, err := u.svc.Companies.Companies(ctx, codex.CompanyFilter{Columns: []string{"name"}}, codex.PageArgs{First: ptr(300)})
	if err != nil {
		return nil
	}
	out := make([]string, len(pg.Items))
	for i, c := range pg.Items {
		out[i] = companyLabel(c)
	}
	return out
}

// createUnder creates a row under the company the form's "company" field names: it
// resolves the company (an error is shown at that field), sets it with setCompany, and
// calls create, whose company_id error is shown at the company field too.
func (u *UI) createUnder(ctx context.Context, f *form, setCompany func(int64), create func() error) {
	cid, err := u.companyRef(ctx, f.Get("company"))
	if err != nil {
		f.Errors["company"] = codex.ErrorMessage(err)
	}
	setCompany(cid)
	if len(f.Errors) > 0 {
		return
	}
	if err := create(); err != nil {
		f.fail(err)
		if m, ok := f.Errors["company_id"]; ok {
			f.Errors["company"] = m
		}
	}
}

// companyLabelOf is the label of company id for a form's company field, or "#id" when the
// caller cannot read it.
func (u *UI) companyLabelOf(ctx context.Context, id int64) string {
	if co, err := u.svc.Companies.Company(ctx, id); err == nil {
		return companyLabel(co)
	}
	return "#" + strconv.FormatInt(id, 10)
}
