"""`loyalty-pos smoke`: start the real till window, take a screenshot and quit.

For the installers: it proves that a built (frozen) till starts — Qt and its platform plugin
load, the database opens and migrates, translations, the style sheet and the receipt fonts are
found — without a person at the screen. Offscreen unless QT_QPA_PLATFORM says otherwise.

    loyalty-pos smoke --db PATH --screenshot OUT.png [--language zh_CN]

Exit 0 when everything held; otherwise 1, with the failed checks on stderr. On a database with
no store yet it shows the first-run dialog instead of the till window.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtWidgets import QApplication, QWidget

from .. import __version__
from ..core.errors import NotFound

SIZE = (1280, 800)


def _settle(seconds: float = 0.3) -> None:
    """Let the window lay itself out and paint (and queued worker results arrive)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def _grab(widget: QWidget, path: Path, problems: list[str]) -> None:
    _settle()
    image = widget.grab()
    if image.isNull() or image.width() < 100 or not image.save(str(path)):
        problems.append(f"could not grab a screenshot of {type(widget).__name__} into {path}")
    else:
        print(f"screenshot: {path} ({image.width()}x{image.height()})")


def run_smoke(db_path: Path, screenshot: Path, language: str = "en") -> int:
    from ..db.engine import Database
    from ..services.context import TillContext
    from ..services.till import TillServices
    from .app import make_app
    from .first_run import FirstRunDialog
    from .main_window import TillWindow, settings_path_for
    from .settings import TillSettings
    from .translations import install_translator

    problems: list[str] = []
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    app = make_app()
    print(f"loyalty-pos {__version__}, Qt {qVersion()}, platform {app.platformName()}")
    if not app.styleSheet():
        problems.append("the style sheet (resources/styles/till.qss) was not found")
    if not install_translator(app, language):
        problems.append(f"the {language} translation was not found")
    elif language != "en" and QCoreApplication.translate("TillWindow", "Signed out") == \
            "Signed out":
        problems.append(f"the {language} translation is loaded but translates nothing")
    db = Database.open(db_path)  # creates or upgrades the schema, like the till
    try:
        ctx = TillContext.open(db)
    except NotFound:
        dialog = FirstRunDialog(None, db_path)
        dialog.show()
        _grab(dialog, screenshot, problems)
        dialog.close()
        db.close()
        return _report(problems)
    settings = TillSettings(settings_path_for(db_path))
    window = TillWindow(TillServices.for_context(ctx), settings)
    window.resize(*SIZE)
    window.show()
    _grab(window, screenshot, problems)
    about = window.show_about()
    if __version__ not in about.text():
        problems.append("the About box does not show the version")
    _grab(about, screenshot.with_name(f"{screenshot.stem}-about{screenshot.suffix}"), problems)
    about.close()
    _print_receipt(window, screenshot, problems)
    window.close()
    db.close()
    return _report(problems)


def _print_receipt(window, screenshot: Path, problems: list[str]) -> None:
    """The last receipt as PDF (reportlab and its CJK font) and to an ESC/POS dummy printer."""
    from escpos.printer import Dummy

    from ..cards.receipt_pdf import render_receipt_pdf
    from ..devices.printer import EscposReceiptPrinter

    receipt = window.services.receipts.last_receipt()
    if receipt is None:
        print("receipt: none in this database (no sale yet)")
        return
    pdf = render_receipt_pdf(receipt, screenshot.with_suffix(".pdf"))
    if not pdf.read_bytes().startswith(b"%PDF") or pdf.stat().st_size < 1000:
        problems.append(f"the receipt PDF {pdf} is not a PDF")
    print(f"receipt pdf: {pdf} ({pdf.stat().st_size} bytes)")
    dummy = Dummy()
    EscposReceiptPrinter(dummy, "dummy ESC/POS printer").print_receipt(receipt)
    if len(dummy.output) < 100:
        problems.append("the ESC/POS receipt is empty")
    print(f"receipt escpos: {len(dummy.output)} bytes")


def _report(problems: list[str]) -> int:
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print("smoke test passed" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def default_screenshot() -> Path:
    return Path(tempfile.gettempdir()) / "loyalty-pos-smoke.png"
