"""The manager's reports: the day (Z) report as PDF and CSV, member statements, liability over
time, tier distribution, top members and the overview PDF with charts."""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from loyalty_pos.core.errors import InvalidInput, NotFound
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.manager_reports import LiabilityPoint, ManagerReportService
from loyalty_pos.services.program import ProgramService
from loyalty_pos.services.refunds import RefundRequest


def pdf_text(path: Path) -> list[str]:
    """Every page's text, one entry per line (pypdfium2 keeps the visual lines)."""
    document = pdfium.PdfDocument(str(path))
    try:
        lines: list[str] = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            lines += textpage.get_text_range().replace("\r\n", "\n").split("\n")
            textpage.close()
            page.close()
        return lines
    finally:
        document.close()


def refund_all(till, sale_id: str, lines: dict[int, int] | None = None) -> None:  # type: ignore[no-untyped-def]
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, till.cashier_id, lines))


def known_day(till) -> int:  # type: ignore[no-untyped-def]
    """One day's trading with round figures (see the expected report in the tests)."""
    ann = till.enrol("Ann Lee").summary.id
    till.balances.top_up(ann, 10_000, "cash", till.cashier_id)
    till.balances.top_up(ann, 5_000, "card", till.cashier_id, reference="T-1")
    bread = till.sell([("BREAD", 2)], ann)                  # 20.00 cash, earns 20
    till.sell([("APPLE", 4)])                               # 10.00 cash, no member
    till.sell([("TEA", 1)], ann, payments=[PaymentRequest("stored_value", 3333)])  # earns 33
    refund_all(till, bread.sale_id)                         # 20.00 cash back, takes back 20
    return ann


EXPECTED_DAY_LINES = [
    "Sales (receipts) 3", "Gross sales ¥63.33", "Discounts ¥0.00", "Sales total ¥63.33",
    "Refunds (1) -¥20.00", "Net sales ¥43.33",
    "Cash ¥30.00 -¥20.00 ¥10.00", "Stored value ¥33.33 ¥0.00 ¥33.33",
    "Total ¥63.33 -¥20.00 ¥43.33",
    "Sales ¥30.00 ¥0.00", "Refunds -¥20.00 ¥0.00", "Stored-value top-ups ¥100.00 ¥50.00",
    "Expected ¥110.00 ¥50.00",
    "Issued 53", "Redeemed 0", "Expired 0", "Taken back by refunds -20", "Net change +33",
    "Top-ups in ¥150.00", "Paid with stored value -¥33.33", "Net change +¥116.67",
    "Points outstanding 33 pts", "Stored value outstanding ¥116.67", "Total liability ¥117.00",
]


