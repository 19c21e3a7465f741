package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// A client user sees its own subtree and nothing else, page by page, as over the APIs.
func TestClientSeesOnlyItsSubtree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		client := f.token(codex.LevelClient, "ACC-1001")
		status, body, _ := f.get("/companies", client)
		if status != http.StatusOK || !strings.Contains(body, "Bright Smile Dental - Riverside") || strings.Contains(body, "Harlow") || strings.Contains(body, "Sheriff") {
			t.Errorf("client's company list = %d:\n%.3000s", status, body)
		}
		sheriff := f.company("ACC-1020")
		for _, p := range []string{"/companies/", "/network/companies/", "/network/companies/"} {
			if status, _, _ := f.get(p+itoa(sheriff.ID), client); status != http.StatusNotFound {
				t.Errorf("client GET %s%d = %d; want 404", p, sheriff.ID, status)
			}
		}
		if status, body, _ := f.get("/assets?q=MCSO", client); status != http.StatusOK || strings.Contains(body, "MCSO-MDT-07") {
			t.Errorf("client's asset search for another company's assets = %d, lists them:\n%.2000s", status, body)
		}
		// The dashboard counts what the client may see (its counts are cached per audience,
		// so the admin's, fetched first, must not leak).
		f.get("/?view=dashboard", f.token(codex.LevelAdmin, ""))
		clients, err := f.svc.Companies.Companies(asPrincipal(f, codex.LevelClient, "ACC-1001"), codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindClient}}, codex.PageArgs{WantTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ = f.get("/?view=dashboard", client)
		if want := `<a href="companies?kind=client">Clients</a><strong>` + strconv.Itoa(clients.TotalCount) + `</strong>`; !strings.Contains(body, want) {
			t.Errorf("client's dashboard lacks %s:\n%.2500s", want, body)
		}
		if status, _, _ := f.get("/sync", client); status != http.StatusForbidden {
			t.Errorf("client GET /sync = %d; want 403", status)
		}
		if status, _, _ := f.get("/companies/new", client); status != http.StatusOK {
			t.Errorf("client GET /companies/new = %d", status)
		}
		// Writing is the policy's to refuse, not the page's.
		_, form, _ := f.get("/companies/new", client)
		status, body, _ = f.post("/companies/new", client, url.Values{"csrf": {match(t, csrfRe, form)}, "name": {"Sneaky"}, "kind": {"client"}, "status": {"active"}})
		if status == http.StatusSeeOther || !strings.Contains(body, "not") {
			t.Errorf("client creating a company = %d:\n%.1500s", status, body)
		}
	})
}

// Secrets show to administrators only: a technician's asset page and edit form never
// carry a secret field's value.
func TestTechnicianNeverSeesASecret(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		pg, err := f.svc.Assets.Assets(f.sys, codex.AssetFilter{Search: "MCSO-MDT-07"}, codex.PageArgs{})
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("MCSO-MDT-07: %v", err)
		}
		mdt := itoa(pg.Items[0].ID)
		const key = "700040-215567-601590-369721-134288-052030-459316-682616"
		lic, err := f.svc.Assets.Assets(f.sys, codex.AssetFilter{Search: "Duo Advanced"}, codex.PageArgs{})
		if err != nil || len(lic.Items) != 1 {
			t.Fatalf("Duo licence: %v", err)
		}
		const licKey = "DUO-ADV-9QX4-77LM-2210"
		tech, admin := f.token(codex.LevelTechnician, ""), f.token(codex.LevelAdmin, "")
		for _, p := range []string{"/assets/" + mdt, "/assets/" + mdt + "/edit", "/assets/" + itoa(lic.Items[0].ID), "/assets/" + itoa(lic.Items[0].ID) + "/edit"} {
			status, body, _ := f.get(p, tech)
			if status != http.StatusOK || strings.Contains(body, key) || strings.Contains(body, licKey) || strings.Contains(body, "bitlocker_recovery_key") {
				t.Errorf("technician GET %s = %d, shows a secret", p, status)
			}
		}
		if _, body, _ := f.get("/assets/"+mdt, admin); !strings.Contains(body, key) {
			t.Errorf("admin's asset page lacks the recovery key")
		}
		if _, body, _ := f.get("/assets/"+itoa(lic.Items[0].ID)+"/edit", admin); !strings.Contains(body, licKey) {
			t.Errorf("admin's edit form lacks the licence key")
		}
		// A technician's save leaves the secrets alone.
		_, form, _ := f.get("/assets/"+mdt+"/edit", tech)
		v := formValues(t, form)
		v.Set("notes", "checked by tech")
		if status, body, _ := f.post("/assets/"+mdt+"/edit", tech, v); status != http.StatusSeeOther {
			t.Fatalf("technician save = %d:\n%.2000s", status, body)
		}
		a, _ := db.Asset(f.sys, pg.Items[0].ID)
		if a.Notes != "checked by tech" || a.SecretFields["bitlocker_recovery_key"] != key {
			t.Errorf("after a technician's save: notes %q, secrets %v", a.Notes, a.SecretFields)
		}
	})
}

