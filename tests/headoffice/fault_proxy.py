"""A real TCP/HTTP proxy on loopback that breaks the till <-> head-office conversation on purpose.

The till client talks to `proxy.url`; the proxy forwards every request to the head-office
service at `127.0.0.1:upstream_port` and applies one fault per request, chosen by a schedule
(an explicit script or a seeded random schedule):

- PASS           forward, answer.
- DROP           close the client's connection before forwarding: the server never sees it.
- DROP_RESPONSE  forward, read the server's whole answer (so the server has committed), then
                 close the client's connection without answering: the nasty case — the work is
                 done but the till cannot know.
- DUPLICATE      forward the request twice AT ONCE (two upstream connections in parallel, as a
                 retrying network would), answer the client with the first copy's answer.
- DELAY          wait `delay` seconds, then forward and answer.
- REORDER        hold the request and close the client's connection (the till sees a failed
                 request and goes on); the held request is forwarded after the NEXT request has
                 been forwarded and answered by the server, i.e. a stale copy overtaken by a
                 later one (its answer goes nowhere).

Each client connection carries one request (the proxy answers with `Connection: close`), and
each forwarded copy goes over its own upstream connection with `Connection: close`, so "the
server's whole answer" is simply everything up to EOF. When the server cannot be reached (killed,
restarting) the client gets `502 Bad Gateway`, as from the nginx in front of head office in
production (installers/headoffice).

Every request is logged (`exchanges`) with the fault applied and the server's status(es), and
kept as sent (`captured`: method, target, headers, body) so a test can replay or alter it.

Threads: one accept thread plus one thread per client connection; `schedule` is consulted under
a lock in arrival order, so a sequential client gets a reproducible sequence of faults.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

HOP_HEADERS = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                         "content-length", "te", "trailer", "upgrade"})
MAX_HEAD = 64 * 1024
UPSTREAM_TIMEOUT = 120.0


class Fault(StrEnum):
    PASS = "pass"
    DROP = "drop"
    DROP_RESPONSE = "drop_response"
    DUPLICATE = "duplicate"
    DELAY = "delay"
    REORDER = "reorder"


@dataclass(frozen=True)
class RawRequest:
    """One HTTP request as the client sent it (body de-chunked)."""
    method: str
    target: str                       # path and query as sent
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def encode(self) -> bytes:
        """The request for one upstream connection: Content-Length, Connection: close."""
        lines = [f"{self.method} {self.target} HTTP/1.1"]
        lines += [f"{key}: {value}" for key, value in self.headers
                  if key.lower() not in HOP_HEADERS]
        lines += [f"Content-Length: {len(self.body)}", "Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1") + self.body


@dataclass
class Exchange:
    """What happened to one request."""
    index: int
    method: str
    path: str
    fault: Fault
    statuses: list[int] = field(default_factory=list)  # server answers (0: none, server down)
    answered: int | None = None   # status the client got; None: connection closed on it
    released_after: int | None = None  # REORDER: index of the request that overtook it
    seconds: float = 0.0          # from the request read to the answer sent (or dropped)


Schedule = Callable[[RawRequest], Fault]


def always(fault: Fault = Fault.PASS) -> Schedule:
    return lambda _request: fault


class Script:
    """Explicit faults for the matching requests in order (PASS once the script is used up).

    `only` picks the requests the script applies to (default: all); others PASS."""

    def __init__(self, faults: Iterable[Fault], only: Callable[[RawRequest], bool] | None = None
                 ) -> None:
        self.faults = list(faults)
        self.only = only or (lambda _request: True)

    def __call__(self, request: RawRequest) -> Fault:
        if not self.only(request) or not self.faults:
            return Fault.PASS
        return self.faults.pop(0)


class SeededFaults:
    """A reproducible random schedule: each matching request gets a fault with probability
    `rate`, drawn from `weights`; never more than `max_in_a_row` faults in a row, so a client
    that retries always gets through eventually."""

    def __init__(self, seed: int, rate: float = 0.35,
                 weights: dict[Fault, float] | None = None,
                 only: Callable[[RawRequest], bool] | None = None, max_in_a_row: int = 3
                 ) -> None:
        self.random = random.Random(seed)
        self.rate = rate
        self.weights = weights or {Fault.DROP: 1, Fault.DROP_RESPONSE: 2, Fault.DUPLICATE: 2,
                                   Fault.DELAY: 1, Fault.REORDER: 1}
        self.only = only or (lambda _request: True)
        self.max_in_a_row = max_in_a_row
        self.in_a_row = 0
        self.enabled = True

    def __call__(self, request: RawRequest) -> Fault:
        if not self.enabled or not self.only(request):
            return Fault.PASS
        draw = self.random.random()
        faults, weights = zip(*self.weights.items(), strict=True)
        pick = self.random.choices(faults, weights)[0]
        if draw >= self.rate or self.in_a_row >= self.max_in_a_row:
            self.in_a_row = 0
            return Fault.PASS
        self.in_a_row += 1
        return pick


class FaultProxy:
    """See the module docstring. Use as a context manager, or start()/stop()."""

    def __init__(self, upstream_port: int, schedule: Schedule | None = None, *,
                 delay: float = 0.2, host: str = "127.0.0.1") -> None:
        self.upstream_port = upstream_port   # may be changed while running
        self.schedule: Schedule = schedule or always()
        self.delay = delay
        self.host = host
        self.exchanges: list[Exchange] = []
        self.captured: list[RawRequest] = []
        self._lock = threading.Lock()
        self._held: list[tuple[Exchange, RawRequest]] = []
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._busy = 0
        self._idle = threading.Condition(self._lock)

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        thread = threading.Thread(target=self._accept, name="fault-proxy-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._listener is not None, "start the proxy first"
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- what happened --------------------------------------------------------------------------

    def faults(self, fault: Fault, path: str | None = None) -> list[Exchange]:
        with self._lock:
            return [x for x in self.exchanges
                    if x.fault is fault and (path is None or x.path == path)]

    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def release_held(self) -> None:
        """Forward every held (REORDER) request now, in the order they were held."""
        with self._lock:
            held, self._held = self._held, []
        for exchange, request in held:
            exchange.statuses.append(self._forward(request)[0])

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until no request is being handled (copies of DUPLICATE included)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the fault proxy is still busy")
                self._idle.wait(left)

    # -- the work -------------------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,),
                                      name="fault-proxy-conn", daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            self._busy += 1
        try:
            client.settimeout(UPSTREAM_TIMEOUT)
            try:
                request = read_request(client)
            except (OSError, ValueError):
                return
            if request is None:
                return
            with self._lock:
                fault = self.schedule(request)
                exchange = Exchange(len(self.exchanges), request.method, request.path, fault)
                self.exchanges.append(exchange)
                self.captured.append(request)
                overtaken: list[tuple[Exchange, RawRequest]] = []
                if fault not in (Fault.REORDER, Fault.DROP):  # this one will reach the server
                    overtaken, self._held = self._held, []
            started = time.monotonic()
            try:
                self._apply(client, request, exchange, overtaken)
            finally:
                exchange.seconds = time.monotonic() - started
        finally:
            _close(client)
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _apply(self, client: socket.socket, request: RawRequest, exchange: Exchange,
               overtaken: list[tuple[Exchange, RawRequest]]) -> None:
        fault = exchange.fault
        if fault is Fault.DROP:
            return
        if fault is Fault.REORDER:
            with self._lock:
                self._held.append((exchange, request))
            return
        if fault is Fault.DELAY:
            time.sleep(self.delay)
        if fault is Fault.DUPLICATE:
            answers: list[tuple[int, bytes]] = [(0, b""), (0, b"")]

            def copy(at: int) -> None:
                answers[at] = self._forward(request)

            twins = [threading.Thread(target=copy, args=(at,)) for at in (0, 1)]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()
            exchange.statuses += [status for status, _ in answers]
            status, raw = answers[0]
        else:
            status, raw = self._forward(request)
            exchange.statuses.append(status)
        for stale, held in overtaken:  # the later request went first; now the stale copy
            stale.released_after = exchange.index
            stale.statuses.append(self._forward(held)[0])
        if fault is Fault.DROP_RESPONSE:
            return
        if status == 0:
            raw = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 38\r\nConnection: close\r\n\r\n"
                   b'{"detail": "head office unreachable"}\n')
            status = 502
        try:
            client.sendall(raw)
            exchange.answered = status
        except OSError:
            pass

    def _forward(self, request: RawRequest) -> tuple[int, bytes]:
        """Send one copy upstream; (status, the whole raw answer), (0, b"") when the server
        could not be reached or did not answer completely."""
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port),
                                          timeout=UPSTREAM_TIMEOUT) as upstream:
                upstream.sendall(request.encode())
                chunks = []
                while block := upstream.recv(1 << 16):
                    chunks.append(block)
        except OSError:
            return 0, b""
        raw = b"".join(chunks)
        status = response_status(raw)
        if status and not response_complete(raw):
            return 0, b""
        return status, raw


# -- HTTP/1.1 framing (just enough) --------------------------------------------------------------


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def read_request(sock: socket.socket) -> RawRequest | None:
    """One request from the socket (None: closed before a request started)."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        block = sock.recv(1 << 16)
        if not block:
            if buffer:
                raise ValueError("connection closed inside the request head")
            return None
        buffer += block
        if len(buffer) > MAX_HEAD and b"\r\n\r\n" not in buffer:
            raise ValueError("request head too long")
    head, rest = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = tuple((key.strip(), value.strip()) for key, value in
                    (line.split(":", 1) for line in lines[1:] if line))
    names = {key.lower(): value for key, value in headers}
    if "chunked" in names.get("transfer-encoding", "").lower():
        body, rest = _read_chunked(sock, rest)
    else:
        length = int(names.get("content-length", "0") or 0)
        while len(rest) < length:
            block = sock.recv(1 << 16)
            if not block:
                raise ValueError("connection closed inside the request body")
            rest += block
        body = rest[:length]
    return RawRequest(method, target, headers, body)


