#!/usr/bin/env bash
#
# HTTP benchmark: `splitlane serve` (POST /v1/assign with record:false and record:true)
# against nginx serving a fixed JSON body, all under the same wrk command.
#
#   Benchmarks/http.sh            # wrk -t2 -c32 -d10s --latency, release build
#   DURATION=30s Benchmarks/http.sh
#
# Starts a private PostgreSQL (scripts/lib/postgres.sh), a migrated database, the
# service and nginx on free loopback ports; stops all of them on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-10s}
work=$(mktemp -d)
# A directory of its own: as root, pg_test_start hands it to the postgres user.
pgdir=$(mktemp -d)
# shellcheck source=../scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"

serve_pid=""
nginx_started=""
cleanup() {
    [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    [ -n "$nginx_started" ] && nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null
    pg_test_stop "$pgdir"
    rm -rf "$work" "$pgdir"
}
trap cleanup EXIT

echo "building release..." >&2
(cd "$root" && swift build -c release --product splitlane >/dev/null)
bin=$(cd "$root" && swift build -c release --show-bin-path)/splitlane

pg_test_start "$pgdir"
psql -q "$SPLITLANE_TEST_DATABASE_URL" -c "CREATE DATABASE bench" >/dev/null
database_url="${SPLITLANE_TEST_DATABASE_URL%/postgres}/bench"
SPLITLANE_SQL_DIR="$root/sql" "$bin" db migrate --database-url "$database_url" >/dev/null

token="bench-$(date +%s%N)"
SPLITLANE_API_TOKENS="$token" "$bin" serve --listen 127.0.0.1:0 --threads 2 \
    --experiments "$root/experiments" --database-url "$database_url" \
    >/dev/null 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/serve.log" 2>/dev/null && break
    sleep 0.1
done
service=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
[ -n "$service" ] || { cat "$work/serve.log" >&2; exit 1; }

# nginx: two workers answering a fixed assignment-sized JSON body.
nginx_port=$(pg_test_free_port)
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
daemon on;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/body;
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            default_type application/json;
            return 200 '{"experiment":"survey-channel-2026","unit":"d-1","arm":"sms","reason":"assigned","recorded":false,"conflict":false}';
        }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
nginx_started=1

# The Lua script posts /v1/assign with a distinct unit per request.
cat >"$work/assign.lua" <<LUA
local record = os.getenv("RECORD") or "false"
local counter = 0
local thread_id = 0
local next_thread = 0
function setup(thread)
    thread:set("id", next_thread)
    next_thread = next_thread + 1
end
function init(args)
    thread_id = id
end
function request()
    counter = counter + 1
    local body = '{"experiment":"survey-channel-2026","unit":"bench-' .. thread_id .. '-' .. counter
        .. '-' .. record .. '","attributes":{"region":"north"},"record":' .. record .. '}'
    return wrk.format("POST", "/v1/assign", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $token",
    }, body)
end
LUA

run() {
    local label=$1 url=$2
    shift 2
    local out
    out=$(env "$@" wrk -t2 -c32 -d"$duration" --latency -s "$work/assign.lua" "$url")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-28s %12s req/s   p50 %9s   p99 %9s\n' "$label" "$rps" "$p50" "$p99"
    grep -E "Non-2xx|Socket errors" <<<"$out" || true
}

echo "wrk -t2 -c32 -d$duration --latency (2 cores shared)"
run "splitlane record:false" "$service" RECORD=false
run "splitlane record:true" "$service" RECORD=true
run "nginx fixed JSON" "http://127.0.0.1:$nginx_port" RECORD=false
recorded=$(psql -tAq "$database_url" -c "SELECT count(*) FROM splitlane.exposures")
echo "exposures recorded: $recorded"
