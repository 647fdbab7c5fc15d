"""The analysis a trial's results page shows, from unit-level columns, and the honest verdict.

Pure Python on numpy, scipy and :mod:`whatworks.stats`; no Django imports. Split by concern:

* :mod:`.inputs`: arm codes, clusters, strata, attrition and the checks on the numbers per arm;
* :mod:`.estimators`: each kind of outcome reduced to what :mod:`whatworks.stats` needs, and
  the library called (this package carries no statistical method of its own);
* :mod:`.wording`: numbers, effects, intervals and headlines in plain English;
* :mod:`.verdict`: the verdict against the locked criterion and the caveats beside it;
* :mod:`.outcome`: the entry point, :func:`analyse_outcome`;
* :mod:`.results`: the dataclasses returned.
"""

from whatworks.stats import randomisation_p_value

from .estimators import FEW_CLUSTERS
from .inputs import outcome_check
from .outcome import adjust_secondary, analyse_outcome
from .results import (
    MEASURES,
    ArmCount,
    Comparison,
    Design,
    Details,
    Direction,
    Kind,
    OutcomeAnalysis,
    RateComparison,
    SurvivalArm,
    SurvivalComparison,
    Verdict,
)
from .verdict import attrition_warnings, caveats_for, criterion_phrase, judge, verdict, verdict_for
from .wording import Wording, interval_phrase, number, places_for, signed_words, unit_suffix

__all__ = [
    "FEW_CLUSTERS",
    "MEASURES",
    "ArmCount",
    "Comparison",
    "Design",
    "Details",
    "Direction",
    "Kind",
    "OutcomeAnalysis",
    "RateComparison",
    "SurvivalArm",
    "SurvivalComparison",
    "Verdict",
    "Wording",
    "adjust_secondary",
    "analyse_outcome",
    "attrition_warnings",
    "caveats_for",
    "criterion_phrase",
    "interval_phrase",
    "judge",
    "number",
    "outcome_check",
    "places_for",
    "randomisation_p_value",
    "signed_words",
    "unit_suffix",
    "verdict",
    "verdict_for",
]
