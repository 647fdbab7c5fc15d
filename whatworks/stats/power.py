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
from scipy.optimize import brentq, minimize_scalar

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


def design_effect(cluster_size: float, icc: float, cv: float = 0.0) -> float:
    """Variance inflation from randomising clusters: ``1 + ((cv^2 + 1) m - 1) * icc``.

    Multiply an individually randomised sample size by this to get the cluster-randomised one
    (``m`` = average cluster size, ``icc`` = intra-cluster correlation, ``cv`` = coefficient of
    variation of the cluster sizes; 0, equal sizes, gives Kish's ``1 + (m - 1) icc``). Unequal
    clusters lose precision: the analysis weights units, and big clusters carry more of them.

    References: Kish L (1965). Survey Sampling, section 5.4; Donner A, Klar N (2000). Design and
    Analysis of Cluster Randomization Trials in Health Research, ch. 5; Eldridge SM, Ashby D,
    Kerry S (2006). Sample size for cluster randomized trials: effect of coefficient of variation
    of cluster size and analysis method. International Journal of Epidemiology 35:1292-1300.
    """
    m = as_real(cluster_size, "The cluster size")
    if m < 1:
        raise refuse("The cluster size must be at least 1.")
    rho = check_probability(icc, "The intra-cluster correlation", open_interval=False)
    spread = as_real(cv, "The coefficient of variation of the cluster sizes")
    if spread < 0:
        raise refuse("The coefficient of variation of the cluster sizes cannot be negative.")
    return 1.0 + ((spread**2 + 1.0) * m - 1.0) * rho


@dataclass(frozen=True)
class CriterionPower:
    """Result of :func:`power_against_criterion`.

    ``detect``: the chance that the interval leaves out "no effect" on the side of the true
    effect (the power of ``power.t.test``, ``strict = FALSE``). ``met``: the chance of the
    verdict "met", that the whole interval clears the success criterion (and zero).
    """

    effect: float
    std_error: float
    criterion: float
    df: float | None
    detect: float
    met: float
    alpha: float


def power_against_criterion(
    effect: float,
    std_error: float,
    *,
    criterion: float = 0.0,
    df: float | None = None,
    alpha: float = 0.05,
) -> CriterionPower:
    """Chance of a clear difference and chance of "met", for an estimate with this standard error.

    ``effect`` is the true effect and ``criterion`` the success criterion, both oriented so that
    better is positive (``criterion >= 0``). The analysis gives the interval ``estimate +/- q *
    se`` with ``q`` the normal quantile (``df=None``) or the t quantile on ``df`` degrees of
    freedom, the standard error then estimated with that many degrees of freedom, so that
    ``(estimate - c) / se`` follows a noncentral t with noncentrality ``(effect - c) / se``.
    "Met" needs the lower end at or above ``max(criterion, 0)``. Use the degrees of freedom the
    analysis will use: for a cluster-randomised trial, about the number of clusters minus 2, not
    the number of units.

    Reference: the noncentral t power of a two-sample t test, e.g. Cohen J (1988). Statistical
    Power Analysis for the Behavioral Sciences, 2nd ed.; Julious SA (2004). Sample sizes for
    clinical trials with normal data. Statistics in Medicine 23:1921-1986.
    """
    alpha = check_alpha(alpha)
    mean = as_real(effect, "The effect")
    se = check_positive(std_error, "The standard error")
    floor = max(0.0, as_real(criterion, "The success criterion"))
    if df is not None and not as_real(df, "The degrees of freedom") > 0:
        raise refuse("The degrees of freedom must be greater than zero.")

    def above(centre: float) -> float:
        if df is None:
            return float(sps.norm.sf(sps.norm.isf(alpha / 2.0) - centre / se))
        return float(sps.nct.sf(sps.t.isf(alpha / 2.0, df), df, centre / se))

    return CriterionPower(
        effect=mean,
        std_error=se,
        criterion=floor,
        df=df,
        detect=above(abs(mean)),
        met=above(mean - floor),
        alpha=alpha,
    )


