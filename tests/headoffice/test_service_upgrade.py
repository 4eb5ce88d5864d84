"""Upgrading a head office of revision 0001 that already holds ledger entries (house style:
upgrades are tested against databases of earlier releases), on SQLite and PostgreSQL: tills
keep their rows and become registrable, the balance aggregate and the change log are filled
from the entries already held, and the service then serves them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import URL, create_engine, text
from test_service_helpers import Service

from loyalty_pos.headoffice.balances import chain_balances
from loyalty_pos.headoffice.db import HeadOfficeDb, alembic_config, database_url, make_engine

A, B = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
_numbers = itertools.count(1)


@pytest.fixture
def old_database(dialect: str, request: pytest.FixtureRequest, tmp_path: Path
                 ) -> Iterator[URL]:
    """An empty database brought to revision 0001 only."""
    if dialect == "sqlite":
        url = database_url(tmp_path / "release-0001.sqlite")
    else:
        cluster = request.getfixturevalue("postgresql_cluster")
        name = f"ho_upgrade_{next(_numbers)}"
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = cluster.database_url(name)
    engine = make_engine(url)
    with engine.begin() as connection:
        config = alembic_config(url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    yield url


def _entry(till: int, seq: int, member: str, ledger: str, kind: str, amount: int
           ) -> dict[str, object]:
    return {"till_id": till, "seq": seq, "store_id": 1, "entry_id": f"e-{till}-{seq}",
            "origin_store_id": 1, "origin_till_id": 1, "created_at": "2026-11-01T10:00:00Z",
            "ledger": ledger, "kind": kind, "member_uuid": member, "amount": amount,
            "prev_hash": "0" * 64, "hash": f"{till}{seq}".ljust(64, "0"),
            "received_at": datetime(2026, 11, 1, 11), "source": "file", "import_id": None}


def test_upgrading_a_0001_database_with_entries(old_database: URL) -> None:
    engine = make_engine(old_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO stores (id, code, name, created_at) "
                                "VALUES (1, 'S001', 'Main', :at)"), {"at": datetime(2026, 1, 1)})
        connection.execute(text(
            "INSERT INTO tills (id, number, store_id, origin_till_id, origin_store_id, "
            "registered_at) VALUES (1, 11, 1, 1, 1, :at), (2, 12, 1, 1, 1, :at)"),
            {"at": datetime(2026, 1, 1)})
        columns = list(_entry(1, 1, A, "points", "earn", 0))
        connection.execute(text(
            f"INSERT INTO ho_ledger_entries ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"), [
            _entry(1, 1, A, "stored_value", "top_up", 1000),
            _entry(1, 2, A, "points", "earn", 30),
            _entry(2, 1, A, "stored_value", "spend", -400),
            _entry(2, 2, A, "stored_value", "remote_sync", 1000),
            _entry(2, 3, B, "points", "earn", 7)])
    engine.dispose()
    db = HeadOfficeDb.open(old_database)  # upgrades to the newest revision
    try:
        with db.sessions() as session:
            balances = chain_balances(session)
        assert {uuid: (b.points, b.stored_value) for uuid, b in balances.items()} == {
            A: (30, 600), B: (7, 0)}
        service = Service(db)
        twelve = service.register(12)  # an old till row can be registered
        answer = service.changes(twelve)
        assert {b["member"]: (b["points"], b["stored_value"]) for b in answer["balances"]} == {
            A: (30, 1000)}  # A's movements at till 11; B has none elsewhere
    finally:
        db.close()
