"""Audit tab: who did what, when; filter and export."""

from __future__ import annotations

import json

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import MessageBar
from ..worker import DbWorker


class AuditTab(QWidget):
    exported = Signal(str)

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.since = QDateEdit(QDate.currentDate().addDays(-30), self)
        self.until = QDateEdit(QDate.currentDate(), self)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.action = QComboBox(self)
        self.action.setObjectName("auditAction")
        self.text = QLineEdit(self)
        self.text.setObjectName("auditText")
        self.text.setPlaceholderText(self.tr("search text"))
        apply = QPushButton(self.tr("Filter"), self)
        apply.setObjectName("auditFilter")
        apply.clicked.connect(self.refresh)
        export = QPushButton(self.tr("Export CSV"), self)
        export.setObjectName("auditExport")
        export.clicked.connect(self.export)
        filters = QHBoxLayout()
        for widget in (self.since, self.until, self.action, self.text, apply, export):
            filters.addWidget(widget)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels([self.tr("When (UTC)"), self.tr("Who"),
                                              self.tr("Action"), self.tr("Target"),
                                              self.tr("Details")])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.message = MessageBar(self)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.reload_actions()
        self.refresh()

    def reload_actions(self) -> None:
        self.action.clear()
        self.action.addItem(self.tr("all actions"), None)
        for action in self.services.audit.actions():
            self.action.addItem(action, action)

    def filters(self) -> dict[str, object]:
        return {"since": self.since.date().toPython(), "until": self.until.date().toPython(),
                "action": self.action.currentData(), "text": self.text.text().strip() or None}

    def refresh(self) -> None:
        try:
            rows = self.services.audit.entries(**self.filters())
        except LoyaltyError as exc:
            self.message.error(str(exc))
            return
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.at.strftime("%Y-%m-%d %H:%M:%S"), row.staff_name or "", row.action,
                     row.target, json.dumps(row.details, ensure_ascii=False))
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.message.info(self.tr("{count} entries").format(count=len(rows)))

    def export(self) -> None:
        path = self.services.output_dir("exports") / "audit-log.csv"
        filters = self.filters()
        self.worker.submit("audit export",
                           lambda: (self.services.audit.export_csv(path, **filters), path),
                           self._exported, lambda e: self.message.error(str(e)))

    def _exported(self, result: tuple[int, object]) -> None:
        count, path = result
        self.message.info(self.tr("{count} entries written to {path}").format(count=count,
                                                                           path=path))
        self.exported.emit(str(path))
