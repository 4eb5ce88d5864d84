"""The till's HTTP client on its own: every request but registration and health is signed as
docs/sync-protocol.md says (checked here against the formula, not against the signing code),
and every failure is one of two typed errors."""

from __future__ import annotations

import hashlib
import hmac
import socket

import httpx
import pytest

from loyalty_pos.core.signing import LEDGER_CONTENT_TYPE
from loyalty_pos.sync.client import (
    SyncClient,
    SyncRefused,
    SyncUnavailable,
)

KEY = "ab" * 32
NOW = 1_773_144_000


def doc_signature(key: str, method: str, path: str, timestamp: int, body: bytes) -> str:
    message = f"{method}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(bytes.fromhex(key), message.encode(), hashlib.sha256).hexdigest()


def client_answering(handler) -> tuple[SyncClient, list[httpx.Request]]:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    return SyncClient("http://ho.example:8080/", 7, KEY, http, clock=lambda: NOW + 0.9), seen


def test_signed_requests_carry_till_timestamp_and_the_documented_signature() -> None:
    client, seen = client_answering(lambda r: httpx.Response(200, json={"cursor": 3,
                                                                         "more": False}))
    assert client.changes(0, 500) == {"cursor": 3, "more": False}
    client.push_ledger(b"\x1f\x8bgzip bytes")
    request = seen[0]
    assert str(request.url) == "http://ho.example:8080/v1/changes?since=0&limit=500"
    assert request.headers["X-Loyalty-Till"] == "7"
    assert request.headers["X-Loyalty-Timestamp"] == str(NOW)
    assert request.headers["X-Loyalty-Signature"] == doc_signature(
        KEY, "GET", "/v1/changes?since=0&limit=500", NOW, b"")
    ledger = seen[1]
    assert ledger.headers["Content-Type"] == LEDGER_CONTENT_TYPE
    assert ledger.headers["X-Loyalty-Signature"] == doc_signature(
        KEY, "POST", "/v1/ledger", NOW, b"\x1f\x8bgzip bytes")


def test_registration_and_health_are_not_signed() -> None:
    client, seen = client_answering(lambda r: httpx.Response(200, json={"status": "ok"}))
    client.health()
    client.register("ABCD-EFGH-JKLM", "S001", 1, 1)
    assert all("X-Loyalty-Signature" not in r.headers for r in seen)
    assert seen[1].read() == (b'{"code":"ABCD-EFGH-JKLM","till_number":7,"store_code":"S001",'
                              b'"origin_till_id":1,"origin_store_id":1}')


@pytest.mark.parametrize("status", [400, 401, 403, 409, 422])
def test_4xx_is_refused_with_the_servers_reason(status: int) -> None:
    client, _ = client_answering(lambda r: httpx.Response(status, json={"detail": "stale request"}))
    with pytest.raises(SyncRefused) as caught:
        client.changes(0, 10)
    assert caught.value.status == status and caught.value.detail == "stale request"
    assert "stale request" in str(caught.value)


@pytest.mark.parametrize("response", [
    httpx.Response(500, text="Internal Server Error"),
    httpx.Response(503, json={"detail": "database is restarting"}),
    httpx.Response(200, text="<html>captive portal</html>"),
    httpx.Response(200, json=[1, 2]),
])
def test_5xx_and_answers_that_are_not_the_protocol_are_unavailable(response) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_answering(lambda r: response)
    with pytest.raises(SyncUnavailable):
        client.changes(0, 10)


def test_timeouts_are_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, _ = client_answering(slow)
    with pytest.raises(SyncUnavailable, match="in time"):
        client.changes(0, 10)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_closed_port_is_unavailable() -> None:
    with SyncClient(f"http://127.0.0.1:{closed_port()}", 7, KEY) as client, pytest.raises(
            SyncUnavailable, match="cannot be reached"):
        client.changes(0, 10)


def test_an_unregistered_till_cannot_sign() -> None:
    client = SyncClient("http://ho.example", 7, None, httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))))
    with pytest.raises(SyncRefused, match="not registered"):
        client.changes(0, 10)
