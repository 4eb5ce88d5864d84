"""Money is an integer count of minor units (cents, fen). Never a float.

Input is parsed with Decimal so "12.30" is exactly 1230.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .errors import InvalidInput

MINOR_PER_MAJOR = 100
_MONEY_TEXT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d{1,2})?$")  # 1,234.50: thousands only


def parse_money(text: str) -> int:
    """Parse "12", "12.3" or "12.30" into minor units. Refuses more than two decimals."""
    raw = str(text).strip()
    if "," in raw and not _GROUPED.match(raw):
        raise InvalidInput(f"'{text}' is not an amount of money (use a point for decimals)")
    cleaned = raw.replace(",", "")
    if not _MONEY_TEXT.match(cleaned):
        raise InvalidInput(f"'{text}' is not an amount of money (use digits and up to 2 decimals)")
    try:
        value = Decimal(cleaned) * MINOR_PER_MAJOR
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise InvalidInput(f"'{text}' is not an amount of money") from exc
    return int(value)


def format_money(minor: int, symbol: str = "") -> str:
    """1230 -> '12.30' (with an optional currency symbol in front)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(int(minor)), MINOR_PER_MAJOR)
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


def round_half_up(value: Fraction | int) -> int:
    """Round an exact rational to the nearest integer, halves away from zero."""
    value = Fraction(value)
    magnitude = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude


def require_amount(value: object, what: str, *, allow_zero: bool = False) -> int:
    """Check an integer minor-unit amount given to a service."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number of minor units, not {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(f"{what} must be {'zero or ' if allow_zero else ''}more than zero")
    return value
