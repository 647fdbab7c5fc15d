"""The power page's answer: what a trial of this size can detect, in one plain sentence.

Built on ``whatworks.stats`` (R's ``power.prop.test`` / ``power.t.test`` methods for
proportions and means; the Wald test on the log rate ratio for counts with exposure,
``stats.power_two_rates``; Schoenfeld's number-of-events formula for the log-rank test,
``stats.power_time_to_event``; and the design effect ``1 + (m - 1) ICC``). How the trial's shape
enters:

* Arms: each comparison is one arm against control. With unequal arms, a comparison of
  ``n_c`` and ``n_j`` units has the variance of two equal arms of ``2 / (1/n_c + 1/n_j)``
  (the harmonic mean), and the smallest such n across the comparisons is used (the worst case).
  This holds for rates (exposure per arm = units x exposure per unit) and for Schoenfeld's
  formula too, whose variance ``1 / (d pi (1 - pi))`` with ``d = p (n_c + n_j)`` events equals
  ``(1/n_c + 1/n_j) / p``.
* Several arms: the analysis uses Holm across arms, whose first step is Bonferroni, so power is
  worked out at ``alpha / (arms - 1)`` (conservative).
* One-sided plans: ``stats`` is two-sided; a one-sided test at alpha is the two-sided test at
  2 alpha for power in the effect's direction.
* Clusters: the units per arm are divided by the design effect, ``1 + ((cv^2 + 1) m - 1) ICC``
  with ``cv`` the coefficient of variation of cluster sizes (Eldridge et al. 2006; for rates,
  counts are assumed to share the ICC; for time to event, the events are, as an approximation),
  and for proportions, means and rates the test is a t test on the degrees of freedom the
  analysis will have, the clusters of the two arms compared minus 2 (``stats.
  cluster_standard_error``), not the number of units: with 12 streets a trial has about 10.

The chance of "met": the verdict needs the whole interval to clear the goal's success criterion
(``services.criterion_for``, the improvement it asks for on the trial's scale), which is harder
than leaving out "no effect". ``stats.power_against_criterion`` gives both chances for the change
the team hopes for, and the page says how large a true change would have to be for "met" to
come out as often as the chosen power. Not worked out for time to event, whose verdict rests on a
difference in medians with a bootstrap interval.

Directions: for rates, "lower" on the goal means a fall in the rate; for time to event, the goal
is a time ("days until ..."), so "lower" means the event comes sooner (a hazard ratio above 1,
treatment over control) and "higher" later (below 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from scipy.optimize import brentq

from whatworks import stats
from whatworks.initiatives.ledger import summarise
from whatworks.stats import StatsRefusal
from whatworks.trials.models import Design, OutcomeKind, Trial


@dataclass(frozen=True)
class PowerAnswer:
    sentence: str
    details: list[str]
    # Smallest detectable change, in the trial's units: proportion, absolute; mean, difference;
    # rate, the change in the rate (treatment minus control); time to event, the hazard ratio.
    mde: float
    mde_goal_units: float | None  # None when it cannot be put in the goal's units (time to event)
    power_at_expected: float | None
    needed_sentence: str
    payback_warning: str
    payback_note: str
    # The chance that the verdict is "met" for the hoped-for change (None without one), and the
    # sentences about it, including the true change "met" needs at the chosen power.
    met_at_expected: float | None = None
    met_sentence: str = ""
    df: float | None = None  # the analysis's degrees of freedom (None: normal)


def _times_in_ten(power: float) -> str:
    tenths = power * 10
    if abs(tenths - round(tenths)) < 1e-9:
        return f"{round(tenths)} times in 10"
    return f"{power:.0%} of the time"


def _pct(p: float) -> str:
    value = 100 * p
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 or value >= 10 else f"{value:.1f}%"


def _num(x: float) -> str:
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.2g}" if abs(x) < 1 else f"{x:,.1f}".rstrip("0").rstrip(".")


def effective_n(
    trial: Trial,
    n_total: int,
    cluster_size: float | None,
    icc: float | None,
    cv: float | None = None,
) -> tuple[float, float, list[float]]:
    """(equal-arm n per arm with the same precision, design effect, units per arm)."""
    ratios = [arm.ratio for arm in trial.arms.all()]
    share = [r / sum(ratios) for r in ratios]
    per_arm = [n_total * s for s in share]
    effect = 1.0
    if trial.design == Design.CLUSTER:
        if not cluster_size or icc is None:
            raise StatsRefusal("A cluster trial needs the average cluster size and the ICC.")
        effect = stats.design_effect(cluster_size, icc, cv or 0.0)
        per_arm = [n * cluster_size for n in per_arm]  # n_total counts clusters
    n_c = per_arm[0]
    worst = min(2.0 / (1.0 / n_c + 1.0 / n_j) for n_j in per_arm[1:])
    return worst / effect, effect, per_arm


def analysis_df(trial: Trial, n_total: int) -> float | None:
    """The degrees of freedom the analysis will have for the worst comparison: for a cluster
    design the clusters of control and the smallest other arm, minus 2; otherwise ``None``
    (the caller uses the unit-level figure)."""
    if trial.design != Design.CLUSTER:
        return None
    ratios = [arm.ratio for arm in trial.arms.all()]
    clusters = [n_total * r / sum(ratios) for r in ratios]
    return clusters[0] + min(clusters[1:]) - 2.0


def _unit_se(
    trial: Trial,
    n_total: int,
    n_eff: float,
    cluster_size: float | None,
    icc: float | None,
    cv: float | None,
) -> float:
    if trial.design != Design.CLUSTER:
        return math.sqrt(2.0 / n_eff)
    assert cluster_size is not None and icc is not None
    ratios = [arm.ratio for arm in trial.arms.all()]
    clusters = [n_total * r / sum(ratios) for r in ratios]
    se, _ = stats.cluster_standard_error(
        1.0,
        clusters_t=min(clusters[1:]),
        clusters_c=clusters[0],
        cluster_size=cluster_size,
        icc=icc,
        cv=cv or 0.0,
    )
    return se


def _t_power(effect: float, se: float, df: float | None, alpha: float) -> float:
    return stats.power_against_criterion(abs(effect), se, df=df, alpha=alpha).detect


def _solve(gap: Callable[[float], float], high: float, message: str) -> float:
    """The root of an increasing ``gap`` on (0, high], doubling ``high`` a few times."""
    for _ in range(60):
        if gap(high) >= 0:
            return float(brentq(gap, 1e-12 * high, high, xtol=1e-12 * high))
        high *= 2.0
    raise StatsRefusal(message)


def answer(
    trial: Trial,
    *,
    n_total: int,
    power: float,
    control_rate: float | None = None,
    sd: float | None = None,
    expected: float | None = None,
    cluster_size: float | None = None,
    icc: float | None = None,
    cluster_cv: float | None = None,
    rate_control: float | None = None,
    exposure: float | None = None,
    event_share: float | None = None,
) -> PowerAnswer:
    """The sentence for a design of ``n_total`` units (clusters, for a cluster design).

    What each outcome kind needs, and what ``expected`` (the effect the team hopes for) means:

    * proportions: ``control_rate`` (0-1); ``expected`` a treatment rate (0-1);
    * means: ``sd``; ``expected`` a difference;
    * rates: ``rate_control``, the events per unit of exposure in the control arm (e.g. 0.5
      missed payments a month), and ``exposure``, the average exposure of one unit in the same
      unit (e.g. 6 months; default 1, when the rate is per unit over the whole trial);
      ``expected`` a treatment rate;
    * time to event: ``event_share`` (0-1), the share of units expected to have the event by the
      analysis date; ``expected`` a hazard ratio (treatment over control).

    ``cluster_cv`` is the coefficient of variation of the cluster sizes (0 when they are equal).
    Raises :class:`StatsRefusal` with the reason when the numbers cannot give an answer.
    """
    kind = trial.outcome_kind
    arms = list(trial.arms.all())
    k = len(arms)
    alpha = trial.analysis_alpha / (k - 1)
    n_eff, effect, per_arm = effective_n(trial, n_total, cluster_size, icc, cluster_cv)
    if n_eff < 2:
        raise StatsRefusal("With so few units each arm would have fewer than two: add units.")
    df = analysis_df(trial, n_total)
    if df is not None and df < 1:
        raise StatsRefusal("A cluster trial needs at least two clusters in each arm compared.")
    # The standard error of a difference for a unit-level standard deviation of 1: for a cluster
    # design from stats.cluster_standard_error (clusters of control and the smallest other arm),
    # which bench/calibration.py checks against simulated trials.
    unit_se = _unit_se(trial, n_total, n_eff, cluster_size, icc, cluster_cv)
    opening, details = _describe(
        trial, n_total=n_total, alpha=alpha, icc=icc, cluster_size=cluster_size,
        cluster_cv=cluster_cv, effect=effect, n_eff=n_eff, df=df,
    )  # fmt: skip
    scale = trial.goal_scale()
    facts = _Facts(
        trial, power, alpha, n_eff, effect, per_arm, cluster_size, k, df, unit_se, details
    )
    mde_goal: float | None
    if kind == OutcomeKind.PROPORTION:
        sentence, mde_value, needed, at_expected = _proportion_answer(
            facts, opening=opening, control_rate=control_rate, expected=expected
        )
        mde_goal = mde_value * scale
    elif kind == OutcomeKind.RATE:
        sentence, mde_value, mde_goal, needed, at_expected = _rate_answer(
            trial,
            opening=opening,
            details=details,
            power=power,
            alpha=alpha,
            n_eff=n_eff,
            effect=effect,
            per_arm=per_arm,
            cluster_size=cluster_size,
            rate_control=rate_control,
            exposure=exposure,
            expected=expected,
        )
    elif kind == OutcomeKind.TIME_TO_EVENT:
        sentence, mde_value, needed, at_expected = _time_to_event_answer(
            trial,
            opening=opening,
            details=details,
            power=power,
            alpha=alpha,
            n_eff=n_eff,
            effect=effect,
            per_arm=per_arm,
            cluster_size=cluster_size,
            event_share=event_share,
            expected=expected,
        )
        mde_goal = None
    else:
        sentence, mde_value, needed, at_expected = _mean_answer(
            facts, opening=opening, sd=sd, expected=expected
        )
        mde_goal = mde_value * scale
    met_at_expected, met_sentence = _met(
        trial,
        kind=kind,
        power=power,
        alpha=alpha,
        n_eff=n_eff,
        unit_se=unit_se,
        df=df,
        control_rate=control_rate,
        sd=sd,
        rate_control=rate_control,
        exposure=exposure,
        expected=expected,
        at_expected=at_expected,
    )
    if mde_goal is None:
        warning, note = (
            "",
            (
                "No payback check: a hazard ratio cannot be turned into the goal's units without "
                "knowing how long the control arm takes to have the event."
            ),
        )
    else:
        warning, note = payback(trial, mde_goal)
    return PowerAnswer(
        sentence=sentence,
        details=details,
        mde=mde_value,
        mde_goal_units=mde_goal,
        power_at_expected=at_expected,
        needed_sentence=needed,
        payback_warning=warning,
        payback_note=note,
        met_at_expected=met_at_expected,
        met_sentence=met_sentence,
        df=df,
    )


def _describe(
    trial: Trial,
    *,
    n_total: int,
    alpha: float,
    icc: float | None,
    cluster_size: float | None,
    cluster_cv: float | None,
    effect: float,
    n_eff: float,
    df: float | None,
) -> tuple[str, list[str]]:
    """The answer's opening words and the sentences about the design under it."""
    kind = trial.outcome_kind
    arms = list(trial.arms.all())
    k = len(arms)
    cluster = trial.design == Design.CLUSTER
    noun = (trial.cluster_noun or "clusters") if cluster else (trial.units_noun or "units")
    per = n_total / k
    opening = f"With {n_total:,} {noun} in {k} arms (about {per:,.0f} an arm)"
    if cluster:
        opening += f" and an ICC of {icc:g}"
    details = [
        f"Each arm is compared with the control arm ({arms[0].name}) at a significance level "
        f"of {alpha:.3g}"
        + (
            f" (the plan's {trial.analysis_alpha:g} shared across {k - 1} comparisons)"
            if k > 2
            else ""
        )
        + (", two-sided (a one-sided plan at half that level)" if trial.sided == "one" else "")
        + "."
    ]
    if cluster:
        spread = f" varying in size by a coefficient of {cluster_cv:g}" if cluster_cv else ""
        details.append(
            f"Clusters of about {cluster_size:g} {trial.units_noun}{spread} with an ICC of "
            f"{icc:g} give a design effect of {effect:.2f}: the trial is as precise as an "
            f"individually randomised one with about {n_eff:,.0f} {trial.units_noun} an arm."
        )
        if kind != OutcomeKind.TIME_TO_EVENT:
            details.append(
                f"The analysis of a cluster trial has about {df:,.0f} degrees of freedom (the "
                "clusters compared, minus 2), however many units they hold; the chances here "
                "use them."
            )
    return opening, details


