"""Pushing to head office: the ledger (as ledger files), then the outbox records.

Both are at least once: what head office confirms moves `sync.pushed_seq` /
`sync.pushed_message_id` (and `outbox.acked_at`) forward, what it does not is sent again next
time, and head office stores each key once (docs/sync-protocol.md). No write transaction is
ever open while a request is on the wire: a push reads in a read transaction, sends, then
records the answer in a short write transaction of its own, so a sale at the till never waits
on the network.

Thread: the caller's (the relay's thread or the `loyalty-pos sync` command), never the GUI's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core.errors import IntegrityViolation
from ..db.engine import Database
from ..db.models import Card, Member, OutboxMessage, Till
from ..services.context import CHAIN_SECRET_KEY, THIS_TILL_KEY, get_setting, set_setting
from .client import SyncClient, SyncRefused, SyncUnavailable
from .ledger_file import export_ledger
from .state import PUSHED_MESSAGE_KEY, PUSHED_SEQ_KEY, read_sync_settings

LEDGER_BATCH = 20_000   # entries per ledger file (the protocol's maximum)
RECORDS_CHUNK = 2000    # outbox messages per request (with their member snapshots: ~1 MB)


def store_settings(db: Database, values: dict[str, str]) -> None:
    """Write some till settings in one short transaction."""
    with db.transaction() as session:
        for key, value in values.items():
            set_setting(session, key, value)


def iso_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) or aware time as ISO 8601 UTC with microseconds."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerPush:
    entries_pushed: int   # how far sync.pushed_seq moved forward
    pushed_seq: int
    last_seq: int         # this till's chain head when the push ended


def _ledger_position(db: Database) -> tuple[int, int, bytes]:
    """(sync.pushed_seq, the till's last seq, the chain secret) from one read."""
    with db.sessions() as session:
        till_id = int(get_setting(session, THIS_TILL_KEY) or 0)
        till = session.get(Till, till_id)
        if till is None:
            raise IntegrityViolation("this database has no till set up")
        pushed = int(read_sync_settings(session).get(PUSHED_SEQ_KEY) or 0)
        secret = get_setting(session, CHAIN_SECRET_KEY)
        if secret is None:
            raise IntegrityViolation("this till has no chain secret (run loyalty-pos register)")
        return pushed, till.last_seq, bytes.fromhex(secret)


def ledger_file_bytes(db: Database, secret: bytes, since: int, until: int,
                      clock: Callable[[], datetime]) -> bytes:
    """Entries since < seq <= until as a signed ledger file, exactly as export-ledger writes
    it (written to a temporary file, which export_ledger streams to and renames)."""
    with tempfile.TemporaryDirectory(prefix="loyalty-push-") as folder:
        out = Path(folder) / f"ledger-{since + 1}-{until}.jsonl.gz"
        export_ledger(db.path, out, secret, since=since, until=until, clock=clock)
        return out.read_bytes()


def push_ledger(db: Database, client: SyncClient, clock: Callable[[], datetime], *,
                batch_entries: int = LEDGER_BATCH) -> LedgerPush:
    """Send every entry above sync.pushed_seq in files of at most `batch_entries`.

    sync.pushed_seq follows head office's `stored_through` (its chain head for this till) but
    never past what was sent. When head office holds less than it was sent (it reports open
    gaps, or lost data in a restore), pushed_seq moves back to its head and the entries are
    sent again from there. A push that makes no progress twice in a row is refused rather
    than looping.

    While one file is on the wire (head office imports it before it answers) the next one is
    written on a helper thread, so a long backlog costs about the larger of the two times,
    not their sum; a file written ahead is used only if it starts where the answer says.
    """
    pushed, last_seq, secret = _ledger_position(db)
    start, stalled = pushed, 0
    with ThreadPoolExecutor(1, thread_name_prefix="ledger-export") as exporter:
        ahead: tuple[int, int, Future[bytes]] | None = None
        while pushed < last_seq:
            data, until = _next_file(db, secret, pushed, last_seq, batch_entries, clock, ahead)
            ahead = None
            if until < last_seq:
                following = min(until + batch_entries, last_seq)
                ahead = (until, following, exporter.submit(ledger_file_bytes, db, secret,
                                                           until, following, clock))
            answer = client.push_ledger(data)
            stored = _stored_through(answer, "ledger")
            new_pushed = min(stored, until)
            if new_pushed != pushed:
                store_settings(db, {PUSHED_SEQ_KEY: str(new_pushed)})
            stalled = stalled + 1 if new_pushed <= pushed else 0
            if stalled >= 2:
                raise SyncRefused(422, f"head office stores this till's ledger only through seq "
                                       f"{stored} (open gaps {answer.get('open_gaps')}) though "
                                       f"seq {pushed + 1}-{until} was sent twice", "the ledger")
            pushed = new_pushed
            last_seq = _ledger_position(db)[1]  # sales went on meanwhile
    return LedgerPush(max(0, pushed - start), pushed, last_seq)


def _next_file(db: Database, secret: bytes, pushed: int, last_seq: int, batch_entries: int,
               clock: Callable[[], datetime],
               ahead: tuple[int, int, Future[bytes]] | None) -> tuple[bytes, int]:
    """The file to send next and its last seq: the one written ahead if it starts at
    `pushed`, otherwise written now."""
    if ahead is not None and ahead[0] == pushed:
        return ahead[2].result(), ahead[1]
    until = min(pushed + batch_entries, last_seq)
    return ledger_file_bytes(db, secret, pushed, until, clock), until


def _stored_through(answer: dict[str, Any], what: str) -> int:
    stored = answer.get("stored_through")
    if type(stored) is not int or stored < 0:
        raise SyncUnavailable(f"head office's answer to the {what} push has no stored_through "
                              f"({str(answer)[:200]})")
    return stored


# -- the records -----------------------------------------------------------------------------


def message_json(row: OutboxMessage) -> dict[str, Any]:
    """An outbox row as sent: {"id","topic","ref","created_at","payload"}."""
    return {"id": row.id, "topic": row.topic, "ref": row.ref,
            "created_at": iso_utc(row.created_at), "payload": row.payload}


def named_members(messages: Iterable[OutboxMessage]) -> list[str]:
    """The member uuids messages name (`payload.member`, or `ref` of member-keyed topics),
    each once, in order of first mention. A member's sale names the member, so the snapshot
    carrying what the sale changed (first purchase, referral reward paid) goes with it."""
    found: dict[str, None] = {}
    for row in messages:
        payload = row.payload if isinstance(row.payload, dict) else {}
        named = payload.get("member")
        if isinstance(named, str):
            found[named] = None
        if row.topic in ("member", "consent", "tier"):
            found[row.ref] = None
    return list(found)


def member_snapshot(session: Session, member: Member) -> dict[str, Any]:
    """The member's current state as the protocol's snapshot (cards included)."""
    referrer = (session.get(Member, member.referred_by_id)
                if member.referred_by_id is not None else None)
    cards = session.scalars(select(Card).where(Card.member_id == member.id).order_by(Card.id))
    return {
        "uuid": member.uuid, "name": member.name, "phone": member.phone,
        "email": member.email,
        "birthday": member.birthday.isoformat() if member.birthday else None,
        "status": member.status, "tier": member.tier_code,
        "referral_code": member.referral_code,
        "referred_by": referrer.uuid if referrer is not None else None,
        "enrolled_at": iso_utc(member.enrolled_at),
        # the "firsts": head office and every till merge them whatever the snapshot's age
        "first_purchase_at": iso_utc(member.first_purchase_at),
        "referral_rewarded": bool(member.referral_rewarded),
        "updated_at": iso_utc(member.updated_at),
        "cards": [{"number": card.number, "status": card.status,
                   "issued_at": iso_utc(card.issued_at), "blocked_at": iso_utc(card.blocked_at),
                   "block_reason": card.block_reason} for card in cards],
    }


def _records_chunk(db: Database, chunk: int
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The oldest unacknowledged messages and the snapshots of the members they name."""
    with db.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.acked_at.is_(None))
                                    .order_by(OutboxMessage.id).limit(chunk)))
        uuids = named_members(rows)
        members = session.scalars(select(Member).where(Member.uuid.in_(uuids))) if uuids else []
        return [message_json(row) for row in rows], [member_snapshot(session, m)
                                                     for m in members]


def push_records(db: Database, client: SyncClient, clock: Callable[[], datetime], *,
                 chunk: int = RECORDS_CHUNK) -> int:
    """Send the outbox in id order, `chunk` messages a request; mark what head office stored
    (`acked_at`, sync.pushed_message_id). Returns the number of messages acknowledged."""
    acked = 0
    while True:
        messages, members = _records_chunk(db, chunk)
        if not messages:
            return acked
        answer = client.push_records(messages, members)
        stored = _stored_through(answer, "records")
        sent = [m["id"] for m in messages if m["id"] <= stored]
        if sent:
            _acknowledge(db, sent, stored, clock)
            acked += len(sent)
        if len(sent) < len(messages):
            raise SyncRefused(422, f"head office stored messages only through id {stored}; "
                                   f"message {messages[len(sent)]['id']} was not taken",
                              "the records")


def _acknowledge(db: Database, ids: list[int], stored: int,
                 clock: Callable[[], datetime]) -> None:
    now = clock().astimezone(UTC).replace(tzinfo=None)
    with db.transaction() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                    OutboxMessage.acked_at.is_(None))
                        .values(acked_at=now))
        previous = int(read_sync_settings(session).get(PUSHED_MESSAGE_KEY) or 0)
        set_setting(session, PUSHED_MESSAGE_KEY, str(max(previous, min(stored, max(ids)))))
