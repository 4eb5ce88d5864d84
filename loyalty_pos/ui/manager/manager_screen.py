"""The manager's screens beside the till: one tab per area."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import ActionButton
from ..worker import DbWorker
from .audit_tab import AuditTab
from .help_tab import HelpTab
from .members_tab import MembersTab
from .program_tab import ProgramTab
from .promotions_tab import PromotionsTab
from .reports_tab import ReportsTab
from .staff_tab import StaffTab


class ManagerScreen(QWidget):
    back_requested = Signal()

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        top = QHBoxLayout()
        title = QLabel(self.tr("Manager: {name}").format(name=manager.name), self)
        title.setObjectName("managerTitle")
        back = ActionButton(self.tr("Back to the till"), "Esc", self)
        back.setObjectName("managerBack")
        back.clicked.connect(self.back_requested.emit)
        top.addWidget(title, 1)
        top.addWidget(back)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("managerTabs")
        self.members = MembersTab(self.tabs, services, worker, manager)
        self.promotions = PromotionsTab(self.tabs, services, worker, manager)
        self.program = ProgramTab(self.tabs, services, worker, manager)
        self.staff = StaffTab(self.tabs, services, worker, manager)
        self.audit = AuditTab(self.tabs, services, worker, manager)
        self.reports = ReportsTab(self.tabs, services, worker, manager)
        self.help = HelpTab(self.tabs, services, worker, manager)
        for widget, title in ((self.members, self.tr("Members")),
                              (self.promotions, self.tr("Promotions")),
                              (self.program, self.tr("Tiers and program")),
                              (self.reports, self.tr("Reports")),
                              (self.staff, self.tr("Staff")),
                              (self.audit, self.tr("Audit log")),
                              (self.help, self.tr("Help"))):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.audit:
            self.audit.refresh()  # actions taken since the tab was built
