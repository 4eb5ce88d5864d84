"""The head-office reports as one A4 PDF: each report on its own page(s) with its chart and
table, in the layout of the till's report PDFs (cards/report_pdf.py: styles, tables, header,
footer and page numbers are reused from there).

Long tables are cut to PDF_ROWS rows (the CSV and the terminal have them all); the liability
table shows the last day, the chart every day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from ..cards.report_pdf import (
    NOTE,
    SECTION,
    SUBTITLE,
    TEXT_WIDTH,
    _build,
    grid,
    header_block,
    para,
    png_image,
)
from ..core.money import format_money
from . import report_charts
from .report_tables import PDF_ROWS, ReportResult

COHORT_MONTHS = 13   # M0..M12 in the PDF table; the heat map shows every month
TOP_RFM_MEMBERS = 20
MM = 72 / 25.4


def render_reports_pdf(results: Sequence[ReportResult], path: str | Path,
                       generated_at: datetime | None = None) -> Path:
    """One PDF holding every report of `results`, in order."""
    generated_at = generated_at or datetime.now(UTC)
    title = ("Head office reports" if len(results) != 1
             else f"Head office report – {results[0].title}")
    story: list[Flowable] = header_block(title, [
        "Loyalty POS, all tills of the chain (entries of kind remote_sync left out)",
        f"Printed {generated_at:%Y-%m-%d %H:%M} UTC · days are UTC days"])
    for index, result in enumerate(results):
        if index:
            story.append(PageBreak())
        story += _report(result)
    return _build(path, title, "Loyalty POS head office",
                  f"Loyalty POS head office · {title}", story)


def _report(result: ReportResult) -> list[Flowable]:
    heading = [para(result.title.upper(), SECTION), para(result.period, SUBTITLE),
               Spacer(1, 3 * MM)]
    body = _BODIES.get(result.name, _plain)(result)
    notes = [Spacer(1, 2 * MM), *(para(note, NOTE) for note in result.notes)]
    return [KeepTogether(heading + body[:1]), *body[1:], *notes]


def _chart(png: bytes) -> list[Flowable]:
    return [png_image(png, TEXT_WIDTH), Spacer(1, 4 * MM)]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1,
           first: float = 0.24, shares: Sequence[float] = ()) -> list[Flowable]:
    """A grid cut to PDF_ROWS: column widths as `shares` of the text width, or else the
    first column `first` of it and the others alike."""
    if not rows:
        return [para("Nothing to report for this period.", SUBTITLE)]
    if not shares:
        rest = (1 - first) / max(len(header) - 1, 1)
        shares = [first] + [rest] * (len(header) - 1)
    widths = [TEXT_WIDTH * part for part in shares]
    shown = list(rows[:PDF_ROWS])
    flowables: list[Flowable] = [grid(header, shown, widths, right_from=right_from)]
    if len(rows) > PDF_ROWS:
        flowables.append(para(f"{len(rows) - PDF_ROWS:,} more rows in the CSV "
                              "(loyalty-headoffice report ... --csv FILE).", NOTE))
    return flowables


def _plain(result: ReportResult) -> list[Flowable]:
    return _table(result.header, result.table, result.right_from)


def _liability(result: ReportResult) -> list[Flowable]:
    chain = result.extra.get("chain", [])
    stores = result.extra.get("stores", [])
    flowables = _chart(report_charts.liability_chart(stores, chain))
    if not chain:
        return [*flowables, *_table(result.header, [])]
    last = chain[-1].day
    closing = [r for r in result.rows if r.day == last]
    return [*flowables, para(f"Outstanding at the end of {last:%d %B %Y}", SUBTITLE),
            Spacer(1, 1.5 * MM),
            *_table(("Store", "Points", "Stored value"),
                    [(r.store, f"{r.points:,}", format_money(r.stored_value))
                     for r in closing], first=0.4)]


def _tiers(result: ReportResult) -> list[Flowable]:
    chain = [(r.tier_name, r.members) for r in result.rows if r.store == "ALL"]
    return [*_chart(report_charts.tier_chart(chain)), *_plain(result)]


def _redemption(result: ReportResult) -> list[Flowable]:
    return [*_chart(report_charts.redemption_chart(result.rows)),
            *_table(result.header, result.table, first=0.16)]


def _referrals(result: ReportResult) -> list[Flowable]:
    return [*_chart(report_charts.referral_chart(result.rows)),
            *_table(result.header, result.table, right_from=2, first=0.2)]


def _rfm(result: ReportResult) -> list[Flowable]:
    segments = result.extra.get("segments", [])
    flowables = [*_chart(report_charts.segment_chart(segments)),
                 *_table(result.header, result.table, right_from=2,
                         shares=(0.17, 0.47, 0.12, 0.1, 0.14))]
    if result.rows:
        flowables += [Spacer(1, 5 * MM), para(
            f"Best {min(TOP_RFM_MEMBERS, len(result.rows))} members by R + F + M", SUBTITLE),
            Spacer(1, 1.5 * MM)]
        flowables += _table(
            ("Member", "Last sale", "Days", "Sales", "Net spend", "R", "F", "M", "Segment"),
            [(r.name or r.member_uuid[:8], r.last_sale.isoformat(), f"{r.recency_days:,}",
              f"{r.frequency:,}", format_money(r.monetary), str(r.r), str(r.f), str(r.m),
              r.segment) for r in result.rows[:TOP_RFM_MEMBERS]], right_from=2,
            shares=(0.2, 0.13, 0.08, 0.08, 0.13, 0.05, 0.05, 0.05, 0.23))
    return flowables


def _cohorts(result: ReportResult) -> list[Flowable]:
    columns = 2 + COHORT_MONTHS
    header = result.header[:columns]
    table = [row[:columns] for row in result.table]
    flowables = [*_chart(report_charts.cohort_chart(result.rows)),
                 *_table(header, table, first=0.1)]
    if len(result.header) > columns:
        flowables.append(para(f"Months after M{COHORT_MONTHS - 1}: in the chart and the CSV.",
                              NOTE))
    return flowables


_BODIES = {"liability": _liability, "tiers": _tiers, "redemption": _redemption,
           "referrals": _referrals, "rfm": _rfm, "cohorts": _cohorts}
