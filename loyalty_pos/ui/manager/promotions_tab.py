"""Promotions tab: the list, an editor for every condition and effect, overlap warnings and a
"try it" quote of a sample basket.

Threads: reads (the list, the warnings, a try-it quote) run on the GUI thread, each one short
service call; saving, enabling and deleting go to the worker and the list is read again when
the result comes back.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import InvalidInput, LoyaltyError
from ...core.money import parse_money
from ...core.promotions import Effect, PromotionRule, Quote, Shopper
from ...core.tiers import TierRule
from ...services.program import describe_quote
from ...services.staff import StaffView
from ...services.till import TillServices
from ...services.views import MemberSummary
from ..widgets import MessageBar, money
from ..worker import DbWorker

GREY = QColor("#9aa5b1")
BUTTON_HEIGHT = 44
BASKET_ROWS = 3


def factor_text(percent: int) -> str:
    """200 -> '2.0', 125 -> '1.25': a multiplier as a manager writes it."""
    text = f"{Decimal(percent).scaleb(-2).normalize():f}"
    return text if "." in text else text + ".0"


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _split_codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class PromotionsTab(QWidget):
    promotions_changed = Signal(list)  # list[PromotionRule] after a save, enable/disable, delete
    promotion_saved = Signal(object)   # the PromotionRule as stored
    warnings_shown = Signal(list)      # list[str]: the overlap warnings now on screen
    quote_shown = Signal(object)       # the try-it Quote now on screen
    operation_failed = Signal(str)     # an error now in the message bar

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.symbol = services.currency_symbol()
        self.rules: list[PromotionRule] = []
        self.tiers: list[TierRule] = services.program.tiers()
        self.editing: PromotionRule | None = None  # the stored promotion in the editor
        self.warnings: list[str] = []
        self.last_quote: Quote | None = None
        self.message = MessageBar(self)
        # The list and the warnings on top, the editor and the try-it panel below, each the
        # full width of the screen; the manager can move the splitter between them.
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        top = QWidget(splitter)
        top.setLayout(self._list_pane())
        self.panels = QTabWidget(splitter)
        self.panels.setObjectName("promotionPanels")
        self.panels.addTab(self._editor_page(), self.tr("Edit promotion"))
        self.panels.addTab(self._try_page(), self.tr("Try it"))
        splitter.addWidget(top)
        splitter.addWidget(self.panels)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([200, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        self.refresh()
        self.new_promotion()

    # -- the list and the warnings ---------------------------------------------------------

    def _list_pane(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 4)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("promotionsTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Name"), self.tr("Effect"), self.tr("Priority"),
            self.tr("Exclusive"), self.tr("Enabled")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._picked)
        self.table.setMinimumHeight(150)
        row.addWidget(self.table, 5)
        buttons = QVBoxLayout()
        self.new_button = self._button(self.tr("New"), "newPromotion", self.new_promotion)
        self.duplicate_button = self._button(self.tr("Duplicate"), "duplicatePromotion",
                                             self.duplicate)
        self.toggle_button = self._button(self.tr("Disable"), "togglePromotion",
                                          self.toggle_enabled)
        self.delete_button = self._button(self.tr("Delete"), "deletePromotion", self.delete)
        self.delete_button.setProperty("role", "danger")
        for button in (self.new_button, self.duplicate_button, self.toggle_button,
                       self.delete_button):
            button.setMinimumWidth(120)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        self.warnings_box = QGroupBox(self.tr("Overlap warnings"), self)
        box = QVBoxLayout(self.warnings_box)
        box.setContentsMargins(6, 4, 6, 6)
        self.warnings_view = QTextBrowser(self.warnings_box)
        self.warnings_view.setObjectName("overlapWarnings")
        self.warnings_view.setFrameShape(QFrame.Shape.NoFrame)
        box.addWidget(self.warnings_view)
        row.addWidget(self.warnings_box, 3)
        return row

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setMinimumHeight(BUTTON_HEIGHT)
        button.clicked.connect(slot)
        return button

    def showEvent(self, event: QShowEvent) -> None:
        """Tiers or the currency may have changed on the program tab since this tab was
        built."""
        super().showEvent(event)
        self.reload_tiers()
        symbol = self.services.currency_symbol()
        if symbol != self.symbol:  # changed on the program tab
            self.symbol = symbol
            self.min_basket_symbol.setText(symbol)
            self._effect_changed()
            self.refresh(self.editing.code if self.editing else None)

    def refresh(self, select_code: str | None = None) -> None:
        """Read the promotions and the warnings again (GUI thread, two short reads)."""
        try:
            self.rules = self.services.program.promotions()
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rules))
        for row, rule in enumerate(self.rules):
            cells = [rule.code, rule.name, self.effect_summary(rule), str(rule.priority),
                     self.tr("Yes") if rule.exclusive else self.tr("No"),
                     self.tr("Yes") if rule.enabled else self.tr("No")]
            tip = self.conditions_summary(rule)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, rule.code)
                item.setToolTip(tip)
                if col == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if not rule.enabled:
                    item.setForeground(GREY)
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.clearSelection()
        self.table.blockSignals(False)
        if select_code is not None:
            self.select(select_code)
        self._update_buttons()
        self.refresh_warnings()

    def refresh_warnings(self) -> None:
        try:
            self.warnings = self.services.program.overlap_warnings()
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        self.warnings_box.setTitle(self.tr("Overlap warnings ({count})").format(
            count=len(self.warnings)) if self.warnings else self.tr("Overlap warnings"))
        if self.warnings:
            body = "".join(f"<p style='color:#92400e; margin-bottom:8px'>&#9888; "
                           f"{html.escape(w)}</p>" for w in self.warnings)
        else:
            body = "<p style='color:#52606d'>{}</p>".format(html.escape(self.tr(
                "No exclusive promotions compete for the same basket.")))
        self.warnings_view.setHtml(body)
        self.warnings_shown.emit(list(self.warnings))

    def effect_summary(self, rule: PromotionRule) -> str:
        if rule.effect is Effect.POINTS_MULTIPLIER:
            return self.tr("x{factor} points").format(factor=factor_text(rule.value))
        if rule.effect is Effect.BONUS_POINTS:
            return self.tr("+{points} points").format(points=rule.value)
        if rule.effect is Effect.PERCENT_DISCOUNT:
            return self.tr("{percent}% off").format(percent=rule.value)
        return self.tr("{amount} off").format(amount=money(rule.value, self.symbol))

    def conditions_summary(self, rule: PromotionRule) -> str:
        """The conditions of a promotion, one per line (the list's tooltip)."""
        days = self._weekday_names()
        parts = []
        if rule.starts_on or rule.ends_on:
            parts.append(self.tr("Dates: {start} to {end}").format(
                start=rule.starts_on or "…", end=rule.ends_on or "…"))
        if rule.weekdays:
            parts.append(self.tr("Weekdays: {days}").format(
                days=", ".join(days[d] for d in sorted(rule.weekdays))))
        if rule.start_time and rule.end_time:
            parts.append(self.tr("Hours: {start} to {end}").format(
                start=rule.start_time.strftime("%H:%M"), end=rule.end_time.strftime("%H:%M")))
        if rule.tiers:
            parts.append(self.tr("Tiers: {tiers}").format(tiers=", ".join(sorted(rule.tiers))))
        if rule.skus:
            parts.append(self.tr("Items: {skus}").format(skus=", ".join(sorted(rule.skus))))
        if rule.categories:
            parts.append(self.tr("Categories: {categories}").format(
                categories=", ".join(sorted(rule.categories))))
        if rule.min_basket:
            parts.append(self.tr("Basket of at least {amount}").format(
                amount=money(rule.min_basket, self.symbol)))
        if rule.birthday_month:
            parts.append(self.tr("Only in the member's birthday month"))
        if rule.first_purchase:
            parts.append(self.tr("Only on a member's first purchase"))
        return "\n".join(parts) or self.tr("Every basket, every day")

    def select(self, code: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == code:
                self.table.selectRow(row)
                return

    def selected_rule(self) -> PromotionRule | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        code = self.table.item(rows[0].row(), 0).text()
        return next((r for r in self.rules if r.code == code), None)

    def _picked(self) -> None:
        rule = self.selected_rule()
        if rule is not None:
            self.show_rule(rule)
        self._update_buttons()

    def _update_buttons(self) -> None:
        rule = self.selected_rule()
        for button in (self.duplicate_button, self.toggle_button, self.delete_button):
            button.setEnabled(rule is not None)
        self.toggle_button.setText(self.tr("Enable") if rule is not None and not rule.enabled
                                   else self.tr("Disable"))

    # -- the editor: layout ----------------------------------------------------------------

    def _editor_page(self) -> QWidget:
        """Three columns: the promotion and its effect (and the buttons), when, who and what."""
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        form = QWidget(scroll)
        columns = QHBoxLayout(form)
        columns.setContentsMargins(6, 6, 6, 6)
        first = QVBoxLayout()
        first.addWidget(self._effect_group(form))
        first.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revert_button = QPushButton(self.tr("Discard changes"), form)
        self.revert_button.setObjectName("revertPromotion")
        self.revert_button.setMinimumHeight(BUTTON_HEIGHT)
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton(self.tr("Save promotion"), form)
        self.save_button.setObjectName("savePromotion")
        self.save_button.setProperty("role", "primary")
        self.save_button.setMinimumHeight(BUTTON_HEIGHT)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        first.addLayout(row)
        columns.addLayout(first, 10)
        columns.addWidget(self._when_group(form), 9)
        columns.addWidget(self._who_group(form), 10)
        scroll.setWidget(form)
        outer.addWidget(scroll, 1)
        return page

    def _effect_group(self, parent: QWidget) -> QGroupBox:
        self.effect_group = group = QGroupBox(parent)
        group.setObjectName("promotionEditorTitle")
        grid = QGridLayout(group)
        self.code = QLineEdit(group)
        self.code.setObjectName("promotionCode")
        self.code.setMaxLength(32)
        self.code.setPlaceholderText(self.tr("e.g. WEEKEND10"))
        self.name = QLineEdit(group)
        self.name.setObjectName("promotionName")
        self.name.setMaxLength(120)
        self.name.setPlaceholderText(self.tr("Shown on receipts and in reports"))
        self.effect = QComboBox(group)
        self.effect.setObjectName("promotionEffect")
        for effect, text in ((Effect.POINTS_MULTIPLIER, self.tr("Points multiplier")),
                             (Effect.BONUS_POINTS, self.tr("Bonus points")),
                             (Effect.PERCENT_DISCOUNT, self.tr("Percent discount")),
                             (Effect.FIXED_DISCOUNT, self.tr("Fixed discount"))):
            self.effect.addItem(text, effect)
        self.effect.currentIndexChanged.connect(self._effect_changed)
        self.value = QLineEdit(group)
        self.value.setObjectName("promotionValue")
        self.value_unit = QLabel(group)
        self.value_unit.setObjectName("promotionValueUnit")
        self.priority = QSpinBox(group)
        self.priority.setObjectName("promotionPriority")
        self.priority.setRange(-1000, 1000)
        self.priority.setToolTip(self.tr("Higher priority promotions are tried first"))
        self.exclusive = QCheckBox(self.tr("Exclusive"), group)
        self.exclusive.setObjectName("promotionExclusive")
        self.exclusive.setToolTip(self.tr("Applies only when nothing has applied before it, and "
                                          "then nothing else applies"))
        self.enabled = QCheckBox(self.tr("Enabled"), group)
        self.enabled.setObjectName("promotionEnabled")
        value_row = QHBoxLayout()
        value_row.addWidget(self.value, 2)
        value_row.addWidget(self.value_unit, 3)
        priority_row = QHBoxLayout()
        priority_row.addWidget(self.priority, 2)
        priority_row.addSpacing(8)
        priority_row.addWidget(self.exclusive)
        priority_row.addWidget(self.enabled)
        priority_row.addStretch(1)
        for row, (label, field) in enumerate(((self.tr("Code"), self.code),
                                              (self.tr("Name"), self.name),
                                              (self.tr("Effect"), self.effect),
                                              (self.tr("Value"), value_row),
                                              (self.tr("Priority"), priority_row))):
            grid.addWidget(QLabel(label, group), row, 0)
            if isinstance(field, QHBoxLayout):
                grid.addLayout(field, row, 1)
            else:
                grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        return group

    def _hint(self, text: str, parent: QWidget) -> QLabel:
        hint = QLabel(text, parent)
        hint.setObjectName("formHint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #52606d; font-size: 13px;")
        return hint

    def _when_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("When"), parent)
        grid = QGridLayout(group)
        self.has_start = QCheckBox(self.tr("From"), group)
        self.has_start.setObjectName("promotionHasStart")
        self.starts_on = self._date_edit(group, "promotionStartsOn", self.has_start)
        self.has_end = QCheckBox(self.tr("Until"), group)
        self.has_end.setObjectName("promotionHasEnd")
        self.has_end.setToolTip(self.tr("The last day it applies"))
        self.ends_on = self._date_edit(group, "promotionEndsOn", self.has_end)
        grid.addWidget(self.has_start, 0, 0)
        grid.addWidget(self.starts_on, 0, 1)
        grid.addWidget(self.has_end, 1, 0)
        grid.addWidget(self.ends_on, 1, 1)
        self.has_hours = QCheckBox(self.tr("Hours"), group)
        self.has_hours.setObjectName("promotionHasHours")
        self.has_hours.setToolTip(self.tr("From the start time until just before the end time; "
                                          "an end before the start runs past midnight"))
        self.start_time = self._time_edit(group, "promotionStartTime", self.has_hours)
        self.end_time = self._time_edit(group, "promotionEndTime", self.has_hours)
        hours = QHBoxLayout()
        hours.addWidget(self.start_time, 1)
        hours.addWidget(QLabel("–", group))
        hours.addWidget(self.end_time, 1)
        grid.addWidget(self.has_hours, 2, 0)
        grid.addLayout(hours, 2, 1)
        grid.addWidget(QLabel(self.tr("Weekdays (none ticked: every day)"), group), 3, 0, 1, 2)
        days = QGridLayout()
        days.setHorizontalSpacing(10)
        days.setContentsMargins(8, 0, 0, 0)
        self.weekday_boxes: list[QCheckBox] = []
        for index, name in enumerate(self._weekday_names()):
            box = QCheckBox(name, group)
            box.setObjectName(f"promotionWeekday{index}")
            self.weekday_boxes.append(box)
            days.addWidget(box, index // 4, index % 4)
        grid.addLayout(days, 4, 0, 1, 2)
        self.birthday_month = QCheckBox(self.tr("Only in the member's birthday month"), group)
        self.birthday_month.setObjectName("promotionBirthdayMonth")
        self.first_purchase = QCheckBox(self.tr("Only on a member's first purchase"), group)
        self.first_purchase.setObjectName("promotionFirstPurchase")
        grid.addWidget(self.birthday_month, 5, 0, 1, 2)
        grid.addWidget(self.first_purchase, 6, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(7, 1)
        return group

    def _date_edit(self, parent: QWidget, name: str, switch: QCheckBox) -> QDateEdit:
        edit = QDateEdit(QDate.currentDate(), parent)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumHeight(34)
        edit.setEnabled(False)
        switch.toggled.connect(edit.setEnabled)
        return edit

    def _time_edit(self, parent: QWidget, name: str, switch: QCheckBox) -> QTimeEdit:
        edit = QTimeEdit(parent)
        edit.setObjectName(name)
        edit.setDisplayFormat("HH:mm")
        edit.setMinimumHeight(34)
        edit.setEnabled(False)
        switch.toggled.connect(edit.setEnabled)
        return edit

    def _who_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Who and what"), parent)
        grid = QGridLayout(group)
        self.tier_list = QListWidget(group)
        self.tier_list.setObjectName("promotionTiers")
        self.tier_list.setMaximumHeight(96)
        grid.addWidget(QLabel(self.tr("Tiers"), group), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.tier_list, 0, 1)
        self.category_list: QListWidget | None = None
        self.category_text: QLineEdit | None = None
        known = self._known_categories()
        if known is None:
            self.category_text = QLineEdit(group)
            self.category_text.setObjectName("promotionCategories")
            self.category_text.setPlaceholderText(self.tr("e.g. dairy, fruit"))
            categories: QWidget = self.category_text
        else:
            self.category_list = QListWidget(group)
            self.category_list.setObjectName("promotionCategories")
            self.category_list.setMaximumHeight(96)
            self._fill_checklist(self.category_list, [(c, c) for c in known], frozenset())
            categories = self.category_list
        grid.addWidget(QLabel(self.tr("Categories"), group), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(categories, 1, 1)
        self.skus = QLineEdit(group)
        self.skus.setObjectName("promotionSkus")
        self.skus.setPlaceholderText(self.tr("SKUs, e.g. RICE5, MILK1"))
        grid.addWidget(QLabel(self.tr("Items"), group), 2, 0)
        grid.addWidget(self.skus, 2, 1)
        self.min_basket = QLineEdit(group)
        self.min_basket.setObjectName("promotionMinBasket")
        self.min_basket.setPlaceholderText(self.tr("0.00 (any basket)"))
        self.min_basket_symbol = QLabel(self.symbol, group)
        basket = QHBoxLayout()
        basket.addWidget(self.min_basket_symbol)
        basket.addWidget(self.min_basket, 1)
        grid.addWidget(QLabel(self.tr("Basket from"), group), 4, 0)
        grid.addLayout(basket, 4, 1)
        grid.addWidget(self._hint(self.tr("No tier ticked: every shopper, members or not. No "
                                          "items and no categories: every item."), group),
                       5, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)
        self._fill_tier_list(frozenset())
        return group

    def _known_categories(self) -> list[str] | None:
        """The catalog's categories to tick; None (type them) while the catalog is empty."""
        return sorted(self.services.catalog.categories()) or None

    def _fill_checklist(self, widget: QListWidget, entries: list[tuple[str, str]],
                        checked: frozenset[str]) -> None:
        """(key, text) entries; keys that are checked but no longer listed are kept, so a
        promotion is never changed by being opened."""
        widget.clear()
        keys = [key for key, _ in entries]
        for key, text in entries + [(k, k) for k in sorted(checked) if k not in keys]:
            item = QListWidgetItem(text, widget)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in checked
                               else Qt.CheckState.Unchecked)

    @staticmethod
    def _checked(widget: QListWidget) -> frozenset[str]:
        return frozenset(widget.item(i).data(Qt.ItemDataRole.UserRole)
                         for i in range(widget.count())
                         if widget.item(i).checkState() == Qt.CheckState.Checked)

    def _fill_tier_list(self, checked: frozenset[str]) -> None:
        self._fill_checklist(self.tier_list, [(t.code, f"{t.name} ({t.code})")
                                              for t in self.tiers], checked)

    def reload_tiers(self) -> None:
        """Read the tiers again (after the program tab changed them), keeping the ticks."""
        try:
            self.tiers = self.services.program.tiers()
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        self._fill_tier_list(self._checked(self.tier_list))
        chosen = self.shopper_tier.currentData()
        self.shopper_tier.clear()
        for tier in self.tiers:
            self.shopper_tier.addItem(f"{tier.name} ({tier.code})", tier.code)
        index = self.shopper_tier.findData(chosen)
        self.shopper_tier.setCurrentIndex(max(index, 0))

    def _weekday_names(self) -> list[str]:
        return [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
                self.tr("Fri"), self.tr("Sat"), self.tr("Sun")]

    def _effect_changed(self) -> None:
        effect = Effect(self.effect.currentData())
        units = {
            Effect.POINTS_MULTIPLIER: (self.tr("e.g. x2.0 or 1.5"),
                                       self.tr("times the points")),
            Effect.BONUS_POINTS: (self.tr("e.g. 50"), self.tr("extra points")),
            Effect.PERCENT_DISCOUNT: (self.tr("1 to 100"),
                                      self.tr("% off the matching items")),
            Effect.FIXED_DISCOUNT: (self.tr("e.g. 5.00"),
                                    self.tr("{symbol} off the matching items").format(
                                        symbol=self.symbol)),
        }
        placeholder, unit = units[effect]
        self.value.setPlaceholderText(placeholder)
        self.value_unit.setText(unit)

    # -- the editor: showing and reading a promotion ---------------------------------------

    def new_promotion(self) -> None:
        self.table.clearSelection()
        self.editing = None
        self._fill_form(None)
        self.code.setFocus()

    def duplicate(self) -> None:
        rule = self.selected_rule()
        if rule is None:
            return
        taken = {r.code for r in self.rules}
        code, number = f"{rule.code}-COPY"[:32], 2
        while code in taken:
            code, number = f"{rule.code}-COPY{number}"[:32], number + 1
        self.table.clearSelection()
        self.editing = None
        self._fill_form(rule)
        self.code.setText(code)
        self.name.setText(self.tr("{name} (copy)").format(name=rule.name)[:120])
        self.code.setFocus()
        self.code.selectAll()
        self.message.info(self.tr("A copy of {code}: change the code and what differs, then "
                                  "save.").format(code=rule.code))

    def show_rule(self, rule: PromotionRule) -> None:
        self.editing = rule
        self._fill_form(rule)

    def revert(self) -> None:
        if self.editing is not None:
            self.show_rule(self.editing)
        else:
            self._fill_form(None)

    def _fill_form(self, rule: PromotionRule | None) -> None:
        """Show `rule` in the editor (None: a blank new promotion)."""
        stored = self.editing is not None
        self.effect_group.setTitle(self.tr("Promotion {code}").format(code=self.editing.code)
                                   if stored else self.tr("New promotion"))
        self.code.setReadOnly(stored)
        self.code.setToolTip(self.tr("A saved promotion keeps its code; duplicate it to make "
                                     "a new one") if stored else "")
        self.code.setText(rule.code if rule else "")
        self.name.setText(rule.name if rule else "")
        effect = rule.effect if rule else Effect.PERCENT_DISCOUNT
        self.effect.setCurrentIndex(self.effect.findData(effect))
        self._effect_changed()
        self.value.setText(self._value_text(rule) if rule else "")
        self.priority.setValue(rule.priority if rule else 0)
        self.exclusive.setChecked(rule.exclusive if rule else False)
        self.enabled.setChecked(rule.enabled if rule else True)
        today = date.today()
        self.has_start.setChecked(bool(rule and rule.starts_on))
        self.starts_on.setDate(_qdate(rule.starts_on if rule and rule.starts_on else today))
        self.has_end.setChecked(bool(rule and rule.ends_on))
        self.ends_on.setDate(_qdate(rule.ends_on if rule and rule.ends_on else today))
        for index, box in enumerate(self.weekday_boxes):
            box.setChecked(bool(rule and index in rule.weekdays))
        hours = rule is not None and rule.start_time is not None and rule.end_time is not None
        self.has_hours.setChecked(hours)
        self.start_time.setTime(QTime(rule.start_time.hour, rule.start_time.minute)
                                if hours and rule.start_time else QTime(9, 0))
        self.end_time.setTime(QTime(rule.end_time.hour, rule.end_time.minute)
                              if hours and rule.end_time else QTime(17, 0))
        self._fill_tier_list(rule.tiers if rule else frozenset())
        self._set_categories(rule.categories if rule else frozenset())
        self.skus.setText(", ".join(sorted(rule.skus)) if rule else "")
        self.min_basket.setText(money(rule.min_basket) if rule and rule.min_basket else "")
        self.birthday_month.setChecked(bool(rule and rule.birthday_month))
        self.first_purchase.setChecked(bool(rule and rule.first_purchase))

    def _value_text(self, rule: PromotionRule) -> str:
        if rule.effect is Effect.POINTS_MULTIPLIER:
            return "x" + factor_text(rule.value)
        if rule.effect is Effect.FIXED_DISCOUNT:
            return money(rule.value)
        return str(rule.value)

    def _set_categories(self, categories: frozenset[str]) -> None:
        if self.category_list is not None:
            known = self._known_categories() or []
            self._fill_checklist(self.category_list, [(c, c) for c in known], categories)
        elif self.category_text is not None:
            self.category_text.setText(", ".join(sorted(categories)))

    def _categories(self) -> frozenset[str]:
        if self.category_list is not None:
            return self._checked(self.category_list)
        assert self.category_text is not None
        return frozenset(_split_codes(self.category_text.text()))

    def _parse_value(self, effect: Effect) -> int:
        text = self.value.text().strip()
        if not text:
            raise InvalidInput(self.tr("Enter the value of the effect."))
        if effect is Effect.FIXED_DISCOUNT:
            return parse_money(text.removeprefix(self.symbol).strip())
        if effect is Effect.POINTS_MULTIPLIER:
            return self._parse_multiplier(text)
        if not text.removesuffix("%").strip().lstrip("-").isdigit():
            raise InvalidInput(self.tr("'{text}' is not a whole number.").format(text=text))
        return int(text.removesuffix("%").strip())

    def _parse_multiplier(self, text: str) -> int:
        """'x2.0', '2', '1.5' or '200%' -> percent (200, 200, 150, 200)."""
        cleaned = text.lower().lstrip("x×* ").strip()
        try:
            if cleaned.endswith("%"):
                percent = Decimal(cleaned.removesuffix("%").strip())
            else:
                percent = Decimal(cleaned) * 100
        except InvalidOperation:
            percent = Decimal("NaN")
        if not percent.is_finite() or percent != percent.to_integral_value():
            raise InvalidInput(self.tr("Write the multiplier as x2.0 or x1.25 (or as a percent, "
                                       "200%), not '{text}'.").format(text=text))
        return int(percent)

    def _product_skus(self) -> frozenset[str]:
        """The typed SKUs, each checked against the catalog (a barcode becomes its SKU)."""
        skus = set()
        for code in _split_codes(self.skus.text()):
            try:
                skus.add(self.services.catalog.product(code).sku)
            except LoyaltyError as exc:
                raise InvalidInput(self.tr("Items: no product with SKU or barcode {code}.")
                                   .format(code=code)) from exc
        return frozenset(skus)

    def rule_from_form(self) -> PromotionRule:
        """The promotion in the editor; InvalidInput (from here or from PromotionRule itself)
        when a value is wrong."""
        effect = Effect(self.effect.currentData())  # Qt hands the item data back as a str
        min_basket_text = self.min_basket.text().strip().removeprefix(self.symbol).strip()
        min_basket = parse_money(min_basket_text) if min_basket_text else 0
        hours = self.has_hours.isChecked()
        return PromotionRule(
            code=self.code.text().strip(), name=self.name.text().strip(), effect=effect,
            value=self._parse_value(effect), priority=self.priority.value(),
            exclusive=self.exclusive.isChecked(), enabled=self.enabled.isChecked(),
            starts_on=self.starts_on.date().toPython() if self.has_start.isChecked() else None,
            ends_on=self.ends_on.date().toPython() if self.has_end.isChecked() else None,
            weekdays=frozenset(i for i, box in enumerate(self.weekday_boxes)
                               if box.isChecked()),
            start_time=self.start_time.time().toPython() if hours else None,
            end_time=self.end_time.time().toPython() if hours else None,
            tiers=self._checked(self.tier_list), skus=self._product_skus(),
            categories=self._categories(), min_basket=min_basket,
            birthday_month=self.birthday_month.isChecked(),
            first_purchase=self.first_purchase.isChecked())

    # -- operations ------------------------------------------------------------------------

    def _clear_message(self) -> None:
        """An old error must not stand beside a fresh result (restyled: the bar keeps its
        colour otherwise)."""
        self.message.clear_message()
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _error(self, text: str) -> None:
        self.message.error(text)
        self.operation_failed.emit(text)

    def _run(self, name: str, job, done) -> None:
        """A write on the worker; errors come back as a message, nothing else changes."""
        self.worker.submit(name, job, done, lambda e: self._error(str(e)))

    def _changed(self, select_code: str | None) -> None:
        self.refresh(select_code)
        self.promotions_changed.emit(list(self.rules))

    def save(self) -> None:
        try:
            rule = self.rule_from_form()
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        if self.editing is None and any(r.code == rule.code for r in self.rules):
            self._error(self.tr("A promotion with code {code} exists: pick it in the list to "
                                "change it, or choose another code.").format(code=rule.code))
            return
        manager_id = self.manager.id

        def saved(stored: PromotionRule) -> None:
            self.editing = stored
            self._changed(stored.code)
            self.show_rule(stored)
            self.message.info(self.tr("Saved promotion {code}.").format(code=stored.code))
            self.promotion_saved.emit(stored)

        self._run("save promotion",
                  lambda: self.services.program.save_promotion(manager_id, rule), saved)

    def toggle_enabled(self) -> None:
        rule = self.selected_rule()
        if rule is None:
            return
        manager_id, enable = self.manager.id, not rule.enabled

        def done(stored: PromotionRule) -> None:
            self._changed(stored.code)
            self.message.info((self.tr("Enabled {code}.") if stored.enabled
                               else self.tr("Disabled {code}.")).format(code=stored.code))

        self._run("enable promotion", lambda: self.services.program.set_enabled(
            manager_id, rule.code, enable), done)

    def confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Delete promotion"), question)
        return answer == QMessageBox.StandardButton.Yes

    def delete(self) -> None:
        rule = self.selected_rule()
        if rule is None or not self.confirm(self.tr(
                "Delete promotion {code} ({name})? A promotion that a sale has used cannot be "
                "deleted; disable it instead.").format(code=rule.code, name=rule.name)):
            return
        manager_id = self.manager.id

        def done(_result: object) -> None:
            self._changed(None)
            self.new_promotion()
            self.message.info(self.tr("Deleted promotion {code}.").format(code=rule.code))

        self._run("delete promotion", lambda: self.services.program.delete_promotion(
            manager_id, rule.code), done)

    # -- try it ----------------------------------------------------------------------------

    def _try_page(self) -> QWidget:
        """Three columns: the basket and when, the shopper, the quote."""
        page = QWidget(self)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        first = QVBoxLayout()
        first.addWidget(self._basket_group(page), 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Quote at"), page))
        self.quote_at = QDateTimeEdit(QDateTime.currentDateTime(), page)
        self.quote_at.setObjectName("quoteAt")
        self.quote_at.setCalendarPopup(True)
        self.quote_at.setDisplayFormat("ddd yyyy-MM-dd HH:mm")
        self.quote_at.setMinimumHeight(34)
        now = QPushButton(self.tr("Now"), page)
        now.setObjectName("quoteNow")
        now.clicked.connect(lambda: self.quote_at.setDateTime(QDateTime.currentDateTime()))
        row.addWidget(self.quote_at, 1)
        row.addWidget(now)
        first.addLayout(row)
        row = QHBoxLayout()
        self.include_edit = QCheckBox(self.tr("With the unsaved edit"), page)
        self.include_edit.setObjectName("quoteIncludeEdit")
        self.include_edit.setToolTip(self.tr("Quote with the promotion as it is in the editor, "
                                             "before saving it"))
        row.addWidget(self.include_edit)
        row.addStretch(1)
        self.quote_button = QPushButton(self.tr("Quote this basket"), page)
        self.quote_button.setObjectName("quoteButton")
        self.quote_button.setProperty("role", "primary")
        self.quote_button.setMinimumHeight(BUTTON_HEIGHT)
        self.quote_button.clicked.connect(self.try_quote)
        row.addWidget(self.quote_button)
        first.addLayout(row)
        layout.addLayout(first, 10)
        second = QVBoxLayout()
        second.addWidget(self._shopper_group(page))
        second.addStretch(1)
        layout.addLayout(second, 8)
        self.quote_view = QTextBrowser(page)
        self.quote_view.setObjectName("quoteResult")
        # the text wraps; a full-width table can come out a pixel too wide for the view
        self.quote_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.quote_view.setHtml("<p style='color:#52606d'>{}</p>".format(html.escape(self.tr(
            "Enter a sample basket and a shopper, then quote it to see which promotions "
            "apply and why the others do not."))))
        layout.addWidget(self.quote_view, 16)
        return page

    def _basket_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Sample basket"), parent)
        column = QVBoxLayout(group)
        self.basket = QTableWidget(0, 2, group)
        self.basket.setObjectName("quoteBasket")
        self.basket.setHorizontalHeaderLabels([self.tr("SKU or barcode"), self.tr("Quantity")])
        self.basket.verticalHeader().setVisible(False)
        self.basket.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.basket.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.basket.verticalHeader().setDefaultSectionSize(38)
        self.basket.setMinimumHeight(120)
        for _ in range(BASKET_ROWS):
            self.add_basket_row()
        column.addWidget(self.basket)
        row = QHBoxLayout()
        add = QPushButton(self.tr("Add line"), group)
        add.setObjectName("quoteAddLine")
        add.clicked.connect(lambda: self.add_basket_row(""))
        remove = QPushButton(self.tr("Remove line"), group)
        remove.setObjectName("quoteRemoveLine")
        remove.clicked.connect(self.remove_basket_row)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        column.addLayout(row)
        return group

    def add_basket_row(self, code: str = "", quantity: int = 1) -> int:
        row = self.basket.rowCount()
        self.basket.insertRow(row)
        self.basket.setItem(row, 0, QTableWidgetItem(code))
        spin = QSpinBox(self.basket)
        spin.setRange(1, 9999)
        spin.setValue(quantity)
        self.basket.setCellWidget(row, 1, spin)
        return row

    def remove_basket_row(self) -> None:
        row = self.basket.currentRow()
        self.basket.removeRow(row if row >= 0 else self.basket.rowCount() - 1)

    def set_basket(self, items: list[tuple[str, int]]) -> None:
        self.basket.setRowCount(0)
        for code, quantity in items:
            self.add_basket_row(code, quantity)

    def basket_items(self) -> list[tuple[str, int]]:
        items = []
        for row in range(self.basket.rowCount()):
            item, spin = self.basket.item(row, 0), self.basket.cellWidget(row, 1)
            code = item.text().strip() if item is not None else ""
            if code and isinstance(spin, QSpinBox):
                items.append((code, spin.value()))
        return items

    def _shopper_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("Shopper"), parent)
        grid = QGridLayout(group)
        self.shopper_kind = QButtonGroup(group)
        self.no_member = QRadioButton(self.tr("No member"), group)
        self.a_member = QRadioButton(self.tr("A member"), group)
        self.hypothetical = QRadioButton(self.tr("Any shopper of tier"), group)
        for index, button in enumerate((self.no_member, self.a_member, self.hypothetical)):
            self.shopper_kind.addButton(button, index)
        self.member_query = QLineEdit(group)
        self.member_query.setObjectName("quoteMemberQuery")
        self.member_query.setPlaceholderText(self.tr("Card or phone"))
        self.member_query.returnPressed.connect(self.find_member)
        find = QPushButton(self.tr("Find"), group)
        find.setObjectName("quoteFindMember")
        find.clicked.connect(self.find_member)
        self.member_choice = QComboBox(group)
        self.member_choice.setObjectName("quoteMember")
        self.member_choice.setPlaceholderText(self.tr("Find the member first"))
        self.shopper_tier = QComboBox(group)
        self.shopper_tier.setObjectName("quoteTier")
        for tier in self.tiers:
            self.shopper_tier.addItem(f"{tier.name} ({tier.code})", tier.code)
        self.shopper_birthday = QCheckBox(self.tr("Birthday this month"), group)
        self.shopper_birthday.setObjectName("quoteBirthday")
        self.shopper_first = QCheckBox(self.tr("First purchase"), group)
        self.shopper_first.setObjectName("quoteFirstPurchase")
        grid.addWidget(self.no_member, 0, 0, 1, 2)
        grid.addWidget(self.a_member, 1, 0)
        query = QHBoxLayout()
        query.addWidget(self.member_query, 1)
        query.addWidget(find)
        grid.addLayout(query, 1, 1)
        grid.addWidget(self.member_choice, 2, 1)
        grid.addWidget(self.hypothetical, 3, 0)
        grid.addWidget(self.shopper_tier, 3, 1)
        grid.addWidget(self.shopper_birthday, 4, 1)
        grid.addWidget(self.shopper_first, 5, 1)
        grid.setColumnStretch(1, 1)
        self.shopper_kind.idToggled.connect(self._shopper_kind_changed)
        self.hypothetical.setChecked(True)
        self._shopper_kind_changed()
        return group

    def _shopper_kind_changed(self, *_args: object) -> None:
        member, shopper = self.a_member.isChecked(), self.hypothetical.isChecked()
        for widget in (self.member_query, self.member_choice):
            widget.setEnabled(member)
        for widget in (self.shopper_tier, self.shopper_birthday, self.shopper_first):
            widget.setEnabled(shopper)

    def find_member(self) -> None:
        """GUI thread: the finder's lookups take microseconds."""
        text = self.member_query.text().strip()
        self.member_choice.clear()
        if not text:
            return
        try:
            if len(text) == 13 and text.isdigit() and text.startswith("2"):
                found = [self.services.finder.by_card(text, date.today())]
            else:
                found = self.services.finder.search(text, date.today())
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        self.a_member.setChecked(True)
        member: MemberSummary
        for member in found:
            self.member_choice.addItem(f"{member.name} · {member.phone or ''} · "
                                       f"{member.tier_code}", member.id)
        if found:
            self.member_choice.setCurrentIndex(0)  # a placeholder otherwise stays chosen
        else:
            self._error(self.tr("No member found for {text}.").format(text=text))

    def _shopper(self, moment: datetime) -> Shopper | None:
        if not self.hypothetical.isChecked():
            return None
        code = self.shopper_tier.currentData()
        tier = next((t for t in self.tiers if t.code == code), None)
        if tier is None:
            raise InvalidInput(self.tr("Choose the shopper's tier."))
        birthday = date(2000, moment.month, 1) if self.shopper_birthday.isChecked() else None
        return Shopper(tier.code, tier.name, tier.multiplier_percent, birthday,
                       self.shopper_first.isChecked())

    def try_quote(self) -> None:
        """Quote the sample basket (GUI thread: one short read, nothing is written)."""
        try:
            moment = self.quote_at.dateTime().toPython()
            member_id = None
            if self.a_member.isChecked():
                member_id = self.member_choice.currentData()
                if member_id is None:
                    raise InvalidInput(self.tr("Find the sample member first."))
            extra = [self.rule_from_form()] if self.include_edit.isChecked() else None
            quote = self.services.program.try_quote(
                self.basket_items(), member_id=member_id, shopper=self._shopper(moment),
                when=moment, promotions=extra)
        except LoyaltyError as exc:
            self._error(str(exc))
            return
        self.last_quote = quote
        self.quote_view.setHtml(self.quote_html(quote, moment))
        self._clear_message()
        self.quote_shown.emit(quote)

    def quote_html(self, quote: Quote, moment: datetime) -> str:
        """Totals first, then every promotion applied or not and why (the point of trying),
        then the lines and how the points were counted; the sentences are describe_quote's."""
        esc = html.escape
        described = describe_quote(quote, self.symbol)
        outcome_lines = described[1:1 + len(quote.outcomes)]
        points_lines = described[1 + len(quote.outcomes):]
        totals = "".join(
            f"<td>{esc(label)}<br><b style='font-size:17px'>{esc(value)}</b></td>"
            for label, value in (
                (self.tr("Subtotal"), money(quote.subtotal, self.symbol)),
                (self.tr("Discounts"), money(-quote.discount_total, self.symbol)),
                (self.tr("Total"), money(quote.total, self.symbol)),
                (self.tr("Points earned"), f"{quote.points_earned:,}")))
        outcomes = "".join(
            f"<p style='margin:3px 0; color:{'#15803d' if o.applied else '#7b8794'}'>"
            f"{'&#10004;' if o.applied else '&#10008;'} {esc(line)}</p>"
            for o, line in zip(quote.outcomes, outcome_lines, strict=True))
        head = "".join(f"<th align='{align}'>{esc(text)}</th>" for text, align in (
            (self.tr("Item"), "left"), (self.tr("Qty"), "right"), (self.tr("Amount"), "right"),
            (self.tr("Discount"), "right"), (self.tr("Net"), "right")))
        rows = "".join(
            f"<tr><td>{esc(q.line.name)} <span style='color:#52606d'>{esc(q.line.sku)}</span>"
            f"</td><td align='right'>{q.line.quantity}</td>"
            f"<td align='right'>{money(q.line.gross)}</td>"
            f"<td align='right'>{money(-q.discount) if q.discount else ''}</td>"
            f"<td align='right'>{money(q.net)}</td></tr>" for q in quote.lines)
        points = "".join(f"<li>{esc(line)}</li>" for line in points_lines)
        when = self.tr("Quoted for {moment}").format(moment=f"{moment:%a %Y-%m-%d %H:%M}")
        promotions_title, lines_title = self.tr("Promotions"), self.tr("Items")
        points_title = self.tr("Points")
        no_promotions = self.tr("There are no promotions.")
        return (f"<p style='color:#52606d; margin:0'>{esc(when)}</p>"
                f"<table width='100%' cellpadding='4'><tr>{totals}</tr></table>"
                f"<h4 style='margin:6px 0 2px'>{esc(promotions_title)}</h4>"
                f"{outcomes or esc(no_promotions)}"
                f"<h4 style='margin:10px 0 2px'>{esc(lines_title)}</h4>"
                f"<table width='100%' cellpadding='3'><tr>{head}</tr>{rows}</table>"
                f"<h4 style='margin:10px 0 2px'>{esc(points_title)}</h4><ul>{points}</ul>")
