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
# Every run also counts the CPU time each side spent (the server, PostgreSQL, the load
# generator; from /proc/PID/stat and bash's `time`) per request. That figure moves far
# less than the rate with the host's load, and it bounds the rate: on N cores no run
# exceeds N seconds of CPU per second, so N / (CPU per request) is the ceiling printed
# at the end, for the service and for pgbench alike.
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
"$bin" db migrate --database-url "$database_url" >/dev/null

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
nginx_workers=""
for _ in $(seq 50); do
    nginx_workers=$(pgrep -P "$(cat "$work/nginx.pid" 2>/dev/null || echo 0)" | tr '\n' ' ' || true)
    [ -n "$nginx_workers" ] && break
    sleep 0.1
done

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

# CPU time, in clock ticks, a process spent (user and system, all its threads) plus
# what its reaped children spent: fields 14–17 of /proc/PID/stat, counted after the
# command name, which may hold spaces.
ticks_of() {
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}' || echo 0
}
# PostgreSQL's CPU ticks: the postmaster with the backends it reaped, and every live
# child (the service's writer connection lives for the whole run).
postgres_ticks() {
    local postmaster total pid
    postmaster=$(head -1 "$pgdir/data/postmaster.pid")
    total=$(ticks_of "$postmaster")
    for pid in $(pgrep -P "$postmaster"); do
        total=$((total + $(ticks_of "$pid")))
    done
    echo "$total"
}
# The ticks of a list of processes.
sum_ticks() {
    local total=0 pid
    for pid in "$@"; do
        total=$((total + $(ticks_of "$pid")))
    done
    echo "$total"
}
clock_ticks=$(getconf CLK_TCK)
# Microseconds of CPU per request from a tick difference and a request count.
per_request_us() {
    awk -v ticks="$1" -v hz="$clock_ticks" -v n="$2" \
        'BEGIN { printf "%.1f", (n > 0 ? ticks * 1e6 / hz / n : 0) }'
}
# Seconds of user plus system CPU from bash's `time` with TIMEFORMAT='%U %S'.
seconds_to_ticks() {
    awk -v t="$1" -v hz="$clock_ticks" 'BEGIN { split(t, p, " "); printf "%.0f", (p[1] + p[2]) * hz }'
}

# Figures of every round, one `NAME VALUE UNIT` line each; medians are taken at the end.
figures="$work/figures"
: >"$figures"

# run LABEL URL PREFIX SERVER_PIDS ENV…: one wrk run; the table row on stderr, figures
# to $figures. Besides rate and latency, the CPU each side spent per request: the
# server's processes (quoted list), PostgreSQL and wrk.
run() {
    local label=$1 url=$2 prefix=$3 servers=$4
    shift 4
    local before after server_before postgres_before client out
    local TIMEFORMAT='%U %S'
    before=$(cpu_ticks)
    # shellcheck disable=SC2086 # the server pids are a list
    server_before=$(sum_ticks $servers)
    postgres_before=$(postgres_ticks)
    client=$( { time env "$@" ROUND="$round" wrk -t2 -c32 -d"$duration" --latency \
        -s "$work/assign.lua" "$url" >"$work/wrk.out"; } 2>&1)
    # shellcheck disable=SC2086
    local server_ticks=$(($(sum_ticks $servers) - server_before))
    local postgres_ticks=$(($(postgres_ticks) - postgres_before))
    after=$(cpu_ticks)
    out=$(cat "$work/wrk.out")
    local rps p50 p99 requests
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    local server_us postgres_us client_us
    server_us=$(per_request_us "$server_ticks" "$requests")
    postgres_us=$(per_request_us "$postgres_ticks" "$requests")
    client_us=$(per_request_us "$(seconds_to_ticks "$client")" "$requests")
    printf '%-28s %10.0f req/s   p50 %9s   p99 %9s   steal %3s%%   cpu/req us %6s %6s %6s\n' \
        "$label" "$rps" "$p50" "$p99" "$(steal_percent "$before" "$after")" \
        "$server_us" "$postgres_us" "$client_us" >&2
    grep -E "Non-2xx|Socket errors" <<<"$out" >&2 || true
    {
        echo "${prefix}_rps $rps req/s"
        [ "$prefix" = nginx ] || echo "${prefix}_p50_ms $(to_ms "$p50") ms"
        echo "${prefix}_p99_ms $(to_ms "$p99") ms"
        echo "${prefix}_cpu_server_us $server_us us"
        [ "$prefix" = nginx ] || echo "${prefix}_cpu_postgres_us $postgres_us us"
        echo "${prefix}_cpu_client_us $client_us us"
    } >>"$figures"
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
    local seconds=${duration%s} out tps before after postgres_before client
    local TIMEFORMAT='%U %S'
    before=$(cpu_ticks)
    postgres_before=$(postgres_ticks)
    client=$( { time pgbench -n -c32 -j2 -T"$seconds" -M "$mode" -f "$work/insert.sql" \
        "$database_url" >"$work/pgbench.out" 2>&1; } 2>&1)
    # pgbench's backends exit after it does; once reaped, their CPU is the postmaster's.
    sleep 0.5
    local postgres_ticks=$(($(postgres_ticks) - postgres_before))
    after=$(cpu_ticks)
    out=$(cat "$work/pgbench.out")
    tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    local count postgres_us client_us
    count=$(awk -F': ' '/number of transactions actually processed/ {print $2}' <<<"$out")
    postgres_us=$(per_request_us "$postgres_ticks" "$count")
    client_us=$(per_request_us "$(seconds_to_ticks "$client")" "$count")
    printf '%-28s %10.0f tx/s %38s steal %3s%%   cpu/req us %6s %6s %6s\n' \
        "$label" "$tps" "" "$(steal_percent "$before" "$after")" "-" "$postgres_us" "$client_us" >&2
    {
        echo "$prefix $tps tx/s"
        echo "${prefix%_tps}_cpu_postgres_us $postgres_us us"
        echo "${prefix%_tps}_cpu_client_us $client_us us"
    } >>"$figures"
    TPS=$tps
}

