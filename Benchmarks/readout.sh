#!/usr/bin/env bash
# Readout time for a million exposed accounts and about 1.5 million order events
# (three metrics, CUPED on one), beside (a) the bare aggregation query alone and
# (b) the analyst's alternative, pandas pulling the rows and SciPy testing them.
#
# Usage: Benchmarks/readout.sh [UNITS]   (default 1,000,000)
# Prints a human summary on stderr and `result NAME VALUE UNIT` lines on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
units=${1:-1000000}
source scripts/lib/postgres.sh

swift build -c release --product splitlane >&2
swift build -c release --product splitlane-bench >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/splitlane-readout-bench.XXXXXX)
chmod 755 "$work"
trap 'pg_test_stop "$work/pg"; rm -rf "$work"' EXIT
pg_test_start "$work/pg" >&2
url=${SPLITLANE_TEST_DATABASE_URL%/postgres}/bench
psql -q "${SPLITLANE_TEST_DATABASE_URL}" -c "CREATE DATABASE bench"
"$bin/splitlane" db migrate --database-url "$url" >/dev/null

echo "readout: generating $units exposed accounts and their order events" >&2
psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
SELECT setseed(0.42);
INSERT INTO splitlane.exposures (experiment, unit_id, arm, exposed_at, attributes, source)
SELECT 'readout-bench', 'acct-' || g, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'treatment' END,
       timestamptz '2026-09-01' + (g % 60) * interval '1 day' + (g % 86400) * interval '1 second',
       jsonb_build_object('vertical', (ARRAY['ecommerce','grocery','pharmacy','b2b_office'])[1 + g % 4]),
       'benchmark'
FROM generate_series(1, $units) AS g;
-- About 1.5 order events a unit between 14 days before and 20 days after exposure
-- (slightly more with treatment): most inside one of the two 14-day windows.
INSERT INTO splitlane.events (event_id, unit_id, event, value, occurred_at)
SELECT 'o-' || g || '-' || k, 'acct-' || g, 'order', round((20 + random() * 80)::numeric, 2),
       timestamptz '2026-09-01' + (g % 60) * interval '1 day' + (g % 86400) * interval '1 second'
         + (random() * 34 - 14) * interval '1 day'
FROM generate_series(1, $units) AS g,
     LATERAL generate_series(1, floor(random() * (4 + (g % 2) * 0.3))::int + 0 * g) AS k;
ANALYZE splitlane.exposures;
ANALYZE splitlane.events;
SQL
events=$(psql -tA "$url" -c "SELECT count(*) FROM splitlane.events")
echo "  $units exposures, $events events" >&2

as_of="2026-11-15T00:00:00Z"
definitions="Benchmarks/fixtures/experiments"
read -r sql_s _ < <("$bin/splitlane-bench" readout-query "$url" "$definitions/readout-bench.yaml" "$as_of")

start=$(python3 -c "import time; print(time.monotonic())")
/usr/bin/time -f "%M" -o "$work/rss" "$bin/splitlane" readout readout-bench --as-of "$as_of" \
    --experiments "$definitions" --database-url "$url" --format json >"$work/readout.json"
readout_s=$(python3 -c "import time; print(time.monotonic() - $start)")
rss_mib=$(( $(cat "$work/rss") / 1024 ))

echo "  bare aggregation query: ${sql_s} s" >&2
echo "  splitlane readout:      $(printf '%.3f' "$readout_s") s, ${rss_mib} MiB peak" >&2
echo "result readout_s $(printf '%.3f' "$readout_s") s"
echo "result readout_sql_s $sql_s s"
echo "result readout_peak_rss $rss_mib MiB"
echo "result readout_events $events events"
# The comparison needs pandas, SciPy and psycopg2 from PyPI; without them (no network)
# it is skipped and the readout's own figures stand alone.
if python3 -c "import pandas, scipy, psycopg2" 2>/dev/null \
    || pip install -q pandas scipy psycopg2-binary >/dev/null 2>&1; then
    python3 Benchmarks/readout_pandas.py "$url" "$as_of"
else
    echo "  pandas + SciPy: skipped (pip could not install pandas, scipy, psycopg2-binary)" >&2
fi