def cluster_standard_error(
    unit_sd: float,
    *,
    clusters_t: float,
    clusters_c: float,
    cluster_size: float,
    icc: float,
    cv: float = 0.0,
) -> tuple[float, float]:
    """(standard error of a difference in means, the analysis's degrees of freedom) for a
    cluster-randomised comparison: the unit-level variance inflated by :func:`design_effect`
    over ``clusters x cluster_size`` units an arm, on ``clusters_t + clusters_c - 2`` degrees of
    freedom (fewer when sizes vary, below), about what the CR2 analysis with Imbens-Kolesar
    degrees of freedom uses (not the
    number of units: a trial of 12 streets has about 10 degrees of freedom however many people
    live in them).

    Reference: Donner A, Klar N (2000), ch. 5 (t on clusters minus 2); Eldridge et al. (2006)
    for the design effect with unequal clusters.
    """
    sd = check_positive(unit_sd, "The standard deviation")
    g_t = check_positive(clusters_t, "The clusters in the treatment arm")
    g_c = check_positive(clusters_c, "The clusters in the control arm")
    if g_t + g_c <= 2:
        raise refuse("A cluster comparison needs at least three clusters in all.")
    effect = design_effect(cluster_size, icc, cv)
    m = as_real(cluster_size, "The cluster size")
    se = sd * math.sqrt(effect * (1.0 / (g_t * m) + 1.0 / (g_c * m)))
    # Unequal sizes leave fewer effective clusters than g_t + g_c: Kish's efficiency of
    # unequal weights, 1 / (1 + cv^2), so the analysis has fewer degrees of freedom than the
    # page would otherwise promise (bench/calibration.py: with cv 0.78 and 16 clusters the
    # CR2 analysis gave 76% power where g - 2 degrees of freedom promised 80%).
    # Reference: Kish L (1965), Survey sampling, section 11.7; Eldridge et al. (2006).
    spread = as_real(cv, "The coefficient of variation of the cluster sizes")
    return se, max((g_t + g_c) / (1.0 + spread**2) - 2.0, 1.0)


# --- Counts with exposure (Poisson rates) -------------------------------------------------


@dataclass(frozen=True)
class RatePower:
    """Result of :func:`power_two_rates`.

    Rates are events per unit of exposure (e.g. missed payments per tenant-month);
    ``exposure_per_arm`` is the total exposure in each arm in the same unit (e.g. 300 tenants
    followed for 6 months = 1,800 tenant-months), equal in both arms.
    """

    rate_control: float
    rate_treatment: float
    exposure_per_arm: float
    power: float
    alpha: float
    null_ratio: float = 1.0

    @property
    def rate_ratio(self) -> float:
        """Treatment over control."""
        return self.rate_treatment / self.rate_control

    @property
    def events_control(self) -> float:
        """Expected events in the control arm: ``rate_control * exposure_per_arm``."""
        return self.rate_control * self.exposure_per_arm

    @property
    def events_treatment(self) -> float:
        """Expected events in the treatment arm: ``rate_treatment * exposure_per_arm``."""
        return self.rate_treatment * self.exposure_per_arm


@dataclass(frozen=True)
class RateMinimumDetectableEffect:
    """Result of :func:`mde_two_rates`: the treatment rate nearest control that is detected."""

    rate_control: float
    rate_treatment: float
    rate_ratio: float
    absolute: float
    exposure_per_arm: float
    power: float
    alpha: float


def _check_rate(value: float, label: str) -> float:
    rate = as_real(value, label)
    if rate <= 0:
        raise refuse(
            f"{label} must be greater than zero: with no events expected there is nothing to "
            "compare."
        )
    return rate


def _rate_power(exposure: float, rate_c: float, rate_t: float, alpha: float, null: float) -> float:
    # Two-sided test at alpha counting only the tail in the effect's direction (as R's
    # strict = FALSE) = statsmodels' one-sided test at alpha / 2.
    from statsmodels.stats.rates import power_poisson_ratio_2indep

    alternative = "larger" if rate_t / rate_c > null else "smaller"
    value = power_poisson_ratio_2indep(
        rate_t,
        rate_c,
        exposure,
        nobs_ratio=1,
        exposure=1,
        value=null,
        alpha=alpha / 2.0,
        dispersion=1,
        alternative=alternative,
        method_var="alt",
        return_results=False,
    )
    return float(value)


