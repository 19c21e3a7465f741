// Package cache is Codex's change-aware read cache: a decorator of codex.Services that sits
// between the policy layer and the store and keeps the results of the hot batch reads
// (rows by id, per-parent lists and counts, the agent of an e-mail address) in memory,
// bounded in bytes. Policy and redaction stay above it: it holds what the store returned
// and hands every caller its own deep copy.
//
// Invalidation is exact. Every entry depends on tags ("contacts#42", "assets.company#7",
// "table:contacts", see store/changes.go); each tag hashes to one of a fixed array of
// generation counters, and an entry remembers the generations it read before its query
// ran. A write bumps the counters of its tags; an entry whose counters moved is dead, so a
// write committed while a query ran makes that query's entry dead on arrival. Collisions
// only cause spurious misses. Writes are announced by the database itself: on PostgreSQL
// by triggers that NOTIFY codex_changes, received by a LISTEN connection (while it is down
// the cache is empty and bypassed); on SQLite by the store's connections after each commit
// (store.DB.OnChange), and writes of other processes by a data_version poll that empties
// the cache.
package cache

import (
	"context"
	"hash/maphash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/hivematrix/codex/store"
)

// slots is the number of generation counters tags hash to.
const slots = 1 << 16

// readyWait bounds how long New waits for the LISTEN connection on PostgreSQL.
const readyWait = 2 * time.Second

// Config configures a Cache.
type Config struct {
	// SizeMB bounds the estimated bytes of the cached values (default 32).
	SizeMB int
	// SyncTimeout bounds how long a write waits for its own notification on
	// PostgreSQL before it empties the cache instead (default 1 s).
	SyncTimeout time.Duration
	// PollEvery is how often SQLite's data_version is read to notice other
	// processes' writes (default 1 s): the bound on their staleness.
	PollEvery time.Duration
	Logger    *slog.Logger
}

// Cache is the read cache of one store.DB.
type Cache struct {
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	entries *otter.Cache[string, *entry]
	seed    maphash.Seed
	gens    [slots]atomic.Uint64
	epoch   atomic.Uint64
	up      atomic.Bool // the change feed is live: entries may be used and filled

	methods       map[string]*methodStats
	invalidations atomic.Uint64
	flushes       atomic.Uint64

	mu      sync.Mutex
	waiters map[string]chan struct{}
	nonce   atomic.Uint64

	stop  context.CancelFunc
	done  chan struct{}
	ready chan struct{} // closed when the change feed is first up
	once  sync.Once
	// afterLoad, set by tests, runs between a miss's query and the caching of its
	// result (to commit a write there).
	afterLoad func(method string)
	// holdReconnect keeps a dropped listener down (tests look at the cache meanwhile).
	holdReconnect atomic.Bool
	closed        atomic.Bool
	ln            atomic.Pointer[pgdriver.Listener] // the LISTEN connection, closed by Close
}

// entry is one cached value and the tag generations it was read under.
type entry struct {
	value any
	epoch uint64
	deps  []dep
	size  uint32
}

type dep struct {
	slot uint32
	gen  uint64
}

type methodStats struct{ hits, misses, stale atomic.Uint64 }