@dataclass(frozen=True)
class _Facts:
    """What every kind of outcome's answer needs to know about the design."""

    trial: Trial
    power: float
    alpha: float
    n_eff: float
    effect: float
    per_arm: list[float]
    cluster_size: float | None
    k: int
    df: float | None
    unit_se: float
    details: list[str]

    @property
    def cluster(self) -> bool:
        return self.trial.design == Design.CLUSTER

    @property
    def lower(self) -> bool:
        return self.trial.goal.direction == "lower"

    def needed(self, n_needed: float) -> str:
        return _needed(
            self.trial, n_needed, self.effect, self.cluster_size, self.k, self.power,
            self.per_arm, self.n_eff,
        )  # fmt: skip


def _proportion_answer(
    facts: _Facts, *, opening: str, control_rate: float | None, expected: float | None
) -> tuple[str, float, str, float | None]:
    """(sentence, mde as a change in the rate, needed, power at the hoped-for rate)."""
    power, alpha, n_eff, df = facts.power, facts.alpha, facts.n_eff, facts.df
    cluster, lower, unit_se, details = facts.cluster, facts.lower, facts.unit_se, facts.details
    needed = ""
    at_expected = None
    if control_rate is None or not 0 < control_rate < 1:
        raise StatsRefusal("Give the expected rate in the control arm, between 0% and 100%.")
    if cluster:
        assert df is not None

        def detect_at(delta: float) -> float:
            p_t = control_rate - delta if lower else control_rate + delta
            if not 0 < p_t < 1:
                return 1.0
            sd_pair = math.sqrt(control_rate * (1 - control_rate) + p_t * (1 - p_t))
            return _t_power(delta, sd_pair / math.sqrt(2.0) * unit_se, df, alpha) - power

        room = control_rate if lower else 1 - control_rate
        change = _solve(detect_at, room / 2, "No change in the rate could be detected.")
        target = control_rate - change if lower else control_rate + change
    else:
        base = 1 - control_rate if lower else control_rate
        mde = stats.mde_two_proportions(base, n_eff, alpha=alpha, power=power)
        target = 1 - mde.p_treatment if lower else mde.p_treatment
    sentence = (
        f"{opening}, you can detect a change from {_pct(control_rate)} to {_pct(target)} "
        f"or {'smaller' if lower else 'larger'}, {_times_in_ten(power)}."
    )
    mde_value = abs(target - control_rate)
    if expected is not None:
        if not 0 < expected < 1 or expected == control_rate:
            raise StatsRefusal(
                "The hoped-for rate must be between 0% and 100% and differ from control."
            )
        if cluster:
            sd_pair = math.sqrt(control_rate * (1 - control_rate) + expected * (1 - expected))
            at_expected = _t_power(
                expected - control_rate, sd_pair / math.sqrt(2.0) * unit_se, df, alpha
            )
        else:
            at_expected = stats.power_two_proportions(
                control_rate, expected, n_per_arm=n_eff, alpha=alpha
            ).power
        try:
            n_needed = stats.power_two_proportions(
                control_rate, expected, power=power, alpha=alpha
            ).n_per_arm
            needed = facts.needed(n_needed)
        except StatsRefusal as error:
            needed = error.reason
        details.append(
            f"A change from {_pct(control_rate)} to {_pct(expected)} would be detected "
            f"{at_expected:.0%} of the time."
        )
    return sentence, mde_value, needed, at_expected


