package cache

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// Channel is the PostgreSQL channel the triggers of migration 20261203000018 notify.
const Channel = "codex_changes"

// quiet is how long the listener waits for a notification before it proves its
// connection alive with a ping of its own.
const quiet = 5 * time.Second

// listen follows the channel on PostgreSQL until ctx ends. While no LISTEN connection is
// up, the cache is empty and bypassed; it is emptied again once one is, since the
// notifications sent meanwhile are lost.
func (c *Cache) listen(ctx context.Context) {
	defer close(c.done)
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := c.listenOnce(ctx)
		c.up.Store(false)
		c.Flush()
		if ctx.Err() != nil {
			return
		}
		c.log.Warn("cache: change listener down; the cache is bypassed until it is back", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		for c.holdReconnect.Load() && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails.
func (c *Cache) listenOnce(ctx context.Context) error {
	ln := pgdriver.NewListener(c.db.Bun())
	defer ln.Close()
	c.ln.Store(ln)
	defer c.ln.Store(nil)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := ln.Listen(ctx, Channel); err != nil {
		return err
	}
	c.Flush()
	c.up.Store(true)
	c.once.Do(func() { close(c.ready) })
	c.log.Info("cache: listening for changes", "channel", Channel)
	pings := 0
	for {
		_, payload, err := ln.ReceiveTimeout(ctx, quiet)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			if pings >= 2 {
				return errors.New("cache: no notification, not even a ping, for " + (3 * quiet).String())
			}
			pings++
			token := "ping:" + strconv.FormatUint(c.nonce.Add(1), 10)
			if _, err := c.db.Bun().ExecContext(ctx, "SELECT pg_notify(?, ?)", Channel, token); err != nil {
				c.log.Warn("cache: ping", "err", err)
			}
			continue
		}
		pings = 0
		c.receive(payload)
	}
}

// poll empties the cache when another process writes to the SQLite file: PRAGMA
// data_version changes on a dedicated connection whenever any other connection commits.
// It cannot tell this process's commits (already applied exactly) from another
// process's, so any commit empties the cache within PollEvery.
func (c *Cache) poll(ctx context.Context) {
	defer close(c.done)
	last, err := c.db.DataVersion(ctx)
	if err != nil {
		c.log.Warn("cache: data_version", "err", err)
	}
	t := time.NewTicker(c.cfg.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := c.db.DataVersion(ctx)
		if err != nil || v != last {
			c.Flush()
		}
		last = v
	}
}