// formValues collects the inputs of a rendered form (text inputs, hidden fields,
// textareas and selected options), as a browser would submit it.
func formValues(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(page, -1) {
		tag := m[0]
		name := attr(tag, "name")
		if name == "" || strings.Contains(tag, `type="checkbox"`) && !strings.Contains(tag, "checked") {
			continue
		}
		val := attr(tag, "value")
		if strings.Contains(tag, `type="checkbox"`) && val == "" {
			val = "on"
		}
		v.Add(name, htmlUnescape(val))
	}
	for _, m := range textareaRe.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range selectRe.FindAllStringSubmatch(page, -1) {
		if s := selectedRe.FindStringSubmatch(m[2]); s != nil {
			val := s[1]
			if vv := attr(s[0], "value"); vv != "" || strings.Contains(s[0], `value=""`) {
				val = vv
			}
			v.Set(m[1], htmlUnescape(strings.TrimSpace(val)))
		}
	}
	return v
}

func attr(tag, name string) string {
	i := strings.Index(tag, " "+name+`="`)
	if i < 0 {
		return ""
	}
	rest := tag[i+len(name)+3:]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestCSRFRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		admin := f.token(codex.LevelAdmin, "")
		good := url.Values{"name": {"Initech"}, "kind": {"client"}, "status": {"active"}, "compliance_level": {"standard"}}
		for _, token := range []string{"", "forged", f.mintCSRFOf(codex.LevelTechnician)} {
			v := url.Values{}
			for k, vs := range good {
				v[k] = vs
			}
			if token != "" {
				v.Set("csrf", token)
			}
			if status, _, _ := f.post("/companies/new", admin, v); status != http.StatusForbidden {
				t.Errorf("POST /companies/new with csrf %q = %d; want 403", token, status)
			}
		}
		if pg, _ := f.svc.Companies.Companies(f.sys, codex.CompanyFilter{Search: "Initech"}, codex.PageArgs{WantTotal: true}); pg.TotalCount != 0 {
			t.Errorf("a refused form created %d companies", pg.TotalCount)
		}
		_, form, _ := f.get("/companies/new", admin)
		good.Set("csrf", match(t, csrfRe, form))
		status, _, h := f.post("/companies/new", admin, good)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "../companies/") {
			t.Errorf("POST /companies/new with the page's token = %d, Location %q; want 303 to ../companies/N", status, h.Get("Location"))
		}
	})
}

// mintCSRFOf returns the CSRF token of another principal's form.
func (f *fixture) mintCSRFOf(level codex.Level) string {
	f.t.Helper()
	_, body, _ := f.get("/companies/new", f.token(level, ""))
	return match(f.t, csrfRe, body)
}

func TestBadInputReRendersWithFieldErrors(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		admin := f.token(codex.LevelAdmin, "")
		_, form, _ := f.get("/companies/new", admin)
		v := url.Values{"csrf": {match(t, csrfRe, form)}, "name": {"  "}, "website": {"not a url"}, "kind": {"client"}, "status": {"active"},
			"compliance_level": {"standard"}, "parent": {"No Such Company Ltd"}, "description": {"kept <b>as typed</b>"}}
		status, body, _ := f.post("/companies/new", admin, v)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("POST bad company = %d; want 422", status)
		}
		for _, want := range []string{"no company matches", "kept &lt;b&gt;as typed&lt;/b&gt;"} {
			if !strings.Contains(body, want) {
				t.Errorf("re-rendered form lacks %q:\n%.3000s", want, body)
			}
		}
		v.Set("parent", "")
		status, body, _ = f.post("/companies/new", admin, v)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "is required") || !strings.Contains(body, "must be an http(s) URL") ||
			!strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("POST company without a name = %d:\n%.3000s", status, body)
		}
	})
}

