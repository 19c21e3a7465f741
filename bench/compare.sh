#!/usr/bin/env bash
# Codex vs. PostGraphile v5 on Codex's own tables and data, each against the hand-written
# SQL floor measured in its own run, with the shared harness (../shared/bench) unchanged.
#
#   bench/compare.sh                          # everything, harness defaults (~17 min on 2 cores)
#   DURATION=5 ROUNDS=1 bench/compare.sh      # a quick pass
#   bench/compare.sh --sqlite                 # only the load driver on the embedded SQLite default
#   STAGES="codex load" bench/compare.sh      # a subset of: peer codex load sqlite
#
# Stages, in order (STAGES, default all):
#   peer    PostGraphile v5 (the harness's pinned peer, ../shared/bench/peer) over Codex's
#           PostgreSQL database: the harness's run.sh with bench/queries/postgraphile
#   codex   Codex (`codex serve`) over the same database: run.sh with bench/queries/codex
#   load    Codex restarted fresh: bench/load (csv export, REST list, Q1-Q3) with SQL
#           statements from pg_stat_statements, CPU and RSS from /proc
#   sqlite  Codex on an SQLite file (instance/bench.db, seeded once at $SCALE): bench/load
# then bench/harness/summary.mjs prints the side-by-side table, the issue-7 targets and one
# line per query: `qN <codex req/s> <PostGraphile req/s> <ratio>`.
#
# Before the stages: the harness's throwaway cluster is started if needed
# ($SHARED_BENCH/pg.sh start: 127.0.0.1:55432, user bench), database $DB is created,
# migrated (`codex migrate`) and seeded (`codex seed --scale $SCALE`) when it is missing,
# holds another scale, or RESEED=1; pg_stat_statements is created in it.
#
# The harness is read-only and sends no Authorization header, so it runs from a shadow
# directory ($OUT/harness): symlinks to every shared file except lib/post.lua, lib/seq.mjs
# and lib/jsoncheck.mjs, which are bench/harness/'s thin wrappers around the shared ones
# (post.lua and seq.mjs add $AUTH_HEADER; jsoncheck.mjs also accepts PostGraphile's
# lower-case enum text and designation for Codex's enums and isPrimary). Its two curl
# calls (readiness, data check) get the header from $OUT/curl/.curlrc (CURL_HOME).
#
# Environment (harness knobs pass through to run.sh and set the load driver alike):
#   SHARED_BENCH (../shared/bench)  DURATION (15)  WARMUP (3)  ROUNDS (3)  CONC (16)
#   THREADS (2)  PROBE_N (100)  QUERIES (q1 q2 q3)  SCALE (2000)  RESEED (0: seed only
#   when needed)  DB (codex)  OUT (bench/results/compare-<UTC time>)  KEEP_PG (0)
#   CODEX_LOG_LEVEL (warn: no per-request access log line, as the peer runs without
#   its query log)  SQLITE_DB (instance/bench.db)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

