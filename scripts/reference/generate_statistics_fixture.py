#!/usr/bin/env python3
"""Write the reference fixture for SplitlaneStatisticsTests.

Every expected value comes from SciPy or statsmodels where they implement the test
(z-test and Wald interval: statsmodels `test_proportions_2indep` and
`confint_proportions_2indep` with method="wald"; Fisher: `scipy.stats.fisher_exact`;
Welch: `scipy.stats.ttest_ind` / `ttest_ind_from_stats`; corrections: statsmodels
`multipletests`; SRM: `scipy.stats.chisquare`). Where no library implements the exact
quantity -- the delta-method interval on the relative lift, the NPS variance, the
closed-form sample size -- the formula is written out here from SciPy primitives, and
the sample size is cross-checked against statsmodels `NormalIndPower`.

Run from the repository root:
    python3 scripts/reference/generate_statistics_fixture.py
It needs numpy, scipy and statsmodels; the Swift tests only read the JSON it writes.
"""

import json
import math
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    test_proportions_2indep,
)
from statsmodels.stats.weightstats import DescrStatsW

OUTPUT = Path("Tests/SplitlaneStatisticsTests/Fixtures/statistics_reference.json")
SEED = 20261203

# statsmodels warns about the odds ratio of an all-zero arm, which is not used here.
warnings.simplefilter("ignore", RuntimeWarning)


def finite(value):
    """A float for JSON, or None for NaN and infinities (the Swift side's nil)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def relative_lift(mc, mt, var_c, var_t, alpha):
    """r = mt/mc - 1 with var(r) ~ var_t/mc^2 + mt^2 var_c/mc^4 (delta method)."""
    if mc == 0:
        return None, None, None
    lift = mt / mc - 1
    variance = var_t / mc**2 + mt**2 * var_c / mc**4
    if not variance > 0:
        return lift, None, None
    half = stats.norm.ppf(1 - alpha / 2) * math.sqrt(variance)
    return lift, lift - half, lift + half


def comparison(test, mc, mt, lift, lo, hi, rel, p, statistic, df, flags, **extra):
    """One expected comparison in the fixture's layout."""
    result = {
        "test": test,
        "control_value": finite(mc),
        "treatment_value": finite(mt),
        "absolute_lift": finite(lift),
        "ci_lower": finite(lo),
        "ci_upper": finite(hi),
        "relative_lift": finite(rel[0]),
        "relative_ci_lower": finite(rel[1]),
        "relative_ci_upper": finite(rel[2]),
        "p_value": finite(p),
        "statistic": finite(statistic),
        "degrees_of_freedom": finite(df),
        "flags": sorted(flags),
    }
    result.update({key: finite(value) for key, value in extra.items()})
    return result


# Proportions ---------------------------------------------------------------------


def proportion_case(name, nc, sc, nt, st, alpha=0.05):
    flags = set()
    if nc == 0 or nt == 0:
        expected = comparison(
            "z", sc / nc if nc else None, st / nt if nt else None, None, None, None,
            (None, None, None), None, None, None, {"degenerate", "relative_lift_undefined"})
        return {"name": name, "control": [nc, sc], "treatment": [nt, st], "alpha": alpha,
                "expected": expected}
    pc, pt = sc / nc, st / nt
    var_c, var_t = pc * (1 - pc) / nc, pt * (1 - pt) / nt
    test, p, statistic, lo, hi = "z", None, None, None, None
    if var_c + var_t > 0:
        # statsmodels compares sample 1 - sample 2: treatment first.
        res = test_proportions_2indep(
            st, nt, sc, nc, method="wald", compare="diff", correction=False)
        statistic, p = res.statistic, res.pvalue
        lo, hi = confint_proportions_2indep(
            st, nt, sc, nc, method="wald", compare="diff", alpha=alpha)
    else:
        flags.add("degenerate")
    cells = [sc, nc - sc, st, nt - st]
    if min(cells) < 5:
        test = "fisher"
        flags.add("small_sample")
        p = stats.fisher_exact([[cells[0], cells[1]], [cells[2], cells[3]]]).pvalue
    rel = relative_lift(pc, pt, var_c, var_t, alpha)
    if rel[0] is None:
        flags.add("relative_lift_undefined")
    expected = comparison(test, pc, pt, pt - pc, lo, hi, rel, p, statistic, None, flags)
    return {"name": name, "control": [nc, sc], "treatment": [nt, st], "alpha": alpha,
            "expected": expected}


