#!/usr/bin/env bash
# The platform's traffic (issue 18): Codex and PostGraphile v5 on the same seeded
# PostgreSQL database in one run, each driven by bench/load's platform scenarios, whose
# requests draw their variables at random (pools read from the database before the run):
#
#   q1r     company page of a random company       q2r   list page at a random position
#   q3r     deep tree from a random root           theme a random agent's theme
#   search  contacts containing a random prefix    export every company
#   write   PATCH a random company's description   mix   the platform mix (below)
#
# The mix: theme 50%, q1r 25%, search 10%, q2r 10%, q3r 4%, write 1% (bench/load/platform.go
# says why; MIX=theme=60,q1r=40 overrides it).
#
#   bench/platform.sh                                  # both targets, every scenario
#   SCALE=200 DURATION=3 WARMUP=1 bench/platform.sh   # a smoke pass (figures not comparable)
#   TARGETS=codex SCENARIOS="mix" bench/platform.sh
#   TARGETS="postgraphile codex codex-nocache" bench/platform.sh   # cache on and off, one run
#
# Targets: postgraphile; codex (Codex's defaults: the read cache on); codex-nocache (the
# same binary with CODEX_CACHE_ENABLED=false). Each Codex target runs as two replicas on
# the one database (REPLICAS=2, the default): the load goes to the first, and the load
# driver's stale-read checker re-reads every write through the second (--check-url) and
# through the first at once, and fails the run on a read still stale 100 ms after the
# write (STALE_AFTER). REPLICAS=1 checks read-your-writes on the one replica only.
#
# Before the targets: the harness's cluster is started if needed, database $DB is created,
# migrated and seeded (`codex seed --scale $SCALE`) when it is missing, holds another scale
# or RESEED=1. The scale seed registers no agents: one contact in 20 becomes an agent (its
# e-mail, a theme) when the database has none, so the theme lookups find people. For
# PostGraphile's search the SQL function bench_search_contacts(search) is (re)created: the
# predicate of Codex's contact search (display/first/last name, e-mail, phones or title
# contains the text, unarchived, first 20 by name and id); PostGraphile exposes it as the
# query field benchSearchContacts. The writes are real: each run changes descriptions.
#
# Environment: SHARED_BENCH (../shared/bench)  SCALE (2000)  DB (codex_platform)
#   TARGETS (postgraphile codex codex-nocache)  REPLICAS (2)  CHECK_ADDR (127.0.0.1:5011)
#   STALE_AFTER (100ms)  SCENARIOS (theme q1r q2r q3r search export write mix)
#   CONC (16)  WARMUP (3)  DURATION (15)  PROBE (20)  MIX  RESEED (0)  KEEP_PG (0)
#   OUT (bench/results/platform-<UTC time>)  PG_SERVER (postgres://bench@127.0.0.1:55432, the
#   harness's cluster, started if needed; another server is used as it is)  PEER_ROOT
#   (/tmp/peer: PostGraphile v5 in $PEER_ROOT/v5)  CODEX_ADDR (127.0.0.1:5010)  PEER_PORT (5678)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED_BENCH=$(cd "${SHARED_BENCH:-../shared/bench}" && pwd)
SCALE=${SCALE:-2000}
DB=${DB:-codex_platform}
PG_SERVER=${PG_SERVER:-postgres://bench@127.0.0.1:${BENCH_PGPORT:-55432}}
URL="$PG_SERVER/$DB?sslmode=disable"
ADDR=${CODEX_ADDR:-127.0.0.1:5010}
PEER_PORT=${PEER_PORT:-5678}
TARGETS=${TARGETS:-postgraphile codex codex-nocache}
REPLICAS=${REPLICAS:-2}
CHECK_ADDR=${CHECK_ADDR:-127.0.0.1:5011}
STALE_AFTER=${STALE_AFTER:-100ms}
SCENARIOS=${SCENARIOS:-theme q1r q2r q3r search export write mix}
CONC=${CONC:-16} WARMUP=${WARMUP:-3} DURATION=${DURATION:-15} PROBE=${PROBE:-20}
OUT=${OUT:-bench/results/platform-$(date -u +%Y%m%dT%H%M%SZ)}
BIN=bench/results/bin
mkdir -p "$OUT" "$BIN"

. bench/lib.sh
psql_() { local db=$2; shift 2; psql -X -At -v ON_ERROR_STOP=1 -d "$PG_SERVER/$db" "$@"; }  # psql_ -d DB ...
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
stop_pid() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  PID=
}

