"""The sync indicator in the till's status bar and the relay thread behind it, real window.

The sync settings are written the way the sync client writes them (a service-layer transaction
on the till database), never by a widget. The relay is a stand-in with the relay's interface
(`run_forever(stop_event)`, `on_report`, `sync_now`): no head office is needed here.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PySide6.QtCore import Qt
from ui_helpers import CASHIER_PIN, ShopData, sign_in

from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.context import set_setting
from loyalty_pos.sync.state import (
    LAST_ERROR_KEY,
    LAST_SUCCESS_KEY,
    PUSHED_SEQ_KEY,
    SERVER_KEY,
    TILL_KEY_KEY,
)

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


# -- the real relay and sync_once behind the bridge --------------------------------------------


def real_relay_with(window, sync) -> None:  # type: ignore[no-untyped-def]
    """The bridge builds loyalty_pos.sync.relay.Relay around `sync(db)`."""
    from loyalty_pos.sync.relay import Relay

    window.sync_bridge.factory = lambda db, on_report: Relay(lambda: sync(db),
                                                             on_report=on_report)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]          # nobody listens there once it is closed


def test_an_unreachable_head_office_shows_its_error(qtbot, window) -> None:
    from loyalty_pos.sync.cycle import sync_once

    real_relay_with(window, sync_once)
    write_settings(window, **{SERVER_KEY: f"http://127.0.0.1:{closed_port()}",
                              TILL_KEY_KEY: "ab" * 32})
    with qtbot.waitSignal(window.sync_bridge.report, timeout=15_000) as reported:
        refreshed(qtbot, window)                # registered: the relay starts and tries
    assert reported.args[0].outcome == "unreachable"
    assert window.statusBar().currentMessage().startswith("Sync: ")
    qtbot.waitUntil(lambda: window.sync_state.last_error != "", timeout=WAIT)
    assert window.sync_indicator.text().startswith("Never synced with head office")
    assert window.sync_state.last_error in window.sync_indicator.toolTip()
    started = time.monotonic()
    window.close()                              # the relay is waiting out its back-off
    assert time.monotonic() - started < 3 and not window.sync_bridge.running


def answering_head_office(db) -> httpx.Client:  # type: ignore[no-untyped-def]
    """Head office as docs/sync-protocol.md answers, holding everything it is sent."""
    def answer(request: httpx.Request) -> httpx.Response:
        connection = db.raw_connection()
        try:
            last_seq, last_id = connection.execute(
                "SELECT (SELECT MAX(last_seq) FROM tills), "
                "(SELECT COALESCE(MAX(id), 0) FROM outbox)").fetchone()
        finally:
            connection.close()
        if request.url.path == "/v1/ledger":
            return httpx.Response(200, json={"stored_through": last_seq, "new": 0,
                                             "duplicate": 0, "last_seq": last_seq,
                                             "open_gaps": []})
        if request.url.path == "/v1/records":
            return httpx.Response(200, json={"stored_through": last_id, "new": 0,
                                             "duplicate": 0})
        return httpx.Response(200, json={"cursor": 0, "more": False, "members": [],
                                         "cards": [], "promotions": [], "tiers": [],
                                         "settings": {}, "agreements": [], "balances": []})

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_sync_now_with_head_office_answering_clears_the_queue(qtbot, window) -> None:
    from loyalty_pos.sync.cycle import sync_once

    real_relay_with(window, lambda db: sync_once(db, http=answering_head_office(db)))
    write_settings(window, **{SERVER_KEY: "http://ho.example", TILL_KEY_KEY: "ab" * 32})
    with qtbot.waitSignal(window.sync_bridge.report, timeout=15_000) as reported:
        refreshed(qtbot, window)
    assert reported.args[0].ok, reported.args[0].error
    qtbot.waitUntil(lambda: window.sync_state.last_success_at is not None, timeout=WAIT)
    local = window.sync_state.last_success_at.astimezone().strftime("%H:%M")
    assert window.sync_indicator.text() == f"Sync: 0 waiting · last {local}"
    assert window.sync_indicator.property("state") == "online"
    with qtbot.waitSignal(window.sync_bridge.report, timeout=WAIT):   # not 30 s: at once
        qtbot.mouseClick(window.sync_indicator, Qt.MouseButton.LeftButton)
