"""Whatever a client sends, the service answers 4xx with a JSON detail, never 500: wrong JSON,
wrong types, huge numbers, texts no column can hold, a body that is not gzip, an empty body,
bad signatures, stale timestamps, another till's file. Both dialects."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_service_helpers import HandLedger, Movement, Service, message, snapshot

from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.service import create_app

MEMBER = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def service(headoffice: HeadOfficeDb) -> Service:
    service = Service(headoffice)
    # a client that returns 500s instead of raising them, so the test sees what a till sees
    service.client = TestClient(create_app(headoffice, service.master, clock=service.clock),
                                raise_server_exceptions=False)
    return service


def _check(answer, allowed: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code in allowed, (answer.status_code, answer.text)
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and detail


RECORD_BODIES: list[object] = [
    b"", b"not json", b"{", b"[]", b"null", b"42", b'"text"', b'{"messages": 5}',
    b'{"messages": [{}]}', b'{"messages": [null]}', b'{"unknown": []}',
    b'{"messages": [], "members": [{"uuid": 5}]}',
    b'{"messages": [{"id": 1e400, "topic": "sale", "ref": "x", "created_at": "t", '
    b'"payload": {}}]}',
    b'{"messages": [{"id": NaN, "topic": "sale", "ref": "x", "created_at": "t", '
    b'"payload": {}}]}',
    b"\xff\xfe\x00garbage",
]


def _messages(**overrides: object) -> bytes:
    return json.dumps({"messages": [message(1) | overrides], "members": []}).encode()


def _sale(**payload: object) -> bytes:
    value = message(1)
    value["payload"] |= payload
    return json.dumps({"messages": [value], "members": []}).encode()


def _member(**fields: object) -> bytes:
    return json.dumps({"messages": [], "members": [snapshot(MEMBER) | fields]}).encode()


MORE_BODIES = [
    _messages(id=2**70), _messages(id=-1), _messages(id=0), _messages(id="one"),
    _messages(id=1.5), _messages(topic=""), _messages(topic="x" * 500),
    _messages(ref=None), _messages(payload=[1, 2]), _messages(created_at=None),
    _messages(ref="nul\u0000byte"), _messages(ref="\ud800"),
    _sale(total=2**80), _sale(total="12.50"), _sale(at="yesterday"), _sale(sale_id=None),
    _sale(receipt_no=-2**70),
    _member(updated_at="not a time"), _member(updated_at="9999-12-31T23:00:00-05:00"),
    _sale(at="0001-01-01T00:30:00+01:00"), _member(birthday="1990-13-45"), _member(name=None),
    _member(name="x" * 1000), _member(phone="1" * 300), _member(cards="none"),
    _member(cards=[{"number": None}]), _member(uuid="u" * 100),
    _member(name="nul\u0000"),
]


@pytest.mark.parametrize("body", RECORD_BODIES + MORE_BODIES)
def test_garbage_records_are_4xx(service: Service, body: bytes) -> None:
    till = service.register(11)
    _check(service.signed(till, "POST", "/v1/records", body), (400, 413, 422))


def test_garbage_ledger_bodies_are_4xx(service: Service, tmp_path: Path) -> None:
    till = service.register(11)
    good = HandLedger(till).add(Movement(MEMBER, 100, kind="top_up")).file(tmp_path,
                                                                           service.secret)
    for body in (b"", b"not gzip at all", gzip.compress(b"not a ledger"),
                 gzip.compress(b"{}\n"), good[:-10], good + b"trailing", good[:20],
                 gzip.compress(b"\n" * 100), gzip.compress(b'{"signature": "00"}\n')):
        _check(service.push_ledger(till, body), (400,))
    other = service.register(12)
    _check(service.push_ledger(other, good), (403,))


def test_garbage_registrations_are_4xx(service: Service) -> None:
    for body in (b"", b"{", b"[]", b'{"code": 5}', b'{"code": "x", "till_number": "eleven"}',
                 json.dumps({"code": "A" * 500, "till_number": 1, "store_code": "S",
                             "origin_till_id": 1, "origin_store_id": 1}).encode(),
                 json.dumps({"code": "AAAA-AAAA-AAAA", "till_number": 2**70,
                             "store_code": "S", "origin_till_id": 1,
                             "origin_store_id": 1}).encode(),
                 json.dumps({"code": "AAAA-AAAA-AAAA", "till_number": 1,
                             "store_code": "S\u0000", "origin_till_id": 1,
                             "origin_store_id": 1}).encode()):
        _check(service.client.post("/v1/register", content=body,
                                   headers={"Content-Type": "application/json"}),
               (400, 403, 409))


def test_garbage_headers_and_queries_are_4xx(service: Service) -> None:
    till = service.register(11)
    stamp = str(int(service.clock().timestamp()))
    for headers in ({"X-Loyalty-Till": "eleven", "X-Loyalty-Timestamp": stamp,
                     "X-Loyalty-Signature": "00"},
                    {"X-Loyalty-Till": "11", "X-Loyalty-Timestamp": "soon",
                     "X-Loyalty-Signature": "00"},
                    {"X-Loyalty-Till": "9" * 40, "X-Loyalty-Timestamp": stamp,
                     "X-Loyalty-Signature": "00"},
                    {"X-Loyalty-Till": "11", "X-Loyalty-Timestamp": "9" * 40,
                     "X-Loyalty-Signature": "zz"},
                    {"X-Loyalty-Till": "9" * 12, "X-Loyalty-Timestamp": stamp,
                     "X-Loyalty-Signature": "00"},
                    {"X-Loyalty-Till": "-1", "X-Loyalty-Timestamp": stamp,
                     "X-Loyalty-Signature": "00"},
                    {"X-Loyalty-Till": "11", "X-Loyalty-Timestamp": stamp,
                     "X-Loyalty-Signature": "ü" * 3}):
        encoded = {k: v.encode() for k, v in headers.items()}
        _check(service.client.get("/v1/changes", headers=encoded), (401,))
    for path in ("/v1/changes?since=-1", "/v1/changes?since=abc", "/v1/changes?limit=0",
                 "/v1/changes?limit=10001", f"/v1/changes?since={2**80}",
                 "/v1/members/" + "x" * 100 + "/balance"):
        _check(service.signed(till, "GET", path), (400, 404))
    stale = service.signed(till, "GET", "/v1/changes", timestamp=0)
    _check(stale, (401,))


def test_a_huge_declared_body_is_refused_before_reading(service: Service) -> None:
    till = service.register(11)
    answer = service.client.post("/v1/records", content=b"{}", headers={
        "Content-Length": str(1 << 40), "X-Loyalty-Till": str(till.number)})
    assert answer.status_code in (400, 413)
