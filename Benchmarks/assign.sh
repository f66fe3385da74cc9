#!/usr/bin/env bash
# Assignment throughput: splitlane in process and through the CSV command, beside a
# plain C loop over OpenSSL's SHA-256 on the same ids (the physical floor) and
# GrowthBook's Python SDK.
#
# Usage: Benchmarks/assign.sh [COUNT]   (default 2,000,000)
# Prints a human summary on stderr and `result NAME VALUE UNIT` lines on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000000}

swift build -c release --product splitlane --product splitlane-bench >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/splitlane-assign-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/sha256_floor" Benchmarks/sha256_floor.c -lcrypto
read -r floor _ < <("$work/sha256_floor" "$count")
read -r engine _ < <("$bin/splitlane-bench" assign "$count")

python3 - "$count" "$work/units.csv" <<'PY'
import sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("unit_id,vertical,lane\n")
    lanes = ["urban", "suburban", "rural"]
    for i in range(count):
        f.write(f"delivery-{i:08d},ecommerce,{lanes[i % 3]}\n")
PY
start=$(python3 -c "import time; print(time.monotonic())")
"$bin/splitlane" assign survey-channel-2026 --input "$work/units.csv" >"$work/arms.csv"
csv_s=$(python3 -c "import time; print(time.monotonic() - $start)")
csv=$(python3 -c "print(round($count / $csv_s))")

growthbook=""
if python3 -c "import growthbook" 2>/dev/null || pip install -q growthbook >/dev/null 2>&1; then
    growthbook=$(python3 Benchmarks/growthbook_assign.py 200000)
fi

{
    echo "assign: $count ids"
    echo "  C loop over OpenSSL SHA-256   $floor ids/s"
    echo "  splitlane in process          $engine ids/s"
    echo "  splitlane assign CSV command  $csv units/s"
    [ -n "$growthbook" ] && echo "  GrowthBook Python SDK         $growthbook ids/s"
} >&2
echo "result sha256_floor_per_s $floor ids/s"
echo "result assign_in_process_per_s $engine ids/s"
echo "result assign_csv_per_s $csv units/s"
[ -n "$growthbook" ] && echo "result growthbook_per_s $growthbook ids/s"
exit 0
