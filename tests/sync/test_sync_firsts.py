"""A member's "firsts" across tills (real tills, real head office: create_app on SQLite through
a TestClient): the first purchase (`first_purchase_at`) and the referral reward already paid
(`referral_rewarded`) travel in the member snapshot and are merged one way only, so a
first-purchase promotion and a referral reward are paid once in the chain once the tills have
synced, whatever order the snapshots reach head office and the tills in."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from test_sync_headoffice import (
    HeadOffice,
    ho,  # noqa: F401  (the head-office fixture)
    make_chain_till,
    register,
    sync,
)

from loyalty_pos.cli import main as till_main
from loyalty_pos.headoffice.models import CHANGE_MEMBER, HOChange, HOLedgerEntry, HOMember, HOTill
from loyalty_pos.headoffice.publish import publish_promotions
from loyalty_pos.sync.client import SyncClient
from loyalty_pos.sync.pull import pull_changes
from loyalty_pos.sync.state import read_sync_settings

FIRST = {"code": "FIRST10", "name": "10% off a member's first purchase",
         "effect": "percent_discount", "value": 10, "first_purchase": True}
BASKET = [("BREAD", 2)]  # 20.00: qualifies for the referral (10.00), FIRST10 takes 2.00 off


def chain(make_till, office: HeadOffice):  # type: ignore[no-untyped-def]
    """Two registered tills that hold the first-purchase promotion."""
    office.publish(publish_promotions, [FIRST])
    tills = []
    for name, number in (("till31", 31), ("till32", 32)):
        till = make_chain_till(make_till, name, number)
        register(till, office)
        tills.append(till)
    return tills


def member_id(till, uuid: str) -> int:  # type: ignore[no-untyped-def]
    found = till.scalar("SELECT id FROM members WHERE uuid = ?", uuid)
    assert isinstance(found, int), f"member {uuid} is not at this till"
    return found


def firsts(till, uuid: str) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    [row] = till.rows("SELECT first_purchase_at, referral_rewarded FROM members WHERE uuid = ?",
                      uuid)
    return row


def held(office: HeadOffice, uuid: str) -> HOMember:
    with office.db.sessions() as session:
        member = session.get(HOMember, uuid)
        assert member is not None
        session.expunge(member)
        return member


def first_applied(till, member: int) -> bool:  # type: ignore[no-untyped-def]
    outcome = next(o for o in till.checkout.quote(BASKET, member).outcomes
                   if o.code == FIRST["code"])
    return outcome.applied


def referral_entries(office: HeadOffice) -> list[tuple[int, str, int]]:
    with office.db.sessions() as session:
        return [(number, uuid, amount) for number, uuid, amount in session.execute(
            select(HOTill.number, HOLedgerEntry.member_uuid, HOLedgerEntry.amount)
            .join(HOTill, HOTill.id == HOLedgerEntry.till_id)
            .where(HOLedgerEntry.kind == "referral").order_by(HOLedgerEntry.seq))]


def pull_only(till, office: HeadOffice) -> int:  # type: ignore[no-untyped-def]
    """The pull step alone (nothing pushed first): what a till applies while it holds local
    changes head office has not seen yet."""
    with till.db.sessions() as session:
        key = read_sync_settings(session)["sync.till_key"]
    client = SyncClient("http://headoffice.test", till.ctx.till_number, key, http=office.http)
    return pull_changes(till.db, client, till.clock)


def stamp(value: object) -> datetime:
    """A time as the till stores it (SQLite text) or head office returns it."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_first_purchase_promotion_and_referral_are_paid_once_across_tills(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till_a, till_b = chain(make_till, ho)
    ann = till_a.enrol("Ann Lee")
    bo = till_a.enrol("Bo Chen", referral_code=ann.referral_code).summary
    assert sync(till_a, ho).ok and sync(till_b, ho).ok
    bo_at_b = member_id(till_b, bo.uuid)
    assert firsts(till_b, bo.uuid) == (None, 0)
    assert first_applied(till_b, bo_at_b)  # till B would pay it: Bo has bought nothing yet

    sale = till_a.sell(BASKET, bo.id)
    assert (sale.total, sale.referral_rewards) == (1800, 100 + 200)
    first_at, rewarded = firsts(till_a, bo.uuid)
    assert first_at is not None and rewarded == 1
    # the sale's outbox message names Bo, so Bo's snapshot goes in the same push
    payload = json.loads(till_a.scalar(
        "SELECT payload FROM outbox WHERE topic = 'sale' AND ref = ?", sale.sale_id))
    assert payload["member"] == bo.uuid

    assert sync(till_a, ho).ok
    stored = held(ho, bo.uuid)
    assert (stored.first_purchase_at, stored.referral_rewarded) == (stamp(first_at), True)
    with ho.db.sessions() as session:  # a change other tills pull, from till A's push
        origins = session.execute(select(HOTill.number).join(
            HOChange, HOChange.origin_till_id == HOTill.id).where(
            HOChange.kind == CHANGE_MEMBER, HOChange.key == bo.uuid)).scalars().all()
    assert origins and origins[-1] == 31

    assert sync(till_b, ho).ok
    assert firsts(till_b, bo.uuid) == (first_at, 1)
    assert not first_applied(till_b, bo_at_b)
    again = till_b.sell(BASKET, bo_at_b)
    assert (again.total, again.referral_rewards) == (2000, 0)
    assert till_b.scalar("SELECT discount_total FROM sales WHERE id = ?", again.sale_id) == 0
    assert till_b.scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'referral'") == 0
    assert firsts(till_b, bo.uuid) == (first_at, 1)  # a later sale keeps the first one

    assert sync(till_b, ho).ok and sync(till_a, ho).ok
    assert referral_entries(ho) == [(31, bo.uuid, 100), (31, ann.summary.uuid, 200)]
    stored = held(ho, bo.uuid)
    assert (stored.first_purchase_at, stored.referral_rewarded) == (stamp(first_at), True)
    assert firsts(till_a, bo.uuid) == (first_at, 1)
    ann_at_b = member_id(till_b, ann.summary.uuid)
    assert till_b.members.details(ann_at_b).summary.points_balance == 200  # paid once
    assert till_a.members.details(ann.summary.id).summary.points_balance == 200
    for till in (till_a, till_b):
        assert not till.problems()
        assert till_main(["verify", "--db", str(till.db.path)]) == 0


