"""A member's balance reaches another till even when its balance rows come before the member
(two real tills, the real head office: create_app on SQLite through a TestClient).

A till pushes its ledger before its records, so head office's `balance` change rows of a new
member get lower ids than its `member` row. A till pulling between the two (or a new till
paging through the change log with a small limit) gets the balance of a member it does not
know yet and cannot apply it; head office sends the balance again with the member."""

from __future__ import annotations

import httpx
from test_sync_headoffice import (
    HeadOffice,
    ho,  # noqa: F401  (the head-office fixture)
    make_chain_till,
    register,
    sync,
    trade,
)

from loyalty_pos.sync import pull
from loyalty_pos.sync.cycle import sync_once


def balance(till, uuid: str) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    rows = till.rows("SELECT points_balance, stored_value_balance FROM members WHERE uuid = ?",
                     uuid)
    return tuple(rows[0]) if rows else None  # type: ignore[return-value]


def test_a_till_pulling_between_the_ledger_and_the_records_gets_the_balance(
        make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till1 = make_chain_till(make_till, "till21", 21)
    till2 = make_chain_till(make_till, "till22", 22)
    for till in (till1, till2):
        register(till, ho)
    tess = trade(till1, "13900000031")
    uuid = tess.summary.uuid

    class RecordsLost:  # the line drops after the ledger push
        def request(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
            if url.endswith("/v1/records"):
                raise httpx.ConnectError("the line dropped")
            return ho.http.request(method, url, **kwargs)  # type: ignore[arg-type]

        def close(self) -> None:
            pass

    sync_once(till1.db, http=RecordsLost(), clock=till1.clock)  # type: ignore[arg-type]
    assert till1.scalar("SELECT count(*) FROM outbox WHERE acked_at IS NULL") > 0
    assert sync(till2, ho).ok  # the balance arrives before the member: not applicable yet
    assert balance(till2, uuid) is None
    assert sync(till1, ho).ok  # now the records
    assert sync(till2, ho).ok
    assert balance(till2, uuid) == balance(till1, uuid) != (0, 0)


def test_a_new_till_paging_through_the_history_gets_every_balance(
        make_till, ho: HeadOffice, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    till1 = make_chain_till(make_till, "till21", 21)
    register(till1, ho)
    members = [trade(till1, f"1390000004{n}", name=f"Member {n}").summary.uuid
               for n in range(3)]
    assert sync(till1, ho).ok
    newcomer = make_chain_till(make_till, "till23", 23)
    register(newcomer, ho)
    monkeypatch.setattr(pull, "PULL_LIMIT", 1)
    assert sync(newcomer, ho).ok
    for uuid in members:
        assert balance(newcomer, uuid) == balance(till1, uuid) != (0, 0)
