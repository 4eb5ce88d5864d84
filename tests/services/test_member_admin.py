"""Member administration: history, merge, export (JSON and PDF) and privacy erasure."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, date, timedelta

import pypdfium2
import pytest

from loyalty_pos.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from loyalty_pos.core.points import add_months
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.services.member_admin import MemberAdminService, database_files
from loyalty_pos.services.refunds import RefundRequest
from loyalty_pos.services.verify import verify_database

Snapshot = Callable[[], dict[str, object]]


def admin(till) -> MemberAdminService:  # type: ignore[no-untyped-def]
    return MemberAdminService(till.ctx)


def refund(till, sale_id: str, reason: str = "changed mind"):  # type: ignore[no-untyped-def]
    return till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, till.cashier_id,
                                             reason=reason))


def ledger_rows(till) -> list[tuple]:  # type: ignore[no-untyped-def]
    return till.rows("SELECT * FROM ledger_entries ORDER BY till_id, seq")


def balances(till, member_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return tuple(till.rows("SELECT points_balance, stored_value_balance FROM members "
                           "WHERE id = ?", member_id)[0])  # type: ignore[return-value]


def busy_member(till, name: str = "Ann Lee", **kwargs):  # type: ignore[no-untyped-def]
    """A member with a top-up, a sale paid partly with points and stored value, a refund, a
    manager's adjustment and a tier promotion."""
    member = till.enrol(name, **kwargs).summary
    till.balances.top_up(member.id, 5000, "cash", till.cashier_id)
    first = till.sell([("BREAD", 2)], member.id)                       # earns 20
    till.balances.adjust_points(member.id, 300, "welcome gift", till.manager_id)
    till.clock.advance(days=1)
    second = till.sell([("TEA", 1)], member.id, points=200, payments=[  # 33.33 - 2.00 points
        PaymentRequest("stored_value", 1000), PaymentRequest("cash", 2133)])
    till.clock.advance(days=1)
    tv = till.sell([("TV", 1)], member.id)                              # 1500.00: silver
    back = refund(till, first.sale_id, "stale bread")
    return member, (first, second, tv), back


# --------------------------------------------------------------------------------------------
# history


def test_history_lists_everything_with_running_balances(till) -> None:  # type: ignore[no-untyped-def]
    member, (first, second, tv), back = busy_member(till)
    history = admin(till).history(member.id)

    assert (history.member_id, history.name, history.status) == (member.id, "Ann Lee", "active")
    assert history.merged_member_ids == ()
    assert [(s.receipt_code, s.total, s.points_earned, s.points_redeemed)
            for s in history.sales] == [
        (first.receipt_code, 2000, 20, 0), (second.receipt_code, 3333, 31, 200),
        (tv.receipt_code, 150_000, 1500, 0)]
    started = till.clock.current - timedelta(days=2)
    assert history.sales[0].at == started.astimezone(UTC).replace(tzinfo=None)
    assert [(r.receipt_code, r.sale_receipt_code, r.amount, r.points_taken_back, r.reason)
            for r in history.refunds] == [
        (back.receipt_code, first.receipt_code, 2000, 20, "stale bread")]

    kinds = [(e.kind, e.amount, e.balance) for e in history.points]
    assert kinds == [("earn", 20, 20), ("adjust", 300, 320), ("redeem", -200, 120),
                     ("earn", 31, 151), ("earn", 1500, 1651), ("refund_clawback", -20, 1631)]
    assert history.points[-1].balance == balances(till, member.id)[0]
    assert history.points[1].reason == "welcome gift"
    first_lot = history.points[0].lot
    assert first_lot is not None and first_lot.earned_on == date(2026, 3, 10)
    assert first_lot.expires_on == date(2027, 3, 10)
    assert (first_lot.points, first_lot.remaining) == (20, 0)  # redeemed, then taken back
    assert history.points[2].lot is None  # a debit creates no lot

    assert [(e.kind, e.amount, e.balance) for e in history.stored_value] == [
        ("top_up", 5000, 5000), ("pay", -1000, 4000)]
    assert [(t.from_tier, t.to_tier) for t in history.tiers] == [("basic", "silver")]
    assert "promoted" in history.tiers[0].reason
    assert [(c.kind, c.action, c.version, c.staff_name, c.till) for c in history.consents] == [
        ("member_agreement", "accept", "2026.1", "Carl Cashier", "Till 7 (7)"),
        ("privacy", "accept", "2026.1", "Carl Cashier", "Till 7 (7)")]
    assert [(c.number, c.status) for c in history.cards] == [(member.card_number, "active")]