def _mean_answer(
    facts: _Facts, *, opening: str, sd: float | None, expected: float | None
) -> tuple[str, float, str, float | None]:
    """(sentence, mde as a difference, needed, power at the hoped-for difference)."""
    trial, power, alpha, n_eff, df = facts.trial, facts.power, facts.alpha, facts.n_eff, facts.df
    cluster, lower, unit_se, details = facts.cluster, facts.lower, facts.unit_se, facts.details
    needed = ""
    at_expected = None
    if sd is None or sd <= 0:
        raise StatsRefusal("Give the standard deviation of the outcome (above zero).")

    def gap(delta: float) -> float:
        if cluster:
            return _t_power(delta, sd * unit_se, df, alpha) - power
        return stats.power_two_means(delta, sd, n_per_arm=n_eff, alpha=alpha).power - power

    high = sd
    while gap(high) < 0:
        high *= 2
        if high > 1e6 * sd:
            raise StatsRefusal("No realistic difference would be detected with so few units.")
    mde_value = float(brentq(gap, 1e-9 * sd, high, xtol=1e-10 * sd))
    unit = f" {trial.measure_unit}" if trial.measure_unit else ""
    sentence = (
        f"{opening}, you can detect a difference of {_num(mde_value)}{unit} or more "
        f"{'lower' if lower else 'higher'} (with a standard deviation of {_num(sd)}{unit}), "
        f"{_times_in_ten(power)}."
    )
    if expected is not None and expected != 0:
        at_expected = gap(abs(expected)) + power
        try:
            n_needed = stats.power_two_means(expected, sd, power=power, alpha=alpha).n_per_arm
            needed = facts.needed(n_needed)
        except StatsRefusal as error:
            needed = error.reason
        details.append(
            f"A difference of {_num(abs(expected))}{unit} would be detected "
            f"{at_expected:.0%} of the time."
        )
    return sentence, mde_value, needed, at_expected