PROPORTIONS = [
    proportion_case("typical", 1000, 120, 1000, 153),
    proportion_case("unbalanced", 4000, 480, 220, 35),
    proportion_case("huge_n", 10_000_000, 1_200_000, 10_000_000, 1_203_500),
    proportion_case("tiny", 7, 3, 8, 5),
    proportion_case("fisher_small", 10, 2, 10, 8),
    proportion_case("fisher_rare", 2000, 1, 2000, 9),
    proportion_case("fisher_tie", 5, 3, 5, 2),
    proportion_case("all_zero", 50, 0, 60, 0),
    proportion_case("all_one", 40, 40, 50, 50),
    proportion_case("zero_versus_one", 20, 0, 20, 20),
    proportion_case("control_zero", 100, 0, 100, 4),
    proportion_case("empty_control", 0, 0, 10, 5),
    proportion_case("alpha_001", 1000, 200, 1000, 240, alpha=0.01),
    proportion_case("null_effect", 5000, 900, 5000, 900),
]


def fisher_tables():
    rng = np.random.default_rng(SEED)
    tables = [[0, 0, 0, 0], [0, 5, 0, 7], [1, 0, 0, 1], [8, 2, 1, 5], [3, 2, 2, 3],
              [3, 5000, 15, 4990], [0, 300, 4, 296], [12, 0, 0, 12], [2, 7, 7, 2]]
    while len(tables) < 40:
        tables.append([int(v) for v in rng.integers(0, 13, size=4)])
    return [{"table": t, "p_value": float(stats.fisher_exact([[t[0], t[1]], [t[2], t[3]]]).pvalue)}
            for t in tables]


# Means, CUPED --------------------------------------------------------------------


def sums(values, covariate=None):
    entry = {"units": len(values), "sum": math.fsum(values),
             "sum_of_squares": math.fsum(v * v for v in values)}
    if covariate is not None:
        entry["covariate"] = {
            "sum": math.fsum(covariate),
            "sum_of_squares": math.fsum(x * x for x in covariate),
            "sum_of_products": math.fsum(x * y for x, y in zip(covariate, values)),
        }
    return entry


def welch_expected(yc, yt, alpha, test="welch", varc=None, vart=None, extra_flags=(), **extra):
    """Welch from raw data through scipy.stats.ttest_ind(equal_var=False)."""
    nc, nt = len(yc), len(yt)
    flags = set(extra_flags)
    mc = float(np.mean(yc)) if nc else None
    mt = float(np.mean(yt)) if nt else None
    if nc < 2 or nt < 2:
        flags.add("degenerate")
        rel = (mt / mc - 1, None, None) if mc not in (None, 0) and mt is not None else (
            None, None, None)
        if rel[0] is None:
            flags.add("relative_lift_undefined")
        lift = mt - mc if mc is not None and mt is not None else None
        return comparison(test, mc, mt, lift, None, None, rel, None, None, None, flags, **extra)
    vc = float(np.var(yc, ddof=1)) if varc is None else varc
    vt = float(np.var(yt, ddof=1)) if vart is None else vart
    p = statistic = df = lo = hi = None
    if vc + vt > 0:
        res = stats.ttest_ind(yt, yc, equal_var=False)
        p, statistic, df = res.pvalue, res.statistic, res.df
        ci = res.confidence_interval(1 - alpha)
        lo, hi = ci.low, ci.high
    else:
        flags.add("degenerate")
    rel = relative_lift(mc, mt, vc / nc, vt / nt, alpha)
    if rel[0] is None:
        flags.add("relative_lift_undefined")
    return comparison(test, mc, mt, mt - mc, lo, hi, rel, p, statistic, df, flags, **extra)


def mean_case(name, yc, yt, alpha=0.05):
    yc, yt = [float(v) for v in yc], [float(v) for v in yt]
    return {"name": name, "control": sums(yc), "treatment": sums(yt), "alpha": alpha,
            "expected": welch_expected(np.array(yc), np.array(yt), alpha)}


