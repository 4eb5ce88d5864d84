"""Enrolling a member: validated details, duplicate warning as you type, the texts the member
accepts (in the version that will be recorded), consent and marketing captured separately."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...core.members import normalise_email, normalise_name, normalise_phone
from ...services.members import Enrolment
from ...services.till import TillServices
from ...services.views import MemberSummary


class EnrolDialog(QDialog):
    """Reads (texts, duplicates) directly; the enrolment itself is handed to `submit`."""

    open_existing = Signal(object)  # MemberSummary the manager chose to open instead

    def __init__(self, parent: QWidget, services: TillServices, staff_id: int) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enrol a member"))
        self.setMinimumSize(720, 640)
        self.services, self.staff_id = services, staff_id
        self.texts = services.members.texts_to_accept()
        self.enrolment: Enrolment | None = None
        self.duplicates: list[MemberSummary] = []
        layout = QVBoxLayout(self)
        layout.addLayout(self._details_form())
        self.duplicate_box = QWidget(self)
        self.duplicate_layout = QHBoxLayout(self.duplicate_box)
        self.duplicate_box.hide()
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self._texts(), 1)
        layout.addLayout(self._consents())
        self.error = QLabel(self)
        self.error.setObjectName("enrolError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.save = buttons.addButton(self.tr("Enrol and issue card"),
                                      QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setObjectName("enrolSave")
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _details_form(self) -> QFormLayout:
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("enrolName")
        self.phone = QLineEdit(self)
        self.phone.setObjectName("enrolPhone")
        self.phone.setPlaceholderText(self.tr("mobile number, digits"))
        self.email = QLineEdit(self)
        self.email.setObjectName("enrolEmail")
        self.has_birthday = QCheckBox(self.tr("Birthday known"), self)
        self.birthday = QDateEdit(self)
        self.birthday.setObjectName("enrolBirthday")
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setCalendarPopup(True)
        self.birthday.setDate(QDate(1990, 1, 1))
        self.birthday.setMaximumDate(QDate.currentDate())
        self.birthday.setEnabled(False)
        self.has_birthday.toggled.connect(self.birthday.setEnabled)
        birthday_row = QHBoxLayout()
        birthday_row.addWidget(self.has_birthday)
        birthday_row.addWidget(self.birthday, 1)
        self.referral = QLineEdit(self)
        self.referral.setObjectName("enrolReferral")
        self.referral.setPlaceholderText(self.tr("optional: a member's referral code"))
        self.notes = QLineEdit(self)
        for label, widget in ((self.tr("Name"), self.name), (self.tr("Phone"), self.phone),
                              (self.tr("Email"), self.email)):
            form.addRow(label, widget)
        form.addRow(self.tr("Birthday"), birthday_row)
        form.addRow(self.tr("Referral code"), self.referral)
        form.addRow(self.tr("Notes"), self.notes)
        self.phone.textChanged.connect(self.check_duplicates)
        self.email.textChanged.connect(self.check_duplicates)
        return form

    def _texts(self) -> QTabWidget:
        tabs = QTabWidget(self)
        for kind, title in (("member_agreement", self.tr("Member agreement")),
                            ("privacy", self.tr("Privacy statement"))):
            text = self.texts[kind]
            browser = QTextBrowser(tabs)
            browser.setMarkdown(text.text)
            tabs.addTab(browser, self.tr("{title} (version {version})").format(
                title=title, version=text.version))
        return tabs

    def _consents(self) -> QVBoxLayout:
        box = QVBoxLayout()
        agreement, privacy = self.texts["member_agreement"], self.texts["privacy"]
        self.accept_agreement = QCheckBox(self.tr(
            "The member has read and accepts the member agreement (version {v})").format(
            v=agreement.version), self)
        self.accept_agreement.setObjectName("acceptAgreement")
        self.accept_privacy = QCheckBox(self.tr(
            "The member has read and accepts the privacy statement (version {v})").format(
            v=privacy.version), self)
        self.accept_privacy.setObjectName("acceptPrivacy")
        self.marketing = QCheckBox(self.tr(
            "The member agrees to receive marketing (optional, separate consent)"), self)
        self.marketing.setObjectName("marketingOptIn")
        for widget in (self.accept_agreement, self.accept_privacy, self.marketing):
            box.addWidget(widget)
        return box

    def check_duplicates(self) -> None:
        self.duplicates = self.services.members.possible_duplicates(self.phone.text(),
                                                                    self.email.text())
        while self.duplicate_layout.count():
            item = self.duplicate_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not self.duplicates:
            self.duplicate_box.hide()
            return
        label = QLabel(self.tr("Already a member:"), self.duplicate_box)
        label.setObjectName("duplicateWarning")
        self.duplicate_layout.addWidget(label)
        for member in self.duplicates:
            link = QPushButton(f"{member.name} ({member.card_number or member.phone})",
                               self.duplicate_box)
            link.setObjectName("openExisting")
            link.clicked.connect(lambda _=False, m=member: self._open_existing(m))
            self.duplicate_layout.addWidget(link)
        self.duplicate_layout.addStretch(1)
        self.duplicate_box.show()

    def _open_existing(self, member: MemberSummary) -> None:
        self.open_existing.emit(member)
        self.reject()

    def _problem(self) -> str:
        try:
            normalise_name(self.name.text())
            phone, email = normalise_phone(self.phone.text()), normalise_email(self.email.text())
        except LoyaltyError as exc:
            return str(exc)
        if phone is None and email is None:
            return self.tr("Enter a phone number or an email address.")
        if self.duplicates:
            return self.tr("This phone or email already belongs to a member.")
        if not (self.accept_agreement.isChecked() and self.accept_privacy.isChecked()):
            return self.tr("The member must accept the agreement and the privacy statement.")
        return ""

    def accept(self) -> None:
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            return
        birthday = (self.birthday.date().toPython() if self.has_birthday.isChecked() else None)
        self.enrolment = Enrolment(
            name=self.name.text(), phone=self.phone.text() or None,
            email=self.email.text() or None, birthday=birthday if isinstance(birthday, date)
            else None, staff_id=self.staff_id,
            accepted_agreement_sha256=self.texts["member_agreement"].sha256,
            accepted_privacy_sha256=self.texts["privacy"].sha256,
            marketing_opt_in=self.marketing.isChecked(),
            referral_code=self.referral.text().strip() or None, notes=self.notes.text())
        super().accept()

    def show_error(self, text: str) -> None:
        self.error.setText(text)

