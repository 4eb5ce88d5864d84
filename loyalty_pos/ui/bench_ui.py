"""Till benchmarks that need Qt: scan-to-member-shown latency and cold start.

Run by `loyalty-pos bench` as `python -m loyalty_pos.ui.bench_ui --db PATH --json` so that each
measurement has a process of its own.

Scan latency: a pseudo-terminal plays the scanner. A pty moves bytes instantly whatever baud rate
is set, so the time the bytes take on a real wire (10 bits a byte at the baud rate) is computed
and added: scan-to-shown = wire time + measured software time (serial read, framing, signal to
the GUI thread, card lookup, member details, member panel drawn).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import tty
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAMPLES = 300


def wire_ms(payload_bytes: int, baud: int) -> float:
    return payload_bytes * 10 / baud * 1000


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _card_numbers(db: Path, count: int) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        high = connection.execute("SELECT MAX(id) FROM cards").fetchone()[0] or 0
        ids = [random.randint(1, high) for _ in range(count * 2)]
        rows = [connection.execute("SELECT number FROM cards WHERE id = ? AND status = 'active'",
                                   (i,)).fetchone() for i in ids]
        return [r[0] for r in rows if r][:count]
    finally:
        connection.close()


def scan_latency(db: Path, baud: int, samples: int, qr: bool) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ..core.ecard import static_payload
    from ..devices.scanner import ScannerSettings
    from ..services.staff import StaffView
    from ..services.till import TillServices
    from .app import make_app
    from .main_window import TillWindow
    from .settings import TillSettings

    make_app()
    services = TillServices.open(db)
    settings = TillSettings(Path(tempfile.mkdtemp()) / "bench.ini")  # never the shop's settings
    window = TillWindow(services, settings)
    window.show()
    staff = services.staff.list_staff()[0]
    window.start_shift(StaffView(staff.id, staff.name, staff.role, True))
    master, slave = os.openpty()
    tty.setraw(slave)
    window.scanner.start(ScannerSettings(port=os.ttyname(slave), baudrate=baud,
                                         double_scan_ms=0))
    shown: list[float] = []
    idle = QEventLoop()  # waits like the till does: asleep in Qt's event loop, GIL released

    def member_shown(_member: object) -> None:
        shown.append(time.perf_counter())
        idle.quit()

    window.sale.member_changed.connect(member_shown)
    _wait(lambda: window.scanner_label.property("state") == "connected")
    secret = services.finder.secret
    times, length = [], 0
    for number in _card_numbers(db, samples):
        code = (static_payload(number, secret) if qr else number).encode() + b"\r"
        length = len(code)
        shown.clear()
        start = time.perf_counter()
        os.write(master, code)
        QTimer.singleShot(5000, idle.quit)
        if not shown:
            idle.exec()
        if shown:
            times.append((shown[0] - start) * 1000)
        window.sale.detach_member()
        _settle()  # the till finishes the member's details before the next customer scans
    window.close()
    os.close(master)
    os.close(slave)
    QApplication.processEvents()
    wire = wire_ms(length, baud)
    return {"baud": baud, "bytes": length, "wire_ms": round(wire, 3),
            "software_p50_ms": round(_percentile(times, 50), 3),
            "software_p99_ms": round(_percentile(times, 99), 3),
            "scan_to_shown_p50_ms": round(wire + _percentile(times, 50), 3),
            "scan_to_shown_p99_ms": round(wire + _percentile(times, 99), 3),
            "target_p99_ms": round(wire + 5, 3), "samples": len(times)}


def _settle(seconds: float = 0.02) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        QApplication.processEvents()


def _wait(condition, timeout_s: float = 5.0) -> bool:
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        QApplication.processEvents()
    return True


# -- cold start ------------------------------------------------------------------------------

_RSS = """
def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
"""
_COLD_TILL = _RSS + """
import os, time, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
t0 = time.perf_counter()
from pathlib import Path
from loyalty_pos.ui.app import make_app
from loyalty_pos.ui.main_window import TillWindow, settings_path_for
from loyalty_pos.ui.settings import TillSettings
from loyalty_pos.services.till import TillServices
from PySide6.QtWidgets import QApplication
app = make_app()
db = Path(sys.argv[1])
window = TillWindow(TillServices.open(db), TillSettings(settings_path_for(db)))
window.show()
QApplication.processEvents()
print(time.perf_counter() - t0, rss_kb())
"""
_COLD_HELLO = _RSS + """
import os, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("hello")
label.show()
QApplication.processEvents()
print(time.perf_counter() - t0, rss_kb())
"""


def _run_cold(script: str, *args: str) -> tuple[float, float]:
    """Seconds from interpreter start to window shown (process start included), and the
    resident memory (MB) then. VmRSS, not ru_maxrss: Linux carries the parent's high-water mark
    into a child across fork and exec, so ru_maxrss would report the benchmark's own size."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         check=True).stdout.split()
    total = time.perf_counter() - started
    return total, int(out[1]) / 1024


def cold_start(db: Path, runs: int = 3) -> dict[str, float]:
    till = min(_run_cold(_COLD_TILL, str(db)) for _ in range(runs))
    hello = min(_run_cold(_COLD_HELLO) for _ in range(runs))
    return {"till_cold_start_s": round(till[0], 3), "till_rss_mb": round(till[1], 1),
            "qt_hello_cold_start_s": round(hello[0], 3), "qt_hello_rss_mb": round(hello[1], 1),
            "target_s": 1.0, "target_rss_mb": 200}


def till_figures(db: Path, samples: int = SAMPLES) -> dict[str, object]:
    return {
        "scan_ean13_9600": scan_latency(db, 9600, samples, qr=False),
        "scan_ean13_115200": scan_latency(db, 115200, samples, qr=False),
        "scan_qr_9600": scan_latency(db, 9600, samples, qr=True),
        "scan_qr_115200": scan_latency(db, 115200, samples, qr=True),
        "cold_start": cold_start(db),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    args = parser.parse_args()
    print(json.dumps(till_figures(args.db, args.samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
