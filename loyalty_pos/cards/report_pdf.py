"""The manager's reports as A4 PDFs: the day (Z) report, a member statement and the overview.

Database-free: each renderer reads a plain data object from services/manager_reports.py and
writes one file. Latin text is Helvetica; Chinese (member names, store names) is set in the CJK
font the receipt uses (`receipt_pdf.cjk_font`), run by run, so mixed text prints right.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..core.money import format_money
from .receipt_pdf import LATIN, LATIN_BOLD, draw_text, font_runs, text_width

if TYPE_CHECKING:
    from ..services.manager_reports import DayReportDocument, MemberStatement, OverviewData

__all__ = ["render_day_report_pdf", "render_member_statement_pdf", "render_overview_pdf"]

MARGIN = 16 * mm
FRAME_PADDING = 6  # reportlab's frame pads its content by 6 points on every side
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 2 * FRAME_PADDING
TEXT_LEFT = MARGIN + FRAME_PADDING
COLUMN_GAP = 8 * mm
HALF_WIDTH = (TEXT_WIDTH - COLUMN_GAP) / 2

INK = colors.HexColor("#1d1d1f")
MUTED = colors.HexColor("#6b6b70")
RULE = colors.HexColor("#c8c8cc")
BAND = colors.HexColor("#eef1f5")
ZEBRA = colors.HexColor("#f7f8fa")
ACCENT = colors.HexColor("#2f6db5")

TITLE = ParagraphStyle("title", fontName=LATIN_BOLD, fontSize=17, leading=21, textColor=INK)
SUBTITLE = ParagraphStyle("subtitle", fontName=LATIN, fontSize=9.5, leading=13,
                          textColor=MUTED)
SECTION = ParagraphStyle("section", fontName=LATIN_BOLD, fontSize=10, leading=13,
                         textColor=ACCENT, spaceBefore=2, spaceAfter=3)
CELL = ParagraphStyle("cell", fontName=LATIN, fontSize=8.8, leading=11, textColor=INK)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName=LATIN_BOLD)
CELL_SMALL = ParagraphStyle("cell_small", parent=CELL, fontSize=7.5, leading=9.5,
                            textColor=MUTED)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
NOTE = ParagraphStyle("note", fontName=LATIN, fontSize=7.5, leading=10, textColor=MUTED)


# -- text with CJK runs -----------------------------------------------------------------------


def markup(text: str) -> str:
    """Paragraph markup for `text`: XML-escaped, non-Latin runs in the CJK font."""
    return "".join(escape(chunk) if font == LATIN else f'<font name="{font}">{escape(chunk)}'
                   "</font>" for font, chunk in font_runs(text, LATIN))


def para(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(markup(text), style)


def money(minor: int, symbol: str) -> str:
    return format_money(minor, symbol)


def signed_money(minor: int, symbol: str) -> str:
    return ("+" if minor > 0 else "") + format_money(minor, symbol)


def count(value: int) -> str:
    return f"{value:,}"


def signed_count(value: int) -> str:
    return f"{value:+,}" if value else "0"


# -- building blocks --------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """A table cell with a second, smaller line under its text."""
    text: str
    detail: str


Row = tuple[str, str] | tuple[str, str, str]  # label, value[, style: "total" | "detail"]


def figures(rows: Sequence[Row], width: float = HALF_WIDTH) -> Table:
    """A label / amount list: the body of a Z-report section."""
    cells, commands = [], [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    for index, row in enumerate(rows):
        kind = row[2] if len(row) == 3 else ""
        if kind == "total":
            cells.append([para(row[0], CELL_BOLD), para(row[1], ParagraphStyle(
                "total_right", parent=CELL_BOLD, alignment=TA_RIGHT))])
            commands += [("LINEABOVE", (0, index), (-1, index), 0.8, INK),
                         ("BACKGROUND", (0, index), (-1, index), BAND)]
        elif kind == "detail":
            cells.append([para("    " + row[0], CELL_SMALL), para(row[1], ParagraphStyle(
                "detail_right", parent=CELL_SMALL, alignment=TA_RIGHT))])
        else:
            cells.append([para(row[0]), para(row[1], CELL_RIGHT)])
    table = Table(cells, colWidths=[width * 0.62, width * 0.38])
    table.setStyle(TableStyle(commands))
    return table


def grid(header: Sequence[str], rows: Sequence[Sequence[str | Cell]], widths: Sequence[float],
         *, right_from: int = 1, total_last: bool = False, repeat_header: bool = True,
         zebra: bool = True) -> Table:
    """A table with a header row; columns from `right_from` on are right-aligned numbers."""
    def cell(value: str | Cell, column: int, style: ParagraphStyle) -> Paragraph | list:
        if isinstance(value, Cell):
            return [para(value.text, style), para(value.detail, CELL_SMALL)]
        if column >= right_from:
            style = ParagraphStyle(style.name + "_r", parent=style, alignment=TA_RIGHT)
        return para(value, style)

    data = [[cell(h, i, CELL_BOLD) for i, h in enumerate(header)]]
    for r, row in enumerate(rows):
        last = total_last and r == len(rows) - 1
        data.append([cell(v, i, CELL_BOLD if last else CELL) for i, v in enumerate(row)])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
    ]
    if zebra:
        commands += [("BACKGROUND", (0, i), (-1, i), ZEBRA)
                     for i in range(2, len(data), 2)]
    if total_last and rows:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                     ("BACKGROUND", (0, -1), (-1, -1), BAND)]
    table = Table(data, colWidths=list(widths), repeatRows=1 if repeat_header else 0)
    table.setStyle(TableStyle(commands))
    return table


def section_items(title: str, *body: Flowable) -> list[Flowable]:
    return [para(title.upper(), SECTION), *body, Spacer(1, 5 * mm)]


def section(title: str, *body: Flowable) -> KeepTogether:
    """A titled block kept on one page (not for use inside a table cell)."""
    return KeepTogether(section_items(title, *body))


def two_columns(left: list[Flowable], right: list[Flowable]) -> Table:
    table = Table([[left, right]], colWidths=[HALF_WIDTH + COLUMN_GAP, HALF_WIDTH])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, 0), COLUMN_GAP),
                               ("RIGHTPADDING", (1, 0), (1, 0), 0)]))
    return table


def header_block(title: str, lines: Sequence[str]) -> list[Flowable]:
    return [para(title, TITLE), Spacer(1, 1.5 * mm),
            *(para(line, SUBTITLE) for line in lines if line), Spacer(1, 3 * mm),
            Rule(TEXT_WIDTH), Spacer(1, 4 * mm)]


class Rule(Flowable):
    """A thin horizontal line across the text width."""

    def __init__(self, width: float, thickness: float = 1.2) -> None:
        super().__init__()
        self.width, self.thickness = width, thickness

    def wrap(self, *_args: float) -> tuple[float, float]:
        return self.width, self.thickness

    def draw(self) -> None:
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 0, self.width, 0)


def png_image(png: bytes, width: float) -> Image:
    """A PNG scaled to `width`, keeping its aspect ratio (size read from the IHDR chunk)."""
    pixels_wide, pixels_high = struct.unpack(">II", png[16:24])
    return Image(io.BytesIO(png), width=width, height=width * pixels_high / pixels_wide)


def _footer(left: str) -> Callable[[Canvas, object], None]:
    def draw(canvas: Canvas, doc: object) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(TEXT_LEFT, 11 * mm, TEXT_LEFT + TEXT_WIDTH, 11 * mm)
        canvas.setFillColor(MUTED)
        draw_text(canvas, TEXT_LEFT, 7.5 * mm, left, LATIN, 7.5)
        page = f"page {canvas.getPageNumber()}"
        draw_text(canvas, TEXT_LEFT + TEXT_WIDTH - text_width(page, LATIN, 7.5), 7.5 * mm,
                  page, LATIN, 7.5)
        canvas.restoreState()

    return draw


def _build(path: str | Path, title: str, author: str, footer: str, story: list[Flowable]
           ) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=16 * mm, title=title, author=author)
    on_page = _footer(footer)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return path


def _long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# -- day (Z) report ---------------------------------------------------------------------------


def render_day_report_pdf(doc: DayReportDocument, path: str | Path) -> Path:
    r = doc.report
    s = doc.currency_symbol
    sales = figures([
        ("Sales (receipts)", count(r.sales_count)),
        ("Gross sales", money(doc.gross_sales, s)),
        ("Discounts", money(-r.discounts, s)),
        ("Sales total", money(r.sales_total, s), "total"),
        (f"Refunds ({count(r.refunds_count)})", money(-r.refunds_total, s)),
        ("Net sales", money(doc.net_sales, s), "total"),
    ])
    method_rows = doc.method_rows()
    payments = grid(
        ["Method", "Sales", "Refunds", "Net"],
        [[_method(m), money(taken, s), money(-back, s), money(net, s)]
         for m, taken, back, net in method_rows]
        + [["Total", money(sum(t for _, t, _, _ in method_rows), s),
            money(-sum(b for _, _, b, _ in method_rows), s),
            money(sum(n for _, _, _, n in method_rows), s)]],
        [HALF_WIDTH * 0.31, HALF_WIDTH * 0.23, HALF_WIDTH * 0.23, HALF_WIDTH * 0.23],
        total_last=True, zebra=False)
    drawer = grid(
        ["", "Cash", "Card terminal"],
        [[method_label, money(cash, s), money(card, s)] for method_label, cash, card in (
            ("Sales", r.payments.get("cash", 0), r.payments.get("card", 0)),
            ("Refunds", -doc.refunds_by_method.get("cash", 0),
             -doc.refunds_by_method.get("card", 0)),
            ("Stored-value top-ups", doc.top_ups_by_method.get("cash", 0),
             doc.top_ups_by_method.get("card", 0)),
            ("Expected", doc.expected_cash, doc.expected_card))],
        [HALF_WIDTH * 0.44, HALF_WIDTH * 0.28, HALF_WIDTH * 0.28], total_last=True,
        zebra=False)
    by_kind = r.points_by_kind
    issued_detail = [(label, signed_count(by_kind[kind]), "detail") for kind, label in (
        ("earn", "earned on sales"), ("referral", "referral rewards"),
        ("refund_restore", "given back by refunds"), ("adjust", "manager adjustments"))
        if by_kind.get(kind, 0) > 0]
    other = [(label, signed_count(v)) for label, v in doc.other_points()]
    points = figures([
        ("Issued", count(r.points_issued)), *issued_detail,
        ("Redeemed", count(r.points_redeemed)),
        ("Expired", count(r.points_expired)),
        *other,
        ("Net change", signed_count(sum(by_kind.values())), "total"),
    ])
    sv = r.stored_value_by_kind
    sv_other = [(label, signed_money(v, s)) for label, v in doc.other_stored_value()]
    stored = figures([
        ("Top-ups in", money(r.stored_value_in, s)),
        *((f"by {_method(m).lower()}", money(v, s), "detail")
          for m, v in sorted(doc.top_ups_by_method.items())),
        ("Paid with stored value", money(-r.stored_value_out, s)),
        ("Given back by refunds", money(sv.get("refund", 0), s)),
        *sv_other,
        ("Net change", signed_money(sum(sv.values()), s), "total"),
    ])
    liability = figures([
        ("Points outstanding", f"{count(r.points_liability)} pts"),
        (f"worth ({doc.redeem_points_per_major} pts = {money(100, s)})",
         money(r.points_liability_value, s), "detail"),
        ("Stored value outstanding", money(r.stored_value_liability, s)),
        ("Total liability", money(r.points_liability_value + r.stored_value_liability, s),
         "total"),
    ])
    tills = [] if not doc.tills else section_items("Tills", grid(
        ["Till", "Sales", "Total", "Refunds"],
        [[t.label, count(t.sales_count), money(t.sales_total, s),
          money(-t.refunds_total, s)] for t in doc.tills],
        [HALF_WIDTH * 0.34, HALF_WIDTH * 0.16, HALF_WIDTH * 0.25, HALF_WIDTH * 0.25],
        zebra=False))
    left = [*section_items("Sales", sales), *tills,
            *section_items("Payments by method", payments),
            *section_items("Drawer (excluding the opening float)", drawer)]
    right = [*section_items("Points", points), *section_items("Stored value", stored),
             *section_items("Liability at close", liability)]
    notes = [*(f"Note: {note}." for note in r.notes),
             "Amounts in sales are after discounts; refunds are the refunds made on this day "
             "(of sales of any day). Points paid: money the redeemed points paid for."]
    signature = Table([["Drawer counted by", "", "Manager", ""]],
                      colWidths=[30 * mm, 55 * mm, 22 * mm, 55 * mm])
    signature.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), LATIN, 8.5),
                                   ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
                                   ("LINEBELOW", (1, 0), (1, 0), 0.5, INK),
                                   ("LINEBELOW", (3, 0), (3, 0), 0.5, INK),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 14)]))
    story = [
        *header_block(f"Day report (Z) – {_long_day(r.day)}", [
            f"{doc.store_name} ({doc.store_code})" + (f", {doc.store_address}"
                                                       if doc.store_address else ""),
            f"{doc.scope_title} · printed {doc.generated_at:%Y-%m-%d %H:%M}"]),
        two_columns(left, right),
        *(para(note, NOTE) for note in notes),
        Spacer(1, 8 * mm), signature,
    ]
    return _build(path, f"Day report {r.day} {doc.scope_title}", doc.store_name,
                  f"{doc.store_name} · Day report {r.day} · {doc.scope_title}", story)


def _method(method: str) -> str:
    return {"cash": "Cash", "card": "Card terminal", "stored_value": "Stored value",
            "points": "Points paid"}.get(method, method.replace("_", " ").capitalize())


# -- member statement -------------------------------------------------------------------------


def render_member_statement_pdf(st: MemberStatement, path: str | Path) -> Path:
    s = st.currency_symbol
    details = [
        f"{st.store_name} · statement from {st.since:%d %b %Y} to {st.until:%d %b %Y}",
        " · ".join(part for part in (
            f"Member no. {st.member_id}", f"card {st.card_number}" if st.card_number else "",
            st.phone, f"tier {st.tier_name}",
            f"status {st.status}" if st.status != "active" else "") if part),
        f"Printed {st.generated_at:%Y-%m-%d %H:%M}",
    ]
    points_in = sum(line.points for line in st.lines if line.points > 0)
    points_out = sum(line.points for line in st.lines if line.points < 0)
    sv_in = sum(line.stored_value for line in st.lines if line.stored_value > 0)
    sv_out = sum(line.stored_value for line in st.lines if line.stored_value < 0)
    third = TEXT_WIDTH / 3
    summary = grid(["", "Points", "Stored value"], [
        [f"Opening balance, {st.since:%d %b %Y}", count(st.opening_points),
         money(st.opening_stored_value, s)],
        ["In", signed_count(points_in), signed_money(sv_in, s)],
        ["Out", signed_count(points_out), signed_money(sv_out, s)],
        [f"Closing balance, {st.until:%d %b %Y}", count(st.closing_points),
         money(st.closing_stored_value, s)],
    ], [third, third, third], total_last=True, zebra=False)
    widths = [29 * mm, TEXT_WIDTH - 29 * mm - 4 * 21 * mm, 21 * mm, 21 * mm, 21 * mm,
              21 * mm]
    movement_rows = [[f"{st.since:%Y-%m-%d}", "Opening balance", "", count(st.opening_points),
                      "", money(st.opening_stored_value, s)]]
    movement_rows += [[
        f"{line.at:%Y-%m-%d %H:%M}",
        Cell(line.description, line.detail) if line.detail else line.description,
        signed_count(line.points) if line.points else "", count(line.points_balance),
        signed_money(line.stored_value, s) if line.stored_value else "",
        money(line.stored_value_balance, s)] for line in st.lines]
    movement_rows.append([f"{st.until:%Y-%m-%d}", "Closing balance", "",
                          count(st.closing_points), "", money(st.closing_stored_value, s)])
    movements = grid(["Date", "Movement", "Points", "Balance", "Stored value", "Balance"],
                     movement_rows, widths, right_from=2, total_last=True)
    if st.expiring:
        expiring: Flowable = grid(
            ["Expires at the end of", "Points"],
            [[f"{lot.expires_on:%A %d %B %Y}", count(lot.points)] for lot in st.expiring]
            + [["Total expiring in the next 90 days", count(st.expiring_total)]],
            [TEXT_WIDTH * 0.6, TEXT_WIDTH * 0.2], total_last=True, zebra=False)
    else:
        expiring = para("No points expire in the next 90 days.", CELL)
    story = [
        *header_block(f"Member statement – {st.name}", details),
        section("Summary", summary),
        para("MOVEMENTS", SECTION), movements, Spacer(1, 5 * mm),
        section("Points expiring soon", expiring,
                Spacer(1, 2 * mm),
                para("Points are valid through their expiry day and are used soonest-expiry "
                     f"first. {st.redeem_points_per_major} points pay for {money(100, s)}. "
                     "Stored value never expires.", NOTE)),
    ]
    return _build(path, f"Statement {st.name} {st.since} to {st.until}", st.store_name,
                  f"{st.store_name} · member statement · {st.name}", story)


# -- overview ---------------------------------------------------------------------------------


def render_overview_pdf(data: OverviewData, charts: Sequence[bytes], path: str | Path) -> Path:
    """The overview: key figures, the charts (liability, tiers, top members) and the table."""
    s = data.currency_symbol
    tiles = [
        ("Members", count(data.members), "not erased or merged"),
        ("Sales in period", money(data.sales_total, s),
         f"{count(data.sales_count)} receipts, refunds {money(data.refunds_total, s)}"),
        ("Points liability", "-", ""),
        ("Stored value liability", "-", ""),
    ]
    if data.liability:
        first, last = data.liability[0], data.liability[-1]
        tiles[2] = ("Points liability", money(last.points_value, s),
                    f"{count(last.points)} pts\n"
                    f"{signed_money(last.points_value - first.points_value, s)} since "
                    f"{first.day:%d %b}")
        tiles[3] = ("Stored value liability", money(last.stored_value, s),
                    f"{signed_money(last.stored_value - first.stored_value, s)} since "
                    f"{first.day:%d %b}")
    tile_width = TEXT_WIDTH / 4
    tile_style = ParagraphStyle("tile_value", fontName=LATIN_BOLD, fontSize=13, leading=16,
                                textColor=INK)
    tile_table = Table([[[para(name.upper(), CELL_SMALL), para(value, tile_style),
                          *(para(line, CELL_SMALL) for line in note.splitlines())]
                         for name, value, note in tiles]],
                       colWidths=[tile_width] * 4)
    tile_table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BAND), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6)]))
    story: list[Flowable] = [
        *header_block("Loyalty overview", [
            data.store_name,
            f"{data.since:%d %b %Y} to {data.until:%d %b %Y} · printed "
            f"{data.generated_at:%Y-%m-%d %H:%M}"]),
        tile_table, Spacer(1, 6 * mm),
    ]
    for png in charts:
        story += [png_image(png, TEXT_WIDTH), Spacer(1, 4 * mm)]
    if data.top_members:
        rows = [[str(rank), t.member.name, _tier_name(data, t.member.tier_code),
                 money(t.spend, s), count(t.points)]
                for rank, t in enumerate(data.top_members, start=1)]
        story.append(section("Top members", grid(
            ["#", "Member", "Tier", "Net spend", "Points earned"], rows,
            [10 * mm, TEXT_WIDTH - 10 * mm - 3 * 32 * mm, 32 * mm, 32 * mm, 32 * mm],
            right_from=3)))
    story.append(para("Liability is what the members' balances are worth at the end of each "
                      "day, over every entry this till holds. Points are valued at the current "
                      "redemption rate. Net spend is sales minus refunds made in the period.",
                      NOTE))
    return _build(path, f"Loyalty overview {data.since} to {data.until}", data.store_name,
                  f"{data.store_name} · loyalty overview {data.since} to {data.until}", story)


def _tier_name(data: OverviewData, code: str) -> str:
    return next((name for c, name, _ in data.tiers if c == code), code)
