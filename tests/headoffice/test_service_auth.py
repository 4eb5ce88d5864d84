"""The service's front door: health, OpenAPI, registration with one-time codes, signed requests
(bad signature, stale, revoked key after re-registration), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from test_service_helpers import MASTER, HandLedger, Movement, Service

from loyalty_pos.core.signing import sign_request
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.keys import (
    CODE_ALPHABET,
    chain_secret,
    normalise_code,
    sha256_hex,
    till_key,
)
from loyalty_pos.headoffice.models import HORegistrationCode, HOTill

ENDPOINTS = {("get", "/v1/health"), ("post", "/v1/register"), ("post", "/v1/ledger"),
             ("post", "/v1/records"), ("get", "/v1/changes"),
             ("get", "/v1/members/{uuid}/balance")}


@pytest.fixture
def service(headoffice: HeadOfficeDb) -> Service:
    return Service(headoffice)


def test_health_names_the_database(service: Service, dialect: str) -> None:
    answer = service.client.get("/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["database"] == dialect


def test_openapi_lists_every_endpoint_and_documents_the_bodies(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()
    listed = {(method, path) for path, methods in schema["paths"].items() for method in methods}
    assert listed == ENDPOINTS
    components = schema["components"]["schemas"]
    assert {"Registration", "RecordsPush", "Message", "MemberSnapshot", "LedgerAnswer",
            "ChangesAnswer", "MemberBalance"} <= set(components)
    ledger = schema["paths"]["/v1/ledger"]["post"]["requestBody"]["content"]
    assert "application/vnd.loyalty-ledger+gzip" in ledger


def test_a_registration_code_pairs_the_till_once(service: Service) -> None:
    code = service.new_code(11, "S001")
    assert len(code) == 14 and code[4] == code[9] == "-"
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    till = service.register(11, "S001", origin_till_id=3, origin_store_id=2,
                            code=code.lower().replace("-", " "))  # typed by hand
    assert till.key == till_key(MASTER, 11, 1)
    with service.db.sessions() as session:
        row = session.scalar(select(HOTill).where(HOTill.number == 11))
        assert row is not None
        assert (row.key_serial, row.origin_till_id, row.origin_store_id) == (1, 3, 2)
        assert row.key_sha256 == sha256_hex(till.key)  # the key itself is not stored
        stored = session.scalar(select(HORegistrationCode.code_sha256))
        assert stored == sha256_hex(normalise_code(code)) and code not in stored
    again = service.client.post("/v1/register", json={
        "code": code, "till_number": 11, "store_code": "S001", "origin_till_id": 3,
        "origin_store_id": 2})
    assert again.status_code == 403
    assert "already used" in again.json()["detail"]


def test_unknown_expired_and_misdirected_codes_are_refused(service: Service) -> None:
    def register(code: str, number: int = 11, store: str = "S001") -> tuple[int, str]:
        answer = service.client.post("/v1/register", json={
            "code": code, "till_number": number, "store_code": store, "origin_till_id": 1,
            "origin_store_id": 1})
        return answer.status_code, answer.json()["detail"]

    assert register("AAAA-BBBB-CCCC")[0] == 403
    code = service.new_code(11)
    status, detail = register(code, number=12)
    assert status == 409 and "till 11 of store S001" in detail
    assert register(code, store="S002")[0] == 409
    service.clock.advance(days=7, seconds=1)
    status, detail = register(code)
    assert status == 403 and "expired" in detail


def test_a_new_code_replaces_the_unused_one(service: Service) -> None:
    first = service.new_code(11)
    second = service.new_code(11)
    answer = service.client.post("/v1/register", json={
        "code": first, "till_number": 11, "store_code": "S001", "origin_till_id": 1,
        "origin_store_id": 1})
    assert answer.status_code == 403
    service.register(11, code=second)


def test_signed_requests(service: Service) -> None:
    till = service.register(11)
    assert service.signed(till, "GET", "/v1/changes?since=0").status_code == 200
    # a signature over another path, body, or with another key
    wrong_path = service.signed(till, "GET", "/v1/changes?since=0", key=b"x" * 32)
    assert wrong_path.status_code == 401 and "bad signature" in wrong_path.json()["detail"]
    stale = service.signed(till, "GET", "/v1/changes?since=0",
                           timestamp=int(service.clock().timestamp()) - 301)
    assert stale.status_code == 401 and "stale" in stale.json()["detail"]
    ahead = service.signed(till, "GET", "/v1/changes?since=0",
                           timestamp=int(service.clock().timestamp()) + 301)
    assert ahead.status_code == 401
    within = service.signed(till, "GET", "/v1/changes?since=0",
                            timestamp=int(service.clock().timestamp()) - 299)
    assert within.status_code == 200
    unknown = service.signed(till, "GET", "/v1/changes?since=0", number=99)
    assert unknown.status_code == 401 and "unknown till 99" in unknown.json()["detail"]
    bare = service.client.get("/v1/changes?since=0")
    assert bare.status_code == 401 and "missing header" in bare.json()["detail"]


def test_a_signature_covers_the_query(service: Service) -> None:
    till = service.register(11)
    stamp = int(service.clock().timestamp())
    signature = sign_request(till.key, "GET", "/v1/changes?since=0", stamp, b"")
    answer = service.client.get("/v1/changes?since=5", headers={
        "X-Loyalty-Till": "11", "X-Loyalty-Timestamp": str(stamp),
        "X-Loyalty-Signature": signature})
    assert answer.status_code == 401


def test_registering_again_revokes_the_old_key(service: Service) -> None:
    old = service.register(11)
    new = service.register(11)
    assert new.key != old.key
    refused = service.signed(old, "GET", "/v1/changes")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert service.signed(new, "GET", "/v1/changes").status_code == 200


def test_a_till_added_but_not_registered_cannot_sign(service: Service) -> None:
    service.new_code(12)
    till = service.register(11)
    answer = service.signed(till, "GET", "/v1/changes", number=12,
                            key=till_key(MASTER, 12, 0))
    assert answer.status_code == 401 and "not registered" in answer.json()["detail"]


def test_another_till_database_cannot_take_over_a_number_with_a_ledger(
        service: Service, tmp_path: Path) -> None:
    till = service.register(11, origin_till_id=1, origin_store_id=1)
    data = HandLedger(till).add(Movement("m-1", 500, kind="top_up")).file(tmp_path,
                                                                          service.secret)
    assert service.push_ledger(till, data).status_code == 200
    code = service.new_code(11)
    answer = service.client.post("/v1/register", json={
        "code": code, "till_number": 11, "store_code": "S001", "origin_till_id": 7,
        "origin_store_id": 1})
    assert answer.status_code == 409 and "another till database" in answer.json()["detail"]
    service.register(11, origin_till_id=1, origin_store_id=1)  # the same database may


def test_the_chain_secret_is_derived_from_the_master_key() -> None:
    assert chain_secret(MASTER) != chain_secret(bytes(32))
    assert till_key(MASTER, 11, 1) != till_key(MASTER, 11, 2) != till_key(MASTER, 12, 1)


def test_health_is_503_when_the_database_is_gone() -> None:
    db = HeadOfficeDb.open("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2",
                           upgrade=False)
    try:
        answer = Service(db).client.get("/v1/health")
        assert answer.status_code == 503 and "database" in answer.json()["detail"]
    finally:
        db.close()
