"""Staff PINs: salted scrypt hashes, constant-time checks, lockout rule."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime, timedelta

from .errors import InvalidInput

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=5)


def validate_pin(pin: str) -> str:
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise InvalidInput("a PIN is 4 to 8 digits")
    return pin


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """Return 'scrypt$N$r$p$salt_hex$hash_hex'."""
    validate_pin(pin)
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or not isinstance(pin, str):
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r),
                            p=int(p), dklen=32)
    return hmac.compare_digest(digest.hex(), hash_hex)


def lockout_until(failed_attempts: int, now: datetime) -> datetime | None:
    """After MAX_FAILED_ATTEMPTS wrong PINs in a row the account is locked for LOCKOUT."""
    return now + LOCKOUT if failed_attempts >= MAX_FAILED_ATTEMPTS else None
