"""A member's data export (subject access request) as a readable, paginated A4 PDF.

Database-free: it reads the dict made by `MemberAdminService.export` and writes one file.
Sections are tables whose header row repeats on every page; pages are numbered. Chinese (and
other non-Latin) text is set in the CJK font of the receipts (`receipt_pdf.cjk_font`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from ..core.money import format_money
from .receipt_pdf import LATIN, LATIN_BOLD, font_runs

MARGIN = 15 * mm
BODY = ParagraphStyle("body", fontName=LATIN, fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.5, leading=9)
HEAD = ParagraphStyle("head", parent=CELL, fontName=LATIN_BOLD)
SECTION = ParagraphStyle("section", parent=BODY, fontName=LATIN_BOLD, fontSize=12, leading=15,
                         spaceBefore=8, spaceAfter=4, keepWithNext=1)
TITLE = ParagraphStyle("title", parent=BODY, fontName=LATIN_BOLD, fontSize=16, leading=20,
                       spaceAfter=6)
TABLE_STYLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
])


def _markup(value: object, font: str) -> str:
    """Paragraph markup with non-Latin runs in the CJK font."""
    text = "" if value is None else str(value)
    return "".join(f'<font name="{run_font}">{escape(chunk)}</font>'
                   for run_font, chunk in font_runs(text, font))


def _para(value: object, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(_markup(value, style.fontName), style)


def _money(minor: object) -> str:
    return format_money(int(minor)) if isinstance(minor, int) else ""


def _points(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


def _when(value: object) -> str:
    """ISO timestamps shortened to the minute (stored times are UTC)."""
    text = str(value or "")
    return text[:16].replace("T", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float]) -> list[Any]:
    if not rows:
        return [_para("(none)", BODY)]
    total = sum(widths)
    usable = A4[0] - 2 * MARGIN
    col_widths = [usable * w / total for w in widths]
    data = [[_para(h, HEAD) for h in header]] + [[_para(v) for v in row] for row in rows]
    table = LongTable(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TABLE_STYLE)
    return [table]


def _section(title: str, header: Sequence[str], rows: Sequence[Sequence[object]],
             widths: Sequence[float]) -> list[Any]:
    return [_para(title, SECTION), *_table(header, rows, widths)]


def _profile_rows(profile: dict[str, Any]) -> list[tuple[str, object]]:
    return [
        ("Member number", profile["id"]), ("Name", profile["name"]),
        ("Phone", profile["phone"] or ""), ("Email", profile["email"] or ""),
        ("Birthday", profile["birthday"] or ""), ("Notes", profile["notes"]),
        ("Status", profile["status"]), ("Tier", profile["tier_name"]),
        ("Points balance", _points(profile["points_balance"])),
        ("Stored value balance", _money(profile["stored_value_balance"])),
        ("Referral code", profile["referral_code"]),
        ("Referred by member", profile["referred_by_id"] or ""),
        ("Enrolled", _when(profile["enrolled_at"])),
        ("Enrolled at till", profile["enrolled_till"] or ""),
        ("First purchase", _when(profile["first_purchase_at"])),
        ("Merged into member", profile["merged_into_id"] or ""),
        ("Erased", _when(profile["erased_at"])),
        ("Member id (UUID)", profile["uuid"]),
    ]


def _story(data: dict[str, Any]) -> list[Any]:
    member = data["member"]
    story: list[Any] = [
        _para(f"Member data export: {member['name']}", TITLE),
        _para(f"Everything till {data['till']['number']} ({data['till']['name']}) holds about "
              f"member {member['id']}, exported {_when(data['exported_at'])} UTC. Money in "
              "major units, times in UTC.", BODY),
        Spacer(1, 4),
        *_section("Profile", ("Field", "Value"), _profile_rows(member), (1, 3)),
    ]
    for merged in data["merged_records"]:
        story += _section(f"Merged record: member {merged['id']}", ("Field", "Value"),
                          _profile_rows(merged), (1, 3))
    story += _section("Cards", ("Member", "Card number", "Status", "Issued", "Blocked",
                                "Reason"),
                      [(c["member_id"], c["number"], c["status"], _when(c["issued_at"]),
                        _when(c["blocked_at"]), c["block_reason"] or "")
                       for c in data["cards"]], (1, 2.2, 1.2, 2, 2, 3))
    story += _section("Consents", ("Member", "Kind", "Action", "Version", "At", "Till",
                                   "Staff", "Text SHA-256"),
                      [(c["member_id"], c["kind"], c["action"], c["agreement_version"] or "",
                        _when(c["at"]), c["till"], c["staff"] or "",
                        (c["text_sha256"] or "")[:16])
                       for c in data["consents"]], (1, 2, 1.2, 1.2, 2, 0.8, 1.8, 2.2))
    sale_rows = []
    for sale in data["sales"]:
        sale_rows.append((sale["receipt_code"], _when(sale["at"]), sale["member_id"],
                          _money(sale["total"]), _points(sale["points_earned"]),
                          _points(sale["points_redeemed"]),
                          ", ".join(f"{p['method']} {_money(p['amount'])}"
                                    for p in sale["payments"])))
        sale_rows += [("", "", "", _money(line["net"]), "", "",
                       f"{line['quantity']} x {line['name']} @ {_money(line['unit_price'])}")
                      for line in sale["lines"]]
    story += _section("Sales", ("Receipt", "At", "Member", "Total", "Points earned",
                                "Points redeemed", "Payments / lines"),
                      sale_rows, (1.8, 1.8, 0.9, 1.2, 1.1, 1.1, 4))
    story += _section("Refunds", ("Receipt", "At", "Sale", "Amount", "Points back",
                                  "Points given", "Stored value", "Reason"),
                      [(r["receipt_code"], _when(r["at"]), r["sale_id"][:8],
                        _money(r["amount"]), _points(r["points_taken_back"]),
                        _points(r["points_given_back"]), _money(r["stored_value_given_back"]),
                        r["reason"])
                       for r in data["refunds"]], (1.8, 1.8, 1.1, 1.1, 1, 1, 1.1, 2.5))
    for ledger, title, fmt in (("points", "Points ledger", _points),
                               ("stored_value", "Stored value ledger", _money)):
        story += _section(title, ("Member", "At", "Kind", "Amount", "Balance", "Expires",
                                  "Reason"),
                          [(e["member_id"], _when(e["at"]), e["kind"], fmt(e["amount"]),
                            fmt(e["balance"]), e["expires_on"] or "", e["reason"] or "")
                           for e in data["ledger_entries"] if e["ledger"] == ledger],
                          (0.9, 1.8, 1.6, 1.1, 1.1, 1.3, 3.5))
    story += _section("Points lots", ("Member", "Earned on", "Expires on", "Points",
                                      "Remaining"),
                      [(lot["member_id"], lot["earned_on"], lot["expires_on"],
                        _points(lot["points"]), _points(lot["remaining"]))
                       for lot in data["lots"]], (1, 2, 2, 1.5, 1.5))
    story += _section("Tier history", ("Member", "At", "From", "To", "Spend", "Reason"),
                      [(t["member_id"], _when(t["at"]), t["from"] or "", t["to"],
                        _money(t["spend"]), t["reason"])
                       for t in data["tier_history"]], (0.9, 1.8, 1, 1, 1.2, 5))
    story += _section("Audit log", ("At", "Staff", "Action", "Target", "Details"),
                      [(_when(a["at"]), a["staff"] or "", a["action"], a["target"],
                        "; ".join(f"{k}: {v}" for k, v in sorted(a["details"].items())))
                       for a in data["audit"]], (1.8, 1.5, 1.6, 1.8, 5))
    story += _section("Messages for head office", ("Created", "Topic", "Sent", "Content"),
                      [(_when(o["created_at"]), o["topic"], _when(o["sent_at"]),
                        "; ".join(f"{k}: {v}" for k, v in sorted(o["payload"].items())))
                       for o in data["outbox"]], (1.8, 1, 1.8, 7))
    return story


def _page_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(LATIN, 7)
    canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"Page {doc.page}")
    canvas.drawString(MARGIN, 8 * mm, doc.title)
    canvas.restoreState()


def render_member_export_pdf(data: dict[str, Any], path: str | Path) -> Path:
    """Write the export to `path` (folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    member = data["member"]
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=f"Member {member['id']} data export",
                            author=f"Till {data['till']['number']}")
    doc.build(_story(data), onFirstPage=_page_footer, onLaterPages=_page_footer)
    return path
