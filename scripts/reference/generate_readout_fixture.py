#!/usr/bin/env python3
"""Writes the readout reference fixture: rows with planted effects, and every number
the JSON readout must show, computed with SciPy and statsmodels on the same rows.

Outputs, in Tests/LiveReadoutTests/Fixtures/ (beside experiment.yaml, which defines
the experiment these rows belong to):
- exposures.csv  unit_id,arm,exposed_at,vertical
- events.csv     event_id,unit_id,event,value,occurred_at (the ingest format)
- expected.json  SRM, and per metric and treatment arm: values, lifts, intervals,
                 p-values and Holm-adjusted p-values; overall and per vertical.

The per-unit outcomes follow the readout rules, written here independently of the
engine: an event counts when exposed_at <= occurred_at < exposed_at + window and
occurred_at < as_of; the CUPED covariate counts exposed_at - window <= occurred_at
< exposed_at; an NPS metric is the unit's last score in its window, over responders.

Run from the repository root: python3 scripts/reference/generate_readout_fixture.py
"""

import csv
import json
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (confint_proportions_2indep,
                                          test_proportions_2indep)

FIXTURES = Path("Tests/LiveReadoutTests/Fixtures")
SEED = 20261203
ALPHA = 0.05
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
AS_OF = datetime(2026, 11, 15, tzinfo=timezone.utc)
ARMS = ["apology_call", "credit", "redelivery"]
WEIGHTS = [1, 1, 1]
UNITS = {"apology_call": 700, "credit": 660, "redelivery": 720}
VERTICALS = ["ecommerce", "pharmacy", "grocery", "b2b_office"]
DAY = timedelta(days=1)

# Planted effects per arm.
ORDER_RATE = {"apology_call": 0.55, "credit": 0.85, "redelivery": 0.62}
CHURN = {"apology_call": 0.20, "credit": 0.12, "redelivery": 0.19}
PROMOTER_SHIFT = {"apology_call": 0.0, "credit": 1.2, "redelivery": 0.4}
ESCALATIONS = {"apology_call": 3, "credit": 1, "redelivery": 4}

METRICS = [
    {"key": "winback", "type": "proportion", "event": "order", "window": 14},
    {"key": "orders", "type": "mean", "event": "order", "aggregate": "count",
     "window": 14, "cuped": True},
    {"key": "revenue", "type": "mean", "event": "order", "aggregate": "sum", "window": 14},
    {"key": "churn", "type": "proportion", "event": "churn", "window": 30},
    {"key": "nps_next", "type": "nps", "event": "survey_response", "window": 10},
    {"key": "escalated", "type": "proportion", "event": "escalation", "window": 14},
]


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_rows(rng):
    exposures, events = [], []
    serial = 0

    def event(unit, name, value, moment):
        nonlocal serial
        serial += 1
        events.append((f"ev-{serial:07d}", unit, name, value, moment))

    units = [(arm, index) for arm in ARMS for index in range(UNITS[arm])]
    rng.shuffle(units)
    for number, (arm, _) in enumerate(units):
        unit = f"acct-{number:05d}"
        exposed = START + timedelta(seconds=int(rng.integers(0, 30 * 86400)))
        vertical = VERTICALS[int(rng.choice(4, p=[0.5, 0.2, 0.25, 0.05]))]
        exposures.append((unit, arm, exposed, vertical))

        propensity = rng.gamma(2.0, 0.5)  # shared by pre and post orders: CUPED helps
        for _ in range(rng.poisson(0.8 * propensity)):
            event(unit, "order", round(float(rng.lognormal(3.4, 0.6)), 2),
                  exposed - timedelta(seconds=int(rng.integers(1, 20 * 86400))))
        for _ in range(rng.poisson(ORDER_RATE[arm] * propensity * 20 / 14)):
            event(unit, "order", round(float(rng.lognormal(3.5, 0.6)), 2),
                  exposed + timedelta(seconds=int(rng.integers(0, 20 * 86400))))
        if rng.random() < CHURN[arm]:
            event(unit, "churn", None, exposed + timedelta(seconds=int(rng.integers(0, 40 * 86400))))
        for response in range(int(rng.choice(3, p=[0.55, 0.35, 0.10]))):
            score = int(np.clip(round(rng.normal(6.5 + PROMOTER_SHIFT[arm], 2.6)), 0, 10))
            offset = int(rng.integers(0, 14 * 86400)) + response  # no two at one instant
            event(unit, "survey_response", score, exposed + timedelta(seconds=offset))

    # Rare escalations, for Fisher's exact test.
    by_arm = {arm: [e for e in exposures if e[1] == arm] for arm in ARMS}
    for arm, count in ESCALATIONS.items():
        for index in rng.choice(len(by_arm[arm]), size=count, replace=False):
            unit, _, exposed, _ = by_arm[arm][index]
            event(unit, "escalation", None, exposed + timedelta(hours=int(rng.integers(1, 300))))

    # Edges: an order exactly at exposure counts, one exactly at the window's end does not.
    unit, _, exposed, _ = exposures[0]
    event(unit, "order", 10.0, exposed)
    event(unit, "order", 99.0, exposed + 14 * DAY)
    # A QA override unit, and events of units never exposed: neither is analysed.
    exposures.append(("qa-1", "credit", START + 2 * DAY, "pharmacy"))
    event("qa-1", "order", 500.0, START + 3 * DAY)
    event("ghost-1", "order", 42.0, START + 5 * DAY)
    return exposures, events


