"""The demo chain store: everything `loyalty-pos verify` checks holds, and the data is usable.

One small demo (300 members) is created per module and only read by the tests; the tests that
write (sign-in, re-running the demo) work on their own copy.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from loyalty_pos.core.chain import canonical
from loyalty_pos.core.ean import is_valid_ean13, make_card_number
from loyalty_pos.core.errors import Conflict, InvalidInput
from loyalty_pos.db.engine import Database
from loyalty_pos.services import demo
from loyalty_pos.services.context import TillContext, chain_secret
from loyalty_pos.services.ledger import iso_utc
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.services.members import current_agreement
from loyalty_pos.services.staff import StaffService
from loyalty_pos.services.tiers import TierService
from loyalty_pos.services.verify import verify_database

MEMBERS = 300
STAFF_LINE = re.compile(r"^\s+id (\d+)\s+(.+?)\s+(manager|cashier)\s+PIN (\d{4,8})$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    messages: list[str] = []
    summary = demo.create_demo(path, MEMBERS, seed=11, progress=messages.append)
    assert any("members:" in m for m in messages)
    return path, summary


@pytest.fixture
def raw(built: tuple[Path, str]) -> Iterator[sqlite3.Connection]:
    db = Database.open(built[0], upgrade=False)
    connection = db.raw_connection()
    yield connection
    connection.close()
    db.close()


@pytest.fixture
def copy(built: tuple[Path, str], tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite"
    with sqlite3.connect(built[0]) as source, sqlite3.connect(target) as destination:
        source.backup(destination)
    return target


def count(connection: sqlite3.Connection, sql: str, *params: object) -> int:
    return connection.execute(sql, params).fetchone()[0]


def test_every_verify_check_holds(raw: sqlite3.Connection) -> None:
    results = verify_database(raw)
    assert set(results) >= {"SQLite integrity", "hash chains and sequences", "cached balances",
                            "stored value never negative", "point lots and allocations"}
    assert all(problems == [] for problems in results.values()), results


def test_references_hold_and_schema_is_the_migrations(raw: sqlite3.Connection,
                                                      tmp_path: Path) -> None:
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    fresh = Database.open(tmp_path / "fresh.sqlite")
    fresh.close()
    schema = ("SELECT type, name, sql FROM sqlite_master "
              "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name")
    with sqlite3.connect(tmp_path / "fresh.sqlite") as reference:
        assert raw.execute(schema).fetchall() == reference.execute(schema).fetchall()
    assert count(raw, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 1


def test_shop_members_cards_and_consents(raw: sqlite3.Connection) -> None:
    assert count(raw, "SELECT COUNT(*) FROM stores") == 2
    assert count(raw, "SELECT COUNT(*) FROM tills") == 2
    assert count(raw, "SELECT COUNT(DISTINCT category) FROM products") == 10
    assert count(raw, "SELECT COUNT(*) FROM products") >= 200
    for (barcode,) in raw.execute("SELECT barcode FROM products"):
        assert is_valid_ean13(barcode) and barcode.startswith("69")
    assert count(raw, "SELECT COUNT(*) FROM members") == MEMBERS
    assert count(raw, "SELECT COUNT(*) FROM cards WHERE status = 'active'") == MEMBERS
    for member_id, number in raw.execute("SELECT member_id, number FROM cards"):
        assert number == make_card_number(1, member_id)
    assert count(raw, "SELECT last_card_serial FROM tills WHERE number = 1") == MEMBERS
    assert count(raw, "SELECT COUNT(DISTINCT phone) FROM members") == count(
        raw, "SELECT COUNT(phone) FROM members")
    assert all(re.fullmatch(r"1[358]\d{9}", phone) for (phone,) in raw.execute(
        "SELECT phone FROM members WHERE phone IS NOT NULL"))
    hanzi = count(raw, "SELECT COUNT(*) FROM members WHERE unicode(name) > 0x4e00")
    assert 0.5 * MEMBERS < hanzi < 0.9 * MEMBERS   # a mix of Hanzi and Latin names


def test_consents_are_the_current_texts(built: tuple[Path, str],
                                        raw: sqlite3.Connection) -> None:
    db = Database.open(built[0], upgrade=False)
    with db.sessions() as session:
        versions = {kind: current_agreement(session, kind)
                    for kind in ("member_agreement", "privacy")}
    db.close()
    for kind, version in versions.items():
        assert count(raw, "SELECT COUNT(DISTINCT member_id) FROM consents WHERE kind = ? AND "
                          "action = 'accept' AND agreement_version_id = ? AND text_sha256 = ?",
                     kind, version.id, version.sha256) == MEMBERS
    marketing = count(raw, "SELECT COUNT(*) FROM consents WHERE kind = 'marketing'")
    assert 0.25 * MEMBERS < marketing < 0.55 * MEMBERS


def test_history_is_consistent(raw: sqlite3.Connection) -> None:
    sales = count(raw, "SELECT COUNT(*) FROM sales")
    assert sales > 0.1 * MEMBERS
    assert count(raw, "SELECT MAX(receipt_no) FROM sales") == sales   # gapless from 1
    assert count(raw, "SELECT last_receipt_no FROM tills WHERE number = 1") == sales
    assert raw.execute("SELECT s.id FROM sales s JOIN payments p ON p.sale_id = s.id "
                       "GROUP BY s.id HAVING SUM(p.amount) != s.total").fetchall() == []
    assert raw.execute("SELECT s.id FROM sales s JOIN sale_lines l ON l.sale_id = s.id "
                       "GROUP BY s.id HAVING SUM(l.net) != s.subtotal").fetchall() == []
    assert raw.execute("SELECT id FROM sales WHERE points_value > 0 AND id NOT IN "
                       "(SELECT sale_id FROM payments WHERE method = 'points')").fetchall() == []
    kinds = {k for (k,) in raw.execute("SELECT DISTINCT kind FROM ledger_entries")}
    assert {"earn", "redeem", "top_up", "pay", "referral"} <= kinds
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    assert count(raw, "SELECT COUNT(*) FROM sales WHERE created_at > ?", now) == 0


def test_referrals_point_back_and_are_rewarded(raw: sqlite3.Connection) -> None:
    referred = count(raw, "SELECT COUNT(*) FROM members WHERE referred_by_id IS NOT NULL")
    assert 0.03 * MEMBERS < referred < 0.2 * MEMBERS
    assert count(raw, "SELECT COUNT(*) FROM members WHERE referred_by_id >= id") == 0
    rewarded = count(raw, "SELECT COUNT(*) FROM members WHERE referral_rewarded")
    assert rewarded > 0
    assert count(raw, "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'referral'") \
        == 2 * rewarded


def test_tiers_are_what_the_spend_earns(copy: Path) -> None:
    ctx = TillContext.open(Database.open(copy, upgrade=False))
    assert TierService(ctx).evaluate_all() == []
    ctx.db.close()


def test_staff_pins_in_the_summary_sign_in(built: tuple[Path, str], copy: Path) -> None:
    staff = [STAFF_LINE.match(line) for line in built[1].splitlines()]
    staff = [m for m in staff if m]
    assert sorted(m.group(3) for m in staff) == ["cashier"] * 4 + ["manager"] * 2
    ctx = TillContext.open(Database.open(copy, upgrade=False))
    for match in staff:
        view = StaffService(ctx).sign_in(int(match.group(1)), match.group(4))
        assert (view.name, view.role) == (match.group(2), match.group(3))
    ctx.db.close()


def test_cards_and_names_are_found(built: tuple[Path, str], raw: sqlite3.Connection) -> None:
    db = Database.open(built[0], upgrade=False)
    with db.sessions() as session:
        finder = MemberFinder(raw, chain_secret(session))
    db.close()
    today = date.today()
    for card in re.findall(r"^\s+(29\d{11})\s", built[1], re.MULTILINE):
        assert finder.by_card(card, today).card_number == card
    member_id, number, name = raw.execute(
        "SELECT m.id, c.number, m.name FROM members m JOIN cards c ON c.member_id = m.id "
        "WHERE length(m.name) >= 3 ORDER BY m.id DESC LIMIT 1").fetchone()
    assert finder.by_card(number, today).id == member_id
    # The finder trims spaces, so a part like " Li" would be a 2-character (prefix) search.
    part = next(name[i:i + 3] for i in range(len(name) - 3, -1, -1)
                if name[i:i + 3] == name[i:i + 3].strip())
    assert member_id in [m.id for m in finder.search(part, today, limit=200)]


def test_running_again_is_refused_and_changes_nothing(copy: Path) -> None:
    def counts() -> dict[str, int]:
        with sqlite3.connect(copy) as connection:
            tables = [t for (t,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: count(connection, f'SELECT COUNT(*) FROM "{t}"') for t in tables}

    before = counts()
    with pytest.raises(Conflict, match="already belongs to till"):
        demo.create_demo(copy, 10)
    assert counts() == before


def test_a_bad_member_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        demo.create_demo(tmp_path / "x.sqlite", 0)


def test_history_in_a_second_process_holds_too(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Big demos build history in another process, taking turns at writing: same result."""
    monkeypatch.setattr(demo, "PARALLEL_FROM", 1)
    path = tmp_path / "parallel.sqlite"
    demo.create_demo(path, 120, seed=3, progress=lambda _: None)
    db = Database.open(path, upgrade=False)
    connection = db.raw_connection()
    assert all(p == [] for p in verify_database(connection).values())
    assert count(connection, "SELECT COUNT(*) FROM sales") > 0
    connection.close()
    db.close()


