"""Help tab: the searchable FAQ for cashiers and members, and the agreement texts (versioned)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...services.help import FaqView
from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import MessageBar
from ..worker import DbWorker

AGREEMENT_KINDS = ("member_agreement", "privacy")


class HelpTab(QWidget):
    saved = Signal(object)  # FaqView or AgreementView

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.message = MessageBar(self)
        tabs = QTabWidget(self)
        tabs.addTab(self._faq_page(), self.tr("Questions and answers"))
        tabs.addTab(self._agreements_page(), self.tr("Agreement and privacy texts"))
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.message)
        self.search("")
        self.show_agreement()

    # -- FAQ -------------------------------------------------------------------------------

    def _faq_page(self) -> QWidget:
        page = QWidget(self)
        self.query = QLineEdit(page)
        self.query.setObjectName("faqQuery")
        self.query.setPlaceholderText(self.tr("Search the help, e.g. expire, refund, lost card"))
        self.query.textChanged.connect(self.search)
        self.audience = QComboBox(page)
        self.audience.setObjectName("faqAudience")
        self.audience.addItem(self.tr("everyone"), None)
        self.audience.addItem(self.tr("members"), "member")
        self.audience.addItem(self.tr("cashiers"), "cashier")
        self.audience.currentIndexChanged.connect(lambda _i: self.search(self.query.text()))
        self.topics = QListWidget(page)
        self.topics.setObjectName("faqTopics")
        self.topics.currentItemChanged.connect(self._topic_chosen)
        self.answer = QTextBrowser(page)
        self.answer.setObjectName("faqAnswer")
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.audience)
        body = QHBoxLayout()
        body.addWidget(self.topics, 2)
        right = QVBoxLayout()
        right.addWidget(self.answer, 2)
        right.addWidget(self._faq_editor(page), 2)
        body.addLayout(right, 3)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        return page

    def _faq_editor(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Edit this answer (saved as a new version)"), parent)
        form = QFormLayout(box)
        self.edit_question = QLineEdit(box)
        self.edit_question.setObjectName("faqEditQuestion")
        self.edit_answer = QPlainTextEdit(box)
        self.edit_answer.setObjectName("faqEditAnswer")
        save = QPushButton(self.tr("Save new version"), box)
        save.setObjectName("faqSave")
        save.clicked.connect(self.save_faq)
        form.addRow(self.tr("Question"), self.edit_question)
        form.addRow(self.tr("Answer"), self.edit_answer)
        form.addRow(save)
        return box

    def search(self, text: str) -> None:
        try:
            found = self.services.help.search(text, self.audience.currentData())
        except LoyaltyError as exc:
            self.message.error(str(exc))
            return
        self.topics.clear()
        for faq in found:
            item = QListWidgetItem(faq.question)
            item.setData(Qt.ItemDataRole.UserRole, faq)
            self.topics.addItem(item)
        if found:
            self.topics.setCurrentRow(0)
        else:
            self.answer.setPlainText(self.tr("Nothing found."))

    def _topic_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        faq: FaqView = item.data(Qt.ItemDataRole.UserRole)
        self.current_faq = faq
        self.answer.setMarkdown(f"### {faq.question}\n\n{faq.answer}\n\n"
                                + self.tr("*Version {version}*").format(version=faq.version))
        self.edit_question.setText(faq.question_source)
        self.edit_answer.setPlainText(faq.answer_source)

    def save_faq(self) -> None:
        faq = getattr(self, "current_faq", None)
        if faq is None:
            return
        question, answer = self.edit_question.text(), self.edit_answer.toPlainText()
        manager = self.manager.id
        self.worker.submit("faq", lambda: self.services.help.edit(
            manager, faq.topic, question, answer, faq.audience), self._faq_saved,
            lambda e: self.message.error(str(e)))

    def _faq_saved(self, faq: FaqView) -> None:
        self.message.info(self.tr("Saved as version {version}.").format(version=faq.version))
        self.search(self.query.text())
        self.saved.emit(faq)

    # -- agreements ------------------------------------------------------------------------

    def _agreements_page(self) -> QWidget:
        page = QWidget(self)
        self.kind = QComboBox(page)
        self.kind.setObjectName("agreementKind")
        self.kind.addItem(self.tr("Member agreement"), "member_agreement")
        self.kind.addItem(self.tr("Privacy statement"), "privacy")
        self.kind.currentIndexChanged.connect(lambda _i: self.show_agreement())
        self.current_text = QTextBrowser(page)
        self.current_text.setObjectName("agreementCurrent")
        self.new_version = QLineEdit(page)
        self.new_version.setObjectName("agreementVersion")
        self.new_version.setPlaceholderText(self.tr("new version label, e.g. 2027.1"))
        self.new_text = QPlainTextEdit(page)
        self.new_text.setObjectName("agreementText")
        publish = QPushButton(self.tr("Publish new version"), page)
        publish.setObjectName("agreementPublish")
        publish.clicked.connect(self.publish)
        layout = QVBoxLayout(page)
        layout.addWidget(self.kind)
        row = QHBoxLayout()
        row.addWidget(self.current_text, 1)
        editor = QVBoxLayout()
        editor.addWidget(self.new_version)
        editor.addWidget(self.new_text, 1)
        editor.addWidget(publish)
        row.addLayout(editor, 1)
        layout.addLayout(row, 1)
        return page

    def show_agreement(self) -> None:
        current = self.services.help.current_agreements().get(self.kind.currentData())
        if current is None:
            self.current_text.setPlainText(self.tr("Not published yet."))
            return
        self.current_text.setMarkdown(current.text)
        self.new_text.setPlainText(current.text)

    def publish(self) -> None:
        kind, version = self.kind.currentData(), self.new_version.text().strip()
        text, manager = self.new_text.toPlainText(), self.manager.id
        self.worker.submit("publish", lambda: self.services.help.publish_agreement(
            manager, kind, version, text), self._published, lambda e: self.message.error(str(e)))

    def _published(self, view) -> None:
        self.message.info(self.tr(
            "Version {version} published: new members accept it from now on.").format(
            version=view.version))
        self.show_agreement()
        self.saved.emit(view)
