"""The change log tills pull from (`ho_changes`, `GET /v1/changes`).

Every write a till should hear of appends one row (kind, key, origin till): a member or card
stored from a push, a till's ledger entries for a member imported (kind 'balance', appended
by balances.record_imported_balances), a promotion, tier, program setting or agreement version
published. A till's cursor is the highest id it applied; `changes_since` answers with the
current state of what changed in (since, cursor], at most `limit` rows at a time. Tiers are
the exception: an answer whose window holds any tier change carries the complete tier set.

Left out for the asking till: members and cards whose last change in the window came from it
(it has them already), and balances whose every change in the window came from it (they are
movements at its own till; balances are "at other tills"). The till's own rows are skipped in
the query, so they do not count against `limit`.

Balances cover the members of the answer's `balance` rows and of its `member` rows: a
member's balance rows may precede its member row (a till pushes its ledger first), and a
till cannot apply a balance of a member it does not know yet (`_balance_members`).

Thread: the caller's; `changes_since` only reads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .balances import balances_elsewhere
from .changelog import agreement_key, append_change, lock_change_log
from .models import (
    CHANGE_AGREEMENT,
    CHANGE_BALANCE,
    CHANGE_CARD,
    CHANGE_MEMBER,
    CHANGE_PROMOTION,
    CHANGE_SETTING,
    CHANGE_TIER,
    HOAgreement,
    HOCard,
    HOChange,
    HOMember,
    HOPromotion,
    HOSetting,
    HOTier,
)

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "agreement_key", "append_change", "changes_since",
           "lock_change_log", "member_snapshots"]

DEFAULT_LIMIT = 2_000
MAX_LIMIT = 10_000
_CHUNK = 500  # keys per IN list


def iso(moment: datetime | None) -> str | None:
    """Naive UTC as ISO 8601 with Z (the protocol's times)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def changes_since(session: Session, till_id: int, since: int, limit: int = DEFAULT_LIMIT
                  ) -> dict[str, Any]:
    """The answer of GET /v1/changes for the till (head office's tills.id).

    The till's own member, card and balance rows are left out in the query, so a till that
    pushed a large backlog does not page through its own changes: `limit` counts the rows
    that concern it, and when fewer remain the cursor moves to the newest change. The newest
    id is read first: every lower id is committed by then (changelog.lock_change_log), so the
    rows read after it miss none below it."""
    top = session.scalar(select(func.max(HOChange.id))) or 0
    concerns_it = or_(HOChange.origin_till_id.is_(None), HOChange.origin_till_id != till_id,
                      HOChange.kind.not_in(_OWN_KINDS))
    rows = session.execute(
        select(HOChange.id, HOChange.kind, HOChange.key)
        .where(HOChange.id > since, HOChange.id <= top, concerns_it)
        .order_by(HOChange.id).limit(limit)).all()
    full = len(rows) == limit
    cursor = rows[-1].id if full else max(top, since)
    last_id: dict[tuple[str, str], int] = {}
    for row in rows:  # in id order: the last one wins
        last_id[(row.kind, row.key)] = row.id
    wanted: dict[str, list[str]] = defaultdict(list)
    for kind, key in last_id:
        wanted[kind].append(key)
    for kind in (CHANGE_MEMBER, CHANGE_CARD):  # its last change came from the asking till
        later = _changed_later_by(session, till_id, kind, since, cursor,
                                  {key: at for (k, key), at in last_id.items() if k == kind})
        wanted[kind] = [key for key in wanted[kind] if key not in later]
    return {"cursor": cursor, "more": full and cursor < top,
            "members": member_snapshots(session, wanted[CHANGE_MEMBER]),
            "cards": _cards(session, wanted[CHANGE_CARD]),
            "promotions": _promotions(session, wanted[CHANGE_PROMOTION]),
            "tiers": _tier_set(session) if wanted[CHANGE_TIER] else [],
            "settings": _settings(session, wanted[CHANGE_SETTING]),
            "agreements": _agreements(session, wanted[CHANGE_AGREEMENT]),
            "balances": [{"member": uuid, "points": b.points, "stored_value": b.stored_value}
                         for uuid, b in balances_elsewhere(
                             session, _balance_members(wanted), till_id).items()]}


