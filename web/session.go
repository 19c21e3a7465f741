package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
)

// SessionCookie holds a signed-in person's token: the development token or the OpenID
// provider's access token, verified on every request like a bearer token.
const SessionCookie = "codex_session"

const stateCookie = "codex_oidc_state"

// csrfField is the hidden form field (or X-CSRF-Token header) carrying the CSRF token.
const csrfField = "csrf"

// authenticate finds the principal of a page request: a bearer token (the platform's
// shell proxies with the user's token) or the session cookie. A person without either is
// sent to the sign-in page.
func (u *UI) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := auth.BearerToken(r)
		fromCookie := false
		if !ok {
			if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
				raw, ok, fromCookie = c.Value, true, true
			}
		}
		if !ok {
			u.toSignin(w, r)
			return
		}
		p, err := u.opts.Verifier.Verify(r.Context(), raw)
		if err != nil {
			if fromCookie && codex.ErrorCode(err) == codex.Unauthenticated {
				clearCookie(w, r, SessionCookie)
				u.toSignin(w, r)
				return
			}
			u.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(codex.WithPrincipal(r.Context(), p)))
	})
}

// toSignin redirects a browser to the sign-in page, remembering where it was going.
func (u *UI) toSignin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	next := strings.TrimPrefix(r.URL.Path, "/")
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	redirect(w, r, "signin?next="+url.QueryEscape(next))
}

// csrfToken is the CSRF token of p's forms: an HMAC of the principal's identity under the
// UI's secret. It does not depend on the session's token, so it survives the shell
// refreshing the user's token, and a cross-site page cannot compute it.
func (u *UI) csrfToken(p *codex.Principal) string {
	return u.mac("csrf|" + p.Actor() + "|" + string(p.Level))
}

func (u *UI) mac(s string) string {
	m := hmac.New(sha256.New, u.secret)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses any unsafe request whose form (or X-CSRF-Token header) lacks the
// principal's CSRF token, with 403.
func (u *UI) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			r.ParseForm()
			got = r.PostForm.Get(csrfField)
		}
		want := u.csrfToken(codex.PrincipalFrom(r.Context()))
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			u.fail(w, r, codex.Errorf(codex.Forbidden, "the form has expired or did not come from Codex; reload the page and try again"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secure reports whether the browser reached us over TLS, directly or via a proxy.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// cookiePath is the path the session cookie is scoped to: the proxy's prefix when it says
// so (X-Forwarded-Prefix), else the root.
func cookiePath(r *http.Request) string {
	if p := strings.TrimRight(r.Header.Get("X-Forwarded-Prefix"), "/"); strings.HasPrefix(p, "/") {
		return p + "/"
	}
	return "/"
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: cookiePath(r), MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode,
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: cookiePath(r), MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
}

// signinData is the sign-in page's model.
type signinData struct {
	Next   string
	OIDC   bool
	Levels []codex.Level
	Email  string
	Level  string
	Fields map[string]string
}

// signinPage offers the development sign-in (embedded default) or starts the OpenID
// Connect flow (a real issuer with a client configured).
func (u *UI) signinPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if u.oidc != nil && r.URL.Query().Get("start") != "" {
		u.signinOIDC(w, r, next)
		return
	}
	u.render(w, r, http.StatusOK, "signin", "Sign in", "", signinData{
		Next: next, OIDC: u.oidc != nil, Levels: []codex.Level{codex.LevelAdmin, codex.LevelTechnician, codex.LevelBilling, codex.LevelClient},
		Email: "ada@example.com", Level: string(codex.LevelAdmin),
	})
}

// signinDev mints a development token for the chosen person and role and keeps it in
// the session cookie. It is refused when a real issuer is configured.
func (u *UI) signinDev(w http.ResponseWriter, r *http.Request) {
	if u.opts.Dev == nil {
		u.fail(w, r, codex.Errorf(codex.Forbidden, "development sign-in is off: a real issuer is configured"))
		return
	}
	r.ParseForm()
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(u.mac("signin"))) != 1 {
		u.fail(w, r, codex.Errorf(codex.Forbidden, "the form has expired; reload the page and try again"))
		return
	}
	f := r.PostForm
	d := signinData{Next: safeNext(f.Get("next")), Levels: []codex.Level{codex.LevelAdmin, codex.LevelTechnician, codex.LevelBilling, codex.LevelClient},
		Email: f.Get("email"), Level: f.Get("level")}
	opts := auth.MintOptions{Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")), Level: codex.Level(f.Get("level"))}
	var v codex.Validation
	if opts.Level == codex.LevelClient {
		account := strings.TrimSpace(f.Get("company"))
		sys := codex.WithPrincipal(r.Context(), codex.SystemPrincipal("signin"))
		c, err := u.svc.Companies.CompanyByAccountNumber(sys, account)
		if err != nil {
			v.Add("company", "no company has the account number %q", account)
		} else {
			opts.CompanyID = c.ID
		}
	}
	err := v.Err()
	var token string
	if err == nil {
		token, err = u.opts.Dev.Mint(opts)
	}
	if err != nil {
		d.Fields = codex.ErrorFields(err)
		if d.Fields == nil {
			d.Fields = map[string]string{"email": codex.ErrorMessage(err)}
		}
		u.render(w, r, http.StatusBadRequest, "signin", "Sign in", "", d)
		return
	}
	setCookie(w, r, SessionCookie, token, time.Hour)
	redirect(w, r, d.Next)
}

// signout forgets the session.
func (u *UI) signout(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, r, SessionCookie)
	redirect(w, r, "signin")
}

