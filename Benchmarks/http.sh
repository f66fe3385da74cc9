#!/usr/bin/env bash
#
# HTTP benchmark: `splitlane serve` (POST /v1/assign with record:false and record:true)
# against nginx serving a fixed JSON body, all under the same wrk command.
#
#   Benchmarks/http.sh            # wrk -t2 -c32 -d10s --latency, 3 rounds, release build
#   DURATION=30s ROUNDS=5 Benchmarks/http.sh
#
# Starts a private PostgreSQL (scripts/lib/postgres.sh) with fsync and
# synchronous_commit ON (PG_TEST_DURABLE=1, so record:true answers only after a real
# flush), a migrated database, the service and nginx on free loopback ports; stops all
# of them on exit. pgbench's rate for single-row durable inserts with 32 clients is
# measured in the same run as the reference for record:true.
#
# Each round runs every measurement once, in the same order, so that the figures of a
# round share the machine's state: on a shared VM the disk's flush time and the CPU
# time stolen by the host move from minute to minute (the `steal` column, from
# /proc/stat, tells). The record:true/pgbench ratio is taken per round.
#
# Prints `result NAME VALUE UNIT` lines on stdout (for Benchmarks/run.sh), medians over
# the rounds, and the human table on stderr.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
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
local round = os.getenv("ROUND") or "1"
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
    local body = '{"experiment":"survey-channel-2026","unit":"bench-' .. round .. '-' .. thread_id .. '-' .. counter
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

# The CPU time the host took from this VM, in percent, between two /proc/stat readings.
cpu_ticks() { awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat; }
steal_percent() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        total = y[1] - x[1]; printf "%.0f", (total > 0 ? 100 * (y[2] - x[2]) / total : 0)
    }'
}

# Figures of every round, one `NAME VALUE UNIT` line each; medians are taken at the end.
figures="$work/figures"
: >"$figures"

# run LABEL URL PREFIX ENV…: one wrk run; the table row on stderr, figures to $figures.
run() {
    local label=$1 url=$2 prefix=$3
    shift 3
    local out before after
    before=$(cpu_ticks)
    out=$(env "$@" ROUND="$round" wrk -t2 -c32 -d"$duration" --latency -s "$work/assign.lua" "$url")
    after=$(cpu_ticks)
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-28s %10.0f req/s   p50 %9s   p99 %9s   steal %3s%%\n' \
        "$label" "$rps" "$p50" "$p99" "$(steal_percent "$before" "$after")" >&2
    grep -E "Non-2xx|Socket errors" <<<"$out" >&2 || true
    echo "${prefix}_rps $rps req/s" >>"$figures"
    [ "$prefix" = nginx ] || echo "${prefix}_p50_ms $(to_ms "$p50") ms" >>"$figures"
    echo "${prefix}_p99_ms $(to_ms "$p99") ms" >>"$figures"
    RPS=$rps
}

# The reference for record:true: single-row durable inserts into a table with a text
# primary key, 32 clients. Prepared statements are the reference (the stronger one);
# pgbench's default simple protocol is shown beside it.
pgbench_insert() {
    local mode=$1 prefix=$2 label=$3
    psql -q "$database_url" -c "SET client_min_messages = warning" \
        -c "DROP TABLE IF EXISTS pgbench_single" \
        -c "CREATE TABLE pgbench_single (id text PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now())" >/dev/null
    echo "INSERT INTO pgbench_single (id) VALUES (gen_random_uuid()::text);" \
        >"$work/insert.sql"
    local seconds=${duration%s} out tps before after
    before=$(cpu_ticks)
    out=$(pgbench -n -c32 -j2 -T"$seconds" -M "$mode" -f "$work/insert.sql" "$database_url" 2>&1)
    after=$(cpu_ticks)
    tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    printf '%-28s %10.0f tx/s                                  steal %3s%%\n' \
        "$label" "$tps" "$(steal_percent "$before" "$after")" >&2
    echo "$prefix $tps tx/s" >>"$figures"
    TPS=$tps
}

echo "wrk -t2 -c32 -d$duration --latency (2 cores shared; wrk uses about one), $rounds rounds" >&2
echo "PostgreSQL with fsync=on, synchronous_commit=on: record:true answers are durable" >&2
for round in $(seq "$rounds"); do
    echo "round $round" >&2
    run "splitlane record:false" "$service" http_assign_nocommit RECORD=false
    run "splitlane record:true" "$service" http_assign_record RECORD=true
    recorded_rps=$RPS
    run "nginx fixed JSON" "http://127.0.0.1:$nginx_port" nginx RECORD=false
    pgbench_insert prepared pgbench_insert_tps "pgbench INSERT, prepared"
    awk -v r="$recorded_rps" -v t="$TPS" 'BEGIN {
        printf "%-28s %10.2fx\n", "record:true / pgbench", r / t > "/dev/stderr"
        printf "record_vs_pgbench %.4f x\n", r / t
    }' >>"$figures"
    pgbench_insert simple pgbench_insert_simple_tps "pgbench INSERT, simple"
done

# Medians over the rounds, as result lines.
python3 - "$figures" <<'PY'
import statistics, sys
values, units = {}, {}
for line in open(sys.argv[1]):
    name, value, unit = line.split()
    values.setdefault(name, []).append(float(value))
    units[name] = unit
for name, series in values.items():
    print(f"result {name} {statistics.median(series):.4f} {units[name]}")
PY
recorded=$(psql -tAq "$database_url" -c "SELECT count(*) FROM splitlane.exposures")
echo "exposures recorded: $recorded" >&2
