"""A till delivers millions of signals in a year of shifts: Qt's bindings must survive that.

PySide6 6.12.0 corrupts a reference count on every signal delivered to a Python slot and aborts
the process after tens of thousands of them; pyproject.toml keeps that release out. This test
runs the emission loop in a child process, so a crash is a failure, not a dead test run.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

app = QApplication([])


class Scanner(QObject):
    scanned = Signal(str)
    member = Signal(object)


source, seen = Scanner(), []
source.scanned.connect(lambda code: seen.append(code))
source.member.connect(lambda member: seen.append(member))
for n in range(100_000):
    source.scanned.emit("2900100000017")
    source.member.emit(None if n % 2 else {"id": n})
print(len(seen))
"""


def test_a_hundred_thousand_scans_do_not_crash_the_bindings() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            check=False,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "200000"