def _rate_exposure(rate_c: float, rate_t: float, alpha: float, power: float, null: float) -> float:
    # Closed-form inverse of the same power function (variance at the alternative):
    # T = (z_{1-a/2} + z_{power})^2 (1/rate_c + 1/rate_t) / (log(rate_t/rate_c) - log(null))^2.
    z = float(sps.norm.isf(alpha / 2.0) + sps.norm.ppf(power))
    effect = math.log(rate_t / rate_c) - math.log(null)
    return z**2 * (1.0 / rate_c + 1.0 / rate_t) / effect**2


def power_two_rates(
    rate_control: float,
    rate_treatment: float,
    exposure_per_arm: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    *,
    null_ratio: float = 1.0,
) -> RatePower:
    """Power or exposure per arm for comparing two Poisson rates (two-sided, rate ratio).

    Give exactly one of ``exposure_per_arm`` (total exposure in each arm, in the unit the
    rates are "per") and ``power``; the other is computed. The test is the Wald test on the log
    rate ratio with its variance at the alternative, ``Var(log RR) = (1/rate_c + 1/rate_t) /
    T``, so::

        power = Phi(|log(rate_t / rate_c) - log(null_ratio)| sqrt(T / (1/rate_c + 1/rate_t))
                    - z_{1-a/2})
        T     = (z_{1-a/2} + z_{power})^2 (1/rate_c + 1/rate_t)
                / (log(rate_t / rate_c) - log(null_ratio))^2

    Only the tail in the effect's direction is counted, as R's ``power.prop.test``
    (``strict = FALSE``) and the rest of this module. The power is computed by
    ``statsmodels.stats.rates.power_poisson_ratio_2indep(method_var="alt")`` (one-sided at
    ``alpha / 2``); the exposure is its closed-form inverse. ``null_ratio`` other than 1 gives a
    non-inferiority (or superiority-by-a-margin) test, one-sided at ``alpha / 2``.

    The approximation needs enough events: check :attr:`RatePower.events_control` (a handful of
    expected events per arm is too few for any normal approximation).

    References:
        Gu K, Ng HKT, Tang ML, Schucany WR (2008). Testing the ratio of two Poisson rates.
        Biometrical Journal 50(2):283-298 (the Wald test on the log rate ratio).
        Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial
        rates. Statistics in Medicine 33(3):376-387 (the Poisson case is dispersion 0);
        Zhu H (2017). Statistics in Biopharmaceutical Research 9(1):107-115.
        statsmodels ``stats.rates.power_poisson_ratio_2indep``; PASS, chapter "Tests for the
        Ratio of Two Poisson Rates".
    """
    alpha = check_alpha(alpha)
    rate_c = _check_rate(rate_control, "The rate in the control arm")
    rate_t = _check_rate(rate_treatment, "The rate in the treatment arm")
    null = check_positive(null_ratio, "The rate ratio under the null hypothesis")
    if math.isclose(rate_t / rate_c, null, rel_tol=1e-12):
        raise refuse(
            "The two rates are equal, so there is no difference to detect."
            if null == 1.0
            else "The rate ratio equals the margin, so there is no difference to detect."
        )
    _one_of(exposure_per_arm, power)
    if exposure_per_arm is not None:
        exposure = check_positive(exposure_per_arm, "The exposure per arm")
        return RatePower(
            rate_c,
            rate_t,
            exposure,
            _rate_power(exposure, rate_c, rate_t, alpha, null),
            alpha,
            null,
        )
    assert power is not None
    target = _check_power(power)
    exposure = _rate_exposure(rate_c, rate_t, alpha, target, null)
    if not math.isfinite(exposure):
        raise refuse("The difference is too small to detect reliably with any realistic trial.")
    return RatePower(
        rate_c, rate_t, exposure, _rate_power(exposure, rate_c, rate_t, alpha, null), alpha, null
    )