for t in go jq curl psql; do command -v $t >/dev/null || { echo "need $t" >&2; exit 2; }; done
go build -o "$BIN/codex" .
go build -o "$BIN/load" ./bench/load
[ "$PG_SERVER" = "postgres://bench@127.0.0.1:${BENCH_PGPORT:-55432}" ] && bench_pg  # the harness's cluster

# ---- the database ---------------------------------------------------------------------------
want=$(( SCALE / 5 * 5 ))
have=$(psql_ -d "$DB" -c 'SELECT count(*) FROM companies' 2>/dev/null || echo none)
if [ "${RESEED:-0}" = 1 ] || [ "$have" != "$want" ]; then
  log "database $DB: (re)creating and seeding scale $SCALE (found: $have companies)"
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null
  CODEX_DATABASE_URL=$URL "$BIN/codex" migrate >&2
  CODEX_DATABASE_URL=$URL "$BIN/codex" seed --scale "$SCALE" >&2
fi
psql_ -d "$DB" >/dev/null <<'SQL'
INSERT INTO agents (email, name, permission_level, preferences)
SELECT email, display_name, 'technician',
       jsonb_build_object('theme_preference', CASE WHEN id % 2 = 0 THEN 'dark' ELSE 'light' END)
FROM contacts
WHERE id % 20 = 0 AND email <> '' AND NOT EXISTS (SELECT 1 FROM agents)
ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION bench_search_contacts(search text) RETURNS SETOF contacts
LANGUAGE sql STABLE AS $$
  SELECT * FROM contacts c
  WHERE c.archived_at IS NULL
    AND (c.display_name ILIKE '%' || search || '%' OR c.first_name ILIKE '%' || search || '%'
      OR c.last_name ILIKE '%' || search || '%' OR c.email ILIKE '%' || search || '%'
      OR c.phone_work ILIKE '%' || search || '%' OR c.phone_mobile ILIKE '%' || search || '%'
      OR c.title ILIKE '%' || search || '%')
  ORDER BY c.display_name, c.id
  LIMIT 20
$$;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
VACUUM ANALYZE;
SQL
{
  echo "started: $(date -u +%FT%TZ)"
  echo "codex: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+uncommitted changes'), $(go version | cut -d' ' -f3-)"
  echo "host: $(nproc) cores, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "params: scale=$SCALE db=$DB conc=$CONC warmup=${WARMUP}s duration=${DURATION}s probe=$PROBE targets='$TARGETS' scenarios='$SCENARIOS' mix='${MIX:-default}'"
  echo "database: $(psql_ -d "$DB" -c "SELECT (SELECT count(*) FROM companies) || ' companies, ' || (SELECT count(*) FROM agents) || ' agents, ' || pg_size_pretty(pg_database_size('$DB'))")"
} >"$OUT/notes.txt"

