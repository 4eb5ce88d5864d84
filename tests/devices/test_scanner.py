"""Serial scanner: framing, double-scan filter, settings, and the reader thread on real ptys.

The thread tests use pseudo-terminals: pyserial opens the slave side exactly as it opens a USB
serial adapter, and the test plays the scanner by writing to the master side. Unplugging is
closing the master: on Linux the /dev/pts node disappears at once and the open slave starts
failing reads with EIO.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import statistics
import termios
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import serial

from loyalty_pos.core.errors import InvalidInput
from loyalty_pos.devices.scanner import (
    SUFFIXES,
    DoubleScanFilter,
    ScanFramer,
    ScannerSettings,
    SerialScanner,
    backoff_delays,
)

CARD = "2900100000017"
OTHER_CARD = "2900100000024"
WAIT_S = 3.0


def framer(**settings: object) -> ScanFramer:
    return ScanFramer(ScannerSettings("loop://", **settings))  # type: ignore[arg-type]


def discard_reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.levelno == logging.WARNING and "discarded" in record.getMessage()]


# --- ScanFramer -------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_each_suffix_ends_a_code(suffix: str) -> None:
    end = SUFFIXES[suffix]
    assert framer(suffix=suffix).feed(CARD.encode() + end) == [CARD]


@pytest.mark.parametrize(("suffix", "other_end"),
                         [("CR", b"\n"), ("LF", b"\r"), ("TAB", b"\r"), ("CRLF", b"\r")])
def test_other_line_ends_do_not_end_a_code(suffix: str, other_end: bytes) -> None:
    scanner_framer = framer(suffix=suffix)
    assert scanner_framer.feed(CARD.encode() + other_end) == []
    assert scanner_framer.has_partial


def test_crlf_split_between_cr_and_lf() -> None:
    scanner_framer = framer(suffix="CRLF")
    assert scanner_framer.feed(CARD.encode() + b"\r") == []
    assert scanner_framer.feed(b"\n") == [CARD]


def test_byte_by_byte_delivers_only_at_the_suffix() -> None:
    scanner_framer = framer()
    results = [scanner_framer.feed(bytes([byte])) for byte in (CARD + "\r").encode()]
    assert results[:-1] == [[]] * len(CARD)
    assert results[-1] == [CARD]
    assert not scanner_framer.has_partial


def test_several_codes_in_one_chunk_come_out_in_order() -> None:
    assert framer().feed(b"111111\r222222\r333") == ["111111", "222222"]


def test_prefix_is_stripped() -> None:
    assert framer(prefix="]Q1").feed(b"]Q1" + CARD.encode() + b"\r") == [CARD]


def test_frame_without_the_prefix_is_discarded(caplog: pytest.LogCaptureFixture) -> None:
    scanner_framer = framer(prefix="]Q1")
    assert scanner_framer.feed(CARD.encode() + b"\r") == []
    assert scanner_framer.feed(b"]Q1\r") == []
    assert scanner_framer.feed(b"]Q1" + CARD.encode() + b"\r") == [CARD]
    reasons = discard_reasons(caplog)
    assert "prefix" in reasons[0]
    assert "nothing follows the prefix" in reasons[1]


@pytest.mark.parametrize(("garbage", "reason"), [
    (b"\x00", "control characters"),
    (b"\x00\x00\x00", "control characters"),
    (b"\xff\xfe", "not ASCII/UTF-8"),
    (b"29001\xff00017", "not ASCII/UTF-8"),
    (b"\x1b[2J\x1b[H", "control characters"),
    (b"", "empty"),
])
def test_garbage_is_discarded_with_a_warning_and_the_next_code_still_reads(
        garbage: bytes, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    scanner_framer = framer()
    with caplog.at_level(logging.WARNING, logger="loyalty_pos.devices.scanner"):
        assert scanner_framer.feed(garbage + b"\r" + CARD.encode() + b"\r") == [CARD]
    reasons = discard_reasons(caplog)
    assert len(reasons) == 1
    assert reason in reasons[0]


def test_utf8_text_is_a_code() -> None:
    assert framer().feed("Mitglied-Müller-7\r".encode()) == ["Mitglied-Müller-7"]


def test_frame_of_exactly_max_length_is_kept() -> None:
    assert framer(max_length=13).feed(CARD.encode() + b"\r") == [CARD]
    crlf = framer(suffix="CRLF", max_length=13)
    assert crlf.feed(CARD.encode() + b"\r") == []  # the CR may be half of the suffix: keep it
    assert crlf.feed(b"\n") == [CARD]


def test_frame_over_max_length_is_discarded(caplog: pytest.LogCaptureFixture) -> None:
    assert framer(max_length=12).feed(CARD.encode() + b"\r" + b"123\r") == ["123"]
    assert "longer than 12 bytes" in discard_reasons(caplog)[0]


def test_no_suffix_for_too_long_drops_the_buffer_and_its_tail(
        caplog: pytest.LogCaptureFixture) -> None:
    scanner_framer = framer(max_length=20)
    assert scanner_framer.feed(b"9" * 15) == []
    assert scanner_framer.feed(b"9" * 15) == []  # 30 bytes, no suffix: dropped here
    assert len(discard_reasons(caplog)) == 1
    assert "no suffix arrived within 20 bytes" in discard_reasons(caplog)[0]
    # The rest of the runaway frame must not come out as a short code of its own.
    assert scanner_framer.feed(b"9" * 500 + b"\r") == []
    assert len(discard_reasons(caplog)) == 1, "one warning per runaway frame"
    assert scanner_framer.feed(CARD.encode() + b"\r") == [CARD]


def test_reset_forgets_a_partial_frame() -> None:
    scanner_framer = framer()
    assert scanner_framer.feed(b"\xff12") == []
    scanner_framer.reset()
    assert not scanner_framer.has_partial
    assert scanner_framer.feed(CARD.encode() + b"\r") == [CARD]


# --- DoubleScanFilter -------------------------------------------------------------------------

def test_double_scan_filter_ignores_the_same_code_within_the_window() -> None:
    double_scans = DoubleScanFilter(800)
    assert double_scans.accept(CARD, 1000.0)
    assert not double_scans.accept(CARD, 1799.0)
    assert double_scans.accept(CARD, 1800.0)  # 800 ms after the accepted scan
    assert double_scans.accept(OTHER_CARD, 1801.0)
    assert double_scans.accept(CARD, 1802.0)  # a different code came in between


def test_double_scan_window_of_zero_lets_everything_through() -> None:
    double_scans = DoubleScanFilter(0)
    assert double_scans.accept(CARD, 5.0)
    assert double_scans.accept(CARD, 5.0)


# --- ScannerSettings --------------------------------------------------------------------------

def test_default_settings_are_valid() -> None:
    ScannerSettings("/dev/ttyUSB0").validate()
    ScannerSettings("COM3", baudrate=115200, bytesize=7, parity="E", stopbits=1.5,
                    suffix="CRLF", prefix="]C1", max_length=4096, double_scan_ms=0).validate()


@pytest.mark.parametrize(("changes", "words"), [
    ({"port": ""}, "port"),
    ({"port": "   "}, "port"),
    ({"baudrate": 0}, "baud rate"),
    ({"baudrate": "9600"}, "baud rate"),
    ({"baudrate": True}, "baud rate"),
    ({"bytesize": 9}, "data bits"),
    ({"bytesize": 8.0}, "data bits"),
    ({"parity": "X"}, "parity"),
    ({"parity": "n"}, "parity"),
    ({"stopbits": 3}, "stop bits"),
    ({"suffix": "NONE"}, "suffix"),
    ({"prefix": "\x02"}, "prefix"),
    ({"prefix": "x" * 33}, "prefix"),
    ({"max_length": 0}, "maximum code length"),
    ({"double_scan_ms": -1}, "double-scan"),
    ({"double_scan_ms": 0.5}, "double-scan"),
])
def test_bad_settings_are_refused_with_a_clear_message(changes: dict[str, object],
                                                       words: str) -> None:
    values: dict[str, object] = {"port": "/dev/ttyUSB0", **changes}
    settings = ScannerSettings(**values)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=words):
        settings.validate()
    with pytest.raises(InvalidInput):
        SerialScanner(settings, on_scan=print, on_status=print)


def test_backoff_doubles_from_a_fifth_of_a_second_to_two_seconds() -> None:
    assert list(itertools.islice(backoff_delays(), 7)) == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0]


# --- SerialScanner ----------------------------------------------------------------------------

class Pty:
    """A pseudo-terminal pair; the test writes to the master as if it were the scanner."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.plugged = True

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        if self.plugged:
            self.plugged = False
            os.close(self.master)
            os.close(self.slave)


