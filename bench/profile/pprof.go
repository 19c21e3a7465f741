//go:build benchpprof

// This file is not part of Codex's build. bench/profile.sh overlays it onto package main
// (`go build -tags benchpprof -overlay ...`) to get a Codex binary that also serves
// net/http/pprof on $CODEX_BENCH_PPROF (a loopback address such as 127.0.0.1:6060), on a
// listener of its own: Codex's router and handlers are untouched.
package main

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("CODEX_BENCH_PPROF")
	if addr == "" {
		return
	}
	go func() { log.Print(http.ListenAndServe(addr, nil)) }()
}