def test_history_of_unknown_member(till) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="member 999 does not exist"):
        admin(till).history(999)


# --------------------------------------------------------------------------------------------
# merge


def test_merge_moves_lots_with_their_expiry_and_stored_value(till) -> None:  # type: ignore[no-untyped-def]
    keep = till.enrol("Ann Lee", phone="13900000001").summary
    dup = till.enrol("Ann  Lee", phone=None, email="ann@example.com").summary
    till.sell([("BREAD", 5)], keep.id)                      # keep: 50 points
    till.sell([("BREAD", 10)], dup.id)                      # dup: 100 points, lot 1
    till.clock.advance(days=40)
    dup_sale = till.sell([("TEA", 3)], dup.id)              # dup: 99 points, lot 2
    till.sell([("BREAD", 2)], dup.id, points=30)            # takes 30 from lot 1; earns 19
    till.balances.top_up(dup.id, 3000, "cash", till.cashier_id)
    till.balances.top_up(keep.id, 1000, "cash", till.cashier_id)
    dup_lots = till.rows("SELECT expires_on, remaining FROM point_lots WHERE member_uuid = ? "
                         "AND remaining > 0 ORDER BY expires_on, remaining DESC", dup.uuid)
    assert dup_lots == [("2027-03-10", 70), ("2027-04-19", 99), ("2027-04-19", 19)]
    before = ledger_rows(till)
    keep_before, dup_before = balances(till, keep.id), balances(till, dup.id)

    till.clock.advance(days=1)
    details = admin(till).merge(keep.id, dup.id, till.manager_id, "same person, two cards")

    after = ledger_rows(till)
    assert after[:len(before)] == before  # nothing rewritten, only appended
    new = till.rows("SELECT kind, ledger, member_uuid, amount, expires_on, ref_entry_id "
                    "FROM ledger_entries WHERE kind LIKE 'merge%' ORDER BY seq")
    moved = [(k, led, m == keep.uuid, a, e) for k, led, m, a, e, _ in new]
    assert moved[:2] == [("merge_out", "points", False, -70, None),
                         ("merge_in", "points", True, 70, "2027-03-10")]
    assert sorted(moved[2:6]) == [
        ("merge_in", "points", True, 19, "2027-04-19"),
        ("merge_in", "points", True, 99, "2027-04-19"),
        ("merge_out", "points", False, -99, None), ("merge_out", "points", False, -19, None)]
    assert moved[6:] == [
        ("merge_out", "stored_value", False, -3000, None),
        ("merge_in", "stored_value", True, 3000, None)]
    # each merge_out consumed exactly one lot of the merged member
    allocations = till.rows(
        "SELECT e.amount, a.points, l.expires_on FROM lot_allocations a "
        "JOIN ledger_entries e ON e.id = a.entry_id "
        "JOIN point_lots l ON l.entry_id = a.lot_entry_id "
        "WHERE e.kind = 'merge_out' ORDER BY e.seq")
    assert sorted(allocations) == [(-99, 99, "2027-04-19"), (-70, 70, "2027-03-10"),
                                   (-19, 19, "2027-04-19")]
    kept_lots = till.rows("SELECT l.expires_on, l.remaining FROM point_lots l "
                          "JOIN ledger_entries e ON e.id = l.entry_id WHERE e.kind = 'merge_in' "
                          "ORDER BY l.expires_on, l.remaining DESC")
    assert kept_lots == [("2027-03-10", 70), ("2027-04-19", 99), ("2027-04-19", 19)]

    assert balances(till, dup.id) == (0, 0)
    assert balances(till, keep.id) == (keep_before[0] + dup_before[0],
                                       keep_before[1] + dup_before[1]) == (238, 4000)
    assert details.summary.points_balance == 238
    assert details.summary.card_number == keep.card_number
    assert details.cards == [(keep.card_number, "active")]
    assert till.rows("SELECT status, block_reason FROM cards WHERE number = ?",
                     dup.card_number) == [("blocked", f"merged into member {keep.id}")]
    assert till.rows("SELECT status, merged_into_id FROM members WHERE id = ?", dup.id) == [
        ("merged", keep.id)]
    assert till.scalar("SELECT count(*) FROM consents WHERE member_id = ?", dup.id) == 2
    assert till.problems() == {}

    # the kept member's history shows the merged record's sales; its ledger the merge_in entries
    history = admin(till).history(keep.id)
    assert history.merged_member_ids == (dup.id,)
    assert dup_sale.receipt_code in [s.receipt_code for s in history.sales]
    assert {s.member_id for s in history.sales} == {keep.id, dup.id}
    assert history.points[-1].balance == 238
    assert history.points[-1].lot is not None
    assert history.points[-1].lot.expires_on == date(2027, 4, 19)
    assert {c.number for c in history.cards} == {keep.card_number, dup.card_number}

    audit = till.rows("SELECT action, staff_id, details FROM audit_log WHERE target = ?",
                      f"member:{dup.id}")
    assert audit[0][:2] == ("member_merged", till.manager_id)
    assert json.loads(audit[0][2])["stored_value_moved"] == 3000
    outbox = till.rows("SELECT payload FROM outbox WHERE topic = 'member' AND ref = ? "
                       "ORDER BY id DESC LIMIT 1", dup.uuid)
    assert json.loads(outbox[0][0])["merged_into"] == keep.uuid

    # the merged points expire on their own day at the kept member
    till.balances.run_expiry(date(2027, 3, 11))
    assert balances(till, keep.id)[0] == 238 - 70 - 50  # keep's own 50 expired on 03-10 too
    assert till.problems() == {}