// safeNext keeps a post-sign-in target that stays inside the UI (a relative path).
func safeNext(next string) string {
	if next == "" || strings.HasPrefix(next, "/") || strings.Contains(next, "://") || strings.Contains(next, `\`) ||
		strings.HasPrefix(next, "signin") {
		return ""
	}
	if pu, err := url.Parse(next); err != nil || pu.Scheme != "" || pu.Host != "" {
		return ""
	}
	return next
}

// preferences returns the principal's stored preferences with the defaults filled in.
func (u *UI) preferences(ctx context.Context, p *codex.Principal) codex.Preferences {
	d := codex.DefaultPreferences()
	if p.Email == "" {
		return d
	}
	ag, err := u.svc.Agents.AgentByEmail(ctx, p.Email)
	if err != nil {
		return d
	}
	pr := ag.Preferences
	if pr.Theme == "" {
		pr.Theme = d.Theme
	}
	if pr.ColorTheme == "" {
		pr.ColorTheme = d.ColorTheme
	}
	if pr.HomePage == "" {
		pr.HomePage = d.HomePage
	}
	return pr
}

// OIDCConfig configures the OpenID Connect authorization-code sign-in.
type OIDCConfig struct {
	// IssuerURL is the provider (Keycloak: {base}/realms/{realm}), discovered on first use.
	IssuerURL    string
	ClientID     string
	ClientSecret string
}

func (c OIDCConfig) enabled() bool { return c.IssuerURL != "" && c.ClientID != "" }

// oidcClient discovers the provider lazily, so Codex starts while the provider is down.
type oidcClient struct {
	cfg OIDCConfig
}

func newOIDCClient(cfg OIDCConfig) *oidcClient { return &oidcClient{cfg: cfg} }

func (o *oidcClient) oauth2(ctx context.Context, redirectURL string) (*oauth2.Config, error) {
	p, err := oidc.NewProvider(ctx, o.cfg.IssuerURL)
	if err != nil {
		return nil, codex.Errorf(codex.Unavailable, "the identity provider does not answer")
	}
	return &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// callbackURL is the absolute URL of /signin/callback as the browser sees it, from the
// proxy's X-Forwarded-* headers when present.
func callbackURL(r *http.Request) string {
	scheme := "http"
	if secure(r) {
		scheme = "https"
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	prefix := strings.TrimRight(r.Header.Get("X-Forwarded-Prefix"), "/")
	return scheme + "://" + host + prefix + "/signin/callback"
}

// signinOIDC sends the browser to the provider with a random state (kept in a cookie,
// together with where to go afterwards).
func (u *UI) signinOIDC(w http.ResponseWriter, r *http.Request, next string) {
	oc, err := u.oidc.oauth2(r.Context(), callbackURL(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	state := rand.Text()
	setCookie(w, r, stateCookie, state+"|"+next, 10*time.Minute)
	http.Redirect(w, r, oc.AuthCodeURL(state), http.StatusFound)
}

// signinCallback exchanges the provider's code for tokens and keeps the access token
// (which the verifier accepts like any bearer token) in the session cookie.
func (u *UI) signinCallback(w http.ResponseWriter, r *http.Request) {
	if u.oidc == nil {
		u.fail(w, r, codex.Errorf(codex.NotFound, "OpenID Connect sign-in is not configured"))
		return
	}
	c, err := r.Cookie(stateCookie)
	state, next, _ := strings.Cut(valueOf(c, err), "|")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(r.URL.Query().Get("state"))) != 1 {
		u.fail(w, r, codex.Errorf(codex.Invalid, "the sign-in has expired or was not started here; try again"))
		return
	}
	clearCookie(w, r, stateCookie)
	oc, err := u.oidc.oauth2(r.Context(), callbackURL(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tok, err := oc.Exchange(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		u.fail(w, r, codex.Errorf(codex.Unauthenticated, "the identity provider refused the sign-in"))
		return
	}
	if _, err := u.opts.Verifier.Verify(r.Context(), tok.AccessToken); err != nil {
		u.fail(w, r, err)
		return
	}
	ttl := time.Until(tok.Expiry)
	if tok.Expiry.IsZero() || ttl <= 0 {
		ttl = 5 * time.Minute
	}
	setCookie(w, r, SessionCookie, tok.AccessToken, ttl)
	// The callback sits one level down (/signin/callback).
	w.Header().Set("Location", "../"+safeNext(next))
	w.WriteHeader(http.StatusSeeOther)
}

func valueOf(c *http.Cookie, err error) string {
	if err != nil || c == nil {
		return ""
	}
	return c.Value
}
