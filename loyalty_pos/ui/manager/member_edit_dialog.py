"""Editing a member's details (validated by the service on save)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...core.members import normalise_email, normalise_name, normalise_phone
from ...services.views import MemberDetails


class MemberEditDialog(QDialog):
    def __init__(self, parent: QWidget, details: MemberDetails) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit member"))
        self.values: dict[str, object] = {}
        form = QFormLayout(self)
        self.name = QLineEdit(details.summary.name, self)
        self.name.setObjectName("editName")
        self.phone = QLineEdit(details.summary.phone or "", self)
        self.phone.setObjectName("editPhone")
        self.email = QLineEdit(details.email or "", self)
        self.email.setObjectName("editEmail")
        self.has_birthday = QCheckBox(self.tr("Birthday known"), self)
        self.birthday = QDateEdit(self)
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setCalendarPopup(True)
        self.birthday.setMaximumDate(QDate.currentDate())
        if details.birthday:
            self.has_birthday.setChecked(True)
            self.birthday.setDate(QDate(details.birthday.year, details.birthday.month,
                                        details.birthday.day))
        self.birthday.setEnabled(self.has_birthday.isChecked())
        self.has_birthday.toggled.connect(self.birthday.setEnabled)
        self.notes = QLineEdit(details.notes, self)
        self.error = QLabel(self)
        for label, widget in ((self.tr("Name"), self.name), (self.tr("Phone"), self.phone),
                              (self.tr("Email"), self.email), ("", self.has_birthday),
                              (self.tr("Birthday"), self.birthday),
                              (self.tr("Notes"), self.notes)):
            form.addRow(label, widget)
        form.addRow(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def accept(self) -> None:
        try:
            normalise_name(self.name.text())
            normalise_phone(self.phone.text())
            normalise_email(self.email.text())
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            return
        self.values = {"name": self.name.text(), "phone": self.phone.text() or None,
                       "email": self.email.text() or None,
                       "birthday": self.birthday.date().toPython()
                       if self.has_birthday.isChecked() else None,
                       "notes": self.notes.text()}
        super().accept()
