"""The fault proxy itself, against a tiny recording HTTP server: every fault does what it says
(the server sees the request or not, once or twice, in which order; the client gets an answer
or a closed connection), schedules are reproducible, a dead server is a 502."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fault_proxy import Fault, FaultProxy, RawRequest, Script, SeededFaults


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.seen.append(("POST", self.path, body))
            count = len(self.server.seen)
        answer = json.dumps({"count": count, "echo": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def post(proxy: FaultProxy, path: str, body: bytes, chunked: bool = False) -> httpx.Response:
    content = iter([body[:3], body[3:]]) if chunked else body
    return httpx.post(proxy.url + path, content=content, timeout=10,
                      headers={"X-Loyalty-Till": "7"})


def test_pass_forwards_request_and_answer_unchanged(upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1]) as proxy:
        answer = post(proxy, "/v1/ledger?x=1", b"hello world")
        chunked = post(proxy, "/v1/records", b"chunked body", chunked=True)
    assert answer.status_code == 200 and answer.json() == {"count": 1, "echo": "hello world"}
    assert chunked.json()["echo"] == "chunked body"
    assert upstream.seen == [("POST", "/v1/ledger?x=1", b"hello world"),
                             ("POST", "/v1/records", b"chunked body")]
    first = proxy.captured[0]
    assert (first.method, first.target, first.body) == ("POST", "/v1/ledger?x=1", b"hello world")
    assert first.header("x-loyalty-till") == "7"
    assert [(x.fault, x.statuses, x.answered) for x in proxy.exchanges] == [
        (Fault.PASS, [200], 200), (Fault.PASS, [200], 200)]


def test_drop_never_reaches_the_server(upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1], Script([Fault.DROP])) as proxy:
        with pytest.raises(httpx.TransportError):
            post(proxy, "/a", b"1")
        proxy.wait_idle()
    assert upstream.seen == []
    assert proxy.exchanges[0].statuses == [] and proxy.exchanges[0].answered is None


def test_drop_response_reaches_the_server_but_the_client_gets_no_answer(
        upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1], Script([Fault.DROP_RESPONSE])) as proxy:
        with pytest.raises(httpx.TransportError):
            post(proxy, "/a", b"1")
        proxy.wait_idle()
        again = post(proxy, "/a", b"1")
    assert upstream.seen == [("POST", "/a", b"1")] * 2
    assert again.json()["count"] == 2
    assert proxy.exchanges[0].statuses == [200] and proxy.exchanges[0].answered is None


def test_duplicate_sends_two_copies_at_once_and_answers_once(upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1], Script([Fault.DUPLICATE])) as proxy:
        answer = post(proxy, "/a", b"twice")
    assert answer.status_code == 200
    assert upstream.seen == [("POST", "/a", b"twice")] * 2
    assert proxy.exchanges[0].statuses == [200, 200]


def test_delay_waits_before_forwarding(upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1], Script([Fault.DELAY]), delay=0.3) as proxy:
        started = time.monotonic()
        answer = post(proxy, "/a", b"late")
        took = time.monotonic() - started
    assert answer.status_code == 200 and took >= 0.3
    assert upstream.seen == [("POST", "/a", b"late")]


def test_reorder_lets_the_next_request_overtake_the_held_one(upstream: Recorder) -> None:
    with FaultProxy(upstream.server_address[1],
                    Script([Fault.REORDER, Fault.DROP])) as proxy:
        with pytest.raises(httpx.TransportError):
            post(proxy, "/a", b"first")
        proxy.wait_idle()
        assert upstream.seen == [] and proxy.held() == 1
        with pytest.raises(httpx.TransportError):
            post(proxy, "/a", b"dropped")  # never reaches the server: no overtaking yet
        proxy.wait_idle()
        assert proxy.held() == 1
        answer = post(proxy, "/a", b"second")
    assert answer.json() == {"count": 1, "echo": "second"}
    assert upstream.seen == [("POST", "/a", b"second"), ("POST", "/a", b"first")]
    assert proxy.exchanges[0].released_after == 2 and proxy.exchanges[0].statuses == [200]
    assert proxy.held() == 0


def test_seeded_schedule_is_reproducible_and_bounded() -> None:
    request = RawRequest("POST", "/v1/ledger", (), b"")
    other = RawRequest("GET", "/v1/changes", (), b"")
    first = SeededFaults(42, rate=0.9, max_in_a_row=2)
    second = SeededFaults(42, rate=0.9, max_in_a_row=2)
    only_posts = SeededFaults(42, rate=1.0, only=lambda r: r.method == "POST")
    a = [first(request) for _ in range(200)]
    assert a == [second(request) for _ in range(200)]
    assert set(a) == set(Fault)  # every fault drawn, and PASS
    runs = "".join("x" if fault is not Fault.PASS else "." for fault in a)
    assert "xxx" not in runs  # at most two faults in a row
    assert only_posts(other) is Fault.PASS and only_posts(request) is not Fault.PASS


def test_dead_server_is_a_bad_gateway(upstream: Recorder) -> None:
    port = upstream.server_address[1]
    upstream.shutdown()
    upstream.server_close()
    with FaultProxy(port) as proxy:
        answer = post(proxy, "/a", b"1")
    assert answer.status_code == 502
    assert proxy.exchanges[0].statuses == [0]