def _met(
    trial: Trial,
    *,
    kind: str,
    power: float,
    alpha: float,
    n_eff: float,
    unit_se: float,
    df: float | None,
    control_rate: float | None,
    sd: float | None,
    rate_control: float | None,
    exposure: float | None,
    expected: float | None,
    at_expected: float | None,
) -> tuple[float | None, str]:
    """(chance of "met" at the hoped-for change, the sentence): see the module docstring."""
    from whatworks.trials.services import criterion_for

    if kind == OutcomeKind.TIME_TO_EVENT:
        return None, (
            'The chance of the verdict "met" is not worked out for time to an event: the verdict '
            "rests on the difference in median times, whose uncertainty depends on the shape of "
            "the curves."
        )
    try:
        criterion, direction = criterion_for(trial)
    except ValidationError as error:
        return (
            None,
            f'The chance of the verdict "met" needs the goal\'s criterion: {error.messages[0]}',
        )
    better = 1.0 if direction == "higher" else -1.0
    goal = trial.goal
    needed_words = (
        f"{'at least' if direction == 'higher' else 'at most'} {_num(goal.success_threshold)} "
        f"{goal.unit}".strip()
    )
    # se_at(change) and the criterion on one scale, with the change oriented so better > 0.
    if kind == OutcomeKind.PROPORTION:
        assert control_rate is not None
        base = control_rate

        def se_at(change: float) -> float:
            p_t = min(max(base + better * change, 1e-9), 1 - 1e-9)
            return math.sqrt((base * (1 - base) + p_t * (1 - p_t)) / 2.0) * unit_se

        c = criterion
        units = trial.goal_scale()
        show = (lambda v: f"{_num(100 * v)} percentage points") if units == 100 else _num
        hoped = None if expected is None else better * (expected - base)
        unit_df = df
    elif kind == OutcomeKind.MEAN:
        assert sd is not None

        def se_at(change: float) -> float:
            return sd * unit_se

        c = criterion
        unit = f" {trial.measure_unit}" if trial.measure_unit else ""

        def show(v: float) -> str:
            return f"{_num(v)}{unit}"

        hoped = None if expected is None else better * expected
        unit_df = df if df is not None else 2.0 * n_eff - 2.0
    else:  # rates, on the log scale
        assert rate_control is not None
        per_unit = 1.0 if exposure is None else exposure
        exposure_eff = n_eff * per_unit

        def se_at(change: float) -> float:
            ratio = math.exp(better * change)
            return math.sqrt((1.0 / rate_control + 1.0 / (rate_control * ratio)) / exposure_eff)

        if criterion >= 1.0 and direction == "lower":
            return None, "No fall in the rate can meet this criterion (a fall of 100% or more)."
        c = -math.log(1.0 - criterion) if direction == "lower" else math.log(1.0 + criterion)

        def show(v: float) -> str:
            return f"a rate ratio of {math.exp(better * v):.2f}"

        hoped = None if expected is None else better * math.log(expected / rate_control)
        unit_df = df
    sentence_need = ""
    try:

        def met_gap(change: float) -> float:
            return (
                stats.power_against_criterion(
                    change, se_at(change), criterion=c, df=unit_df, alpha=alpha
                ).met
                - power
            )

        need = _solve(met_gap, max(c, se_at(0.0)) * 2 + 1e-9, "")
        sentence_need = (
            f'For the verdict "met" {_times_in_ten(power)}, the true change would need to be '
            f"about {show(need)}: the criterion ({needed_words}, a change of {show(c)}) plus the "
            "trial's margin of uncertainty."
        )
    except (StatsRefusal, ValueError):
        sentence_need = 'No realistic change would give the verdict "met" that often.'
    if hoped is None:
        return None, f'{sentence_need} Give the change you hope for to see the chance of "met".'
    chance = stats.power_against_criterion(
        hoped, se_at(hoped), criterion=c, df=unit_df, alpha=alpha
    ).met
    detect = at_expected if at_expected is not None else 0.0
    return chance, (
        f"If the change you hope for is real, the trial would show a clear difference "
        f'{detect:.0%} of the time, but the verdict would be "met" (the whole interval clearing '
        f"the success criterion, {needed_words}) only {chance:.0%} of the time. {sentence_need}"
    )


