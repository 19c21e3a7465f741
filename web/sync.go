package web

import (
	"net/http"
	"net/url"

	"github.com/hivematrix/codex/codex"
)

type syncData struct {
	Sources   []string
	Runs      []*codex.SyncRun
	Conflicts []*codex.SyncConflict
}

// syncPage is the sync centre (admins): run a source now, the run history with counts
// and problems, and the open conflicts.
func (u *UI) syncPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !codex.PrincipalFrom(ctx).Can(codex.Write, codex.ResSync) {
		u.fail(w, r, codex.Errorf(codex.Forbidden, "the sync centre is for administrators"))
		return
	}
	var d syncData
	if u.opts.Sync != nil {
		d.Sources = u.opts.Sync.Sources()
	}
	runs, err := u.svc.Sync.SyncRuns(ctx, "", codex.PageArgs{First: ptr(30)})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Runs = runs.Items
	if cs, err := u.svc.Sync.SyncConflicts(ctx, codex.SyncConflictFilter{OpenOnly: true}, codex.PageArgs{First: ptr(100)}); err == nil {
		d.Conflicts = cs.Items
	}
	u.render(w, r, http.StatusOK, "sync", "Sync centre", "sync", d)
}

// syncRun starts a source now (in the background) and returns to the sync centre.
func (u *UI) syncRun(w http.ResponseWriter, r *http.Request) {
	if u.opts.Sync == nil {
		u.fail(w, r, codex.Errorf(codex.Unavailable, "no integration is configured"))
		return
	}
	run, err := u.opts.Sync.Start(r.Context(), r.PostForm.Get("source"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "sync?flash="+url.QueryEscape("Started run "+itoa(ptr(int(run.ID)))+" of "+run.Source+"."))
}

// syncResolve marks a conflict resolved, keeping Codex's value (the next pull leaves it).
func (u *UI) syncResolve(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err == nil {
		_, err = u.svc.Sync.ResolveSyncConflict(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "sync?flash=Conflict+resolved.")
}
