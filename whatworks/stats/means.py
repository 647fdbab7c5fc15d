"""Continuous outcomes: sufficient statistics per arm and Welch's two-sample comparison.

The comparison works from each arm's (n, mean, standard deviation), so the raw values never need
to leave the database: aggregate them with :func:`summarise` / :meth:`ArmSummary.from_sums` and
call :func:`compare_means_from_summary`. :func:`compare_means` is a thin convenience wrapper.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from ._checks import as_real, check_alpha, check_count, check_values, refuse


@dataclass(frozen=True)
class ArmSummary:
    """Sufficient statistics of one arm for mean comparisons.

    Stored as count, mean and the *centred* sum of squares ``sum((x - mean)**2)`` rather than the
    raw sum of squares: the raw form loses every significant digit to cancellation once the values
    are large relative to their spread (e.g. timestamps, or amounts in pence). Raw sums from a SQL
    ``SUM(x), SUM(x*x)`` can still be loaded with :meth:`from_sums`.
    """

    n: int
    mean: float
    sum_sq_dev: float

    @property
    def total(self) -> float:
        """Sum of the values."""
        return self.n * self.mean

    @property
    def variance(self) -> float:
        """Sample variance (n - 1 denominator); NaN when n < 2."""
        return self.sum_sq_dev / (self.n - 1) if self.n >= 2 else math.nan

    @property
    def sd(self) -> float:
        """Sample standard deviation; NaN when n < 2."""
        return math.sqrt(self.variance) if self.n >= 2 else math.nan

    @classmethod
    def from_sums(cls, n: int, total: float, total_sq: float) -> ArmSummary:
        """Build from count, sum and raw sum of squares (e.g. SQL aggregates).

        Beware: the centred sum of squares ``total_sq - total**2 / n`` suffers from cancellation
        when the mean is large relative to the spread; prefer :func:`summarise` when you have
        the values. Tiny negative results from round-off are clipped to zero.
        """
        count = check_count(n, "The number of observations")
        if count == 0:
            raise refuse("The group has no observations.")
        s = as_real(total, "The sum of the values")
        ss = as_real(total_sq, "The sum of the squared values")
        return cls(n=count, mean=s / count, sum_sq_dev=max(ss - s * s / count, 0.0))

    @classmethod
    def from_mean_sd(cls, n: int, mean: float, sd: float) -> ArmSummary:
        """Build from published summary statistics (n, mean, sample SD)."""
        count = check_count(n, "The number of observations")
        if count == 0:
            raise refuse("The group has no observations.")
        spread = as_real(sd, "The standard deviation")
        if spread < 0:
            raise refuse("The standard deviation cannot be negative.")
        return cls(
            n=count, mean=as_real(mean, "The mean"), sum_sq_dev=spread * spread * (count - 1)
        )

    def combine(self, other: ArmSummary) -> ArmSummary:
        """Pool two disjoint batches of the same arm (Chan, Golub & LeVeque 1979 update)."""
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        m2 = self.sum_sq_dev + other.sum_sq_dev + delta * delta * self.n * other.n / n
        return ArmSummary(n=n, mean=mean, sum_sq_dev=m2)


@dataclass(frozen=True)
class MeanComparison:
    """Result of :func:`compare_means` / :func:`compare_means_from_summary`.

    ``relative_*`` are ``None`` when the control mean is zero (a relative lift is undefined).
    """

    mean_t: float
    sd_t: float
    n_t: int
    mean_c: float
    sd_c: float
    n_c: int
    difference: float
    std_error: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    p_value: float
    relative_lift: float | None
    relative_ci_low: float | None
    relative_ci_high: float | None
    alpha: float


def summarise(values: Iterable[float], label: str = "group") -> ArmSummary:
    """Reduce a sample to its :class:`ArmSummary` (n, mean, centred sum of squares).

    ``label`` names the group in refusal messages, e.g. ``"control arm"``.
    """
    array = check_values(values, f"The {label}")
    if array.size == 0:
        raise refuse(f"The {label} has no observations.")
    # Values near the float limit overflow to inf here; the comparison then refuses them as
    # "not a finite number", so numpy's overflow warning adds nothing.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.mean(array))
        sum_sq_dev = float(np.sum((array - mean) ** 2))
    return ArmSummary(n=int(array.size), mean=mean, sum_sq_dev=sum_sq_dev)


def compare_means(
    treatment: Iterable[float], control: Iterable[float], alpha: float = 0.05
) -> MeanComparison:
    """Welch two-sample t comparison of raw values; see :func:`compare_means_from_summary`."""
    arm_t = summarise(treatment, "treatment arm")
    arm_c = summarise(control, "control arm")
    return compare_means_from_summary(
        arm_t.mean, arm_t.sd, arm_t.n, arm_c.mean, arm_c.sd, arm_c.n, alpha=alpha
    )


def compare_means_from_summary(
    mean_t: float,
    sd_t: float,
    n_t: int,
    mean_c: float,
    sd_c: float,
    n_c: int,
    alpha: float = 0.05,
) -> MeanComparison:
    """Welch's unequal-variance t test and interval for ``mean_t - mean_c``.

    Standard error ``sqrt(sd_t**2/n_t + sd_c**2/n_c)`` with Welch-Satterthwaite degrees of
    freedom; p-value and interval from the t distribution (``scipy.stats.t``). Matches R's
    ``t.test(var.equal = FALSE)`` and ``scipy.stats.ttest_ind(equal_var=False)``.

    The relative lift ``mean_t / mean_c - 1`` has a first-order delta-method interval computed on
    the *ratio* itself (not its log, because means may be zero or negative):
    ``Var(R) ~ se_t**2 / mean_c**2 + mean_t**2 * se_c**2 / mean_c**4``, with normal quantiles.
    It is unreliable when the control mean is close to zero relative to its standard error.

    Refuses (raises :class:`StatsRefusal`) when an arm has fewer than two observations, when both
    arms have zero spread, or on missing/negative inputs.

    References:
        Welch BL (1947). The generalization of Student's problem when several different
        population variances are involved. Biometrika 34:28-35.
        Satterthwaite FE (1946). An approximate distribution of estimates of variance components.
        Biometrics Bulletin 2:110-114.
    """
    alpha = check_alpha(alpha)
    m_t, s_t, k_t = _check_arm(mean_t, sd_t, n_t, "treatment arm")
    m_c, s_c, k_c = _check_arm(mean_c, sd_c, n_c, "control arm")
    if s_t == 0.0 and s_c == 0.0:
        raise refuse(
            "Every value is identical within each arm, so there is no variation to judge the "
            "difference against."
        )

    var_t = s_t * s_t / k_t
    var_c = s_c * s_c / k_c
    std_error = math.sqrt(var_t + var_c)
    df = (var_t + var_c) ** 2 / (var_t**2 / (k_t - 1) + var_c**2 / (k_c - 1))
    difference = m_t - m_c
    statistic = difference / std_error
    p_value = float(2.0 * sps.t.sf(abs(statistic), df))
    half_width = float(sps.t.ppf(1.0 - alpha / 2.0, df)) * std_error

    relative_lift: float | None = None
    rel_low: float | None = None
    rel_high: float | None = None
    if m_c != 0.0:
        ratio = m_t / m_c
        relative_lift = ratio - 1.0
        se_ratio = math.sqrt(var_t / m_c**2 + m_t**2 * var_c / m_c**4)
        z = float(sps.norm.ppf(1.0 - alpha / 2.0))
        rel_low, rel_high = relative_lift - z * se_ratio, relative_lift + z * se_ratio

    return MeanComparison(
        mean_t=m_t,
        sd_t=s_t,
        n_t=k_t,
        mean_c=m_c,
        sd_c=s_c,
        n_c=k_c,
        difference=difference,
        std_error=std_error,
        ci_low=difference - half_width,
        ci_high=difference + half_width,
        statistic=statistic,
        df=df,
        p_value=p_value,
        relative_lift=relative_lift,
        relative_ci_low=rel_low,
        relative_ci_high=rel_high,
        alpha=alpha,
    )


def _check_arm(mean: float, sd: float, n: int, arm: str) -> tuple[float, float, int]:
    count = check_count(n, f"The number of observations in the {arm}")
    if count == 0:
        raise refuse(f"The {arm} has no observations.")
    if count < 2:
        raise refuse(f"The {arm} needs at least two observations to estimate its spread.")
    m = as_real(mean, f"The mean of the {arm}")
    s = as_real(sd, f"The standard deviation of the {arm}")
    if s < 0:
        raise refuse(f"The standard deviation of the {arm} cannot be negative.")
    return m, s, count