def mean_case_from_sums(name, control, treatment, alpha=0.05):
    """Welch from sums through scipy.stats.ttest_ind_from_stats (exact moments)."""
    moments = []
    for n, s, ss in (control, treatment):
        mean = Fraction(s) / n
        var = (Fraction(ss) - Fraction(s) ** 2 / n) / (n - 1)
        moments.append((float(mean), float(var), n))
    (mc, vc, nc), (mt, vt, nt) = moments
    res = stats.ttest_ind_from_stats(mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc,
                                     equal_var=False)
    a, b = vt / nt, vc / nc
    df = (a + b) ** 2 / (a * a / (nt - 1) + b * b / (nc - 1))
    half = stats.t.ppf(1 - alpha / 2, df) * math.sqrt(a + b)
    rel = relative_lift(mc, mt, b, a, alpha)
    expected = comparison("welch", mc, mt, mt - mc, mt - mc - half, mt - mc + half, rel,
                          res.pvalue, res.statistic, df, set())
    return {"name": name,
            "control": {"units": control[0], "sum": control[1], "sum_of_squares": control[2]},
            "treatment": {"units": treatment[0], "sum": treatment[1],
                          "sum_of_squares": treatment[2]},
            "alpha": alpha, "expected": expected}


def means_cases():
    rng = np.random.default_rng(SEED + 1)
    n_huge_c, n_huge_t = 5_000_000, 5_100_000
    return [
        mean_case("typical", rng.normal(10, 3, 500), rng.normal(10.4, 3, 480)),
        mean_case("unbalanced_skewed", rng.exponential(20, 30), rng.exponential(25, 2000)),
        mean_case("tiny", [1.5, 4.0], [2.0, 7.5, 3.0]),
        mean_case("zero_variance_control", [5.0] * 10, rng.normal(5.5, 1, 12)),
        mean_case("zero_variance_both", [2.0] * 5, [3.0] * 6),
        mean_case("all_zero", [0.0] * 40, [0.0] * 40),
        mean_case("single_unit", [4.0], rng.normal(4, 1, 10)),
        mean_case("empty_control", [], rng.normal(4, 1, 10)),
        mean_case("control_mean_zero", [-1.0, 1.0, -2.0, 2.0, -0.5, 0.5], rng.normal(0.3, 1, 9)),
        mean_case("counts", rng.poisson(1.2, 300), rng.poisson(1.35, 310)),
        mean_case("alpha_010", rng.normal(100, 40, 200), rng.normal(108, 35, 190), alpha=0.10),
        mean_case_from_sums(
            "huge_n",
            (n_huge_c, 42.0 * n_huge_c, (n_huge_c - 1) * 17.0**2 + n_huge_c * 42.0**2),
            (n_huge_t, 42.05 * n_huge_t, (n_huge_t - 1) * 17.2**2 + n_huge_t * 42.05**2)),
    ]


def cuped_case(name, xc, yc, xt, yt, alpha=0.05):
    xc, yc, xt, yt = (np.asarray(v, dtype=float) for v in (xc, yc, xt, yt))
    x = np.concatenate([xc, xt])
    y = np.concatenate([yc, yt])
    entry = {"name": name, "control": sums(list(yc), list(xc)),
             "treatment": sums(list(yt), list(xt)), "alpha": alpha}
    var_x = np.var(x, ddof=1)
    if var_x == 0:
        entry["expected"] = welch_expected(yc, yt, alpha, extra_flags={"cuped_unavailable"})
        return entry
    theta = np.cov(x, y, ddof=1)[0, 1] / var_x
    adj_c = yc - theta * (xc - x.mean())
    adj_t = yt - theta * (xt - x.mean())
    raw = np.var(yc, ddof=1) / len(yc) + np.var(yt, ddof=1) / len(yt)
    adjusted = np.var(adj_c, ddof=1) / len(yc) + np.var(adj_t, ddof=1) / len(yt)
    entry["expected"] = welch_expected(
        adj_c, adj_t, alpha, test="cuped", theta=theta,
        variance_reduction=1 - adjusted / raw)
    return entry


def cuped_cases():
    rng = np.random.default_rng(SEED + 2)

    def linear(n, effect, slope=0.8, noise=4.0):
        x = rng.normal(30, 8, n)
        return x, 5 + slope * x + rng.normal(effect, noise, n)

    xc, yc = linear(800, 0.0)
    xt, yt = linear(820, 0.9)
    xc2, yc2 = linear(50, 0.0, slope=0.3, noise=10)
    xt2, yt2 = linear(1500, 2.0, slope=0.3, noise=10)
    pc = rng.poisson(2.0, 400)
    pt = rng.poisson(2.0, 390)
    return [
        cuped_case("typical", xc, yc, xt, yt),
        cuped_case("unbalanced_weak", xc2, yc2, xt2, yt2),
        cuped_case("counts", pc, pc + rng.poisson(1.0, 400), pt, pt + rng.poisson(1.15, 390)),
        cuped_case("constant_covariate", [0.0] * 30, rng.normal(3, 1, 30),
                   [0.0] * 35, rng.normal(3.2, 1, 35)),
    ]


