"""Balances across tills, end to end (two real tills, the real head office: create_app on
SQLite through a TestClient): points copied from another till (`remote_sync` lots) expire
once in the chain, at the till that earned them; a mirrored debit takes the copies first; a
stored-value debit a till could not take when it arrived is taken later, and the overdraft
stays visible at head office."""

from __future__ import annotations

from test_sync_headoffice import (
    HeadOffice,
    ho,  # noqa: F401  (the head-office fixture)
    make_chain_till,
    register,
    sync,
)

from loyalty_pos.cli import main as till_main
from loyalty_pos.headoffice.balances import chain_balances, member_balance, overdrafts
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.lookup import member_summary

PAST_EXPIRY = 400  # days: lots earned on day 0 (12 months) are past their date


def chain(make_till, office: HeadOffice):  # type: ignore[no-untyped-def]
    """Tills 21 and 22 of the chain, registered (each its own clock)."""
    tills = []
    for name, number in (("till21", 21), ("till22", 22)):
        till = make_chain_till(make_till, name, number)
        register(till, office)
        tills.append(till)
    return tills


def sync_all(office: HeadOffice, *tills) -> None:  # type: ignore[no-untyped-def]
    """Every till syncs twice, in turn: whatever one pushed, every other pulled."""
    for _ in range(2):
        for till in tills:
            report = sync(till, office)
            assert report.ok, report.error


def member_id(till, uuid: str) -> int:  # type: ignore[no-untyped-def]
    found = till.scalar("SELECT id FROM members WHERE uuid = ?", uuid)
    assert isinstance(found, int), f"member {uuid} is not at till {till.ctx.till_number}"
    return found