def _rate_answer(
    trial: Trial,
    *,
    opening: str,
    details: list[str],
    power: float,
    alpha: float,
    n_eff: float,
    effect: float,
    per_arm: list[float],
    cluster_size: float | None,
    rate_control: float | None,
    exposure: float | None,
    expected: float | None,
) -> tuple[str, float, float, str, float | None]:
    """(sentence, mde as a change in the rate, mde in goal units, needed, power at expected)."""
    if rate_control is None or not rate_control > 0:
        raise StatsRefusal(
            "Give the expected rate of events in the control arm (events per unit of exposure, "
            "above zero)."
        )
    per_unit = 1.0 if exposure is None else exposure
    if not per_unit > 0:
        raise StatsRefusal("Give the average exposure of one unit (above zero).")
    lower = trial.goal.direction == "lower"
    k = len(per_arm)
    exposure_eff = n_eff * per_unit  # equal-arm exposure with the same precision
    mde = stats.mde_two_rates(
        rate_control,
        exposure_eff,
        alpha=alpha,
        power=power,
        direction="lower" if lower else "higher",
    )
    unit = f" {trial.measure_unit}" if trial.measure_unit else ""
    sentence = (
        f"{opening}, you can detect a rate ratio of {mde.rate_ratio:.2f} or "
        f"{'lower' if lower else 'higher'} (the rate going from {_num(rate_control)} to "
        f"{_num(mde.rate_treatment)}{unit}), {_times_in_ten(power)}."
    )
    events_c = per_arm[0] * per_unit * rate_control
    details.append(
        f"About {_num(events_c)} events are expected in the control arm "
        f"({_num(per_unit)} of exposure a unit at {_num(rate_control)}{unit})"
        + (", before allowing for clustering" if trial.design == Design.CLUSTER else "")
        + "."
    )
    mde_value = mde.absolute
    baseline = trial.goal.baseline_value
    # The register puts a rate ratio on the goal as baseline * ratio (services.goal_value).
    mde_goal = (
        abs(mde.rate_ratio - 1.0) * float(baseline)
        if baseline is not None and baseline > 0
        else abs(mde_value)
    )
    needed, at_expected = "", None
    if expected is not None:
        if not expected > 0 or expected == rate_control:
            raise StatsRefusal("The hoped-for rate must be above zero and differ from control.")
        at_expected = stats.power_two_rates(
            rate_control, expected, exposure_per_arm=exposure_eff, alpha=alpha
        ).power
        try:
            exposure_needed = stats.power_two_rates(
                rate_control, expected, power=power, alpha=alpha
            ).exposure_per_arm
            needed = _needed(
                trial, exposure_needed / per_unit, effect, cluster_size, k, power, per_arm, n_eff
            )
        except StatsRefusal as error:
            needed = error.reason
        details.append(
            f"A change in the rate from {_num(rate_control)} to {_num(expected)}{unit} (a rate "
            f"ratio of {expected / rate_control:.2f}) would be detected {at_expected:.0%} of "
            "the time."
        )
    return sentence, mde_value, mde_goal, needed, at_expected