// New returns the cache of db and starts following its changes; Close stops it.
func New(ctx context.Context, db *store.DB, cfg Config) (*Cache, error) {
	if cfg.SizeMB <= 0 {
		cfg.SizeMB = 32
	}
	if cfg.SyncTimeout <= 0 {
		cfg.SyncTimeout = time.Second
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	entries, err := newEntries(uint64(cfg.SizeMB) << 20)
	if err != nil {
		return nil, err
	}
	c := &Cache{db: db, cfg: cfg, log: cfg.Logger, entries: entries, seed: maphash.MakeSeed(),
		methods: map[string]*methodStats{}, waiters: map[string]chan struct{}{}, done: make(chan struct{}),
		ready: make(chan struct{})}
	for _, m := range Methods {
		c.methods[m] = &methodStats{}
	}
	ctx, c.stop = context.WithCancel(context.WithoutCancel(ctx))
	db.OnClose(c.Close)
	if db.Dialect() == "pg" {
		db.AfterWrite(c.awaitWrite)
		go c.listen(ctx)
		// A server that has just started should serve from the cache at once: wait
		// (briefly) for the LISTEN connection; if it is slow, the cache is bypassed
		// until it is up.
		select {
		case <-c.ready:
		case <-time.After(readyWait):
			c.log.Warn("cache: change listener not up yet; the cache is bypassed until it is", "waited", readyWait)
		}
	} else {
		db.OnChange(c.apply)
		c.up.Store(true)
		go c.poll(ctx)
	}
	return c, nil
}

// newEntries returns the bounded map of entries, weighed by their estimated bytes.
func newEntries(bytes uint64) (*otter.Cache[string, *entry], error) {
	return otter.New(&otter.Options[string, *entry]{
		MaximumWeight: bytes,
		Weigher:       func(k string, e *entry) uint32 { return e.size },
	})
}

// Close stops following changes; the cache is bypassed from then on. Closing the
// store.DB closes its cache.
func (c *Cache) Close() {
	if c.closed.Swap(true) {
		return
	}
	c.up.Store(false)
	c.db.OnChange(nil)
	c.db.AfterWrite(nil)
	c.stop()
	if ln := c.ln.Load(); ln != nil {
		ln.Close() // ends a wait for a notification
	}
	<-c.done
	c.entries.InvalidateAll()
}

// Methods are the cached methods, the values of the method label of the metrics.
var Methods = []string{
	"Company", "CompaniesByIDs", "Companies", "ChildrenByParents", "Ancestors", "Descendants", "EffectiveSettings",
	"ContactsByIDs", "Contacts", "ContactsByCompanies", "CountContactsByCompanies",
	"AssetsByIDs", "AssetsByCompanies", "CountAssetsByCompanies",
	"EquipmentByIDs", "EquipmentByCompanies", "CountEquipmentByCompanies", "LinksByDevices",
	"AgentByEmail",
}

// Stats are the cache's counters, for the metrics and /health.
type Stats struct {
	Hits, Misses, Stale map[string]uint64 // by method
	Bytes, Entries      uint64
	Invalidations       uint64 // tags bumped
	Flushes             uint64 // times the whole cache was emptied
	ListenerUp          bool   // the change feed is live (always on SQLite)
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	s := Stats{Hits: map[string]uint64{}, Misses: map[string]uint64{}, Stale: map[string]uint64{},
		Bytes: c.entries.WeightedSize(), Entries: uint64(c.entries.EstimatedSize()),
		Invalidations: c.invalidations.Load(), Flushes: c.flushes.Load(), ListenerUp: c.up.Load()}
	for m, st := range c.methods {
		s.Hits[m], s.Misses[m], s.Stale[m] = st.hits.Load(), st.misses.Load(), st.stale.Load()
	}
	return s
}

func (c *Cache) slot(tag string) uint32 {
	return uint32(maphash.String(c.seed, tag) & (slots - 1))
}

// Invalidate marks the tags changed.
func (c *Cache) Invalidate(tags ...string) {
	for _, t := range tags {
		c.gens[c.slot(t)].Add(1)
	}
	c.invalidations.Add(uint64(len(tags)))
}

// Flush empties the cache.
func (c *Cache) Flush() {
	c.epoch.Add(1)
	c.flushes.Add(1)
	c.entries.InvalidateAll()
}

// apply applies the tags of a change notification ("flush" empties the cache).
func (c *Cache) apply(tags []string) {
	for _, t := range tags {
		if t == "flush" {
			c.Flush()
			continue
		}
		c.Invalidate(t)
	}
}

// snapshot is the state an entry is filled under: read before its query runs.
type snapshot struct {
	ok    bool // the change feed was live
	epoch uint64
	deps  []dep
}

func (c *Cache) snapshot(tags []string) snapshot {
	s := snapshot{ok: c.up.Load(), epoch: c.epoch.Load(), deps: make([]dep, len(tags))}
	for i, t := range tags {
		sl := c.slot(t)
		s.deps[i] = dep{slot: sl, gen: c.gens[sl].Load()}
	}
	return s
}

// get returns the live entry of key, counting a hit or a (stale) miss of method.
func (c *Cache) get(st *methodStats, key string) (any, bool) {
	e, ok := c.entries.GetIfPresent(key)
	if !ok {
		st.misses.Add(1)
		return nil, false
	}
	if !c.live(e) {
		st.misses.Add(1)
		st.stale.Add(1)
		c.entries.Invalidate(key)
		return nil, false
	}
	st.hits.Add(1)
	return e.value, true
}

func (c *Cache) live(e *entry) bool {
	if !c.up.Load() || e.epoch != c.epoch.Load() {
		return false
	}
	for _, d := range e.deps {
		if c.gens[d.slot].Load() != d.gen {
			return false
		}
	}
	return true
}

// put stores v under key, filled under s, unless it is already dead.
func (c *Cache) put(key string, v any, s snapshot) {
	e := &entry{value: v, epoch: s.epoch, deps: s.deps}
	if !s.ok || !c.live(e) {
		return
	}
	e.size = uint32(min(sizeOf(v)+len(key)+16*len(s.deps)+entryOverhead, 1<<30))
	c.entries.Set(key, e)
}

// enabled reports whether reads may use the cache now.
func (c *Cache) enabled() bool { return c != nil && c.up.Load() }

// awaitWrite runs after every write transaction on PostgreSQL: it sends a token on the
// channel and waits until the listener has received it. Notifications arrive in commit
// order, so by then the write's own tags are applied and this process reads its write.
func (c *Cache) awaitWrite(ctx context.Context) {
	if !c.up.Load() {
		return // bypassed; it is emptied when the listener is back
	}
	token := "sync:" + strconv.FormatUint(c.nonce.Add(1), 10)
	ch := make(chan struct{})
	c.mu.Lock()
	c.waiters[token] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, token)
		c.mu.Unlock()
	}()
	ctx = context.WithoutCancel(ctx)
	if _, err := c.db.Bun().ExecContext(ctx, "SELECT pg_notify('codex_changes', ?)", token); err != nil {
		c.log.Warn("cache: sync token", "err", err)
		c.Flush()
		return
	}
	t := time.NewTimer(c.cfg.SyncTimeout)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
		c.log.Warn("cache: the listener did not see a write in time; emptying the cache", "timeout", c.cfg.SyncTimeout)
		c.Flush()
	}
}

// receive applies one notification payload.
func (c *Cache) receive(payload string) {
	if strings.HasPrefix(payload, "sync:") {
		c.mu.Lock()
		ch := c.waiters[payload]
		delete(c.waiters, payload)
		c.mu.Unlock()
		if ch != nil {
			close(ch)
		}
		return
	}
	if strings.HasPrefix(payload, "ping:") {
		return
	}
	c.apply(strings.Fields(payload))
}

// entryOverhead is an entry's own bytes beyond its value, key and tags: the entry, its
// key's string header and otter's node and map slot.
const entryOverhead = 160
