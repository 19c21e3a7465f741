package rest

import (
	"context"
	"net/http"
	"reflect"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// syncRunFilter selects integration runs.
type syncRunFilter struct {
	Source string
}

var syncRunParams = []filterParam[syncRunFilter]{
	textParam("source", "Runs of this integration (freshservice, datto).", func(f *syncRunFilter) *string { return &f.Source }),
}

// syncRoutes are the integration runs: history for readers, starting a run for those
// allowed to (admins, services granted sync).
func (a *API) syncRoutes() []route {
	ss := a.svc.Sync
	page := func(ctx context.Context, f syncRunFilter, p codex.PageArgs) (*codex.Page[codex.SyncRun], error) {
		return ss.SyncRuns(ctx, f.Source, p)
	}
	l := list[syncRunFilter, codex.SyncRun, *codex.SyncRun]{
		name: "sync_runs", params: syncRunParams, page: page,
		each: func(ctx context.Context, f syncRunFilter, fn func(*codex.SyncRun) error) error {
			n := 1000
			args := codex.PageArgs{First: &n}
			for {
				pg, err := page(ctx, f, args)
				if err != nil {
					return err
				}
				for _, run := range pg.Items {
					if err := fn(run); err != nil {
						return err
					}
				}
				if !pg.HasNextPage || len(pg.Cursors) == 0 {
					return nil
				}
				args.After = pg.Cursors[len(pg.Cursors)-1]
			}
		},
		view: shownRun,
	}
	return []route{
		listRoute(a, l, "/sync/runs", "List integration runs, newest first", "sync"),
		{method: http.MethodGet, pattern: "/sync/runs/{id}", summary: "Read an integration run with its counts", tag: "sync",
			result: reflect.TypeFor[*codex.SyncRun](), status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				id, err := pathID(r)
				var run *codex.SyncRun
				if err == nil {
					run, err = ss.SyncRun(r.Context(), id)
				}
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, shownRun(run))
			}},
		{method: http.MethodPost, pattern: "/sync/{source}", op: "startSync", summary: "Start a run of one integration (freshservice or datto) in the background",
			tag: "sync", result: reflect.TypeFor[*codex.SyncRun](), status: http.StatusAccepted,
			handler: func(w http.ResponseWriter, r *http.Request) {
				if a.sync == nil {
					a.problem(w, r, codex.Errorf(codex.Unavailable, "no integration is configured"))
					return
				}
				run, err := a.sync.Start(r.Context(), chi.URLParam(r, "source"))
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusAccepted, shownRun(run))
			}},
	}
}

// shownRun is a copy of run with empty lists and maps rather than nil ones, as the
// document says: the store keeps nil Problems to mean "none given" while a run goes on,
// and the engine may still be working on run.
func shownRun(run *codex.SyncRun) *codex.SyncRun {
	shown := *run
	shown.FillEmpty()
	return &shown
}