def _read_chunked(sock: socket.socket, data: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        while b"\r\n" not in data:
            data += _recv(sock)
        size_line, data = data.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            while b"\r\n" not in data:  # trailers end with an empty line
                data += _recv(sock)
            while not data.startswith(b"\r\n"):
                _trailer, data = data.split(b"\r\n", 1)
                while b"\r\n" not in data:
                    data += _recv(sock)
            return body, data[2:]
        while len(data) < size + 2:
            data += _recv(sock)
        body += data[:size]
        data = data[size + 2:]


def _recv(sock: socket.socket) -> bytes:
    block = sock.recv(1 << 16)
    if not block:
        raise ValueError("connection closed inside a chunked body")
    return block


def response_status(raw: bytes) -> int:
    try:
        return int(raw.split(b"\r\n", 1)[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def response_complete(raw: bytes) -> bool:
    """The answer holds its whole body (Content-Length or chunked; else EOF ends it)."""
    if b"\r\n\r\n" not in raw:
        return False
    head, body = raw.split(b"\r\n\r\n", 1)
    names = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            names[key.strip().lower()] = value.strip()
    if "chunked" in names.get("transfer-encoding", "").lower():
        return body.endswith(b"0\r\n\r\n")
    if "content-length" in names:
        return len(body) >= int(names["content-length"])
    return True


def summary(exchanges: Sequence[Exchange]) -> dict[str, int]:
    """How many requests got each fault (for messages)."""
    counts: dict[str, int] = {}
    for exchange in exchanges:
        counts[exchange.fault.value] = counts.get(exchange.fault.value, 0) + 1
    return counts
