"""Help tab: the searchable FAQ for cashiers and members, and the agreement texts (versioned)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...services.help import FaqView
from ...services.staff import StaffView
from ...services.till import TillServices
from ..help_dialog import FaqBrowser
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
        self.show_agreement()

    # -- FAQ -------------------------------------------------------------------------------

    def _faq_page(self) -> QWidget:
        self.faq = FaqBrowser(self, self.services)
        self.faq.chosen.connect(self._topic_chosen)
        self.faq.answer_column.addWidget(self._faq_editor(self.faq), 2)
        self.query, self.topics, self.answer = self.faq.query, self.faq.topics, self.faq.answer
        return self.faq

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
        self.faq.search(text)

    def _topic_chosen(self, faq: FaqView) -> None:
        self.current_faq = faq
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