def _time_to_event_answer(
    trial: Trial,
    *,
    opening: str,
    details: list[str],
    power: float,
    alpha: float,
    n_eff: float,
    effect: float,
    per_arm: list[float],
    cluster_size: float | None,
    event_share: float | None,
    expected: float | None,
) -> tuple[str, float, str, float | None]:
    """(sentence, mde as a hazard ratio, needed, power at expected)."""
    if event_share is None or not 0 < event_share <= 1:
        raise StatsRefusal(
            "Give the share of units you expect to have the event by the analysis date, "
            "above 0% and at most 100%."
        )
    # Goal "lower" = a shorter time = the event sooner = a hazard ratio above 1.
    sooner = trial.goal.direction == "lower"
    k = len(per_arm)
    n_equal = 2.0 * n_eff  # equal allocation, same precision (module docstring)
    mde = stats.mde_time_to_event(
        event_share,
        n_equal,
        alpha=alpha,
        power=power,
        direction="higher" if sooner else "lower",
    )
    with_event = sum(per_arm) * event_share
    phrase = trial.outcome_phrase or "had the event"
    if trial.design == Design.CLUSTER:
        who = (
            f"with about {_num(with_event)} {trial.units_noun or 'units'} expected to have {phrase}"
        )
    else:
        who = f"about {_num(with_event)} of whom you expect to have {phrase}"
    sentence = (
        f"{opening}, {who}, you can detect a hazard ratio of {mde.hazard_ratio:.2f} or "
        f"{'more' if sooner else 'less'} (the event {'sooner' if sooner else 'later'} than in "
        f"the control arm), {_times_in_ten(power)}."
    )
    details.append(
        f"The hazard ratio is the treatment arm's chance of the event on any day divided by the "
        f"control arm's: {mde.hazard_ratio:.2f} means "
        + (
            f"{abs(mde.hazard_ratio - 1):.0%} more likely on any day."
            if sooner
            else f"{abs(1 - mde.hazard_ratio):.0%} less likely on any day."
        )
    )
    needed, at_expected = "", None
    if expected is not None:
        if not expected > 0 or expected == 1:
            raise StatsRefusal("The hoped-for hazard ratio must be above zero and not 1.")
        at_expected = stats.power_time_to_event(
            expected, event_share, n_total=n_equal, alpha=alpha
        ).power
        try:
            n_needed = stats.power_time_to_event(
                expected, event_share, power=power, alpha=alpha
            ).n_total
            needed = _needed(trial, n_needed / 2.0, effect, cluster_size, k, power, per_arm, n_eff)
        except StatsRefusal as error:
            needed = error.reason
        details.append(
            f"A hazard ratio of {expected:.2f} would be detected {at_expected:.0%} of the time."
        )
    return sentence, mde.hazard_ratio, needed, at_expected


