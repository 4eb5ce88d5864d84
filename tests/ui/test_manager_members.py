"""Manager screens through real widgets: enrolment with consent, edits, cards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from ui_helpers import CASHIER_PIN, MANAGER_PIN, ShopData, on_dialog, pdf_text, sign_in

from loyalty_pos.ui.manager.enrol_dialog import EnrolDialog
from loyalty_pos.ui.manager.members_tab import MembersTab


@pytest.fixture(autouse=True)
def no_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are written and checked here, not opened in a desktop viewer."""
    monkeypatch.setattr(MembersTab, "open_files", False)


def open_manager(qtbot, window, shop: ShopData) -> MembersTab:
    sign_in(qtbot, window, shop.manager_id, MANAGER_PIN)
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.manager_screen
    return window.manager_screen.members


def test_cashier_has_no_manager_screens(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    assert not window.sale.buttons["Ctrl+M"].isVisible()
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.sale


def test_enrol_with_consent_issues_a_card(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    seen = {}

    def fill(dialog: EnrolDialog) -> None:
        qtbot.keyClicks(dialog.name, "Li Na")
        qtbot.keyClicks(dialog.phone, "139 1234 5678")
        qtbot.keyClicks(dialog.email, "li.na@example.com")
        dialog.accept()                                  # consent not given yet: refused
        seen["refused"] = dialog.error.text()
        dialog.accept_agreement.setChecked(True)
        dialog.accept_privacy.setChecked(True)
        dialog.marketing.setChecked(True)
        dialog.accept()

    on_dialog(fill)
    with qtbot.waitSignal(tab.member_changed, timeout=5000) as changed:
        tab.enrol_button.click()
    details = changed.args[0]
    assert "accept" in seen["refused"]
    assert details.summary.name == "Li Na" and details.summary.phone == "13912345678"
    assert details.summary.card_number.startswith("29")
    assert details.consents == {"member_agreement": "accepted 2026.1",
                                "privacy": "accepted 2026.1", "marketing": "opted in"}


def test_enrol_warns_about_a_duplicate_phone_and_links_to_the_member(qtbot, window,
                                                                    shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    seen = {}

    def fill(dialog: EnrolDialog) -> None:
        qtbot.keyClicks(dialog.phone, "138-0013-8000")       # Wang Xiaoming's phone
        seen["visible"] = dialog.duplicate_box.isVisible()
        seen["names"] = [m.name for m in dialog.duplicates]
        dialog.findChild(type(dialog.save), "openExisting").click()

    on_dialog(fill)
    tab.enrol_button.click()
    assert seen == {"visible": True, "names": [shop.member_name]}
    assert tab.details is not None and tab.details.summary.id == shop.member_id


def test_search_edit_and_replace_a_lost_card(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    qtbot.keyClicks(tab.query, "Xiaoming")
    qtbot.waitUntil(lambda: tab.details is not None)
    assert tab.details.summary.id == shop.member_id
    points = tab.details.summary.points_balance

    def edit(dialog) -> None:
        dialog.email.clear()
        qtbot.keyClicks(dialog.email, "not-an-email")
        dialog.accept()
        assert "email" in dialog.error.text()
        dialog.email.clear()
        qtbot.keyClicks(dialog.email, "wxm@example.com")
        dialog.accept()

    on_dialog(edit)
    with qtbot.waitSignal(tab.member_changed, timeout=5000):
        tab.actions["edit"].click()
    assert tab.details.email == "wxm@example.com"

    old_card = tab.details.summary.card_number
    on_dialog(lambda d: (d.setTextValue("lost on the bus"), d.accept()))
    with qtbot.waitSignal(tab.member_changed, timeout=5000) as changed:
        tab.actions["replace_card"].click()
    new = changed.args[0]
    assert new.summary.card_number != old_card
    assert (old_card, "blocked") in new.cards
    assert new.summary.points_balance == points


def decoded(pdf_path: Path) -> set[str]:
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = pdf[0].render(scale=600 / 72).to_pil()
    finally:
        pdf.close()
    return {result.text for result in zxingcpp.read_barcodes(image)}


def test_print_card_pdf_scans_back_at_the_till(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    tab.show_member(shop.member_id)
    with qtbot.waitSignal(tab.file_made, timeout=20_000) as made:
        tab.actions["print_card"].click()
    codes = decoded(Path(made.args[0]))
    assert shop.card_number in codes
    payload = next(code for code in codes if code.startswith("LP1."))
    assert window.services.finder.by_scan(payload, date.today()).id == shop.member_id


def test_history_shows_every_ledger(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    tab.show_member(shop.member_id)
    seen = {}

    def look(dialog) -> None:
        tabs = dialog.tabs
        seen["titles"] = [tabs.tabText(i) for i in range(tabs.count())]
        points = tabs.widget(2)
        seen["points"] = [points.item(r, 1).text() for r in range(points.rowCount())]
        dialog.reject()

    on_dialog(look)
    tab.actions["history"].click()
    assert seen["titles"][2] == "Points (1)" and seen["titles"][3] == "Stored value (1)"
    assert seen["points"] == ["adjust"]


def test_merge_a_duplicate_record(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    tab.show_member(shop.member_id)
    before = tab.details.summary

    def merge(dialog) -> None:
        qtbot.keyClicks(dialog.query, "13900139000")          # Lost Card Lee
        qtbot.keyClicks(dialog.reason, "same person, two cards")
        dialog.accept()

    on_dialog(merge)
    with qtbot.waitSignal(tab.member_changed, timeout=10_000) as changed:
        tab.actions["merge"].click()
    assert changed.args[0].summary.points_balance == before.points_balance
    merged = window.services.members.details(
        window.services.finder.search("Lost Card", date.today())[0].id)
    assert merged.summary.status == "merged"


def test_export_and_erase_a_member(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    tab.show_member(shop.member_id)
    with qtbot.waitSignal(tab.file_made, timeout=20_000) as made:
        tab.actions["export"].click()
    assert shop.member_name in pdf_text(Path(made.args[0]))
    json_file = Path(made.args[0]).with_suffix(".json")
    assert shop.member_name in json_file.read_text(encoding="utf-8")

    def erase(dialog) -> None:
        qtbot.keyClicks(dialog.reason, "request 2026-118")
        dialog.accept()                                         # ERASE not typed: refused
        assert dialog.isVisible()
        qtbot.keyClicks(dialog.confirm, "ERASE")
        dialog.accept()

    on_dialog(erase)
    with qtbot.waitSignal(tab.member_changed, timeout=20_000) as changed:
        tab.actions["erase"].click()
    details = changed.args[0]
    assert details.summary.status == "erased"
    assert details.summary.name != shop.member_name and details.summary.phone is None
    raw = shop.path.read_bytes()
    assert shop.member_name.encode() not in raw and b"13800138000" not in raw


def test_import_members_from_csv_with_progress(qtbot, window, shop: ShopData,
                                               tmp_path: Path) -> None:
    tab = open_manager(qtbot, window, shop)
    source = tmp_path / "old-system.csv"
    source.write_text("姓名,手机号,积分,储值\n张三,13700000001,120,15.50\n李四,13700000002,0,0\n",
                      encoding="utf-8-sig")
    seen = {}

    def run(dialog) -> None:
        dialog.path.setText(str(source))
        dialog.read_columns()
        seen["mapping"] = dialog.mapping()
        dialog.run_import()                                    # no consent confirmed: refused
        qtbot.waitUntil(lambda: dialog.problems.count() > 0, timeout=10_000)
        seen["refused"] = dialog.problems.item(0).text()
        dialog.consent.setChecked(True)
        with qtbot.waitSignal(dialog.finished_import, timeout=20_000) as done:
            dialog.run_import()
        seen["report"] = done.args[0]
        dialog.accept()

    on_dialog(run)
    tab.import_csv()
    assert seen["mapping"] == {"name": "姓名", "phone": "手机号", "points": "积分",
                               "stored_value": "储值"}
    assert "consent" in seen["refused"].lower() or "agree" in seen["refused"].lower()
    assert seen["report"].imported == 2
    found = window.services.finder.search("1370000000", date.today())
    assert {(m.name, m.points_balance, m.stored_value_balance) for m in found} == {
        ("张三", 120, 1550), ("李四", 0, 0)}


def test_export_members_csv(qtbot, window, shop: ShopData) -> None:
    tab = open_manager(qtbot, window, shop)
    with qtbot.waitSignal(tab.file_made, timeout=20_000) as made:
        tab.export_csv()
    text = Path(made.args[0]).read_text(encoding="utf-8-sig")
    assert shop.member_name in text and shop.card_number in text
