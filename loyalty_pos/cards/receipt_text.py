"""What a receipt says, row by row, shared by the PDF and the ESC/POS printer.

`receipt_rows` decides the content once; `format_receipt_text` lays the rows out in fixed-width
columns for a thermal printer (a CJK character takes two columns there), and the PDF renderer
draws the same rows with real fonts. So both outputs always say the same things.

Database-free: it reads a `ReceiptData` and nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.money import format_money

if TYPE_CHECKING:
    from ..services.receipts import ReceiptData, ReceiptPayment

# Row styles
TITLE = "title"      # store name: bold, large, centred
CENTER = "center"    # centred text (address, thank you)
BANNER = "banner"    # bold centred (REFUND)
PAIR = "pair"        # text left, amount right
DETAIL = "detail"    # indented, smaller: quantity x price, discounts, promotions
TOTAL = "total"      # bold, large pair
HEADING = "heading"  # bold left text
TEXT = "text"        # plain left text, wrapped
RULE = "rule"        # a dashed line across

PAYMENT_LABELS = {"cash": "Cash", "card": "Card", "stored_value": "Stored value",
                  "points": "Points"}


@dataclass(frozen=True)
class Row:
    left: str = ""
    right: str = ""
    style: str = PAIR


# -- content --------------------------------------------------------------------------------


def _points(value: int, sign: str = "") -> str:
    return f"{sign}{value:,}"


def till_label(number: int, name: str) -> str:
    """"Till 3 (Front till)", or just the name when it already says the number ("Till 3")."""
    name = name.strip()
    if not name:
        return f"Till {number}"
    return name if str(number) in name else f"Till {number} ({name})"


def _header_rows(data: ReceiptData) -> list[Row]:
    rows = [Row(data.store_name, style=TITLE)]
    rows += [Row(part.strip(), style=CENTER) for part in data.store_address.splitlines()
             if part.strip()]
    if data.kind == "refund":
        rows.append(Row("REFUND", style=BANNER))
    rows += [Row(till_label(data.till_number, data.till_name), f"Cashier {data.cashier}"),
             Row(data.created_at_local.strftime("%Y-%m-%d %H:%M"), data.receipt_code)]
    if data.refund_of:
        rows.append(Row("Refund of receipt", data.refund_of))
    return rows


def _line_rows(data: ReceiptData) -> list[Row]:
    rows = []
    for line in data.lines:
        rows.append(Row(line.name, format_money(line.net)))
        if line.quantity != 1 or line.discount:
            rows.append(Row(f"{line.quantity} x {format_money(line.unit_price)}", style=DETAIL))
        if line.discount:
            rows.append(Row(f"discount -{format_money(line.discount)}", style=DETAIL))
    return rows


def _total_rows(data: ReceiptData) -> list[Row]:
    rows = [Row("Subtotal", format_money(data.subtotal))]
    if data.discount_total:
        rows.append(Row("Discounts", format_money(-data.discount_total)))
    label = "REFUND TOTAL" if data.kind == "refund" else "TOTAL"
    rows.append(Row(label, format_money(data.total, data.currency_symbol), TOTAL))
    return rows


def payment_label(payment: ReceiptPayment) -> str:
    label = PAYMENT_LABELS.get(payment.method, payment.method.replace("_", " ").capitalize())
    if not payment.reference:
        return label
    if payment.method == "card":
        return f"{label} ref {payment.reference}"
    if payment.method == "points":
        return payment.reference  # "500 points"
    return f"{label} ({payment.reference})"


def _payment_rows(data: ReceiptData) -> list[Row]:
    if not data.payments:
        return []
    rows = [Row("Refunded to" if data.kind == "refund" else "Paid by", style=HEADING)]
    rows += [Row(payment_label(p), format_money(p.amount)) for p in data.payments]
    if data.tendered is not None:
        rows += [Row("Cash tendered", format_money(data.tendered)),
                 Row("Change", format_money(data.change))]
    return rows


def _points_moved_rows(data: ReceiptData) -> list[Row]:
    if data.kind == "sale":
        rows = [Row("Points earned", _points(data.points_earned, "+"))]
        if data.points_redeemed:
            rows.append(Row("Points redeemed", _points(data.points_redeemed, "-")))
        return rows
    rows = []
    if data.points_taken_back:
        rows.append(Row("Points taken back", _points(data.points_taken_back, "-")))
    if data.points_given_back:
        rows.append(Row("Points given back", _points(data.points_given_back, "+")))
    if data.stored_value_given_back:
        rows.append(Row("Stored value given back", format_money(data.stored_value_given_back)))
    return rows


def _member_rows(data: ReceiptData) -> list[Row]:
    if not data.has_member:
        return []
    rows = [Row("Member", data.member_name or "")]
    if data.card_last4:
        rows.append(Row("Card", f"****{data.card_last4}"))
    rows += _points_moved_rows(data)
    if data.points_balance is not None:
        rows.append(Row("Points balance", _points(data.points_balance)))
    if data.stored_value_balance is not None:
        rows.append(Row("Stored value balance", format_money(data.stored_value_balance)))
    if data.soonest_expiry is not None and data.soonest_expiry_points:
        rows.append(Row(f"{_points(data.soonest_expiry_points)} points expire on "
                        f"{data.soonest_expiry.isoformat()}", style=TEXT))
    return rows


def _promotion_rows(data: ReceiptData) -> list[Row]:
    if not data.promotions:
        return []
    return [Row("Promotions applied", style=HEADING)] + [
        Row(name, style=DETAIL) for name in data.promotions]


def receipt_rows(data: ReceiptData) -> list[Row]:
    """The receipt's content in printing order (the barcode of the code follows it)."""
    rows = _header_rows(data)
    for section in (_line_rows(data), _total_rows(data), _payment_rows(data),
                    _member_rows(data), _promotion_rows(data)):
        if section:
            rows += [Row(style=RULE), *section]
    closing = "Please keep this receipt" if data.kind == "refund" else "Thank you for shopping"
    return [*rows, Row(style=RULE), Row(closing, style=CENTER)]