class Recorder:
    """Collects callbacks from the reader thread; the test waits on them with timeouts."""

    def __init__(self) -> None:
        self.scans: queue.Queue[str] = queue.Queue()
        self.statuses: queue.Queue[tuple[str, str]] = queue.Queue()
        self.status_log: list[tuple[str, str]] = []

    def on_scan(self, code: str) -> None:
        self.scans.put(code)

    def on_status(self, state: str, detail: str) -> None:
        self.status_log.append((state, detail))
        self.statuses.put((state, detail))

    def next_scan(self) -> str:
        return self.scans.get(timeout=WAIT_S)

    def wait_for(self, state: str) -> str:
        """Wait until `state` is reported; return its detail."""
        deadline = time.monotonic() + WAIT_S
        while True:
            seen, detail = self.statuses.get(timeout=max(0.0, deadline - time.monotonic()))
            if seen == state:
                return detail

    def no_scan_for(self, seconds: float) -> bool:
        try:
            self.scans.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def make_pty() -> Iterator[Callable[[], Pty]]:
    made: list[Pty] = []

    def factory() -> Pty:
        made.append(Pty())
        return made[-1]

    yield factory
    for pty in made:
        pty.unplug()


@pytest.fixture
def run_scanner() -> Iterator[Callable[..., tuple[SerialScanner, Recorder]]]:
    """Start a SerialScanner with a Recorder; stopped after the test whatever happens."""
    started: list[SerialScanner] = []

    def factory(settings: ScannerSettings, **options: object) -> tuple[SerialScanner, Recorder]:
        recorder = Recorder()
        scanner = SerialScanner(settings, recorder.on_scan, recorder.on_status,
                                **options)  # type: ignore[arg-type]
        started.append(scanner)
        scanner.start()
        return scanner, recorder

    yield factory
    for scanner in started:
        scanner.stop()