def test_merge_moves_a_points_debt(till) -> None:  # type: ignore[no-untyped-def]
    keep = till.enrol("Bo Chen").summary
    dup = till.enrol("Bo Chen").summary
    till.sell([("BREAD", 3)], keep.id)                       # keep: 30 points
    first = till.sell([("BREAD", 50)], dup.id)               # dup: 500
    till.sell([("BREAD", 2)], dup.id, points=500)            # spends them, earns 15
    refund(till, first.sale_id)                              # take back 500: debt 485
    assert balances(till, dup.id)[0] == -485
    before = ledger_rows(till)

    admin(till).merge(keep.id, dup.id, till.manager_id, "duplicate enrolment")

    assert ledger_rows(till)[:len(before)] == before
    assert balances(till, dup.id)[0] == 0
    assert balances(till, keep.id)[0] == 30 - 485
    assert till.rows("SELECT kind, amount, member_uuid = ? FROM ledger_entries "
                     "WHERE kind LIKE 'merge%' ORDER BY seq", keep.uuid) == [
        ("merge_out", 485, 0), ("merge_in", -485, 1)]
    # the merged member keeps no open lot; the debt is now the kept member's
    assert till.scalar("SELECT coalesce(sum(remaining), 0) FROM point_lots "
                       "WHERE member_uuid = ?", dup.uuid) == 0
    assert till.problems() == {}
    # and later earnings settle it, as any debt
    settle = till.sell([("BREAD", 50)], keep.id)
    assert settle.member.points_balance == 30 - 485 + 500
    assert till.problems() == {}


