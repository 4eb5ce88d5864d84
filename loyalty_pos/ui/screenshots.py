"""Screenshots of the till's screens from the real widgets, offscreen, for docs/screenshots.

    python -m loyalty_pos.ui.screenshots --out docs/screenshots [--language zh_CN]

Builds a small demo store in a temporary folder, signs a cashier in, scans a member and a few
products, and grabs each screen and dialog as a person would see it. Chinese screenshots need a
CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

SIZE = (1280, 800)


def _grab(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path}")


def _sample(db: Path) -> tuple[str, list[str], int]:
    """A member card with points and stored value (as far as the demo, which depends on today's
    date, has one), product barcodes and a cashier's id."""
    connection = sqlite3.connect(db)
    try:
        card = connection.execute(
            "SELECT c.number FROM cards c JOIN members m ON m.id = c.member_id "
            "WHERE c.status = 'active' ORDER BY (m.points_balance > 300) "
            "+ (m.stored_value_balance > 0) DESC, m.id LIMIT 1").fetchone()[0]
        codes = [r[0] for r in connection.execute(
            "SELECT barcode FROM products WHERE barcode IS NOT NULL ORDER BY id LIMIT 3")]
        cashier = connection.execute(
            "SELECT id FROM staff WHERE role = 'cashier' ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        connection.close()
    return card, codes, cashier


def _open_window(work: Path, language: str):
    from ..services.demo import create_demo
    from ..services.till import TillServices
    from .app import make_app
    from .main_window import TillWindow
    from .settings import TillSettings
    from .translations import install_translator

    db = work / "till.sqlite"
    create_demo(db, members=500, seed=11, progress=lambda _line: None)
    app = make_app()
    settings = TillSettings(work / "till.ini")
    settings.set_language(language)
    install_translator(app, language)
    window = TillWindow(TillServices.open(db), settings)
    window.resize(*SIZE)
    window.show()
    return window, db


def _ring_up(window, db: Path) -> None:
    from ..services.staff import StaffView

    card, codes, cashier_id = _sample(db)
    staff = next(s for s in window.services.staff.list_staff() if s.id == cashier_id)
    window.start_shift(StaffView(staff.id, staff.name, staff.role, True))
    window.sale.handle_code(card)
    for code in [*codes, codes[0]]:
        window.sale.handle_code(code)


def _dialogs(window) -> list[tuple[str, QWidget]]:
    from .dialogs import MemberSearchDialog, TopUpDialog
    from .payment import PaymentDialog
    from .refund_dialog import RefundDialog
    from .settings_dialog import SettingsDialog

    sale, services = window.sale, window.services
    pay = PaymentDialog(window, sale.quote, sale.member, sale.rules, sale._requote)
    pay.points.setValue(min(pay.points.maximum(), 300))
    pay.cash.setText("100")
    search = MemberSearchDialog(window, services)
    search.query.setText(sale.member.name[:3])
    top_up = TopUpDialog(window, sale.member, services.currency_symbol())
    top_up.amount.setText("200.00")
    refund = RefundDialog(window, services, _complete_sale(services, sale).receipt_code)
    refund.table.cellWidget(0, 3).setValue(1)
    return [("payment", pay), ("member-search", search), ("top-up", top_up),
            ("refund", refund), ("settings", SettingsDialog(window, window.settings))]


def take(out: Path, language: str) -> None:
    window, db = _open_window(Path(tempfile.mkdtemp()), language)
    suffix = "" if language == "en" else f"-{language}"
    out.mkdir(parents=True, exist_ok=True)
    _grab(window, out / f"sign-in{suffix}.png")
    _ring_up(window, db)
    _grab(window, out / f"sale-with-member{suffix}.png")
    for name, dialog in _dialogs(window):
        dialog.show()
        _grab(dialog, out / f"{name}{suffix}.png")
        dialog.close()
    _manager_screens(window, out, suffix)
    _offline(window, out, suffix)
    window.close()


def _manager_screens(window, out: Path, suffix: str) -> None:
    """Every manager tab, the enrolment form, a member's history and a printed card."""
    from ..services.staff import StaffView
    from .manager.enrol_dialog import EnrolDialog
    from .manager.member_dialogs import HistoryDialog

    manager = next(s for s in window.services.staff.list_staff() if s.is_manager)
    window.start_shift(StaffView(manager.id, manager.name, manager.role, True))
    window.open_manager()
    screen = window.manager_screen
    member = window.services.members.details(1).summary
    screen.members.query.setText(member.name[:3])
    screen.reports.show_charts()
    _settle(lambda: all(not label.pixmap().isNull() for label in screen.reports.chart_labels))
    for index in range(screen.tabs.count()):
        screen.tabs.setCurrentIndex(index)
        name = screen.tabs.widget(index).__class__.__name__.removesuffix("Tab").lower()
        _grab(window, out / f"manager-{name}{suffix}.png")
    enrol = EnrolDialog(window, window.services, manager.id)
    enrol.show()
    _grab(enrol, out / f"manager-enrol{suffix}.png")
    enrol.close()
    history = HistoryDialog(window, window.services.member_admin.history(member.id),
                            window.services.currency_symbol())
    history.tabs.setCurrentIndex(2)
    history.show()
    _grab(history, out / f"manager-history{suffix}.png")
    history.close()
    if not suffix:
        _card_images(window, member.id, out)


def _offline(window, out: Path, suffix: str) -> None:
    """The sale screen of a till that has not reached head office for 2 h 10 min: the status
    bar warns and names the stored-value cap (the relay tries an address nobody listens on)."""
    from datetime import UTC, datetime, timedelta

    from ..services.context import set_setting
    from ..sync.state import LAST_ERROR_KEY, LAST_SUCCESS_KEY, SERVER_KEY

    success = datetime.now(UTC) - timedelta(hours=2, minutes=10, seconds=30)
    with window.services.ctx.db.transaction() as session:
        for key, value in ((SERVER_KEY, "http://127.0.0.1:9"),
                           (LAST_SUCCESS_KEY, success.isoformat()),
                           (LAST_ERROR_KEY, "head office could not be reached")):
            set_setting(session, key, value)
    window.back_to_till()
    before = window.sync_state
    window.refresh_sync()
    _settle(lambda: window.sync_state is not before and window.sync_state.offline)
    _grab(window, out / f"sale-offline{suffix}.png")


def _settle(condition, seconds: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def _card_images(window, member_id: int, out: Path) -> None:
    """The printed card (front and back) and the electronic card, as a member gets them."""
    import pypdfium2

    work = Path(tempfile.mkdtemp())
    cards = window.services.cards
    pdf = pypdfium2.PdfDocument(str(cards.write_card_pdf(member_id, work / "card.pdf")))
    for index, side in enumerate(("front", "back")):
        pdf[index].render(scale=300 / 72).to_pil().save(out / f"card-{side}.png")
        print(f"wrote {out / f'card-{side}.png'}")
    pdf.close()
    cards.write_ecard_png(member_id, out / "ecard.png")
    print(f"wrote {out / 'ecard.png'}")


def _complete_sale(services, sale):
    """Complete the rung-up sale so the refund dialog has a receipt to open."""
    import uuid

    from ..services.checkout import PaymentRequest, SaleRequest

    quote = sale.quote
    request = SaleRequest(str(uuid.uuid4()), sale.staff.id, sale.basket.as_items(),
                          sale.basket.member_id, 0,
                          [PaymentRequest("cash", quote.total, tendered=quote.total)])
    return services.checkout.complete_sale(request)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    take(args.out, args.language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