def _needed(
    trial: Trial,
    n_per_arm: float,
    effect: float,
    cluster_size: float | None,
    k: int,
    power: float,
    per_arm: list[float],
    n_eff: float,
) -> str:
    # Scale the total by the ratio of precision needed to precision at hand (arms keep shape).
    total_units = sum(per_arm) * n_per_arm / n_eff
    if trial.design == Design.CLUSTER and cluster_size:
        clusters = math.ceil(total_units / cluster_size)
        return (
            f"To detect the hoped-for change {_times_in_ten(power)} you would need about "
            f"{clusters:,} {trial.cluster_noun or 'clusters'} of {cluster_size:g} in all."
        )
    return (
        f"To detect the hoped-for change {_times_in_ten(power)} you would need about "
        f"{math.ceil(total_units):,} {trial.units_noun} in all."
    )


def payback(trial: Trial, mde_goal_units: float) -> tuple[str, str]:
    """(warning, note): is the smallest detectable change bigger than the change that pays back?

    Assumption (said on the page): the savings in the register's ledger (realised and
    estimated, first year) are what reaching the goal's *target* would bring, and savings grow
    in proportion to the change. Then the change that pays back the first year's costs is
    ``|target - baseline| * costs / savings``.
    """
    goal = trial.goal
    if goal.baseline_value is None or goal.target_value == goal.baseline_value:
        return "", "No payback check: the goal has no baseline, or its target equals it."
    ledger = summarise(trial.initiative.ledger.all()).with_estimates
    costs = ledger.upfront_cost + ledger.recurring_cost
    savings = ledger.one_off_savings + ledger.recurring_savings
    if costs <= 0 or savings <= 0:
        return "", (
            "No payback check: the register records no costs or no savings for this initiative."
        )
    full = abs(goal.target_value - goal.baseline_value)
    needed = full * float(costs / savings)
    unit = goal.unit
    note = (
        f"Payback assumes the first year's savings in the register (£{_money(savings)}, "
        f"including estimates) come from reaching the target ({_num(goal.baseline_value)} to "
        f"{_num(goal.target_value)} {unit}) and grow in proportion to the change; the first "
        f"year's costs are £{_money(costs)}, so a change of about {_num(needed)} {unit} pays "
        "them back."
    )
    if mde_goal_units > needed:
        return (
            f"The smallest change this trial can reliably detect ({_num(mde_goal_units)} {unit}) "
            f"is larger than the change needed to pay back the costs (about {_num(needed)} "
            f"{unit}). A change big enough to pay for itself could come out as inconclusive: "
            "consider more units, or a longer trial.",
            note,
        )
    return "", note


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"