def mde_two_rates(
    rate_control: float,
    exposure_per_arm: float,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    direction: str = "higher",
) -> RateMinimumDetectableEffect:
    """Treatment rate nearest ``rate_control`` detectable with the given power.

    ``direction`` is ``"higher"`` (a rise in the rate) or ``"lower"`` (a fall). Solves
    ``power_two_rates(rate_control, r, exposure_per_arm).power == power`` for ``r`` with
    ``scipy.optimize.brentq``, as :func:`mde_two_proportions` does for proportions.

    With the variance at the alternative the power of a *fall* does not keep rising as the
    treatment rate goes to zero (fewer events, less information), so for ``"lower"`` the root is
    sought between the rate of greatest power and ``rate_control``; when even that rate is not
    detected reliably the function refuses.

    Reference: as :func:`power_two_rates`; Bloom HS (1995). Minimum detectable effects.
    Evaluation Review 19:547-556.
    """
    alpha = check_alpha(alpha)
    rate_c = _check_rate(rate_control, "The rate in the control arm")
    exposure = check_positive(exposure_per_arm, "The exposure per arm")
    target = _check_power(power)
    if direction not in ("higher", "lower"):
        raise refuse('The direction must be "higher" or "lower".')

    def gap_at_log_ratio(log_ratio: float) -> float:
        return _rate_power(exposure, rate_c, rate_c * math.exp(log_ratio), alpha, 1.0) - target

    # Near log ratio 0 the power is about alpha/2 < target, so the bracket starts below zero.
    start = 1e-12
    if direction == "higher":
        high = 1.0
        while gap_at_log_ratio(high) < 0:
            high *= 2.0
            if high > 50:  # a rate ratio beyond e^50: no realistic trial needs it
                raise refuse(
                    "No realistic rise in the rate would be detected with so little exposure."
                )
        log_ratio = float(brentq(gap_at_log_ratio, start, high, xtol=1e-13))
    else:
        # The power of a fall peaks at an interior rate; find it on the log-ratio scale.
        best = minimize_scalar(
            lambda x: -gap_at_log_ratio(-x),
            bounds=(1e-9, 50.0),
            method="bounded",
            options={"xatol": 1e-10},
        )
        peak = float(best.x)
        if gap_at_log_ratio(-peak) < 0:
            raise refuse(
                f"With an exposure of {exposure:g} per arm, not even a large fall in the rate "
                f"would be detected with {target:.0%} power: too few events are expected."
            )
        log_ratio = -float(brentq(lambda x: gap_at_log_ratio(-x), start, peak, xtol=1e-13))
    rate_t = rate_c * math.exp(log_ratio)
    return RateMinimumDetectableEffect(
        rate_control=rate_c,
        rate_treatment=rate_t,
        rate_ratio=rate_t / rate_c,
        absolute=rate_t - rate_c,
        exposure_per_arm=exposure,
        power=target,
        alpha=alpha,
    )


# --- Time to event (log-rank / Cox, Schoenfeld) -------------------------------------------


@dataclass(frozen=True)
class TimeToEventPower:
    """Result of :func:`power_time_to_event`. ``n_total`` and ``events`` may be fractional."""

    hazard_ratio: float
    p_event: float
    n_total: float
    events: float
    power: float
    alpha: float
    allocation: float

    @property
    def n_total_needed(self) -> int:
        """Whole people in all: ``n_total`` rounded up."""
        return math.ceil(self.n_total - 1e-9)

    @property
    def events_needed(self) -> int:
        """Whole events: ``events`` rounded up (the figure usually printed in tables)."""
        return math.ceil(self.events - 1e-9)


@dataclass(frozen=True)
class TimeToEventMinimumDetectableEffect:
    """Result of :func:`mde_time_to_event`."""

    hazard_ratio: float
    p_event: float
    n_total: float
    events: float
    power: float
    alpha: float
    allocation: float


def _check_tte(
    hazard_ratio: float | None, p_event: float, allocation: float
) -> tuple[float | None, float, float]:
    hr = None
    if hazard_ratio is not None:
        hr = check_positive(hazard_ratio, "The hazard ratio")
        if hr == 1.0:
            raise refuse("A hazard ratio of 1 means no difference, so there is nothing to detect.")
    p = as_real(p_event, "The share expected to have the event")
    if not 0.0 < p <= 1.0:
        raise refuse(
            "The share expected to have the event must be above 0 and at most 1: with no events "
            "a log-rank test has nothing to compare."
        )
    share = check_probability(allocation, "The share allocated to treatment")
    return hr, p, share


def _schoenfeld_power(events: float, hr: float, alpha: float, share: float) -> float:
    # Phi(sqrt(d pi (1 - pi)) |log HR| - z_{1-a/2}): the tail in the effect's direction only.
    z = float(sps.norm.isf(alpha / 2.0))
    return float(sps.norm.cdf(math.sqrt(events * share * (1.0 - share)) * abs(math.log(hr)) - z))