// A form opened before someone else saved is refused with a conflict and shows the
// current values; nothing is overwritten.
func TestStaleEditConflicts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		admin := f.token(codex.LevelAdmin, "")
		sheriff := f.company("ACC-1020")
		path := "/companies/" + itoa(sheriff.ID) + "/edit"
		_, form, _ := f.get(path, admin)
		stale := formValues(t, form)
		if stale.Get("version") == "" || stale.Get("name") != "Marion County Sheriff's Office" {
			t.Fatalf("edit form values: %v", stale)
		}
		if _, err := f.svc.Companies.UpdateCompany(f.sys, sheriff.ID, codex.CompanyPatch{Phone: ptr("+1-555-9999")}); err != nil {
			t.Fatal(err)
		}
		stale.Set("description", "my stale edit")
		status, body, _ := f.post(path, admin, stale)
		if status != http.StatusConflict || !strings.Contains(body, "Someone else changed this record") || !strings.Contains(htmlUnescape(body), "+1-555-9999") {
			t.Errorf("stale POST = %d:\n%.3000s", status, body)
		}
		c, _ := db.Company(f.sys, sheriff.ID)
		if c.Description == "my stale edit" || c.Phone != "+1-555-9999" {
			t.Errorf("after a stale save: description %q, phone %q", c.Description, c.Phone)
		}
		// The re-rendered form carries the new version: saving it again works.
		fresh := formValues(t, body)
		fresh.Set("description", "my edit")
		if status, body, _ := f.post(path, admin, fresh); status != http.StatusSeeOther {
			t.Errorf("fresh POST = %d:\n%.3000s", status, body)
		}
		if c, _ := db.Company(f.sys, sheriff.ID); c.Description != "my edit" {
			t.Errorf("description = %q; want my edit", c.Description)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// asPrincipal is a context carrying the principal of a development token.
func asPrincipal(f *fixture, level codex.Level, company string) context.Context {
	f.t.Helper()
	p := &codex.Principal{Subject: "x@example.com", Email: "x@example.com", Level: level}
	if company != "" {
		p.CompanyID = f.company(company).ID
	}
	return codex.WithPrincipal(context.Background(), p)
}

func TestAssignAssetToContacts(t *testing.T) {
	f := newFixture(t, storetest.Open(t, "sqlite"), true)
	tech := f.token(codex.LevelTechnician, "")
	pg, err := f.svc.Assets.Assets(f.sys, codex.AssetFilter{Search: "MCSO-MDT-08"}, codex.PageArgs{})
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("MCSO-MDT-08: %v", err)
	}
	ruiz, err := f.svc.Contacts.Contacts(f.sys, codex.ContactFilter{Search: "Ruiz"}, codex.PageArgs{})
	if err != nil || len(ruiz.Items) != 1 {
		t.Fatalf("Ruiz: %v", err)
	}
	path := "/assets/" + itoa(pg.Items[0].ID)
	_, body, _ := f.get(path, tech)
	status, _, _ := f.post(path+"/assign", tech, url.Values{"csrf": {match(t, csrfRe, body)}, "contact": {itoa(ruiz.Items[0].ID)}})
	if status != http.StatusSeeOther {
		t.Fatalf("assign = %d", status)
	}
	if _, body, _ = f.get(path, tech); !strings.Contains(body, `value="`+itoa(ruiz.Items[0].ID)+`" checked`) {
		t.Errorf("after assigning, Ruiz is not ticked")
	}
	cs, _ := f.svc.Assets.ContactsByAssets(f.sys, []int64{pg.Items[0].ID})
	if len(cs[0]) != 1 || cs[0][0].ID != ruiz.Items[0].ID {
		t.Errorf("contacts of the asset = %v; want Ruiz", cs[0])
	}
}
