#!/usr/bin/env bash
#
# HTTP benchmark: `splitlane serve` (POST /v1/assign with record:false and record:true)
# against nginx serving a fixed JSON body, all under the same wrk command.
#
#   Benchmarks/http.sh            # wrk -t2 -c32 -d10s --latency, release build
#   DURATION=30s Benchmarks/http.sh
#
# Starts a private PostgreSQL (scripts/lib/postgres.sh) with fsync and
# synchronous_commit ON (PG_TEST_DURABLE=1, so record:true answers only after a real
# flush), a migrated database, the service and nginx on free loopback ports; stops all
# of them on exit. pgbench's rate for single-row durable inserts with 32 clients is
# measured in the same run as the reference for record:true.
#
# Prints `result NAME VALUE UNIT` lines on stdout (for Benchmarks/run.sh) and the
# human table on stderr.
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

PG_TEST_DURABLE=1 pg_test_start "$pgdir"
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

# Converts a wrk latency such as 812.00us, 1.75ms or 1.02s to milliseconds.
to_ms() {
    awk -v t="$1" 'BEGIN {
        v = t + 0
        if (t ~ /us$/) v = v / 1000; else if (t ~ /ms$/) v = v; else if (t ~ /s$/) v = v * 1000
        printf "%.3f", v
    }'
}

# run LABEL URL RESULT_PREFIX ENV…: one wrk run; the table row on stderr, results on stdout.
run() {
    local label=$1 url=$2 prefix=$3
    shift 3
    local out
    out=$(env "$@" wrk -t2 -c32 -d"$duration" --latency -s "$work/assign.lua" "$url")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-28s %12s req/s   p50 %9s   p99 %9s\n' "$label" "$rps" "$p50" "$p99" >&2
    grep -E "Non-2xx|Socket errors" <<<"$out" >&2 || true
    echo "result ${prefix}_rps $rps req/s"
    [ "$prefix" = nginx ] || echo "result ${prefix}_p50_ms $(to_ms "$p50") ms"
    echo "result ${prefix}_p99_ms $(to_ms "$p99") ms"
}

# The reference for record:true: single-row durable inserts into a table with a text
# primary key, 32 clients, prepared statements.
pgbench_insert() {
    psql -q "$database_url" -c "CREATE TABLE pgbench_single (id text PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now())" >/dev/null
    echo "INSERT INTO pgbench_single (id) VALUES (gen_random_uuid()::text);" \
        >"$work/insert.sql"
    local seconds=${duration%s} out tps
    out=$(pgbench -n -c32 -j2 -T"$seconds" -M prepared -f "$work/insert.sql" "$database_url" 2>&1)
    tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    printf '%-28s %12s tx/s\n' "pgbench single-row INSERT" "$tps" >&2
    echo "result pgbench_insert_tps $tps tx/s"
}

echo "wrk -t2 -c32 -d$duration --latency (2 cores shared; wrk uses about one)" >&2
echo "PostgreSQL with fsync=on, synchronous_commit=on: record:true answers are durable" >&2
run "splitlane record:false" "$service" http_assign_nocommit RECORD=false
run "splitlane record:true" "$service" http_assign_record RECORD=true
run "nginx fixed JSON" "http://127.0.0.1:$nginx_port" nginx RECORD=false
pgbench_insert
recorded=$(psql -tAq "$database_url" -c "SELECT count(*) FROM splitlane.exposures")
echo "exposures recorded: $recorded" >&2