def _tte_minimum_n(share: float) -> float:
    # At least two people in the smaller arm.
    return _N_MIN / min(share, 1.0 - share)


def power_time_to_event(
    hazard_ratio: float,
    p_event: float,
    n_total: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    allocation: float = 0.5,
) -> TimeToEventPower:
    """Power or total sample size for comparing time to an event (log-rank test, two-sided).

    Give exactly one of ``n_total`` (people in both arms) and ``power``. Schoenfeld's formula for
    the number of events ``d`` a log-rank (or Cox score) test needs, with a share ``pi`` of
    people in the treatment arm::

        d = (z_{1-a/2} + z_{power})^2 / (pi (1 - pi) (log HR)^2),   n = d / p_event

    and inversely ``power = Phi(sqrt(n p_event pi (1 - pi)) |log HR| - z_{1-a/2})``, counting
    only the tail in the effect's direction (as the rest of this module). ``hazard_ratio`` is
    treatment over control; ``p_event`` the share of all people expected to have the event by
    the analysis (both arms together). The formula assumes proportional hazards and is
    symmetric in ``HR`` and ``1 / HR``.

    References:
        Schoenfeld DA (1983). Sample-size formula for the proportional-hazards regression
        model. Biometrics 39(2):499-503.
        Schoenfeld D (1981). The asymptotic properties of nonparametric tests for comparing
        survival distributions. Biometrika 68(1):316-319.
        Collett D (2015). Modelling Survival Data in Medical Research, 3rd ed., ch. 10.
    """
    alpha = check_alpha(alpha)
    hr, p, share = _check_tte(hazard_ratio, p_event, allocation)
    assert hr is not None
    _one_of(n_total, power)
    smallest = _tte_minimum_n(share)
    if n_total is not None:
        n = as_real(n_total, "The total sample size")
        if n < smallest:
            raise refuse("Each arm needs at least two people.")
        events = n * p
        return TimeToEventPower(
            hr, p, n, events, _schoenfeld_power(events, hr, alpha, share), alpha, share
        )
    assert power is not None
    target = _check_power(power)
    z = float(sps.norm.isf(alpha / 2.0) + sps.norm.ppf(target))
    events = z**2 / (share * (1.0 - share) * math.log(hr) ** 2)
    n = events / p
    if n < smallest:
        # Even the smallest sensible trial reaches the target; report that size honestly.
        n, events = smallest, smallest * p
    if n > _N_MAX:
        raise refuse(
            "The difference is too small to detect reliably with any realistic trial "
            "(more than ten million people would be needed)."
        )
    return TimeToEventPower(
        hr, p, n, events, _schoenfeld_power(events, hr, alpha, share), alpha, share
    )


def mde_time_to_event(
    p_event: float,
    n_total: float,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation: float = 0.5,
    *,
    direction: str = "lower",
) -> TimeToEventMinimumDetectableEffect:
    """Hazard ratio nearest 1 detectable with the given power (Schoenfeld's formula inverted).

    ``direction="lower"`` gives the ratio below 1 (the event later, or rarer, in treatment);
    ``"higher"`` its reciprocal above 1. Schoenfeld's power is a closed form in ``log HR``, so
    the inverse is exact rather than found with a root-finder::

        HR = exp(-/+ (z_{1-a/2} + z_{power}) / sqrt(n p_event pi (1 - pi)))

    References: as :func:`power_time_to_event`.
    """
    alpha = check_alpha(alpha)
    _, p, share = _check_tte(None, p_event, allocation)
    target = _check_power(power)
    if direction not in ("higher", "lower"):
        raise refuse('The direction must be "higher" or "lower".')
    n = as_real(n_total, "The total sample size")
    if n < _tte_minimum_n(share):
        raise refuse("Each arm needs at least two people.")
    events = n * p
    z = float(sps.norm.isf(alpha / 2.0) + sps.norm.ppf(target))
    log_hr = z / math.sqrt(events * share * (1.0 - share))
    hr = math.exp(log_hr if direction == "higher" else -log_hr)
    return TimeToEventMinimumDetectableEffect(hr, p, n, events, target, alpha, share)