def test_an_older_snapshot_arriving_after_a_newer_one_keeps_the_firsts(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till_a, till_b = chain(make_till, ho)
    ann = till_a.enrol("Ann Lee")
    bo = till_a.enrol("Bo Chen", referral_code=ann.referral_code).summary
    assert sync(till_a, ho).ok and sync(till_b, ho).ok
    bo_at_b = member_id(till_b, bo.uuid)

    # till B edits Bo at 13:00 and reaches head office first: its snapshot is the newer one
    till_b.clock.advance(hours=1)
    till_b.members.update(bo_at_b, till_b.cashier_id, name="Bo Chen-Li", phone=bo.phone,
                          email=None, birthday=None, notes="")
    assert sync(till_b, ho).ok
    assert (held(ho, bo.uuid).name, held(ho, bo.uuid).first_purchase_at) == ("Bo Chen-Li", None)

    # till A, which had not pulled that, sells Bo's first purchase at 12:10 and syncs later:
    # its snapshot (updated 12:10) is older than head office's (13:00)
    till_a.clock.advance(minutes=10)
    sale = till_a.sell(BASKET, bo.id)
    assert (sale.total, sale.referral_rewards) == (1800, 300)
    first_at, _ = firsts(till_a, bo.uuid)
    assert sync(till_a, ho).ok
    stored = held(ho, bo.uuid)
    assert (stored.name, stored.updated_at) == ("Bo Chen-Li", till_b.clock().replace(tzinfo=None))
    assert (stored.first_purchase_at, stored.referral_rewarded) == (stamp(first_at), True)
    # till A pulled the merged member back in the same sync: the newer name, its own firsts
    assert till_a.members.details(bo.id).summary.name == "Bo Chen-Li"
    assert firsts(till_a, bo.uuid) == (first_at, 1)

    # till B edits Bo again at 14:00 and pulls before pushing: head office's snapshot (13:00)
    # is older than till B's member, yet its firsts are taken; the local edit stays
    till_b.clock.advance(hours=1)
    till_b.members.update(bo_at_b, till_b.cashier_id, name="Bo Li", phone=bo.phone,
                          email=None, birthday=None, notes="")
    assert pull_only(till_b, ho) >= 1
    assert till_b.members.details(bo_at_b).summary.name == "Bo Li"
    assert firsts(till_b, bo.uuid) == (first_at, 1)

    # so till B pays neither the first-purchase promotion nor the referral reward again
    assert not first_applied(till_b, bo_at_b)
    again = till_b.sell(BASKET, bo_at_b)
    assert (again.total, again.referral_rewards) == (2000, 0)

    # till B's newer snapshot (with the firsts) wins at head office; nothing goes back
    assert sync(till_b, ho).ok and sync(till_a, ho).ok
    stored = held(ho, bo.uuid)
    assert (stored.name, stored.first_purchase_at, stored.referral_rewarded) == (
        "Bo Li", stamp(first_at), True)
    assert till_a.members.details(bo.id).summary.name == "Bo Li"
    assert firsts(till_a, bo.uuid) == firsts(till_b, bo.uuid) == (first_at, 1)
    assert referral_entries(ho) == [(31, bo.uuid, 100), (31, ann.summary.uuid, 200)]
    for till in (till_a, till_b):
        assert not till.problems()