def test_code_written_to_a_pty_is_delivered(make_pty: Callable[[], Pty],
                                            run_scanner: Callable[..., tuple]) -> None:
    pty = make_pty()
    scanner, recorder = run_scanner(ScannerSettings(pty.path))
    assert recorder.wait_for("connected") == pty.path
    assert scanner.state == "connected"
    pty.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD


def test_two_codes_in_one_write(make_pty: Callable[[], Pty],
                                run_scanner: Callable[..., tuple]) -> None:
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path))
    recorder.wait_for("connected")
    pty.send(f"{CARD}\r{OTHER_CARD}\r".encode())
    assert [recorder.next_scan(), recorder.next_scan()] == [CARD, OTHER_CARD]


def test_code_split_across_two_writes(make_pty: Callable[[], Pty],
                                      run_scanner: Callable[..., tuple]) -> None:
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path))
    recorder.wait_for("connected")
    pty.send(CARD[:6].encode())
    assert recorder.no_scan_for(0.03), "half a code must not be delivered"
    pty.send(CARD[6:].encode() + b"\r")
    assert recorder.next_scan() == CARD


def test_noise_between_codes_is_dropped(make_pty: Callable[[], Pty],
                                        run_scanner: Callable[..., tuple],
                                        caplog: pytest.LogCaptureFixture) -> None:
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path))
    recorder.wait_for("connected")
    pty.send(f"{CARD}\r".encode() + b"\x00\xff\x1b[2J\r" + f"{OTHER_CARD}\r".encode())
    assert [recorder.next_scan(), recorder.next_scan()] == [CARD, OTHER_CARD]
    assert len(discard_reasons(caplog)) == 1


def test_stale_partial_noise_does_not_spoil_the_next_scan(
        make_pty: Callable[[], Pty], run_scanner: Callable[..., tuple],
        caplog: pytest.LogCaptureFixture) -> None:
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path), partial_timeout_s=0.1)
    recorder.wait_for("connected")
    pty.send(b"\x00")  # a glitch byte with no suffix, as when a scanner powers up
    time.sleep(0.25)
    pty.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD
    assert any("partial frame" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("baudrate", "speed"), [(9600, termios.B9600),
                                                 (115200, termios.B115200)])
