"""The till's sync against the real head-office service (headoffice/service.create_app on a
SQLite database in tmp_path, reached through a TestClient): register, push everything
idempotently, members and balances travelling between tills, resend after a lost answer,
refusals, an unreachable head office, and what head office publishes arriving at the till."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from loyalty_pos.cli import main as till_main
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.keys import add_till
from loyalty_pos.headoffice.models import HOLedgerEntry, HOMessage
from loyalty_pos.headoffice.publish import (
    publish_agreement,
    publish_promotions,
    publish_settings,
    publish_tiers,
)
from loyalty_pos.headoffice.service import create_app
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.context import TillContext, load_rules, load_tiers
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.sync.client import SyncRefused, SyncUnavailable
from loyalty_pos.sync.cycle import REFUSED, UNREACHABLE, SyncReport, register_till, sync_once
from loyalty_pos.sync.state import PUSHED_SEQ_KEY, read_sync_settings

MASTER = bytes.fromhex("5a" * 32)


@dataclass
class HeadOffice:
    db: HeadOfficeDb
    http: TestClient

    def add_till(self, store_code: str, number: int) -> str:
        with self.db.transaction() as session:
            return add_till(session, store_code, number, utc())[1]

    def count(self, model: type) -> int:
        with self.db.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def publish(self, publisher: Callable[..., object], *args: object) -> None:
        with self.db.transaction() as session:
            publisher(session, *args, utc())


def utc():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def ho(tmp_path: Path) -> Iterator[HeadOffice]:
    db = HeadOfficeDb.open(tmp_path / "headoffice.sqlite")
    with TestClient(create_app(db, MASTER)) as http:
        yield HeadOffice(db, http)
    db.close()


def make_chain_till(make_till, name: str, number: int, store: str = "S001"):  # type: ignore[no-untyped-def]
    """A till of the chain: the template's till renumbered (each till its own number)."""
    till = make_till(name)
    connection = till.raw()
    with connection:
        connection.execute("UPDATE tills SET number = ? WHERE id = ?", (number, till.ctx.till_id))
        connection.execute("UPDATE stores SET code = ? WHERE id = ?", (store, till.ctx.store_id))
    connection.close()
    till.ctx = TillContext(till.db, till.ctx.till_id, till.ctx.store_id, number, till.clock)
    return till


def register(till, ho: HeadOffice, store: str = "S001") -> None:  # type: ignore[no-untyped-def]
    code = ho.add_till(store, till.ctx.till_number)
    done = register_till(till.db, "http://headoffice.test", code, http=ho.http)
    assert done.till_number == till.ctx.till_number


def sync(till, ho: HeadOffice, **kwargs: object) -> SyncReport:  # type: ignore[no-untyped-def]
    report = sync_once(till.db, http=ho.http, clock=till.clock, **kwargs)  # type: ignore[arg-type]
    return report


@pytest.fixture
def till1(make_till, ho: HeadOffice):  # type: ignore[no-untyped-def]
    till = make_chain_till(make_till, "till21", 21)
    register(till, ho)
    return till


@pytest.fixture
def till2(make_till, ho: HeadOffice):  # type: ignore[no-untyped-def]
    till = make_chain_till(make_till, "till22", 22)
    register(till, ho)
    return till


def trade(till, phone: str, name: str = "Traveller Tess"):  # type: ignore[no-untyped-def]
    member = till.enrol(name, phone=phone)
    member_id = member.summary.id
    till.balances.top_up(member_id, 5000, "cash", till.cashier_id)
    till.sell([("TV", 1)], member_id)
    till.sell([("TEA", 1)], member_id, points=100)
    return member


def sync_settings(till) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with till.db.sessions() as session:
        return read_sync_settings(session)


def ledger_and_outbox(till) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (till.scalar("SELECT count(*) FROM ledger_entries"),
            till.scalar("SELECT count(*) FROM outbox"))


# -- register and push ---------------------------------------------------------------------------


