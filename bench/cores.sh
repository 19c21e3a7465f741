#!/usr/bin/env bash
# Where the machine's CPU goes per request while bench/load drives Codex: the whole
# machine's busy time (/proc/stat), Codex's own (/proc/<pid>/stat) and the load driver's
# (getrusage via /usr/bin/time); what is left is PostgreSQL (plus anything else running).
# On 2 shared cores this is what bounds throughput: req/s ≈ cores ÷ machine ms/request.
#
#   bench/cores.sh                 # q1 q2 q3 against the database bench/compare.sh seeded
#   bench/cores.sh q3              # any of: q1 q2 q3 rest
#
# Environment: DURATION (10s), CONC (16), DB (codex), CODEX_DATABASE_URL (default the
# harness cluster's database $DB), CODEX_ADDR (127.0.0.1:5010).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED_BENCH=$(cd "${SHARED_BENCH:-../shared/bench}" && pwd)
DURATION=${DURATION:-10s}
CONC=${CONC:-16}
DB=${DB:-codex}
URL=${CODEX_DATABASE_URL:-postgres://bench@127.0.0.1:${BENCH_PGPORT:-55432}/$DB?sslmode=disable}
ADDR=${CODEX_ADDR:-127.0.0.1:5010}
SCENARIOS=${*:-q1 q2 q3}
BIN=bench/results/bin
mkdir -p "$BIN"
command -v /usr/bin/time >/dev/null || { apt-get install -y time >/dev/null; }

. bench/lib.sh
bench_pg
go build -o "$BIN/codex" . && go build -o "$BIN/load" ./bench/load
TOKEN=$(CODEX_DATABASE_URL=$URL "$BIN/codex" token --email bench@example.com --level admin --ttl 2h)
bench_serve "$BIN/codex" /dev/null

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }   # user nice system irq softirq steal, in ticks
ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
hz=$(getconf CLK_TCK)
echo "# $(nproc) cores; $CONC clients, $DURATION per scenario after a 2 s warm-up; $URL"
printf '%-6s %9s %14s %12s %11s %17s\n' scenario req/s machine_ms/req codex_ms/req load_ms/req postgres+rest_ms/req
for s in $SCENARIOS; do
  "$BIN/load" --url "http://$ADDR" --token "$TOKEN" --pid "$PID" --db "$URL" --conc "$CONC" --warmup 0s --duration 2s --probe 0 "$s" >/dev/null
  m0=$(busy) c0=$(ticks)
  out=$({ /usr/bin/time -f "LOAD %U %S" "$BIN/load" --url "http://$ADDR" --token "$TOKEN" --pid "$PID" --db "$URL" \
    --conc "$CONC" --warmup 0s --duration "$DURATION" --probe 0 "$s"; } 2>&1)
  m1=$(busy) c1=$(ticks)
  rps=$(awk -v s="$s" '$1 == s {print $3}' <<<"$out")
  secs=${DURATION%s}
  awk -v rps="$rps" -v secs="$secs" -v hz="$hz" -v m=$((m1 - m0)) -v c=$((c1 - c0)) \
      -v drv="$(awk '/^LOAD/ {print $2 + $3}' <<<"$out")" -v s="$s" 'BEGIN {
    n = rps * secs; ms = 1000 / hz
    printf "%-6s %9.1f %14.3f %12.3f %11.3f %17.3f\n", s, rps, m * ms / n, c * ms / n, drv * 1000 / n, (m * ms - c * ms - drv * 1000) / n
  }'
done
