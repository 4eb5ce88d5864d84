"""Members tab: find, enrol, edit, cards, points, history, merge, privacy, import and export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import LoyaltyError
from ...services import member_io
from ...services.staff import StaffView
from ...services.till import TillServices
from ...services.views import MemberDetails, MemberSummary
from ..widgets import MessageBar, money
from ..worker import DbWorker
from .enrol_dialog import EnrolDialog
from .member_dialogs import EraseDialog, HistoryDialog, ImportDialog, MergeDialog
from .member_edit_dialog import MemberEditDialog


class MembersTab(QWidget):
    member_changed = Signal(object)  # MemberDetails after any change
    file_made = Signal(str)          # a card, export or report written to disk
    open_files = True                # open what was written with the desktop's viewer

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.symbol = services.currency_symbol()
        self.details: MemberDetails | None = None
        self.message = MessageBar(self)
        layout = QHBoxLayout(self)
        layout.addLayout(self._finder(), 2)
        layout.addLayout(self._detail_pane(), 3)

    # -- layout ----------------------------------------------------------------------------

    def _finder(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.query = QLineEdit(self)
        self.query.setObjectName("managerMemberQuery")
        self.query.setPlaceholderText(self.tr("Card number, phone or part of the name"))
        self.query.textChanged.connect(self.search)
        self.results = QListWidget(self)
        self.results.setObjectName("managerMemberResults")
        self.results.currentItemChanged.connect(self._picked)
        column.addWidget(self.query)
        column.addWidget(self.results, 1)
        row = QHBoxLayout()
        self.enrol_button = QPushButton(self.tr("Enrol new member"), self)
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.clicked.connect(self.enrol)
        row.addWidget(self.enrol_button)
        self.sheet_button = QPushButton(self.tr("Card sheet of the list"), self)
        self.sheet_button.setObjectName("cardSheetButton")
        self.sheet_button.clicked.connect(self.card_sheet)
        row.addWidget(self.sheet_button)
        column.addLayout(row)
        files = QHBoxLayout()
        import_button = QPushButton(self.tr("Import CSV…"), self)
        import_button.setObjectName("importButton")
        import_button.clicked.connect(self.import_csv)
        export_button = QPushButton(self.tr("Export CSV"), self)
        export_button.setObjectName("exportCsvButton")
        export_button.clicked.connect(self.export_csv)
        files.addWidget(import_button)
        files.addWidget(export_button)
        column.addLayout(files)
        self.extra_list_buttons = QHBoxLayout()
        column.addLayout(self.extra_list_buttons)
        return column

    def _detail_pane(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.card = QTextBrowser(self)
        self.card.setObjectName("memberDetails")
        column.addWidget(self.card, 1)
        grid = QGridLayout()
        self.actions: dict[str, QPushButton] = {}
        for index, (key, text, slot) in enumerate(self._action_list()):
            button = QPushButton(text, self)
            button.setObjectName(f"member_{key}")
            button.setMinimumHeight(44)
            button.clicked.connect(slot)
            grid.addWidget(button, index // 3, index % 3)
            self.actions[key] = button
        column.addLayout(grid)
        column.addWidget(self.message)
        self._enable_actions(False)
        return column

    def _action_list(self) -> list[tuple[str, str, object]]:
        return [("edit", self.tr("Edit details"), self.edit),
                ("replace_card", self.tr("Block card, issue new"), self.replace_card),
                ("adjust", self.tr("Adjust points"), self.adjust_points),
                ("marketing", self.tr("Marketing on/off"), self.toggle_marketing),
                ("print_card", self.tr("Print card (PDF)"), self.print_card),
                ("ecard", self.tr("Electronic card"), self.electronic_card),
                ("history", self.tr("History"), self.history),
                ("merge", self.tr("Merge duplicate…"), self.merge),
                ("export", self.tr("Export data (privacy)"), self.export_data),
                ("erase", self.tr("Erase (privacy)…"), self.erase)]

    def _enable_actions(self, enabled: bool) -> None:
        for button in self.actions.values():
            button.setEnabled(enabled)

    # -- finding ---------------------------------------------------------------------------

    def search(self, text: str) -> None:
        self.results.clear()
        text = text.strip()
        if not text:
            return
        try:
            found = self._find(text)
        except LoyaltyError as exc:
            self.message.error(str(exc))
            return
        for member in found:
            item = QListWidgetItem(f"{member.name}   {member.phone or ''}   "
                                   f"{member.card_number or ''}")
            item.setData(Qt.ItemDataRole.UserRole, member)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)

    def _find(self, text: str) -> list[MemberSummary]:
        if len(text) == 13 and text.isdigit() and text.startswith("2"):
            return [self.services.finder.by_card(text, date.today())]
        return self.services.finder.search(text, date.today())

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.show_member(item.data(Qt.ItemDataRole.UserRole).id)

    def show_member(self, member_id: int) -> None:
        try:
            self.details = self.services.members.details(member_id)
        except LoyaltyError as exc:
            self.message.error(str(exc))
            return
        self.card.setHtml(self._html(self.details))
        self._enable_actions(self.details.summary.status == "active")

    def _word(self, value: str) -> str:
        """Stored codes as words in the current language."""
        words = {"active": self.tr("active"), "suspended": self.tr("suspended"),
                 "erased": self.tr("erased"), "merged": self.tr("merged"),
                 "blocked": self.tr("blocked"), "member_agreement": self.tr("Member agreement"),
                 "privacy": self.tr("Privacy statement"), "marketing": self.tr("Marketing"),
                 "opted in": self.tr("opted in"), "withdrawn": self.tr("withdrawn")}
        if value.startswith("accepted "):
            return self.tr("accepted {version}").format(version=value.split(" ", 1)[1])
        return words.get(value, value)

    def _html(self, d: MemberDetails) -> str:
        s = d.summary
        consents = "<br>".join(f"{self._word(kind)}: {self._word(state)}"
                               for kind, state in d.consents.items())
        cards = "<br>".join(f"{number} — {self._word(status)}" for number, status in d.cards)
        rows = [(self.tr("Phone"), s.phone or "—"), (self.tr("Email"), d.email or "—"),
                (self.tr("Birthday"), d.birthday.isoformat() if d.birthday else "—"),
                (self.tr("Status"), self._word(s.status)), (self.tr("Tier"), d.tier_name),
                (self.tr("Points"), f"{s.points_balance:,}"),
                (self.tr("Stored value"), money(s.stored_value_balance, self.symbol)),
                (self.tr("Soonest expiry"), f"{s.soonest_expiry_points} / {s.soonest_expiry}"
                 if s.soonest_expiry else "—"),
                (self.tr("Referral code"), d.referral_code),
                (self.tr("Consents"), consents), (self.tr("Cards"), cards),
                (self.tr("Notes"), d.notes or "—")]
        body = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
        why = self.tr("Why this tier: {reason}").format(reason=d.tier_reason)
        return f"<h2>{s.name}</h2><p><i>{why}</i></p><table cellpadding='4'>{body}</table>"

    # -- operations ------------------------------------------------------------------------

    def _run(self, name: str, job, done=None) -> None:
        """Writes go to the worker; the member is shown again when they are done."""
        def finished(result: object) -> None:
            if isinstance(result, MemberDetails):
                self.details = result
                self.card.setHtml(self._html(result))
                self._enable_actions(result.summary.status == "active")
                self.member_changed.emit(result)
            if done:
                done(result)

        self.worker.submit(name, job, finished, lambda e: self.message.error(str(e)))

    def enrol(self) -> None:
        dialog = EnrolDialog(self, self.services, self.manager.id)
        dialog.open_existing.connect(lambda m: self.show_member(m.id))
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.enrolment is None:
            return
        request = dialog.enrolment
        self._run("enrol", lambda: self.services.members.enrol(request),
                  lambda d: self.message.info(self.tr("Enrolled {name}; card {card}.").format(
                      name=d.summary.name, card=d.summary.card_number)))

    def edit(self) -> None:
        if self.details is None:
            return
        dialog = MemberEditDialog(self, self.details)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        member_id, staff_id, values = self.details.summary.id, self.manager.id, dialog.values
        self._run("edit member", lambda: self.services.members.update(
            member_id, staff_id, **values), lambda _d: self.message.info(self.tr("Saved.")))

    def replace_card(self) -> None:
        if self.details is None or not self.details.summary.card_number:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Block card"), self.tr(
            "Why is card {card} blocked (lost, stolen, damaged)?").format(
            card=self.details.summary.card_number))
        if not ok:
            return
        card, staff_id = self.details.summary.card_number, self.manager.id
        self._run("replace card", lambda: self.services.members.block_and_replace_card(
            card, reason, staff_id), lambda d: self.message.info(self.tr(
                "Card {old} blocked; new card {new}. Balances stay with the member.").format(
                old=card, new=d.summary.card_number)))

    def adjust_points(self) -> None:
        if self.details is None:
            return
        points, ok = QInputDialog.getInt(self, self.tr("Adjust points"),
                                         self.tr("Points to add (negative to take away)"),
                                         0, -1_000_000, 1_000_000)
        if not ok or points == 0:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Adjust points"), self.tr("Reason"))
        if not ok:
            return
        member_id, manager_id = self.details.summary.id, self.manager.id
        self._run("adjust points", lambda: self.services.balances.adjust_points(
            member_id, points, reason, manager_id),
            lambda _s: self.show_member(member_id))

    def toggle_marketing(self) -> None:
        if self.details is None:
            return
        opted_in = self.details.consents.get("marketing") == "opted in"
        member_id, staff_id = self.details.summary.id, self.manager.id
        self._run("marketing", lambda: self.services.members.set_marketing(
            member_id, not opted_in, staff_id))

    # -- cards -----------------------------------------------------------------------------

    def _file_made(self, path: object) -> None:
        self.last_file = Path(str(path))
        self.message.info(self.tr("Saved {path}").format(path=path))
        self.file_made.emit(str(path))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def print_card(self) -> None:
        if self.details is None:
            return
        member_id = self.details.summary.id
        path = self.services.output_dir("cards") / f"card-{self.details.summary.card_number}.pdf"
        self.worker.submit("card pdf", lambda: self.services.cards.write_card_pdf(member_id, path),
                           self._file_made, lambda e: self.message.error(str(e)))

    def electronic_card(self) -> None:
        if self.details is None:
            return
        member_id, number = self.details.summary.id, self.details.summary.card_number
        folder = self.services.output_dir("cards")

        def job() -> Path:
            self.services.cards.write_ecard_png(member_id, folder / f"ecard-{number}.png")
            return self.services.cards.write_ecard_page(member_id, folder / f"ecard-{number}.pdf")

        self.worker.submit("e-card", job, self._file_made, lambda e: self.message.error(str(e)))

    def card_sheet(self) -> None:
        ids = [self.results.item(i).data(Qt.ItemDataRole.UserRole).id
               for i in range(self.results.count())]
        if not ids:
            self.message.error(self.tr("Search for the members whose cards to print first."))
            return
        path = self.services.output_dir("cards") / "card-sheet.pdf"
        self.worker.submit("card sheet", lambda: self.services.cards.write_card_sheet(ids, path),
                           self._file_made, lambda e: self.message.error(str(e)))

    # -- history, merge, privacy -----------------------------------------------------------

    def history(self) -> None:
        if self.details is None:
            return
        try:
            history = self.services.member_admin.history(self.details.summary.id)
        except LoyaltyError as exc:
            self.message.error(str(exc))
            return
        self.history_dialog = HistoryDialog(self, history, self.symbol)
        self.history_dialog.exec()

    def merge(self) -> None:
        if self.details is None:
            return
        dialog = MergeDialog(self, self.services, self.details)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.other is None:
            return
        keep, other, manager = self.details.summary.id, dialog.other.id, self.manager.id
        reason = dialog.reason.text()
        self._run("merge", lambda: self.services.member_admin.merge(keep, other, manager, reason),
                  lambda d: self.message.info(self.tr("Merged into {name}.").format(
                      name=d.summary.name)))

    def export_data(self) -> None:
        if self.details is None:
            return
        member_id = self.details.summary.id
        folder = self.services.output_dir("exports")
        admin = self.services.member_admin

        def job() -> Path:
            admin.write_export_json(member_id, folder / f"member-{member_id}.json")
            return admin.write_export_pdf(member_id, folder / f"member-{member_id}.pdf")

        self.worker.submit("export member", job, self._file_made,
                           lambda e: self.message.error(str(e)))

    def erase(self) -> None:
        if self.details is None:
            return
        dialog = EraseDialog(self, self.details)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        member_id, manager, reason = self.details.summary.id, self.manager.id, dialog.reason.text()
        self.worker.submit("erase", lambda: self.services.member_admin.erase(
            member_id, manager, reason), lambda _r: self._erased(member_id),
            lambda e: self.message.error(str(e)))

    def _erased(self, member_id: int) -> None:
        self.results.clear()
        self.show_member(member_id)
        self.message.info(self.tr("Personal data erased."))
        if self.details is not None:
            self.member_changed.emit(self.details)

    # -- CSV -------------------------------------------------------------------------------

    def import_csv(self) -> None:
        self.import_dialog = ImportDialog(self, self.services, self.worker, self.manager.id)
        self.import_dialog.exec()

    def export_csv(self) -> None:
        path = self.services.output_dir("exports") / "members.csv"
        ctx = self.services.ctx
        self.worker.submit("export csv", lambda: (member_io.export_members_csv(ctx, path), path)[1],
                           self._file_made, lambda e: self.message.error(str(e)))
