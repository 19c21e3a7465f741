package rest

import (
	"context"
	"net/http"
	"net/mail"
	"reflect"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// ThemeInfo is the public theme lookup's answer: only what the UI shell needs to paint its
// sign-in page in the person's colours.
type ThemeInfo struct {
	Theme codex.Theme `json:"theme"`
	// ColorTheme is in the shell's (Nexus's) vocabulary: see codex.NexusColorTheme.
	ColorTheme string `json:"color_theme"`
	// Source is always "codex": the answer must not tell a known address from an unknown one.
	Source string `json:"source"`
	Email  string `json:"email"`
}

// HomePageInfo is the public home-page lookup's answer, which the platform's Core uses to
// redirect a person after sign-in.
type HomePageInfo struct {
	// HomePage is a service slug (beacon, knowledgetree, codex, ledger, ...).
	HomePage string `json:"home_page"`
	// Source is always "codex", for the same reason as ThemeInfo.Source.
	Source string `json:"source"`
	Email  string `json:"email"`
}

var emailParam = param{name: "email", typ: "string", format: "email", required: true, doc: "The person's e-mail address."}

func (a *API) settingsRoutes() []route {
	prefs := reflect.TypeFor[codex.Preferences]()
	return []route{
		{method: http.MethodGet, pattern: "/my/settings", summary: "The caller's UI preferences", tag: "settings",
			result: prefs, status: http.StatusOK, handler: a.mySettings},
		{method: http.MethodPut, pattern: "/my/settings", tag: "settings", op: "updateMySettings",
			summary: "Change the caller's UI preferences: the members given change, the others stay",
			body:    prefs, result: prefs, status: http.StatusOK, handler: a.putMySettings},
		{method: http.MethodGet, pattern: "/public/user/theme", public: true, tag: "settings", op: "getPublicTheme",
			summary: "A person's theme, without authentication (for the UI shell's sign-in page)",
			params:  []param{emailParam},
			result:  reflect.TypeFor[ThemeInfo](), status: http.StatusOK, handler: a.publicTheme},
		{method: http.MethodGet, pattern: "/public/user/home-page", public: true, tag: "settings",
			summary: "A person's home page as a service slug, without authentication (for the platform's Core after sign-in)",
			params:  []param{emailParam},
			result:  reflect.TypeFor[HomePageInfo](), status: http.StatusOK, handler: a.publicHomePage},
	}
}

// person returns the calling person's e-mail; services have no preferences.
func person(ctx context.Context) (*codex.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if p.Email == "" {
		return nil, codex.Errorf(codex.Forbidden, "only a person has settings; %s is a service", p.Actor())
	}
	return p, nil
}

// storedPreferences returns a person's stored preferences; someone Codex has no record
// of yet has none (zero Preferences).
func (a *API) storedPreferences(ctx context.Context, email string) (codex.Preferences, error) {
	ag, err := a.svc.Agents.AgentByEmail(ctx, email)
	if codex.IsNotFound(err) {
		return codex.Preferences{}, nil
	}
	if err != nil {
		return codex.Preferences{}, err
	}
	return ag.Preferences, nil
}

// withDefaults fills unset preferences with the defaults.
func withDefaults(p codex.Preferences) codex.Preferences {
	d := codex.DefaultPreferences()
	if p.Theme == "" {
		p.Theme = d.Theme
	}
	if p.ColorTheme == "" {
		p.ColorTheme = d.ColorTheme
	}
	if p.HomePage == "" {
		p.HomePage = d.HomePage
	}
	if p.KnowledgeTreeView == "" {
		p.KnowledgeTreeView = d.KnowledgeTreeView
	}
	return p
}

func (a *API) mySettings(w http.ResponseWriter, r *http.Request) {
	p, err := person(r.Context())
	var prefs codex.Preferences
	if err == nil {
		prefs, err = a.storedPreferences(r.Context(), p.Email)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withDefaults(prefs))
}

// putMySettings changes the members given, as the UI shell sends one setting at a time.
// Invalid values are a 400 naming the field (the UI shell's contract), not a 422.
func (a *API) putMySettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := person(ctx)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	body, err := readObject(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	cur, err := a.storedPreferences(ctx, p.Email)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	want := cur
	if err := applyJSON(body, &want); err != nil {
		a.problem(w, r, err)
		return
	}
	shown := withDefaults(want)
	if err := shown.Validate(); err != nil {
		a.problem(w, r, asBadRequest(err))
		return
	}
	var patch codex.PreferencesPatch
	if diffPatch(&cur, &want, &patch) {
		ag, err := a.svc.Agents.UpdatePreferences(ctx, p.Email, patch)
		if codex.IsNotFound(err) {
			// First settings of someone Codex has not recorded yet.
			if _, err = a.svc.Agents.EnsureAgent(ctx, p); err == nil {
				ag, err = a.svc.Agents.UpdatePreferences(ctx, p.Email, patch)
			}
		}
		if err != nil {
			a.problem(w, r, asBadRequest(err))
			return
		}
		shown = withDefaults(ag.Preferences)
	}
	writeJSON(w, http.StatusOK, shown)
}

// publicPreferences reads the preferences of the e-mail in the query for the public
// lookups. They run without a caller, so they ask the services as the system principal
// "theme". That is safe because the handlers read one agent by the e-mail given and return
// only its theme or home page, echoing the e-mail: no other field of the agent (name,
// level, company) leaves them. An unknown address gets the defaults with the same source
// as a known one, so the answer does not reveal whether Codex knows an address.
func (a *API) publicPreferences(r *http.Request) (string, codex.Preferences, error) {
	vs, ok := r.URL.Query()["email"]
	if !ok {
		return "", codex.Preferences{}, paramError("email", "is required")
	}
	email, err := single("email", vs)
	if err != nil {
		return "", codex.Preferences{}, err
	}
	email = strings.TrimSpace(email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 320 {
		return "", codex.Preferences{}, paramError("email", "must be an e-mail address")
	}
	ctx := codex.WithPrincipal(r.Context(), codex.SystemPrincipal("theme"))
	ag, err := a.svc.Agents.AgentByEmail(ctx, email)
	switch {
	case err == nil:
		return email, withDefaults(ag.Preferences), nil
	case codex.IsNotFound(err):
		return email, codex.DefaultPreferences(), nil
	default:
		return "", codex.Preferences{}, err
	}
}

// publicTheme answers the UI shell's theme lookup, colours in the shell's vocabulary.
func (a *API) publicTheme(w http.ResponseWriter, r *http.Request) {
	email, prefs, err := a.publicPreferences(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, ThemeInfo{Theme: prefs.Theme, ColorTheme: codex.NexusColorTheme(prefs.ColorTheme),
		Source: "codex", Email: email})
}

// publicHomePage answers Core's home-page lookup with a service slug.
func (a *API) publicHomePage(w http.ResponseWriter, r *http.Request) {
	email, prefs, err := a.publicPreferences(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, HomePageInfo{HomePage: codex.HomePageSlug(prefs.HomePage), Source: "codex", Email: email})
}
