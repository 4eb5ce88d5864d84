"""Receipt numbers as printed and scanned: ``R`` + till number (3 digits) + receipt (7 digits)."""

from __future__ import annotations

import re

from .errors import InvalidInput

_RECEIPT_CODE = re.compile(r"^R(\d{3})(\d{7})$")


def receipt_code(till_number: int, receipt_no: int) -> str:
    return f"R{till_number:03d}{receipt_no:07d}"


def parse_receipt_code(code: str) -> tuple[int, int]:
    match = _RECEIPT_CODE.match(str(code).strip().upper())
    if not match:
        raise InvalidInput(f"'{code}' is not a receipt number (R + 10 digits)")
    return int(match.group(1)), int(match.group(2))
