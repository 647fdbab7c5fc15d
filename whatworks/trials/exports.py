"""The allocation list (CSV, XLSX) and every number of a result (CSV rows, JSON)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from django.http import HttpResponse

from whatworks.core import exports as core_exports
from whatworks.trials import analysis
from whatworks.trials.models import Trial
from whatworks.trials.selectors import AllocationView


def allocation_response(trial: Trial, view: AllocationView, fmt: str) -> HttpResponse:
    header = ["unit_id", "arm"]
    extra: list[tuple[str, list[str]]] = []
    if view.strata:
        extra.append(("stratum", view.strata))
    if view.clusters:
        extra.append((trial.cluster_column or "cluster", view.clusters))
    header += [name for name, _ in extra]
    rows = (
        [unit, arm, *(values[i] for _, values in extra)]
        for i, (unit, arm) in enumerate(zip(view.units, view.arms, strict=True))
    )
    # Unit ids, arms and strata come from people's files: written through the one export
    # helper, a unit id such as "=HYPERLINK(...)" is text, never a live formula.
    response = core_exports.response(
        fmt, f"trial-{trial.pk}-allocation", header, rows, sheet="Allocation"
    )
    response["Cache-Control"] = "no-store"
    return response


RESULT_COLUMNS = ["section", "arm", "measure", "value"]


def result_csv_response(trial: Trial, rows: list[dict[str, Any]]) -> HttpResponse:
    return core_exports.response(
        "csv",
        f"trial-{trial.pk}-results",
        RESULT_COLUMNS,
        ([r[c] for c in RESULT_COLUMNS] for r in rows),
    )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def result_json(
    trial: Trial, result: analysis.OutcomeAnalysis, verdict: analysis.Verdict | None
) -> dict[str, Any]:
    """Every number of the analysis, as the dataclasses hold them (survival curves included)."""
    body = dataclasses.asdict(result)
    return _clean(
        {
            "trial": {"id": trial.pk, "title": trial.title, "outcome_kind": trial.outcome_kind},
            "analysis_date": trial.analysis_date.isoformat(),
            "alpha": trial.alpha,
            "sided": trial.sided,
            "analysis": body,
            "verdict": dataclasses.asdict(verdict) if verdict else None,
        }
    )


def _flat(prefix: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _flat(f"{prefix}{field.name}.", getattr(value, field.name), out)
    elif isinstance(value, list | tuple):
        if len(value) <= 12:  # survival curves are in the JSON, not the table
            out.append((prefix.rstrip("."), "; ".join(str(v) for v in value)))
    elif value is not None:
        out.append((prefix.rstrip("."), value))


def result_rows(trial: Trial, result: analysis.OutcomeAnalysis) -> list[dict[str, Any]]:
    """Rows of (section, arm, measure, value): per arm, each comparison, attrition, check."""
    rows: list[dict[str, Any]] = []
    for row in result.attrition:
        for name in ("allocated", "with_outcome", "missing", "percent_missing", "clusters"):
            value = getattr(row, name)
            if value is not None:
                rows.append(
                    {"section": "attrition", "arm": row.arm, "measure": name, "value": value}
                )
    for comparison in result.comparisons:
        flat: list[tuple[str, Any]] = []
        for name in (
            "measure",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "p_adjusted",
            "adjustment",
            "method",
            "randomisation_p",
            "permutations",
        ):
            value = getattr(comparison, name)
            if value is not None:
                flat.append((name, value))
        _flat("details.", comparison.details, flat)
        if comparison.adjusted is not None:
            _flat("adjusted.", comparison.adjusted, flat)
        if comparison.cluster_robust is not None:
            _flat("cluster_robust.", comparison.cluster_robust, flat)
        for name, value in flat:
            rows.append(
                {"section": "comparison", "arm": comparison.arm, "measure": name, "value": value}
            )
    check = result.allocation_check
    if check is not None:
        for name in ("statistic", "df", "p_value", "failed"):
            rows.append(
                {
                    "section": "allocation check",
                    "arm": "",
                    "measure": name,
                    "value": getattr(check, name),
                }
            )
    return rows


# --- The same rows, for reading on the results page ------------------------------------------

MEASURE_WORDS = {
    "allocated": "allocated",
    "with_outcome": "with an outcome",
    "missing": "missing",
    "percent_missing": "missing (%)",
    "clusters": "clusters",
    "measure": "measure",
    "estimate": "estimate",
    "ci_low": "lower end of the 95% interval",
    "ci_high": "upper end of the 95% interval",
    "relative_ci_low": "lower end of the relative interval",
    "relative_ci_high": "upper end of the relative interval",
    "p_value": "p-value",
    "p_adjusted": "p-value adjusted for several comparisons",
    "adjustment": "adjustment for several comparisons",
    "method": "method",
    "randomisation_p": "randomisation inference p-value",
    "permutations": "permutations",
    "std_error": "standard error",
    "coefficient": "coefficient",
    "df": "degrees of freedom",
    "n": "units",
    "n_clusters": "clusters",
    "cov_type": "variance estimator",
    "alpha": "significance level",
    "statistic": "test statistic",
    "failed": "failed",
}
PREFIX_WORDS = {"details": "", "adjusted": "adjusted", "cluster_robust": "cluster-robust"}


def measure_words(name: str) -> str:
    """A row's measure in words: `cluster_robust.std_error` -> "cluster-robust: standard
    error"; a name without words of its own reads with spaces for its underscores."""
    *prefixes, last = name.split(".")
    words = MEASURE_WORDS.get(last, last.replace("_", " "))
    lead = [PREFIX_WORDS.get(p, p.replace("_", " ")) for p in prefixes]
    lead = [p for p in lead if p]
    return f"{', '.join(lead)}: {words}" if lead else words


def readable_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's rows as the results page shows them: words for the names, numbers to
    four decimals with thousands separators (the CSV and JSON keep full precision)."""
    from whatworks.ui.numbers import number

    readable = []
    for row in rows:
        value = row["value"]
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, int | float):
            shown = number(value, 4)
        else:
            shown = str(value).replace("_", " ")
        readable.append(
            {
                "section": str(row["section"]).replace("_", " ").capitalize(),
                "arm": row["arm"],
                "measure": measure_words(str(row["measure"])),
                "value": shown,
            }
        )
    return readable