echo "wrk -t2 -c32 -d$duration --latency (2 cores shared; wrk uses about one), $rounds rounds" >&2
echo "PostgreSQL with fsync=on, synchronous_commit=on: record:true answers are durable" >&2
echo "cpu/req us: CPU per request of the server, PostgreSQL and the client (wrk, pgbench)" >&2
for round in $(seq "$rounds"); do
    echo "round $round" >&2
    run "splitlane record:false" "$service" http_assign_nocommit "$serve_pid" RECORD=false
    run "splitlane record:true" "$service" http_assign_record "$serve_pid" RECORD=true
    recorded_rps=$RPS
    run "nginx fixed JSON" "http://127.0.0.1:$nginx_port" nginx "$nginx_workers" RECORD=false
    pgbench_insert prepared pgbench_insert_tps "pgbench INSERT, prepared"
    awk -v r="$recorded_rps" -v t="$TPS" 'BEGIN {
        printf "%-28s %10.2fx\n", "record:true / pgbench", r / t > "/dev/stderr"
        printf "record_vs_pgbench %.4f x\n", r / t
    }' >>"$figures"
    pgbench_insert simple pgbench_insert_simple_tps "pgbench INSERT, simple"
done

# Medians over the rounds, as result lines.
python3 - "$figures" "$(nproc)" <<'PY'
import statistics, sys
values, units = {}, {}
for line in open(sys.argv[1]):
    name, value, unit = line.split()
    values.setdefault(name, []).append(float(value))
    units[name] = unit
median = {name: statistics.median(series) for name, series in values.items()}
for name, value in median.items():
    print(f"result {name} {value:.4f} {units[name]}")

# The CPU budget: at most `cores` seconds of CPU per second, so the CPU one request
# takes, on every side together, bounds the rate this machine can reach.
cores = int(sys.argv[2])
print(f"CPU per request, medians (us)  {'server':>8} {'postgres':>9} {'client':>7} "
      f"{'total':>7}   ceiling on {cores} cores", file=sys.stderr)
for label, prefix, unit in [
    ("splitlane record:false", "http_assign_nocommit", "req/s"),
    ("splitlane record:true", "http_assign_record", "req/s"),
    ("nginx fixed JSON", "nginx", "req/s"),
    ("pgbench INSERT, prepared", "pgbench_insert", "tx/s"),
    ("pgbench INSERT, simple", "pgbench_insert_simple", "tx/s"),
]:
    parts = [median.get(f"{prefix}_cpu_{side}_us", 0.0) for side in ("server", "postgres", "client")]
    total = sum(parts)
    if total <= 0:
        continue
    ceiling = cores * 1e6 / total
    print(f"{label:<30} {parts[0]:8.1f} {parts[1]:9.1f} {parts[2]:7.1f} {total:7.1f}   "
          f"{ceiling:8.0f} {unit}", file=sys.stderr)
    print(f"result {prefix}_cpu_ceiling {ceiling:.1f} {unit}")
PY
recorded=$(psql -tAq "$database_url" -c "SELECT count(*) FROM splitlane.exposures")
echo "exposures recorded: $recorded" >&2