def test_day_report_pdf_shows_the_days_figures(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    known_day(till)
    reports = ManagerReportService(till.ctx)
    document = reports.day_report(till.clock.today, "till")
    assert (document.expected_cash, document.expected_card) == (11_000, 5_000)
    path = reports.write_day_report_pdf(till.clock.today, "till", tmp_path / "z.pdf")
    lines = pdf_text(path)
    assert "Day report (Z) – Tuesday 10 March 2026" in lines
    assert "High Street (S001)" in lines
    missing = [line for line in EXPECTED_DAY_LINES if line not in lines]
    assert missing == [], lines
    with pytest.raises(InvalidInput):
        reports.day_report(till.clock.today, "chain")


def test_day_report_csv_parses_back(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    known_day(till)
    path = ManagerReportService(till.ctx).write_day_report_csv(till.clock.today, "store",
                                                               tmp_path / "z.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["section", "item", "unit", "value"]
    values = {(r["section"], r["item"]): r["value"] for r in rows}
    assert values[("report", "day")] == "2026-03-10"
    assert values[("report", "scope")] == "Store S001, all tills"
    assert values[("sales", "sales")] == "3"
    assert (values[("tills", "till 7 sales")], values[("tills", "till 7 refunds total")]) == (
        "3", "20.00")
    assert values[("sales", "sales total")] == "63.33"
    assert values[("sales", "refunds total")] == "20.00"
    assert values[("payments", "cash net")] == "10.00"
    assert values[("payments", "stored_value taken")] == "33.33"
    assert values[("top-ups", "card")] == "50.00"
    assert values[("drawer", "expected cash")] == "110.00"
    assert values[("points", "issued")] == "53"
    assert values[("points", "refund_clawback")] == "-20"
    assert values[("stored value", "out")] == "33.33"
    assert values[("liability", "points outstanding")] == "33"
    assert values[("liability", "total")] == "117.00"
    money = [r for r in rows if r["unit"] == "money"]
    assert money and all(r["value"].replace("-", "").replace(".", "").isdigit()
                         for r in money)


def test_member_statement_running_balances_end_at_the_cached_balance(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ProgramService(till.ctx).update_rules(till.manager_id, points_expiry_months=1)
    first_day = till.clock.today
    ann = till.enrol("王小明").summary.id
    till.balances.top_up(ann, 5_000, "cash", till.cashier_id)
    tea = till.sell([("TEA", 3)], ann)                        # 99 points
    till.clock.advance(days=2)
    till.sell([("BREAD", 1)], ann, points=50,                 # redeem 50, earn 9
              payments=[PaymentRequest("stored_value", 950)])
    till.clock.advance(days=2)
    tea_line = till.refunds.sale_for_refund(tea.receipt_code).lines[0][0]
    refund_all(till, tea.sale_id, {tea_line: 1})             # takes back 33, 33.33 cash
    till.clock.advance(days=1)
    till.balances.adjust_points(ann, 10, "welcome gift", till.manager_id)  # 99-50+9-33+10 = 35
    cached = till.members.details(ann).summary

    reports = ManagerReportService(till.ctx)
    statement = reports.member_statement(ann, first_day + timedelta(days=1), till.clock.today)
    assert (statement.opening_points, statement.opening_stored_value) == (99, 5_000)
    assert [line.kind for line in statement.lines] == ["redeem", "pay", "earn",
                                                       "refund_clawback", "adjust"]
    points, stored = statement.opening_points, statement.opening_stored_value
    for line in statement.lines:  # every running balance follows from the one before
        points, stored = points + line.points, stored + line.stored_value
        assert (line.points_balance, line.stored_value_balance) == (points, stored)
    assert (statement.lines[-1].points_balance, statement.lines[-1].stored_value_balance) == (
        cached.points_balance, cached.stored_value_balance) == (35, 4_050)
    assert (statement.closing_points, statement.closing_stored_value) == (35, 4_050)
    assert statement.lines[3].description.startswith("Taken back by refund R007")
    assert statement.lines[4].description == "Manager adjustment: welcome gift"
    # lots expire a month after they were earned: all inside the next 90 days
    assert statement.expiring_total == cached.points_balance
    assert statement.expiring[0].expires_on == first_day.replace(month=first_day.month + 1)

    whole = reports.member_statement(ann, first_day, till.clock.today)
    assert (whole.opening_points, whole.opening_stored_value) == (0, 0)
    assert whole.closing_points == 35 and len(whole.lines) == 7

    path = reports.write_member_statement_pdf(ann, first_day, till.clock.today,
                                              tmp_path / "statement.pdf")
    text = pdf_text(path)
    assert "Member statement – 王小明" in text
    assert any(line.startswith("Closing balance") and " 35 " in line and "¥40.50" in line
               for line in text), text
    with pytest.raises(NotFound):
        reports.member_statement(9999, first_day, first_day)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        reports.member_statement(ann, till.clock.today, first_day)


def test_liability_series_carries_days_and_ends_at_the_sum_of_balances(till) -> None:  # type: ignore[no-untyped-def]
    day0 = till.clock.today
    ann = till.enrol("Ann Lee").summary.id
    bob = till.enrol("Bob Brown").summary.id
    till.balances.top_up(ann, 10_000, "cash", till.cashier_id)
    till.sell([("TEA", 1)], ann)                                        # 33 points
    till.clock.advance(days=2)
    till.balances.top_up(bob, 2_000, "card", till.cashier_id, reference="T-9")
    till.sell([("BREAD", 1)], bob, payments=[PaymentRequest("stored_value", 1_000)])  # 10

    reports = ManagerReportService(till.ctx)
    series = reports.liability_series(day0 - timedelta(days=1), day0 + timedelta(days=3))
    assert series == [
        LiabilityPoint(day0 - timedelta(days=1), 0, 0, 0),
        LiabilityPoint(day0, 33, 33, 10_000),
        LiabilityPoint(day0 + timedelta(days=1), 33, 33, 10_000),   # no movement: carried
        LiabilityPoint(day0 + timedelta(days=2), 43, 43, 11_000),
        LiabilityPoint(day0 + timedelta(days=3), 43, 43, 11_000),
    ]
    points, stored = till.rows("SELECT sum(points_balance), sum(stored_value_balance) "
                               "FROM members")[0]
    assert series[-1][1:] == (points, points, stored)
    # a period starting later opens with everything before it
    assert reports.liability_series(day0 + timedelta(days=1), day0 + timedelta(days=1)) == [
        LiabilityPoint(day0 + timedelta(days=1), 33, 33, 10_000)]


def test_tier_distribution_and_top_members(till) -> None:  # type: ignore[no-untyped-def]
    ann, bob, cat, gone = (till.enrol(name).summary.id
                           for name in ("Ann Lee", "Bob Brown", "Cat Chen", "Gone Member"))
    tea = till.sell([("TEA", 3)], ann)
    till.sell([("BREAD", 1)], bob)
    till.sell([("TV", 1)], cat)                                    # 1,500.00: silver
    till.sell([("TV", 2)], gone)
    tea_line = till.refunds.sale_for_refund(tea.receipt_code).lines[0][0]
    refund_all(till, tea.sale_id, {tea_line: 1})
    connection = till.raw()
    connection.execute("UPDATE members SET status = 'erased' WHERE id = ?", (gone,))
    connection.close()

    reports = ManagerReportService(till.ctx)
    assert reports.tier_distribution() == {"basic": 2, "silver": 1, "gold": 0, "platinum": 0}
    today = till.clock.today
    top = reports.top_members(2, today, today)
    assert [(t.member.name, t.spend, t.points) for t in top] == [
        ("Cat Chen", 150_000, 1500), ("Ann Lee", 6_666, 99)]
    assert reports.top_members(5, today + timedelta(days=1), today + timedelta(days=2)) == []
    with pytest.raises(InvalidInput):
        reports.top_members(0, today, today)


def test_overview_pdf_renders_charts(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    day0 = till.clock.today
    names = ["王小明", "Ann Lee", "Bob Brown"]
    members = [till.enrol(name).summary.id for name in names]
    for offset, member in enumerate(members):
        till.balances.top_up(member, 5_000 * (offset + 1), "cash", till.cashier_id)
        till.sell([("TEA", offset + 1)], member)
        till.clock.advance(days=1)
    path = ManagerReportService(till.ctx).write_overview_pdf(tmp_path / "overview.pdf", day0,
                                                             till.clock.today)
    text = pdf_text(path)
    assert "Loyalty overview" in text
    assert any("王小明" in line for line in text)           # the top members table
    document = pdfium.PdfDocument(str(path))
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    inked = sum(count for level, count in enumerate(image.histogram()) if level < 200)
    assert inked > 0.03 * image.width * image.height  # charts, not a blank page
