# Shared by bench/profile.sh and bench/cores.sh (sourced): the harness's PostgreSQL
# cluster and one Codex server, stopped again on exit. Expects SHARED_BENCH, URL (the
# database) and ADDR (host:port to serve on).

STARTED_PG=0 PID= PID2=
bench_cleanup() {
  for p in $PID $PID2; do
    if kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi
  done
  if [ "$STARTED_PG" = 1 ] && [ "${KEEP_PG:-0}" != 1 ]; then "$SHARED_BENCH/pg.sh" stop >&2; fi
}
trap bench_cleanup EXIT

# bench_pg starts the harness's cluster when URL is PostgreSQL and it is not running.
bench_pg() {
  if [[ $URL == postgres* ]] && ! "$SHARED_BENCH/pg.sh" status >/dev/null 2>&1; then
    "$SHARED_BENCH/pg.sh" start >&2; STARTED_PG=1
  fi
}

# bench_serve BIN LOG [VAR=value ...] starts BIN serve on ADDR over URL with the extra
# environment, sets PID and waits for /health. The rate limits are off: every request of
# a load run comes from one address and one token.
bench_serve() {
  local bin=$1 log=$2
  shift 2
  env CODEX_DATABASE_URL="$URL" CODEX_LISTEN="$ADDR" CODEX_DEMO_DATA=false CODEX_RATE_LIMIT=0 CODEX_PUBLIC_RATE_LIMIT=0 \
    CODEX_LOG_LEVEL="${CODEX_LOG_LEVEL:-warn}" "$@" "$bin" serve >"$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "http://$ADDR/health" && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "Codex not ready at $ADDR" >&2
  exit 1
}
