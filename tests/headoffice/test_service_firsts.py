"""A member's "firsts" at head office on SQLite and PostgreSQL: `first_purchase_at` (the
earliest any snapshot carried) and `referral_rewarded` (true once any snapshot said so) are
merged from every pushed snapshot whatever its `updated_at` and whatever order snapshots arrive
in, never undone; the change log lets every till, the pushing one too when head office holds
something else than it sent, pull the merged member."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from test_service_helpers import Service, snapshot

from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.models import CHANGE_MEMBER, HOChange, HOMember

M1 = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def service(headoffice: HeadOfficeDb) -> Service:
    return Service(headoffice)


def stored(service: Service) -> tuple[str, datetime, datetime | None, bool]:
    with service.db.sessions() as session:
        member = session.get(HOMember, M1)
        assert member is not None
        return (member.name, member.updated_at, member.first_purchase_at,
                member.referral_rewarded)


def member_changes(service: Service) -> list[int | None]:
    """The origin till (head office's id) of every member change row, in order."""
    with service.db.sessions() as session:
        return list(session.scalars(select(HOChange.origin_till_id).where(
            HOChange.kind == CHANGE_MEMBER, HOChange.key == M1).order_by(HOChange.id)))


def pulled(service: Service, till: Any, since: int = 0) -> dict[str, Any] | None:
    members = [m for m in service.changes(till, since=since)["members"] if m["uuid"] == M1]
    return members[0] if members else None


def push(service: Service, till: Any, *snapshots: dict[str, Any]) -> None:
    answer = service.push_records(till, [], list(snapshots))
    assert answer.status_code == 200, answer.text


def test_the_firsts_merge_one_way_whatever_the_order(service: Service) -> None:
    eleven, twelve = service.register(11), service.register(12)
    # till 11: the first purchase at 09:30 paid the referral reward (snapshot of 09:30)
    push(service, eleven, snapshot(M1, "2026-11-20T09:30:00Z", first_purchase_at=(
        "2026-11-20T09:30:00Z"), referral_rewarded=True))
    assert stored(service)[2:] == (datetime(2026, 11, 20, 9, 30), True)
    assert member_changes(service) == [1]
    assert pulled(service, eleven) is None  # its own change

    # till 12 had not pulled: a newer snapshot (an edit at 10:00) without the firsts
    push(service, twelve, snapshot(M1, "2026-11-20T10:00:00Z", name="Newer"))
    assert stored(service) == ("Newer", datetime(2026, 11, 20, 10), datetime(2026, 11, 20, 9, 30),
                               True)
    # head office now holds something else than till 12 sent: the change names no till, so
    # till 12 pulls the merged member back (and till 11 the newer name)
    assert member_changes(service) == [1, None]
    for till in (eleven, twelve):
        member = pulled(service, till)
        assert member is not None
        assert (member["name"], member["first_purchase_at"], member["referral_rewarded"]) == (
            "Newer", "2026-11-20T09:30:00Z", True)

    # an older snapshot (08:00) with an earlier first purchase: its firsts count, the rest not
    push(service, twelve, snapshot(M1, "2026-11-20T08:00:00Z", name="Oldest",
                                   first_purchase_at="2026-11-20T09:00:00+00:00"))
    assert stored(service) == ("Newer", datetime(2026, 11, 20, 10), datetime(2026, 11, 20, 9),
                               True)
    assert member_changes(service) == [1, None, None]
    member = pulled(service, eleven, since=2)
    assert member is not None and member["first_purchase_at"] == "2026-11-20T09:00:00Z"

    # a newer snapshot with a later first purchase and no reward moves neither back
    push(service, eleven, snapshot(M1, "2026-11-20T11:00:00Z", name="Newest",
                                   first_purchase_at="2026-11-20T10:45:00Z",
                                   referral_rewarded=False))
    assert stored(service) == ("Newest", datetime(2026, 11, 20, 11), datetime(2026, 11, 20, 9),
                               True)
    # an older snapshot bringing nothing new is no change at all
    changes_before = member_changes(service)
    push(service, twelve, snapshot(M1, "2026-11-20T08:00:00Z", name="Oldest",
                                   first_purchase_at="2026-11-20T09:15:00Z",
                                   referral_rewarded=True))
    assert member_changes(service) == changes_before
    assert stored(service)[2:] == (datetime(2026, 11, 20, 9), True)


def test_a_newer_snapshot_that_agrees_is_attributed_to_its_till(service: Service) -> None:
    """What tills send in the common case (they pulled the firsts before): the change is the
    pushing till's own, so it does not pull its own member back."""
    eleven, twelve = service.register(11), service.register(12)
    firsts = {"first_purchase_at": "2026-11-20T09:30:00.000000Z", "referral_rewarded": True}
    push(service, eleven, snapshot(M1, "2026-11-20T09:30:00Z", **firsts))
    since = service.changes(twelve)["cursor"]
    push(service, twelve, snapshot(M1, "2026-11-20T10:00:00Z", name="Edited", **firsts))
    assert member_changes(service) == [1, 2]
    assert pulled(service, twelve, since) is None
    assert pulled(service, eleven)["name"] == "Edited"  # type: ignore[index]


def test_the_firsts_of_every_snapshot_in_one_push_count(service: Service) -> None:
    eleven = service.register(11)
    push(service, eleven,
         snapshot(M1, "2026-11-20T09:00:00Z", first_purchase_at="2026-11-20T08:50:00Z",
                  referral_rewarded=True),
         snapshot(M1, "2026-11-20T10:00:00Z", name="Later"))
    assert stored(service) == ("Later", datetime(2026, 11, 20, 10), datetime(2026, 11, 20, 8, 50),
                               True)


def test_a_snapshot_without_the_firsts_is_taken_and_clears_nothing(service: Service) -> None:
    """A till of the version before the firsts travelled sends neither field."""
    eleven = service.register(11)
    push(service, eleven, snapshot(M1, "2026-11-20T09:00:00Z",
                                   first_purchase_at="2026-11-20T09:00:00Z",
                                   referral_rewarded=True))
    old_style = snapshot(M1, "2026-11-20T10:00:00Z", name="Old till")
    assert "first_purchase_at" not in old_style
    push(service, eleven, old_style)
    assert stored(service)[0] == "Old till"
    assert stored(service)[2:] == (datetime(2026, 11, 20, 9), True)


@pytest.mark.parametrize("field, value", [("referral_rewarded", "perhaps"),
                                          ("first_purchase_at", "yesterday"),
                                          ("referral_rewarded", None)])
def test_malformed_firsts_are_400_and_nothing_is_stored(service: Service, field: str,
                                                        value: object) -> None:
    eleven = service.register(11)
    answer = service.push_records(eleven, [], [snapshot(M1, **{field: value})])
    assert answer.status_code == 400, answer.text
    with service.db.sessions() as session:
        assert session.get(HOMember, M1) is None
