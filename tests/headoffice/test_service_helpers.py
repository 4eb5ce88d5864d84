"""Helpers of the head-office service tests (no tests here): the service on a test database
with a clock the test moves, registered tills, signed requests and hand-made ledger files."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from loyalty_pos.core.chain import GENESIS_HASH, entry_hash
from loyalty_pos.core.signing import LEDGER_CONTENT_TYPE, sign_request
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.keys import add_till, chain_secret
from loyalty_pos.headoffice.service import create_app
from loyalty_pos.sync.ledger_file import ENTRY_FIELDS, LedgerFileWriter, LedgerHeader

MASTER = bytes.fromhex("a7" * 32)
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class TillCredentials:
    number: int
    store_code: str
    key: bytes
    origin_till_id: int
    origin_store_id: int


@dataclass
class Service:
    """create_app on a test database, its TestClient and its clock."""
    db: HeadOfficeDb
    clock: Clock = field(default_factory=Clock)
    master: bytes = MASTER

    def __post_init__(self) -> None:
        self.app = create_app(self.db, self.master, clock=self.clock)
        self.client = TestClient(self.app)

    @property
    def secret(self) -> bytes:
        return chain_secret(self.master)

    def new_code(self, number: int, store_code: str = "S001") -> str:
        with self.db.transaction() as session:
            return add_till(session, store_code, number, self.clock().replace(tzinfo=None))[1]

    def register(self, number: int, store_code: str = "S001", origin_till_id: int = 1,
                 origin_store_id: int = 1, code: str | None = None) -> TillCredentials:
        code = code or self.new_code(number, store_code)
        answer = self.client.post("/v1/register", json={
            "code": code, "till_number": number, "store_code": store_code,
            "origin_till_id": origin_till_id, "origin_store_id": origin_store_id})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert bytes.fromhex(body["chain_secret"]) == self.secret
        return TillCredentials(number, store_code, bytes.fromhex(body["key"]), origin_till_id,
                               origin_store_id)

    def signed(self, till: TillCredentials, method: str, path: str, body: bytes = b"",
               content_type: str = "application/json", timestamp: int | None = None,
               key: bytes | None = None, number: int | None = None) -> Any:
        stamp = int(self.clock().timestamp()) if timestamp is None else timestamp
        headers = {"X-Loyalty-Till": str(till.number if number is None else number),
                   "X-Loyalty-Timestamp": str(stamp),
                   "X-Loyalty-Signature": sign_request(key or till.key, method, path, stamp,
                                                       body)}
        if body:
            headers["Content-Type"] = content_type
        return self.client.request(method, path, content=body or None, headers=headers)

    def push_ledger(self, till: TillCredentials, data: bytes) -> Any:
        return self.signed(till, "POST", "/v1/ledger", data, LEDGER_CONTENT_TYPE)

    def push_records(self, till: TillCredentials, messages: list[dict[str, Any]],
                     members: list[dict[str, Any]] | None = None) -> Any:
        body = json.dumps({"messages": messages, "members": members or []}).encode()
        return self.signed(till, "POST", "/v1/records", body)

    def changes(self, till: TillCredentials, since: int = 0, limit: int = 2000) -> Any:
        answer = self.signed(till, "GET", f"/v1/changes?since={since}&limit={limit}")
        assert answer.status_code == 200, answer.text
        return answer.json()


@dataclass
class Movement:
    member: str
    amount: int
    ledger: str = "stored_value"
    kind: str = "spend"
    created_at: str = "2026-11-20T09:00:00Z"


@dataclass
class HandLedger:
    """A till's hash-chained ledger made by hand, to export in ranges as signed files."""
    till: TillCredentials
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *movements: Movement) -> HandLedger:
        for movement in movements:
            seq = len(self.entries) + 1
            entry: dict[str, Any] = {
                "id": str(uuid.uuid4()), "store_id": self.till.origin_store_id,
                "till_id": self.till.origin_till_id, "seq": seq,
                "created_at": movement.created_at, "ledger": movement.ledger,
                "kind": movement.kind, "member_id": movement.member,
                "amount": movement.amount, "sale_id": None, "refund_id": None,
                "staff_id": 1, "reason": None, "expires_on": None, "ref_entry_id": None}
            entry["prev_hash"] = self.entries[-1]["hash"] if self.entries else GENESIS_HASH
            entry["hash"] = entry_hash(entry["prev_hash"], entry)
            self.entries.append(entry)
        return self

    def file(self, folder: Path, secret: bytes, first: int = 1, last: int | None = None,
             number: int | None = None) -> bytes:
        last = len(self.entries) if last is None else last
        chosen = self.entries[first - 1:last]
        prev = self.entries[first - 2]["hash"] if first > 1 else GENESIS_HASH
        header = LedgerHeader(self.till.origin_store_id, self.till.store_code,
                              self.till.origin_till_id,
                              self.till.number if number is None else number, first, last,
                              len(chosen), prev, chosen[-1]["hash"] if chosen else prev,
                              "2026-11-20T10:00:00Z")
        out = folder / f"ledger-{self.till.number}-{first}-{last}-{uuid.uuid4().hex[:6]}.gz"
        with LedgerFileWriter(out, header, secret) as writer:
            for entry in chosen:
                writer.write_entry({name: entry[name] for name in ENTRY_FIELDS})
        return out.read_bytes()


def message(message_id: int, topic: str = "sale", ref: str | None = None,
            **payload: Any) -> dict[str, Any]:
    """An outbox message as the till sends it (a sale by default)."""
    if topic == "sale" and not payload:
        ref = ref or f"sale-{message_id}"
        payload = {"sale_id": ref, "till": 1, "receipt_no": message_id, "member": None,
                   "at": "2026-11-20T09:30:00", "total": 1250, "discount": 0,
                   "points_earned": 12, "points_redeemed": 0}
    return {"id": message_id, "topic": topic, "ref": ref or str(message_id),
            "created_at": "2026-11-20T09:30:00Z", "payload": payload}


def snapshot(member_uuid: str, updated_at: str = "2026-11-20T09:00:00Z", name: str = "Ann Lee",
             cards: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    value = {"uuid": member_uuid, "name": name, "phone": "13800000001", "email": None,
             "birthday": "1990-05-04", "status": "active", "tier": "STD",
             "referral_code": "ABCD1234", "referred_by": None,
             "enrolled_at": "2026-11-01T08:00:00Z", "updated_at": updated_at,
             "cards": cards if cards is not None else [
                 {"number": "2000000000015", "status": "active",
                  "issued_at": "2026-11-01T08:00:00Z", "blocked_at": None,
                  "block_reason": None}]}
    value.update(changes)
    return value