# -- fixed-width layout ---------------------------------------------------------------------


def char_columns(char: str) -> int:
    """Columns a character takes on a thermal printer: CJK characters take two."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_columns(value: str) -> int:
    return sum(char_columns(c) for c in value)


def wrap(value: str, width: float, measure: Callable[[str], float] = text_columns
         ) -> list[str]:
    """Greedy word wrap by any measure; a word wider than the line is broken (CJK names)."""
    lines: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and measure(current + char) > width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def _center(value: str, width: int) -> str:
    pad = max(width - text_columns(value), 0)
    return " " * (pad // 2) + value


def _pair(left: str, right: str, width: int, indent: int = 0) -> list[str]:
    room = width - indent - (text_columns(right) + 1 if right else 0)
    lines = [" " * indent + part for part in wrap(left, max(room, 1))]
    if right:
        last = lines[-1]
        lines[-1] = last + " " * max(width - text_columns(last) - text_columns(right), 1) + right
    return lines


def format_row(row: Row, width: int) -> list[str]:
    """One row as fixed-width text lines of at most `width` columns."""
    if row.style == RULE:
        return ["-" * width]
    if row.style in (TITLE, CENTER, BANNER):
        return [_center(part, width) for part in wrap(row.left, width)]
    if row.style in (TEXT, HEADING):
        return wrap(row.left, width)
    return _pair(row.left, row.right, width, indent=2 if row.style == DETAIL else 0)


def format_receipt_text(data: ReceiptData, width: int = 42) -> list[str]:
    """The receipt as plain text lines (42 columns suits most 80 mm printers in font A)."""
    lines = [line for row in receipt_rows(data) for line in format_row(row, width)]
    return [*lines, _center(data.receipt_code, width)]
