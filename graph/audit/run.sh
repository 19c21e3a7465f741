#!/usr/bin/env bash
# Runs the GraphQL-over-HTTP audit suite (npm package graphql-http, its auditServer) against
# Codex's /graphql with an administrator token, and exits non-zero when a MUST or a SHOULD
# fails. Without Node.js it says so and exits 0.
#
#   graph/audit/run.sh                      build Codex, serve a throw-away embedded
#                                           instance on 127.0.0.1:5099, audit it, stop it
#   CODEX_URL=http://host:5010/graphql CODEX_TOKEN=... graph/audit/run.sh
#                                           audit a running Codex instead
#
# graphql-http is installed with npm into $CODEX_AUDIT_DIR (default: a directory under
# ${TMPDIR:-/tmp}, reused between runs), never into the repository.
set -euo pipefail

GRAPHQL_HTTP_VERSION=1.23.1 # the audit suite's version: results are quoted for it
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "graphql audit: Node.js (node and npm) not found; skipped" >&2
  exit 0
fi

dir=${CODEX_AUDIT_DIR:-${TMPDIR:-/tmp}/codex-graphql-audit}
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/graphql-http/package.json" ] ||
  ! grep -q "\"version\": \"$GRAPHQL_HTTP_VERSION\"" "$dir/node_modules/graphql-http/package.json"; then
  (cd "$dir" && { [ -f package.json ] || echo '{"private":true}' >package.json; } &&
    npm install --silent --no-audit --no-fund "graphql-http@$GRAPHQL_HTTP_VERSION" graphql@16 >&2)
fi
cp "$here/audit.mjs" "$dir/audit.mjs"

url=${CODEX_URL:-}
token=${CODEX_TOKEN:-}
pid=
work=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

if [ -z "$url" ]; then
  work=$(mktemp -d)
  addr=${CODEX_AUDIT_ADDR:-127.0.0.1:5099}
  if curl -s -o /dev/null "http://$addr/health"; then
    echo "graph audit: something already listens on $addr (set CODEX_AUDIT_ADDR)" >&2
    exit 1
  fi
  (cd "$root" && go build -o "$work/codex" .)
  export CODEX_CONFIG="$work/none.conf" CODEX_DATABASE_URL="$work/codex.db" \
    CODEX_AUTH_DEV_KEY_FILE="$work/dev-key.json" CODEX_LISTEN="$addr" CODEX_LOG_LEVEL=warn
  touch "$CODEX_CONFIG"
  (cd "$work" && exec ./codex serve >"$work/serve.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "http://$addr/health" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  url="http://$addr/graphql"
  token=$(cd "$work" && ./codex token --email audit@example.com --level admin)
fi
if [ -z "$token" ]; then
  echo "graphql audit: CODEX_URL is set but CODEX_TOKEN is not" >&2
  exit 2
fi

node "$dir/audit.mjs" "$url" "$token"