# NPS -----------------------------------------------------------------------------


def nps_case(name, control, treatment, alpha=0.05):
    entry = {"name": name, "control": list(control), "treatment": list(treatment),
             "alpha": alpha}
    scored = []
    for n, promoters, detractors in (control, treatment):
        if n == 0:
            scored.append(None)
            continue
        # NPS is the mean of +1 / 0 / -1 scores; its variance is the weighted
        # population variance of those scores over n.
        d = DescrStatsW([1.0, 0.0, -1.0],
                        weights=[promoters, n - promoters - detractors, detractors])
        scored.append((d.mean, d.var / n))
    if scored[0] is None or scored[1] is None:
        values = [None if s is None else s[0] * 100 for s in scored]
        entry["expected"] = comparison("nps", values[0], values[1], None, None, None,
                                       (None, None, None), None, None, None,
                                       {"degenerate", "relative_lift_undefined"})
        return entry
    (sc, vc), (st, vt) = scored
    flags = set()
    se = math.sqrt(vc + vt)
    p = statistic = lo = hi = None
    if se > 0:
        statistic = (st - sc) / se
        p = 2 * stats.norm.sf(abs(statistic))
        half = stats.norm.ppf(1 - alpha / 2) * se * 100
        lo, hi = (st - sc) * 100 - half, (st - sc) * 100 + half
    else:
        flags.add("degenerate")
    rel = relative_lift(sc, st, vc, vt, alpha)
    if rel[0] is None:
        flags.add("relative_lift_undefined")
    entry["expected"] = comparison("nps", sc * 100, st * 100, (st - sc) * 100, lo, hi, rel, p,
                                   statistic, None, flags)
    return entry


NPS = [
    nps_case("typical", (1000, 420, 310), (980, 455, 280)),
    nps_case("tiny", (5, 2, 1), (6, 3, 2)),
    nps_case("all_promoters", (20, 20, 0), (25, 25, 0)),
    nps_case("empty_control", (0, 0, 0), (10, 5, 2)),
    nps_case("control_zero", (100, 30, 30), (100, 40, 25)),
    nps_case("huge_n", (2_000_000, 800_000, 500_000), (2_000_000, 803_000, 499_000)),
    nps_case("negative", (500, 100, 250), (520, 130, 240)),
    nps_case("alpha_001", (800, 300, 250), (790, 340, 220), alpha=0.01),
]


# Corrections, SRM, power -----------------------------------------------------------


def corrections():
    lists = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.2, 0.01, 0.6, 0.04, 0.04],
        [0.5],
        [0.9, 0.95, 0.99],
        [1e-8, 0.049, 0.051, 0.3, 0.001, 0.02, 0.7, 0.0],
        [0.03, 0.03, 0.03],
    ]
    out = []
    for p_values in lists:
        for method, name in (("holm", "holm"), ("bonferroni", "bonferroni"), ("fdr_bh", "bh")):
            adjusted = multipletests(p_values, alpha=0.05, method=method)[1]
            out.append({"method": name, "p_values": p_values,
                        "adjusted": [float(v) for v in adjusted]})
    return out


def srm_case(observed, weights):
    total = sum(observed)
    expected = [total * w / sum(weights) for w in weights]
    res = stats.chisquare(observed, f_exp=expected)
    return {"observed": observed, "weights": weights, "chi_squared": float(res.statistic),
            "p_value": float(res.pvalue), "mismatch": bool(res.pvalue < 0.001)}


SRM = [
    srm_case([1204, 1190, 1221, 1187], [1, 1, 1, 1]),
    srm_case([5000, 5200], [1, 1]),
    srm_case([5000, 5400], [1, 1]),
    srm_case([2980, 1020], [3, 1]),
    srm_case([900, 1050, 2100], [1, 1, 2]),
    srm_case([500_000, 502_000], [1, 1]),
    srm_case([10_000, 12_000, 10_000], [1, 1, 1]),
    srm_case([3, 9], [1, 1]),
]


