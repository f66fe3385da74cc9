#!/usr/bin/env bash
# Ingest throughput: `splitlane ingest` against psql's \copy of the same CSV into a
# staging table followed by the same INSERT … ON CONFLICT DO NOTHING, each into a
# fresh database of a private cluster.
#
# Usage: Benchmarks/ingest.sh [ROWS]   (default 2,000,000; needs a release build:
#        swift build -c release --product splitlane)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
source scripts/lib/postgres.sh

work=$(mktemp -d /tmp/splitlane-ingest-bench.XXXXXX)
chmod 755 "$work"
trap 'pg_test_stop "$work/pg"; rm -rf "$work"' EXIT
pg_test_start "$work/pg"
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
echo "rows: $rows, file: $(du -h "$work/events.csv" | cut -f1)"

psql -q "$base/postgres" -c "CREATE DATABASE bench_splitlane" -c "CREATE DATABASE bench_psql"
psql -q -v ON_ERROR_STOP=1 "$base/bench_psql" -f sql/001_schema.sql >/dev/null

.build/release/splitlane db migrate --database-url "$base/bench_splitlane" >/dev/null

echo "splitlane ingest:"
/usr/bin/time -f "  %e s wall, %U s user, %M KiB max RSS" \
    .build/release/splitlane ingest "$work/events.csv" --format json \
    --database-url "$base/bench_splitlane"

echo "psql \\copy + INSERT:"
/usr/bin/time -f "  %e s wall" psql -q -v ON_ERROR_STOP=1 "$base/bench_psql" \
    -c "BEGIN" \
    -c "CREATE TEMP TABLE s (event_id text, unit_id text, event text,
            value double precision, occurred_at timestamptz)" \
    -c "\\copy s FROM '$work/events.csv' CSV HEADER" \
    -c "INSERT INTO splitlane.events SELECT * FROM s ON CONFLICT DO NOTHING" \
    -c "COMMIT"
