package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hivematrix/codex/cache"
)

// WatchCache exports the read cache's counters: hits, misses and stale misses by cached
// method (a fixed set, cache.Methods), its bytes and entries, the tags invalidated, the
// times it was emptied, and whether its change listener is up.
func (m *Metrics) WatchCache(c *cache.Cache) {
	m.reg.MustRegister(&cacheCollector{c: c})
}

var (
	cacheHits = prometheus.NewDesc("codex_cache_hits_total",
		"Keys of the read cache's methods served from memory, by method.", []string{"method"}, nil)
	cacheMisses = prometheus.NewDesc("codex_cache_misses_total",
		"Keys of the read cache's methods read from the database, by method (stale ones included).", []string{"method"}, nil)
	cacheStale = prometheus.NewDesc("codex_cache_stale_total",
		"Misses of keys whose entry a change had made dead, by method.", []string{"method"}, nil)
	cacheBytes = prometheus.NewDesc("codex_cache_bytes",
		"The estimated size of the cached values.", nil, nil)
	cacheEntries = prometheus.NewDesc("codex_cache_entries",
		"Entries in the read cache.", nil, nil)
	cacheInvalidations = prometheus.NewDesc("codex_cache_invalidations_total",
		"Change tags applied (each marks the entries depending on it dead).", nil, nil)
	cacheFlushes = prometheus.NewDesc("codex_cache_flushes_total",
		"Times the read cache was emptied (a listener reconnecting, a write by another SQLite process).", nil, nil)
	cacheListener = prometheus.NewDesc("codex_cache_listener_up",
		"1 while the read cache follows the database's changes (it is bypassed otherwise).", nil, nil)
)

type cacheCollector struct{ c *cache.Cache }

func (cc *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheHits, cacheMisses, cacheStale, cacheBytes, cacheEntries, cacheInvalidations, cacheFlushes, cacheListener} {
		ch <- d
	}
}

func (cc *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := cc.c.Stats()
	for _, m := range cache.Methods {
		ch <- prometheus.MustNewConstMetric(cacheHits, prometheus.CounterValue, float64(s.Hits[m]), m)
		ch <- prometheus.MustNewConstMetric(cacheMisses, prometheus.CounterValue, float64(s.Misses[m]), m)
		ch <- prometheus.MustNewConstMetric(cacheStale, prometheus.CounterValue, float64(s.Stale[m]), m)
	}
	up := 0.0
	if s.ListenerUp {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(cacheBytes, prometheus.GaugeValue, float64(s.Bytes))
	ch <- prometheus.MustNewConstMetric(cacheEntries, prometheus.GaugeValue, float64(s.Entries))
	ch <- prometheus.MustNewConstMetric(cacheInvalidations, prometheus.CounterValue, float64(s.Invalidations))
	ch <- prometheus.MustNewConstMetric(cacheFlushes, prometheus.CounterValue, float64(s.Flushes))
	ch <- prometheus.MustNewConstMetric(cacheListener, prometheus.GaugeValue, up)
}
