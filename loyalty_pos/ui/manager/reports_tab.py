"""Reports tab: day (Z) report, member statement, and an overview with charts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...cards import charts
from ...core.errors import LoyaltyError
from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import MessageBar
from ..worker import DbWorker


def _date_edit(parent: QWidget, days_back: int) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate().addDays(-days_back), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class ReportsTab(QWidget):
    file_made = Signal(str)
    charts_shown = Signal()
    open_files = True

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.message = MessageBar(self)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self._day_box())
        row.addWidget(self._statement_box())
        layout.addLayout(row)
        layout.addWidget(self._overview_box(), 1)
        layout.addWidget(self.message)

    # -- day report ------------------------------------------------------------------------

    def _day_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Day report (Z report)"), self)
        grid = QGridLayout(box)
        self.day = _date_edit(box, 0)
        self.scope = QComboBox(box)
        self.scope.setObjectName("reportScope")
        self.scope.addItem(self.tr("This till"), "till")
        self.scope.addItem(self.tr("Whole store"), "store")
        pdf = QPushButton(self.tr("PDF"), box)
        pdf.setObjectName("dayReportPdf")
        pdf.clicked.connect(lambda: self.day_report("pdf"))
        csv = QPushButton(self.tr("CSV"), box)
        csv.setObjectName("dayReportCsv")
        csv.clicked.connect(lambda: self.day_report("csv"))
        grid.addWidget(QLabel(self.tr("Day"), box), 0, 0)
        grid.addWidget(self.day, 0, 1)
        grid.addWidget(self.scope, 0, 2)
        grid.addWidget(pdf, 1, 1)
        grid.addWidget(csv, 1, 2)
        return box

    def day_report(self, kind: str) -> None:
        day, scope = self.day.date().toPython(), self.scope.currentData()
        path = self.services.output_dir("reports") / f"day-report-{scope}-{day}.{kind}"
        reports = self.services.manager_reports
        write = reports.write_day_report_pdf if kind == "pdf" else reports.write_day_report_csv
        self._write("day report", lambda: write(day, scope, path))

    # -- member statement ------------------------------------------------------------------

    def _statement_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Member statement"), self)
        grid = QGridLayout(box)
        self.statement_member = QLineEdit(box)
        self.statement_member.setObjectName("statementMember")
        self.statement_member.setPlaceholderText(self.tr("card number or phone"))
        self.statement_since = _date_edit(box, 90)
        self.statement_until = _date_edit(box, 0)
        pdf = QPushButton(self.tr("Statement PDF"), box)
        pdf.setObjectName("statementPdf")
        pdf.clicked.connect(self.statement)
        grid.addWidget(self.statement_member, 0, 0, 1, 2)
        grid.addWidget(self.statement_since, 1, 0)
        grid.addWidget(self.statement_until, 1, 1)
        grid.addWidget(pdf, 2, 1)
        return box

    def statement(self) -> None:
        text = self.statement_member.text().strip()
        try:
            found = (self.services.finder.by_card(text, date.today())
                     if len(text) == 13 else self.services.finder.search(text, date.today())[0])
        except (LoyaltyError, IndexError):
            self.message.error(self.tr("No member found for {text}.").format(text=text))
            return
        since = self.statement_since.date().toPython()
        until = self.statement_until.date().toPython()
        path = self.services.output_dir("reports") / f"statement-{found.id}-{until}.pdf"
        self._write("statement", lambda: self.services.manager_reports.write_member_statement_pdf(
            found.id, since, until, path))

    # -- overview with charts --------------------------------------------------------------

    def _overview_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Overview: liability, tiers, top members"), self)
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.overview_since = _date_edit(box, 90)
        self.overview_until = _date_edit(box, 0)
        show = QPushButton(self.tr("Show charts"), box)
        show.setObjectName("showCharts")
        show.clicked.connect(self.show_charts)
        pdf = QPushButton(self.tr("Overview PDF"), box)
        pdf.setObjectName("overviewPdf")
        pdf.clicked.connect(self.overview_pdf)
        for widget in (self.overview_since, self.overview_until, show, pdf):
            row.addWidget(widget)
        row.addStretch(1)
        column.addLayout(row)
        pictures = QWidget(box)
        grid = QGridLayout(pictures)
        self.chart_labels = [QLabel(pictures) for _ in range(3)]
        for index, label in enumerate(self.chart_labels):
            label.setObjectName(f"chart{index}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, index // 2, index % 2)
        scroll = QScrollArea(box)
        scroll.setWidgetResizable(True)
        scroll.setWidget(pictures)
        column.addWidget(scroll, 1)
        return box

    def _period(self) -> tuple[date, date]:
        return self.overview_since.date().toPython(), self.overview_until.date().toPython()

    def show_charts(self) -> None:
        since, until = self._period()
        reports = self.services.manager_reports

        def job() -> list[bytes]:  # worker thread: queries and matplotlib, no widgets
            data = reports.overview(since, until)
            return [charts.liability_chart(data.liability, data.currency_symbol),
                    charts.tier_chart([(name, n) for _, name, n in data.tiers]),
                    charts.top_members_chart([(t.member.name, t.spend)
                                              for t in data.top_members],
                                             data.currency_symbol)]

        self.worker.submit("charts", job, self._charts_ready, self._failed)

    def _charts_ready(self, images: list[bytes]) -> None:
        for label, png in zip(self.chart_labels, images, strict=True):
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            label.setPixmap(pixmap.scaledToWidth(560, Qt.TransformationMode.SmoothTransformation))
        self.charts_shown.emit()

    def overview_pdf(self) -> None:
        since, until = self._period()
        path = self.services.output_dir("reports") / f"overview-{since}-{until}.pdf"
        self._write("overview", lambda: self.services.manager_reports.write_overview_pdf(
            path, since, until))

    # -- shared ----------------------------------------------------------------------------

    def _write(self, name: str, job) -> None:
        self.worker.submit(name, job, self._written, self._failed)

    def _written(self, path: object) -> None:
        self.message.info(self.tr("Saved {path}").format(path=path))
        self.file_made.emit(str(path))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _failed(self, error: Exception) -> None:
        self.message.error(str(error))
