"""Program tab: the tier table with a member-count preview, and the program settings.

Threads: the settings and tiers are read on the GUI thread (two small reads); the preview (one
grouped query over every member, about a second on a million members) and both saves run on the
worker, and the result comes back by signal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import InvalidInput, LoyaltyError
from ...core.money import parse_money
from ...core.program import ProgramRules
from ...core.tiers import TierRule
from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import MessageBar, money
from ..worker import DbWorker
from .promotions_tab import factor_text

BUTTON_HEIGHT = 44
CODE, NAME, THRESHOLD, MULTIPLIER, MEMBERS = range(5)
MAX_WINDOW_DAYS = 3660
MAX_OFFLINE_WINDOW_MINUTES = 7 * 24 * 60
BIG = 2_000_000_000  # QSpinBox holds a 32-bit int; far beyond any sensible points setting
MONEY_FIELDS = ("referral_min_purchase", "stored_value_max_balance", "offline_stored_value_cap")


def _item(text: str, editable: bool = True, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ProgramTab(QWidget):
    preview_ready = Signal(dict)    # tier code -> members it would hold (from the worker)
    tiers_saved = Signal(list)      # list[TierRule] as stored, lowest threshold first
    rules_saved = Signal(object)    # ProgramRules as stored
    operation_failed = Signal(str)  # an error now shown in one of the message bars

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.rules: ProgramRules = services.program.rules()
        self.symbol = self.rules.currency_symbol
        self.preview: dict[str, int] = {}
        self._filling = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._tiers_group(), 1)
        layout.addWidget(self._rules_group())
        self.load_tiers()
        self.load_rules()

    # -- tiers -----------------------------------------------------------------------------

    def _tiers_group(self) -> QGroupBox:
        """The table on the left; the window, the explanation and the buttons beside it."""
        group = QGroupBox(self.tr("Tiers"), self)
        row = QHBoxLayout(group)
        row.addWidget(self._make_tier_table(group), 3)
        side = QVBoxLayout()
        intro = QLabel(self.tr(
            "A member's tier follows their net spend over the evaluation window. The lowest "
            "tier starts at 0.00. Members move at their next sale or the nightly review."),
            group)
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #52606d; font-size: 13px;")
        side.addWidget(intro)
        window = QHBoxLayout()
        window.addWidget(QLabel(self.tr("Evaluation window"), group))
        self.window_days = QSpinBox(group)
        self.window_days.setObjectName("tierWindowDays")
        self.window_days.setRange(1, MAX_WINDOW_DAYS)
        self.window_days.setSuffix(self.tr(" days"))
        self.window_days.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.window_days.setMinimumWidth(130)
        self.window_days.valueChanged.connect(self._clear_preview)
        window.addWidget(self.window_days)
        window.addStretch(1)
        side.addLayout(window)
        rows = QHBoxLayout()
        self.add_tier_button = self._button(self.tr("Add tier"), "addTier", self.add_tier)
        self.remove_tier_button = self._button(self.tr("Remove tier"), "removeTier",
                                               self.remove_tier)
        self.preview_button = self._button(self.tr("Preview members"), "previewTiers",
                                           self.preview_tiers)
        self.preview_button.setToolTip(self.tr("Count how many members each tier would hold "
                                               "with these thresholds and window"))
        rows.addWidget(self.add_tier_button)
        rows.addWidget(self.remove_tier_button)
        rows.addWidget(self.preview_button)
        side.addLayout(rows)
        side.addStretch(1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.revert_tiers_button = self._button(self.tr("Discard changes"), "revertTiers",
                                                self.load_tiers)
        self.save_tiers_button = self._button(self.tr("Save tiers"), "saveTiers",
                                              self.save_tiers)
        self.save_tiers_button.setProperty("role", "primary")
        actions.addWidget(self.revert_tiers_button)
        actions.addWidget(self.save_tiers_button)
        side.addLayout(actions)
        self.tiers_message = MessageBar(group)
        side.addWidget(self.tiers_message)
        row.addLayout(side, 2)
        return group

    def _make_tier_table(self, parent: QWidget) -> QTableWidget:
        self.tier_table = QTableWidget(0, 5, parent)
        self.tier_table.setObjectName("tierTable")
        self.tier_table.verticalHeader().setVisible(False)
        self.tier_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tier_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tier_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.tier_table.itemChanged.connect(self._tier_edited)
        return self.tier_table

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setMinimumHeight(BUTTON_HEIGHT)
        button.clicked.connect(slot)
        return button

    def _tier_headers(self) -> None:
        self.tier_table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Name"),
            self.tr("Spend from ({symbol})").format(symbol=self.symbol),
            self.tr("Multiplier"), self.tr("Members")])

    def load_tiers(self) -> None:
        """Show the stored tiers and window (GUI thread, one short read)."""
        try:
            tiers = self.services.program.tiers()
            self.rules = self.services.program.rules()
        except LoyaltyError as exc:
            self._tiers_error(str(exc))
            return
        self._tier_headers()
        self._filling = True
        self.tier_table.setRowCount(0)
        for tier in tiers:
            self._add_row(tier.code, tier.name, money(tier.threshold),
                          factor_text(tier.multiplier_percent))
        self._filling = False
        self.window_days.setValue(self.rules.tier_window_days)
        self._clear_preview()

    def _add_row(self, code: str, name: str, threshold: str, multiplier: str) -> int:
        row = self.tier_table.rowCount()
        self.tier_table.insertRow(row)
        self.tier_table.setItem(row, CODE, _item(code))
        self.tier_table.setItem(row, NAME, _item(name))
        self.tier_table.setItem(row, THRESHOLD, _item(threshold, right=True))
        self.tier_table.setItem(row, MULTIPLIER, _item(multiplier, right=True))
        self.tier_table.setItem(row, MEMBERS, _item("", editable=False, right=True))
        return row

    def add_tier(self) -> None:
        row = self._add_row("", "", "", "1.0")
        self.tier_table.setCurrentCell(row, CODE)
        self.tier_table.editItem(self.tier_table.item(row, CODE))

    def remove_tier(self) -> None:
        row = self.tier_table.currentRow()
        if row < 0:
            self._tiers_error(self.tr("Pick the tier to remove first."))
            return
        self.tier_table.removeRow(row)
        self._clear_preview()

    def set_cell(self, row: int, column: int, text: str) -> None:
        """Type into a cell (as the table's editor does)."""
        self.tier_table.item(row, column).setText(text)

    def _tier_edited(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() != MEMBERS:
            self._clear_preview()

    def _clear_preview(self) -> None:
        """Counts belong to the tiers they were computed for: any edit makes them stale."""
        self.preview = {}
        self._filling = True
        for row in range(self.tier_table.rowCount()):
            item = self.tier_table.item(row, MEMBERS)
            if item is not None:
                item.setText("")
        self._filling = False

    def tiers_from_table(self) -> list[TierRule]:
        """The tiers typed in the table; InvalidInput names the row and what is wrong."""
        tiers = []
        for row in range(self.tier_table.rowCount()):
            code, name, threshold, multiplier = (
                (self.tier_table.item(row, column).text().strip()
                 if self.tier_table.item(row, column) else "")
                for column in (CODE, NAME, THRESHOLD, MULTIPLIER))
            if not code:
                raise InvalidInput(self.tr("Row {row}: the tier needs a code.").format(
                    row=row + 1))
            spend = threshold.removeprefix(self.symbol).strip()
            if not spend:
                raise InvalidInput(self.tr("Row {row}: enter the spend from which the tier "
                                           "starts (0.00 for the lowest tier).").format(
                    row=row + 1))
            try:
                amount = parse_money(spend)
            except InvalidInput as exc:
                raise InvalidInput(self.tr("Row {row}: '{text}' is not an amount of money "
                                           "(digits and up to 2 decimals).").format(
                    row=row + 1, text=spend)) from exc
            tiers.append(TierRule(code, name, amount, self._multiplier(row, multiplier)))
        if not tiers:
            raise InvalidInput(self.tr("There must be at least one tier."))
        return tiers

    def _multiplier(self, row: int, text: str) -> int:
        cleaned = text.lower().lstrip("x× ").strip()
        try:
            percent = Decimal(cleaned) * 100
        except InvalidOperation:
            percent = Decimal("NaN")
        if not percent.is_finite() or percent != percent.to_integral_value() or percent <= 0:
            raise InvalidInput(self.tr("Row {row}: write the multiplier as 1.0, 1.25 or 2, "
                                       "not '{text}'.").format(row=row + 1, text=text))
        return int(percent)

    def preview_tiers(self) -> None:
        """Count members per tier on the worker (a grouped query over every member)."""
        try:
            tiers = self.tiers_from_table()
        except LoyaltyError as exc:
            self._tiers_error(str(exc))
            return
        window = self.window_days.value()
        self.preview_button.setEnabled(False)
        self.tiers_message.info(self.tr("Counting members…"))

        def done(counts: dict[str, int]) -> None:
            self.preview_button.setEnabled(True)
            self._show_preview(counts)
            total = sum(counts.values())
            self.tiers_message.info(self.tr(
                "{total} members: the counts are where they would be with these tiers, "
                "as of now.").format(total=f"{total:,}"))
            self.preview_ready.emit(counts)

        def failed(error: Exception) -> None:
            self.preview_button.setEnabled(True)
            self._tiers_error(str(error))

        self.worker.submit("tier preview",
                           lambda: self.services.program.tier_preview(tiers, window),
                           done, failed)

    def _show_preview(self, counts: dict[str, int]) -> None:
        self._filling = True
        for row in range(self.tier_table.rowCount()):
            code = self.tier_table.item(row, CODE).text().strip()
            if code in counts:
                self.tier_table.item(row, MEMBERS).setText(f"{counts[code]:,}")
        self._filling = False
        self.preview = dict(counts)

    def save_tiers(self) -> None:
        try:
            tiers = self.tiers_from_table()
        except LoyaltyError as exc:
            self._tiers_error(str(exc))
            return
        window, manager_id = self.window_days.value(), self.manager.id

        def done(stored: list[TierRule]) -> None:
            self.load_tiers()
            self.tiers_message.info(self.tr(
                "Tiers saved. Members move to their new tier at their next sale or the "
                "nightly review."))
            self.tiers_saved.emit(list(stored))

        self.worker.submit("save tiers", lambda: self.services.program.replace_tiers(
            manager_id, tiers, window), done, lambda e: self._tiers_error(str(e)))

    def _tiers_error(self, text: str) -> None:
        self.tiers_message.error(text)
        self.operation_failed.emit(text)

    # -- program settings ------------------------------------------------------------------

    def _rules_group(self) -> QGroupBox:
        """Four small groups side by side, each row a label and a field with its unit."""
        group = QGroupBox(self.tr("Program settings"), self)
        outer = QVBoxLayout(group)
        columns = QHBoxLayout()
        self.setting_widgets: dict[str, QSpinBox | QLineEdit] = {}
        self.symbol_labels: list[QLabel] = []
        self.setting_labels: dict[str, str] = {}
        tips = self._setting_tips()
        for title, entries in self._setting_sections():
            box = QGroupBox(title, group)
            grid = QGridLayout(box)
            grid.setColumnStretch(0, 1)
            for row, (key, label, unit, low, high) in enumerate(entries):
                text = QLabel(label, box)
                text.setWordWrap(True)
                text.setToolTip(tips[key])
                grid.addWidget(text, row, 0)
                widget = self._setting_widget(box, key, unit, low, high)
                widget.setFixedWidth(140)
                widget.setToolTip(tips[key])
                grid.addWidget(widget, row, 1)
                self.setting_labels[key] = label
            grid.setRowStretch(len(entries), 1)
            columns.addWidget(box, 1)
        outer.addLayout(columns)
        actions = QHBoxLayout()
        self.rules_message = MessageBar(group)
        actions.addWidget(self.rules_message, 1)
        self.revert_rules_button = self._button(self.tr("Discard changes"), "revertRules",
                                                self.load_rules)
        self.save_rules_button = self._button(self.tr("Save settings"), "saveRules",
                                              self.save_rules)
        self.save_rules_button.setProperty("role", "primary")
        actions.addWidget(self.revert_rules_button)
        actions.addWidget(self.save_rules_button)
        outer.addLayout(actions)
        return group

    def _setting_sections(self) -> list[tuple[str, list[tuple[str, str, str, int, int]]]]:
        """(group, [(field, label, unit suffix, lowest, highest)]); money ignores the range.

        The ranges only keep the spin boxes sensible; the service decides what is allowed
        (an expiry of 0 months reaches it and is refused with its reason). The tier window
        is edited beside the tiers: it is saved with them and the preview uses it.
        """
        points, days = self.tr(" points"), self.tr(" days")
        return [
            (self.tr("Earning"), [
                ("earn_points_per_major", self.tr("Points per 1.00 spent"), "", 0, 1_000_000),
                ("points_expiry_months", self.tr("Points expire after"), self.tr(" months"),
                 0, 1200),
                ("refund_restore_min_days", self.tr("Refunded points last at least"), days,
                 0, MAX_WINDOW_DAYS)]),
            (self.tr("Redeeming"), [
                ("redeem_points_per_major", self.tr("Points that pay 1.00"), "", 1, 1_000_000),
                ("max_redeem_percent", self.tr("Points pay at most"), self.tr("% of a sale"),
                 0, 100),
                ("max_redeem_points_per_sale", self.tr("Most points in one sale"), points,
                 0, BIG)]),
            (self.tr("Referrals"), [
                ("referral_reward_referrer", self.tr("Reward for the referrer"), points, 0, BIG),
                ("referral_reward_new_member", self.tr("Reward for the new member"), points,
                 0, BIG),
                ("referral_min_purchase", self.tr("Qualifying first purchase"), "", 0, 0)]),
            (self.tr("Money and stored value"), [
                ("currency_symbol", self.tr("Currency symbol"), "", 0, 0),
                ("stored_value_max_balance", self.tr("Most stored value per member"), "", 0, 0),
                ("offline_stored_value_cap", self.tr("Offline spending per till"), "", 0, 0),
                ("offline_window_minutes", self.tr("Offline after no sync for"),
                 self.tr(" minutes"), 1, MAX_OFFLINE_WINDOW_MINUTES)]),
        ]

    def _setting_tips(self) -> dict[str, str]:
        return {
            "earn_points_per_major": self.tr("Points for each 1.00 of eligible spend, before "
                                             "tier and promotion multipliers"),
            "points_expiry_months": self.tr("Earned points expire this many months after the "
                                            "sale"),
            "refund_restore_min_days": self.tr("Points given back by a refund never expire "
                                               "sooner than this"),
            "redeem_points_per_major": self.tr("How many points pay for 1.00"),
            "max_redeem_percent": self.tr("The largest share of a sale that points may pay"),
            "max_redeem_points_per_sale": self.tr("0: no limit beyond the share of the sale"),
            "referral_reward_referrer": self.tr("Given when the new member makes a qualifying "
                                                "first purchase"),
            "referral_reward_new_member": self.tr("Given when the new member makes a "
                                                  "qualifying first purchase"),
            "referral_min_purchase": self.tr("The new member's first purchase must reach this "
                                             "for the referral rewards"),
            "currency_symbol": self.tr("1 to 4 characters, e.g. ¥ or HK$"),
            "stored_value_max_balance": self.tr("A member's stored value balance never goes "
                                                "above this"),
            "offline_stored_value_cap": self.tr("Stored value a till may take while it cannot "
                                                "reach head office"),
            "offline_window_minutes": self.tr("A till that has not reached head office for this "
                                              "long counts as offline: its stored value "
                                              "spending is then capped"),
        }

    def _setting_widget(self, parent: QWidget, key: str, unit: str, low: int,
                        high: int) -> QWidget:
        if key == "currency_symbol":
            edit = QLineEdit(parent)
            edit.setMaxLength(4)
            edit.setObjectName(f"setting_{key}")
            edit.setPlaceholderText(self.tr("e.g. ¥ or HK$"))
            self.setting_widgets[key] = edit
            return edit
        if key in MONEY_FIELDS:
            box = QWidget(parent)
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            symbol = QLabel(self.symbol, box)
            self.symbol_labels.append(symbol)
            edit = QLineEdit(box)
            edit.setObjectName(f"setting_{key}")
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            row.addWidget(symbol)
            row.addWidget(edit, 1)
            self.setting_widgets[key] = edit
            return box
        spin = QSpinBox(parent)
        spin.setObjectName(f"setting_{key}")
        spin.setRange(low, high)
        spin.setSuffix(unit)
        spin.setGroupSeparatorShown(True)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        if key == "max_redeem_points_per_sale":
            spin.setSpecialValueText(self.tr("No limit"))
        self.setting_widgets[key] = spin
        return spin

    def load_rules(self) -> None:
        """Show the stored settings (GUI thread, one short read)."""
        try:
            self.rules = self.services.program.rules()
        except LoyaltyError as exc:
            self._rules_error(str(exc))
            return
        self.symbol = self.rules.currency_symbol
        for key, widget in self.setting_widgets.items():
            value = getattr(self.rules, key)
            if isinstance(widget, QSpinBox):
                widget.setValue(value)
            elif key in MONEY_FIELDS:
                widget.setText(money(value))
            else:
                widget.setText(str(value))
        for label in self.symbol_labels:
            label.setText(self.symbol)

    def setting_changes(self) -> dict[str, object]:
        """The settings that differ from the stored ones; InvalidInput for unreadable money."""
        changes: dict[str, object] = {}
        for key, widget in self.setting_widgets.items():
            if isinstance(widget, QSpinBox):
                value: object = widget.value()
            elif key in MONEY_FIELDS:
                text = widget.text().strip().removeprefix(self.symbol).strip()
                try:
                    value = parse_money(text)
                except InvalidInput as exc:
                    raise InvalidInput(self.tr("{setting}: '{text}' is not an amount of money "
                                               "(digits and up to 2 decimals).").format(
                        setting=self.setting_labels[key], text=text)) from exc
            else:
                value = widget.text().strip()
            if value != getattr(self.rules, key):
                changes[key] = value
        return changes

    def save_rules(self) -> None:
        try:
            changes = self.setting_changes()
        except LoyaltyError as exc:
            self._rules_error(str(exc))
            return
        if not changes:
            self.rules_message.info(self.tr("Nothing to save: no setting was changed."))
            return
        manager_id = self.manager.id
        names = ", ".join(self.setting_labels[key] for key in changes)

        def done(stored: ProgramRules) -> None:
            self.load_rules()
            if "currency_symbol" in changes:
                self._tier_headers()
            self.rules_message.info(self.tr("Saved: {settings}.").format(settings=names))
            self.rules_saved.emit(stored)

        self.worker.submit("update program rules", lambda: self.services.program.update_rules(
            manager_id, **changes), done, lambda e: self._rules_error(str(e)))

    def _rules_error(self, text: str) -> None:
        """The service names settings by their field names: show the labels instead."""
        for key in sorted(self.setting_labels, key=len, reverse=True):
            text = text.replace(key, f"“{self.setting_labels[key]}”")
        self.rules_message.error(text)
        self.operation_failed.emit(text)