def test_baud_rate_reaches_the_port_and_codes_arrive(
        baudrate: int, speed: int, make_pty: Callable[[], Pty],
        run_scanner: Callable[..., tuple]) -> None:
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path, baudrate=baudrate))
    recorder.wait_for("connected")
    _, _, _, _, input_speed, output_speed, _ = termios.tcgetattr(pty.slave)
    assert (input_speed, output_speed) == (speed, speed)
    pty.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD


def test_code_arrives_without_waiting_for_the_read_timeout(make_pty: Callable[[], Pty]) -> None:
    # Guards the "wire time + 5 ms" budget: a read that waited for its 50 ms timeout (or for a
    # full buffer) before handing bytes over would push every scan past it.
    pty = make_pty()
    arrived = threading.Event()
    recorder = Recorder()
    scanner = SerialScanner(ScannerSettings(pty.path, double_scan_ms=0),
                            on_scan=lambda code: arrived.set(), on_status=recorder.on_status)
    scanner.start()
    try:
        recorder.wait_for("connected")
        delays = []
        for _ in range(7):
            arrived.clear()
            sent = time.perf_counter()
            pty.send(CARD.encode() + b"\r")
            assert arrived.wait(WAIT_S)
            delays.append(time.perf_counter() - sent)
    finally:
        scanner.stop()
    assert statistics.median(delays) < 0.025, delays


def test_double_scan_is_ignored_until_the_window_passes(
        make_pty: Callable[[], Pty], run_scanner: Callable[..., tuple]) -> None:
    now = [10_000.0]
    pty = make_pty()
    _, recorder = run_scanner(ScannerSettings(pty.path, double_scan_ms=800),
                              clock_ms=lambda: now[0])
    recorder.wait_for("connected")
    pty.send(f"{CARD}\r{CARD}\r".encode())
    assert recorder.next_scan() == CARD
    assert recorder.no_scan_for(0.1)
    now[0] += 800
    pty.send(f"{CARD}\r".encode())
    assert recorder.next_scan() == CARD


def test_failing_callback_does_not_kill_the_reader(
        make_pty: Callable[[], Pty], caplog: pytest.LogCaptureFixture) -> None:
    pty = make_pty()
    recorder = Recorder()
    calls = []

    def on_scan(code: str) -> None:
        calls.append(code)
        if len(calls) == 1:
            raise RuntimeError("the UI fell over")
        recorder.on_scan(code)

    scanner = SerialScanner(ScannerSettings(pty.path), on_scan, recorder.on_status)
    scanner.start()
    try:
        recorder.wait_for("connected")
        pty.send(f"{CARD}\r{OTHER_CARD}\r".encode())
        assert recorder.next_scan() == OTHER_CARD
        assert any("on_scan failed" in record.getMessage() for record in caplog.records)
    finally:
        scanner.stop()


def test_unplug_and_replug_through_a_symlink(tmp_path: Path, make_pty: Callable[[], Pty],
                                             run_scanner: Callable[..., tuple]) -> None:
    link = tmp_path / "scanner"
    first = make_pty()
    link.symlink_to(first.path)
    scanner, recorder = run_scanner(ScannerSettings(str(link)))
    recorder.wait_for("connected")
    first.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD
    first.send(b"29001")  # unplugged mid-scan: this half must not join the next code
    time.sleep(0.05)  # let the reader take it in, as it would before a real unplug

    first.unplug()
    link.unlink()
    assert recorder.wait_for("disconnected")  # the detail says why
    assert scanner.state == "disconnected"
    assert scanner.running, "the reader keeps trying to reopen"

    second = make_pty()
    link.symlink_to(second.path)
    assert recorder.wait_for("connected") == str(link)
    second.send(OTHER_CARD.encode() + b"\r")
    assert recorder.next_scan() == OTHER_CARD

    scanner.stop()
    scanner.stop()  # twice is fine
    assert not scanner.running
    assert scanner.state == "stopped"
    assert recorder.status_log[-1] == ("stopped", "")
    assert not [thread for thread in threading.enumerate() if thread.name == f"scanner {link}"]


