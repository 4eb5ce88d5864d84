"""Members from and to CSV: mapping suggestions, all-or-nothing import with a per-row report,
cancel, encodings and delimiters, a 10,000-row import and the export round trip."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from loyalty_pos.core.ean import make_card_number
from loyalty_pos.core.errors import InvalidInput, PermissionDenied
from loyalty_pos.services.member_admin import MemberAdminService
from loyalty_pos.services.member_io import (
    export_members_csv,
    import_members_csv,
    read_csv,
    suggest_mapping,
)

Snapshot = Callable[[], dict[str, object]]

ENGLISH = ["Full Name", "Mobile Phone No.", "E-mail", "Date of Birth", "Remarks",
           "Points Balance", "Prepaid Balance", "Card No"]
CHINESE = ["姓名", "手机号", "邮箱", "生日", "备注", "积分", "储值余额(元)", "会员卡号"]


def write_csv(path: Path, header: list[str], rows: list[list[object]], *,
              delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(till, path: Path, mapping: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    if mapping is None:
        mapping = suggest_mapping(read_csv(path)[0])
    kwargs.setdefault("staff_id", till.manager_id)
    kwargs.setdefault("consent_confirmed", True)
    return import_members_csv(till.ctx, path, mapping, **kwargs)


# --------------------------------------------------------------------------------------------
# mapping


def test_suggest_mapping_for_english_and_chinese_headers() -> None:
    fields = ["name", "phone", "email", "birthday", "notes", "points", "stored_value",
              "card_number"]
    assert suggest_mapping(ENGLISH) == dict(zip(fields, ENGLISH, strict=True))
    assert suggest_mapping(CHINESE) == dict(zip(fields, CHINESE, strict=True))
    assert suggest_mapping(["会员姓名", "电话", "积分余额", "余额", "出生日期"]) == {
        "name": "会员姓名", "phone": "电话", "points": "积分余额", "stored_value": "余额",
        "birthday": "出生日期"}
    assert suggest_mapping(["Name", "Phone", "Email", "Stored value", "Points", "Tier",
                            "Member number", "手机"]) == {
        "name": "Name", "phone": "Phone", "email": "Email", "stored_value": "Stored value",
        "points": "Points"}
    assert suggest_mapping(["Customer name", "Cell phone", "Email address", "Balance"]) == {
        "name": "Customer name", "phone": "Cell phone", "email": "Email address",
        "stored_value": "Balance"}
    assert suggest_mapping(["colour", ""]) == {}


# --------------------------------------------------------------------------------------------
# a good file


def test_good_file_imports_with_opening_balances(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    elsewhere = make_card_number(9, 5)     # another till's card, not in use here
    own = make_card_number(7, 50)          # this till's range: later cards must skip it
    path = write_csv(tmp_path / "members.csv", ENGLISH, [
        ["Ann Lee", "139 0000 0001", "ann@example.com", "1990-03-05", "likes tea", "1,200",
         "50.5", elsewhere],
        ["王小明", "+86 139-0000-0002", "", "1985/12/01", "", "0", "", own],
        ["Bob Stone", "", "BOB@example.com", "25/12/1970", "", "", "¥1,000.00", ""],
        ["", "", "", "", "", "", "", ""],  # a blank line is skipped
        ["Cy Dee", "13900000004", "", "1980年2月29日", "", "30", "0.99", ""],
    ])
    calls: list[tuple[int, int]] = []
    report = run_import(till, path, progress=lambda done, total: calls.append((done, total)))

    assert report.ok, report.problems
    assert (report.rows, report.imported) == (4, 4)
    assert (report.points_total, report.stored_value_total) == (1230, 5050 + 100_000 + 99)
    assert calls[-1] == (8, 8)
    members = till.rows("SELECT id, name, phone, email, birthday, notes, points_balance, "
                        "stored_value_balance, status, tier_code FROM members ORDER BY id")
    assert [row[1:] for row in members] == [
        ("Ann Lee", "13900000001", "ann@example.com", "1990-03-05", "likes tea", 1200, 5050,
         "active", "basic"),
        ("王小明", "8613900000002", None, "1985-12-01", "", 0, 0, "active", "basic"),
        ("Bob Stone", None, "bob@example.com", "1970-12-25", "", 0, 100_000, "active", "basic"),
        ("Cy Dee", "13900000004", None, "1980-02-29", "", 30, 99, "active", "basic")]
    ids = [row[0] for row in members]
    assert report.first_member_id == ids[0]

    entries = till.rows("SELECT ledger, kind, amount, expires_on FROM ledger_entries "
                        "ORDER BY seq")
    assert entries == [
        ("points", "opening_balance", 1200, "2027-03-10"),
        ("stored_value", "opening_balance", 5050, None),
        ("stored_value", "opening_balance", 100_000, None),
        ("points", "opening_balance", 30, "2027-03-10"),
        ("stored_value", "opening_balance", 99, None)]
    assert till.rows("SELECT expires_on, points, remaining FROM point_lots ORDER BY points") == [
        ("2027-03-10", 30, 30), ("2027-03-10", 1200, 1200)]
    cards = dict(till.rows("SELECT member_id, number FROM cards"))
    assert cards[ids[0]] == elsewhere and cards[ids[1]] == own
    assert len(set(cards.values())) == 4
    consents = till.rows("SELECT member_id, kind, action FROM consents ORDER BY id")
    assert len(consents) == 8 and {c[1] for c in consents} == {"member_agreement", "privacy"}
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'member'") == 4
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'consent'") == 8
    details = till.scalar("SELECT details FROM audit_log WHERE action = 'members_imported'")
    assert json.loads(details)["members"] == 4
    assert till.problems() == {}

    # the members are like any others: search, sell, redeem; new cards skip the imported ones
    assert till.members.details(ids[1]).summary.card_number == own
    new = till.enrol("After Import", phone="13900000999").summary
    assert new.card_number == make_card_number(7, 53)  # 51 and 52 went to Bob and Cy
    sale = till.sell([("TEA", 1)], ids[0], points=1000)
    assert sale.points_redeemed == 1000
    assert till.problems() == {}


def test_semicolon_delimiter_and_byte_order_mark(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "excel.csv", CHINESE, [
        ["李雷", "13900000011", "li@example.com", "1999-09-09", "VIP; 老客户", "88", "12,50",
         ""],
    ], delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    header, _ = read_csv(path)
    assert header == CHINESE  # the BOM is not part of the first header
    report = run_import(till, path)
    # "12,50" (a decimal comma) is refused, not read as 1250.00
    assert [(p.row, p.field) for p in report.problems] == [(2, "stored_value")]
    assert "use a dot for decimals" in report.problems[0].message
    path = write_csv(tmp_path / "excel.csv", CHINESE, [
        ["李雷", "13900000011", "li@example.com", "1999-09-09", "VIP; 老客户", "88", "12.50",
         ""],
    ], delimiter=";", encoding="utf-8-sig")
    report = run_import(till, path)
    assert report.ok, report.problems
    assert till.rows("SELECT name, notes, points_balance, stored_value_balance FROM members") == [
        ("李雷", "VIP; 老客户", 88, 1250)]


def test_gb18030_file_from_chinese_excel(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "gbk.csv", ["姓名", "手机"], [["韩梅梅", "13900000021"]],
                     encoding="gb18030")
    report = run_import(till, path)
    assert report.ok and till.scalar("SELECT name FROM members") == "韩梅梅"


# --------------------------------------------------------------------------------------------
# bad rows, refusals, cancel


def test_bad_rows_import_nothing_and_every_problem_is_reported(till, tmp_path,  # type: ignore[no-untyped-def]
                                                               snapshot: Snapshot) -> None:
    existing = till.enrol("Old Member", phone="13900000100", email="old@example.com").summary
    header = ["Name", "Phone", "Email", "Birthday", "Points", "Stored value", "Card number"]
    good = ["Good Row", "13900000200", "", "", "10", "1.00", ""]
    path = write_csv(tmp_path / "bad.csv", header, [
        good,                                                                       # row 2
        ["Bad Phone", "12ab", "", "", "", "", ""],                                  # 3
        ["Bad Email", "", "not-an-email", "", "", "", ""],                          # 4
        ["Ambiguous", "13900000201", "", "03/04/1990", "", "", ""],                 # 5
        ["Not A Date", "13900000202", "", "2001-02-30", "", "", ""],                # 6
        ["Future", "13900000203", "", "2099-01-01", "", "", ""],                    # 7
        ["Same Phone", "13900000200", "", "", "", "", ""],                          # 8
        ["Existing", "13900000100", "", "", "", "", ""],                            # 9
        ["Existing Mail", "", "OLD@example.com", "", "", "", ""],                   # 10
        ["Negative", "13900000204", "", "", "-5", "-1.00", ""],                     # 11
        ["Fraction", "13900000205", "", "", "2.5", "12.345", ""],                   # 12
        ["Bad Card", "13900000206", "", "", "", "", "2900700000012"],               # 13
        ["Card In Use", "13900000207", "", "", "", "", existing.card_number],        # 14
        ["No Contact", "", "", "", "", "", ""],                                     # 15
        ["", "13900000208", "", "", "", "", ""],                                    # 16
        ["Too Rich", "13900000209", "", "", "", "5000.01", ""],                     # 17
    ])
    before = snapshot()
    report = run_import(till, path)
    assert snapshot() == before
    assert not report.ok and report.imported == 0 and not report.cancelled
    found = [(p.row, p.field) for p in report.problems]
    assert found == [
        (3, "phone"), (4, "email"), (5, "birthday"), (6, "birthday"), (7, "birthday"),
        (8, "phone"), (9, "phone"), (10, "email"), (11, "points"), (11, "stored_value"),
        (12, "points"), (12, "stored_value"), (13, "card_number"), (14, "card_number"),
        (15, "phone"), (16, "name"), (17, "stored_value")]
    messages = {(p.row, p.field): p.message for p in report.problems}
    assert "day/month or month/day" in messages[(5, "birthday")]
    assert "not a real date" in messages[(6, "birthday")]
    assert "not plausible" in messages[(7, "birthday")]
    assert messages[(8, "phone")] == "same phone number as row 2"
    assert messages[(9, "phone")] == f"member {existing.id} already has this phone number"
    assert messages[(10, "email")] == f"member {existing.id} already has this email address"
    assert "negative" in messages[(11, "points")] and "negative" in messages[(11, "stored_value")]
    assert "whole number" in messages[(12, "points")]
    assert "up to 2 decimals" in messages[(12, "stored_value")]
    assert "check digit" in messages[(13, "card_number")]
    assert messages[(14, "card_number")] == f"member {existing.id} already has this card number"
    assert "phone number or an email" in messages[(15, "phone")]
    assert "name is required" in messages[(16, "name")]
    assert "above the stored value maximum" in messages[(17, "stored_value")]
    assert str(report.problems[0]).startswith("row 3, phone: ")


def test_refusals_before_anything_is_read_or_written(till, tmp_path, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "ok.csv", ["Name", "Phone"], [["Ann", "13900000001"]])
    before = snapshot()
    with pytest.raises(InvalidInput, match="accepted the current member agreement"):
        run_import(till, path, consent_confirmed=False)
    with pytest.raises(PermissionDenied, match="not a manager"):
        run_import(till, path, staff_id=till.cashier_id)
    with pytest.raises(InvalidInput, match="has no column 'Mobile'"):
        run_import(till, path, {"name": "Name", "phone": "Mobile"})
    with pytest.raises(InvalidInput, match="unknown field"):
        run_import(till, path, {"name": "Name", "phone": "Phone", "colour": "Name"})
    with pytest.raises(InvalidInput, match="phone number or the email"):
        run_import(till, path, {"name": "Name"})
    with pytest.raises(InvalidInput, match="cannot read"):
        run_import(till, tmp_path / "missing.csv", {"name": "Name"})
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InvalidInput, match="is empty"):
        run_import(till, tmp_path / "empty.csv", {"name": "Name"})
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(InvalidInput, match="not text"):
        run_import(till, tmp_path / "binary.csv", {"name": "Name"})
    assert snapshot() == before


def many_rows(count: int, start: int = 0) -> list[list[object]]:
    return [[f"Member {n:05d}", f"139{n:08d}", f"m{n}@example.com", "1990-01-01", "",
             n % 500, f"{n % 300}.{n % 100:02d}", ""] for n in range(start, start + count)]


def test_cancel_mid_import_leaves_the_database_unchanged(till, tmp_path,  # type: ignore[no-untyped-def]
                                                         snapshot: Snapshot) -> None:
    path = write_csv(tmp_path / "big.csv", ENGLISH, many_rows(2000))
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done > total // 2 + 500:  # half way through writing
            cancel.set()

    before = snapshot()
    report = run_import(till, path, progress=progress, cancel=cancel)
    assert report.cancelled and report.imported == 0 and not report.ok
    assert max(seen) < 4000 and max(seen) > 2000  # it stopped while writing
    assert snapshot() == before


def test_ten_thousand_rows(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "10k.csv", ENGLISH, many_rows(10_000))
    started = time.perf_counter()
    report = run_import(till, path)
    elapsed = time.perf_counter() - started
    print(f"\n10,000-row import: {elapsed:.2f} s ({report.seconds:.2f} s inside)")
    assert report.ok and report.imported == 10_000
    assert till.scalar("SELECT count(*) FROM members") == 10_000
    assert till.scalar("SELECT count(DISTINCT number) FROM cards") == 10_000
    assert till.scalar("SELECT sum(points_balance) FROM members") == report.points_total
    assert till.problems() == {}


# --------------------------------------------------------------------------------------------
# export


def test_export_round_trips_through_import_into_a_fresh_till(till, make_till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ann = till.enrol("Ann Lee", phone="13900000001", email="ann@example.com",
                     birthday=date(1990, 3, 5), notes='says "hi", often').summary
    wang = till.enrol("王小明", phone="13900000002").summary
    till.balances.top_up(ann.id, 12_345, "cash", till.cashier_id)
    till.sell([("TEA", 3)], wang.id)
    gone = till.enrol("Gone Person", phone="13900000003").summary
    MemberAdminService(till.ctx).erase(gone.id, till.manager_id, "privacy request")
    dup = till.enrol("Ann Lee", phone=None, email="ann.lee@example.com").summary
    MemberAdminService(till.ctx).merge(ann.id, dup.id, till.manager_id, "same person")

    path = tmp_path / "out" / "members.csv"
    assert export_members_csv(till.ctx, path) == 2  # erased and merged records are left out
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "王小明" in path.read_text(encoding="utf-8-sig")
    without = tmp_path / "out" / "no-balances.csv"
    export_members_csv(till.ctx, without, include_balances=False)
    assert "Points" not in read_csv(without)[0]

    fresh = make_till("fresh")
    report = run_import(fresh, path)
    assert report.ok, report.problems
    query = ("SELECT m.name, m.phone, m.email, m.birthday, m.notes, m.points_balance, "
             "m.stored_value_balance, c.number FROM members m JOIN cards c "
             "ON c.member_id = m.id AND c.status = 'active' ORDER BY m.name")
    assert fresh.rows(query) == till.rows(query.replace("ORDER BY", "AND m.status = 'active' "
                                                        "ORDER BY"))
    assert fresh.problems() == {}
    # the imported cards are this till number's: the fresh till's next card skips them
    next_card = fresh.enrol("Next One", phone="13900000099").summary.card_number
    assert next_card == make_card_number(7, 3)
