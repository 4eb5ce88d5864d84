"""A till that traded before it was registered: registration queues its history (members,
consents, sales, refunds that have no outbox message yet) so head office knows its members and
sales, and another till recognises them after a pull. Real demo database, real head office
(create_app on SQLite through a TestClient)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from test_sync_headoffice import (
    ho,  # noqa: F401  (the head-office fixture)
    make_chain_till,
    register,
)

from loyalty_pos.db.engine import Database
from loyalty_pos.headoffice.keys import add_till
from loyalty_pos.headoffice.models import HOConsent, HOMember, HOSale
from loyalty_pos.services.context import chain_secret
from loyalty_pos.services.demo import create_demo
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.sync.cycle import register_till, sync_once

SERVER = "http://headoffice.test"


def demo_till(path: Path) -> Database:
    create_demo(path, members=40, seed=3, progress=lambda *_: None)
    return Database.open(path)


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def count(office, model) -> int:  # type: ignore[no-untyped-def]
    with office.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_registration_queues_history_once_and_head_office_receives_it(
        ho, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "demo.sqlite"
    db = demo_till(path)
    try:
        assert rows(path, "SELECT count(*) FROM outbox") == [(0,)]  # the demo writes none
        with ho.db.transaction() as session:
            code = add_till(session, "S001", 1, datetime.now(UTC).replace(tzinfo=None))[1]
        done = register_till(db, SERVER, code, http=ho.http)
        [(members,)] = rows(path, "SELECT count(*) FROM members")
        [(sales,)] = rows(path, "SELECT count(*) FROM sales WHERE till_id = 1")
        [(consents,)] = rows(path, "SELECT count(*) FROM consents WHERE till_id = 1")
        assert done.queued is not None
        assert (done.queued.members, done.queued.sales, done.queued.consents) == (
            members, sales, consents)
        assert members == 40 and sales > 0 and consents > 0

        report = sync_once(db, http=ho.http)
        assert report.ok and report.pending_messages == 0
        assert report.messages_pushed == done.queued.total
        assert count(ho, HOMember) == members
        assert count(ho, HOSale) == sales
        assert count(ho, HOConsent) == consents
        with ho.db.sessions() as session:
            total = session.scalar(select(func.sum(HOSale.total)))
        assert total == rows(path, "SELECT sum(total) FROM sales WHERE till_id = 1")[0][0]

        # registering again (a new key) queues nothing more, and nothing is sent twice
        with ho.db.transaction() as session:
            code = add_till(session, "S001", 1, datetime.now(UTC).replace(tzinfo=None))[1]
        again = register_till(db, SERVER, code, http=ho.http)
        assert again.queued is not None and again.queued.total == 0
        assert sync_once(db, http=ho.http).messages_pushed == 0
        assert count(ho, HOMember) == members
    finally:
        db.close()


def test_members_of_a_till_registered_late_are_found_at_another_till(
        ho, make_till, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "demo.sqlite"
    db = demo_till(path)
    try:
        with ho.db.transaction() as session:
            code = add_till(session, "S001", 1, datetime.now(UTC).replace(tzinfo=None))[1]
        register_till(db, SERVER, code, http=ho.http)
        assert sync_once(db, http=ho.http).ok
        [(card, uuid)] = rows(path, "SELECT c.number, m.uuid FROM cards c JOIN members m "
                                    "ON m.id = c.member_id WHERE c.status = 'active' "
                                    "ORDER BY m.id LIMIT 1")
        other = make_chain_till(make_till, "other", 7, store="S002")
        register(other, ho, store="S002")
        assert sync_once(other.db, http=ho.http, clock=other.clock).ok
        with other.db.transaction() as session:
            secret = chain_secret(session)
        found = MemberFinder(other.raw(), secret).by_card(card, other.clock.today)
        assert found is not None and found.uuid == uuid
    finally:
        db.close()
