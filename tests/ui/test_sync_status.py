"""The sync indicator in the till's status bar and the relay thread behind it, real window.

The sync settings are written the way the sync client writes them (a service-layer transaction
on the till database), never by a widget. The relay is a stand-in with the relay's interface
(`run_forever(stop_event)`, `on_report`, `sync_now`): no head office is needed here.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from ui_helpers import CASHIER_PIN, ShopData, sign_in

from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.context import set_setting
from loyalty_pos.sync.state import LAST_ERROR_KEY, LAST_SUCCESS_KEY, PUSHED_SEQ_KEY, SERVER_KEY

WAIT = 5000


class FakeRelay:
    """The relay's interface: loops until stopped, reports each attempt, wakes on sync_now."""

    def __init__(self, db, on_report) -> None:  # type: ignore[no-untyped-def]
        self.db, self.on_report = db, on_report
        self.wake = threading.Event()
        self.attempts = 0
        self.thread: threading.Thread | None = None

    def run_forever(self, stop_event: threading.Event) -> None:
        self.thread = threading.current_thread()
        while not stop_event.is_set():
            if self.wake.wait(0.05):
                self.wake.clear()
                self.attempts += 1
                self.on_report({"attempt": self.attempts})

    def sync_now(self) -> None:
        self.wake.set()


def write_settings(window, **values: str) -> None:  # type: ignore[no-untyped-def]
    with window.services.ctx.db.transaction() as session:
        for key, value in values.items():
            set_setting(session, key, value)


def refreshed(qtbot, window) -> str:  # type: ignore[no-untyped-def]
    """Read the sync state again (on the sync worker) and return the indicator's text."""
    qtbot.waitUntil(lambda: not window._sync_reading, timeout=WAIT)
    before = window.sync_state
    window.refresh_sync()
    qtbot.waitUntil(lambda: window.sync_state is not before and not window._sync_reading,
                    timeout=WAIT)
    return window.sync_indicator.text()


def use_fake_relay(window) -> list[FakeRelay]:  # type: ignore[no-untyped-def]
    made: list[FakeRelay] = []

    def factory(db, on_report):  # type: ignore[no-untyped-def]
        made.append(FakeRelay(db, on_report))
        return made[-1]

    window.sync_bridge.factory = factory
    return made


def test_a_standalone_till_says_so_and_runs_no_relay(qtbot, window) -> None:
    assert refreshed(qtbot, window) == "Not connected to head office"
    assert window.sync_indicator.property("state") == "standalone"
    assert not window.sync_bridge.running
    window.sync_indicator.click()
    assert "not registered with head office" in window.statusBar().currentMessage()


def test_pending_and_last_success(qtbot, window) -> None:
    made = use_fake_relay(window)
    success = datetime.now(UTC) - timedelta(minutes=5)
    write_settings(window, **{SERVER_KEY: "https://ho.example",
                              LAST_SUCCESS_KEY: success.isoformat()})
    state_seq = window.services.sync_state().pending_entries
    local = success.astimezone().strftime("%H:%M")
    text = refreshed(qtbot, window)
    waiting = state_seq + window.sync_state.pending_messages
    assert text == f"Sync: {waiting} waiting · last {local}"
    assert window.sync_indicator.property("state") == "online"
    assert window.sync_indicator.styleSheet() == ""
    assert window.sync_bridge.running and len(made) == 1      # registered: the relay runs

    write_settings(window, **{PUSHED_SEQ_KEY: str(state_seq)})  # head office has the ledger
    assert refreshed(qtbot, window) == (
        f"Sync: {window.sync_state.pending_messages} waiting · last {local}")


def test_offline_warns_and_names_the_cap(qtbot, window, tmp_path: Path) -> None:
    use_fake_relay(window)
    success = datetime.now(UTC) - timedelta(hours=2, minutes=10, seconds=20)
    write_settings(window, **{SERVER_KEY: "https://ho.example",
                              LAST_SUCCESS_KEY: success.isoformat(),
                              LAST_ERROR_KEY: "head office could not be reached"})
    text = refreshed(qtbot, window)
    assert text == "Offline for 2 h 10 min — stored value limited to ¥200.00"
    assert window.sync_indicator.property("state") == "offline"
    assert "#b91c1c" in window.sync_indicator.styleSheet()
    tip = window.sync_indicator.toolTip()
    assert "head office could not be reached" in tip
    assert "Stored value left to spend offline: ¥200.00" in tip
    shot = tmp_path / "offline.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 0

    write_settings(window, **{LAST_SUCCESS_KEY: ""})           # registered, never synced
    assert refreshed(qtbot, window) == (
        "Never synced with head office — stored value limited to ¥200.00")


def test_a_sale_refreshes_the_indicator(qtbot, window, shop: ShopData) -> None:
    use_fake_relay(window)
    write_settings(window, **{SERVER_KEY: "https://ho.example"})
    refreshed(qtbot, window)
    spent = 3_000
    request = SaleRequest(str(uuid.uuid4()), shop.cashier_id, [("APPLE", 1)], shop.member_id, 0,
                          [PaymentRequest("cash", 350)])
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    before = window.sync_state
    result = window.services.checkout.complete_sale(request)
    pay = SaleRequest(str(uuid.uuid4()), shop.cashier_id, [("RICE5", 1)], shop.member_id, 0,
                      [PaymentRequest("stored_value", spent), PaymentRequest("cash", 1990)])
    window.services.checkout.complete_sale(pay)
    window.sale.sale_completed.emit(result)          # what the sale screen does after a sale
    qtbot.waitUntil(lambda: window.sync_state is not before, timeout=WAIT)
    assert window.sync_state.pending_entries > before.pending_entries
    assert window.sync_state.unsynced_spent == spent
    assert "Stored value left to spend offline: ¥170.00" in window.sync_indicator.toolTip()


def test_clicking_the_indicator_syncs_now_on_the_relay_thread(qtbot, window) -> None:
    made = use_fake_relay(window)
    write_settings(window, **{SERVER_KEY: "https://ho.example"})
    refreshed(qtbot, window)
    with qtbot.waitSignal(window.sync_bridge.report, timeout=WAIT) as reported:
        qtbot.mouseClick(window.sync_indicator, Qt.MouseButton.LeftButton)
    assert reported.args == [{"attempt": 1}]
    assert made[0].thread is not threading.main_thread()
    qtbot.waitUntil(lambda: not window._sync_reading, timeout=WAIT)  # the report refreshed it


def test_closing_the_window_joins_the_relay_thread(qtbot, window) -> None:
    made = use_fake_relay(window)
    write_settings(window, **{SERVER_KEY: "https://ho.example"})
    refreshed(qtbot, window)
    assert window.sync_bridge.running
    thread = made[0].thread
    window.close()
    assert thread is not None and not thread.is_alive()
    assert not window.sync_bridge.running


def test_a_sale_wakes_the_relay_only_while_online(qtbot, window) -> None:
    made = use_fake_relay(window)
    success = datetime.now(UTC) - timedelta(minutes=1)
    write_settings(window, **{SERVER_KEY: "https://ho.example",
                              LAST_SUCCESS_KEY: success.isoformat()})
    refreshed(qtbot, window)
    with qtbot.waitSignal(window.sync_bridge.report, timeout=WAIT):
        window.sale.sale_completed.emit(None)
    assert made[0].attempts == 1
    write_settings(window, **{LAST_SUCCESS_KEY: ""})           # offline: back-off rules
    refreshed(qtbot, window)
    window.sale.sale_completed.emit(None)
    qtbot.wait(200)
    assert made[0].attempts == 1