def _balance_members(wanted: dict[str, list[str]]) -> list[str]:
    """The members whose balance at other tills the answer carries: those of its `balance`
    rows and those of its `member` rows. A till pushes its ledger before its records, so a
    member's balance rows get lower ids than its member row: a till that pulls in between
    (or pages through the log with a small limit) gets the balance before it knows the
    member and cannot apply it (sync/apply.py skips it). Sending the balance again with the
    member makes it arrive in the answer the till learns the member from (the till applies
    members before balances). Cheap: primary-key lookups on ho_till_balances."""
    return sorted(set(wanted[CHANGE_BALANCE]) | set(wanted[CHANGE_MEMBER]))


_OWN_KINDS = (CHANGE_MEMBER, CHANGE_CARD, CHANGE_BALANCE)


def _changed_later_by(session: Session, till_id: int, kind: str, since: int, cursor: int,
                      others: dict[str, int]) -> set[str]:
    """The keys whose last change in (since, cursor] is the till's own (after `others[key]`,
    the id of the last change from elsewhere)."""
    later: set[str] = set()
    for chunk in _chunks(sorted(others)):
        for key, own_last in session.execute(
                select(HOChange.key, func.max(HOChange.id))
                .where(HOChange.id > since, HOChange.id <= cursor, HOChange.kind == kind,
                       HOChange.origin_till_id == till_id, HOChange.key.in_(chunk))
                .group_by(HOChange.key)):
            if own_last > others[key]:
                later.add(key)
    return later


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[start:start + _CHUNK] for start in range(0, len(keys), _CHUNK)]


def _card_json(card: HOCard) -> dict[str, Any]:
    return {"number": card.number, "member": card.member_uuid, "status": card.status,
            "issued_at": iso(card.issued_at), "blocked_at": iso(card.blocked_at),
            "block_reason": card.block_reason}


def member_snapshots(session: Session, uuids: list[str]) -> list[dict[str, Any]]:
    """Members as the protocol's snapshots, cards included (blocked ones too)."""
    found: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(uuids))):
        cards: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for card in session.scalars(select(HOCard).where(HOCard.member_uuid.in_(chunk))
                                    .order_by(HOCard.issued_at, HOCard.number)):
            entry = _card_json(card)
            del entry["member"]
            cards[card.member_uuid].append(entry)
        for member in session.scalars(select(HOMember).where(HOMember.uuid.in_(chunk))
                                      .order_by(HOMember.uuid)):
            found.append({
                "uuid": member.uuid, "name": member.name, "phone": member.phone,
                "email": member.email,
                "birthday": member.birthday.isoformat() if member.birthday else None,
                "status": member.status, "tier": member.tier_code,
                "referral_code": member.referral_code, "referred_by": member.referred_by_uuid,
                "enrolled_at": iso(member.enrolled_at),
                "first_purchase_at": iso(member.first_purchase_at),
                "referral_rewarded": bool(member.referral_rewarded),
                "updated_at": iso(member.updated_at), "cards": cards.get(member.uuid, [])})
    return found


def _cards(session: Session, numbers: list[str]) -> list[dict[str, Any]]:
    return [_card_json(card) for chunk in _chunks(sorted(set(numbers)))
            for card in session.scalars(select(HOCard).where(HOCard.number.in_(chunk))
                                        .order_by(HOCard.number))]


def _promotions(session: Session, codes: list[str]) -> list[dict[str, Any]]:
    return [json.loads(row.data) for chunk in _chunks(sorted(set(codes)))
            for row in session.scalars(select(HOPromotion).where(HOPromotion.code.in_(chunk))
                                       .order_by(HOPromotion.code))]


def _tier_set(session: Session) -> list[dict[str, Any]]:
    """The complete published tier set, whichever tiers changed: the till replaces its table
    with it, so a tier removed here goes there too, even when a publish is split across
    answers (a handful of rows)."""
    return [{"code": t.code, "name": t.name, "threshold": t.threshold,
             "multiplier_percent": t.multiplier_percent}
            for t in session.scalars(select(HOTier).order_by(HOTier.threshold))]


def _settings(session: Session, names: list[str]) -> dict[str, Any]:
    return {row.key: json.loads(row.value) for chunk in _chunks(sorted(set(names)))
            for row in session.scalars(select(HOSetting).where(HOSetting.key.in_(chunk)))}


def _agreements(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    found = []
    for key in sorted(set(keys)):
        kind, _, version = key.partition("/")
        row = session.get(HOAgreement, (kind, version))
        if row is not None:
            found.append({"kind": row.kind, "version": row.version, "text": row.text,
                          "sha256": row.sha256, "published_at": iso(row.published_at)})
    return found
