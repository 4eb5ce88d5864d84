"""The manager's screens beside the till: one tab per area."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import ActionButton
from ..worker import DbWorker
from .members_tab import MembersTab


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
        self.tabs.addTab(self.members, self.tr("Members"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def add_tab(self, widget: QWidget, title: str) -> None:
        self.tabs.addTab(widget, title)
