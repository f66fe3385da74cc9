#!/usr/bin/env python3
"""The analyst's alternative to `splitlane readout`: pandas pulls the exposures and
events of Benchmarks/readout.sh's experiment, builds per-unit outcomes in memory, and
SciPy tests them. Prints `result` lines with its wall time and peak memory.

Usage: readout_pandas.py DATABASE_URL AS_OF
"""

import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd
import psycopg2
from scipy import stats

WINDOW = pd.Timedelta(days=14)


def main():
    url, as_of = sys.argv[1], pd.Timestamp(sys.argv[2])
    # pandas warns that plain DBAPI connections are untested; psycopg2's works.
    warnings.simplefilter("ignore", UserWarning)
    start = time.monotonic()
    with psycopg2.connect(url) as connection:
        exposures = pd.read_sql(
            "SELECT unit_id, arm, exposed_at FROM splitlane.exposures "
            "WHERE experiment = 'readout-bench' AND exposed_at < %(as_of)s",
            connection, params={"as_of": as_of})
        events = pd.read_sql(
            "SELECT unit_id, value, occurred_at FROM splitlane.events "
            "WHERE event = 'order' AND occurred_at < %(as_of)s",
            connection, params={"as_of": as_of})

    joined = events.merge(exposures, on="unit_id")
    post = joined[(joined.occurred_at >= joined.exposed_at)
                  & (joined.occurred_at < joined.exposed_at + WINDOW)]
    pre = joined[(joined.occurred_at >= joined.exposed_at - WINDOW)
                 & (joined.occurred_at < joined.exposed_at)]
    per_unit = exposures.set_index("unit_id")
    per_unit["orders"] = post.groupby("unit_id").size().reindex(per_unit.index, fill_value=0)
    per_unit["revenue"] = post.groupby("unit_id").value.sum().reindex(per_unit.index, fill_value=0)
    per_unit["pre"] = pre.groupby("unit_id").size().reindex(per_unit.index, fill_value=0)
    per_unit["converted"] = (per_unit.orders > 0).astype(float)

    control = per_unit[per_unit.arm == "control"]
    treatment = per_unit[per_unit.arm == "treatment"]
    results = {}
    for metric in ["converted", "orders", "revenue"]:
        results[metric] = stats.ttest_ind(treatment[metric], control[metric], equal_var=False).pvalue
    theta = np.cov(per_unit.pre, per_unit.orders)[0, 1] / per_unit.pre.var()
    adjusted = per_unit.orders - theta * (per_unit.pre - per_unit.pre.mean())
    results["orders_cuped"] = stats.ttest_ind(
        adjusted[per_unit.arm == "treatment"], adjusted[per_unit.arm == "control"],
        equal_var=False).pvalue
    elapsed = time.monotonic() - start

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  pandas + SciPy: {elapsed:.1f} s, {peak_mib:.0f} MiB peak; p-values "
          + ", ".join(f"{k} {v:.3g}" for k, v in results.items()), file=sys.stderr)
    print(f"result pandas_readout_s {elapsed:.2f} s")
    print(f"result pandas_peak_rss {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
