"""`POST /v1/records`: a till's outbox messages and the member snapshots they name.

Messages are keyed (till, message id) with the sha256 of their canonical content: a key held
with the same hash is a duplicate (a retry), a key held with another hash refuses the whole
request (RecordsConflict, HTTP 422) and nothing of it is stored. New messages are stored as
sent and derive `ho_sales` (topic sale), `ho_refunds` (refund) and `ho_consents` (consent).
A sale or refund id is chain-wide: one already held from the same till with the same content
is a duplicate, one held with another till or other content is a RecordsConflict too.

Member snapshots are state, not history: head office keeps the newest by `updated_at` (ties:
the later push) with its cards, and appends an `ho_changes` row for every member and card it
stored something new for, so other tills pull it. The member's "firsts" are the exception:
`first_purchase_at` (the earliest any snapshot carried) and `referral_rewarded` (true once any
snapshot said so) are merged from every snapshot, older ones too, because they decide whether
a first-purchase promotion or a referral reward is paid again. When the stored member then
differs from what the pushing till sent, the change row names no till (origin NULL), so the
pushing till pulls the merged member back as well.

Refused before anything is stored: a card head office holds for another member (422: cards
are never reassigned; a lost card is blocked and a new one issued), and a snapshot time more
than FUTURE_SLACK after head office's clock (400 naming the field: newest-wins would freeze
that member for every other till until then).

The pydantic models here are the request body (service.py documents them in OpenAPI).
Thread: the caller's (the service's threadpool); `store_records` runs one transaction with the
till's row locked, so two pushes of one till take turns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput
from .changelog import append_change, lock_change_log
from .db import HeadOfficeDb
from .models import (
    CHANGE_CARD,
    CHANGE_MEMBER,
    HOCard,
    HOConsent,
    HOMember,
    HOMessage,
    HORefund,
    HOSale,
    HOTill,
)

MAX_MONEY = 2**53  # money, points and ids beyond this are not what a till writes
MAX_ITEMS = 10_000
FUTURE_SLACK = timedelta(days=1)  # a snapshot time later than head office's clock + this: 400


class RecordsConflict(Conflict):
    """A message id the till already pushed with other content; nothing was stored."""


def _clean(text: str) -> str:
    """Refuse what no column can hold: NUL (PostgreSQL text) and lone surrogates."""
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        raise ValueError("text is not valid Unicode") from exc
    return text


def _text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, Field(min_length=min_length, max_length=max_length),
                     AfterValidator(_clean)]


def _utc(moment: datetime) -> datetime:
    """Naive UTC at validation time (a time without zone is taken as UTC), so that a time
    that does not fit once moved to UTC (year 9999 west of Greenwich) is a 400, not a 500."""
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc


Money = Annotated[int, Field(ge=-MAX_MONEY, le=MAX_MONEY)]
Time = Annotated[datetime, AfterValidator(_utc)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Message(_Strict):
    """One outbox row of the till, as stored there."""
    id: Annotated[int, Field(ge=1, le=MAX_MONEY)]
    topic: _text(32, 1)
    ref: _text(64)
    created_at: _text(40, 1)
    payload: dict[str, Any]


class CardSnapshot(_Strict):
    number: _text(32, 1)
    status: _text(16, 1)
    issued_at: Time | None = None
    blocked_at: Time | None = None
    block_reason: _text(200) | None = None


class MemberSnapshot(_Strict):
    """A member's state at the till when the request was built (cards included)."""
    uuid: _text(36, 1)
    name: _text(120)
    phone: _text(20) | None = None
    email: _text(120) | None = None
    birthday: date | None = None
    status: _text(16, 1)
    tier: _text(16) | None = None
    referral_code: _text(12) | None = None
    referred_by: _text(36) | None = None
    enrolled_at: Time | None = None
    first_purchase_at: Time | None = None
    referral_rewarded: bool = False
    updated_at: Time
    cards: Annotated[list[CardSnapshot], Field(max_length=1000)] = []


class RecordsPush(_Strict):
    messages: Annotated[list[Message], Field(max_length=MAX_ITEMS)] = []
    members: Annotated[list[MemberSnapshot], Field(max_length=MAX_ITEMS)] = []


