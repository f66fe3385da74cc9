#!/usr/bin/env bash
# Ingest throughput: `splitlane ingest` (duplicate-safe: COPY into a staging table,
# then one INSERT … ON CONFLICT DO NOTHING in key order, all in one transaction)
# beside psql's plain `\copy` of the same CSV straight into splitlane.events (no
# duplicate safety), each into a fresh database of one private cluster.
#
# Usage: Benchmarks/ingest.sh [ROWS]   (default 2,000,000; builds release if needed)
# Prints a human summary on stderr and `result NAME VALUE UNIT` lines on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
source scripts/lib/postgres.sh

[ -x .build/release/splitlane ] || swift build -c release --product splitlane >&2
work=$(mktemp -d /tmp/splitlane-ingest-bench.XXXXXX)
chmod 755 "$work"
trap 'pg_test_stop "$work/pg"; rm -rf "$work"' EXIT
pg_test_start "$work/pg" >&2
base=${SPLITLANE_TEST_DATABASE_URL%/postgres}

python3 - "$rows" "$work/events.csv" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
with open(path, "w") as f:
    f.write("event_id,unit_id,event,value,occurred_at\n")
    for i in range(rows):
        value = "" if i % 3 == 0 else f"{random.random() * 100:.2f}"
        event = "order" if i % 2 else "survey_response"
        f.write(f"evt-{i:08d},acct-{random.randrange(200000):06d},{event},{value},"
                f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}Z\n")
PY
echo "ingest: $rows rows, $(du -h "$work/events.csv" | cut -f1) of CSV" >&2

psql -q "$base/postgres" -c "CREATE DATABASE bench_splitlane" -c "CREATE DATABASE bench_psql"
psql -q -v ON_ERROR_STOP=1 "$base/bench_psql" -f sql/001_schema.sql >/dev/null
.build/release/splitlane db migrate --database-url "$base/bench_splitlane" >/dev/null

seconds() { python3 -c "import time; print(time.monotonic())"; }

start=$(seconds)
/usr/bin/time -f "%M" -o "$work/rss" .build/release/splitlane ingest "$work/events.csv" \
    --format json --database-url "$base/bench_splitlane" >/dev/null
splitlane_s=$(python3 -c "import time; print(time.monotonic() - $start)")
rss_kib=$(cat "$work/rss")

start=$(seconds)
psql -q -v ON_ERROR_STOP=1 "$base/bench_psql" -c "\\copy splitlane.events \
    (event_id, unit_id, event, value, occurred_at) FROM '$work/events.csv' CSV HEADER"
psql_s=$(python3 -c "import time; print(time.monotonic() - $start)")

start=$(seconds)
.build/release/splitlane ingest "$work/events.csv" --format json \
    --database-url "$base/bench_splitlane" >"$work/again.json"
again_s=$(python3 -c "import time; print(time.monotonic() - $start)")

python3 - "$rows" "$splitlane_s" "$psql_s" "$again_s" "$rss_kib" "$work/again.json" <<'PY'
import json, sys
rows, ours, theirs, again, rss = int(sys.argv[1]), *map(float, sys.argv[2:6])
duplicates = json.load(open(sys.argv[6]))["duplicates"]
print(f"  splitlane ingest  {rows / ours:>9,.0f} rows/s ({ours:.1f} s, {rss / 1024:.0f} MiB peak)", file=sys.stderr)
print(f"  psql \\copy        {rows / theirs:>9,.0f} rows/s ({theirs:.1f} s)", file=sys.stderr)
print(f"  re-ingest         {rows / again:>9,.0f} rows/s, {duplicates} duplicates", file=sys.stderr)
print(f"result ingest_rows_per_s {rows / ours:.0f} rows/s")
print(f"result psql_copy_rows_per_s {rows / theirs:.0f} rows/s")
print(f"result ingest_peak_rss {rss / 1024:.0f} MiB")
print(f"result reingest_rows_per_s {rows / again:.0f} rows/s")
PY
