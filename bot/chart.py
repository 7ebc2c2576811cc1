"""The /stats chart: questions per day, stacked by outcome, as a PNG. CPU work: call it off the
event loop. It uses matplotlib's object API (no pyplot, no global figure state), which is safe in
worker threads."""

from __future__ import annotations

import io

from .stats import OUTCOMES, StatsReport

CHART_NAME = "stats.png"
COLOURS = {"answer": "#3ba55d", "related": "#faa61a", "none": "#99aab5"}
OTHER_COLOUR = "#5865f2"
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 3.6, 100  # 800 × 360 pixels: some tens of kilobytes
MAX_LABELS = 10


def render_chart(report: StatsReport) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    axes = figure.subplots()
    days = list(report.per_day)
    # Days as positions, not dates: one bar per day whatever the span, with at most MAX_LABELS labels.
    positions = range(len(days))
    bottom = [0] * len(days)
    for outcome in report.outcomes:
        counts = [report.per_day[day][outcome] for day in days]
        axes.bar(positions, counts, bottom=bottom, width=0.8, label=OUTCOMES.get(outcome, outcome),
                 color=COLOURS.get(outcome, OTHER_COLOUR))
        bottom = [below + count for below, count in zip(bottom, counts, strict=True)]
    step = -(-len(days) // MAX_LABELS)
    labelled = list(positions)[::-1][::step][::-1]  # always the last day, today
    axes.set_xticks(labelled, [days[i].strftime("%d %b") for i in labelled])
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*bottom, 1]) * 1.2)
    if not any(bottom):
        axes.text(0.5, 0.5, "no questions", transform=axes.transAxes, ha="center", va="center", color="#777777")
    axes.set_title(f"Questions per day by outcome, {report.first_day} to {report.last_day} (UTC)", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", frameon=False, ncols=len(report.outcomes))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
