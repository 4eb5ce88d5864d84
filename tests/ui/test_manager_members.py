"""Manager screens through real widgets: enrolment with consent, edits, cards."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from ui_helpers import CASHIER_PIN, MANAGER_PIN, ShopData, on_dialog, sign_in

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
    from datetime import date

    assert window.services.finder.by_scan(payload, date.today()).id == shop.member_id