def test_register_stores_server_key_and_the_chains_secret(make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    till = make_chain_till(make_till, "fresh", 23)
    own_secret = till.secret()
    code = ho.add_till("S001", 23)
    done = register_till(till.db, "http://headoffice.test/", code.lower(), http=ho.http)
    assert (done.till_number, done.store_code, done.secret_replaced) == (23, "S001", True)
    settings = sync_settings(till)
    assert settings["sync.server"] == "http://headoffice.test"
    assert len(bytes.fromhex(settings["sync.till_key"])) == 32
    assert till.secret() != own_secret
    assert till.rows("SELECT action, target FROM audit_log WHERE action = 'till_registered'") == [
        ("till_registered", "till:23")]
    assert "sync.till_key" not in str(till.rows("SELECT details FROM audit_log"))


def test_sync_pushes_everything_and_a_second_sync_changes_nothing(till1, ho: HeadOffice
                                                                  ) -> None:  # type: ignore[no-untyped-def]
    trade(till1, "13900000001")
    entries, messages = ledger_and_outbox(till1)
    first = sync(till1, ho)
    assert first.ok, first.error
    assert (first.entries_pushed, first.messages_pushed) == (entries, messages)
    assert (first.pushed_seq, first.pending_entries, first.pending_messages) == (entries, 0, 0)
    assert (ho.count(HOLedgerEntry), ho.count(HOMessage)) == (entries, messages)
    assert till1.scalar("SELECT count(*) FROM outbox WHERE acked_at IS NULL") == 0
    settings = sync_settings(till1)
    assert settings["sync.last_error"] == "" and settings["sync.last_success_at"]
    assert int(settings["sync.pushed_message_id"]) == messages

    second = sync(till1, ho)
    assert second.ok and (second.entries_pushed, second.messages_pushed,
                          second.changes_applied) == (0, 0, 0)
    assert (ho.count(HOLedgerEntry), ho.count(HOMessage)) == (entries, messages)
    assert ledger_and_outbox(till1) == (entries, messages)
    assert not till1.problems()


def test_the_ledger_goes_in_files_of_at_most_batch_entries(till1, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        trade(till1, f"1390000010{n}", name=f"Member {n}")
    entries, _ = ledger_and_outbox(till1)
    report = sync(till1, ho, batch_entries=4)
    assert report.ok and report.entries_pushed == entries and entries > 8
    with ho.db.sessions() as session:
        from loyalty_pos.headoffice.models import HOImport

        sizes = [r.last_seq - r.first_seq + 1 for r in session.scalars(select(HOImport))]
    assert sizes and max(sizes) <= 4 and sum(sizes) == entries


def test_resend_after_a_lost_answer_is_stored_once(till1, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    trade(till1, "13900000002")
    assert sync(till1, ho).ok
    entries, messages = ledger_and_outbox(till1)
    # the answers were lost: the till still thinks nothing was stored
    connection = till1.raw()
    with connection:
        connection.execute("UPDATE settings SET value = '0' WHERE key = ?", (PUSHED_SEQ_KEY,))
        connection.execute("UPDATE outbox SET acked_at = NULL")
    connection.close()
    again = sync(till1, ho)
    assert again.ok, again.error
    assert (again.pushed_seq, again.entries_pushed, again.messages_pushed) == (
        entries, entries, messages)
    assert (ho.count(HOLedgerEntry), ho.count(HOMessage)) == (entries, messages)


def test_head_office_behind_the_till_gets_the_entries_again_from_its_head(till1, ho: HeadOffice
                                                                          ) -> None:  # type: ignore[no-untyped-def]
    """pushed_seq ahead of head office (say head office was restored from a backup): it
    answers its chain head and the till sends again from there."""
    trade(till1, "13900000003")
    entries, _ = ledger_and_outbox(till1)
    assert sync(till1, ho).ok
    with ho.db.transaction() as session:
        from sqlalchemy import delete, update

        from loyalty_pos.headoffice.models import HOChainHead

        session.execute(delete(HOLedgerEntry).where(HOLedgerEntry.seq > 2))
        head = session.scalar(select(HOLedgerEntry.hash).where(HOLedgerEntry.seq == 2))
        session.execute(update(HOChainHead).values(last_seq=2, last_hash=head))
    trade(till1, "13900000004", name="Second")
    report = sync(till1, ho)
    assert report.ok, report.error
    assert report.pushed_seq == till1.scalar("SELECT max(seq) FROM ledger_entries") > entries
    assert ho.count(HOLedgerEntry) == report.pushed_seq


# -- members and balances travel -----------------------------------------------------------------


def test_a_member_enrolled_at_one_till_is_found_and_spends_at_another(till1, till2,
                                                                      ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    tess = trade(till1, "13900000005")
    card = tess.cards[0][0]
    at_till1 = till1.members.details(tess.summary.id).summary
    assert sync(till1, ho).ok
    pulled = sync(till2, ho)
    assert pulled.ok and pulled.changes_applied >= 2, pulled
    found = MemberFinder(till2.raw(), till2.secret()).by_card(card, till2.clock.today)
    assert (found.uuid, found.phone) == (tess.summary.uuid, "13900000005")
    assert (found.points_balance, found.stored_value_balance) == (
        at_till1.points_balance, at_till1.stored_value_balance)
    # the member spends at till 2 what was earned and topped up at till 1
    items, points = [("TEA", 1)], 1000
    due = till2.checkout.quote(items, found.id, points).due_after_points
    sale = till2.sell(items, found.id, points=points,
                      payments=[PaymentRequest("stored_value", due)])
    assert sale.points_redeemed == points
    assert sync(till2, ho).ok
    assert sync(till1, ho).ok
    back_home = till1.members.details(tess.summary.id).summary
    here = till2.members.details(found.id).summary
    assert (back_home.points_balance, back_home.stored_value_balance) == (
        here.points_balance, here.stored_value_balance)
    assert back_home.stored_value_balance == at_till1.stored_value_balance - due
    assert back_home.points_balance == at_till1.points_balance - points + sale.points_earned
    for till in (till1, till2):
        assert not till.problems()
        assert till_main(["verify", "--db", str(till.db.path)]) == 0
    # a settled chain: one more round anywhere changes nothing
    for till in (till1, till2):
        quiet = sync(till, ho)
        assert quiet.ok and (quiet.entries_pushed, quiet.changes_applied) == (0, 0), quiet


def test_a_card_blocked_at_one_till_is_blocked_at_the_other(till1, till2, ho: HeadOffice
                                                            ) -> None:  # type: ignore[no-untyped-def]
    tess = trade(till1, "13900000006")
    assert sync(till1, ho).ok and sync(till2, ho).ok
    old = tess.cards[0][0]
    replaced = till1.members.block_and_replace_card(old, "lost", till1.cashier_id)
    new = next(number for number, status in replaced.cards if status == "active")
    assert sync(till1, ho).ok and sync(till2, ho).ok
    finder = MemberFinder(till2.raw(), till2.secret())
    assert finder.by_scan(old, till2.clock.today).card_blocked
    assert finder.by_card(new, till2.clock.today).uuid == tess.summary.uuid


# -- refusals and an unreachable head office -----------------------------------------------------


def test_a_bad_registration_code_is_refused_with_the_reason(make_till, ho: HeadOffice,
                                                             capsys) -> None:  # type: ignore[no-untyped-def]
    till = make_chain_till(make_till, "stranger", 24)
    with pytest.raises(SyncRefused) as caught:
        register_till(till.db, "http://headoffice.test", "AAAA-BBBB-CCCC", http=ho.http)
    assert caught.value.status == 403 and "registration code" in caught.value.detail
    assert "sync.server" not in sync_settings(till)


def test_sync_refused_by_head_office_is_reported_as_refused(till1, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    trade(till1, "13900000007")
    connection = till1.raw()
    with connection:
        connection.execute("UPDATE settings SET value = ? WHERE key = 'sync.till_key'",
                           ("00" * 32,))
    connection.close()
    report = sync(till1, ho)
    assert report.outcome == REFUSED and "401" in (report.error or "")
    assert report.entries_pushed == 0 and report.pending_entries > 0
    assert "401" in sync_settings(till1)["sync.last_error"]
    assert ho.count(HOLedgerEntry) == 0


def test_an_unregistered_till_is_refused_without_asking(make_till, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]
    till = make_chain_till(make_till, "alone", 25)
    report = sync(till, ho)
    assert report.outcome == REFUSED and "not registered" in (report.error or "")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_head_office_changes_nothing_but_the_attempt(till1, ho: HeadOffice,
                                                                   capsys) -> None:  # type: ignore[no-untyped-def]
    trade(till1, "13900000008")
    before = till1.rows("SELECT * FROM ledger_entries"), till1.rows("SELECT * FROM outbox")
    server = f"http://127.0.0.1:{closed_port()}"
    report = sync_once(till1.db, server=server, clock=till1.clock)
    assert report.outcome == UNREACHABLE and "cannot be reached" in (report.error or "")
    assert (report.entries_pushed, report.messages_pushed, report.pushed_seq) == (0, 0, 0)
    assert (till1.rows("SELECT * FROM ledger_entries"), till1.rows("SELECT * FROM outbox")) == (
        before)
    settings = sync_settings(till1)
    assert settings.get("sync.pushed_seq", "0") == "0" and "sync.last_success_at" not in settings
    assert "cannot be reached" in settings["sync.last_error"]
    assert ho.count(HOLedgerEntry) == 0
    # the command says so with exit code 1; registering there too
    assert till_main(["sync", "--db", str(till1.db.path), "--server", server]) == 1
    assert "unreachable" in capsys.readouterr().out
    with pytest.raises(SyncUnavailable):
        register_till(till1.db, server, "AAAA-BBBB-CCCC")
    assert till_main(["register", "--db", str(till1.db.path), "--server", server,
                      "--code", "AAAA-BBBB-CCCC"]) == 1


# -- what head office publishes ------------------------------------------------------------------


def test_published_promotions_tiers_settings_and_agreements_reach_the_till(till1, ho: HeadOffice,
                                                                           products) -> None:  # type: ignore[no-untyped-def]
    promotion = {"code": "CHAIN10", "name": "Chain 10% off tea", "effect": "percent_discount",
                 "value": 10, "skus": ["TEA"]}
    tiers = [{"code": "basic", "name": "Basic", "threshold": 0, "multiplier_percent": 100},
             {"code": "vip", "name": "VIP", "threshold": 300_000, "multiplier_percent": 300}]
    text = "Member agreement\nVersion 2099.1\nThe chain's text."
    ho.publish(publish_promotions, [promotion])
    ho.publish(publish_tiers, tiers)
    ho.publish(publish_settings, {"points_expiry_months": 18, "offline_window_minutes": 90})
    with ho.db.transaction() as session:
        publish_agreement(session, "member_agreement", "2099.1", text, utc())
    report = sync(till1, ho)
    assert report.ok and report.changes_applied >= 5, report
    assert till1.checkout.quote([("TEA", 1)]).discount_total == products["TEA"] // 10
    with till1.db.sessions() as session:
        assert [(t.code, t.multiplier_percent) for t in load_tiers(session)] == [
            ("basic", 100), ("vip", 300)]
        rules = load_rules(session)
    assert (rules.points_expiry_months, rules.offline_window_minutes) == (18, 90)
    assert till1.members.texts_to_accept()["member_agreement"].version == "2099.1"
    # retired at head office: gone from the till's quotes at the next sync
    ho.publish(publish_promotions, [promotion | {"enabled": False}])
    assert sync(till1, ho).ok
    assert till1.checkout.quote([("TEA", 1)]).discount_total == 0


def test_a_tier_set_split_across_answers_makes_the_till_table_head_offices_set(
        till1, ho: HeadOffice, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Head office removes a tier; the pull fetches one change row per answer and the line
    drops after the first answer. Every answer holding a tier change carries the complete
    set, so the till's table is head office's set after any answer (not a part of it merged
    into the old table, which kept the removed tier or lost others)."""
    import httpx

    from loyalty_pos.sync import pull

    def tier(code: str, threshold: int, multiplier: int) -> dict[str, object]:
        return {"code": code, "name": code.title(), "threshold": threshold,
                "multiplier_percent": multiplier}

    def till_tiers() -> list[tuple[str, int, int]]:
        with till1.db.sessions() as session:
            return [(t.code, t.threshold, t.multiplier_percent) for t in load_tiers(session)]

    ho.publish(publish_tiers, [tier("basic", 0, 100), tier("silver", 100_000, 125),
                               tier("gold", 500_000, 150)])
    assert sync(till1, ho).ok
    assert [code for code, _, _ in till_tiers()] == ["basic", "silver", "gold"]
    published = [tier("basic", 0, 110), tier("gold", 400_000, 160)]  # silver removed
    ho.publish(publish_tiers, published)
    monkeypatch.setattr(pull, "PULL_LIMIT", 1)

    class LostAfterOneAnswer:
        answers = 0

        def request(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
            if "/v1/changes" in url:
                if self.answers:
                    raise httpx.ConnectError("the line dropped")
                self.answers += 1
            return ho.http.request(method, url, **kwargs)  # type: ignore[arg-type]

        def close(self) -> None:
            pass

    report = sync_once(till1.db, http=LostAfterOneAnswer(), clock=till1.clock)  # type: ignore[arg-type]
    assert report.outcome == UNREACHABLE
    expected = [("basic", 0, 110), ("gold", 400_000, 160)]
    assert till_tiers() == expected
    assert sync(till1, ho).ok and till_tiers() == expected


def test_the_pull_pages_through_a_long_change_log(till1, ho: HeadOffice, monkeypatch
                                                  ) -> None:  # type: ignore[no-untyped-def]
    from loyalty_pos.sync import pull

    promotions = [{"code": f"P{n:03d}", "name": f"Promotion {n}", "effect": "bonus_points",
                   "value": 10 + n} for n in range(25)]
    ho.publish(publish_promotions, promotions)
    monkeypatch.setattr(pull, "PULL_LIMIT", 7)
    asked: list[str] = []

    class Counting:
        def request(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
            asked.append(url)
            return ho.http.request(method, url, **kwargs)  # type: ignore[arg-type]

        def close(self) -> None:
            pass

    report = sync_once(till1.db, http=Counting(), clock=till1.clock)  # type: ignore[arg-type]
    assert report.ok and report.changes_applied == 25
    pulls = [url for url in asked if "/v1/changes" in url]
    assert len(pulls) == 4 and all(url.endswith("&limit=7") for url in pulls)
    assert till1.scalar("SELECT count(*) FROM promotions WHERE code LIKE 'P0%'") == 25
    assert int(sync_settings(till1)["sync.pull_cursor"]) >= 25


def test_cli_register_and_sync_print_what_happened(make_till, ho: HeadOffice, capsys,
                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The commands with head office's TestClient in place of the network."""
    import loyalty_pos.sync.client as client_module

    class Borrowed:  # head office's TestClient, which the command must not close
        request = ho.http.request

        def close(self) -> None:
            pass

    monkeypatch.setattr(client_module, "new_http_client", Borrowed)
    till = make_chain_till(make_till, "cli", 26)
    trade(till, "13900000009")
    till.db.close()
    code = ho.add_till("S001", 26)
    assert till_main(["register", "--db", str(till.db.path), "--server",
                      "http://headoffice.test", "--code", code]) == 0
    out = capsys.readouterr().out
    assert re.search(r"till 26 \(store S001\) is registered with http://headoffice.test", out)
    assert till_main(["sync", "--db", str(till.db.path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"pushed \d+ ledger entries .* pending 0 entries, 0 records", out), out
    assert till_main(["register", "--db", str(till.db.path), "--server",
                      "http://headoffice.test", "--code", code]) == 2
    assert "already used" in capsys.readouterr().err


def test_a_refused_ledger_push_does_not_stop_the_records_and_the_pull(till1, ho: HeadOffice
                                                                      ) -> None:  # type: ignore[no-untyped-def]
    import httpx

    trade(till1, "13900000010")
    ho.publish(publish_settings, {"points_expiry_months": 9})
    asked: list[str] = []

    class RefusingLedger:
        def request(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
            asked.append(url)
            if url.endswith("/v1/ledger"):
                return httpx.Response(422, json={"detail": "the chain does not link"})
            return ho.http.request(method, url, **kwargs)  # type: ignore[arg-type]

        def close(self) -> None:
            pass

    report = sync_once(till1.db, http=RefusingLedger(), clock=till1.clock)  # type: ignore[arg-type]
    assert report.outcome == REFUSED and "the chain does not link" in (report.error or "")
    assert report.pending_entries > 0 and report.pending_messages == 0
    assert report.changes_applied == 1
    assert sum(url.endswith("/v1/ledger") for url in asked) == 1  # not tried again this cycle
    assert sync(till1, ho).ok  # the next cycle, head office taking it again
