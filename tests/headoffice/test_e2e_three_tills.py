"""End to end: three tills (three SQLite files, each its own till number and store) and a real
`loyalty-headoffice serve` subprocess on loopback, on SQLite and on PostgreSQL.

Each till is added at head office (`loyalty-headoffice add-till`), paired (`loyalty-pos
register`), trades with the till's own services (enrol, top up, sell earning points, redeem,
pay with stored value, refund) and syncs (`loyalty-pos sync`, then `sync_once`) until nothing
is pending and a whole round changes nothing. Then: members travel (a member enrolled at till
31 is found at till 33 by card and by phone, and spends there what they earned and topped up at
till 31); head office holds exactly the union of the tills' ledgers (till number, seq, hash),
each entry and outbox message once, no gaps; chain-wide totals (remote_sync left out) are the
sum of the tills' own entries, and every till's cached balance of every member is that
chain-wide balance; every till still passes `loyalty-pos verify`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import (
    ChainTill,
    HeadOfficeServer,
    add_till,
    chain_heads,
    headoffice_chain_totals,
    headoffice_entry_keys,
    headoffice_message_keys,
    open_gaps,
    pending,
    till_entry_keys,
    till_message_keys,
    till_own_totals,
)

from loyalty_pos.cli import main as till_cli
from loyalty_pos.headoffice.balances import chain_balances
from loyalty_pos.services.views import MemberDetails
from loyalty_pos.sync.cycle import sync_once

TILLS = ((31, "S031"), (32, "S032"), (33, "S033"))
MAX_ROUNDS = 6


@pytest.fixture
def chain(till_template, tmp_path: Path) -> Iterator[list[ChainTill]]:  # type: ignore[no-untyped-def]
    tills = [ChainTill.create(till_template.path, tmp_path, number, code,
                              till_template.cashier_id) for number, code in TILLS]
    yield tills
    for till in tills:
        till.close()


def register(till: ChainTill, server: HeadOfficeServer) -> None:
    code = add_till(server.db_url, till.store_code, till.number)
    assert till_cli(["register", "--db", str(till.path), "--server", server.url,
                     "--code", code]) == 0


def trade(till: ChainTill) -> MemberDetails:
    """Enrol a member and move both of their ledgers every way a till can."""
    member = till.enrol(f"Member of till {till.number}")
    member_id = member.summary.id
    till.top_up(member_id, 20_000)
    earned = till.sell([("TV", 1)], member_id)
    assert earned.points_earned > 0
    redeemed = till.sell([("TEA", 1)], member_id, points=500)
    assert redeemed.points_redeemed == 500
    till.sell([("BREAD", 2)], member_id, stored_value=2_000)
    till.refund(redeemed.sale_id)  # earned points taken back, redeemed points given back
    return member


def sync_until_settled(tills: list[ChainTill], server: HeadOfficeServer) -> int:
    """sync_once round after round until a whole round pushed nothing and wrote nothing
    anywhere: then every till pulled after every push (pulled balances write remote_sync
    entries, pushed the round after). The number of rounds."""
    for round_number in range(1, MAX_ROUNDS + 1):
        before = [till_entry_keys(till.path, till.number) for till in tills]
        reports = [sync_once(till.db) for till in tills]
        for report in reports:
            assert report.ok, f"{report.summary()}\nhead office's log:\n{server.log()}"
        after = [till_entry_keys(till.path, till.number) for till in tills]
        if (before == after and not any(r.entries_pushed or r.messages_pushed for r in reports)
                and all(pending(till.path) == (0, 0) for till in tills)):
            return round_number
    raise AssertionError(f"not settled after {MAX_ROUNDS} rounds: pending "
                         f"{[pending(till.path) for till in tills]}")


def check_headoffice_holds_the_union(server: HeadOfficeServer, tills: list[ChainTill]) -> None:
    assert server.db is not None
    held = headoffice_entry_keys(server.db)
    union = set().union(*(till_entry_keys(till.path, till.number) for till in tills))
    assert len(held) == len(set(held)), "an entry is held twice"
    assert set(held) == union
    assert open_gaps(server.db) == []
    assert chain_heads(server.db) == {till.number: max(seq for _, seq, _ in
                                                       till_entry_keys(till.path, till.number))
                                      for till in tills}
    messages = headoffice_message_keys(server.db)
    assert len(messages) == len(set(messages)), "an outbox message is held twice"
    assert set(messages) == set().union(*(till_message_keys(till.path, till.number)
                                          for till in tills))


def check_balances(server: HeadOfficeServer, tills: list[ChainTill]) -> None:
    assert server.db is not None
    expected: Counter[tuple[str, str]] = Counter()
    for till in tills:
        expected.update(till_own_totals(till.path))
    expected = Counter({key: value for key, value in expected.items() if value})
    totals = headoffice_chain_totals(server.db)
    assert totals == expected
    with server.db.sessions() as session:
        balances = chain_balances(session)
    assert {(uuid, ledger): amount for uuid, balance in balances.items()
            for ledger, amount in (("points", balance.points),
                                   ("stored_value", balance.stored_value)) if amount} == totals
    # here + elsewhere: every till's cached balance of every member is the chain-wide one
    for till in tills:
        cached = {(uuid, ledger): amount for uuid, points, stored in till.services.finder
                  .connection.execute("SELECT uuid, points_balance, stored_value_balance "
                                      "FROM members")
                  for ledger, amount in (("points", points), ("stored_value", stored))
                  if amount}
        assert cached == totals, f"till {till.number}"


def test_three_tills_trade_and_sync_through_a_real_service(
        dialect: str, serve_headoffice, chain: list[ChainTill]) -> None:  # type: ignore[no-untyped-def]
    server: HeadOfficeServer = serve_headoffice(dialect)
    assert server.health() == {"status": "ok", "version": server.health()["version"],  # type: ignore[index]
                               "database": dialect}
    for till in chain:
        register(till, server)
    members = [trade(till) for till in chain]

    for till in chain:  # the first round through the command a shop would run
        assert till_cli(["sync", "--db", str(till.path)]) == 0, server.log()
    sync_until_settled(chain, server)

    # a member enrolled at till 31 is known at till 33, by card and by phone
    first, far = members[0], chain[2]
    today = far.services.ctx.today()
    card = first.cards[0][0]
    found = far.services.finder.by_card(card, today)
    assert found.uuid == first.summary.uuid and found.name == "Member of till 31"
    assert [m.uuid for m in far.services.finder.search(first.summary.phone or "", today)] == [
        first.summary.uuid]
    # ... with what they hold chain-wide, and can spend it there
    at_31 = chain[0].member(first.summary.id)
    assert (found.points_balance, found.stored_value_balance) == (
        at_31.points_balance, at_31.stored_value_balance)
    assert found.points_balance >= 500 and found.stored_value_balance >= 3_000
    far.sell([("BREAD", 5)], found.id, points=500, stored_value=3_000)
    far.top_up(found.id, 1_000)

    sync_until_settled(chain, server)
    check_headoffice_holds_the_union(server, chain)
    check_balances(server, chain)
    known = [{uuid for (uuid,) in till.services.finder.connection.execute(
        "SELECT uuid FROM members")} for till in chain]
    assert all(k == {m.summary.uuid for m in members} for k in known)
    for till in chain:
        assert till_cli(["verify", "--db", str(till.path)]) == 0
