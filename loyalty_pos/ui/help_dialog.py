"""Help: the searchable questions and answers (at the till with F1, and in the manager's Help
tab, which adds editing), and the texts members agree to."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
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
from ..services.help import FaqView
from ..services.till import TillServices


class FaqBrowser(QWidget):
    """Search box, audience filter, matching questions and the chosen answer."""

    chosen = Signal(object)  # FaqView

    def __init__(self, parent: QWidget, services: TillServices) -> None:
        super().__init__(parent)
        self.services = services
        self.query = QLineEdit(self)
        self.query.setObjectName("faqQuery")
        self.query.setPlaceholderText(self.tr("Search the help, e.g. expire, refund, lost card"))
        self.query.textChanged.connect(self.search)
        self.audience = QComboBox(self)
        self.audience.setObjectName("faqAudience")
        self.audience.addItem(self.tr("everyone"), None)
        self.audience.addItem(self.tr("members"), "member")
        self.audience.addItem(self.tr("cashiers"), "cashier")
        self.audience.currentIndexChanged.connect(lambda _i: self.search(self.query.text()))
        self.topics = QListWidget(self)
        self.topics.setObjectName("faqTopics")
        self.topics.currentItemChanged.connect(self._show)
        self.answer = QTextBrowser(self)
        self.answer.setObjectName("faqAnswer")
        self.body = QHBoxLayout()
        self.body.addWidget(self.topics, 2)
        self.answer_column = QVBoxLayout()
        self.answer_column.addWidget(self.answer, 2)
        self.body.addLayout(self.answer_column, 3)
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.audience)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(self.body, 1)
        self.search("")

    def search(self, text: str) -> None:
        self.topics.clear()
        try:
            found = self.services.help.search(text, self.audience.currentData())
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
        if item is None:
            return
        faq: FaqView = item.data(Qt.ItemDataRole.UserRole)
        self.answer.setMarkdown(f"### {faq.question}\n\n{faq.answer}\n\n"
                                + self.tr("*Version {version}*").format(version=faq.version))
        self.chosen.emit(faq)


class HelpDialog(QDialog):
    """Read-only; managers edit the texts in the manager's Help tab."""

    def __init__(self, parent: QWidget, services: TillServices) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Help"))
        self.setMinimumSize(820, 560)
        tabs = QTabWidget(self)
        self.faq = FaqBrowser(tabs, services)
        tabs.addTab(self.faq, self.tr("Questions and answers"))
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
        self.query, self.topics, self.answer = self.faq.query, self.faq.topics, self.faq.answer
