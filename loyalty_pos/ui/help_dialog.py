"""Help at the till (F1): the questions and answers, and the texts members agree to."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..services.till import TillServices


class HelpDialog(QDialog):
    """Read-only; managers edit the texts in the manager's Help tab."""

    def __init__(self, parent: QWidget, services: TillServices) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Help"))
        self.setMinimumSize(820, 560)
        self.services = services
        tabs = QTabWidget(self)
        tabs.addTab(self._faq_page(tabs), self.tr("Questions and answers"))
        for kind, title in (("member_agreement", self.tr("Member agreement")),
                            ("privacy", self.tr("Privacy statement"))):
            text = services.help.current_agreements().get(kind)
            browser = QTextBrowser(tabs)
            browser.setMarkdown(text.text if text else self.tr("Not published yet."))
            tabs.addTab(browser, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.search("")

    def _faq_page(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        self.query = QLineEdit(page)
        self.query.setObjectName("helpQuery")
        self.query.setPlaceholderText(self.tr("What do you want to know? e.g. refund, expire"))
        self.query.textChanged.connect(self.search)
        self.topics = QListWidget(page)
        self.topics.setObjectName("helpTopics")
        self.topics.currentItemChanged.connect(self._show)
        self.answer = QTextBrowser(page)
        self.answer.setObjectName("helpAnswer")
        body = QHBoxLayout()
        body.addWidget(self.topics, 2)
        body.addWidget(self.answer, 3)
        layout = QVBoxLayout(page)
        layout.addWidget(self.query)
        layout.addLayout(body, 1)
        return page

    def search(self, text: str) -> None:
        self.topics.clear()
        try:
            found = self.services.help.search(text)
        except LoyaltyError as exc:
            self.answer.setPlainText(str(exc))
            return
        for faq in found:
            item = QListWidgetItem(faq.question)
            item.setData(Qt.ItemDataRole.UserRole, faq)
            self.topics.addItem(item)
        if found:
            self.topics.setCurrentRow(0)
        else:
            self.answer.setPlainText(self.tr("Nothing found."))

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            faq = item.data(Qt.ItemDataRole.UserRole)
            self.answer.setMarkdown(f"### {faq.question}\n\n{faq.answer}")