def test_symlink_pointed_at_another_device_is_noticed_even_if_reads_stay_silent(
        tmp_path: Path, make_pty: Callable[[], Pty], run_scanner: Callable[..., tuple]) -> None:
    # Some USB-serial drivers go quiet instead of failing reads when unplugged; the old pty here
    # stays open and silent, so only the path check can see the change.
    link = tmp_path / "scanner"
    old = make_pty()
    link.symlink_to(old.path)
    _, recorder = run_scanner(ScannerSettings(str(link)))
    recorder.wait_for("connected")
    new = make_pty()
    link.unlink()
    link.symlink_to(new.path)
    assert "gone away" in recorder.wait_for("disconnected")
    recorder.wait_for("connected")
    new.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD


def test_missing_port_reports_disconnected_then_connects_when_it_appears(
        tmp_path: Path, make_pty: Callable[[], Pty], run_scanner: Callable[..., tuple]) -> None:
    link = tmp_path / "scanner"
    _, recorder = run_scanner(ScannerSettings(str(link)))
    assert "No such file" in recorder.wait_for("disconnected")
    pty = make_pty()
    link.symlink_to(pty.path)
    recorder.wait_for("connected")
    pty.send(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD


def test_open_failures_back_off_then_connect() -> None:
    attempts: list[float] = []
    loop = serial.serial_for_url("loop://", timeout=0.05)

    def open_port(settings: ScannerSettings) -> serial.SerialBase:
        attempts.append(time.monotonic())
        if len(attempts) <= 2:
            raise serial.SerialException("could not open port: unplugged")
        return loop

    recorder = Recorder()
    scanner = SerialScanner(ScannerSettings("loop://"), recorder.on_scan, recorder.on_status,
                            open_port=open_port)
    scanner.start()
    try:
        assert recorder.wait_for("disconnected") == "could not open port: unplugged"
        recorder.wait_for("connected")
        gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
        assert gaps[0] >= 0.19
        assert gaps[1] >= 0.39
        assert recorder.status_log == [("disconnected", "could not open port: unplugged"),
                                       ("connected", "loop://")], "one report per change"
        loop.write(CARD.encode() + b"\r")
        assert recorder.next_scan() == CARD
    finally:
        scanner.stop()
    assert not scanner.running


def test_read_error_reports_disconnected_and_reopens(caplog: pytest.LogCaptureFixture) -> None:
    class BrokenPort:
        """A port whose reads fail the way an unplugged USB adapter's do."""

        in_waiting = 0

        def read(self, size: int) -> bytes:
            raise serial.SerialException("device reports readiness to read but returned no data")

        def close(self) -> None:
            closed.set()

    closed = threading.Event()
    loop = serial.serial_for_url("loop://", timeout=0.05)
    ports = iter([BrokenPort(), loop])
    recorder = Recorder()
    scanner = SerialScanner(ScannerSettings("loop://"), recorder.on_scan, recorder.on_status,
                            open_port=lambda settings: next(ports))
    scanner.start()
    try:
        recorder.wait_for("connected")
        assert "returned no data" in recorder.wait_for("disconnected")
        assert closed.wait(WAIT_S), "the broken port is closed"
        recorder.wait_for("connected")
        loop.write(CARD.encode() + b"\r")
        assert recorder.next_scan() == CARD
    finally:
        scanner.stop()


def test_stop_before_start_and_restart() -> None:
    recorder = Recorder()
    opened: list[serial.SerialBase] = []

    def open_port(settings: ScannerSettings) -> serial.SerialBase:
        opened.append(serial.serial_for_url("loop://", timeout=0.05))
        return opened[-1]

    scanner = SerialScanner(ScannerSettings("loop://"), recorder.on_scan, recorder.on_status,
                            open_port=open_port)
    scanner.stop()  # never started: nothing to do
    assert scanner.state == "stopped"
    scanner.start()
    recorder.wait_for("connected")
    scanner.stop()
    recorder.wait_for("stopped")
    assert not opened[0].is_open, "stop closes the port"
    scanner.start()
    recorder.wait_for("connected")
    opened[-1].write(CARD.encode() + b"\r")
    assert recorder.next_scan() == CARD
    scanner.stop()
    assert not scanner.running