def outcomes(exposures, events):
    """Per unit and metric: the outcome and, for CUPED, the covariate."""
    by_unit = {}
    for event_id, unit, name, value, moment in events:
        by_unit.setdefault(unit, []).append((name, value, moment))
    table = {}
    for unit, arm, exposed, vertical in exposures:
        if unit == "qa-1":
            continue
        row = {"arm": arm, "vertical": vertical}
        for metric in METRICS:
            window = metric["window"] * DAY
            post = [(v, t) for n, v, t in by_unit.get(unit, [])
                    if n == metric["event"] and exposed <= t < exposed + window and t < AS_OF]
            pre = [(v, t) for n, v, t in by_unit.get(unit, [])
                   if n == metric["event"] and exposed - window <= t < exposed]
            if metric["type"] == "proportion":
                row[metric["key"]] = float(len(post) > 0)
            elif metric["type"] == "nps":
                row[metric["key"]] = max(post, key=lambda p: p[1])[0] if post else None
            elif metric.get("aggregate") == "sum":
                row[metric["key"]] = float(sum(v for v, _ in post))
            else:
                row[metric["key"]] = float(len(post))
                row[metric["key"] + ":pre"] = float(len(pre))
        table[unit] = row
    return table


def normal_interval(estimate, variance):
    half = stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(variance)
    return [estimate - half, estimate + half]


def relative(mean_t, var_t, mean_c, var_c):
    """Relative lift and its delta-method interval (variances of the means)."""
    if mean_c == 0:
        return None, None
    ratio = mean_t / mean_c - 1
    variance = var_t / mean_c**2 + mean_t**2 * var_c / mean_c**4
    return ratio, normal_interval(ratio, variance)