STAGES=${STAGES:-peer codex load sqlite}
[ "${1:-}" = --sqlite ] && STAGES=sqlite
SHARED_BENCH=$(cd "${SHARED_BENCH:-../shared/bench}" && pwd)
SCALE=${SCALE:-2000}
DURATION=${DURATION:-15} WARMUP=${WARMUP:-3} CONC=${CONC:-16}
export DURATION WARMUP CONC
RESEED=${RESEED:-0}
DB=${DB:-codex}
PGPORT_=${BENCH_PGPORT:-55432}
PG_URL="postgres://bench@127.0.0.1:$PGPORT_/$DB?sslmode=disable"
CODEX_ADDR=${CODEX_ADDR:-127.0.0.1:5010}
PEER_URL=http://127.0.0.1:${PEER_PORT:-5678}/graphql
SQLITE_DB=${SQLITE_DB:-instance/bench.db}
OUT=${OUT:-bench/results/compare-$(date -u +%Y%m%dT%H%M%SZ)}
BIN=bench/results/bin
mkdir -p "$OUT" "$BIN"
OUT=$(cd "$OUT" && pwd)
export CODEX_LOG_LEVEL=${CODEX_LOG_LEVEL:-warn}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
psql_() { psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT_" -U bench "$@"; }

STARTED_PG=0 SERVER_PID=
cleanup() {
  stop_server
  if [ "$STARTED_PG" = 1 ] && [ "${KEEP_PG:-0}" != 1 ]; then "$SHARED_BENCH/pg.sh" stop >&2; fi
}
trap cleanup EXIT

stop_server() {  # the server this script started, by its pid
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

wait_ready() {  # $1 url, $2 log file, $3.. curl args
  local url=$1 logf=$2; shift 2
  for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logf" >&2; return 1; }
    sleep 0.5
  done
  echo "not ready: $url" >&2; cat "$logf" >&2; return 1
}

rss_hwm_mb() { awk '/^VmHWM:/{printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo -; }

# ---- tools and binaries -------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (apt)"
  { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >/dev/null
fi
for t in go jq curl node psql pgbench wrk; do command -v $t >/dev/null || { echo "need $t" >&2; exit 2; }; done
log "building $BIN/codex and $BIN/load"
go build -o "$BIN/codex" .
go build -o "$BIN/load" ./bench/load
{
  echo "started: $(date -u +%FT%TZ)"
  echo "stages: $STAGES"
  echo "codex: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo '+uncommitted changes'), $(go version | cut -d' ' -f3-)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "os: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "params: scale=$SCALE conc=$CONC threads=${THREADS:-2} warmup=${WARMUP}s duration=${DURATION}s rounds=${ROUNDS:-3} queries='${QUERIES:-q1 q2 q3}' codex_log_level=$CODEX_LOG_LEVEL"
  echo "loadavg_start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/notes.txt"

# ---- PostgreSQL: cluster, database, data ----------------------------------------------
if has peer || has codex || has load; then
  if ! "$SHARED_BENCH/pg.sh" status >/dev/null 2>&1; then "$SHARED_BENCH/pg.sh" start >&2; STARTED_PG=1; fi
  want=$(( SCALE / 5 * 5 ))
  have=$(psql_ -d "$DB" -c 'SELECT count(*) FROM companies' 2>/dev/null || echo none)
  if [ "$RESEED" = 1 ] || [ "$have" != "$want" ]; then
    log "database $DB: (re)creating and seeding scale $SCALE (found: $have companies)"
    psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null
    CODEX_DATABASE_URL=$PG_URL "$BIN/codex" migrate >&2
    CODEX_DATABASE_URL=$PG_URL "$BIN/codex" seed --scale "$SCALE" >&2
    psql_ -d "$DB" -c 'VACUUM ANALYZE' >/dev/null
  fi
  psql_ -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
  echo "postgres: $(psql_ -d "$DB" -c 'SHOW server_version'), database $DB: $(psql_ -d "$DB" -c "SELECT pg_size_pretty(pg_database_size('$DB'))")" >>"$OUT/notes.txt"
fi

# ---- the shadow harness -----------------------------------------------------------------
H=$OUT/harness
rm -rf "$H" && mkdir -p "$H/lib"
for f in "$SHARED_BENCH"/*; do ln -s "$f" "$H/$(basename "$f")"; done
for f in "$SHARED_BENCH"/lib/*; do ln -s "$f" "$H/lib/$(basename "$f")"; done
for f in post.lua seq.mjs jsoncheck.mjs; do ln -sf "$ROOT/bench/harness/$f" "$H/lib/$f"; done
export SHARED_BENCH_LIB=$SHARED_BENCH/lib

harness() {  # $1 target label, $2 url, $3 query dir, $4 server pid; env: AUTH_HEADER, CURL_HOME
  PEER=none TARGET=$1 GQL_URL=$2 GQL_QUERY_DIR=$ROOT/$3 FLOOR_DIR=$ROOT/bench/queries/floor \
    PGDATABASE=$DB TARGET_PID=$4 RESULTS_DIR=$OUT RESULTS_MD=$OUT/report.md RESEED=0 KEEP_PG=1 SCALE=$SCALE \
    "$H/run.sh"
}

# ---- peer: PostGraphile v5 ----------------------------------------------------------------
if has peer; then
  PEER_DIR=${PEER_ROOT:-/tmp/peer}/v5
  # setup.sh reinstalls (npm ci) unless it finished once; its own final check of the Node 22
  # binary passes a boolean to process.exit, which Node 22 rejects, so it never records a
  # finished install: check the install here instead of trusting its exit status.
  if ! { [ -x "$PEER_DIR/node_modules/.bin/node" ] && cmp -s "$SHARED_BENCH/peer/v5/package.json" "$PEER_DIR/package.json" &&
         [ "$("$PEER_DIR/node_modules/.bin/node" -p 'process.versions.node.split(".")[0]')" -ge 22 ]; }; then
    "$SHARED_BENCH/peer/setup.sh" v5 >&2 || true
    [ "$("$PEER_DIR/node_modules/.bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 22 ] ||
      { echo "PostGraphile v5 is not installed in $PEER_DIR" >&2; exit 1; }
  fi
  if curl -s -o /dev/null "$PEER_URL"; then echo "something already listens at $PEER_URL" >&2; exit 1; fi
  DATABASE_URL="postgres://bench@127.0.0.1:$PGPORT_/$DB" "$SHARED_BENCH/peer/start.sh" v5 >"$OUT/postgraphile.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$PEER_URL" "$OUT/postgraphile.log" -H 'Content-Type: application/json' --data '{"query":"{__typename}"}'
  echo "peer: postgraphile $(node -p "require('$PEER_DIR/node_modules/postgraphile/package.json').version") on node $("$PEER_DIR/node_modules/.bin/node" --version), NODE_ENV=production, one process, pool max ${PEER_POOL_MAX:-10}, default (Amber) inflection, PgIndexBehaviorsPlugin off (the harness's graphile.config.mjs)" >>"$OUT/notes.txt"
  log "PostGraphile v5 (pid $SERVER_PID) over database $DB"
  harness postgraphile-v5 "$PEER_URL" bench/queries/postgraphile "$SERVER_PID"
  echo "postgraphile_peak_rss_mb: $(rss_hwm_mb "$SERVER_PID")" >>"$OUT/notes.txt"
  stop_server
fi

# ---- Codex ---------------------------------------------------------------------------------
start_codex() {  # $1 database, $2 log file
  if curl -s -o /dev/null "http://$CODEX_ADDR/health"; then echo "something already listens at $CODEX_ADDR" >&2; exit 1; fi
  CODEX_DATABASE_URL=$1 CODEX_LISTEN=$CODEX_ADDR CODEX_DEMO_DATA=false "$BIN/codex" serve >"$2" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://$CODEX_ADDR/health" "$2"
}
# The development issuer's key is instance/dev-signing-key.pem, relative to this directory:
# minting and serving both run from the repository root.
mint_token() { CODEX_DATABASE_URL=$1 "$BIN/codex" token --email bench@example.com --level admin --ttl 12h; }

load_driver() {  # $1 label, $2 database, $3 json out, $4.. scenarios
  local label=$1 db=$2 json=$3; shift 3
  "$BIN/load" --url "http://$CODEX_ADDR" --token "$TOKEN" --pid "$SERVER_PID" --db "$db" \
    --conc "$CONC" --duration "${DURATION}s" --warmup "${WARMUP}s" --label "$label" --json "$json" "$@" | tee "${json%.json}.txt"
}

if has codex || has load; then
  TOKEN=$(mint_token "$PG_URL")
fi
if has codex; then
  start_codex "$PG_URL" "$OUT/codex.log"
  log "Codex (pid $SERVER_PID) over database $DB"
  mkdir -p "$OUT/curl"
  printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" >"$OUT/curl/.curlrc"
  AUTH_HEADER="Bearer $TOKEN" CURL_HOME=$OUT/curl harness codex "http://$CODEX_ADDR/graphql" bench/queries/codex "$SERVER_PID"
  echo "codex_peak_rss_mb: $(rss_hwm_mb "$SERVER_PID")" >>"$OUT/notes.txt"
  stop_server
  rm -rf "$OUT/curl"   # it holds the token
fi
if has load; then
  start_codex "$PG_URL" "$OUT/codex-load.log"
  log "load driver: Codex (pid $SERVER_PID, fresh) over PostgreSQL"
  load_driver codex-postgres "$PG_URL" "$OUT/load-postgres.json"
  stop_server
fi

# ---- SQLite -----------------------------------------------------------------------------------
if has sqlite; then
  want=$(( SCALE / 5 * 5 ))
  have=none
  if [ -f "$SQLITE_DB" ]; then
    CODEX_DATABASE_URL=$SQLITE_DB "$BIN/codex" migrate >/dev/null
    have=$(sqlite3 "$SQLITE_DB" 'SELECT count(*) FROM companies' 2>/dev/null || echo "$want")  # no sqlite3: trust the file
  fi
  if [ "$RESEED" = 1 ] || [ "$have" != "$want" ]; then
    log "SQLite $SQLITE_DB: (re)creating and seeding scale $SCALE"
    rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
    CODEX_DATABASE_URL=$SQLITE_DB "$BIN/codex" migrate >&2
    CODEX_DATABASE_URL=$SQLITE_DB "$BIN/codex" seed --scale "$SCALE" >&2
  fi
  [ -n "${TOKEN:-}" ] || TOKEN=$(mint_token "$SQLITE_DB")
  start_codex "$SQLITE_DB" "$OUT/codex-sqlite.log"
  log "load driver: Codex (pid $SERVER_PID) over SQLite $SQLITE_DB"
  echo "sqlite: $SQLITE_DB, $(du -h "$SQLITE_DB" | cut -f1)" >>"$OUT/notes.txt"
  load_driver codex-sqlite "$SQLITE_DB" "$OUT/load-sqlite.json"
  stop_server
fi

echo "loadavg_end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/notes.txt"
echo "finished: $(date -u +%FT%TZ)" >>"$OUT/notes.txt"
log "results in ${OUT#$ROOT/}"
node "$ROOT/bench/harness/summary.mjs" "$OUT" | tee "$OUT/summary.md"
