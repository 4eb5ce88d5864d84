"""Electronic card QR payloads, signed so that a made-up card number is refused.

Static payload:   ``LP1.<card number>.<signature>``
Rotating payload: ``LP2.<card number>.<time step>.<signature>`` - the time step is
``unix_time // STEP_SECONDS``; tills accept the current step and its neighbours, so a screenshot
stops working after about a minute. Signature: the first 16 hex digits of
HMAC-SHA256(chain secret, everything before the last dot). Verifiable offline by any till of the
chain. A plain EAN-13 card number (printed card) is accepted as well, without a signature.
"""

from __future__ import annotations

import hashlib
import hmac

from .ean import is_member_card_number
from .errors import InvalidInput

STEP_SECONDS = 30
ALLOWED_DRIFT_STEPS = 1
SIGNATURE_HEX = 16


def _sign(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def static_payload(card_number: str, secret: bytes) -> str:
    body = f"LP1.{card_number}"
    return f"{body}.{_sign(secret, body)}"


def rotating_payload(card_number: str, secret: bytes, unix_time: float) -> str:
    body = f"LP2.{card_number}.{int(unix_time) // STEP_SECONDS}"
    return f"{body}.{_sign(secret, body)}"


def card_number_from_scan(payload: str, secret: bytes, unix_time: float) -> str:
    """Return the card number a scan carries, or raise InvalidInput saying what is wrong."""
    text = payload.strip()
    if is_member_card_number(text):
        return text
    parts = text.split(".")
    if parts[0] not in ("LP1", "LP2") or len(parts) != (3 if parts[0] == "LP1" else 4):
        raise InvalidInput("this code is not a member card")
    body, signature = ".".join(parts[:-1]), parts[-1]
    if not hmac.compare_digest(_sign(secret, body), signature.lower()):
        raise InvalidInput("this electronic card's signature is not valid (forged or damaged)")
    card_number = parts[1]
    if not is_member_card_number(card_number):
        raise InvalidInput("this electronic card carries an invalid card number")
    if parts[0] == "LP2":
        step = int(parts[2]) if parts[2].isdigit() else -10
        if abs(step - int(unix_time) // STEP_SECONDS) > ALLOWED_DRIFT_STEPS:
            raise InvalidInput("this electronic card code has expired: ask to refresh it")
    return card_number