def compare(metric, control_rows, treatment_rows):
    key = metric["key"]
    y_c = np.array([r[key] for r in control_rows if r[key] is not None], dtype=float)
    y_t = np.array([r[key] for r in treatment_rows if r[key] is not None], dtype=float)

    if metric["type"] == "proportion":
        n_c, n_t, s_c, s_t = len(y_c), len(y_t), int(y_c.sum()), int(y_t.sum())
        p_c, p_t = s_c / n_c, s_t / n_t
        test = test_proportions_2indep(s_t, n_t, s_c, n_c, method="wald", compare="diff")
        low, high = confint_proportions_2indep(s_t, n_t, s_c, n_c, method="wald",
                                               compare="diff", alpha=ALPHA)
        p_value, kind = float(test.pvalue), "z"
        if min(s_c, n_c - s_c, s_t, n_t - s_t) < 5:
            p_value = float(stats.fisher_exact([[s_c, n_c - s_c], [s_t, n_t - s_t]])[1])
            kind = "fisher"
        rel, rel_ci = relative(p_t, p_t * (1 - p_t) / n_t, p_c, p_c * (1 - p_c) / n_c)
        return dict(units=n_t, control_units=n_c, value=p_t, control_value=p_c,
                    absolute_lift=p_t - p_c, absolute_ci=[low, high], relative_lift=rel,
                    relative_ci=rel_ci, p_value=p_value, test=kind)

    if metric["type"] == "nps":
        def shares(y):
            return np.mean(y >= 9), np.mean(y <= 6)
        (pr_c, de_c), (pr_t, de_t) = shares(y_c), shares(y_t)
        var_c = (pr_c + de_c - (pr_c - de_c) ** 2) / len(y_c)
        var_t = (pr_t + de_t - (pr_t - de_t) ** 2) / len(y_t)
        nps_c, nps_t = pr_c - de_c, pr_t - de_t
        diff = nps_t - nps_c
        z = diff / np.sqrt(var_c + var_t)
        rel, rel_ci = relative(nps_t, var_t, nps_c, var_c)
        return dict(units=len(y_t), control_units=len(y_c), value=100 * nps_t,
                    control_value=100 * nps_c, absolute_lift=100 * diff,
                    absolute_ci=[100 * v for v in normal_interval(diff, var_c + var_t)],
                    relative_lift=rel, relative_ci=rel_ci,
                    p_value=float(2 * stats.norm.sf(abs(z))), test="nps")

    kind = "welch"
    if metric.get("cuped"):
        x_c = np.array([r[key + ":pre"] for r in control_rows])
        x_t = np.array([r[key + ":pre"] for r in treatment_rows])
        x_all, y_all = np.concatenate([x_c, x_t]), np.concatenate([y_c, y_t])
        theta = np.cov(x_all, y_all, ddof=1)[0, 1] / np.var(x_all, ddof=1)
        y_c = y_c - theta * (x_c - x_all.mean())
        y_t = y_t - theta * (x_t - x_all.mean())
        kind = "cuped"
    result = stats.ttest_ind(y_t, y_c, equal_var=False)
    interval = result.confidence_interval(1 - ALPHA)
    var_c, var_t = y_c.var(ddof=1) / len(y_c), y_t.var(ddof=1) / len(y_t)
    rel, rel_ci = relative(y_t.mean(), var_t, y_c.mean(), var_c)
    return dict(units=len(y_t), control_units=len(y_c), value=y_t.mean(),
                control_value=y_c.mean(), absolute_lift=y_t.mean() - y_c.mean(),
                absolute_ci=[interval.low, interval.high], relative_lift=rel,
                relative_ci=rel_ci, p_value=float(result.pvalue), test=kind)


def analyse(rows):
    by_arm = {arm: [r for r in rows if r["arm"] == arm] for arm in ARMS}
    results = []
    for metric in METRICS:
        for arm in ARMS[1:]:
            result = compare(metric, by_arm[ARMS[0]], by_arm[arm])
            results.append({"metric": metric["key"], "arm": arm, **result})
    adjusted = multipletests([r["p_value"] for r in results], method="holm")[1]
    for result, value in zip(results, adjusted):
        result["adjusted_p_value"] = float(value)
    units = [len(by_arm[arm]) for arm in ARMS]
    expected = [sum(units) * w / sum(WEIGHTS) for w in WEIGHTS]
    chi2, p_value = stats.chisquare(units, expected)
    return {"units": dict(zip(ARMS, units)),
            "srm": {"chi2": float(chi2), "p_value": float(p_value)},
            "results": results}


def plain(value):
    """JSON-ready values; NaN and infinities (degenerate segment cells) become null."""
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def main():
    # Degenerate segment cells (no escalation at all) divide by zero in statsmodels;
    # their NaNs are written as null and the Swift test expects a degenerate flag.
    warnings.simplefilter("ignore", RuntimeWarning)
    rng = np.random.default_rng(SEED)
    exposures, events = make_rows(rng)
    table = outcomes(exposures, events)
    rows = list(table.values())

    with open(FIXTURES / "exposures.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["unit_id", "arm", "exposed_at", "vertical"])
        for unit, arm, exposed, vertical in exposures:
            writer.writerow([unit, arm, stamp(exposed), vertical])
    with open(FIXTURES / "events.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["event_id", "unit_id", "event", "value", "occurred_at"])
        for event_id, unit, name, value, moment in events:
            writer.writerow([event_id, unit, name, "" if value is None else value, stamp(moment)])

    expected = {"generator": "scripts/reference/generate_readout_fixture.py",
                "seed": SEED, "as_of": stamp(AS_OF), "alpha": ALPHA,
                "overall": analyse(rows),
                "segments": {v: analyse([r for r in rows if r["vertical"] == v])
                             for v in VERTICALS}}
    (FIXTURES / "expected.json").write_text(json.dumps(plain(expected), indent=1) + "\n")
    print(f"{len(exposures)} exposures, {len(events)} events; overall:")
    for result in expected["overall"]["results"]:
        print(f"  {result['metric']:10} {result['arm']:11} lift {result['absolute_lift']:+.4f} "
              f"p {result['p_value']:.4g} adj {result['adjusted_p_value']:.4g} {result['test']}")


if __name__ == "__main__":
    main()
