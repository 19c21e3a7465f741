package main

import (
	"runtime/debug"
	"testing"

	"github.com/hivematrix/codex/config"
)

// gcPercent reads the collector's GOGC setting: SetGCPercent returns the previous value,
// which is then put back.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// memoryLimit reads the soft memory limit (a negative argument only reads it).
func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

func TestTuneGC(t *testing.T) {
	origPercent, origLimit := gcPercent(), memoryLimit()
	t.Cleanup(func() {
		debug.SetGCPercent(origPercent)
		debug.SetMemoryLimit(origLimit)
	})
	const sentinelPercent, sentinelLimit = 123, int64(987) << 20

	tests := []struct {
		name        string
		server      config.Server
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"defaults", config.Default().Server, nil, 400, 112 << 20},
		{"configured", config.Server{GCPercent: 250, MemoryLimitMB: 64}, nil, 250, 64 << 20},
		{"no memory limit leaves the runtime's", config.Server{GCPercent: 100, MemoryLimitMB: 0}, nil, 100, sentinelLimit},
		{"GOGC wins", config.Server{GCPercent: 250, MemoryLimitMB: 64}, map[string]string{"GOGC": "50"}, sentinelPercent, 64 << 20},
		{"GOMEMLIMIT wins", config.Server{GCPercent: 250, MemoryLimitMB: 64}, map[string]string{"GOMEMLIMIT": "1GiB"}, 250, sentinelLimit},
		{"both set", config.Server{GCPercent: 250, MemoryLimitMB: 64}, map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, sentinelPercent, sentinelLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(sentinelPercent)
			debug.SetMemoryLimit(sentinelLimit)
			var asked []string
			tuneGC(tc.server, func(k string) string {
				asked = append(asked, k)
				return tc.env[k]
			})
			if got := gcPercent(); got != tc.wantPercent {
				t.Errorf("GC percent = %d; want %d", got, tc.wantPercent)
			}
			if got := memoryLimit(); got != tc.wantLimit {
				t.Errorf("memory limit = %d MiB; want %d MiB", got>>20, tc.wantLimit>>20)
			}
			for _, k := range asked {
				if k != "GOGC" && k != "GOMEMLIMIT" {
					t.Errorf("tuneGC read %s; want only GOGC and GOMEMLIMIT", k)
				}
			}
		})
	}
}
