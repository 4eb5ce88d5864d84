"""What a scanned or typed code is: a member card, a receipt, or (anything else) a product."""

from __future__ import annotations

from enum import StrEnum

from .ean import is_member_card_number, is_valid_ean13
from .errors import InvalidInput

MAX_SCAN_LENGTH = 512


class ScanKind(StrEnum):
    MEMBER_CARD = "member_card"   # printed EAN-13 in the 2x range
    E_CARD = "e_card"             # signed QR payload (LP1./LP2.)
    RECEIPT = "receipt"           # R + 10 digits
    PRODUCT = "product"           # a product barcode or SKU


def classify_scan(code: str) -> ScanKind:
    text = (code or "").strip()
    if not text or len(text) > MAX_SCAN_LENGTH or not text.isprintable():
        raise InvalidInput("unreadable scan")
    if text.startswith(("LP1.", "LP2.")):
        return ScanKind.E_CARD
    if is_member_card_number(text):
        return ScanKind.MEMBER_CARD
    if text[0] in "Rr" and len(text) == 11 and text[1:].isdigit():
        return ScanKind.RECEIPT
    if len(text) == 13 and text.isdigit() and text[0] == "2" and not is_valid_ean13(text):
        raise InvalidInput(f"{text} looks like a member card but its check digit is wrong")
    return ScanKind.PRODUCT