def test_merge_chain_history_includes_every_merged_record(till) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (till.enrol(f"Cy Dee {n}").summary for n in range(3))
    sale_c = till.sell([("APPLE", 4)], c.id)
    admin(till).merge(b.id, c.id, till.manager_id, "dup")
    admin(till).merge(a.id, b.id, till.manager_id, "dup")
    history = admin(till).history(a.id)
    assert set(history.merged_member_ids) == {b.id, c.id}
    assert [s.receipt_code for s in history.sales] == [sale_c.receipt_code]
    assert balances(till, a.id)[0] == 10
    assert till.problems() == {}


def test_merge_refusals_write_nothing(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    one = till.enrol("Di Eng").summary
    two = till.enrol("Di Eng").summary
    gone = till.enrol("Ed Fox").summary
    merged = till.enrol("Ed Fox").summary
    admin(till).merge(gone.id, merged.id, till.manager_id, "dup")
    erased = till.enrol("Fay Gu").summary
    admin(till).erase(erased.id, till.manager_id, "privacy request")
    service = admin(till)
    before = snapshot()
    cases = [
        (lambda: service.merge(one.id, one.id, till.manager_id, "dup"), InvalidInput,
         "cannot be merged into itself"),
        (lambda: service.merge(one.id, 999, till.manager_id, "dup"), NotFound,
         "member 999 does not exist"),
        (lambda: service.merge(999, one.id, till.manager_id, "dup"), NotFound,
         "member 999 does not exist"),
        (lambda: service.merge(one.id, merged.id, till.manager_id, "dup"), Conflict,
         f"already merged into member {gone.id}"),
        (lambda: service.merge(merged.id, one.id, till.manager_id, "dup"), Conflict,
         "already merged"),
        (lambda: service.merge(one.id, erased.id, till.manager_id, "dup"), Conflict,
         "already erased"),
        (lambda: service.merge(one.id, two.id, till.cashier_id, "dup"), PermissionDenied,
         "not a manager"),
        (lambda: service.merge(one.id, two.id, 999, "dup"), PermissionDenied, "unknown"),
        (lambda: service.merge(one.id, two.id, till.manager_id, " "), InvalidInput,
         "needs a reason"),
        (lambda: service.merge(one.id, "2", till.manager_id, "dup"), InvalidInput,
         "must be a member number"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
        assert snapshot() == before, message


# --------------------------------------------------------------------------------------------
# export


def test_export_holds_everything_and_renders_a_pdf(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    member, (first, second, tv), back = busy_member(
        till, "Gil Hart", phone="13900000777", email="gil@example.com",
        birthday=date(1980, 2, 29), notes="prefers email")
    dup = till.enrol("王小明").summary
    till.sell([("APPLE", 2)], dup.id)
    admin(till).merge(member.id, dup.id, till.manager_id, "same person")
    service = admin(till)

    data = service.export(member.id)
    json.dumps(data)  # serialisable as it is
    profile = data["member"]
    assert (profile["name"], profile["phone"], profile["email"], profile["birthday"],
            profile["notes"]) == ("Gil Hart", "13900000777", "gil@example.com", "1980-02-29",
                                  "prefers email")
    assert (profile["points_balance"], profile["stored_value_balance"]) == balances(
        till, member.id)
    assert [m["name"] for m in data["merged_records"]] == ["王小明"]
    assert {c["number"] for c in data["cards"]} == {member.card_number, dup.card_number}
    assert {(c["kind"], c["agreement_version"]) for c in data["consents"]} == {
        ("member_agreement", "2026.1"), ("privacy", "2026.1")}
    assert len(data["consents"]) == 4  # both records
    receipts = {s["receipt_code"]: s for s in data["sales"]}
    assert set(receipts) >= {first.receipt_code, second.receipt_code, tv.receipt_code}
    assert receipts[second.receipt_code]["lines"][0]["name"] == "Green tea"
    assert {p["method"] for p in receipts[second.receipt_code]["payments"]} == {
        "points", "stored_value", "cash"}
    assert [r["receipt_code"] for r in data["refunds"]] == [back.receipt_code]
    assert data["refunds"][0]["lines"][0]["quantity"] == 2
    kinds = {(e["member_id"], e["kind"]) for e in data["ledger_entries"]}
    assert {(member.id, "top_up"), (member.id, "merge_in"), (dup.id, "merge_out")} <= kinds
    assert len(data["lots"]) == till.scalar(
        "SELECT count(*) FROM point_lots WHERE member_uuid IN (?, ?)", member.uuid, dup.uuid)
    assert data["tier_history"][0]["to"] == "silver"
    assert {a["action"] for a in data["audit"]} >= {"points_adjusted", "refund",
                                                    "member_merged"}
    assert data["outbox"]

    written = service.write_export_json(member.id, tmp_path / "export" / "member.json")
    assert json.loads(written.read_text(encoding="utf-8"))["member"] == profile

    pdf_path = service.write_export_pdf(member.id, tmp_path / "export" / "member.pdf")
    pdf = pypdfium2.PdfDocument(pdf_path)
    try:
        pages = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert len(pdf) >= 2  # paginated
    finally:
        pdf.close()
    assert "Gil Hart" in pages
    assert "13900000777" in pages and "gil@example.com" in pages
    assert f"{profile['points_balance']:,}" in pages
    assert "40.00" in pages  # stored value: 50.00 topped up - 10.00 paid
    assert "王小明" in pages
    assert first.receipt_code in pages and "Green tea" in pages


# --------------------------------------------------------------------------------------------
# erasure


def file_bytes(till) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(path.read_bytes() for path in database_files(till.db.path)
                    if path.exists())


SECRETS = ("王小明", "13912345678", "wang.xiaoming@example.com", "Wang Xiaoming")


def test_erase_leaves_no_trace_in_the_database_files(till) -> None:  # type: ignore[no-untyped-def]
    other = till.enrol("Wang Xiaoli", phone="13900000002").summary
    member = till.enrol("Wang Xiaoming", phone="13912345678",
                        email="wang.xiaoming@example.com", birthday=date(1990, 5, 4),
                        notes="call 13912345678 after 6").summary
    sale = till.sell([("BREAD", 30)], member.id)
    till.balances.top_up(member.id, 2000, "cash", till.cashier_id)
    till.balances.adjust_points(member.id, 50, "complaint", till.manager_id)
    till.members.block_and_replace_card(member.card_number, "lost by Wang Xiaoming",
                                        till.cashier_id)
    # renamed to the Chinese name: the old name's tokens stay in an FTS segment until merged
    till.members.update(member.id, till.cashier_id, name="王小明", phone="13912345678",
                        email="wang.xiaoming@example.com", birthday=date(1990, 5, 4),
                        notes="call 13912345678 after 6")
    finder_connection = till.raw()  # the till's lookup connection stays open, as in the app
    finder = MemberFinder(finder_connection, till.secret())
    assert [m.id for m in finder.search("王小明", till.clock.today)] == [member.id]

    raw = file_bytes(till)
    for secret in SECRETS:  # the test can fail: everything is in the files before
        assert secret.encode() in raw, secret

    report = admin(till).erase(member.id, till.manager_id,
                               "privacy request by Wang Xiaoming, 13912345678")

    raw = file_bytes(till)
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
        assert json.dumps(secret)[1:-1].encode() not in raw, secret  # nor JSON-escaped
    assert report.member_ids == (member.id,)
    assert len(report.cards_blocked) == 1
    assert report.wal_truncated and report.residue == ()
    print("erasure report:", report)
    assert report.outbox_rewritten >= 3 and report.audit_rewritten == 1
    assert not till.db.path.with_name(till.db.path.name + "-wal").stat().st_size

    row = till.rows("SELECT name, phone, email, birthday, notes, status, erased_at "
                    "FROM members WHERE id = ?", member.id)[0]
    assert row[:6] == (f"Erased member {member.id}", None, None, None, "", "erased")
    assert row[6] is not None
    assert till.rows("SELECT status, block_reason FROM cards WHERE member_id = ? ORDER BY id",
                     member.id) == [("blocked", f"lost by Erased member {member.id}"),
                                    ("blocked", "erased (privacy request)")]
    # the books still balance: ledger amounts are kept
    assert balances(till, member.id) == (300 + 50, 2000)
    assert till.problems() == {}
    # searching finds the other member, never the erased one
    assert [m.id for m in finder.search("Wang", till.clock.today)] == [other.id]
    assert finder.search("王小明", till.clock.today) == []
    assert finder.search("139123", till.clock.today) == []
    finder_connection.close()
    # the erasure itself is audited, without the personal data the reason held
    details = json.loads(till.scalar("SELECT details FROM audit_log WHERE action = "
                                     "'member_erased'"))
    assert details["reason"] == f"privacy request by Erased member {member.id}, "
    assert details["stored_value_balance"] == 2000

    # a refund of the erased member's old sale still works, and the books balance
    result = refund(till, sale.sale_id)
    assert result.points_taken_back == 300 and result.cash_back == 30_000
    assert till.problems() == {}


def test_erase_vacuums_when_freed_space_still_holds_old_text(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Quentin Residue", phone="13955500001").summary
    # a SQLite without secure delete leaves a deleted row's bytes in the page's free space
    connection = till.raw()
    connection.execute("PRAGMA secure_delete=OFF")
    connection.execute("INSERT INTO settings (key, value) VALUES ('scratch', ?)",
                       ("copied from Quentin Residue 13955500001",))
    connection.execute("DELETE FROM settings WHERE key = 'scratch'")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert b"Quentin Residue" in file_bytes(till)

    report = admin(till).erase(member.id, till.manager_id, "privacy request")

    assert report.vacuumed and report.residue == ()
    assert b"Quentin Residue" not in file_bytes(till)
    assert b"13955500001" not in file_bytes(till)
    assert till.problems() == {}


def test_erase_covers_records_merged_into_the_member(till) -> None:  # type: ignore[no-untyped-def]
    keep = till.enrol("Hana Ito", phone="13900000101").summary
    dup = till.enrol("Hana Itoh", email="hana@example.com").summary
    till.sell([("BREAD", 4)], dup.id)
    admin(till).merge(keep.id, dup.id, till.manager_id, "same person: Hana Itoh")
    report = admin(till).erase(keep.id, till.manager_id, "privacy request")
    assert set(report.member_ids) == {keep.id, dup.id}
    assert till.rows("SELECT id, name, status FROM members WHERE id IN (?, ?) ORDER BY id",
                     keep.id, dup.id) == [(keep.id, f"Erased member {keep.id}", "erased"),
                                          (dup.id, f"Erased member {dup.id}", "erased")]
    raw = file_bytes(till)
    for secret in ("Hana Ito", "13900000101", "hana@example.com"):
        assert secret.encode() not in raw
    assert till.problems() == {}


def test_erase_refusals_write_nothing(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ivy Jones").summary
    gone = till.enrol("Ivy Jones").summary
    admin(till).merge(member.id, gone.id, till.manager_id, "dup")
    erased = till.enrol("Jo King").summary
    admin(till).erase(erased.id, till.manager_id, "privacy request")
    service = admin(till)
    before = snapshot()
    cases = [
        (lambda: service.erase(member.id, till.cashier_id, "privacy"), PermissionDenied,
         "not a manager"),
        (lambda: service.erase(999, till.manager_id, "privacy"), NotFound, "does not exist"),
        (lambda: service.erase(erased.id, till.manager_id, "privacy"), Conflict,
         "already erased"),
        (lambda: service.erase(gone.id, till.manager_id, "privacy"), Conflict,
         f"merged into member {member.id}"),
        (lambda: service.erase(member.id, till.manager_id, ""), InvalidInput, "needs a reason"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
        assert snapshot() == before, message
    # the audit log is append-only again after an erasure rewrote entries
    connection = till.raw()
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET details = '{}'")
    finally:
        connection.close()


def test_lots_moved_by_a_merge_keep_months_of_expiry(till) -> None:  # type: ignore[no-untyped-def]
    keep = till.enrol("Kai Lee").summary
    dup = till.enrol("Kai Lee").summary
    till.sell([("BREAD", 1)], dup.id)
    till.clock.advance(days=200)
    admin(till).merge(keep.id, dup.id, till.manager_id, "dup")
    expiry = till.scalar("SELECT l.expires_on FROM point_lots l JOIN ledger_entries e "
                         "ON e.id = l.entry_id WHERE e.kind = 'merge_in'")
    assert expiry == add_months(date(2026, 3, 10), 12).isoformat()


def test_erase_reports_a_name_kept_in_a_hash_chained_ledger_reason(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Rosalind Vantwest").summary
    till.balances.adjust_points(member.id, 10, "goodwill for Rosalind Vantwest", till.manager_id)
    report = admin(till).erase(member.id, till.manager_id, "privacy request")
    # ledger entries are never changed (the hash chain): the erasure says what it could not do
    assert report.residue == ("name",) and report.vacuumed
    assert till.scalar("SELECT reason FROM ledger_entries WHERE kind = 'adjust'") == (
        "goodwill for Rosalind Vantwest")
    assert till.scalar("SELECT details FROM audit_log WHERE action = 'points_adjusted'") == (
        json.dumps({"points": 10, "reason": f"goodwill for Erased member {member.id}"}))
    assert till.problems() == {}


def test_refund_of_a_merged_members_sale_credits_the_surviving_member(till) -> None:  # type: ignore[no-untyped-def]
    keep = till.enrol("Ann Lee", phone="13900000001").summary
    dup = till.enrol("Ann  Lee", phone=None, email="ann@example.com").summary
    till.balances.top_up(dup.id, 50_000, "cash", till.cashier_id)
    sale = till.sell([("BREAD", 10)], dup.id, payments=None)
    paid = till.sell([("TEA", 1)], dup.id, payments=[PaymentRequest(
        "stored_value", till.checkout.quote([("TEA", 1)], dup.id).due_after_points)])
    admin(till).merge(keep.id, dup.id, till.manager_id, "same person")
    before = balances(till, keep.id)
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), paid.sale_id, till.cashier_id))
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id, till.cashier_id))
    after = balances(till, keep.id)
    assert after[1] - before[1] == paid.total                  # stored value back to Ann
    assert after[0] - before[0] == -(sale.points_earned + paid.points_earned)
    assert balances(till, dup.id) == (0, 0)                    # the merged record stays empty
    assert not any(verify_database(till.raw()).values())


def test_tier_review_counts_the_spend_of_merged_records(till) -> None:  # type: ignore[no-untyped-def]
    from loyalty_pos.services.tiers import TierService, rolling_spend

    keep = till.enrol("Ann Lee", phone="13900000001").summary
    dup = till.enrol("Ann  Lee", phone=None, email="ann@example.com").summary
    sale = till.sell([("BREAD", 10)], dup.id)
    admin(till).merge(keep.id, dup.id, till.manager_id, "same person")
    with till.ctx.db.sessions() as session:
        assert rolling_spend(session, keep.id, till.ctx.now(), 365) == sale.total
    TierService(till.ctx).evaluate(keep.id)
