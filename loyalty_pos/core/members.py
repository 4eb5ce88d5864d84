"""Validation and normalisation of member details."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

from .errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, 6 to 15 of them (E.164 length); a leading + is dropped. Empty -> None."""
    if raw is not None and not isinstance(raw, str):
        raise InvalidInput(f"{raw!r} is not a phone number (type it as text)")
    if raw is None or not raw.strip():
        return None
    digits = _PHONE_SEPARATORS.sub("", raw.strip()).removeprefix("+")
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        raise InvalidInput(f"'{raw}' is not a phone number (6 to 15 digits)")
    return digits


def normalise_email(raw: str | None) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise InvalidInput(f"{raw!r} is not an email address")
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if len(email) > 120 or not _EMAIL.match(email):
        raise InvalidInput(f"'{raw}' is not an email address")
    return email


def normalise_name(raw: str) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise InvalidInput("the member's name is required")
    if len(name) > 120:
        raise InvalidInput("the member's name is longer than 120 characters")
    return name


def check_birthday(birthday: date | None, today: date) -> date | None:
    if birthday is None:
        return None
    if not isinstance(birthday, date) or isinstance(birthday, datetime):
        raise InvalidInput("birthday must be a date")
    if birthday > today or birthday.year < today.year - 120:
        raise InvalidInput(f"birthday {birthday} is not plausible")
    return birthday


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(8))