class RecordsAnswer(BaseModel):
    stored_through: int
    new: int
    duplicate: int


# -- payloads of the messages head office derives rows from (other keys are allowed) --------


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class SalePayload(_Payload):
    sale_id: _text(36, 1)
    receipt_no: Money
    member: _text(36) | None = None
    at: Time
    total: Money
    discount: Money = 0
    points_earned: Money = 0
    points_redeemed: Money = 0


class RefundPayload(_Payload):
    refund_id: _text(36, 1)
    sale_id: _text(36, 1)
    at: Time
    amount: Money
    points_taken_back: Money = 0
    points_given_back: Money = 0


class ConsentPayload(_Payload):
    member: _text(36, 1)
    kind: _text(24, 1)
    action: _text(10, 1)
    sha256: _text(64) | None = None
    at: Time


_PAYLOADS: dict[str, type[_Payload]] = {"sale": SalePayload, "refund": RefundPayload,
                                        "consent": ConsentPayload}


def content_sha256(message: Message) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces) of topic, ref, created_at and
    payload: the content a message id stands for."""
    return hashlib.sha256(_canonical({"topic": message.topic, "ref": message.ref,
                                      "created_at": message.created_at,
                                      "payload": message.payload}).encode()).hexdigest()


def _canonical(value: object) -> str:
    # ASCII escapes keep any text storable; NaN/Infinity are not JSON
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:
        raise InvalidInput(f"a message payload is not plain JSON ({exc})") from exc


def utc_naive(moment: datetime | None) -> datetime | None:
    """Times as head office stores them: naive UTC (a time without zone is taken as UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class RecordsResult:
    stored_through: int
    new: int = 0
    duplicate: int = 0
    members_stored: int = 0


def store_records(db: HeadOfficeDb, till_id: int, push: RecordsPush, now: datetime
                  ) -> RecordsResult:
    """Store one records push of a till (module docstring). Raises RecordsConflict (422) or
    InvalidInput (400, a payload head office derives rows from is malformed); then nothing
    was stored."""
    _refuse_future_times(push.members, now)
    try:
        return _store_records(db, till_id, push, now)
    except IntegrityError:
        # PostgreSQL: another till's push inserted the same new member or card between our
        # look and our insert (the till lock covers one till only); the second try sees it
        return _store_records(db, till_id, push, now)


def _store_records(db: HeadOfficeDb, till_id: int, push: RecordsPush, now: datetime
                   ) -> RecordsResult:
    with db.transaction() as session:
        till = session.scalar(select(HOTill).where(HOTill.id == till_id).with_for_update())
        assert till is not None
        new = _new_messages(session, till, push.messages)
        result = RecordsResult(0, len(new), len(push.messages) - len(new))
        derived = [(message, _parsed_payload(message)) for message in new]
        session.add_all(HOMessage(till_id=till.id, message_id=message.id, topic=message.topic,
                                  ref=message.ref, created_at=message.created_at,
                                  payload=_canonical(message.payload),
                                  content_sha256=content_sha256(message), received_at=now)
                        for message in new)
        session.flush()
        consents = [_consent_row(till, message, payload) for message, payload in derived
                    if isinstance(payload, ConsentPayload)]
        if consents:  # one statement for all: a registered till's backfill sends 100,000s
            session.execute(_dialect_insert(session)(HOConsent).on_conflict_do_nothing(),
                            consents)
        for message, payload in derived:
            if payload is not None and not isinstance(payload, ConsentPayload):
                _derive(session, till, message, payload)
        if push.members:
            lock_change_log(session)
        firsts = _firsts_per_member(push.members)
        snapshots = _newest_per_member(push.members)
        # the held members and cards in two locking reads, not one SELECT (and one flush of
        # everything pending) per member and card: a push of 500 members took ~0.35 s so;
        # the cards of every snapshot (older ones too) for the reassignment check
        held = _Held(
            _held_rows(session, HOMember, HOMember.uuid, [m.uuid for m in snapshots]),
            _held_rows(session, HOCard, HOCard.number,
                       [card.number for m in push.members for card in m.cards]))
        _refuse_reassigned_cards(till, push.members, held.cards)
        with session.no_autoflush:
            for snapshot in snapshots:
                result.members_stored += _store_member(session, till, snapshot,
                                                       firsts[snapshot.uuid], now, held)
        result.stored_through = session.scalar(
            select(func.max(HOMessage.message_id)).where(HOMessage.till_id == till.id)) or 0
        return result


def _new_messages(session: Session, till: HOTill, messages: list[Message]) -> list[Message]:
    """The messages head office does not hold yet; RecordsConflict if a held id differs."""
    held: dict[int, str] = {}
    ids = sorted({message.id for message in messages})
    for start in range(0, len(ids), 500):
        held |= {int(message_id): digest for message_id, digest in session.execute(
            select(HOMessage.message_id, HOMessage.content_sha256).where(
                HOMessage.till_id == till.id, HOMessage.message_id.in_(ids[start:start + 500])))}
    fresh: dict[int, Message] = {}
    for message in messages:
        digest = content_sha256(message)
        known = held.get(message.id) or (content_sha256(fresh[message.id])
                                         if message.id in fresh else None)
        if known is None:
            fresh[message.id] = message
        elif known != digest:
            raise RecordsConflict(
                f"till {till.number} message {message.id} ({message.topic} {message.ref}): "
                "head office already holds this message id with other content; nothing of "
                "this push was stored")
    return list(fresh.values())


def _parsed_payload(message: Message) -> _Payload | None:
    model = _PAYLOADS.get(message.topic)
    if model is None:
        return None
    try:
        return model.model_validate(message.payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
                             for error in exc.errors()[:5])
        raise InvalidInput(f"message {message.id}: the {message.topic} payload is malformed "
                           f"({problems})") from exc


def _dialect_insert(session: Session) -> Any:
    """The dialect's insert(), which has on_conflict_do_nothing."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _consent_row(till: HOTill, message: Message, payload: ConsentPayload) -> dict[str, Any]:
    return {"till_id": till.id, "message_id": message.id, "member_uuid": payload.member,
            "kind": payload.kind, "action": payload.action, "text_sha256": payload.sha256,
            "at": utc_naive(payload.at)}


def _insert_ignore(session: Session, model: type, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; False when the key was held already."""
    insert = _dialect_insert(session)
    key = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
    # RETURNING, not rowcount: the PostgreSQL driver's rowcount is not reliable here
    return session.execute(insert(model).values(**values).on_conflict_do_nothing()
                           .returning(key)).first() is not None


def _insert_once(session: Session, till: HOTill, message: Message, model: type, key: str,
                 values: dict[str, Any]) -> None:
    """Insert a sale or refund row keyed by its chain-wide id. Held already: the same till
    and content is the same one pushed again (a retry, or the till's message sent twice);
    another till or other content is RecordsConflict (422), never a silently missing row."""
    if _insert_ignore(session, model, values):
        return
    held = session.get(model, values[key], populate_existing=True)
    assert held is not None  # DO NOTHING: it is there
    differing = sorted(name for name, value in values.items() if getattr(held, name) != value)
    if differing:
        what = "a till" if "till_id" in differing else "content"
        raise RecordsConflict(
            f"till {till.number} message {message.id}: {message.topic} {values[key]} is "
            f"already held at head office with other {what} ({', '.join(differing)}); "
            "nothing of this push was stored")


def _derive(session: Session, till: HOTill, message: Message, payload: _Payload) -> None:
    if isinstance(payload, SalePayload):
        _insert_once(session, till, message, HOSale, "sale_id", {
            "sale_id": payload.sale_id, "till_id": till.id, "store_id": till.store_id,
            "receipt_no": payload.receipt_no, "member_uuid": payload.member,
            "at": utc_naive(payload.at), "total": payload.total, "discount": payload.discount,
            "points_earned": payload.points_earned,
            "points_redeemed": payload.points_redeemed})
    elif isinstance(payload, RefundPayload):
        _insert_once(session, till, message, HORefund, "refund_id", {
            "refund_id": payload.refund_id, "sale_id": payload.sale_id, "till_id": till.id,
            "store_id": till.store_id, "at": utc_naive(payload.at), "amount": payload.amount,
            "points_taken_back": payload.points_taken_back,
            "points_given_back": payload.points_given_back})


def _newest_per_member(snapshots: list[MemberSnapshot]) -> list[MemberSnapshot]:
    newest: dict[str, MemberSnapshot] = {}
    for snapshot in snapshots:  # ties: the later one in the request
        held = newest.get(snapshot.uuid)
        if held is None or _updated(snapshot) >= _updated(held):
            newest[snapshot.uuid] = snapshot
    return list(newest.values())


def _updated(snapshot: MemberSnapshot) -> datetime:
    moment = utc_naive(snapshot.updated_at)
    assert moment is not None
    return moment


@dataclass(frozen=True)
class Firsts:
    """A member's "firsts", merged monotonically: the earliest first purchase any till saw,
    and whether any till paid the referral reward. Neither ever goes back."""
    first_purchase_at: datetime | None = None
    referral_rewarded: bool = False

    def merge(self, first_purchase_at: datetime | None, referral_rewarded: bool) -> Firsts:
        known = [moment for moment in (self.first_purchase_at, first_purchase_at) if moment]
        return Firsts(min(known) if known else None,
                      self.referral_rewarded or bool(referral_rewarded))


def _snapshot_firsts(snapshot: MemberSnapshot) -> Firsts:
    return Firsts(utc_naive(snapshot.first_purchase_at), snapshot.referral_rewarded)


def _firsts_per_member(snapshots: list[MemberSnapshot]) -> dict[str, Firsts]:
    """The firsts of every snapshot of a member in the request, merged (not only the
    newest's)."""
    merged: dict[str, Firsts] = {}
    for snapshot in snapshots:
        merged[snapshot.uuid] = merged.get(snapshot.uuid, Firsts()).merge(
            utc_naive(snapshot.first_purchase_at), snapshot.referral_rewarded)
    return merged


_MEMBER_FIELDS = ("name", "phone", "email", "birthday", "status", "tier_code",
                  "referral_code", "referred_by_uuid", "enrolled_at", "first_purchase_at",
                  "referral_rewarded", "updated_at")


@dataclass
class _Held:
    """The members and cards of one push that head office holds, by uuid and number (rows
    added by the push join them)."""
    members: dict[str, HOMember]
    cards: dict[str, HOCard]


_IN_CHUNK = 500  # keys per IN list (SQLite's default limit on bound parameters is far above)


def _held_rows(session: Session, model: type, key: Any, keys: list[str]) -> dict[str, Any]:
    """The rows of `model` whose `key` is in `keys`, locked for this transaction."""
    found: dict[str, Any] = {}
    unique = sorted(set(keys))  # one order for every writer: no lock cycles between tills
    for start in range(0, len(unique), _IN_CHUNK):
        rows = session.scalars(select(model).where(key.in_(unique[start:start + _IN_CHUNK]))
                               .order_by(key).with_for_update())
        found.update((getattr(row, key.key), row) for row in rows)
    return found


def _store_member(session: Session, till: HOTill, snapshot: MemberSnapshot, firsts: Firsts,
                  now: datetime, rows: _Held) -> int:
    """Keep the snapshot if it is not older than the held one, and merge the firsts (of
    `firsts`, this request's, and the held member's) whatever its age; 1 if anything changed.
    """
    held = rows.members.get(snapshot.uuid)
    if held is not None:
        firsts = firsts.merge(held.first_purchase_at, held.referral_rewarded)
    # the pushing till holds something else than head office now: it must pull it back
    origin = till.id if firsts == _snapshot_firsts(snapshot) else None
    if held is not None and _updated(snapshot) < held.updated_at:
        # an older state than head office's (a till that had not pulled yet): only its firsts
        # count, and they count whatever the order snapshots arrive in
        if firsts == Firsts(held.first_purchase_at, held.referral_rewarded):
            return 0
        held.first_purchase_at = firsts.first_purchase_at
        held.referral_rewarded = firsts.referral_rewarded
        held.received_at = now
        append_change(session, CHANGE_MEMBER, snapshot.uuid, None, now)
        return 1
    values = {"name": snapshot.name, "phone": snapshot.phone, "email": snapshot.email,
              "birthday": snapshot.birthday, "status": snapshot.status,
              "tier_code": snapshot.tier, "referral_code": snapshot.referral_code,
              "referred_by_uuid": snapshot.referred_by,
              "enrolled_at": utc_naive(snapshot.enrolled_at),
              "first_purchase_at": firsts.first_purchase_at,
              "referral_rewarded": firsts.referral_rewarded, "updated_at": _updated(snapshot)}
    changed = held is None or any(getattr(held, name) != values[name] for name in _MEMBER_FIELDS)
    if held is None:
        # enrolled_till_id: the first till head office hears of the member from
        held = HOMember(uuid=snapshot.uuid, enrolled_till_id=till.id, received_at=now, **values)
        session.add(held)
        rows.members[snapshot.uuid] = held
    else:
        for name, value in values.items():
            setattr(held, name, value)
    held.last_till_id, held.received_at = till.id, now
    if changed:
        append_change(session, CHANGE_MEMBER, snapshot.uuid, origin, now)
    cards_changed = sum(_store_card(session, till, snapshot.uuid, card, now, rows)
                        for card in snapshot.cards)
    return 1 if changed or cards_changed else 0


def _store_card(session: Session, till: HOTill, member_uuid: str, card: CardSnapshot,
                now: datetime, rows: _Held) -> int:
    values = {"member_uuid": member_uuid, "status": card.status,
              "issued_at": utc_naive(card.issued_at), "blocked_at": utc_naive(card.blocked_at),
              "block_reason": card.block_reason}
    held = rows.cards.get(card.number)
    if held is not None and held.member_uuid != member_uuid:  # _refuse_reassigned_cards
        raise RecordsConflict(_reassigned(till, card.number, held.member_uuid, member_uuid))
    if held is not None and all(getattr(held, name) == value for name, value in values.items()):
        return 0
    if held is None:
        held = HOCard(number=card.number, **values)
        session.add(held)
        rows.cards[card.number] = held
    else:
        for name, value in values.items():
            setattr(held, name, value)
    held.till_id = till.id
    append_change(session, CHANGE_CARD, card.number, till.id, now)
    return 1


def _reassigned(till: HOTill, number: str, holder: str, claimant: str) -> str:
    return (f"till {till.number}: card {number} is held at head office for member {holder}, "
            f"the push gives it to member {claimant}; cards are never reassigned (a lost card "
            "is blocked and a new one issued); nothing of this push was stored")


def _refuse_reassigned_cards(till: HOTill, snapshots: list[MemberSnapshot],
                             held: dict[str, HOCard]) -> None:
    """RecordsConflict when a snapshot (of any age) names a card head office holds (`held`:
    the push's cards as read) for another member, or two snapshots of the push name one card
    for two members. Raised before any member or card is written; the transaction rolls back
    the push's messages with it."""
    claimed: dict[str, str] = {}
    for snapshot in snapshots:
        for card in snapshot.cards:
            holder = claimed.setdefault(card.number, snapshot.uuid)
            if holder != snapshot.uuid:
                raise RecordsConflict(_reassigned(till, card.number, holder, snapshot.uuid))
    for number, claimant in claimed.items():
        row = held.get(number)
        if row is not None and row.member_uuid != claimant:
            raise RecordsConflict(_reassigned(till, number, row.member_uuid, claimant))


_SNAPSHOT_TIMES = ("updated_at", "enrolled_at", "first_purchase_at")
_CARD_TIMES = ("issued_at", "blocked_at")


def _refuse_future_times(snapshots: list[MemberSnapshot], now: datetime) -> None:
    """InvalidInput (400) naming the field when a snapshot time is more than FUTURE_SLACK
    after head office's clock (`now`, naive UTC)."""
    latest = now + FUTURE_SLACK
    for index, snapshot in enumerate(snapshots):
        found = [(name, getattr(snapshot, name)) for name in _SNAPSHOT_TIMES]
        found += [(f"cards[{number}].{name}", getattr(card, name))
                  for number, card in enumerate(snapshot.cards) for name in _CARD_TIMES]
        for name, given in found:
            moment = utc_naive(given)
            if moment is not None and moment > latest:
                raise InvalidInput(
                    f"members[{index}] ({snapshot.uuid}): {name} {moment.isoformat()}Z is "
                    f"more than {FUTURE_SLACK.days} day after head office's clock "
                    f"({now.isoformat(timespec='seconds')}Z); nothing of this push was stored")