def power_case(kind, alpha, power, arms, **params):
    z = stats.norm.ppf(1 - alpha / (arms - 1) / 2) + stats.norm.ppf(power)
    if kind == "proportion":
        p1 = params["baseline"]
        p2 = p1 + params["absolute"] if "absolute" in params else p1 * (1 + params["relative"])
        variance = p1 * (1 - p1) + p2 * (1 - p2)
        delta = p2 - p1
    else:
        variance = 2 * params["standard_deviation"] ** 2
        delta = params["delta"]
    exact = z * z * variance / delta**2
    # Cross-check: statsmodels solves the two-sided power equation (far tail included)
    # numerically, so it agrees with the closed form to a fraction of a unit.
    effect = abs(delta) / math.sqrt(variance / 2)
    solved = NormalIndPower().solve_power(effect_size=effect, alpha=alpha / (arms - 1),
                                          power=power, ratio=1.0, alternative="two-sided")
    assert abs(solved - exact) < 0.5, (solved, exact)
    case = {"kind": kind, "alpha": alpha, "power": power, "arms": arms,
            "exact_units_per_arm": exact, "units_per_arm": math.ceil(exact),
            "statsmodels_units_per_arm": float(solved)}
    case.update(params)
    return case


POWER = [
    power_case("proportion", 0.05, 0.8, 2, baseline=0.12, absolute=0.02),
    power_case("proportion", 0.05, 0.9, 4, baseline=0.12, relative=0.10),
    power_case("proportion", 0.01, 0.8, 2, baseline=0.5, absolute=-0.03),
    power_case("proportion", 0.05, 0.8, 3, baseline=0.02, relative=0.25),
    power_case("mean", 0.05, 0.8, 2, standard_deviation=17.0, delta=1.5),
    power_case("mean", 0.05, 0.9, 3, standard_deviation=1.2, delta=0.1),
    power_case("mean", 0.10, 0.8, 5, standard_deviation=40.0, delta=-6.0),
]


# Distributions ---------------------------------------------------------------------


def distributions():
    cases = []

    def add(function, args, value):
        cases.append({"function": function, "args": list(args), "expected": float(value)})

    for x in (-8.0, -1.96, -0.3, 0.0, 1.0, 2.5, 6.0):
        add("normal_cdf", [x], stats.norm.cdf(x))
        add("normal_sf", [x], stats.norm.sf(x))
    for p in (1e-10, 0.001, 0.025, 0.5, 0.8, 0.975, 0.9995):
        add("normal_quantile", [p], stats.norm.ppf(p))
    for t, df in ((-2.1, 3.7), (0.4, 17.25), (1.96, 1e6), (3.3, 1.5), (-0.7, 120.0)):
        add("t_cdf", [t, df], stats.t.cdf(t, df))
        add("t_sf", [t, df], stats.t.sf(t, df))
    for p, df in ((0.975, 3.7), (0.995, 17.25), (0.025, 58.4), (0.9, 1e6)):
        add("t_quantile", [p, df], stats.t.ppf(p, df))
    for x, df in ((1.9, 3.0), (12.0, 1.0), (0.2, 2.5), (40.0, 10.0)):
        add("chi2_sf", [x, df], stats.chi2.sf(x, df))
    for p, df in ((0.95, 1.0), (0.999, 3.0), (0.5, 7.5)):
        add("chi2_quantile", [p, df], stats.chi2.ppf(p, df))
    for p, a, b in ((0.025, 3.0, 10.0), (0.975, 0.5, 0.5), (0.5, 120.0, 880.0)):
        add("beta_quantile", [p, a, b], stats.beta.ppf(p, a, b))
    for x in (0.5, 1.0, 10.0, 1234.5, 1e7):
        add("log_gamma", [x], special.gammaln(x))
    for k, successes, draws, population in ((3, 10, 12, 40), (0, 5, 5, 100), (9, 2010, 10, 4000)):
        add("hypergeometric_pmf", [k, successes, draws, population],
            stats.hypergeom.pmf(k, population, successes, draws))
        add("hypergeometric_cdf", [k, successes, draws, population],
            stats.hypergeom.cdf(k, population, successes, draws))
        add("hypergeometric_sf", [k, successes, draws, population],
            stats.hypergeom.sf(k, population, successes, draws))
    return cases


def main():
    fixture = {
        "generator": "scripts/reference/generate_statistics_fixture.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__},
        "seed": SEED,
        "distributions": distributions(),
        "proportions": PROPORTIONS,
        "fisher": fisher_tables(),
        "means": means_cases(),
        "cuped": cuped_cases(),
        "nps": NPS,
        "corrections": corrections(),
        "srm": SRM,
        "power": POWER,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
