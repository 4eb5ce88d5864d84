"""Charts of the head-office reports, as PNG bytes, in the till reports' house style.

Built on cards/charts.py: its Agg-only rendering (`_render`: no pyplot, no GUI backend, safe on
any thread), fonts with the CJK fallback, colours, money and date axes; `tier_chart` is used
as it is. matplotlib is imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..cards import charts
from ..cards.charts import (
    BAR_COLOUR,
    GRID_COLOUR,
    POINTS_COLOUR,
    STORED_VALUE_COLOUR,
    _date_axis,
    _empty,
    _major,
    _money_axis,
    _render,
    _short,
    _title,
)
from ..core.money import format_money
from .reports import CohortRow, LiabilityRow, RedemptionRow, ReferralRow, SegmentRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STORE_LINES = 8   # stores drawn one by one; more stores: the chain total only
TOP_REFERRERS = 12

tier_chart = charts.tier_chart


def liability_chart(stores: Sequence[LiabilityRow], chain: Sequence[LiabilityRow]) -> bytes:
    """Points (top) and stored value (bottom) outstanding at the end of each day: the chain
    total, and each store while there are few enough to tell apart."""
    title = "Outstanding liability at the end of each day"

    def draw(figure: Figure) -> None:
        if not chain:
            _empty(figure, title, "no ledger entries in the period")
            return
        _title(figure, title)
        points_axes, money_axes = figure.subplots(2, 1, sharex=True)
        codes = sorted({row.store for row in stores})
        days = [row.day for row in chain]
        many = len(days) >= 40
        for axes, value, colour, label in (
                (points_axes, lambda r: r.points, POINTS_COLOUR, "Points"),
                (money_axes, lambda r: _major(r.stored_value), STORED_VALUE_COLOUR,
                 "Stored value")):
            axes.plot(days, [value(r) for r in chain], color=colour, linewidth=2.2,
                      label=f"{label}, chain" if len(codes) > 1 else label,
                      marker=None if many else "o", markersize=3)
            if 1 < len(codes) <= STORE_LINES:
                for index, code in enumerate(codes):
                    series = [r for r in stores if r.store == code]
                    axes.plot([r.day for r in series], [value(r) for r in series],
                              linewidth=1, alpha=0.85, color=f"C{index + 2}", label=code,
                              linestyle="--")
            axes.set_ylim(bottom=min(0, *(value(r) for r in stores or chain)))
            axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
            axes.legend(loc="upper left", frameon=False, fontsize=7, ncols=5)
            axes.set_ylabel(label)
        _money_axis(money_axes.yaxis, "")
        from matplotlib.ticker import FuncFormatter

        points_axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
        _date_axis(money_axes, days)

    return _render(draw, 4.2)


def redemption_chart(rows: Sequence[RedemptionRow]) -> bytes:
    """Redemption and expiry rate per store (and the chain), as paired bars in percent."""
    title = "Redemption and expiry rates (share of net points earned)"

    def draw(figure: Figure) -> None:
        shown = [r for r in rows if r.redemption_rate is not None]
        if not shown:
            _empty(figure, title, "no points earned in the period")
            return
        _title(figure, title)
        axes = figure.add_subplot()
        positions = range(len(shown))
        width = 0.38
        for offset, attribute, colour, label in (
                (-width / 2, "redemption_rate", POINTS_COLOUR, "Redeemed"),
                (width / 2, "expiry_rate", STORED_VALUE_COLOUR, "Expired")):
            values = [100 * (getattr(r, attribute) or 0) for r in shown]
            bars = axes.bar([p + offset for p in positions], values, width, color=colour,
                            label=label)
            axes.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=2, fontsize=7)
        axes.set_xticks(list(positions), [r.store for r in shown])
        top = max(100 * max(r.redemption_rate or 0, r.expiry_rate or 0) for r in shown)
        axes.set_ylim(0, max(top * 1.2, 1))
        from matplotlib.ticker import MaxNLocator

        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        axes.yaxis.set_major_formatter("{x:.0f}%")
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)
        figure.legend(loc="outside upper right", frameon=False, ncols=2)

    return _render(draw, 2.4)


def referral_chart(rows: Sequence[ReferralRow]) -> bytes:
    """The referrers whose referred members spent the most (net), biggest on top."""
    title = "Top referrers by their referred members' net spend"
    top = list(rows[:TOP_REFERRERS])

    def draw(figure: Figure) -> None:
        if not top:
            _empty(figure, title, "no referred members in the period")
            return
        _title(figure, title)
        axes = figure.add_subplot()
        names = [_short(f"{r.referrer_name or r.referrer_uuid[:8]} ({r.referred})")
                 for r in top][::-1]
        spend = [_major(r.net_spend) for r in top][::-1]
        bars = axes.barh(names, spend, color=BAR_COLOUR, height=0.6)
        axes.bar_label(bars, labels=[format_money(r.net_spend) for r in top][::-1],
                       padding=3, fontsize=7)
        axes.set_xlim(min(0, *spend), max(max(spend) * 1.25, 1))
        _money_axis(axes.xaxis, "")
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)

    return _render(draw, 0.9 + 0.22 * max(len(top), 1))


def segment_chart(segments: Sequence[SegmentRow]) -> bytes:
    """Members per RFM segment, horizontal bars in segment order."""
    title = "Members per segment (RFM)"

    def draw(figure: Figure) -> None:
        total = sum(s.members for s in segments)
        if not total:
            _empty(figure, title, "no member sales in the period")
            return
        _title(figure, title)
        axes = figure.add_subplot()
        names = [s.segment for s in segments][::-1]
        counts = [s.members for s in segments][::-1]
        bars = axes.barh(names, counts, color=POINTS_COLOUR, height=0.6)
        axes.bar_label(bars, labels=[f"{c:,} ({c / total:.0%})" for c in counts], padding=3,
                       fontsize=7)
        axes.set_xlim(0, max(counts) * 1.25)
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)

    return _render(draw, 2.2)


def cohort_chart(rows: Sequence[CohortRow]) -> bytes:
    """Retention as a heat map: enrolment months down, months since enrolment across."""
    title = "Share of each enrolment month's members buying, by months since enrolment"

    def draw(figure: Figure) -> None:
        if not rows:
            _empty(figure, title, "no members enrolled in the period")
            return
        _title(figure, title)
        cohorts = sorted({r.cohort for r in rows})
        months = max(r.month for r in rows) + 1
        import numpy

        grid = numpy.full((len(cohorts), months), numpy.nan)
        for r in rows:
            grid[cohorts.index(r.cohort), r.month] = 100 * (r.share or 0)
        axes = figure.add_subplot()
        image = axes.imshow(grid, cmap="Blues", vmin=0, vmax=100, aspect="auto")
        if len(cohorts) * months <= 300:
            for (y, x), value in numpy.ndenumerate(grid):
                if not numpy.isnan(value):
                    axes.text(x, y, f"{value:.0f}%", ha="center", va="center", fontsize=6.5,
                              color="white" if value > 60 else "#1d1d1f")
        axes.set_xticks(range(months), [f"M{k}" for k in range(months)])
        axes.set_yticks(range(len(cohorts)), cohorts)
        axes.tick_params(length=0)
        for side in ("left", "bottom"):
            axes.spines[side].set_visible(False)
        figure.colorbar(image, ax=axes, shrink=0.8, format="{x:.0f}%")

    return _render(draw, 1.2 + 0.22 * min(max(len({r.cohort for r in rows}), 1), 30))
