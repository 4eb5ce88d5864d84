"""The till's HTTP client for head office (docs/sync-protocol.md).

`SyncClient` sends one request per method, signs every request but registration and health
(X-Loyalty-Till / -Timestamp / -Signature) and turns every way a request can fail into one of
two typed errors:

- `SyncUnavailable`: head office could not be reached or could not answer (connection refused,
  DNS, timeout, 5xx, an answer that is not the protocol's JSON). Worth retrying soon.
- `SyncRefused`: head office answered and said no (4xx) with its reason. It will say the same
  again until something changes, so it is not retried before the next regular cycle.

It holds no database and no state beyond the connection pool: push/pull logic lives in
push.py / pull.py. Thread: one client per thread (httpx.Client is not meant to be shared
between threads that close it); the relay makes its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from ..core.errors import LoyaltyError
from ..core.signing import LEDGER_CONTENT_TYPE, sign_request

TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # a 20,000-entry file is imported before the answer
DETAIL_LIMIT = 500  # characters of a refusal's reason kept (a proxy's HTML page is long)


def new_http_client() -> httpx.Client:
    """The HTTP client a SyncClient makes when none is given (a seam for tests)."""
    return httpx.Client(timeout=TIMEOUT)


class SyncError(LoyaltyError):
    """A sync request did not go through."""


class SyncUnavailable(SyncError):
    """Head office could not be reached or failed (network, timeout, 5xx): retry later."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SyncRefused(SyncError):
    """Head office refused the request (4xx); `detail` is its reason."""

    def __init__(self, status: int, detail: str, what: str) -> None:
        super().__init__(f"head office refused {what} (HTTP {status}): {detail}")
        self.status = status
        self.detail = detail


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:DETAIL_LIMIT] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    if detail is None:
        return json.dumps(body)[:DETAIL_LIMIT]
    return (detail if isinstance(detail, str) else json.dumps(detail))[:DETAIL_LIMIT]


class SyncClient:
    """Requests to one head office as one till.

    `http` may be any httpx.Client (tests pass `fastapi.testclient.TestClient(app)`); without
    one the client makes its own and closes it in `close`. `clock` gives unix seconds for the
    signature's timestamp: real time, since head office refuses requests more than 300 s from
    its own clock.
    """

    def __init__(self, base_url: str, till_number: int, key: str | bytes | None,
                 http: httpx.Client | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.base_url = base_url.rstrip("/")
        self.till_number = till_number
        self.key = bytes.fromhex(key) if isinstance(key, str) else key
        self.clock = clock
        self._owned = http is None
        self.http = http if http is not None else new_http_client()

    def close(self) -> None:
        if self._owned:
            self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the endpoints ---------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/v1/health", what="the health check", signed=False)

    def register(self, code: str, store_code: str, origin_till_id: int,
                 origin_store_id: int) -> dict[str, Any]:
        body = {"code": code, "till_number": self.till_number, "store_code": store_code,
                "origin_till_id": origin_till_id, "origin_store_id": origin_store_id}
        return self._request("POST", "/v1/register", what="the registration", signed=False,
                             body=_json_bytes(body))

    def push_ledger(self, ledger_file: bytes) -> dict[str, Any]:
        """Send one ledger file; head office answers stored_through, new, duplicate, last_seq,
        open_gaps."""
        return self._request("POST", "/v1/ledger", what="the ledger file", body=ledger_file,
                             content_type=LEDGER_CONTENT_TYPE)

    def push_records(self, messages: list[dict[str, Any]], members: list[dict[str, Any]]
                     ) -> dict[str, Any]:
        return self._request("POST", "/v1/records", what="the records",
                             body=_json_bytes({"messages": messages, "members": members}))

    def changes(self, since: int, limit: int) -> dict[str, Any]:
        return self._request("GET", f"/v1/changes?since={int(since)}&limit={int(limit)}",
                             what="the changes request")

    def member_balance(self, member_uuid: str) -> dict[str, Any]:
        return self._request("GET", f"/v1/members/{member_uuid}/balance",
                             what="the balance request")

    # -- one request -----------------------------------------------------------------------

    def signed_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        """The three headers of a signed request. `path` is the path and query as sent."""
        if self.key is None:
            raise SyncRefused(401, "this till is not registered (run loyalty-pos register)",
                              "the request")
        timestamp = int(self.clock())
        return {"X-Loyalty-Till": str(self.till_number),
                "X-Loyalty-Timestamp": str(timestamp),
                "X-Loyalty-Signature": sign_request(self.key, method, path, timestamp, body)}

    def _request(self, method: str, path: str, *, what: str, signed: bool = True,
                 body: bytes = b"", content_type: str = "application/json"
                 ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if body:
            headers["Content-Type"] = content_type
        if signed:
            headers.update(self.signed_headers(method, path, body))
        try:
            response = self.http.request(method, self.base_url + path, content=body or None,
                                         headers=headers)
        except httpx.TimeoutException as exc:
            raise SyncUnavailable(f"head office did not answer {what} in time ({exc})") from exc
        except httpx.TransportError as exc:
            raise SyncUnavailable(
                f"head office at {self.base_url} cannot be reached ({exc or type(exc).__name__})"
            ) from exc
        return self._answer(response, what)

    def _answer(self, response: httpx.Response, what: str) -> dict[str, Any]:
        status = response.status_code
        if status >= 500:
            raise SyncUnavailable(f"head office failed on {what} (HTTP {status}): "
                                  f"{_detail(response)}", status)
        if status >= 300:
            raise SyncRefused(status, _detail(response), what)
        try:
            answer = response.json()
        except ValueError as exc:
            raise SyncUnavailable(f"head office's answer to {what} is not JSON (a proxy or "
                                  "captive portal in the way?)", status) from exc
        if not isinstance(answer, dict):
            raise SyncUnavailable(f"head office's answer to {what} is not a JSON object",
                                  status)
        return answer


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
