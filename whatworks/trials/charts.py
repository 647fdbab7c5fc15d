"""Server-rendered SVG charts (matplotlib, Agg): served from their own URLs as <img>, so the
Content-Security-Policy needs no inline SVG or script. Each page puts a data table beside them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from whatworks.ui.numbers import axis_tick

BLUE = "#1d70b8"
BLACK = "#0b0c0c"
GREY = "#505a5f"
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (smaller, selectable)
# Arial where the machine has it (the service's font), else a metric-compatible or plain sans.
_FONTS = {f.name for f in font_manager.fontManager.ttflist}
matplotlib.rcParams["font.family"] = next(
    (name for name in ("Arial", "Liberation Sans", "DejaVu Sans") if name in _FONTS), "sans-serif"
)


@dataclass(frozen=True)
class Interval:
    label: str
    estimate: float
    low: float | None
    high: float | None
    weight: float | None = None  # forest plots: marker size by weight
    pooled: bool = False


def interval_chart(
    rows: Sequence[Interval],
    *,
    null_value: float,
    xlabel: str,
    prediction: tuple[float, float] | None = None,
) -> bytes:
    """One horizontal interval per row (estimate and interval), with a line at no effect."""
    height = 1.0 + 0.55 * (len(rows) + (1 if prediction else 0))
    figure = Figure(figsize=(7.0, max(2.2, height)), dpi=100)
    axes = figure.add_subplot()
    labels: list[tuple[float, str]] = []
    for i, row in enumerate(rows):
        y = len(rows) - i
        labels.append((y, row.label))
        if row.low is not None and row.high is not None:
            axes.plot([row.low, row.high], [y, y], color=BLACK if row.pooled else BLUE, lw=2)
        size = 8.0 if row.weight is None else 4.0 + 10.0 * row.weight
        axes.plot(
            [row.estimate],
            [y],
            marker="D" if row.pooled else "s",
            color=BLACK if row.pooled else BLUE,
            markersize=size,
        )
    if prediction is not None:
        axes.plot(list(prediction), [0.2, 0.2], color=GREY, lw=2, linestyle="--")
        labels.append((0.2, "Prediction interval"))
    axes.axvline(null_value, color=GREY, lw=1)
    axes.set_yticks([y for y, _ in labels], [text for _, text in labels])
    axes.set_ylim(-0.4 if prediction else 0.4, len(rows) + 0.6)
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_formatter(FuncFormatter(axis_tick))  # 12,000 not 12000
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def series_chart(
    periods: Sequence[Any],
    lines: Sequence[tuple[str, Sequence[float], str]],
    *,
    start: Any,
    ylabel: str,
) -> bytes:
    """A time series: each line is (label, values, style) with style "points" (observed
    values, joined), "fit" (a solid fitted line) or "dashed" (the earlier trend carried on);
    a vertical line marks the start of the initiative."""
    figure = Figure(figsize=(7.0, 3.6), dpi=100)
    axes = figure.add_subplot()
    colours = [BLUE, BLACK, GREY]
    for i, (label, values, style) in enumerate(lines):
        colour = colours[i % len(colours)]
        if style == "points":
            axes.plot(periods, values, marker="o", markersize=4, lw=1, color=colour, label=label)
        elif style == "fit":
            axes.plot(periods, values, lw=2, color=colour, label=label)
        else:
            axes.plot(periods, values, lw=1.5, linestyle="--", color=colour, label=label)
    axes.axvline(start, color=GREY, lw=1, linestyle=":")
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_formatter(FuncFormatter(axis_tick))  # 12,000 not 12000
    axes.legend(frameon=False, fontsize="small")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
