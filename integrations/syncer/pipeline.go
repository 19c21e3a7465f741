package syncer

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// pipeline runs list, which calls its callback with each page, while writers goroutines
// write the pages listed before, so that fetching (and observing) the next pages overlaps
// with writing. prepare runs in the listing goroutine. When a write fails, listing stops
// and the first write error is returned; when listing fails, the pages listed before are
// written first.
func pipeline[P any](ctx context.Context, writers int,
	list func(ctx context.Context, fn func(P) error) error,
	prepare func(ctx context.Context, page P) error,
	write func(ctx context.Context, page P) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	pages := make(chan P, writers)
	var g errgroup.Group
	for range max(writers, 1) {
		g.Go(func() error {
			var err error
			for p := range pages {
				if err != nil || ctx.Err() != nil {
					continue // drain
				}
				if err = write(ctx, p); err != nil {
					cancel(err)
				}
			}
			return err
		})
	}
	lerr := list(ctx, func(p P) error {
		if err := prepare(ctx, p); err != nil {
			return err
		}
		select {
		case pages <- p:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(pages)
	if werr := g.Wait(); werr != nil {
		return context.Cause(ctx)
	}
	return lerr
}

// page is one listed page, mapped: its records, its malformed records (with their ids
// where readable) and how many records it held.
type page[T any] struct {
	recs       []*record[T]
	skipped    []error
	skippedIDs []string
	size       int
	total      int // the listing's total, or -1
}

// syncPages lists an entity through pipeline: build maps a page, the mirror prepares
// and writes it, and progress is reported per page.
func syncPages[T, P, L any](ctx context.Context, m *mirror[T, P],
	list func(ctx context.Context, fn func(L) error) error,
	build func(ctx context.Context, listed L) (*page[T], error)) error {
	r := m.r
	var mu sync.Mutex
	done := 0
	err := pipeline(ctx, r.e.writers,
		func(ctx context.Context, fn func(*page[T]) error) error {
			return list(ctx, func(l L) error {
				p, err := build(ctx, l)
				if err != nil {
					return err
				}
				return fn(p)
			})
		},
		func(ctx context.Context, p *page[T]) error { return m.prepare(ctx, p.recs) },
		func(ctx context.Context, p *page[T]) error {
			r.skipped(ctx, m.entity, m.entity, p.skipped, p.skippedIDs)
			if err := m.page(ctx, p.recs); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done += p.size
			r.report(m.entity, done, p.total, false)
			return nil
		})
	if err != nil {
		return err
	}
	r.listedAll(m.entity)
	r.report(m.entity, done, done, true)
	return nil
}
