#!/usr/bin/env bash
# The main job end to end on a fresh Debian machine: installs what is missing, builds
# splitlane, starts the embedded PostgreSQL cluster, migrates, validates and syncs
# experiments/, starts the HTTP service with a generated token, sends a simulated
# survey-channel test and detractor-recovery test through it, prints both readouts,
# writes an HTML report, and stops what it started.
#
# Usage: scripts/demo.sh [--deliveries N] [--seed S]   (defaults: 300000, 42)

source "$(dirname "$0")/lib/bootstrap.sh"

deliveries=300000
seed=42
while [ $# -gt 0 ]; do
    case "$1" in
        --deliveries) deliveries="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        *) echo "usage: scripts/demo.sh [--deliveries N] [--seed S]" >&2; exit 2 ;;
    esac
done

bootstrap

# The simulated "now": fixed, so the demo gives the same numbers on any day.
demo_end="2026-12-01T00:00:00Z"
report_dir="$SPLITLANE_ROOT/reports"
work="$(mktemp -d /tmp/splitlane-demo.XXXXXX)"
# As root, PostgreSQL runs as the postgres user, which must reach the cluster directory.
chmod 755 "$work"
export SPLITLANE_EXPERIMENTS="$SPLITLANE_ROOT/experiments"
# The demo's own embedded cluster, so it never touches data of yours in .splitlane/.
cd "$work"
unset DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE

server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    "$splitlane" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

log "building splitlane (release; the first build takes a few minutes)"
(cd "$SPLITLANE_ROOT" && swift build -c release --product splitlane)
splitlane="$(cd "$SPLITLANE_ROOT" && swift build -c release --show-bin-path)/splitlane"

log "starting the embedded PostgreSQL cluster"
"$splitlane" db start
"$splitlane" db migrate

log "validating and syncing experiments/"
"$splitlane" validate
"$splitlane" sync

log "starting the HTTP service with a generated token"
token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$token" >"$work/token"
chmod 600 "$work/token"
"$splitlane" serve --listen 127.0.0.1:0 --token-file "$work/token" 2>"$work/serve.log" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -n 1 || true)"
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "error: the service did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
log "service listening on $url"

log "simulating $deliveries deliveries through the service (seed $seed)"
"$splitlane" simulate --url "$url" --token-file "$work/token" \
    --deliveries "$deliveries" --seed "$seed" --end "$demo_end"

log "readout: survey channel"
"$splitlane" readout survey-channel-2026 --as-of "$demo_end"
log "readout: detractor recovery"
"$splitlane" readout detractor-recovery-2026q4 --as-of "$demo_end"
log "writing the HTML report, with both experiments broken down by vertical (the thin"
log "B2B office segment carries small_sample flags)"
mkdir -p "$report_dir"
"$splitlane" readout survey-channel-2026 detractor-recovery-2026q4 --as-of "$demo_end" \
    --by vertical --format html -o "$report_dir/splitlane-demo.html"

kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
log "the service drained and stopped; its request log had $(wc -l <"$work/serve.log") lines"
log "report written to $report_dir/splitlane-demo.html (open it in a browser)"
