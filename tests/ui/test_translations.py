"""Simplified Chinese for the till: the .ts is complete and sound, the .qm matches it and the code,
and the real window switches language from the settings dialog and back.

After adding or changing a self.tr(...) text: `.venv/bin/python
resources/translations/update_translations.py` (lupdate, the Chinese, lrelease).
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from ui_helpers import CASHIER_PIN, ShopData, on_dialog, sign_in

from loyalty_pos.ui.dialogs import AdjustPointsDialog
from loyalty_pos.ui.main_window import TillWindow
from loyalty_pos.ui.payment import PaymentDialog
from loyalty_pos.ui.settings_dialog import SettingsDialog
from loyalty_pos.ui.translations import install_translator
from loyalty_pos.ui.translations_check import (
    TsMessage,
    qm_path,
    qt_tool,
    read_ts,
    report,
    ts_path,
    ui_source_dir,
)

LANGUAGE = "zh_CN"
UPDATE = "run `.venv/bin/python resources/translations/update_translations.py`"
PLACEHOLDER = re.compile(r"\{\w*\}")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def messages() -> list[TsMessage]:
    return read_ts(ts_path(LANGUAGE))


@pytest.fixture
def english_afterwards(qapp) -> Iterator[None]:
    """The translator is application-wide: whatever happens, later tests get English back."""
    yield
    install_translator(qapp, "en")


# -- the .ts -------------------------------------------------------------------------------


def test_ts_is_for_chinese_from_english() -> None:
    root = ET.parse(ts_path(LANGUAGE)).getroot()
    assert root.get("language") == LANGUAGE
    assert root.get("sourcelanguage") == "en"


def test_every_message_is_translated_and_keeps_its_placeholders(messages) -> None:
    assert len(messages) > 100
    assert not [m for m in messages if not m.finished], UPDATE
    for m in messages:
        for placeholder in PLACEHOLDER.findall(m.source):
            assert placeholder in m.translation, (m.context, m.source, m.translation)
        # the code calls .format(...) on the translated text: it must format like the source
        fields = {name[1:-1]: "x" for name in PLACEHOLDER.findall(m.source)}
        m.translation.format(**fields)
        assert HAN.search(m.translation), f"not Chinese: {m.context} {m.source!r}"
    assert not report(messages), "\n".join(report(messages))


def test_key_hints_and_line_breaks_survive(messages) -> None:
    by_key = {m.key: m.translation for m in messages}
    assert "F8" in by_key["SaleScreen", "The receipt could not be printed ({error}); the sale is "
                                        "saved. Use Reprint (F8)."]
    assert "Enter" in by_key["PaymentDialog", "Complete sale (Enter)"]
    refund = next(m for m in messages if m.context == "RefundDialog" and "\n" in m.source)
    assert refund.translation.count("\n") == 1
    assert by_key["PaymentDialog", " of {limit} allowed"].startswith(" ")


def test_ts_has_every_string_of_the_code(tmp_path: Path, messages) -> None:
    """lupdate over loyalty_pos/ui now finds nothing that the committed .ts lacks."""
    lupdate = qt_tool("lupdate")
    if not lupdate.exists():
        pytest.skip(f"no {lupdate}")
    fresh = tmp_path / f"fresh_{LANGUAGE}.ts"
    subprocess.run([str(lupdate), "-silent", "-extensions", "py", str(ui_source_dir()),
                    "-ts", str(fresh)], check=True, capture_output=True)
    in_code = {m.key for m in read_ts(fresh)}
    missing = in_code - {m.key for m in messages}
    assert not missing, f"{UPDATE}; not in the .ts yet: {sorted(missing)}"


# -- the .qm -------------------------------------------------------------------------------


def test_qm_gives_every_translation_of_the_ts(qapp, messages) -> None:
    translator = QTranslator()
    assert translator.load(str(qm_path(LANGUAGE))), f"no {qm_path(LANGUAGE)}: {UPDATE}"
    stale = [(m.context, m.source) for m in messages
             if translator.translate(m.context, m.source) != m.translation]
    assert not stale, f"the .qm is older than the .ts ({UPDATE}): {stale}"
    for context in ("SaleScreen", "SignInScreen", "TillWindow", "PaymentDialog"):
        assert any(m.context == context for m in messages)
    assert translator.translate("SaleScreen", "Pay") == "结账"


def test_install_translator_loads_chinese_and_english_removes_it(qapp,
                                                                 english_afterwards) -> None:
    assert install_translator(qapp, LANGUAGE)
    assert QApplication.translate("SaleScreen", "Pay") == "结账"
    assert install_translator(qapp, "en")
    assert QApplication.translate("SaleScreen", "Pay") == "Pay"


# -- through the real window ---------------------------------------------------------------


def choose_language(qtbot, window: TillWindow, language: str,
                    seen: dict[str, str] | None = None) -> None:
    """Open the settings as the cashier would, pick `language`, save."""

    def handler(dialog) -> None:
        assert isinstance(dialog, SettingsDialog)
        if seen is not None:
            seen["title"] = dialog.windowTitle()
            save = dialog.findChild(QDialogButtonBox).button(
                QDialogButtonBox.StandardButton.Save)
            seen["save"] = save.text()
        dialog.language.setCurrentIndex(dialog.language.findData(language))
        dialog.accept()

    on_dialog(handler)
    with qtbot.waitSignal(window.language_changed, timeout=5000) as changed:
        window.open_settings()
    assert changed.args == [language]
    assert window.settings.language() == language


def label_texts(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def test_settings_switch_the_till_to_chinese_and_back(qtbot, window: TillWindow, shop: ShopData,
                                                      english_afterwards) -> None:
    assert window.sale.buttons["F12"].text() == "Pay\nF12"
    choose_language(qtbot, window, LANGUAGE)

    # sign-in screen
    assert window.stack.currentWidget() is window.signin
    assert "请选择登录人员" in label_texts(window.signin)
    assert window.signin.pin.placeholderText() == "密码"
    roles = [window.signin.who.itemText(i) for i in range(window.signin.who.count())]
    assert any("(收银员)" in text for text in roles), roles
    assert window.windowTitle().startswith("会员收银系统 ")

    # sale screen
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    assert window.stack.currentWidget() is window.sale
    sale = window.sale
    assert sale.buttons["F12"].text() == "结账\nF12"
    assert sale.buttons["F2"].text() == "查找会员\nF2"
    assert sale.message.text() == "已登录：Carl Cashier。"
    assert sale.scan.placeholderText() == "扫描或输入商品条码、会员卡号或小票号"
    headers = [sale.table.horizontalHeaderItem(i).text() for i in range(sale.table.columnCount())]
    assert headers == ["商品", "数量", "单价", "优惠", "金额"]
    assert sale.member_panel.title.text() == "未关联会员"
    assert "F2" in sale.member_panel.why_tier.text()
    assert "合计" in label_texts(sale)
    qtbot.keyClicks(sale.scan, "6901234567892")
    qtbot.keyClick(sale.scan, Qt.Key.Key_Return)
    assert sale.message.text() == "已添加 Rice 5 kg。"
    sale.handle_code(shop.card_number)
    assert sale.message.text() == f"已关联会员 {shop.member_name}。"
    qtbot.waitUntil(lambda: bool(sale.points_to_earn.text()))  # the re-quote follows the scan
    assert sale.points_to_earn.text().startswith("本单可得积分：")

    def look_and_go_back(dialog) -> None:
        assert isinstance(dialog, PaymentDialog)
        assert dialog.windowTitle() == "收款"
        assert dialog.complete.text() == "完成收款（Enter）"
        assert dialog.points.suffix().startswith(" / 最多可用 ")
        dialog.reject()

    on_dialog(look_and_go_back)
    sale.pay()
    assert sale.basket.items, "going back from the payment keeps the basket"

    # and back to English, from a Chinese settings dialog (Qt's own buttons in Chinese too)
    seen: dict[str, str] = {}
    choose_language(qtbot, window, "en", seen)
    assert seen["title"] == "设置"
    assert "保存" in seen["save"]
    assert window.stack.currentWidget() is window.sale  # still signed in
    assert window.sale.buttons["F12"].text() == "Pay\nF12"
    assert window.sale.scan.placeholderText() == "Scan or type a barcode, card or receipt number"
    assert window.sale.member_panel.title.text() == "No member"
    assert window.windowTitle().startswith("Loyalty POS ")
    window.sign_out()
    assert "Who is signing in?" in label_texts(window.signin)


def test_status_bar_follows_the_language(qtbot, window: TillWindow, shop: ShopData,
                                         english_afterwards) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    choose_language(qtbot, window, LANGUAGE)
    assert window.cashier_label.text() == "收银员：Carl Cashier"
    assert window.scanner_label.text().startswith("未配置串口扫码枪")


def test_function_keys_work_after_a_language_change(qtbot, window: TillWindow, shop: ShopData,
                                                    english_afterwards) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    choose_language(qtbot, window, LANGUAGE)
    qtbot.waitUntil(window.isActiveWindow)  # the settings dialog has handed activation back
    qtbot.keyClicks(window.sale.scan, "6901234567892")
    qtbot.keyClick(window.sale.scan, Qt.Key.Key_Return)
    assert window.sale.table.rowCount() == 1
    qtbot.keyClick(window.sale.scan, Qt.Key.Key_F9)  # cancel sale
    assert window.sale.table.rowCount() == 0


def test_small_dialogs_cancel_in_chinese(qapp, qtbot, english_afterwards) -> None:
    install_translator(qapp, LANGUAGE)
    dialog = AdjustPointsDialog(None, SimpleNamespace(name="Wang Xiaoming"))
    qtbot.addWidget(dialog)
    texts = [button.text() for button in dialog.findChildren(QPushButton)]
    assert "确认调整" in texts
    assert "取消" in texts
