"""Sample size, power and minimum detectable effect for two-arm trials.

The formulas reproduce R's ``power.prop.test`` and ``power.t.test`` (two-sample, two-sided,
``strict = FALSE``) so that numbers can be checked against the most widely used reference
implementation. Roots are found with ``scipy.optimize.brentq`` to near machine precision, so
results agree with R to the (at least four significant) digits R's own ``uniroot`` guarantees.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from scipy import stats as sps
from scipy.optimize import brentq

from ._checks import as_real, check_alpha, check_positive, check_probability, refuse

# R searches n in c(2, 1e7); an arm smaller than 2 cannot estimate anything, and beyond ten
# million per arm the answer is "not feasible" for a council trial.
_N_MIN = 2.0
_N_MAX = 1e7
_XTOL = 1e-10


@dataclass(frozen=True)
class ProportionPower:
    """Result of :func:`power_two_proportions`. ``n_per_arm`` may be fractional (as in R)."""

    p_control: float
    p_treatment: float
    n_per_arm: float
    power: float
    alpha: float

    @property
    def n_per_arm_needed(self) -> int:
        """Whole people per arm: ``n_per_arm`` rounded up."""
        return math.ceil(self.n_per_arm - 1e-9)


@dataclass(frozen=True)
class MeanPower:
    """Result of :func:`power_two_means`. ``n_per_arm`` may be fractional (as in R)."""

    delta: float
    sd: float
    n_per_arm: float
    power: float
    alpha: float

    @property
    def n_per_arm_needed(self) -> int:
        """Whole people per arm: ``n_per_arm`` rounded up."""
        return math.ceil(self.n_per_arm - 1e-9)


@dataclass(frozen=True)
class MinimumDetectableEffect:
    """Result of :func:`mde_two_proportions`."""

    p_control: float
    p_treatment: float
    absolute: float
    relative: float
    n_per_arm: float
    power: float
    alpha: float


def _proportion_power(n: float, p1: float, p2: float, alpha: float) -> float:
    # R power.prop.test, two-sided, strict = FALSE (only the tail in the effect's direction):
    # pnorm((sqrt(n * (p1 - p2)^2) - qnorm(alpha/2, lower = FALSE) * sqrt((p1 + p2) *
    #   (q1 + q2) / 2)) / sqrt(p1 * q1 + p2 * q2))
    q1, q2 = 1.0 - p1, 1.0 - p2
    z = sps.norm.isf(alpha / 2.0)
    numerator = math.sqrt(n * (p1 - p2) ** 2) - z * math.sqrt((p1 + p2) * (q1 + q2) / 2.0)
    return float(sps.norm.cdf(numerator / math.sqrt(p1 * q1 + p2 * q2)))


def _mean_power(n: float, delta: float, sd: float, alpha: float) -> float:
    # R power.t.test, two-sample, two-sided, strict = FALSE: noncentral t with 2(n - 1) df,
    # noncentrality sqrt(n/2) * delta / sd, upper tail only.
    nu = 2.0 * (n - 1.0)
    critical = sps.t.isf(alpha / 2.0, nu)
    return float(sps.nct.sf(critical, nu, math.sqrt(n / 2.0) * abs(delta) / sd))


def _solve_n(power_at: Callable[[float], float], target: float) -> float:
    if power_at(_N_MIN) >= target:
        # Even the smallest sensible trial reaches the target; report that size honestly.
        return _N_MIN
    if power_at(_N_MAX) < target:
        raise refuse(
            "The difference is too small to detect reliably with any realistic trial "
            "(more than ten million per arm would be needed)."
        )
    return float(brentq(lambda n: power_at(n) - target, _N_MIN, _N_MAX, xtol=_XTOL))


def _one_of(n_per_arm: float | None, power: float | None) -> None:
    if (n_per_arm is None) == (power is None):
        raise refuse("Give exactly one of the sample size per arm or the target power.")


def _check_power(power: float) -> float:
    return check_probability(power, "The target power")


def _check_n(n_per_arm: float) -> float:
    n = as_real(n_per_arm, "The sample size per arm")
    if n < _N_MIN:
        raise refuse("Each arm needs at least two people.")
    return n


def power_two_proportions(
    p_control: float,
    p_treatment: float,
    n_per_arm: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
) -> ProportionPower:
    """Power or sample size per arm for comparing two proportions (two-sided).

    Give exactly one of ``n_per_arm`` and ``power``; the other is computed. Uses the normal
    approximation with pooled variance under the null exactly as R's ``power.prop.test``
    (``strict = FALSE``)::

        power = Phi((sqrt(n) |p1 - p2| - z_{1-a/2} sqrt(2 pbar (1 - pbar)))
                    / sqrt(p1 (1 - p1) + p2 (1 - p2)))

    ``n_per_arm`` is solved with ``scipy.optimize.brentq`` over [2, 1e7] and returned unrounded;
    use :attr:`ProportionPower.n_per_arm_needed` for whole people.

    References:
        R Core Team, ``stats::power.prop.test`` (Dalgaard, after Ekstrom).
        Fleiss JL, Levin B, Paik MC (2003). Statistical Methods for Rates and Proportions,
        3rd ed., section 4.2 (sample size without continuity correction).
    """
    alpha = check_alpha(alpha)
    p_c = check_probability(p_control, "The control rate")
    p_t = check_probability(p_treatment, "The treatment rate")
    if p_c == p_t:
        raise refuse("The two rates are equal, so there is no difference to detect.")
    _one_of(n_per_arm, power)

    def power_at(n: float) -> float:
        return _proportion_power(n, p_c, p_t, alpha)

    if n_per_arm is not None:
        n = _check_n(n_per_arm)
        return ProportionPower(p_c, p_t, n, power_at(n), alpha)
    assert power is not None  # narrowed by _one_of
    target = _check_power(power)
    n = _solve_n(power_at, target)
    return ProportionPower(p_c, p_t, n, power_at(n), alpha)


def power_two_means(
    delta: float,
    sd: float,
    n_per_arm: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
) -> MeanPower:
    """Power or sample size per arm for a two-sample t test (two-sided, equal SDs).

    Give exactly one of ``n_per_arm`` and ``power``. Uses the noncentral t distribution exactly
    as R's ``power.t.test(type = "two.sample", strict = FALSE)``: with ``nu = 2(n - 1)`` and
    ``ncp = sqrt(n / 2) * delta / sd``, ``power = P(T'_{nu, ncp} > t_{nu, 1 - a/2})``
    (``scipy.stats.nct``).

    References:
        R Core Team, ``stats::power.t.test``.
        Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed., ch. 2.
    """
    alpha = check_alpha(alpha)
    effect = as_real(delta, "The difference to detect")
    if effect == 0.0:
        raise refuse("The difference to detect is zero, so there is nothing to power for.")
    spread = check_positive(sd, "The standard deviation")
    _one_of(n_per_arm, power)

    def power_at(n: float) -> float:
        return _mean_power(n, effect, spread, alpha)

    if n_per_arm is not None:
        n = _check_n(n_per_arm)
        return MeanPower(effect, spread, n, power_at(n), alpha)
    assert power is not None
    target = _check_power(power)
    n = _solve_n(power_at, target)
    return MeanPower(effect, spread, n, power_at(n), alpha)


def mde_two_proportions(
    p_control: float, n_per_arm: float, alpha: float = 0.05, power: float = 0.8
) -> MinimumDetectableEffect:
    """Smallest treatment rate above ``p_control`` detectable with the given power.

    Solves ``power_two_proportions(p_control, p, n_per_arm).power == power`` for ``p`` in
    ``(p_control, 1)`` with ``scipy.optimize.brentq``; this is what R's
    ``power.prop.test(n = ..., p1 = ..., power = ...)`` does for ``p2``.

    Refuses when even a treatment rate of 100% would not be detected reliably.

    Reference: R Core Team, ``stats::power.prop.test``; Bloom HS (1995). Minimum detectable
    effects: a simple way to report the statistical power of experimental designs.
    Evaluation Review 19:547-556.
    """
    alpha = check_alpha(alpha)
    p_c = check_probability(p_control, "The control rate")
    n = _check_n(n_per_arm)
    target = _check_power(power)

    def gap(p_t: float) -> float:
        return _proportion_power(n, p_c, p_t, alpha) - target

    upper = 1.0 - 1e-12
    if gap(upper) < 0:
        raise refuse(
            f"With {n:g} people per arm, not even a jump to a 100% rate would be detected with "
            f"{target:.0%} power."
        )
    # At p_t == p_c the power is alpha/2 < target, so the bracket always changes sign.
    p_t = float(brentq(gap, p_c, upper, xtol=1e-14))
    return MinimumDetectableEffect(
        p_control=p_c,
        p_treatment=p_t,
        absolute=p_t - p_c,
        relative=p_t / p_c - 1.0,
        n_per_arm=n,
        power=target,
        alpha=alpha,
    )


def design_effect(cluster_size: float, icc: float) -> float:
    """Variance inflation from randomising clusters: ``1 + (m - 1) * icc``.

    Multiply an individually randomised sample size by this to get the cluster-randomised one
    (``m`` = average cluster size, ``icc`` = intra-cluster correlation).

    Reference: Kish L (1965). Survey Sampling, section 5.4; Donner A, Klar N (2000). Design and
    Analysis of Cluster Randomization Trials in Health Research, ch. 5.
    """
    m = as_real(cluster_size, "The cluster size")
    if m < 1:
        raise refuse("The cluster size must be at least 1.")
    rho = check_probability(icc, "The intra-cluster correlation", open_interval=False)
    return 1.0 + (m - 1.0) * rho
