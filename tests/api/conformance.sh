#!/usr/bin/env bash
# The API description is true: runs schemathesis against /api/v1/openapi.json of the
# real server (demo mode, a fresh database in a temporary directory), signed in as the
# demo administrator, and fails on any 5xx, any status code, content type or body the
# description does not give. Bounded: at most --max-examples cases per operation and
# phase (TIENDO_API_MAX_EXAMPLES, default 50: about half a minute), and the whole run
# is cut after TIENDO_API_TIMEOUT seconds (default 300), which fails it.
#
#   tests/api/conformance.sh [TIENDO_BIN] [SCHEMATHESIS] [more schemathesis options]
#
# `./dev test` runs it after building the server (and installing schemathesis into
# .venv/). POST /api/v1/logout is left out: it would end the session every other call
# is made with (tests/tests/api.rs covers it).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/debug/tiendo}
st=${2:-.venv/bin/schemathesis}
max_examples=${TIENDO_API_MAX_EXAMPLES:-50}
limit=${TIENDO_API_TIMEOUT:-300}

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" serve --demo --addr "127.0.0.1:$port" --db "$dir/tiendo.sqlite" \
  --web-dir "$dir/no-web" >"$dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
for attempt in $(seq 600); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null || [ "$attempt" = 600 ]; then
    echo "the server did not start:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"tiendo2019"}' "$base/api/v1/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

status=0
timeout "$limit" "$st" run "$base/api/v1/openapi.json" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /api/v1/logout \
  --max-examples "$max_examples" \
  --phases examples,coverage,fuzzing \
  --seed 2019 \
  --generation-database none \
  --no-color \
  --workers 1 "${@:3}" || status=$?
if grep -q "panicked\|ERROR" "$dir/server.log"; then
  echo "the server logged errors:" >&2
  cat "$dir/server.log" >&2
  status=1
fi
exit $status
