#!/usr/bin/env bash
# Runs every benchmark and prints one table: each figure beside its reference,
# measured in the same run on this machine.
#
# Usage: Benchmarks/run.sh [assign|ingest|readout|http …]   (default: all)
# Needs the release build and the machine's PostgreSQL (scripts/test.sh installs it),
# wrk and nginx for the HTTP part, and Python with pandas, SciPy and psycopg2 for the
# readout's pandas comparison (installed from PyPI when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
bootstrap

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(assign ingest readout http)
results=$(mktemp)
trap 'rm -f "$results"' EXIT

for suite in "${suites[@]}"; do
    script="Benchmarks/$suite.sh"
    [ -x "$script" ] || { echo "no benchmark $script" >&2; exit 2; }
    log "benchmark: $suite"
    bash "$script" | tee -a "$results" | grep '^result' >/dev/null || true
done

python3 - "$results" <<'PY'
import sys

figures = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 3 and parts[0] == "result":
        figures[parts[1]] = (float(parts[2]), " ".join(parts[3:]))

# (figure, reference, how the target reads the ratio figure/reference, target text)
rows = [
    ("assign_in_process_per_s", "sha256_floor_per_s", "within 1.5x of the C floor"),
    ("assign_csv_per_s", "sha256_floor_per_s", "at least 1,000,000 units/s"),
    ("growthbook_per_s", "assign_in_process_per_s", "comparison only"),
    ("ingest_rows_per_s", "psql_copy_rows_per_s", "at least 0.7x of psql \\copy"),
    ("reingest_rows_per_s", "psql_copy_rows_per_s", "all rows duplicates"),
    ("ingest_peak_rss", None, "flat memory"),
    ("readout_s", "readout_sql_s", "at most 1.3x the bare query"),
    ("readout_peak_rss", "pandas_peak_rss", "under 100 MiB"),
    ("pandas_readout_s", "readout_s", "the analyst's alternative"),
    ("http_assign_nocommit_rps", "nginx_rps", "at least 0.5x nginx"),
    ("http_assign_nocommit_p99_ms", "nginx_p99_ms", "p99 under 5 ms"),
    ("http_assign_record_rps", "pgbench_insert_tps", "at least 2x pgbench single-row inserts"),
    ("record_vs_pgbench", None, "median of the per-round ratios; target 2x"),
    ("pgbench_insert_simple_tps", None, "pgbench's default simple protocol"),
    ("http_assign_record_p99_ms", None, "latency of durable answers"),
]
print()
print(f"{'figure':30} {'value':>16}  {'reference':30} {'ratio':>7}  target")
print("-" * 110)
for name, reference, target in rows:
    if name not in figures:
        continue
    value, unit = figures[name]
    text = f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    ref_text, ratio = "", ""
    if reference and reference in figures:
        ref_value, ref_unit = figures[reference]
        ref_text = f"{reference} {ref_value:,.0f}" if ref_value >= 100 else f"{reference} {ref_value:.3f}"
        ratio = f"{value / ref_value:.2f}x" if ref_value else ""
    print(f"{name:30} {text:>10} {unit:5}  {ref_text:30} {ratio:>7}  {target}")
PY
