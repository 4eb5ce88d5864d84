"""Manager tabs for staff, audit, reports and help, through real widgets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import CASHIER_PIN, MANAGER_PIN, ShopData, pdf_text, sign_in

from loyalty_pos.ui.manager.reports_tab import ReportsTab


@pytest.fixture(autouse=True)
def no_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ReportsTab, "open_files", False)


@pytest.fixture
def manager_screen(qtbot, window, shop: ShopData):
    sign_in(qtbot, window, shop.manager_id, MANAGER_PIN)
    window.open_manager()
    return window.manager_screen


def test_add_staff_disable_and_reset_pin(qtbot, window, manager_screen, shop: ShopData) -> None:
    tab = manager_screen.staff
    qtbot.keyClicks(tab.add_name, "Nina New")
    qtbot.keyClicks(tab.add_pin, "3579")
    with qtbot.waitSignal(tab.changed, timeout=5000):
        tab.findChild(type(tab.toggle_button), "staffAdd").click()
    names = [row.name for row in tab.rows]
    assert "Nina New" in names
    tab.table.selectRow(names.index("Nina New"))
    with qtbot.waitSignal(tab.changed, timeout=5000):
        tab.toggle_button.click()
    assert not next(r for r in tab.rows if r.name == "Nina New").active

    tab.table.selectRow([r.id for r in tab.rows].index(shop.cashier_id))
    qtbot.keyClicks(tab.new_pin, "8642")
    with qtbot.waitSignal(tab.changed, timeout=5000):
        tab.pin_button.click()
    window.sign_out()
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)     # the old PIN no longer works
    assert window.stack.currentWidget() is window.signin
    sign_in(qtbot, window, shop.cashier_id, "8642")
    assert window.stack.currentWidget() is window.sale


def test_last_manager_cannot_be_disabled(qtbot, manager_screen, shop: ShopData) -> None:
    tab = manager_screen.staff
    tab.table.selectRow([r.id for r in tab.rows].index(shop.manager_id))
    tab.toggle_button.click()
    qtbot.waitUntil(lambda: tab.message.property("kind") == "error", timeout=5000)
    assert next(r for r in tab.rows if r.id == shop.manager_id).active


def test_audit_log_filters_and_exports(qtbot, manager_screen) -> None:
    tab = manager_screen.audit
    manager_screen.tabs.setCurrentWidget(tab)
    actions = [tab.action.itemData(i) for i in range(tab.action.count())]
    assert "points_adjusted" in actions and "card_replaced" in actions
    tab.action.setCurrentIndex(actions.index("points_adjusted"))
    tab.refresh()
    assert tab.table.rowCount() == 1
    assert "welcome gift" in tab.table.item(0, 4).text()
    with qtbot.waitSignal(tab.exported, timeout=5000) as exported:
        tab.export()
    with open(exported.args[0], encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["action"] for row in rows] == ["points_adjusted"]


def test_day_report_pdf_and_charts(qtbot, manager_screen) -> None:
    tab = manager_screen.reports
    with qtbot.waitSignal(tab.file_made, timeout=20_000) as made:
        tab.day_report("pdf")
    text = pdf_text(Path(made.args[0]))
    assert "100.00" in text                                      # the member's top-up today
    with qtbot.waitSignal(tab.charts_shown, timeout=60_000):
        tab.show_charts()
    assert all(not label.pixmap().isNull() for label in tab.chart_labels)


def test_help_search_edit_and_publish_agreement(qtbot, manager_screen) -> None:
    tab = manager_screen.help
    qtbot.keyClicks(tab.query, "expire")
    assert tab.topics.count() >= 1
    tab.edit_answer.setPlainText(tab.edit_answer.toPlainText() + "\n\nAsk at the counter.")
    with qtbot.waitSignal(tab.saved, timeout=5000) as saved:
        tab.save_faq()
    assert saved.args[0].version == 2
    assert "Ask at the counter." in tab.answer.toPlainText()

    tab.kind.setCurrentIndex(tab.kind.findData("privacy"))
    tab.new_version.setText("2027.1")
    tab.new_text.setPlainText(tab.new_text.toPlainText() + "\nWe now also keep receipts.")
    with qtbot.waitSignal(tab.saved, timeout=5000):
        tab.publish()
    texts = manager_screen.services.members.texts_to_accept()
    assert texts["privacy"].version == "2027.1"


def test_manager_goes_back_to_the_till_with_escape(qtbot, window, manager_screen) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.sale
