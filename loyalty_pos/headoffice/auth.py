"""Who is asking: till registration and signed requests (docs/sync-protocol.md).

`register_till` pairs a till using a registration code; `verify_request` checks the three
X-Loyalty-* headers of every other request against the till key. The signature itself is
`core.signing.sign_request`, the function the till signs with.

Both raise `AuthError` (HTTP status and a reason a person can act on); service.py turns it
into the JSON answer. Thread: the caller's (the service's threadpool); each call opens and
closes its own transaction.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.signing import MAX_SKEW_SECONDS, signature_matches
from .db import HeadOfficeDb
from .keys import chain_secret, normalise_code, sha256_hex, till_key
from .models import HOLedgerEntry, HORegistrationCode, HOStore, HOTill

__all__ = ["AuthError", "AuthenticatedTill", "Registered", "register_till", "verify_request"]


class AuthError(Exception):
    """A request head office does not accept from this caller: `status` is 401, 403 or 409."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class AuthenticatedTill:
    """The till a signed request came from (head office's ids)."""
    id: int
    number: int
    store_id: int


@dataclass(frozen=True)
class Registered:
    till_number: int
    store_code: str
    key: bytes
    chain_secret: bytes


def register_till(db: HeadOfficeDb, master: bytes, now: datetime, *, code: str,
                  till_number: int, store_code: str, origin_till_id: int,
                  origin_store_id: int) -> Registered:
    """Use a registration code: a new key serial for the till (the old key stops working),
    the till's own ids remembered, the code spent. 403: unknown, used or expired code; 409:
    the code was made for another till number or store, or the till number's ledger at head
    office comes from another till database."""
    with db.transaction() as session:
        row = session.scalar(select(HORegistrationCode).where(
            HORegistrationCode.code_sha256 == sha256_hex(normalise_code(code)))
            .with_for_update())
        if row is None:
            raise AuthError(403, "unknown registration code (check it, or make a new one with "
                                 "loyalty-headoffice add-till)")
        if row.used_at is not None:
            raise AuthError(403, "this registration code was already used; make a new one "
                                 "with loyalty-headoffice add-till")
        if row.expires_at <= now:
            raise AuthError(403, "this registration code has expired; make a new one with "
                                 "loyalty-headoffice add-till")
        till = session.scalar(select(HOTill).where(HOTill.id == row.till_id).with_for_update())
        assert till is not None  # a foreign key
        store = session.get(HOStore, till.store_id)
        assert store is not None
        if till.number != till_number or store.code != store_code:
            raise AuthError(409, f"this code was made for till {till.number} of store "
                                 f"{store.code}, not till {till_number} of store {store_code}")
        _check_origin(session, till, origin_till_id, origin_store_id)
        till.origin_till_id, till.origin_store_id = origin_till_id, origin_store_id
        till.key_serial += 1
        key = till_key(master, till.number, till.key_serial)
        till.key_sha256, till.key_registered_at = sha256_hex(key), now
        row.used_at = now
        return Registered(till.number, store.code, key, chain_secret(master))


def _check_origin(session: Session, till: HOTill, origin_till_id: int,
                  origin_store_id: int) -> None:
    """A till number whose ledger head office already holds may be registered again only
    from the same till database (same own ids): another database would push another chain
    under the same keys."""
    if till.origin_till_id is None or (till.origin_till_id, till.origin_store_id) == (
            origin_till_id, origin_store_id):
        return
    held = session.scalar(select(func.count()).select_from(HOLedgerEntry)
                          .where(HOLedgerEntry.till_id == till.id)) or 0
    if held:
        raise AuthError(409, f"till {till.number}'s ledger at head office comes from another "
                             f"till database (till id {till.origin_till_id}, store id "
                             f"{till.origin_store_id} there; this one has {origin_till_id} / "
                             f"{origin_store_id}); give this till a new number")


def verify_request(db: HeadOfficeDb, master: bytes, now: datetime, *, method: str,
                   path_with_query: str, body: bytes, till_header: str | None,
                   timestamp_header: str | None, signature_header: str | None
                   ) -> AuthenticatedTill:
    """Check a signed request; the till it comes from, or AuthError(401) saying why."""
    if not till_header or not timestamp_header or not signature_header:
        missing = [name for name, value in (("X-Loyalty-Till", till_header),
                                            ("X-Loyalty-Timestamp", timestamp_header),
                                            ("X-Loyalty-Signature", signature_header))
                   if not value]
        raise AuthError(401, f"missing header(s): {', '.join(missing)} (requests must be "
                             "signed with the till key)")
    number = _whole_number(till_header, "X-Loyalty-Till", 2**31 - 1)  # tills.number: INTEGER
    timestamp = _whole_number(timestamp_header, "X-Loyalty-Timestamp", 2**62)
    skew = abs(now.timestamp() - timestamp)
    if skew > MAX_SKEW_SECONDS:
        raise AuthError(401, f"stale request: its timestamp is {skew:.0f} s from head office's "
                             f"clock (at most {MAX_SKEW_SECONDS} s); check the till's clock")
    with db.sessions() as session:
        till = session.scalar(select(HOTill).where(HOTill.number == number))
    if till is None:
        raise AuthError(401, f"unknown till {number}")
    if till.key_sha256 is None or till.key_serial < 1:
        raise AuthError(401, f"till {number} is not registered (loyalty-pos register with a "
                             "code from loyalty-headoffice add-till)")
    key = till_key(master, number, till.key_serial)
    if not hmac.compare_digest(sha256_hex(key), till.key_sha256):
        raise AuthError(401, f"till {number}'s key does not come from this head office's "
                             "master key (was the key file replaced?); register the till again")
    sign = (method, path_with_query, timestamp, body, signature_header)
    if signature_matches(key, *sign):
        return AuthenticatedTill(till.id, till.number, till.store_id)
    if any(signature_matches(till_key(master, number, old), *sign)
           for old in range(till.key_serial - 1, 0, -1)):
        raise AuthError(401, f"revoked key: till {number} was registered again since this "
                             "key was issued (use the new key)")
    raise AuthError(401, "bad signature (the till key or the signed request differs)")


def _whole_number(text: str, header: str, highest: int) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > highest:
        raise AuthError(401, f"{header} must be a whole number up to {highest}, not "
                             f"{text[:40]!r}")
    return int(text)
