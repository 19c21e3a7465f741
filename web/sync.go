package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hivematrix/codex/codex"
)

type syncData struct {
	Sources   []string
	Runs      []*codex.SyncRun
	Conflicts []*codex.SyncConflict
	// CanTake is set when the sync engine can take upstream's value of a conflict.
	CanTake bool
}

// syncPage is the sync centre (admins): run a source now, the run history with counts
// and problems, and the open conflicts.
func (u *UI) syncPage(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadSync(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "sync", "Sync centre", "sync", d)
}

// loadSync reads what the sync centre shows, for admins only.
func (u *UI) loadSync(ctx context.Context) (*syncData, error) {
	if !codex.PrincipalFrom(ctx).Can(codex.Write, codex.ResSync) {
		return nil, codex.Errorf(codex.Forbidden, "the sync centre is for administrators")
	}
	d := &syncData{}
	if u.opts.Sync != nil {
		d.Sources = u.opts.Sync.Sources()
		_, d.CanTake = u.opts.Sync.(codex.SyncActions)
	}
	runs, err := u.svc.Sync.SyncRuns(ctx, "", codex.PageArgs{First: ptr(30)})
	if err != nil {
		return nil, err
	}
	d.Runs = runs.Items
	if cs, err := u.svc.Sync.SyncConflicts(ctx, codex.SyncConflictFilter{OpenOnly: true}, codex.PageArgs{First: ptr(100)}); err == nil {
		d.Conflicts = cs.Items
	}
	return d, nil
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

// syncTakeUpstream resolves a conflict by taking upstream's value (through the sync
// engine, which writes it as the admin). A conflict that cannot be taken (the row changed
// since, a run is in progress, resolved already) re-renders the sync centre saying why.
func (u *UI) syncTakeUpstream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, sa, ok := u.syncAction(w, r)
	if !ok {
		return
	}
	c, err := sa.TakeUpstream(ctx, id)
	switch codex.ErrorCode(err) {
	case "":
		redirect(w, r, "sync?flash="+url.QueryEscape("Took upstream's "+c.Field+" for "+c.Entity+" "+itoa(ptr(int(c.EntityID)))+"."))
	case codex.Conflict, codex.Invalid, codex.NotFound:
		d, lerr := u.loadSync(ctx)
		if lerr != nil {
			u.fail(w, r, lerr)
			return
		}
		v := u.newView(r, "Sync centre", "sync", d)
		v.Error = codex.ErrorMessage(err)
		u.renderView(w, r, statusOf(err), "sync", v)
	default:
		u.fail(w, r, err)
	}
}

// syncAction is the preamble of an action on the path's {id} through the sync engine
// (take upstream's value, assign a triage item): the id and the engine's actions, or a
// written error and false.
func (u *UI) syncAction(w http.ResponseWriter, r *http.Request) (int64, codex.SyncActions, bool) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return 0, nil, false
	}
	sa, ok := u.opts.Sync.(codex.SyncActions)
	if !ok {
		u.fail(w, r, codex.Errorf(codex.Unavailable, "no integration is configured"))
		return 0, nil, false
	}
	return id, sa, true
}
