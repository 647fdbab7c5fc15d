"""Server-rendered SVG charts (matplotlib), always shown next to a data table of the same numbers.

No pyplot: a bare `Figure` renders straight to SVG without choosing a GUI backend, keeps no
global state between requests, and is safe in threads. Text stays text
(`svg.fonttype='none'`) in Arial, so it is sharp, selectable and small.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import matplotlib.dates as mdates
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from whatworks.measures.selectors import Series
from whatworks.ui.numbers import axis_tick

RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 11,
    # Stable element ids: the same data gives the same bytes (and the same ETag).
    "svg.hashsalt": "whatworks-measures",
    # Names and labels are people's text: a "$" must not start mathtext (or raise).
    "text.parse_math": False,
    "text.usetex": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#b1b4b6",
    "grid.linewidth": 0.5,
}
# GOV.UK colours with enough contrast on white; shapes and dashes too, so that
# no series is told apart by colour alone.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#505a5f"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
LINESTYLES = ["-", "--", "-.", ":", "-", "--"]

_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")


def series_svg(series: Series) -> bytes:
    metric = series.metric
    scale = 100.0 if metric.is_proportion else 1.0
    with rc_context(RC):  # type: ignore[arg-type]
        figure = Figure(figsize=(8, 4.2), layout="constrained")
        axes = figure.add_subplot()
        if series.is_empty:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "No figures yet", ha="center", va="center", fontsize=14)
        else:
            for i, name in enumerate(series.organisations):
                points = [
                    (period, series.values[(period, name)] * scale)
                    for period in series.periods
                    if (period, name) in series.values
                ]
                if not points:
                    continue
                xs, ys = zip(*points, strict=True)
                axes.plot(
                    xs,
                    ys,
                    label=name,
                    color=COLOURS[i % len(COLOURS)],
                    marker=MARKERS[i % len(MARKERS)],
                    linestyle=LINESTYLES[i % len(LINESTYLES)],
                    linewidth=2,
                    markersize=5,
                )
            # One period gives AutoDateLocator no range to choose ticks from.
            locator: mdates.DateLocator = (
                mdates.AutoDateLocator(maxticks=8)
                if len(series.periods) > 1
                else mdates.DayLocator()
            )
            axes.xaxis.set_major_locator(locator)
            axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            axes.set_ylabel(metric.axis_label)
            axes.yaxis.set_major_formatter(FuncFormatter(axis_tick))  # 12,000 not 12000
            axes.set_xlabel("Period starting")
            if metric.is_proportion:
                axes.set_ylim(bottom=0)
            if len(series.organisations) > 1:
                axes.legend(frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _label(buffer.getvalue(), series.summary())


def _label(svg: bytes, summary: str) -> bytes:
    """Give the SVG an accessible name, for when it is opened on its own."""
    match = _SVG_OPEN.search(svg)
    if match is None:  # pragma: no cover - matplotlib always writes one
        return svg
    opening = match.group(0)[:-1] + f' role="img" aria-label={quoteattr(summary)}>'.encode()
    title = f"<title>{escape(summary)}</title>".encode()
    return svg[: match.start()] + opening + title + svg[match.end() :]