TOKEN=$(CODEX_DATABASE_URL=$URL "$BIN/codex" token --email bench@example.com --level admin --ttl 12h)
drive() {  # $1 label, $2 target, $3 base url, [more load flags]
  local label=$1 target=$2 url=$3
  shift 3
  "$BIN/load" --target "$target" --url "$url" --token "$TOKEN" --pid "$PID" --db "$URL" --conc "$CONC" \
    --warmup "${WARMUP}s" --duration "${DURATION}s" --probe "$PROBE" --mix "${MIX:-}" --label "$label" \
    --json "$OUT/$label.json" "$@" $SCENARIOS | tee "$OUT/$label.txt"
}
# codex_target LABEL [VAR=value ...]: Codex with that environment, as REPLICAS replicas.
codex_target() {
  local label=$1
  shift
  if [ "$REPLICAS" = 2 ]; then
    ADDR=$CHECK_ADDR bench_serve "$BIN/codex" "$OUT/$label-2.log" "$@"
    PID2=$PID
  fi
  bench_serve "$BIN/codex" "$OUT/$label.log" "$@"
  log "$label (pid $PID${PID2:+, second replica pid $PID2 on $CHECK_ADDR}) over $DB: $*"
  local check=()
  if [ "$REPLICAS" = 2 ]; then check=(--check-url "http://$CHECK_ADDR"); else check=(--check-url "http://$ADDR"); fi
  drive "$label" codex "http://$ADDR" "${check[@]}" --stale-after "$STALE_AFTER"
  stop_pid
  if [ -n "$PID2" ]; then kill "$PID2"; wait "$PID2" 2>/dev/null || true; PID2=; fi
}

for target in $TARGETS; do
  case $target in
  postgraphile)
    PEER_DIR=${PEER_ROOT:-/tmp/peer}/v5
    [ -x "$PEER_DIR/node_modules/.bin/node" ] || "$SHARED_BENCH/peer/setup.sh" v5 >&2 || true
    [ -x "$PEER_DIR/node_modules/.bin/node" ] || { echo "PostGraphile v5 is not installed in $PEER_DIR (bench/compare.sh installs it)" >&2; exit 1; }
    DATABASE_URL="$PG_SERVER/$DB" PEER_PORT=$PEER_PORT "$SHARED_BENCH/peer/start.sh" v5 >"$OUT/postgraphile.log" 2>&1 &
    PID=$!
    for i in $(seq 1 240); do
      curl -sf -o /dev/null -H 'Content-Type: application/json' --data '{"query":"{__typename}"}' "http://127.0.0.1:$PEER_PORT/graphql" && break
      kill -0 "$PID" 2>/dev/null || { cat "$OUT/postgraphile.log" >&2; exit 1; }
      [ "$i" = 240 ] && { echo "PostGraphile not ready" >&2; exit 1; }
      sleep 0.5
    done
    log "PostGraphile v5 (pid $PID) over $DB"
    drive postgraphile postgraphile "http://127.0.0.1:$PEER_PORT"
    stop_pid ;;
  codex) codex_target codex ;;
  codex-nocache) codex_target codex-nocache CODEX_CACHE_ENABLED=false ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
  esac
done
echo "finished: $(date -u +%FT%TZ), loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/notes.txt"

# ---- side by side ---------------------------------------------------------------------------
if [ -f "$OUT/postgraphile.json" ]; then
  for label in codex codex-nocache; do
    [ -f "$OUT/$label.json" ] || continue
    {
      echo
      echo "$label ÷ PostGraphile v5:"
      echo
      echo "| scenario | $label req/s | PostGraphile req/s | ratio | $label p99 ms | PostGraphile p99 ms | p99 ratio | errors | stale reads |"
      echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
      jq -r -s '(.[0].load | map({(.name): .}) | add) as $c | (.[1].load | map({(.name): .}) | add) as $p
        | $c | keys_unsorted[] | select($p[.]) as $k
        | "| \($k) | \($c[$k].rps*10|round/10) | \($p[$k].rps*10|round/10) | \(($c[$k].rps/$p[$k].rps)*100|round/100) | \($c[$k].p99_ms*100|round/100) | \($p[$k].p99_ms*100|round/100) | \(($c[$k].p99_ms/$p[$k].p99_ms)*100|round/100) | \($c[$k].errors)/\($p[$k].errors) | \(if $c[$k].stale then "\($c[$k].stale.stale) of \($c[$k].stale.checks) (self \($c[$k].stale.stale_self)), visible p99 \($c[$k].stale.visible_p99_ms*100|round/100) ms" else "–" end) |"' \
        "$OUT/$label.json" "$OUT/postgraphile.json"
    } | tee -a "$OUT/summary.md"
  done
fi
log "results in $OUT"
