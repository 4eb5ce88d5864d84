"""Serial barcode/QR scanners: settings, framing of the byte stream into codes, and a reader thread.

A serial scanner sends each code as bytes followed by a suffix (CR by default), sometimes with a
prefix in front. `ScanFramer` turns that byte stream into codes and throws away line noise;
`DoubleScanFilter` ignores the same card read twice in a row; `SerialScanner` runs the port on its
own daemon thread and keeps reopening it when the scanner is unplugged and plugged back in.

Threads: `ScannerSettings`, `ScanFramer` and `DoubleScanFilter` are plain objects with no threads of
their own. `SerialScanner.start`/`stop` are called from the owner's thread (the GUI thread in the
till); everything else in `SerialScanner`, including the `on_scan` and `on_status` callbacks, runs
on its reader thread. The Qt bridge (`loyalty_pos/ui/scanner_bridge.py`) re-emits the callbacks as
signals so widgets only ever see them on the GUI thread.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import serial

from loyalty_pos.core.errors import InvalidInput

log = logging.getLogger(__name__)

SUFFIXES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t"}
BYTESIZES = (5, 6, 7, 8)
PARITIES = ("N", "E", "O", "M", "S")
STOPBITS = (1, 1.5, 2)
MIN_BAUDRATE = 50
MAX_BAUDRATE = 4_000_000
MAX_PREFIX_LENGTH = 32
MAX_FRAME_LENGTH = 65_536
MAX_DOUBLE_SCAN_MS = 60_000

# A short read timeout keeps stop() prompt without busy-spinning; data itself is never held back
# by it, because a read returns as soon as the first byte is there.
READ_TIMEOUT_S = 0.05
FIRST_RETRY_S = 0.2
MAX_RETRY_S = 2.0
# A scanner sends a whole frame in one burst, so a partial frame left alone this long is line
# noise (a glitch byte when the scanner powers up); dropping it stops it spoiling the next scan.
PARTIAL_FRAME_TIMEOUT_S = 1.0

CONNECTED = "connected"
DISCONNECTED = "disconnected"
STOPPED = "stopped"


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInput(message)


def _is_whole_number(value: object) -> bool:
    # bool is an int subclass, but True is never a sensible baud rate or length.
    return isinstance(value, int) and not isinstance(value, bool)


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


@dataclass(frozen=True)
class ScannerSettings:
    """How the scanner is wired and configured. Immutable; check it with `validate()`."""

    port: str  # e.g. /dev/ttyUSB0, COM3, or a pyserial URL like loop://
    baudrate: int = 9600
    bytesize: int = 8  # 5-8
    parity: str = "N"  # N E O M S
    stopbits: float = 1  # 1, 1.5, 2
    suffix: str = "CR"  # key of SUFFIXES
    prefix: str = ""  # optional prefix the scanner adds; stripped
    max_length: int = 512  # longer frames are discarded
    double_scan_ms: int = 800  # the same code again within this window is ignored

    def validate(self) -> None:
        """Raise InvalidInput naming the first bad setting, in words a store manager can act on."""
        self._validate_port()
        self._validate_line()
        self._validate_framing()

    def _validate_port(self) -> None:
        _require(isinstance(self.port, str) and self.port.strip() != "" and "\0" not in self.port,
                 "Choose the port the scanner is connected to (for example /dev/ttyUSB0 or COM3).")

    def _validate_line(self) -> None:
        _require(_is_whole_number(self.baudrate) and MIN_BAUDRATE <= self.baudrate <= MAX_BAUDRATE,
                 f"Scanner baud rate must be a whole number from {MIN_BAUDRATE} to "
                 f"{MAX_BAUDRATE}, not {self.baudrate!r}.")
        _require(_is_whole_number(self.bytesize) and self.bytesize in BYTESIZES,
                 f"Scanner data bits must be 5, 6, 7 or 8, not {self.bytesize!r}.")
        _require(isinstance(self.parity, str) and self.parity in PARITIES,
                 f"Scanner parity must be one of N, E, O, M, S, not {self.parity!r}.")
        _require(not isinstance(self.stopbits, bool) and self.stopbits in STOPBITS,
                 f"Scanner stop bits must be 1, 1.5 or 2, not {self.stopbits!r}.")

    def _validate_framing(self) -> None:
        _require(isinstance(self.suffix, str) and self.suffix in SUFFIXES,
                 f"Scanner suffix must be one of {', '.join(SUFFIXES)}, not {self.suffix!r}.")
        _require(isinstance(self.prefix, str) and len(self.prefix) <= MAX_PREFIX_LENGTH
                 and not _has_control_characters(self.prefix),
                 f"Scanner prefix must be at most {MAX_PREFIX_LENGTH} printable characters, "
                 f"not {self.prefix!r}.")
        _require(_is_whole_number(self.max_length) and 1 <= self.max_length <= MAX_FRAME_LENGTH,
                 f"Scanner maximum code length must be a whole number from 1 to "
                 f"{MAX_FRAME_LENGTH}, not {self.max_length!r}.")
        _require(_is_whole_number(self.double_scan_ms)
                 and 0 <= self.double_scan_ms <= MAX_DOUBLE_SCAN_MS,
                 f"Scanner double-scan window must be a whole number of milliseconds from 0 to "
                 f"{MAX_DOUBLE_SCAN_MS}, not {self.double_scan_ms!r}.")


class ScanFramer:
    """Turns a byte stream into complete codes: split on the suffix, strip the prefix, decode as
    ASCII/UTF-8, discard (with a logging.warning naming why, never raising) frames that are empty,
    over max_length (also when no suffix arrives for more than max_length bytes: drop the buffer),
    contain control characters or undecodable bytes, or lack the configured prefix. A partial frame
    stays buffered until its suffix arrives; `reset()` clears it (on disconnect).

    Not thread-safe; `SerialScanner` uses it only from its reader thread.
    """

    def __init__(self, settings: ScannerSettings) -> None:
        self._suffix = SUFFIXES[settings.suffix]
        self._prefix = settings.prefix.encode("utf-8")
        self._max_length = settings.max_length
        self._buffer = bytearray()
        # After an over-long frame was dropped, its tail is still coming; skip up to its suffix so
        # the tail is not mistaken for a code of its own.
        self._skipping = False

    @property
    def has_partial(self) -> bool:
        """True while bytes of an unfinished frame are held, waiting for their suffix."""
        return bool(self._buffer) or self._skipping

    def feed(self, data: bytes) -> list[str]:
        """Add bytes as they came off the wire; return the codes they completed, in order."""
        self._buffer += data
        codes = []
        for frame in self._take_frames():
            if self._skipping:
                self._skipping = False
                continue
            code = self._frame_to_code(frame)
            if code is not None:
                codes.append(code)
        self._limit_buffer()
        return codes

    def reset(self) -> None:
        """Forget any partial frame (the scanner was unplugged, or the partial went stale)."""
        self._buffer.clear()
        self._skipping = False

    def _take_frames(self) -> list[bytes]:
        frames = []
        while (end := self._buffer.find(self._suffix)) >= 0:
            frames.append(bytes(self._buffer[:end]))
            del self._buffer[: end + len(self._suffix)]
        return frames

    def _limit_buffer(self) -> None:
        # Keep what could still be the first bytes of a multi-byte suffix (the CR of CRLF).
        keep = len(self._suffix) - 1
        if len(self._buffer) <= self._max_length + keep:
            return
        if not self._skipping:
            _warn_discarded(bytes(self._buffer),
                            f"no suffix arrived within {self._max_length} bytes")
        self._skipping = True
        del self._buffer[: len(self._buffer) - keep]

    def _frame_to_code(self, frame: bytes) -> str | None:
        if not frame:
            return _warn_discarded(frame, "it is empty")
        if len(frame) > self._max_length:
            return _warn_discarded(frame, f"it is longer than {self._max_length} bytes")
        try:
            text = frame.decode("utf-8")
        except UnicodeDecodeError:
            return _warn_discarded(frame, "it has bytes that are not ASCII/UTF-8")
        if _has_control_characters(text):
            return _warn_discarded(frame, "it contains control characters")
        if not frame.startswith(self._prefix):
            return _warn_discarded(frame, f"it does not start with the prefix {self._prefix!r}")
        code = text[len(self._prefix.decode("utf-8")):]
        if not code:
            return _warn_discarded(frame, "nothing follows the prefix")
        return code


def _warn_discarded(frame: bytes, reason: str) -> None:
    log.warning("Scanner: discarded %d bytes because %s: %r", len(frame), reason, frame[:64])


class DoubleScanFilter:
    """Ignores the same code read again within `window_ms` of when it was last accepted.

    A presentation scanner reads a card held in front of it several times; the cashier meant one
    scan. A different code in between, or a window of 0, lets every scan through.
    """

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self._last_code: str | None = None
        self._last_ms = 0.0

    def accept(self, code: str, now_ms: float) -> bool:
        """False for the same code within the window; True (and remember it) otherwise."""
        if code == self._last_code and now_ms - self._last_ms < self.window_ms:
            return False
        self._last_code = code
        self._last_ms = now_ms
        return True


def backoff_delays(first_s: float = FIRST_RETRY_S, cap_s: float = MAX_RETRY_S) -> Iterator[float]:
    """Seconds to wait before each attempt to reopen a lost port: 0.2, 0.4, 0.8, 1.6, 2, 2, ..."""
    delay = first_s
    while True:
        yield delay
        delay = min(delay * 2, cap_s)


def open_serial_port(settings: ScannerSettings) -> serial.SerialBase:
    """Open the scanner's port: a device path, a COM name or a pyserial URL such as loop://.

    Runs on the reader thread. Raises SerialException/OSError/ValueError when it cannot be opened.
    """
    return serial.serial_for_url(
        settings.port, baudrate=settings.baudrate, bytesize=settings.bytesize,
        parity=settings.parity, stopbits=settings.stopbits, timeout=READ_TIMEOUT_S)


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class SerialScanner:
    """Reads a serial scanner on its own thread (daemon), delivering complete codes through
    on_scan(code) and status changes through on_status(state, detail) where state is one of
    "connected", "disconnected", "stopped". Survives unplug/replug: on an open failure or a read
    error (SerialException/OSError) it reports "disconnected", closes the port, resets the framer
    and retries opening with a capped backoff (0.2 s doubling to 2 s), reporting "connected" again
    when it succeeds. Callbacks run on the reader thread (the Qt bridge re-emits them as signals).

    Some drivers report an unplug by reads that just return nothing; so while the line is idle it
    also checks that a device path (POSIX, starting with "/") still leads to the device it opened,
    which also catches a symlink such as /dev/serial/by-id/... being pointed at another scanner.
    A status is reported only when it changes (state or detail), not on every retry.
    """

    def __init__(self, settings: ScannerSettings, on_scan: Callable[[str], None],
                 on_status: Callable[[str, str], None],
                 open_port: Callable[[ScannerSettings], serial.SerialBase] | None = None,
                 clock_ms: Callable[[], float] = _monotonic_ms,
                 partial_timeout_s: float = PARTIAL_FRAME_TIMEOUT_S) -> None:
        settings.validate()
        self._settings = settings
        self._on_scan = on_scan
        self._on_status = on_status
        self._open_port = open_port or open_serial_port
        self._clock_ms = clock_ms
        self._partial_timeout_s = partial_timeout_s
        self._framer = ScanFramer(settings)
        self._double_scans = DoubleScanFilter(settings.double_scan_ms)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = STOPPED
        self._detail = ""

    @property
    def settings(self) -> ScannerSettings:
        return self._settings

    @property
    def state(self) -> str:
        """The last reported state: "connected", "disconnected" or "stopped". Any thread."""
        return self._state

    @property
    def running(self) -> bool:
        """True while the reader thread is alive. Any thread."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the reader thread; it opens the port at once. Owner's thread; no-op if running."""
        if self.running:
            if self._stopping.is_set():
                raise RuntimeError("the scanner's previous reader thread has not ended yet")
            return
        self._stopping.clear()
        self._framer.reset()
        self._thread = threading.Thread(target=self._run, name=f"scanner {self._settings.port}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the reader thread to end, close the port and report "stopped"; wait for it.

        Owner's thread; safe to call twice or before start. From inside a callback (the reader
        thread itself) it only asks, since a thread cannot wait for itself.
        """
        self._stopping.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return
        thread.join(timeout)
        if thread.is_alive():
            log.warning("Scanner: reader thread for %s did not end within %.1f s "
                        "(is a callback blocked?)", self._settings.port, timeout)

    # Everything below runs on the reader thread.

    def _run(self) -> None:
        delays = backoff_delays()
        try:
            while not self._stopping.is_set():
                port = self._open()
                if port is not None:
                    connected_at = time.monotonic()
                    self._read_until_lost(port)
                    self._close(port)
                    if time.monotonic() - connected_at >= MAX_RETRY_S:
                        delays = backoff_delays()  # it worked for a while: retry quickly again
                if not self._stopping.is_set():
                    self._stopping.wait(next(delays))
        except Exception:
            # A bug, not a device problem: say so loudly rather than let the thread die unseen.
            log.exception("Scanner: reader thread for %s failed", self._settings.port)
        finally:
            self._set_state(STOPPED, "")

    def _open(self) -> serial.SerialBase | None:
        try:
            port = self._open_port(self._settings)
        except (serial.SerialException, OSError, ValueError) as error:
            self._set_state(DISCONNECTED, str(error) or type(error).__name__)
            return None
        self._set_state(CONNECTED, self._settings.port)
        return port

    def _read_until_lost(self, port: serial.SerialBase) -> None:
        """Read and deliver codes until stop() or until the scanner is gone."""
        last_byte_at = time.monotonic()
        while not self._stopping.is_set():
            try:
                # Returns as soon as one byte is there (or after READ_TIMEOUT_S), plus whatever
                # else already arrived, so a code is delivered the moment its suffix lands.
                data = port.read(max(1, port.in_waiting))
            except OSError as error:  # SerialException is an OSError too
                self._set_state(DISCONNECTED, str(error) or type(error).__name__)
                return
            if data:
                last_byte_at = time.monotonic()
                self._deliver(self._framer.feed(data))
            elif not self._device_still_there(port):
                self._set_state(DISCONNECTED, f"{self._settings.port} has gone away")
                return
            else:
                self._drop_stale_partial(last_byte_at)

    def _deliver(self, codes: list[str]) -> None:
        for code in codes:
            if not self._double_scans.accept(code, self._clock_ms()):
                log.debug("Scanner: ignored %r read again within %d ms", code,
                          self._settings.double_scan_ms)
                continue
            try:
                self._on_scan(code)
            except Exception:
                log.exception("Scanner: on_scan failed for %r", code)

    def _drop_stale_partial(self, last_byte_at: float) -> None:
        if self._framer.has_partial and time.monotonic() - last_byte_at > self._partial_timeout_s:
            log.warning("Scanner: discarded a partial frame: no suffix within %.1f s",
                        self._partial_timeout_s)
            self._framer.reset()

    def _device_still_there(self, port: serial.SerialBase) -> bool:
        path = self._settings.port
        if os.name != "posix" or not path.startswith("/"):
            return True  # a COM name or URL: nothing on disk to check
        try:
            on_disk = os.stat(path).st_rdev
        except OSError:
            return False
        try:
            opened = os.fstat(port.fileno()).st_rdev
        except (AttributeError, OSError, ValueError):
            return True  # a port object without a file descriptor: the path check is all we have
        return on_disk == opened

    def _close(self, port: serial.SerialBase) -> None:
        try:
            port.close()
        except (OSError, ValueError) as error:
            log.debug("Scanner: closing %s failed: %s", self._settings.port, error)
        self._framer.reset()

    def _set_state(self, state: str, detail: str) -> None:
        if (state, detail) == (self._state, self._detail):
            return
        self._state, self._detail = state, detail
        try:
            self._on_status(state, detail)
        except Exception:
            log.exception("Scanner: on_status failed for %r", state)
