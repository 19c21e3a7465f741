#!/usr/bin/env bash
# CPU (and allocation) profile of Codex under the benchmark's load, one scenario at a time.
#
#   bench/profile.sh                 # q1 q2 q3 on the PostgreSQL database bench/compare.sh seeded
#   bench/profile.sh q3 csv          # any of: q1 q2 q3 rest csv
#   CODEX_DATABASE_URL=instance/bench.db bench/profile.sh q3     # on the SQLite file instead
#
# Codex serves no pprof endpoint, and this script changes none of its files: it builds
# a separate binary with bench/profile/pprof.go overlaid onto package main
# (`go build -tags benchpprof -overlay`), which serves net/http/pprof on a loopback port
# of its own. While bench/load drives a scenario at CONC clients, it fetches a
# PROFILE_SECONDS CPU profile, then the allocation profile, and prints
# `go tool pprof -top` of each (flat, then cumulative). Profiles stay in $OUT.
#
# Environment: PROFILE_SECONDS (20), CONC (16), DB (codex), CODEX_DATABASE_URL (default
# the harness cluster's database $DB), OUT (bench/results/profile-<UTC time>), NODES (30).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED_BENCH=$(cd "${SHARED_BENCH:-../shared/bench}" && pwd)
PROFILE_SECONDS=${PROFILE_SECONDS:-20}
CONC=${CONC:-16}
NODES=${NODES:-30}
DB=${DB:-codex}
URL=${CODEX_DATABASE_URL:-postgres://bench@127.0.0.1:${BENCH_PGPORT:-55432}/$DB?sslmode=disable}
ADDR=${CODEX_ADDR:-127.0.0.1:5010}
PPROF=${PPROF_ADDR:-127.0.0.1:6060}
OUT=${OUT:-bench/results/profile-$(date -u +%Y%m%dT%H%M%SZ)}
BIN=bench/results/bin
SCENARIOS=${*:-q1 q2 q3}
mkdir -p "$OUT" "$BIN"

. bench/lib.sh
bench_pg
printf '{"Replace": {"%s/zz_bench_pprof.go": "%s/bench/profile/pprof.go"}}\n' "$ROOT" "$ROOT" >"$OUT/overlay.json"
go build -tags benchpprof -overlay "$OUT/overlay.json" -o "$BIN/codex-pprof" .
go build -o "$BIN/load" ./bench/load
TOKEN=$(CODEX_DATABASE_URL=$URL "$BIN/codex-pprof" token --email bench@example.com --level admin --ttl 2h)

bench_serve "$BIN/codex-pprof" "$OUT/codex.log" CODEX_BENCH_PPROF="$PPROF"
for i in $(seq 1 40); do
  curl -sf -o /dev/null "http://$PPROF/debug/pprof/" && break
  [ "$i" = 40 ] && { echo "pprof not ready at $PPROF" >&2; exit 1; }
  sleep 0.25
done

for s in $SCENARIOS; do
  echo "== $s: CPU profile over ${PROFILE_SECONDS}s at $CONC clients (pid $PID, $URL)"
  if [ "$s" = csv ]; then
    runs=$(( PROFILE_SECONDS / 2 + 2 ))
    "$BIN/load" --url "http://$ADDR" --token "$TOKEN" --pid "$PID" --db "$URL" --csv-runs "$runs" csv >"$OUT/load-$s.txt" &
  else
    "$BIN/load" --url "http://$ADDR" --token "$TOKEN" --pid "$PID" --db "$URL" --conc "$CONC" \
      --warmup 2s --duration "$((PROFILE_SECONDS + 3))s" --probe 0 "$s" >"$OUT/load-$s.txt" &
  fi
  lp=$!
  sleep 3
  curl -sf -o "$OUT/$s.cpu.pprof" "http://$PPROF/debug/pprof/profile?seconds=$PROFILE_SECONDS"
  curl -sf -o "$OUT/$s.allocs.pprof" "http://$PPROF/debug/pprof/allocs"
  wait "$lp"
  cat "$OUT/load-$s.txt"
  echo "-- $s: top $NODES by flat CPU"
  go tool pprof -top -nodecount="$NODES" "$BIN/codex-pprof" "$OUT/$s.cpu.pprof" 2>/dev/null
  echo "-- $s: top $NODES by cumulative CPU"
  go tool pprof -top -cum -nodecount="$NODES" "$BIN/codex-pprof" "$OUT/$s.cpu.pprof" 2>/dev/null
  echo "-- $s: top 15 by allocated bytes (since start)"
  go tool pprof -top -sample_index=alloc_space -nodecount=15 "$BIN/codex-pprof" "$OUT/$s.allocs.pprof" 2>/dev/null
done
