#!/usr/bin/env bash
# CI: schemathesis against a live `sandbox serve` on a free loopback port, on a temporary SQLite
# store with a freshly made regulator key. Bounded: at most $API_CHECK_EXAMPLES examples per
# operation (default 100). Fails on any 5xx, on a response that breaks its documented schema,
# status code or content type. `make api-check` runs it; .ci/run runs it after `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
EXAMPLES="${API_CHECK_EXAMPLES:-100}"

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite:///$work/api-check.db"
key="$("$BIN/sandbox" keys create --role regulator --name schemathesis)"
port="$("$BIN/python" -c 'from tests.live_server import free_loopback_port; print(free_loopback_port())')"
"$BIN/sandbox" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 120); do
    if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v1/health', timeout=2); sys.exit(0)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "api-check: the server did not start:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
echo "api-check: sandbox serve answers on 127.0.0.1:$port; schemathesis, $EXAMPLES examples per operation"

status=0
"$BIN/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --header "X-API-Key: $key" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$EXAMPLES" \
    --seed 20261127 \
    --workers 1 \
    --request-timeout 60 \
    --suppress-health-check too_slow,filter_too_much,data_too_large \
    --report junit --report-junit-path "$work/junit.xml" \
    --no-color || status=$?

if grep -q '"status": 500' "$work/server.log"; then
    echo "api-check: the server logged a 500:" >&2
    grep -B2 -A2 '"request.failed"' "$work/server.log" | head -40 >&2
    status=1
fi
# One closing line for CI's reader: operations tested, as schemathesis's JUnit report counts them.
"$BIN/python" - "$work/junit.xml" <<'PY' || status=1
import sys
import xml.etree.ElementTree as ET

tests = failed = 0
for suite in ET.parse(sys.argv[1]).getroot().iter("testsuite"):
    tests += int(suite.get("tests", 0))
    failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
print(f"api-check: {tests - failed} passed, {failed} failed")
sys.exit(1 if failed or not tests else 0)
PY
exit "$status"
