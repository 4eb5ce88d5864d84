"""Pushes and pulls through the service on SQLite and PostgreSQL: ledger files (idempotent,
gaps, conflicts, another till's file), records (idempotent, 422 on other content, derived
sales/refunds/consents, newest snapshot wins), changes (paging, the asking till's own changes
left out) and balances at other tills without remote_sync."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from headoffice_helpers import DemoTill, export, held_entries, run, till_balances
from sqlalchemy import func, select, text
from test_service_helpers import HandLedger, Movement, Service, message, snapshot

from loyalty_pos.headoffice.balances import chain_balances
from loyalty_pos.headoffice.changelog import CHANGE_LOG_LOCK, lock_change_log
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.models import (
    SOURCE_PUSH,
    HOConsent,
    HOLedgerEntry,
    HOMember,
    HOMessage,
    HORefund,
    HOSale,
    HOSyncRefusal,
    HOTillBalance,
)
from loyalty_pos.sync.ledger_file import export_ledger

M1, M2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def service(headoffice: HeadOfficeDb) -> Service:
    return Service(headoffice)


def _origin(till: DemoTill) -> tuple[int, int]:
    connection = sqlite3.connect(till.path)
    try:
        return connection.execute(
            "SELECT t.id, t.store_id FROM tills t JOIN settings s ON s.key = 'this_till_id' "
            "AND t.id = CAST(s.value AS INTEGER)").fetchone()
    finally:
        connection.close()


def _refusals(db: HeadOfficeDb) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(select(HOSyncRefusal.kind).order_by(HOSyncRefusal.id)))


# -- ledger ---------------------------------------------------------------------------------


def test_a_demo_till_pushes_its_ledger_in_two_files_twice(
        service: Service, demo_till: DemoTill, tmp_path: Path) -> None:
    till_id, store_id = _origin(demo_till)
    till = service.register(demo_till.number, demo_till.store_code, till_id, store_id)
    first = tmp_path / "first.gz"
    export_ledger(demo_till.path, first, service.secret, since=0, until=40)
    rest = tmp_path / "rest.gz"
    export_ledger(demo_till.path, rest, service.secret, since=40)
    answer = service.push_ledger(till, first.read_bytes())
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored_through": 40, "new": 40, "duplicate": 0, "last_seq": 40,
                             "open_gaps": []}
    total = service.push_ledger(till, rest.read_bytes()).json()
    assert total["new"] > 0 and total["stored_through"] == total["last_seq"] == 40 + total["new"]
    again = service.push_ledger(till, rest.read_bytes()).json()  # a retry: exactly once
    assert again["new"] == 0 and again["duplicate"] == total["new"]
    held = held_entries(service.db)
    assert len(held) == total["last_seq"] and {row[-1] for row in held} == {SOURCE_PUSH}
    # head office's chain-wide balances are the till's own (one till, no remote_sync)
    assert {uuid: b for uuid, b in _chain(service.db).items() if any(b)} == _by_member(
        till_balances(demo_till.path))


def _by_member(balances: dict[tuple[str, str], int]) -> dict[str, tuple[int, int]]:
    members: dict[str, list[int]] = {}
    for (uuid, ledger), amount in balances.items():
        members.setdefault(uuid, [0, 0])[0 if ledger == "points" else 1] += amount
    return {uuid: (p, s) for uuid, (p, s) in members.items() if p or s}


def _chain(db: HeadOfficeDb) -> dict[str, tuple[int, int]]:
    with db.sessions() as session:
        return {uuid: (b.points, b.stored_value) for uuid, b in chain_balances(session).items()}


def test_a_gap_is_reported_and_filled(service: Service, tmp_path: Path) -> None:
    till = service.register(11)
    ledger = HandLedger(till).add(*(Movement(M1, 100, kind="top_up") for _ in range(6)))
    late = service.push_ledger(till, ledger.file(tmp_path, service.secret, 4, 6)).json()
    assert late["stored_through"] == 0 and late["open_gaps"] == [[1, 3]]
    assert late["last_seq"] == 6
    filled = service.push_ledger(till, ledger.file(tmp_path, service.secret, 1, 3)).json()
    assert filled["stored_through"] == 6 and filled["open_gaps"] == []


def test_another_content_under_a_held_key_is_422_and_logged(service: Service,
                                                            tmp_path: Path) -> None:
    till = service.register(11)
    held = HandLedger(till).add(Movement(M1, 100, kind="top_up"), Movement(M1, -40))
    assert service.push_ledger(till, held.file(tmp_path, service.secret)).status_code == 200
    other = HandLedger(till).add(Movement(M1, 100, kind="top_up"), Movement(M1, -99))
    answer = service.push_ledger(till, other.file(tmp_path, service.secret))
    assert answer.status_code == 422
    assert "seq 1" in answer.json()["detail"]  # entry ids differ from the first
    assert _refusals(service.db) == ["ledger"]
    # a file that does not link to the held chain
    detached = HandLedger(till).add(Movement(M2, 5, kind="top_up"), Movement(M2, 1),
                                    Movement(M2, 2))
    answer = service.push_ledger(till, detached.file(tmp_path, service.secret, 3, 3))
    assert answer.status_code == 422 and "link" in answer.json()["detail"]


def test_a_till_pushes_only_its_own_file(service: Service, tmp_path: Path) -> None:
    eleven = service.register(11)
    twelve = service.register(12)
    file_of_twelve = HandLedger(twelve).add(Movement(M1, 100, kind="top_up")).file(
        tmp_path, service.secret)
    answer = service.push_ledger(eleven, file_of_twelve)
    assert answer.status_code == 403 and "till 12" in answer.json()["detail"]
    assert held_entries(service.db) == []


def test_a_file_signed_with_another_secret_is_400(service: Service, tmp_path: Path) -> None:
    till = service.register(11)
    data = HandLedger(till).add(Movement(M1, 1, kind="top_up")).file(tmp_path, b"x" * 32)
    answer = service.push_ledger(till, data)
    assert answer.status_code == 400 and "signature" in answer.json()["detail"]


# -- records --------------------------------------------------------------------------------


def test_records_are_stored_once_and_derive_sales_refunds_consents(service: Service) -> None:
    till = service.register(11)
    messages = [
        message(1),
        message(2, "refund", "refund-1", refund_id="refund-1", sale_id="sale-1", till=1,
                receipt_no=5, at="2026-11-20T10:00:00", amount=500, points_taken_back=5,
                points_given_back=0),
        message(3, "consent", M1, member=M1, kind="privacy", action="accept", sha256="ab" * 32,
                at="2026-11-20T09:00:00", till=1, staff=1),
        message(4, "tier", M1, member=M1, **{"from": "STD", "to": "GLD", "reason": "spent"}),
    ]
    answer = service.push_records(till, messages, [snapshot(M1)])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored_through": 4, "new": 4, "duplicate": 0}
    again = service.push_records(till, messages, [snapshot(M1)])
    assert again.json() == {"stored_through": 4, "new": 0, "duplicate": 4}
    with service.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HOMessage)) == 4
        sale = session.get(HOSale, "sale-1")
        assert sale is not None and (sale.total, sale.points_earned) == (1250, 12)
        refund = session.get(HORefund, "refund-1")
        assert refund is not None and refund.amount == 500
        consent = session.scalar(select(HOConsent))
        assert consent is not None and (consent.member_uuid, consent.kind) == (M1, "privacy")
        member = session.get(HOMember, M1)
        assert member is not None and member.name == "Ann Lee"


def test_a_message_id_with_other_content_is_422_and_nothing_is_stored(
        service: Service) -> None:
    till = service.register(11)
    assert service.push_records(till, [message(1)]).status_code == 200
    changed = message(1)
    changed["payload"]["total"] = 999
    answer = service.push_records(till, [message(2), changed])
    assert answer.status_code == 422 and "message 1" in answer.json()["detail"]
    with service.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HOMessage)) == 1
    assert _refusals(service.db) == ["records"]
    # the same id at another till is another key (its sale another sale: sale ids are
    # chain-wide)
    other = service.register(12)
    assert service.push_records(other, [message(1, ref="sale-of-12")]).json()["new"] == 1


def test_the_newest_snapshot_wins(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    service.push_records(eleven, [], [snapshot(M1, "2026-11-20T10:00:00Z", name="New")])
    service.push_records(twelve, [], [snapshot(M1, "2026-11-20T09:00:00Z", name="Old")])
    with service.db.sessions() as session:
        assert session.get(HOMember, M1).name == "New"  # type: ignore[union-attr]
    service.push_records(twelve, [], [snapshot(M1, "2026-11-20T10:00:00Z", name="Tie")])
    with service.db.sessions() as session:
        assert session.get(HOMember, M1).name == "Tie"  # type: ignore[union-attr]


# -- changes --------------------------------------------------------------------------------


def test_changes_page_by_cursor_and_leave_out_the_askers_own(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    members = [snapshot(f"00000000-0000-4000-8000-{n:012d}", cards=[]) for n in range(5)]
    service.push_records(eleven, [], members)
    own = service.changes(eleven)
    assert own["members"] == [] and own["more"] is False and own["cursor"] == 5
    seen: list[str] = []
    cursor, pages = 0, 0
    while True:
        page = service.changes(twelve, since=cursor, limit=2)
        seen += [m["uuid"] for m in page["members"]]
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert pages == 3 and cursor == 5 and seen == [m["uuid"] for m in members]
    # till 12 changes one of them: till 11 gets it, till 12 does not get its own back
    service.push_records(twelve, [], [snapshot(members[0]["uuid"], "2026-11-21T00:00:00Z",
                                               name="Changed", cards=[])])
    assert [m["name"] for m in service.changes(eleven, since=5)["members"]] == ["Changed"]
    assert service.changes(twelve, since=5)["members"] == []
    empty = service.changes(twelve, since=6)
    assert empty["cursor"] == 6 and empty["more"] is False


def test_a_tills_own_backlog_does_not_fill_its_pages(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    service.push_records(eleven, [], [snapshot(f"00000000-0000-4000-8000-{n:012d}", cards=[])
                                      for n in range(5)])
    service.push_records(twelve, [], [snapshot(M2, cards=[])])
    page = service.changes(eleven, limit=2)
    assert [m["uuid"] for m in page["members"]] == [M2]
    assert (page["cursor"], page["more"]) == (6, False)
    # M2 changed at 11 after 12: 11 has the newest state, 12 gets it back
    service.clock.advance(days=2)  # snapshot times ahead of head office's clock are refused
    service.push_records(eleven, [], [snapshot(M2, "2026-11-22T00:00:00Z", name="By 11",
                                               cards=[])])
    service.push_records(twelve, [], [snapshot(M2, "2026-11-21T00:00:00Z", name="Late",
                                               cards=[])])  # older: not stored
    assert service.changes(eleven, since=6)["members"] == []
    assert [m["name"] for m in service.changes(twelve, since=6)["members"]] == ["By 11"]


def test_cards_travel_with_members_and_on_their_own(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    service.push_records(eleven, [], [snapshot(M1)])
    blocked = snapshot(M1, "2026-11-21T00:00:00Z", cards=[
        {"number": "2000000000015", "status": "blocked", "issued_at": "2026-11-01T08:00:00Z",
         "blocked_at": "2026-11-21T00:00:00Z", "block_reason": "lost"},
        {"number": "2000000000022", "status": "active", "issued_at": "2026-11-21T00:00:00Z",
         "blocked_at": None, "block_reason": None}])
    service.push_records(eleven, [], [blocked])
    answer = service.changes(twelve)
    assert [c["status"] for c in answer["members"][0]["cards"]] == ["blocked", "active"]
    assert {(c["number"], c["status"]) for c in answer["cards"]} == {
        ("2000000000015", "blocked"), ("2000000000022", "active")}


def test_balances_at_other_tills_leave_out_remote_sync(service: Service,
                                                       tmp_path: Path) -> None:
    eleven, twelve = service.register(11), service.register(12)
    service.push_ledger(eleven, HandLedger(eleven).add(
        Movement(M1, 1000, kind="top_up"), Movement(M1, 50, "points", "earn"),
        Movement(M2, 300, kind="top_up")).file(tmp_path, service.secret))
    service.push_ledger(twelve, HandLedger(twelve).add(
        Movement(M1, -200), Movement(M1, 1000, kind="remote_sync")).file(
        tmp_path, service.secret))
    for_twelve = {b["member"]: b for b in service.changes(twelve)["balances"]}
    assert for_twelve == {M1: {"member": M1, "points": 50, "stored_value": 1000},
                          M2: {"member": M2, "points": 0, "stored_value": 300}}
    for_eleven = {b["member"]: b for b in service.changes(eleven)["balances"]}
    assert for_eleven == {M1: {"member": M1, "points": 0, "stored_value": -200}}
    chain = service.signed(eleven, "GET", f"/v1/members/{M1}/balance").json()
    assert (chain["points"], chain["stored_value"]) == (50, 800)
    nobody = service.signed(eleven, "GET", "/v1/members/nobody/balance").json()
    assert (nobody["points"], nobody["stored_value"]) == (0, 0)
    with service.db.sessions() as session:  # the aggregate is the sum over the entries
        aggregate = session.scalar(select(func.sum(HOTillBalance.amount)))
        entries = session.scalar(select(func.sum(HOLedgerEntry.amount)).where(
            HOLedgerEntry.kind != "remote_sync"))
        assert aggregate == entries


def test_a_file_import_also_feeds_balances_and_changes(service: Service, demo_till: DemoTill,
                                                       tmp_path: Path) -> None:
    """`loyalty-headoffice import` and the push share one importer: a file import counts."""
    run(service.db, export(demo_till, tmp_path / "all.gz"))
    other = service.register(99)
    balances = service.changes(other)["balances"]
    assert {b["member"]: (b["points"], b["stored_value"]) for b in balances
            if b["points"] or b["stored_value"]} == _by_member(till_balances(demo_till.path))


def test_writers_of_the_change_log_take_turns_on_postgresql(
        make_headoffice: Callable[[str], HeadOfficeDb]) -> None:
    """Change ids must commit in id order (changelog.lock_change_log): while one transaction
    may append, no other can."""
    db = make_headoffice("postgresql")
    with db.transaction() as session:
        lock_change_log(session)
        with db.engine.connect() as other:
            taken = other.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                 {"key": CHANGE_LOG_LOCK})
            assert taken is False
    with db.engine.connect() as other:  # released at COMMIT
        assert other.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"),
                            {"key": CHANGE_LOG_LOCK}) is True


def test_a_records_push_that_lost_an_insert_race_is_tried_again(
        service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tills' pushes inserting the same new member at once: the loser's IntegrityError
    is retried once and then sees the winner's row."""
    from sqlalchemy.exc import IntegrityError

    from loyalty_pos.headoffice import records

    real, calls = records._store_records, []

    def racing(*args: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO ho_members", {}, Exception("duplicate key"))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "_store_records", racing)
    till = service.register(11)
    answer = service.push_records(till, [message(1)], [snapshot(M1)])
    assert answer.status_code == 200 and answer.json()["new"] == 1 and len(calls) == 2


def test_a_member_in_the_answer_brings_its_balance_at_other_tills(service: Service,
                                                                  tmp_path: Path) -> None:
    """A till pushes its ledger before its records: M1's balance rows precede its member
    row. Till 12 pulling in between gets a balance of a member it does not know (it cannot
    apply it); the answer with the member carries the balance again. A new till paging one
    row at a time gets every member with its balance too."""
    eleven, twelve = service.register(11), service.register(12)
    service.push_ledger(eleven, HandLedger(eleven).add(
        Movement(M1, 1000, kind="top_up"), Movement(M1, 50, "points", "earn")).file(
        tmp_path, service.secret))
    between = service.changes(twelve)
    assert between["members"] == [] and [b["member"] for b in between["balances"]] == [M1]
    service.push_records(eleven, [], [snapshot(M1)])
    after = service.changes(twelve, since=between["cursor"])
    assert [m["uuid"] for m in after["members"]] == [M1]
    assert after["balances"] == [{"member": M1, "points": 50, "stored_value": 1000}]
    # a new till pages through the whole log one row at a time
    thirteen = service.register(13)
    known: set[str] = set()
    balances: dict[str, tuple[int, int]] = {}
    cursor, more = 0, True
    while more:
        page = service.changes(thirteen, since=cursor, limit=1)
        known |= {m["uuid"] for m in page["members"]}
        balances |= {b["member"]: (b["points"], b["stored_value"]) for b in page["balances"]
                     if b["member"] in known}  # what a till can apply
        cursor, more = page["cursor"], page["more"]
    assert balances == {M1: (50, 1000)}
    # its own member and movements: till 11 gets no balance back
    assert service.changes(eleven)["balances"] == []


# -- refused records: a card of another member, times in the future, a sale id held ----------


CARD = "2000000000015"


def _card(number: str = CARD, issued_at: str = "2026-11-01T08:00:00Z") -> dict[str, object]:
    return {"number": number, "status": "active", "issued_at": issued_at, "blocked_at": None,
            "block_reason": None}


def _held(db: HeadOfficeDb, till_number: int) -> tuple[int, list[str], dict[str, str]]:
    """Messages held of the till, the members held, card number -> member."""
    from loyalty_pos.headoffice.models import HOCard, HOTill

    with db.sessions() as session:
        messages = session.scalar(select(func.count()).select_from(HOMessage).join(
            HOTill, HOTill.id == HOMessage.till_id).where(HOTill.number == till_number))
        members = list(session.scalars(select(HOMember.uuid).order_by(HOMember.uuid)))
        cards = dict(session.execute(
            select(HOCard.number, HOCard.member_uuid)).all())
    return int(messages or 0), members, cards


def test_a_card_held_for_another_member_is_422_and_nothing_is_stored(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    assert service.push_records(eleven, [], [snapshot(M1, cards=[_card()])]).status_code == 200
    answer = service.push_records(twelve, [message(1)], [
        snapshot(M2, "2026-11-20T10:00:00Z", cards=[_card()])])
    assert answer.status_code == 422, answer.text
    assert CARD in answer.json()["detail"] and M1 in answer.json()["detail"]
    assert _held(service.db, 12) == (0, [M1], {CARD: M1})
    assert _refusals(service.db) == ["records"]
    # an older snapshot claiming it is refused too, and two members of one push claiming one
    # new card; the card's own member and a new card of M2 are fine
    older = service.push_records(twelve, [], [snapshot(M2, "2026-11-19T00:00:00Z",
                                                       cards=[_card()])])
    assert older.status_code == 422
    both = service.push_records(twelve, [], [snapshot(M1, cards=[_card("2000000000022")]),
                                             snapshot(M2, cards=[_card("2000000000022")])])
    assert both.status_code == 422 and "2000000000022" in both.json()["detail"]
    assert _held(service.db, 12) == (0, [M1], {CARD: M1})
    fine = service.push_records(twelve, [message(1)], [
        snapshot(M1, "2026-11-20T11:00:00Z", cards=[_card()]),
        snapshot(M2, cards=[_card("2000000000039")])])
    assert fine.status_code == 200, fine.text
    assert _held(service.db, 12) == (1, [M1, M2], {CARD: M1, "2000000000039": M2})


@pytest.mark.parametrize("field", ["updated_at", "enrolled_at", "first_purchase_at",
                                   "cards[0].issued_at", "cards[0].blocked_at"])
def test_a_snapshot_time_more_than_a_day_ahead_is_400_naming_the_field(
        service: Service, field: str) -> None:
    """Newest-wins by updated_at: a snapshot dated next year would freeze the member for every
    other till until then."""
    till = service.register(11)
    ahead = "2026-11-21T09:00:01Z"  # head office's clock is 2026-11-20 09:00 UTC
    if field.startswith("cards"):
        card = _card() | {field.partition(".")[2]: ahead}
        member = snapshot(M1, cards=[card])
    else:
        member = snapshot(M1, **{field: ahead})
    answer = service.push_records(till, [message(1)], [snapshot(M2, cards=[]), member])
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["detail"] and M1 in answer.json()["detail"]
    assert _held(service.db, 11) == (0, [], {})
    # a till's clock a little ahead is fine
    within = "2026-11-21T08:59:00Z"
    card = _card() | ({field.partition(".")[2]: within} if field.startswith("cards") else {})
    fine = snapshot(M1, cards=[card], **({} if field.startswith("cards") else {field: within}))
    assert service.push_records(till, [message(1)], [fine]).status_code == 200


def test_a_sale_or_refund_id_held_from_another_till_or_with_other_content_is_422(
        service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    assert service.push_records(eleven, [message(1)]).status_code == 200
    # the same sale id from another till: 422, and nothing of the push is stored
    answer = service.push_records(twelve, [message(2, ref="own"), message(1)])
    assert answer.status_code == 422, answer.text
    assert "sale-1" in answer.json()["detail"] and "till_id" in answer.json()["detail"]
    assert _held(service.db, 12)[0] == 0
    assert _refusals(service.db) == ["records"]
    # the same sale under another message id of the same till: a duplicate, fine
    again = message(1) | {"id": 2}
    assert service.push_records(eleven, [again]).json() == {
        "stored_through": 2, "new": 1, "duplicate": 0}
    # ... with other content: 422
    other = message(1) | {"id": 3}
    other["payload"] = other["payload"] | {"total": 999}
    answer = service.push_records(eleven, [other])
    assert answer.status_code == 422 and "total" in answer.json()["detail"]
    refund = message(4, "refund", "refund-1", refund_id="refund-1", sale_id="sale-1",
                     at="2026-11-20T10:00:00", amount=500)
    assert service.push_records(eleven, [refund]).status_code == 200
    answer = service.push_records(twelve, [refund])
    assert answer.status_code == 422 and "refund-1" in answer.json()["detail"]
    assert _refusals(service.db) == ["records"] * 3
    with service.db.sessions() as session:
        sale, held_refund = session.get(HOSale, "sale-1"), session.get(HORefund, "refund-1")
        assert sale is not None and sale.total == 1250
        assert held_refund is not None and held_refund.amount == 500
        assert session.scalar(select(func.count()).select_from(HOSale)) == 1
