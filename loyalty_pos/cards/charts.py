"""Charts for the manager's reports, as PNG bytes: liability over time, members per tier and the
top members by spend.

matplotlib is used through its object API with the Agg canvas only (never pyplot, never a GUI
backend), so drawing a chart touches no global state and is safe on a worker thread beside a Qt
window. matplotlib is imported on first use: the till window should not pay for it at start.

Money arrives as integer minor units; it becomes a float only here, as a plotting coordinate.
Names may be Chinese: the text font falls back to a CJK-capable font when the machine has one
(the same candidates as the receipt PDF).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ..core.money import format_money
from .receipt_pdf import CJK_TTF_CANDIDATES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_INCHES = 6.9     # an A4 page's text width
DPI = 200
LATIN_FAMILY = "DejaVu Sans"
POINTS_COLOUR = "#2f6db5"
STORED_VALUE_COLOUR = "#d9822b"
BAR_COLOUR = "#3c8d5a"
GRID_COLOUR = "#d0d0d0"
TOP_NAME_CHARS = 24


@functools.cache
def font_families() -> tuple[str, ...]:
    """Latin first, then a CJK font for the characters Latin lacks (registered once)."""
    from matplotlib import font_manager

    for path in CJK_TTF_CANDIDATES:
        if not path.is_file():
            continue
        try:
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):  # unreadable font: try the next one
            continue
        return (LATIN_FAMILY, name)
    return (LATIN_FAMILY,)


def _style() -> dict[str, Any]:
    return {"font.family": list(font_families()), "font.size": 8,
            "axes.spines.top": False, "axes.spines.right": False,
            "axes.edgecolor": "#555555", "text.color": "#1d1d1f"}


def _title(figure: Figure, title: str) -> None:
    """Left-aligned on the figure (not the axes), so every chart's title lines up. Regular
    weight: the CJK fallback font has no bold, and asking for it only logs warnings."""
    figure.suptitle(title, x=0.005, ha="left", fontsize=10.5)


def _render(draw: Any, height_inches: float) -> bytes:
    """Run `draw(figure)` on a fresh Agg figure with the house style; return the PNG."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(_style()):
        figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _major(minor: int) -> float:
    return minor / 100  # a plotting coordinate only; amounts shown as text use format_money


def _money_axis(axis: Any, symbol: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(
        lambda value, _pos: format_money(round(value * 100), symbol).removesuffix(".00")))


def _empty(figure: Figure, title: str, message: str) -> None:
    _title(figure, title)
    axes = figure.add_subplot()
    axes.text(0.5, 0.5, message, ha="center", va="center", color="#777777",
              transform=axes.transAxes)
    axes.set_axis_off()


def liability_chart(series: Sequence[tuple[date, int, int, int]], symbol: str = "") -> bytes:
    """Two lines over the days: what the outstanding points are worth, and stored value.

    `series` holds (day, points, points value, stored value) as ManagerReportService's
    liability_series returns it."""
    title = "Outstanding liability at the end of each day"

    def draw(figure: Figure) -> None:
        if not series:
            _empty(figure, title, "no days in the period")
            return
        axes = figure.add_subplot()
        days = [row[0] for row in series]
        axes.plot(days, [_major(row[2]) for row in series], color=POINTS_COLOUR,
                  linewidth=1.8, label="Points (at redemption value)",
                  marker="o" if len(series) < 40 else None, markersize=3)
        axes.plot(days, [_major(row[3]) for row in series], color=STORED_VALUE_COLOUR,
                  linewidth=1.8, label="Stored value",
                  marker="o" if len(series) < 40 else None, markersize=3)
        _title(figure, title)
        axes.set_ylim(bottom=min(0, *(_major(min(r[2], r[3])) for r in series)))
        _money_axis(axes.yaxis, symbol)
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
        figure.legend(loc="outside upper right", frameon=False, ncols=2)
        _date_axis(axes, days)
        last = series[-1]
        for value, colour in ((last[2], POINTS_COLOUR), (last[3], STORED_VALUE_COLOUR)):
            axes.annotate(format_money(value, symbol), (days[-1], _major(value)),
                          xytext=(4, 0), textcoords="offset points", va="center",
                          color=colour, fontsize=7, annotation_clip=False)

    return _render(draw, 2.5)


def tier_chart(tiers: Sequence[tuple[str, int]]) -> bytes:
    """Members per tier as bars, lowest tier first: (tier name, members)."""
    title = "Members per tier"

    def draw(figure: Figure) -> None:
        if not tiers:
            _empty(figure, title, "no tiers")
            return
        axes = figure.add_subplot()
        names = [name for name, _ in tiers]
        counts = [count for _, count in tiers]
        total = sum(counts) or 1
        bars = axes.bar(names, counts, color=BAR_COLOUR, width=0.6)
        axes.bar_label(bars, labels=[f"{c:,} ({_share(c, total)})" for c in counts],
                       padding=2, fontsize=7)
        _title(figure, title)
        axes.set_ylim(0, max(max(counts) * 1.18, 1))
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)

    return _render(draw, 1.9)


def top_members_chart(members: Sequence[tuple[str, int]], symbol: str = "") -> bytes:
    """Horizontal bars of net spend, the biggest spender on top: (member name, spend)."""
    title = "Top members by net spend"

    def draw(figure: Figure) -> None:
        if not members:
            _empty(figure, title, "no member purchases in the period")
            return
        axes = figure.add_subplot()
        names = [_short(name) for name, _ in members][::-1]
        spend = [_major(amount) for _, amount in members][::-1]
        bars = axes.barh(names, spend, color=POINTS_COLOUR, height=0.6)
        axes.bar_label(bars, labels=[format_money(a, symbol) for _, a in members][::-1],
                       padding=3, fontsize=7)
        _title(figure, title)
        axes.set_xlim(0, max(max(spend) * 1.2, 1))
        _money_axis(axes.xaxis, symbol)
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)

    return _render(draw, 0.8 + 0.2 * max(len(members), 1))


def _date_axis(axes: Any, days: list[date]) -> None:
    """Day ticks as '3 Mar' over short periods, months as 'Mar 2026' over long ones."""
    from matplotlib.dates import AutoDateLocator, DateFormatter, DayLocator

    span = (days[-1] - days[0]).days
    if span <= 1:
        axes.set_xticks(days)
        axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    elif span <= 120:
        axes.xaxis.set_major_locator(DayLocator(interval=max(1, span // 7)))
        axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    else:
        axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
        axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))


def _share(part: int, total: int) -> str:
    share = part / total
    return "under 0.1%" if 0 < share < 0.001 else f"{share:.1%}"


def _short(name: str) -> str:
    return name if len(name) <= TOP_NAME_CHARS else name[:TOP_NAME_CHARS - 1] + "…"
