"""The manager's promotions and program tabs through real widgets: the promotion editor with
every condition and effect, overlap warnings, the try-it quote, enabling and deleting; the tier
table with its preview; the program settings."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QVBoxLayout, QWidget
from ui_helpers import ShopData

from loyalty_pos.core.promotions import Effect, PromotionRule
from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.staff import StaffView
from loyalty_pos.ui.manager.program_tab import MEMBERS, MULTIPLIER, NAME, THRESHOLD, ProgramTab
from loyalty_pos.ui.manager.promotions_tab import PromotionsTab

WAIT = 5000
A_WEDNESDAY = QDateTime(QDate(2026, 5, 6), QTime(12, 0))


@pytest.fixture
def manager(window, shop: ShopData) -> StaffView:
    return next(s for s in window.services.staff.list_staff() if s.id == shop.manager_id)


def _host(qtbot, tab_class, window, manager):
    host = QWidget()
    qtbot.addWidget(host)
    tab = tab_class(host, window.services, window.worker, manager)
    QVBoxLayout(host).addWidget(tab)
    host.resize(1280, 800)
    host.show()
    tab.test_host = host  # the host (and so the tab) lives as long as the test holds the tab
    return tab


@pytest.fixture
def promotions(qtbot, window, manager) -> PromotionsTab:
    return _host(qtbot, PromotionsTab, window, manager)


@pytest.fixture
def program(qtbot, window, manager) -> ProgramTab:
    return _host(qtbot, ProgramTab, window, manager)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def save(qtbot, tab: PromotionsTab) -> PromotionRule:
    with qtbot.waitSignal(tab.promotion_saved, timeout=WAIT) as saved:
        click(qtbot, tab.save_button)
    return saved.args[0]


def refused(qtbot, tab, button) -> str:
    """Click and wait for the error, whether the form or the service (worker) refuses."""
    with qtbot.waitSignal(tab.operation_failed, timeout=WAIT) as failed:
        click(qtbot, button)
    return failed.args[0]


def fill(qtbot, tab: PromotionsTab, code: str, name: str, effect: Effect, value: str) -> None:
    tab.new_promotion()
    qtbot.keyClicks(tab.code, code)
    qtbot.keyClicks(tab.name, name)
    tab.effect.setCurrentIndex(tab.effect.findData(effect))
    tab.value.clear()
    qtbot.keyClicks(tab.value, value)


def tick(widget, text: str) -> None:
    for i in range(widget.count()):
        if widget.item(i).data(Qt.ItemDataRole.UserRole) == text:
            widget.item(i).setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"{text} is not in the list")


def listed_codes(tab: PromotionsTab) -> list[str]:
    return [tab.table.item(row, 0).text() for row in range(tab.table.rowCount())]


def stored(window, code: str) -> PromotionRule:
    return next(r for r in window.services.program.promotions() if r.code == code)


# -- promotions: the editor ------------------------------------------------------------------


def test_a_promotion_with_every_condition_is_saved_and_listed(qtbot, window, promotions) -> None:
    tab = promotions
    fill(qtbot, tab, "WKND15", "Weekend 15% off for silver", Effect.PERCENT_DISCOUNT, "15")
    tab.priority.setValue(5)
    today = date.today()
    tab.has_start.setChecked(True)
    tab.starts_on.setDate(QDate(today.year, today.month, today.day))
    tab.has_end.setChecked(True)
    tab.ends_on.setDate(tab.starts_on.date().addDays(30))
    tab.weekday_boxes[5].setChecked(True)
    tab.weekday_boxes[6].setChecked(True)
    tab.has_hours.setChecked(True)
    tab.start_time.setTime(QTime(10, 0))
    tab.end_time.setTime(QTime(18, 30))
    tick(tab.tier_list, "silver")
    qtbot.keyClicks(tab.skus, "MILK1, 6903456789014")      # a barcode becomes its SKU
    assert tab.category_list is not None                    # the catalog's categories
    tick(tab.category_list, "grocery")
    qtbot.keyClicks(tab.min_basket, "20.00")
    tab.birthday_month.setChecked(True)
    tab.first_purchase.setChecked(True)

    rule = save(qtbot, tab)

    expected = PromotionRule(
        "WKND15", "Weekend 15% off for silver", Effect.PERCENT_DISCOUNT, 15, priority=5,
        starts_on=today, ends_on=today + timedelta(days=30), weekdays=frozenset({5, 6}),
        start_time=time(10, 0), end_time=time(18, 30), tiers=frozenset({"silver"}),
        skus=frozenset({"MILK1", "APPLE"}), categories=frozenset({"grocery"}), min_basket=2000,
        birthday_month=True, first_purchase=True)
    assert rule == expected
    assert stored(window, "WKND15") == expected
    assert "WKND15" in listed_codes(tab)
    row = listed_codes(tab).index("WKND15")
    assert [tab.table.item(row, c).text() for c in range(6)] == [
        "WKND15", "Weekend 15% off for silver", "15% off", "5", "No", "Yes"]
    assert "Saved promotion WKND15" in tab.message.text()
    assert tab.code.isReadOnly()                            # a saved promotion keeps its code


@pytest.mark.parametrize(("effect", "typed", "value", "summary", "shown"), [
    (Effect.POINTS_MULTIPLIER, "x2.0", 200, "x2.0 points", "x2.0"),
    (Effect.POINTS_MULTIPLIER, "150%", 150, "x1.5 points", "x1.5"),
    (Effect.BONUS_POINTS, "50", 50, "+50 points", "50"),
    (Effect.FIXED_DISCOUNT, "¥12.5", 1250, "¥12.50 off", "12.50"),
])
def test_every_effect_is_read_from_the_form(qtbot, window, promotions, effect, typed, value,
                                            summary, shown) -> None:
    fill(qtbot, promotions, "FX", "Effect test", effect, typed)
    rule = save(qtbot, promotions)
    assert (rule.effect, rule.value) == (effect, value)
    row = listed_codes(promotions).index("FX")
    assert promotions.table.item(row, 2).text() == summary
    assert promotions.value.text() == shown                 # shown again as stored


def test_categories_are_ticked_when_the_catalog_lists_them(qtbot, window, manager,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(window.services.catalog, "categories",
                        lambda: ["dairy", "fruit", "grocery"], raising=False)
    tab = _host(qtbot, PromotionsTab, window, manager)
    assert tab.category_list is not None and tab.category_list.count() == 3
    fill(qtbot, tab, "DAIRY2X", "Double points on dairy", Effect.POINTS_MULTIPLIER, "2")
    tick(tab.category_list, "dairy")
    tab.exclusive.setChecked(True)
    rule = save(qtbot, tab)
    assert rule.categories == frozenset({"dairy"}) and rule.exclusive and rule.value == 200


@pytest.mark.parametrize(("setup", "message"), [
    (lambda t: t.value.setText("150"), "a percent discount is at most 100"),
    (lambda t: t.value.setText("ten"), "not a whole number"),
    (lambda t: (t.has_start.setChecked(True), t.has_end.setChecked(True),
                t.ends_on.setDate(t.starts_on.date().addDays(-1))), "ends before it starts"),
    (lambda t: t.skus.setText("NOSUCH"), "no product with SKU or barcode NOSUCH"),
    (lambda t: t.min_basket.setText("12.345"), "is not an amount of money"),
    (lambda t: t.code.clear(), "needs a code and a name"),
    # refused by the service on the worker: a one-day window on a day that is not allowed
    (lambda t: (t.has_start.setChecked(True), t.has_end.setChecked(True),
                t.starts_on.setDate(QDate(2030, 1, 7)), t.ends_on.setDate(QDate(2030, 1, 7)),
                t.weekday_boxes[6].setChecked(True)), "no day from 2030-01-07 to 2030-01-07"),
])
def test_a_bad_promotion_is_refused_with_a_message_and_nothing_saved(
        qtbot, window, promotions, setup, message) -> None:
    before = window.services.program.promotions()
    fill(qtbot, promotions, "BAD", "Bad promotion", Effect.PERCENT_DISCOUNT, "10")
    setup(promotions)
    error = refused(qtbot, promotions, promotions.save_button)
    assert message in error and message in promotions.message.text()
    assert window.services.program.promotions() == before
    assert "BAD" not in listed_codes(promotions)


def test_a_new_promotion_may_not_take_an_existing_code(qtbot, window, promotions) -> None:
    fill(qtbot, promotions, "ONE", "First", Effect.BONUS_POINTS, "10")
    save(qtbot, promotions)
    fill(qtbot, promotions, "ONE", "Second", Effect.BONUS_POINTS, "99")
    assert "exists" in refused(qtbot, promotions, promotions.save_button)
    assert stored(window, "ONE").name == "First"


def test_overlapping_exclusive_promotions_are_warned_about_naming_both(
        qtbot, window, manager, promotions) -> None:
    window.services.program.save_promotion(manager.id, PromotionRule(
        "VIP8", "8% off for gold", Effect.PERCENT_DISCOUNT, 8, priority=50, exclusive=True,
        tiers=frozenset({"gold"})))
    promotions.refresh()
    assert promotions.warnings == []
    fill(qtbot, promotions, "DAIRY20", "20% off dairy", Effect.PERCENT_DISCOUNT, "20")
    promotions.exclusive.setChecked(True)
    tick(promotions.category_list, "dairy")
    with qtbot.waitSignal(promotions.warnings_shown, timeout=WAIT) as shown:
        save(qtbot, promotions)
    warnings = shown.args[0]
    assert len(warnings) == 1
    assert "VIP8" in warnings[0] and "DAIRY20" in warnings[0]
    assert "Only VIP8 (priority 50) will apply" in warnings[0]
    text = promotions.warnings_view.toPlainText()
    assert "VIP8" in text and "DAIRY20" in text
    assert promotions.warnings_box.title() == "Overlap warnings (1)"

    # disabling one of them takes the warning away
    promotions.select("DAIRY20")
    with qtbot.waitSignal(promotions.promotions_changed, timeout=WAIT):
        click(qtbot, promotions.toggle_button)
    assert promotions.warnings == []


# -- promotions: list operations -------------------------------------------------------------


def test_disable_and_enable_grey_out_the_promotion(qtbot, window, manager, promotions) -> None:
    window.services.program.save_promotion(manager.id, PromotionRule(
        "MILK10", "10% off milk", Effect.PERCENT_DISCOUNT, 10, skus=frozenset({"MILK1"})))
    promotions.refresh()
    promotions.select("MILK10")
    assert promotions.toggle_button.text() == "Disable"
    with qtbot.waitSignal(promotions.promotions_changed, timeout=WAIT):
        click(qtbot, promotions.toggle_button)
    assert stored(window, "MILK10").enabled is False
    row = listed_codes(promotions).index("MILK10")
    assert promotions.table.item(row, 5).text() == "No"
    assert promotions.table.item(row, 1).foreground().color().name() == "#9aa5b1"
    assert promotions.selected_rule().code == "MILK10"
    assert promotions.toggle_button.text() == "Enable"
    with qtbot.waitSignal(promotions.promotions_changed, timeout=WAIT):
        click(qtbot, promotions.toggle_button)
    assert stored(window, "MILK10").enabled is True


def test_duplicate_then_delete(qtbot, window, manager, promotions, monkeypatch) -> None:
    window.services.program.save_promotion(manager.id, PromotionRule(
        "EVE", "Evening bonus", Effect.BONUS_POINTS, 30, start_time=time(18),
        end_time=time(2)))
    promotions.refresh()
    promotions.select("EVE")
    click(qtbot, promotions.duplicate_button)
    assert promotions.code.text() == "EVE-COPY" and not promotions.code.isReadOnly()
    assert promotions.name.text() == "Evening bonus (copy)"
    copy = save(qtbot, promotions)
    assert (copy.start_time, copy.end_time, copy.value) == (time(18), time(2), 30)
    assert {"EVE", "EVE-COPY"} <= set(listed_codes(promotions))

    monkeypatch.setattr(promotions, "confirm", lambda _question: True)
    promotions.select("EVE-COPY")
    with qtbot.waitSignal(promotions.promotions_changed, timeout=WAIT):
        click(qtbot, promotions.delete_button)
    assert "EVE-COPY" not in listed_codes(promotions)
    assert [r.code for r in window.services.program.promotions()] == ["EVE"]


# -- promotions: try it ----------------------------------------------------------------------


def test_try_it_shows_applied_and_skipped_promotions_with_reasons(
        qtbot, window, manager, promotions) -> None:
    program = window.services.program
    program.save_promotion(manager.id, PromotionRule(
        "MILK10", "10% off milk", Effect.PERCENT_DISCOUNT, 10, skus=frozenset({"MILK1"})))
    program.save_promotion(manager.id, PromotionRule(
        "WKND50", "Weekend bonus", Effect.BONUS_POINTS, 50, weekdays=frozenset({5, 6})))
    program.save_promotion(manager.id, PromotionRule(
        "GOLD5", "Gold 5% off", Effect.PERCENT_DISCOUNT, 5, tiers=frozenset({"gold"})))
    promotions.refresh()
    promotions.panels.setCurrentIndex(1)
    promotions.set_basket([("MILK1", 2), ("6901234567892", 1)])   # RICE5 by its barcode
    promotions.quote_at.setDateTime(A_WEDNESDAY)
    promotions.shopper_tier.setCurrentIndex(promotions.shopper_tier.findData("silver"))

    with qtbot.waitSignal(promotions.quote_shown, timeout=WAIT) as shown:
        click(qtbot, promotions.quote_button)
    quote = shown.args[0]
    assert quote.total == 2 * 1275 + 4990 - 255
    text = promotions.quote_view.toPlainText()
    assert "APPLIED MILK10 (10% off milk): 10% off, saves 2.55: 1 matching line" in text
    assert "skipped WKND50 (Weekend bonus): only on Sat, Sun" in text
    assert "skipped GOLD5 (Gold 5% off): only for tiers gold" in text
    assert "¥72.85" in text                                   # the total

    # the same basket on a Saturday, for a gold shopper
    promotions.quote_at.setDateTime(QDateTime(QDate(2026, 5, 9), QTime(12, 0)))
    promotions.shopper_tier.setCurrentIndex(promotions.shopper_tier.findData("gold"))
    click(qtbot, promotions.quote_button)
    text = promotions.quote_view.toPlainText()
    assert "APPLIED WKND50 (Weekend bonus): +50 bonus points" in text
    assert "APPLIED GOLD5" in text


def test_try_it_with_a_member_and_with_the_unsaved_edit(qtbot, window, shop, promotions) -> None:
    fill(qtbot, promotions, "APPLE3", "3.00 off apples", Effect.FIXED_DISCOUNT, "3.00")
    qtbot.keyClicks(promotions.skus, "APPLE")
    promotions.panels.setCurrentIndex(1)
    promotions.set_basket([("APPLE", 4)])
    promotions.quote_at.setDateTime(A_WEDNESDAY)
    promotions.member_query.setText(shop.card_number)
    click(qtbot, promotions.findChild(type(promotions.save_button), "quoteFindMember"))
    assert promotions.a_member.isChecked()
    assert promotions.member_choice.currentData() == shop.member_id
    promotions.include_edit.setChecked(True)
    click(qtbot, promotions.quote_button)
    text = promotions.quote_view.toPlainText()
    assert "APPLIED APPLE3 (3.00 off apples): 3.00 off: 1 matching line" in text
    assert promotions.last_quote.total == 4 * 350 - 300
    assert promotions.last_quote.points_earned == 11         # a basic member: 1 per 1.00
    assert window.services.program.promotions() == []        # tried, never saved

    promotions.include_edit.setChecked(False)
    promotions.no_member.setChecked(True)
    click(qtbot, promotions.quote_button)
    assert "APPLE3" not in promotions.quote_view.toPlainText()
    assert "no member: no points" in promotions.quote_view.toPlainText()


def test_try_it_reports_an_unknown_product(qtbot, promotions) -> None:
    promotions.panels.setCurrentIndex(1)
    promotions.set_basket([("NOPE", 1)])
    assert "no product with code NOPE" in refused(qtbot, promotions, promotions.quote_button)


# -- program: tiers --------------------------------------------------------------------------


def _sale(window, shop: ShopData, items: list[tuple[str, int]], due: int) -> None:
    window.services.checkout.complete_sale(SaleRequest(
        str(uuid.uuid4()), shop.cashier_id, items, shop.member_id,
        payments=[PaymentRequest("cash", due)]))


def preview(qtbot, tab: ProgramTab) -> dict[str, int]:
    with qtbot.waitSignal(tab.preview_ready, timeout=WAIT) as ready:
        click(qtbot, tab.preview_button)
    return ready.args[0]


def column(tab: ProgramTab, col: int) -> list[str]:
    return [tab.tier_table.item(row, col).text() for row in range(tab.tier_table.rowCount())]


def test_tier_preview_counts_members_beside_each_tier(qtbot, window, shop, program) -> None:
    _sale(window, shop, [("RICE5", 2)], 9980)
    assert column(program, NAME) == ["Basic", "Silver", "Gold", "Platinum"]
    assert preview(qtbot, program) == {"basic": 2, "silver": 0, "gold": 0, "platinum": 0}
    assert column(program, MEMBERS) == ["2", "0", "0", "0"]

    program.set_cell(1, THRESHOLD, "50.00")            # Wang spent 99.80: silver now
    assert column(program, MEMBERS) == ["", "", "", ""]  # stale counts are cleared
    assert preview(qtbot, program) == {"basic": 1, "silver": 1, "gold": 0, "platinum": 0}
    assert column(program, MEMBERS) == ["1", "1", "0", "0"]
    assert "2 members" in program.tiers_message.text()
    assert window.services.program.tiers()[1].threshold == 100_000   # a preview saves nothing


def test_new_thresholds_multipliers_and_window_are_saved(qtbot, window, program) -> None:
    program.set_cell(1, THRESHOLD, "800")
    program.set_cell(2, MULTIPLIER, "1.6")
    click(qtbot, program.add_tier_button)
    row = program.tier_table.rowCount() - 1
    for col, text in enumerate(["diamond", "Diamond", "50,000.00", "x2.5"]):
        program.set_cell(row, col, text)
    program.window_days.setValue(180)
    with qtbot.waitSignal(program.tiers_saved, timeout=WAIT):
        click(qtbot, program.save_tiers_button)
    tiers = window.services.program.tiers()
    assert [(t.code, t.threshold, t.multiplier_percent) for t in tiers] == [
        ("basic", 0, 100), ("silver", 80_000, 125), ("gold", 500_000, 160),
        ("platinum", 2_000_000, 200), ("diamond", 5_000_000, 250)]
    assert window.services.program.rules().tier_window_days == 180
    assert column(program, THRESHOLD)[1] == "800.00"         # shown again as stored
    assert "Tiers saved" in program.tiers_message.text()


@pytest.mark.parametrize(("row", "col", "text", "message"), [
    (0, THRESHOLD, "10.00", "the lowest tier must start at a threshold of 0"),
    (2, THRESHOLD, "1,000.00", "two tiers have the same threshold"),
    (2, 0, "silver", "two tiers have the same code"),
    (1, MULTIPLIER, "fast", "Row 2: write the multiplier as 1.0, 1.25 or 2"),
    (1, THRESHOLD, "a lot", "Row 2: 'a lot' is not an amount of money"),
    (1, THRESHOLD, "", "Row 2: enter the spend from which the tier starts"),
    (3, 0, "", "Row 4: the tier needs a code"),
])
def test_bad_tiers_are_refused_with_a_message(qtbot, window, program, row, col, text,
                                              message) -> None:
    before = window.services.program.tiers()
    program.set_cell(row, col, text)
    error = refused(qtbot, program, program.save_tiers_button)
    assert message in error and message in program.tiers_message.text()
    assert window.services.program.tiers() == before


def test_removing_a_tier_and_discarding_changes(qtbot, window, program) -> None:
    program.tier_table.setCurrentCell(3, 0)
    click(qtbot, program.remove_tier_button)
    assert column(program, 0) == ["basic", "silver", "gold"]
    click(qtbot, program.revert_tiers_button)
    assert column(program, 0) == ["basic", "silver", "gold", "platinum"]


# -- program: settings -----------------------------------------------------------------------


def test_settings_save_only_what_changed(qtbot, window, program) -> None:
    widgets = program.setting_widgets
    widgets["points_expiry_months"].setValue(18)
    widgets["max_redeem_percent"].setValue(30)
    widgets["referral_min_purchase"].setText("25")
    with qtbot.waitSignal(program.rules_saved, timeout=WAIT) as saved:
        click(qtbot, program.save_rules_button)
    rules = window.services.program.rules()
    assert saved.args[0] == rules
    assert (rules.points_expiry_months, rules.max_redeem_percent,
            rules.referral_min_purchase) == (18, 30, 2500)
    entry = window.services.audit.entries(action="program_rules_updated")[0]
    assert entry.details["new"] == {"points_expiry_months": 18, "max_redeem_percent": 30,
                                    "referral_min_purchase": 2500}
    assert widgets["referral_min_purchase"].text() == "25.00"
    assert "Points expire after" in program.rules_message.text()

    click(qtbot, program.save_rules_button)                 # nothing changed: nothing written
    assert "Nothing to save" in program.rules_message.text()
    assert len(window.services.audit.entries(action="program_rules_updated")) == 1


@pytest.mark.parametrize(("key", "value", "message"), [
    ("points_expiry_months", 0, "“Points expire after” must be at least 1"),
    ("stored_value_max_balance", "12.345", "Most stored value per member: '12.345' is not an "
                                           "amount of money"),
    ("currency_symbol", "", "“Currency symbol” must be 1 to 4 characters"),
])
def test_a_bad_setting_is_refused_and_nothing_changes(qtbot, window, program, key, value,
                                                      message) -> None:
    before = window.services.program.rules()
    widget = program.setting_widgets[key]
    if isinstance(value, int):
        widget.setValue(value)
    else:
        widget.setText(value)
    program.setting_widgets["max_redeem_percent"].setValue(10)   # a good change beside it
    error = refused(qtbot, program, program.save_rules_button)
    assert message in program.rules_message.text() and error
    assert window.services.program.rules() == before
