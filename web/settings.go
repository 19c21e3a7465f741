package web

import (
	"net/http"
	"strings"

	"github.com/hivematrix/codex/codex"
)

type settingsData struct {
	Form        *form
	ColorThemes []string
}

// settingsPage shows the signed-in person's preferences, read through the same
// preference service as GET /api/my/settings.
func (u *UI) settingsPage(w http.ResponseWriter, r *http.Request) {
	p := codex.PrincipalFrom(r.Context())
	pr := u.preferences(r.Context(), p)
	f := newForm()
	f.Values.Set("theme", string(pr.Theme))
	f.Values.Set("color_theme", pr.ColorTheme)
	f.Values.Set("home_page", pr.HomePage)
	u.render(w, r, http.StatusOK, "settings", "Settings", "settings", settingsData{Form: f, ColorThemes: codex.ColorThemes})
}

// settingsSave stores the preferences through AgentService.UpdatePreferences, as the
// settings API does; the next page is drawn in the new theme.
func (u *UI) settingsSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := codex.PrincipalFrom(ctx)
	f := postedForm(r)
	if p.Email == "" {
		u.fail(w, r, codex.Errorf(codex.Forbidden, "only a person has settings"))
		return
	}
	if _, err := u.svc.Agents.EnsureAgent(ctx, p); err != nil {
		u.fail(w, r, err)
		return
	}
	patch := codex.PreferencesPatch{
		Theme:      ptr(codex.Theme(f.Get("theme"))),
		ColorTheme: ptr(f.Get("color_theme")),
		HomePage:   ptr(strings.TrimSpace(f.Get("home_page"))),
	}
	if _, err := u.svc.Agents.UpdatePreferences(ctx, p.Email, patch); err != nil {
		f.fail(err)
		for k, m := range map[string]string{"theme_preference": "theme", "preferred_color_theme": "color_theme", "home_page_preference": "home_page"} {
			if v, ok := f.Errors[k]; ok {
				f.Errors[m] = v
			}
		}
		u.render(w, r, statusOfForm(f), "settings", "Settings", "settings", settingsData{Form: f, ColorThemes: codex.ColorThemes})
		return
	}
	redirect(w, r, "settings?flash=Settings+saved.")
}
