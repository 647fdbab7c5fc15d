"""Benchmark: do the intervals keep the error rates they promise? A calibration by simulation.

Each design is simulated ``--runs`` times (default 20,000; pooling 10,000 per number of studies
and spread) with no real effect, and analysed by exactly what the pages use:

* individual: a two-arm trial of 60 units an arm with unequal spreads (sd 1 and 1.5), through
  ``trials.analysis.analyse_outcome`` (Welch);
* cluster, equal sizes: 6 clusters of 25 an arm, intra-cluster correlation 0.1;
* cluster, unequal sizes: 8 clusters an arm, sizes 2 + negative binomial (mean 25, coefficient
  of variation 0.78), ICC 0.1; both through ``analyse_outcome`` (CR2 with Imbens-Kolesar
  degrees of freedom);
* interrupted time series: 8 periods before and 8 after (the shortest the pages accept), a trend
  and first-order autoregressive errors with autocorrelation 0, 0.3 and 0.6, through
  ``stats.ar1_posterior`` (what ``trials.quasi.interrupted_time_series`` calls, for all runs at
  once; the first runs also go through the page's own path, which must agree);
* difference-in-differences: two groups over 5 periods before and 5 after (the shortest
  accepted), common trend and shocks, each group's own AR(1) noise (0, 0.3, 0.6), through
  ``stats.ar1_posterior`` on the gap (as ``trials.quasi.difference_in_differences``);
* pooling: 2, 3, 5 and 10 randomised trials (60 to 600 units an arm, standard errors estimated
  with their own sampling error) whose true effects differ between councils (tau^2 = 0.05, a
  lot of heterogeneity, and tau^2 = 0), pooled by ``stats.random_effects`` with REML and the
  HKSJ interval, as the initiative page does.

Printed for each: the false "worked" rate (the verdict "met" against a criterion of zero, the
easiest to meet by chance; nominal 2.5% for a one-sided claim), the two-sided rejection rate
(nominal 5%), each with its Monte Carlo standard error; for pooling, the coverage of the 95%
interval; and with a real effect, the achieved power (a clear difference in the right
direction) and chance of "met" against what the power page claims (``stats.
cluster_standard_error`` and ``stats.power_against_criterion``, as ``trials/power.py`` uses
them; for individual means R's ``power.t.test`` via ``stats.power_two_means``).

The methods the pages used before are simulated on the same kind of data for comparison
(CR1 on G - 1 df; Newey-West on a fixed lag with t on n - k; DerSimonian-Laird with a normal
interval), marked "replaced" and held to no target.

Targets (ISSUE 11): false "worked" at most 2.5% + 2 Monte Carlo SE for every design; two-sided
rejection at most 5% + 2 SE, except time series with autocorrelation 0.6, which may reach 7%
(the series pages say so); pooled coverage at least 93% for 2 to 10 results; achieved power
within 3 points of the claim. stdout carries one JSON object per line (DESIGN.md
"Benchmarks"): ``reference`` is the nominal rate or the claim, ``ratio`` the value over it, ``n``
the runs. A table goes to stderr. Exit 0, or 1 with ``--check`` when a target is missed.

About 6 minutes on one core at the default runs (3.5 minutes of CPU); ``--runs 40`` is a
smoke run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.random import PCG64, Generator

# Run as a script, Python puts bench/ first on the path, where bench/http.py would shadow the
# standard library's http (which statsmodels imports); put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from scipy.optimize import brentq  # noqa: E402

from whatworks import stats  # noqa: E402
from whatworks.trials import analysis, quasi  # noqa: E402

ALPHA = 0.05
ONE_SIDED = ALPHA / 2
LABELS = ["control", "treatment"]
TIME_SERIES_ALLOWANCE = 0.07  # two-sided, at autocorrelation 0.6, said on the series pages
COVERAGE_TARGET = 0.93
POWER_TOLERANCE = 0.03


@dataclass
class Line:
    metric: str
    value: float
    unit: str
    reference: str
    ratio: float | None
    n: int
    target: str = ""
    ok: bool | None = None


def rate_se(p: float, runs: int) -> float:
    """Monte Carlo standard error of a rate whose true value is ``p``."""
    return math.sqrt(p * (1.0 - p) / runs)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def individual_trial(
    rng: Generator, effect: float = 0.0, n: int = 60, sd_t: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    arm = np.repeat([0, 1], n)
    y = rng.normal(0.0, np.where(arm == 1, sd_t, 1.0)) + effect * arm
    return arm, y


def cluster_sizes_unequal(rng: Generator, clusters: int) -> np.ndarray:
    """2 + negative binomial with mean 23 and dispersion 1.5: mean 25, CV 0.78."""
    return 2 + rng.negative_binomial(1.5, 1.5 / (1.5 + 23.0), clusters)


UNEQUAL_CV = math.sqrt(23.0 + 23.0**2 / 1.5) / 25.0


def cluster_trial(
    rng: Generator, sizes: np.ndarray, effect: float = 0.0, icc: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clusters randomised half and half; unit outcome = cluster effect + unit noise (total
    variance 1, so ``icc`` of it between clusters) + ``effect`` in the treatment arm."""
    g = sizes.size
    arm_of = rng.permutation(np.repeat([0, 1], g // 2))
    clusters = np.repeat(np.arange(g), sizes)
    arm = arm_of[clusters]
    y = (
        rng.normal(0.0, math.sqrt(icc), g)[clusters]
        + rng.normal(0.0, math.sqrt(1.0 - icc), clusters.size)
        + effect * arm
    )
    return arm, y, clusters


def ar1_noise(rng: Generator, n: int, rho: float, runs: int) -> np.ndarray:
    """(n, runs) stationary AR(1) series with unit innovations."""
    e = rng.normal(size=(n, runs))
    u = np.empty((n, runs))
    u[0] = e[0] / math.sqrt(1.0 - rho**2)
    for t in range(1, n):
        u[t] = rho * u[t - 1] + e[t]
    return u


def its_series(rng: Generator, rho: float, runs: int, before: int, after: int) -> np.ndarray:
    t = np.arange(before + after, dtype=float)[:, None]
    return 10.0 + 0.2 * t + ar1_noise(rng, before + after, rho, runs)


def did_gaps(
    rng: Generator, rho: float, runs: int, before: int, after: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(treated, comparison, gap) series: common trend and shocks, each group's own AR(1)."""
    n = before + after
    t = np.arange(n, dtype=float)[:, None]
    common = 0.3 * t + rng.normal(0.0, 1.0, (n, runs))
    treated = 30.0 + common + ar1_noise(rng, n, rho, runs)
    comparison = 25.0 + common + ar1_noise(rng, n, rho, runs)
    return treated, comparison, treated - comparison


def meta_studies(
    rng: Generator, k: int, tau2: float, mean: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """k trials' estimates and *estimated* variances (2 n - 2 df each)."""
    n = rng.integers(60, 601, k)
    true_se = np.sqrt(2.0 / n)
    theta = mean + rng.normal(0.0, math.sqrt(tau2), k)
    estimate = theta + rng.normal(0.0, true_se)
    variance = true_se**2 * rng.chisquare(2 * n - 2) / (2 * n - 2)
    return estimate, variance


# --------------------------------------------------------------------------------------------
# Analyses
# --------------------------------------------------------------------------------------------


def page_comparison(
    arm: np.ndarray, y: np.ndarray, clusters: np.ndarray | None = None
) -> analysis.Comparison:
    """What the trial results page computes (one permutation: the randomisation check is shown
    beside the verdict and does not enter it)."""
    result = analysis.analyse_outcome(
        arm, y, kind="mean", arm_labels=LABELS, clusters=clusters, permutations=1, alpha=ALPHA
    )
    return result.comparisons[0]


def met(low: float | None, high: float | None, criterion: float = 0.0) -> bool:
    return analysis.judge(low, high, criterion=criterion, direction="higher") == "met"


def cr1_comparison(arm: np.ndarray, y: np.ndarray, clusters: np.ndarray) -> stats.EffectEstimate:
    """The replaced cluster method: CR1 on G - 1 degrees of freedom."""
    return stats.estimate_effect(y, arm.astype(float), clusters=clusters, alpha=ALPHA)


def newey_west_fixed_lag(y: np.ndarray, x: np.ndarray, column: int) -> tuple[float, float]:
    """The replaced series method: OLS with Newey-West errors on the usual fixed lag and t on
    n - k degrees of freedom. Returns (lower end, two-sided p)."""
    import statsmodels.api as sm

    n = y.size
    lags = max(1, int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))
    fit = sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    return float(fit.conf_int(ALPHA)[column, 0]), float(fit.pvalues[column])


# --------------------------------------------------------------------------------------------
# Simulations
# --------------------------------------------------------------------------------------------


def null_rates(
    name: str,
    runs: int,
    draw: Callable[[], tuple[float | None, float | None, float]],
    *,
    two_sided_limit: float | None = None,
    replaced: bool = False,
) -> list[Line]:
    """False "worked" and two-sided rejection rates from ``draw() -> (low, high, p)``."""
    worked = rejected = 0
    for _ in range(runs):
        low, high, p = draw()
        worked += met(low, high)
        rejected += p < ALPHA
    return rate_lines(name, runs, worked / runs, rejected / runs, two_sided_limit, replaced)


def rate_lines(
    name: str,
    runs: int,
    worked: float,
    rejected: float,
    two_sided_limit: float | None = None,
    replaced: bool = False,
) -> list[Line]:
    se_one, se_two = rate_se(ONE_SIDED, runs), rate_se(ALPHA, runs)
    limit_one = ONE_SIDED + 2 * se_one
    limit_two = ALPHA + 2 * se_two if two_sided_limit is None else two_sided_limit + 2 * se_two
    suffix = " (replaced method, no target)" if replaced else ""
    return [
        Line(
            f"{name}: false worked rate",
            worked,
            "proportion",
            f"nominal {ONE_SIDED} (one-sided)" + suffix,
            worked / ONE_SIDED,
            runs,
            "" if replaced else f"<= {limit_one:.4f}",
            None if replaced else worked <= limit_one,
        ),
        Line(
            f"{name}: false worked rate, Monte Carlo SE",
            rate_se(max(worked, 1e-12), runs),
            "proportion",
            "none",
            None,
            runs,
        ),
        Line(
            f"{name}: two-sided rejection rate",
            rejected,
            "proportion",
            f"nominal {ALPHA}" + suffix,
            rejected / ALPHA,
            runs,
            "" if replaced else f"<= {limit_two:.4f}",
            None if replaced else rejected <= limit_two,
        ),
        Line(
            f"{name}: two-sided rejection rate, Monte Carlo SE",
            rate_se(max(rejected, 1e-12), runs),
            "proportion",
            "none",
            None,
            runs,
        ),
    ]


def power_lines(
    name: str,
    runs: int,
    draw: Callable[[], tuple[float | None, float | None]],
    claim_detect: float,
    claim_met: float,
    criterion: float,
) -> list[Line]:
    detected = hits = 0
    for _ in range(runs):
        low, high = draw()
        detected += low is not None and low > 0
        hits += met(low, high, criterion)
    lines = []
    for label, achieved, claim in (
        ("power (a clear difference)", detected / runs, claim_detect),
        (f'chance of "met" (criterion {criterion:g})', hits / runs, claim_met),
    ):
        lines.append(
            Line(
                f"{name}: {label}",
                achieved,
                "proportion",
                f"claimed {claim:.4f} (power page)",
                achieved / claim,
                runs,
                f"within {POWER_TOLERANCE} of {claim:.4f}",
                abs(achieved - claim) <= POWER_TOLERANCE,
            )
        )
        lines.append(
            Line(
                f"{name}: {label}, Monte Carlo SE",
                rate_se(achieved, runs),
                "proportion",
                "none",
                None,
                runs,
            )
        )
    return lines


def solve_effect(power_of: Callable[[float], float], target: float = 0.8) -> float:
    return float(brentq(lambda d: power_of(d) - target, 1e-6, 10.0))


def individual(runs: int, seed: int) -> list[Line]:
    rng = Generator(PCG64([seed, 1]))

    def null() -> tuple[float | None, float | None, float]:
        c = page_comparison(*individual_trial(rng))
        return c.ci_low, c.ci_high, c.p_value

    lines = null_rates("individual (60 an arm, Welch)", runs, null)
    # Power: the page's claim for means is R's power.t.test (equal spreads, as the page asks
    # for one standard deviation); "met" from stats.power_against_criterion on 2n - 2 df.
    n, criterion = 60, 0.1
    effect = solve_effect(lambda d: stats.power_two_means(d, 1.0, n_per_arm=n).power)
    claim = stats.power_two_means(effect, 1.0, n_per_arm=n).power
    claim_met = stats.power_against_criterion(
        effect, math.sqrt(2.0 / n), criterion=criterion, df=2 * n - 2
    ).met

    def alternative() -> tuple[float | None, float | None]:
        c = page_comparison(*individual_trial(rng, effect=effect, n=n, sd_t=1.0))
        return c.ci_low, c.ci_high

    lines += power_lines(
        "individual (60 an arm, Welch)", runs // 2, alternative, claim, claim_met, criterion
    )
    return lines


def cluster(runs: int, seed: int, unequal: bool) -> list[Line]:
    rng = Generator(PCG64([seed, 2 + int(unequal)]))
    per_arm, m, icc = (8, 25.0, 0.1) if unequal else (6, 25.0, 0.1)
    name = (
        f"cluster unequal ({per_arm} clusters an arm, sizes CV {UNEQUAL_CV:.2f}, CR2)"
        if unequal
        else f"cluster equal ({per_arm} clusters of 25 an arm, CR2)"
    )

    def sizes() -> np.ndarray:
        if unequal:
            return cluster_sizes_unequal(rng, 2 * per_arm)
        return np.full(2 * per_arm, int(m))

    def null() -> tuple[float | None, float | None, float]:
        c = page_comparison(*cluster_trial(rng, sizes(), icc=icc))
        return c.ci_low, c.ci_high, c.p_value

    lines = null_rates(name, runs, null)

    def replaced() -> tuple[float | None, float | None, float]:
        fit = cr1_comparison(*cluster_trial(rng, sizes(), icc=icc))
        return fit.ci_low, fit.ci_high, fit.p_value

    lines += null_rates(name.replace("CR2", "CR1 on G - 1 df"), runs // 4, replaced, replaced=True)
    # The power page's claim: stats.cluster_standard_error and stats.power_against_criterion.
    se, df = stats.cluster_standard_error(
        1.0,
        clusters_t=per_arm,
        clusters_c=per_arm,
        cluster_size=m,
        icc=icc,
        cv=UNEQUAL_CV if unequal else 0.0,
    )
    criterion = 0.1
    effect = solve_effect(lambda d: stats.power_against_criterion(d, se, df=df).detect)
    claim = stats.power_against_criterion(effect, se, criterion=criterion, df=df)

    def alternative() -> tuple[float | None, float | None]:
        c = page_comparison(*cluster_trial(rng, sizes(), effect=effect, icc=icc))
        return c.ci_low, c.ci_high

    lines += power_lines(name, runs // 2, alternative, claim.detect, claim.met, criterion)
    return lines


def time_series(runs: int, seed: int) -> list[Line]:
    lines: list[Line] = []
    before = after = quasi.MIN_ITS_POINTS
    design = stats.segmented_design(before, after)
    for index, rho in enumerate((0.0, 0.3, 0.6)):
        rng = Generator(PCG64([seed, 10 + index]))
        y = its_series(rng, rho, runs, before, after)
        post = stats.ar1_posterior(y, design, 2)
        below = post.cdf(0.0)
        worked = float(np.mean(below < ONE_SIDED))  # the lower end above 0
        rejected = float(np.mean(post.p_values() < ALPHA))
        _agrees_with_the_page(y, before, below)
        limit = TIME_SERIES_ALLOWANCE if rho == 0.6 else None
        name = f"interrupted time series ({before} + {after}, autocorrelation {rho:g})"
        lines += rate_lines(name, runs, worked, rejected, limit)
        old = [newey_west_fixed_lag(y[:, j], design, 2) for j in range(runs // 4)]
        lines += rate_lines(
            f"{name}, Newey-West fixed lag",
            len(old),
            float(np.mean([low > 0 for low, _ in old])),
            float(np.mean([p < ALPHA for _, p in old])),
            replaced=True,
        )
    return lines


def _agrees_with_the_page(y: np.ndarray, before: int, below: np.ndarray) -> None:
    """The batch path must give the verdict the page gives: check the first runs through
    ``quasi.interrupted_time_series`` and ``quasi.quasi_verdict``."""
    periods = list(range(y.shape[0]))
    for j in range(min(5, y.shape[1])):
        result = quasi.interrupted_time_series(periods, y[:, j], intervention=before)
        page = quasi.quasi_verdict(result, criterion=0.0, direction="higher").outcome == "met"
        batch = bool(below[j] < ONE_SIDED)
        if page != batch and abs(below[j] - ONE_SIDED) > 1e-6:
            raise AssertionError(f"series {j}: page says met={page}, batch says met={batch}")


def difference_in_differences(runs: int, seed: int) -> list[Line]:
    lines: list[Line] = []
    before = after = quasi.MIN_DID_PERIODS
    design = stats.step_design(before, after)
    for index, rho in enumerate((0.0, 0.3, 0.6)):
        rng = Generator(PCG64([seed, 20 + index]))
        treated, comparison, gap = did_gaps(rng, rho, runs, before, after)
        post = stats.ar1_posterior(gap, design, 1)
        below = post.cdf(0.0)
        periods = list(range(before + after))
        for j in range(min(5, runs)):
            page = quasi.difference_in_differences(
                periods * 2,
                np.concatenate([treated[:, j], comparison[:, j]]),
                ["treated"] * len(periods) + ["comparison"] * len(periods),
                intervention=before,
            )
            if (page.ci_low > 0) != bool(below[j] < ONE_SIDED) and abs(below[j] - ONE_SIDED) > 1e-6:
                raise AssertionError(f"comparison {j}: the page and the batch path disagree")
        limit = TIME_SERIES_ALLOWANCE if rho == 0.6 else None
        name = f"difference-in-differences ({before} + {after}, autocorrelation {rho:g})"
        lines += rate_lines(
            name,
            runs,
            float(np.mean(below < ONE_SIDED)),
            float(np.mean(post.p_values() < ALPHA)),
            limit,
        )
        old = [newey_west_fixed_lag(gap[:, j], design, 1) for j in range(runs // 4)]
        lines += rate_lines(
            f"{name}, Newey-West fixed lag",
            len(old),
            float(np.mean([low > 0 for low, _ in old])),
            float(np.mean([p < ALPHA for _, p in old])),
            replaced=True,
        )
    return lines


def pooling(runs: int, seed: int) -> list[Line]:
    lines: list[Line] = []
    for index, (tau2, k) in enumerate((t, k) for t in (0.05, 0.0) for k in (2, 3, 5, 10)):
        rng = Generator(PCG64([seed, 30 + index]))
        covered = covered_dl = 0
        for _ in range(runs):
            effects, variances = meta_studies(rng, k, tau2)
            pooled = stats.random_effects(effects, variances, method="REML", interval="hksj")
            covered += pooled.ci_low <= 0.0 <= pooled.ci_high
            dl = stats.random_effects(effects, variances)  # DerSimonian-Laird, normal
            covered_dl += dl.ci_low <= 0.0 <= dl.ci_high
        name = f"pooling k={k}, tau2={tau2:g}"
        coverage = covered / runs
        lines.append(
            Line(
                f"{name}: coverage of the 95% interval (REML, HKSJ)",
                coverage,
                "proportion",
                "nominal 0.95",
                coverage / 0.95,
                runs,
                f">= {COVERAGE_TARGET}",
                coverage >= COVERAGE_TARGET,
            )
        )
        lines.append(
            Line(
                f"{name}: coverage, Monte Carlo SE",
                rate_se(coverage, runs),
                "proportion",
                "none",
                None,
                runs,
            )
        )
        lines.append(
            Line(
                f"{name}: coverage of the 95% interval (DerSimonian-Laird, normal; replaced)",
                covered_dl / runs,
                "proportion",
                "nominal 0.95 (replaced method, no target)",
                covered_dl / runs / 0.95,
                runs,
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def emit(line: Line) -> None:
    print(
        json.dumps(
            {
                "bench": "calibration",
                "metric": line.metric,
                "value": round(line.value, 6),
                "unit": line.unit,
                "reference": line.reference,
                "ratio": None if line.ratio is None else round(line.ratio, 4),
                "n": line.n,
            }
        ),
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="runs per design (null)")
    parser.add_argument(
        "--pooling-runs", type=int, default=None, help="runs per pooling case (default runs/2)"
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    runs = max(8, args.runs)
    pooling_runs = args.pooling_runs or max(8, runs // 2)
    started = time.perf_counter()
    lines: list[Line] = []
    steps: list[tuple[str, Callable[[], list[Line]]]] = [
        ("individual", lambda: individual(runs, args.seed)),
        ("cluster equal", lambda: cluster(runs, args.seed, unequal=False)),
        ("cluster unequal", lambda: cluster(runs, args.seed, unequal=True)),
        ("interrupted time series", lambda: time_series(runs, args.seed)),
        ("difference-in-differences", lambda: difference_in_differences(runs, args.seed)),
        ("pooling", lambda: pooling(pooling_runs, args.seed)),
    ]
    for label, step in steps:
        begun = time.perf_counter()
        found = step()
        for line in found:
            emit(line)
        lines += found
        print(f"{label}: {time.perf_counter() - begun:.1f} s", file=sys.stderr)
    missed = [line for line in lines if line.ok is False]
    print(
        f"\n{runs:,} runs per design ({pooling_runs:,} per pooling case), seed {args.seed}, "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    width = max(len(line.metric) for line in lines)
    for line in lines:
        if "Monte Carlo SE" in line.metric:
            continue
        mark = "" if line.ok is None else ("ok" if line.ok else "MISSED")
        print(f"{line.metric:{width}}  {line.value:8.4f}  {line.target:24} {mark}", file=sys.stderr)
    if missed:
        print(f"\n{len(missed)} target(s) missed.", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
