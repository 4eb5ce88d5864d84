"""EAN-13 numbers for member cards.

Member cards use the GS1 restricted-circulation range (first digits 20-29), which no product
barcode from a manufacturer ever uses, so a card scan can never be mistaken for a product.
Layout of a card number: ``29`` + till number (3 digits) + serial (7 digits) + check digit.
The till number is unique in the chain (head office assigns it), so tills issue cards offline
without colliding.
"""

from __future__ import annotations

from .errors import InvalidInput

CARD_PREFIX = "29"
MAX_TILL_NUMBER = 999
MAX_CARD_SERIAL = 9_999_999


def check_digit(first_twelve: str) -> str:
    """GS1 check digit of a 12-digit string."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise InvalidInput(f"'{first_twelve}' is not 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and check_digit(code[:12]) == code[12]


def is_member_card_number(code: str) -> bool:
    """True for a valid EAN-13 in the in-store range 20-29."""
    return is_valid_ean13(code) and code[0] == "2"


def make_card_number(till_number: int, serial: int) -> str:
    if not 1 <= till_number <= MAX_TILL_NUMBER:
        raise InvalidInput(f"till number {till_number} is outside 1-{MAX_TILL_NUMBER}")
    if not 1 <= serial <= MAX_CARD_SERIAL:
        raise InvalidInput(f"card serial {serial} is outside 1-{MAX_CARD_SERIAL}")
    body = f"{CARD_PREFIX}{till_number:03d}{serial:07d}"
    return body + check_digit(body)