def balance(till, uuid: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return tuple(till.rows("SELECT points_balance, stored_value_balance FROM members "  # type: ignore[return-value]
                           "WHERE uuid = ?", uuid)[0])


def chain_wide(office: HeadOffice, uuid: str) -> tuple[int, int]:
    with office.db.sessions() as session:
        found = member_balance(session, uuid)
        assert chain_balances(session).get(uuid, found) == found
        return found.points, found.stored_value


def verified(*tills) -> None:  # type: ignore[no-untyped-def]
    for till in tills:
        assert not till.problems(), till.problems()
        assert till_main(["verify", "--db", str(till.db.path)]) == 0


def past_expiry(*tills) -> None:  # type: ignore[no-untyped-def]
    for till in tills:
        till.clock.advance(days=PAST_EXPIRY)


# -- H1: points copied from another till expire once -------------------------------------------


def test_points_copied_from_another_till_expire_once_in_the_chain(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till21, till22 = chain(make_till, ho)
    tess = till21.enrol("Tess Traveller", phone="13900000701").summary
    till21.balances.adjust_points(tess.id, 1500, "points earned at till 21", till21.manager_id)
    sync_all(ho, till21, till22)
    assert balance(till22, tess.uuid)[0] == 1500 and chain_wide(ho, tess.uuid)[0] == 1500
    # the copy at till 22 is not shown as expiring there: till 21 expires those points
    copy = member_summary(till22.raw(), member_id(till22, tess.uuid), till22.clock.today)
    assert (copy.points_balance, copy.soonest_expiry, copy.soonest_expiry_points) == (
        1500, None, 0)
    own = member_summary(till21.raw(), tess.id, till21.clock.today)
    assert own.soonest_expiry is not None and own.soonest_expiry_points == 1500

    past_expiry(till21, till22)
    assert till21.balances.run_expiry() == 1500
    assert till22.balances.run_expiry() == 0  # the copy: not expired a second time
    assert till22.scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'expire'") == 0
    sync_all(ho, till21, till22)

    assert chain_wide(ho, tess.uuid)[0] == 0
    assert balance(till21, tess.uuid)[0] == 0 and balance(till22, tess.uuid)[0] == 0
    # till 21's expiry arrived at till 22 as a negative remote_sync that took the copy
    assert till22.rows("SELECT amount FROM ledger_entries WHERE kind = 'remote_sync' "
                       "AND ledger = 'points' ORDER BY seq") == [(1500,), (-1500,)]
    assert till22.scalar("SELECT SUM(remaining) FROM point_lots") == 0
    assert till21.balances.run_expiry() == 0 and till22.balances.run_expiry() == 0
    verified(till21, till22)


def test_points_spent_from_the_copy_leave_nothing_to_expire_at_the_till_that_earned_them(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till21, till22 = chain(make_till, ho)
    tess = till21.enrol("Tess Traveller", phone="13900000702").summary
    till21.balances.adjust_points(tess.id, 1500, "points earned at till 21", till21.manager_id)
    sync_all(ho, till21, till22)
    there = member_id(till22, tess.uuid)
    till22.balances.adjust_points(there, -1500, "points spent at till 22", till22.manager_id)
    sync_all(ho, till22, till21)  # till 21 pulls the spend before its lot expires
    assert balance(till21, tess.uuid)[0] == 0 and chain_wide(ho, tess.uuid)[0] == 0

    past_expiry(till21, till22)
    assert till21.balances.run_expiry() == 0
    assert till22.balances.run_expiry() == 0
    sync_all(ho, till21, till22)
    assert chain_wide(ho, tess.uuid)[0] == 0
    assert balance(till21, tess.uuid)[0] == 0 and balance(till22, tess.uuid)[0] == 0
    verified(till21, till22)


def test_a_mirrored_expiry_takes_the_copies_before_the_tills_own_points(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Till 22 holds 200 points of its own, expiring sooner than the lot the 1500-point copy
    of till 21's points made there. Till 21's expiry arrives at till 22 before till 22 runs
    its own: it must take the copy, not the soonest lot, so that till 22's own 200 points
    still expire there."""
    till21, till22 = chain(make_till, ho)
    tess = till21.enrol("Tess Traveller", phone="13900000703").summary
    sync_all(ho, till21, till22)
    there = member_id(till22, tess.uuid)
    till22.balances.adjust_points(there, 200, "points earned at till 22", till22.manager_id)
    for till in (till21, till22):
        till.clock.advance(days=30)
    till21.balances.adjust_points(tess.id, 1500, "points earned at till 21", till21.manager_id)
    sync_all(ho, till21, till22)
    assert chain_wide(ho, tess.uuid)[0] == 1700
    assert balance(till21, tess.uuid)[0] == 1700 and balance(till22, tess.uuid)[0] == 1700
    assert till22.rows("SELECT l.expires_on < c.expires_on FROM point_lots l, point_lots c "
                       "JOIN ledger_entries e ON e.id = c.entry_id "
                       "WHERE e.kind = 'remote_sync' AND l.entry_id != c.entry_id") == [(1,)]

    past_expiry(till21, till22)
    assert till21.balances.run_expiry() == 1500
    sync_all(ho, till21, till22)  # till 22 pulls till 21's expiry before running its own
    assert balance(till22, tess.uuid)[0] == 200
    assert till22.balances.run_expiry() == 200
    sync_all(ho, till22, till21)
    assert chain_wide(ho, tess.uuid)[0] == 0
    assert balance(till21, tess.uuid)[0] == 0 and balance(till22, tess.uuid)[0] == 0
    verified(till21, till22)


# -- H3: a stored-value debit that could not be taken is taken later ---------------------------


def spend_stored_value(till, member: int, amount: int) -> None:  # type: ignore[no-untyped-def]
    assert amount % 5000 == 0  # gift wrap: 50.00, earns no points
    till.sell([("GIFT", amount // 5000)], member,
              payments=[PaymentRequest("stored_value", amount)])


def test_a_stored_value_debit_not_covered_when_it_arrived_is_taken_later(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till21, till22 = chain(make_till, ho)
    tess = till21.enrol("Tess Traveller", phone="13900000704").summary
    till21.balances.top_up(tess.id, 10_000, "cash", till21.cashier_id)
    sync_all(ho, till21, till22)
    there = member_id(till22, tess.uuid)
    assert balance(till22, tess.uuid)[1] == 10_000
    # both tills spend the 100.00 before either syncs
    till21.clock.advance(minutes=1)
    spend_stored_value(till21, tess.id, 10_000)
    till22.clock.advance(minutes=2)
    spend_stored_value(till22, there, 10_000)
    sync_all(ho, till21, till22)
    assert chain_wide(ho, tess.uuid)[1] == -10_000
    assert balance(till21, tess.uuid)[1] == 0 and balance(till22, tess.uuid)[1] == 0

    # an hour later 50.00 is topped up at till 21: the member still owes the chain 50.00
    for till in (till21, till22):
        till.clock.advance(hours=1)
    till21.balances.top_up(tess.id, 5000, "cash", till21.cashier_id)
    sync_all(ho, till21, till22)
    assert chain_wide(ho, tess.uuid)[1] == -5000
    assert balance(till21, tess.uuid)[1] == 0  # not 50.00 to spend again
    assert balance(till22, tess.uuid)[1] == 0
    # the conflict stays visible at head office
    with ho.db.sessions() as session:
        assert [(o.member_uuid, o.overdraft) for o in overdrafts(session)] == [
            (tess.uuid, 10_000)]
    # another 80.00 at till 22 covers the debt: 30.00 left, the same everywhere
    till22.balances.top_up(there, 8000, "cash", till22.cashier_id)
    sync_all(ho, till22, till21)
    assert chain_wide(ho, tess.uuid)[1] == 3000
    assert balance(till21, tess.uuid)[1] == 3000 and balance(till22, tess.uuid)[1] == 3000
    verified(till21, till22)
    for till in (till21, till22):  # settled: one more round changes nothing
        quiet = sync(till, ho)
        assert quiet.ok and (quiet.entries_pushed, quiet.changes_applied) == (0, 0), quiet
