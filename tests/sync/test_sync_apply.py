"""Applying head office's changes to a real till database (sync/apply.py), without a server:
members and cards, clashes recorded and skipped, promotions, tiers, settings, agreements, and
balances from other tills as `remote_sync` ledger entries that `loyalty-pos verify` accepts."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from alembic import command

from loyalty_pos.cli import main as till_main
from loyalty_pos.core.ean import make_card_number
from loyalty_pos.db.engine import alembic_config
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.context import load_rules, load_tiers
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.sync.apply import apply_changes

OTHER_TILL = 12


def apply(till, answer: dict[str, Any]) -> int:  # type: ignore[no-untyped-def]
    with till.db.transaction() as session:
        return apply_changes(session, answer, till_id=till.ctx.till_id, now=till.ctx.now(),
                             today=till.ctx.today())


def snapshot(name: str = "Remote Rita", *, phone: str | None = "13911112222",
             email: str | None = None, serial: int = 1, **extra: Any) -> dict[str, Any]:
    value = {"uuid": str(uuid.uuid4()), "name": name, "phone": phone, "email": email,
             "birthday": "1990-05-17", "status": "active", "tier": "basic",
             "referral_code": "RITA2345", "referred_by": None,
             "enrolled_at": "2026-03-01T09:00:00.000000Z",
             "updated_at": "2026-03-01T09:00:00.000000Z",
             "cards": [{"number": make_card_number(OTHER_TILL, serial), "status": "active",
                        "issued_at": "2026-03-01T09:00:00.000000Z", "blocked_at": None,
                        "block_reason": None}]}
    value.update(extra)
    return value


def finder(till):  # type: ignore[no-untyped-def]
    return MemberFinder(till.raw(), till.secret())


def skipped(till) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return till.rows("SELECT target, json_extract(details, '$.reason') FROM audit_log "
                     "WHERE action = 'sync_skipped' ORDER BY id")


def test_a_member_of_another_till_is_found_by_card_here(till) -> None:  # type: ignore[no-untyped-def]
    rita = snapshot()
    assert apply(till, {"members": [rita]}) == 1
    found = finder(till).by_card(rita["cards"][0]["number"], till.clock.today)
    assert (found.uuid, found.name, found.phone) == (rita["uuid"], "Remote Rita", "13911112222")
    assert till.scalar("SELECT enrolled_till_id FROM members WHERE uuid = ?", rita["uuid"]) is None
    assert apply(till, {"members": [rita]}) == 1  # again: nothing new
    assert till.scalar("SELECT count(*) FROM members WHERE uuid = ?", rita["uuid"]) == 1
    assert not till.problems()


def test_newer_snapshot_updates_older_one_is_ignored_and_blocked_card_blocks_here(till
                                                                                   ) -> None:  # type: ignore[no-untyped-def]
    rita = snapshot()
    apply(till, {"members": [rita]})
    old_card, new_card = make_card_number(OTHER_TILL, 1), make_card_number(OTHER_TILL, 2)
    replaced = rita | {"name": "Rita Renamed", "updated_at": "2026-03-02T09:00:00Z", "cards": [
        {"number": new_card, "status": "active", "issued_at": "2026-03-02T09:00:00Z",
         "blocked_at": None, "block_reason": None},
        {"number": old_card, "status": "blocked", "issued_at": "2026-03-01T09:00:00Z",
         "blocked_at": "2026-03-02T09:00:00Z", "block_reason": "lost"}]}
    apply(till, {"members": [replaced]})
    assert till.rows("SELECT number, status FROM cards WHERE number IN (?, ?) ORDER BY number",
                     old_card, new_card) == [(old_card, "blocked"), (new_card, "active")]
    stale = rita | {"name": "Stale Name", "updated_at": "2026-03-01T10:00:00Z"}
    apply(till, {"members": [stale]})
    assert till.scalar("SELECT name FROM members WHERE uuid = ?", rita["uuid"]) == "Rita Renamed"
    blocked = finder(till).by_scan(old_card, till.clock.today)
    assert blocked.card_blocked


def test_phone_and_email_clashes_are_skipped_and_audited_not_crashing(till) -> None:  # type: ignore[no-untyped-def]
    local = till.enrol("Local Lee", phone="13911112222", email="lee@example.com")
    rita = snapshot(email="lee@example.com")
    assert apply(till, {"members": [rita]}) == 1
    assert till.rows("SELECT phone, email FROM members WHERE uuid = ?", rita["uuid"]) == [
        (None, None)]
    reasons = [reason for _, reason in skipped(till)]
    assert any("phone is held here" in r for r in reasons)
    assert any("email is held here" in r for r in reasons)
    assert till.scalar("SELECT phone FROM members WHERE id = ?", local.summary.id) == (
        "13911112222")
    # a card number held here by another member is skipped, the rest applied
    clash = snapshot("Card Clash", phone=None, email="c@example.com", referral_code="CLSH2345",
                     cards=[{"number": local.cards[0][0], "status": "active",
                             "issued_at": None, "blocked_at": None, "block_reason": None}])
    apply(till, {"members": [clash]})
    assert till.scalar("SELECT count(*) FROM members WHERE uuid = ?", clash["uuid"]) == 1
    assert any(target == f"card:{local.cards[0][0]}" for target, _ in skipped(till))
    assert not till.problems()


def test_promotions_tiers_settings_and_agreements_are_applied(till, products) -> None:  # type: ignore[no-untyped-def]
    text = "Member agreement\nVersion 9\nBe nice."
    answer = {
        "settings": {"points_expiry_months": 6, "max_redeem_percent": 300, "no_such": 1},
        # head office's complete tier set: silver and platinum were removed there
        "tiers": [{"code": "gold", "name": "Gold+", "threshold": 400_000,
                   "multiplier_percent": 160},
                  {"code": "basic", "name": "Basic", "threshold": 0, "multiplier_percent": 100}],
        "promotions": [{"code": "HO10", "name": "Head office 10%", "effect": "percent_discount",
                        "value": 10, "priority": 5, "exclusive": False, "enabled": True,
                        "starts_on": None, "ends_on": None, "weekdays": [], "start_time": None,
                        "end_time": None, "tiers": [], "skus": ["TEA"], "categories": [],
                        "min_basket": 0, "birthday_month": False, "first_purchase": False},
                       {"code": "BAD", "name": "Broken", "effect": "nonsense", "value": 1}],
        "agreements": [{"kind": "member_agreement", "version": "9", "text": text,
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                        "published_at": "2099-01-01T00:00:00Z"}],
    }
    apply(till, answer)
    with till.db.sessions() as session:
        rules = load_rules(session)
        tiers = load_tiers(session)
        gold = next(t for t in tiers if t.code == "gold")
    assert rules.points_expiry_months == 6 and rules.max_redeem_percent != 300
    assert (gold.name, gold.threshold, gold.multiplier_percent) == ("Gold+", 400_000, 160)
    assert [t.code for t in tiers] == ["basic", "gold"]
    quote = till.checkout.quote([("TEA", 1)])
    assert quote.discount_total == products["TEA"] // 10
    assert till.members.texts_to_accept()["member_agreement"].version == "9"
    targets = [target for target, _ in skipped(till)]
    assert {"setting:max_redeem_percent", "setting:no_such", "promotion:BAD"} <= set(targets)
    # a retired promotion stops applying
    retired = answer["promotions"][0] | {"enabled": False}
    apply(till, {"promotions": [retired]})
    assert till.checkout.quote([("TEA", 1)]).discount_total == 0


def test_balances_from_other_tills_become_remote_sync_entries_verify_accepts(till) -> None:  # type: ignore[no-untyped-def]
    rita = snapshot()
    apply(till, {"members": [rita]})
    member_id = till.scalar("SELECT id FROM members WHERE uuid = ?", rita["uuid"])
    apply(till, {"balances": [{"member": rita["uuid"], "points": 500, "stored_value": 3000}]})
    summary = till.members.details(member_id).summary
    assert (summary.points_balance, summary.stored_value_balance) == (500, 3000)
    # a lot (verify wants one per credit), but not shown as expiring here: the points expire
    # at the till that earned them, and that expiry arrives as a negative remote_sync
    assert till.scalar("SELECT remaining FROM point_lots") == 500
    assert summary.soonest_expiry is None
    # spend here what was earned and paid in elsewhere: 200 points (2.00) and 30.00
    till.sell([("TEA", 1)], member_id, points=200,
              payments=[PaymentRequest("stored_value", 3000), PaymentRequest("cash", 133)])
    earned = till.scalar("SELECT points_earned FROM sales WHERE member_id = ?", member_id)
    # meanwhile the member spent 400 points and 20.00 at the other till
    apply(till, {"balances": [{"member": rita["uuid"], "points": 100, "stored_value": 1000}]})
    summary = till.members.details(member_id).summary
    assert summary.points_balance == 500 - 200 + earned - 400
    assert summary.stored_value_balance == 0  # never below zero; head office sees the overdraft
    assert not till.problems()
    assert till_main(["verify", "--db", str(till.db.path)]) == 0


def test_stored_value_never_goes_below_zero_and_the_rest_is_taken_later(till) -> None:  # type: ignore[no-untyped-def]
    rita = snapshot()
    apply(till, {"members": [rita]})
    member_id = till.scalar("SELECT id FROM members WHERE uuid = ?", rita["uuid"])
    till.balances.top_up(member_id, 1000, "cash", till.cashier_id)
    apply(till, {"balances": [{"member": rita["uuid"], "points": -50, "stored_value": -4000}]})
    summary = till.members.details(member_id).summary
    assert summary.stored_value_balance == 0 and summary.points_balance == -50  # a points debt
    till.balances.top_up(member_id, 5000, "cash", till.cashier_id)
    apply(till, {"balances": [{"member": rita["uuid"], "points": 80, "stored_value": -4000}]})
    summary = till.members.details(member_id).summary
    assert (summary.points_balance, summary.stored_value_balance) == (80, 2000)
    assert till.rows("SELECT ledger, amount FROM ledger_entries WHERE kind = 'remote_sync' "
                     "ORDER BY seq") == [("points", -50), ("stored_value", -1000),
                                         ("points", 130), ("stored_value", -3000)]
    assert not till.problems()
    assert till_main(["verify", "--db", str(till.db.path)]) == 0


def test_a_balance_for_an_unknown_member_is_skipped(till) -> None:  # type: ignore[no-untyped-def]
    ghost = str(uuid.uuid4())
    assert apply(till, {"balances": [{"member": ghost, "points": 10, "stored_value": 0}]}) == 0
    assert skipped(till) == [(f"member:{ghost}", "a balance arrived for a member not known here")]


def test_a_referrer_later_in_the_same_answer_is_linked(till) -> None:  # type: ignore[no-untyped-def]
    referrer = snapshot("Referrer Rob", phone="13911113333", referral_code="ROBB2345", serial=2)
    referred = snapshot(referred_by=referrer["uuid"])
    apply(till, {"members": [referred, referrer]})
    assert till.rows("SELECT r.uuid FROM members m JOIN members r ON r.id = m.referred_by_id "
                     "WHERE m.uuid = ?", referred["uuid"]) == [(referrer["uuid"],)]


def test_what_could_not_be_taken_is_taken_as_soon_as_the_balance_allows(till) -> None:  # type: ignore[no-untyped-def]
    """Head office's figure is kept per member and ledger (remote_balances): a debit left
    outstanding is taken after the next answer, whoever it is about, not only when head office
    sends this member again."""
    rita = snapshot()
    apply(till, {"members": [rita]})
    member_id = till.scalar("SELECT id FROM members WHERE uuid = ?", rita["uuid"])
    till.balances.top_up(member_id, 1000, "cash", till.cashier_id)
    apply(till, {"balances": [{"member": rita["uuid"], "points": 70, "stored_value": -4000}]})
    assert till.rows("SELECT ledger, elsewhere, outstanding FROM remote_balances "
                     "ORDER BY ledger") == [("points", 70, 0), ("stored_value", -4000, -3000)]
    till.balances.top_up(member_id, 5000, "cash", till.cashier_id)
    assert apply(till, {}) == 1  # an answer with nothing for Rita
    assert till.members.details(member_id).summary.stored_value_balance == 2000
    assert till.rows("SELECT outstanding FROM remote_balances WHERE ledger = 'stored_value'"
                     ) == [(0,)]
    assert apply(till, {}) == 0
    assert not till.problems()


def test_an_upgraded_till_finds_what_was_left_outstanding_in_its_ledger(till) -> None:  # type: ignore[no-untyped-def]
    """Tills that synced before remote_balances existed: the migration reads head office's
    last figure from the reason of the member's newest remote_sync entry (a figure that
    wrote no entry, nothing being takeable then, is not in the ledger: head office's next
    figure for the member corrects it)."""
    rita = snapshot()
    apply(till, {"members": [rita]})
    member_id = till.scalar("SELECT id FROM members WHERE uuid = ?", rita["uuid"])
    till.balances.top_up(member_id, 1000, "cash", till.cashier_id)
    apply(till, {"balances": [{"member": rita["uuid"], "points": 70, "stored_value": -4000}]})
    apply(till, {"balances": [{"member": rita["uuid"], "points": -30, "stored_value": -4000}]})
    before = till.rows("SELECT member_uuid, ledger, elsewhere, outstanding FROM remote_balances "
                       "ORDER BY ledger")
    assert [row[1:] for row in before] == [("points", -30, 0), ("stored_value", -4000, -3000)]
    config = alembic_config(str(till.db.engine.url))
    command.downgrade(config, "0003")
    command.upgrade(config, "head")
    assert till.rows("SELECT member_uuid, ledger, elsewhere, outstanding FROM remote_balances "
                     "ORDER BY ledger") == before
    till.balances.top_up(member_id, 5000, "cash", till.cashier_id)
    apply(till, {})
    assert till.members.details(member_id).summary.stored_value_balance == 2000
    assert not till.problems()