def test_fast_forms_match_the_reference_ones() -> None:
    """The bulk loader formats ids, times and chain input itself; they must equal the real ones."""
    moment = datetime(2026, 3, 1, 2, 3, 4, 5)
    stamp = demo.Stamp.of((moment - demo.EPOCH) // demo.timedelta(microseconds=1))
    assert stamp.ledger == iso_utc(moment)
    assert stamp.db == str(moment) and demo.db_datetime(stamp.us) == str(moment)
    fields = {"id": "e", "store_id": 1, "till_id": 2, "seq": 3, "created_at": stamp.ledger,
              "ledger": "points", "kind": "earn", "member_id": "m", "amount": -5,
              "sale_id": None, "refund_id": None, "staff_id": None, "reason": "referral of m",
              "expires_on": "2027-03-01", "ref_entry_id": None}
    assert demo.canonical_entry("e", stamp.ledger, "points", "earn", "m", -5, None, None,
                                "referral of m", "2027-03-01", 3, 1, 2) == canonical(fields)
    with sqlite3.connect(":memory:") as connection:
        for serial in (1, 7, 99_999, 1_234_567, 9_999_999):
            sql = f"SELECT {demo.card_number_sql(42)} FROM (SELECT ? AS id)"
            assert connection.execute(sql, (serial,)).fetchone()[0] == make_card_number(
                42, serial)
    assert len({demo.phone_number(i, 7) for i in range(1, 5001)}) == 5000
    assert len({demo.referral_code(i, 7) for i in range(1, 5001)}) == 5000

