"""Member history, merge, erasure and CSV import dialogs of the manager's members tab."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...services import member_io
from ...services.member_admin import MemberHistory
from ...services.till import TillServices
from ...services.views import MemberDetails, MemberSummary
from ..widgets import money
from ..worker import DbWorker


def _table(parent: QWidget, headers: list[str], rows: list[tuple[object, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    return table


class HistoryDialog(QDialog):
    """Everything that happened to a member, one tab per ledger or record."""

    def __init__(self, parent: QWidget, history: MemberHistory, symbol: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("History of {name}").format(name=history.name))
        self.setMinimumSize(900, 560)
        tabs = QTabWidget(self)
        tabs.setObjectName("historyTabs")
        m = lambda value: money(value, symbol)  # noqa: E731 - a short local formatter
        pages = [
            (self.tr("Sales"), [self.tr("Receipt"), self.tr("When"), self.tr("Total"),
                                self.tr("Points earned"), self.tr("Points redeemed")],
             [(s.receipt_code, s.at, m(s.total), s.points_earned, s.points_redeemed)
              for s in history.sales]),
            (self.tr("Refunds"), [self.tr("Receipt"), self.tr("Of sale"), self.tr("When"),
                                  self.tr("Amount"), self.tr("Points back"),
                                  self.tr("Points returned")],
             [(r.receipt_code, r.sale_receipt_code, r.at, m(r.amount), r.points_taken_back,
               r.points_given_back) for r in history.refunds]),
            (self.tr("Points"), [self.tr("When"), self.tr("Kind"), self.tr("Points"),
                                 self.tr("Balance"), self.tr("Expires"), self.tr("Left in lot"),
                                 self.tr("Reason")],
             [(p.at, p.kind, p.amount, p.balance, p.lot.expires_on if p.lot else "",
               p.lot.remaining if p.lot else "", p.reason) for p in history.points]),
            (self.tr("Stored value"), [self.tr("When"), self.tr("Kind"), self.tr("Amount"),
                                       self.tr("Balance"), self.tr("Reason")],
             [(v.at, v.kind, m(v.amount), m(v.balance), v.reason)
              for v in history.stored_value]),
            (self.tr("Tiers"), [self.tr("When"), self.tr("From"), self.tr("To"),
                                self.tr("Reason")],
             [(t.at, t.from_tier, t.to_tier, t.reason) for t in history.tiers]),
            (self.tr("Consents"), [self.tr("When"), self.tr("Kind"), self.tr("Action"),
                                   self.tr("Version"), self.tr("Till"), self.tr("Staff")],
             [(c.at, c.kind, c.action, c.version, c.till, c.staff_name)
              for c in history.consents]),
            (self.tr("Cards"), [self.tr("Number"), self.tr("Status"), self.tr("Issued"),
                                self.tr("Blocked"), self.tr("Reason")],
             [(c.number, c.status, c.issued_at, c.blocked_at, c.block_reason)
              for c in history.cards]),
        ]
        for title, headers, rows in pages:
            tabs.addTab(_table(tabs, headers, rows), f"{title} ({len(rows)})")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.tabs = tabs


class MergeDialog(QDialog):
    """Choose the duplicate record to merge into the member shown, with a reason."""

    def __init__(self, parent: QWidget, services: TillServices, keep: MemberDetails) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Merge two records of one person"))
        self.services, self.keep = services, keep
        self.other: MemberSummary | None = None
        symbol = services.currency_symbol()
        form = QFormLayout(self)
        form.addRow(self.tr("Keep"), QLabel(
            f"{keep.summary.name} · {keep.summary.card_number} · "
            f"{keep.summary.points_balance:,} · {money(keep.summary.stored_value_balance, symbol)}",
            self))
        self.query = QLineEdit(self)
        self.query.setObjectName("mergeQuery")
        self.query.setPlaceholderText(self.tr("card number or phone of the other record"))
        self.query.textChanged.connect(self.find)
        self.found = QLabel(self)
        self.found.setObjectName("mergeFound")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("mergeReason")
        self.error = QLabel(self)
        form.addRow(self.tr("Merge in"), self.query)
        form.addRow("", self.found)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(QLabel(self.tr("Points (with their expiry dates) and stored value move to "
                                   "the kept member as new ledger entries; the other record's "
                                   "cards are blocked."), self))
        form.addRow(self.error)
        box = QDialogButtonBox(self)
        ok = box.addButton(self.tr("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("mergeConfirm")
        box.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def find(self, text: str) -> None:
        text = text.strip()
        try:
            found = (self.services.finder.by_card(text, date.today()) if len(text) == 13
                     else self.services.finder.search(text, date.today())[0])
        except (LoyaltyError, IndexError):
            self.other = None
            self.found.setText(self.tr("not found"))
            return
        self.other = found
        self.found.setText(f"{found.name} · {found.card_number} · {found.points_balance:,}")

    def accept(self) -> None:
        if self.other is None or self.other.id == self.keep.summary.id:
            self.error.setText(self.tr("Find the other record of this person first."))
            return
        if len(self.reason.text().strip()) < 3:
            self.error.setText(self.tr("Give a reason."))
            return
        super().accept()


class EraseDialog(QDialog):
    """Privacy erasure needs a reason and the word ERASE typed, so it is never a slip."""

    def __init__(self, parent: QWidget, member: MemberDetails) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Erase personal data"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr(
            "Erase the personal data of {name} on the member's request? Name, phone, email, "
            "birthday and notes are removed for good; the amounts of past points and stored "
            "value stay so the books still balance. Stored value still owed: {owed}.").format(
            name=member.summary.name, owed=money(member.summary.stored_value_balance)), self))
        self.reason = QLineEdit(self)
        self.reason.setObjectName("eraseReason")
        self.confirm = QLineEdit(self)
        self.confirm.setObjectName("eraseConfirm")
        self.confirm.setPlaceholderText("ERASE")
        self.error = QLabel(self)
        form.addRow(self.tr("Reason (request reference)"), self.reason)
        form.addRow(self.tr("Type ERASE to confirm"), self.confirm)
        form.addRow(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def accept(self) -> None:
        if self.confirm.text().strip() != "ERASE" or len(self.reason.text().strip()) < 3:
            self.error.setText(self.tr("Give a reason and type ERASE."))
            return
        super().accept()


class _ImportProgress(QObject):
    step = Signal(int, int)


class ImportDialog(QDialog):
    """CSV import: map columns, confirm consent, import all or nothing with progress and cancel."""

    finished_import = Signal(object)  # ImportReport

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 staff_id: int) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import members from CSV"))
        self.setMinimumSize(640, 560)
        self.services, self.worker, self.staff_id = services, worker, staff_id
        self.cancel_event = threading.Event()
        self.relay = _ImportProgress(self)
        self.path = QLineEdit(self)
        self.path.setObjectName("importPath")
        browse = QPushButton(self.tr("Choose file…"), self)
        browse.clicked.connect(self.browse)
        load = QPushButton(self.tr("Read columns"), self)
        load.setObjectName("importRead")
        load.clicked.connect(self.read_columns)
        top = QHBoxLayout()
        top.addWidget(self.path, 1)
        top.addWidget(browse)
        top.addWidget(load)
        self.mapping_form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for field in member_io.FIELDS:
            combo = QComboBox(self)
            combo.setObjectName(f"map_{field}")
            self.combos[field] = combo
            self.mapping_form.addRow(field, combo)
        self.consent = QCheckBox(self.tr("These members accepted the current member agreement "
                                         "and privacy statement"), self)
        self.consent.setObjectName("importConsent")
        self.progress = QProgressBar(self)
        self.problems = QListWidget(self)
        self.problems.setObjectName("importProblems")
        self.start = QPushButton(self.tr("Import"), self)
        self.start.setObjectName("importStart")
        self.start.clicked.connect(self.run_import)
        self.cancel_button = QPushButton(self.tr("Cancel import"), self)
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.clicked.connect(self.cancel_event.set)
        self.cancel_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.mapping_form)
        layout.addWidget(self.consent)
        layout.addWidget(self.progress)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)
        self.relay.step.connect(self._step)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("CSV file"), "", "CSV (*.csv *.txt)")
        if path:
            self.path.setText(path)
            self.read_columns()

    def read_columns(self) -> None:
        try:
            headers, _rows = member_io.read_csv(Path(self.path.text()))
        except (LoyaltyError, OSError) as exc:
            self.problems.clear()
            self.problems.addItem(str(exc))
            return
        suggested = member_io.suggest_mapping(headers)
        for field, combo in self.combos.items():
            combo.clear()
            combo.addItem(self.tr("(not in the file)"), None)
            for header in headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(combo.findData(suggested.get(field)), 0))

    def mapping(self) -> dict[str, str]:
        return {field: combo.currentData() for field, combo in self.combos.items()
                if combo.currentData()}

    def run_import(self) -> None:
        self.cancel_event.clear()
        self.problems.clear()
        self.start.setEnabled(False)
        self.cancel_button.setEnabled(True)
        ctx, source, mapping = self.services.ctx, Path(self.path.text()), self.mapping()
        consent, staff, emit = self.consent.isChecked(), self.staff_id, self.relay.step.emit
        self.worker.submit("import", lambda: member_io.import_members_csv(
            ctx, source, mapping, staff, consent, progress=emit, cancel=self.cancel_event),
            self._done, self._failed)

    def _step(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: member_io.ImportReport) -> None:
        self.start.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if report.cancelled:
            self.problems.addItem(self.tr("Cancelled: nothing was imported."))
        elif report.problems:
            self.problems.addItem(self.tr("{count} problem(s): nothing was imported.").format(
                count=len(report.problems)))
            for p in report.problems:
                self.problems.addItem(self.tr("row {row}, {field} '{value}': {message}").format(
                    row=p.row, field=p.field, value=p.value, message=p.message))
        else:
            self.problems.addItem(self.tr("{count} members imported.").format(
                count=report.imported))
        self.finished_import.emit(report)

    def _failed(self, error: Exception) -> None:
        self.start.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.problems.addItem(str(error))
