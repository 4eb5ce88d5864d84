"""The manager's program settings (rules, tiers, promotions, the "try it" quote), staff
administration and the audit log viewer."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest

from loyalty_pos.core.errors import Conflict, InvalidInput, LockedOut, NotFound, PermissionDenied
from loyalty_pos.core.promotions import Effect, PromotionRule, Shopper
from loyalty_pos.core.tiers import TierRule
from loyalty_pos.services.admin import AuditService, StaffAdminService
from loyalty_pos.services.program import ProgramService, describe_quote, overlap_sentences
from loyalty_pos.services.refunds import RefundRequest

Snapshot = Callable[[], dict[str, object]]


def audit_rows(till, action: str) -> list[tuple[int, str, dict]]:  # type: ignore[no-untyped-def]
    return [(staff, target, json.loads(details)) for staff, target, details in till.rows(
        "SELECT staff_id, target, details FROM audit_log WHERE action = ? ORDER BY id", action)]


# -- program rules ---------------------------------------------------------------------------


def test_update_rules_writes_the_change_and_audits_old_and_new(till) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    assert program.rules().points_expiry_months == 12
    updated = program.update_rules(till.manager_id, points_expiry_months=24,
                                   max_redeem_percent=50, currency_symbol=" HK$ ")
    assert updated.points_expiry_months == 24 and updated.currency_symbol == "HK$"
    assert program.rules() == updated
    [(staff, target, details)] = audit_rows(till, "program_rules_updated")
    assert (staff, target) == (till.manager_id, "program")
    # only what changed is recorded: max_redeem_percent was 50 already
    assert details == {"old": {"currency_symbol": "¥", "points_expiry_months": 12},
                       "new": {"currency_symbol": "HK$", "points_expiry_months": 24}}
    # the same values again change nothing and write nothing
    program.update_rules(till.manager_id, points_expiry_months=24)
    assert len(audit_rows(till, "program_rules_updated")) == 1


def test_rules_refused_for_a_cashier_or_bad_values_write_nothing(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="not a manager"):
        program.update_rules(till.cashier_id, points_expiry_months=6)
    with pytest.raises(InvalidInput, match=r"unknown program setting.*bonus_rate"):
        program.update_rules(till.manager_id, bonus_rate=3)
    with pytest.raises(InvalidInput, match="max_redeem_percent"):
        program.update_rules(till.manager_id, max_redeem_percent=150, points_expiry_months=6)
    with pytest.raises(InvalidInput, match="whole number"):
        program.update_rules(till.manager_id, earn_points_per_major="2")
    with pytest.raises(InvalidInput, match="tier window"):
        program.update_rules(till.manager_id, tier_window_days=0)
    with pytest.raises(InvalidInput, match="no program setting"):
        program.update_rules(till.manager_id)
    assert snapshot() == before


# -- tiers -----------------------------------------------------------------------------------

NEW_TIERS = [TierRule("std", "Standard", 0, 100), TierRule("plus", "Plus", 5_000, 120),
             TierRule("vip", "VIP", 20_000, 150)]


def test_tier_preview_counts_members_by_rolling_spend(till) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    ids = [till.enrol(f"Member {n}").summary.id for n in range(6)]
    till.sell([("BREAD", 3)], ids[0])                      # 30.00: std
    till.sell([("TEA", 2)], ids[1])                        # 66.66: plus
    big = till.sell([("TEA", 7)], ids[2])                  # 233.31, refund 3 -> 133.32: plus
    tea_line = till.refunds.sale_for_refund(big.receipt_code).lines[0][0]
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), big.sale_id, till.cashier_id,
                                      {tea_line: 3}))
    till.sell([("TV", 1)], ids[3])                         # 1,500.00: vip
    till.sell([("TV", 1)], ids[4])                         # vip, but erased below
    # ids[5]: no sales at all -> lowest tier
    till.sell([("BREAD", 1)])                              # no member: not counted
    connection = till.raw()
    connection.execute("UPDATE members SET status = 'erased' WHERE id = ?", (ids[4],))
    connection.close()

    assert program.tier_preview(NEW_TIERS, 365) == {"std": 2, "plus": 2, "vip": 1}
    # a shorter window: the old sale of ids[3] falls out of it
    till.clock.advance(days=40)
    till.sell([("TEA", 1)], ids[0])
    assert program.tier_preview(NEW_TIERS, 30) == {"std": 5, "plus": 0, "vip": 0}
    # tiers are validated like the real table
    with pytest.raises(InvalidInput, match="lowest tier"):
        program.tier_preview([TierRule("x", "X", 10, 100)], 365)


def test_replace_tiers_sets_tiers_and_window_with_audit(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    old = program.tiers()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        program.replace_tiers(till.cashier_id, NEW_TIERS, 180)
    with pytest.raises(InvalidInput, match="same threshold"):
        program.replace_tiers(till.manager_id, [*NEW_TIERS, TierRule("z", "Z", 5_000, 130)],
                              180)
    with pytest.raises(InvalidInput, match="tier window"):
        program.replace_tiers(till.manager_id, NEW_TIERS, 0)
    assert snapshot() == before

    program.replace_tiers(till.manager_id, list(reversed(NEW_TIERS)), 180)
    assert program.tiers() == NEW_TIERS
    assert program.rules().tier_window_days == 180
    [(_, target, details)] = audit_rows(till, "tiers_replaced")
    assert target == "tiers" and details["old"]["window_days"] == 365
    assert details["old"]["tiers"][1]["code"] == old[1].code
    assert [t["code"] for t in details["new"]["tiers"]] == ["std", "plus", "vip"]


# -- promotions ------------------------------------------------------------------------------


def promo(code: str, **changes: object) -> PromotionRule:
    values: dict[str, object] = {"code": code, "name": f"Promotion {code}",
                                 "effect": Effect.PERCENT_DISCOUNT, "value": 10,
                                 "exclusive": True}
    values.update(changes)
    return PromotionRule(**values)  # type: ignore[arg-type]


CATALOG = {"TEA": "drinks", "APPLE": "fruit"}


def warns(a: PromotionRule, b: PromotionRule) -> list[str]:
    return overlap_sentences([a, b], CATALOG)


def test_overlap_warning_names_both_promotions_and_why(till) -> None:  # type: ignore[no-untyped-def]
    first = promo("SPRING", priority=5, categories=frozenset({"fruit"}),
                  starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    second = promo("FRUITDAY", categories=frozenset({"fruit", "bakery"}),
                   weekdays=frozenset({1}), starts_on=date(2026, 3, 20))
    [sentence] = ProgramService(till.ctx).overlap_warnings([first, second])
    assert "SPRING" in sentence and "FRUITDAY" in sentence
    assert "from 2026-03-20 to 2026-03-31" in sentence
    assert "on Tue" in sentence and "category fruit" in sentence
    assert "Only SPRING (priority 5) will apply" in sentence


@pytest.mark.parametrize(("a", "b"), [
    # hours spanning midnight meet hours after midnight
    (promo("A", start_time=time(22), end_time=time(2)),
     promo("B", start_time=time(1), end_time=time(3))),
    # a SKU of one is in the category of the other (through the catalog)
    (promo("A", skus=frozenset({"TEA"})), promo("B", categories=frozenset({"drinks"}))),
    # tiers: one for every tier, one for gold
    (promo("A", tiers=frozenset({"gold"})), promo("B")),
    # open-ended date windows that meet
    (promo("A", ends_on=date(2026, 5, 1)), promo("B", starts_on=date(2026, 5, 1))),
])
def test_overlap_positive_cases(a: PromotionRule, b: PromotionRule) -> None:
    assert len(warns(a, b)) == 1


@pytest.mark.parametrize(("a", "b"), [
    # different weekdays
    (promo("A", weekdays=frozenset({0, 1})), promo("B", weekdays=frozenset({5, 6}))),
    # disjoint dates
    (promo("A", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31)),
     promo("B", starts_on=date(2026, 4, 1))),
    # different categories
    (promo("A", categories=frozenset({"fruit"})), promo("B", categories=frozenset({"drinks"}))),
    # a SKU outside the other's category
    (promo("A", skus=frozenset({"APPLE"})), promo("B", categories=frozenset({"drinks"}))),
    # not exclusive: stacking is what the manager asked for
    (promo("A", exclusive=False), promo("B")),
    # disabled
    (promo("A", enabled=False), promo("B")),
    # hours that do not meet, one over midnight
    (promo("A", start_time=time(22), end_time=time(2)),
     promo("B", start_time=time(9), end_time=time(17))),
    # different tiers
    (promo("A", tiers=frozenset({"gold"})), promo("B", tiers=frozenset({"silver"}))),
    # the common dates (one Tuesday) hold none of the common weekdays
    (promo("A", starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 10)),
     promo("B", weekdays=frozenset({2}))),
])
def test_overlap_negative_cases(a: PromotionRule, b: PromotionRule) -> None:
    assert warns(a, b) == []


def test_promotion_save_enable_delete_with_audit(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        program.save_promotion(till.cashier_id, promo("FRUIT10"))
    with pytest.raises(InvalidInput, match="unknown tier"):
        program.save_promotion(till.manager_id, promo("X", tiers=frozenset({"diamond"})))
    with pytest.raises(InvalidInput, match="never apply"):
        program.save_promotion(till.manager_id, promo("X", start_time=time(9),
                                                      end_time=time(9)))
    with pytest.raises(NotFound):
        program.set_enabled(till.manager_id, "NOPE", False)
    assert snapshot() == before

    fruit = promo("FRUIT10", categories=frozenset({"fruit"}), exclusive=False)
    program.save_promotion(till.manager_id, fruit)
    program.save_promotion(till.manager_id, promo("UNUSED"))
    assert [p.code for p in program.promotions()] == ["FRUIT10", "UNUSED"]
    till.sell([("APPLE", 2)])                               # FRUIT10 applies
    program.set_enabled(till.manager_id, "FRUIT10", False)
    assert not program.promotions()[0].enabled
    with pytest.raises(Conflict, match=r"applied to 1 sale.*disable it instead"):
        program.delete_promotion(till.manager_id, "FRUIT10")
    program.delete_promotion(till.manager_id, "UNUSED")     # never applied: may go
    assert [p.code for p in program.promotions()] == ["FRUIT10"]
    actions = [row[0] for row in till.rows(
        "SELECT action FROM audit_log WHERE target LIKE 'promotion:%' ORDER BY id")]
    assert actions == ["promotion_created", "promotion_created", "promotion_disabled",
                       "promotion_deleted"]
    [(_, _, details)] = audit_rows(till, "promotion_deleted")
    assert details["old"]["code"] == "UNUSED" and details["new"] is None  # definition kept


def test_try_quote_explains_applied_and_skipped(till) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    program.save_promotion(till.manager_id, promo(
        "TUEFRUIT", categories=frozenset({"fruit"}), weekdays=frozenset({1}), exclusive=False))
    program.save_promotion(till.manager_id, promo(
        "GOLDX2", effect=Effect.POINTS_MULTIPLIER, value=200, tiers=frozenset({"gold"}),
        exclusive=False))
    program.save_promotion(till.manager_id, promo("OFF", enabled=False, exclusive=False))
    member = till.enrol("Ann Lee").summary

    quote = program.try_quote([("APPLE", 4), ("TEA", 1)], member_id=member.id)  # a Tuesday
    outcome = {o.code: o for o in quote.outcomes}
    assert outcome["TUEFRUIT"].applied and "10% off" in outcome["TUEFRUIT"].explanation
    assert not outcome["GOLDX2"].applied
    assert outcome["GOLDX2"].explanation == "only for tiers gold"
    assert outcome["OFF"].explanation == "disabled"
    assert quote.discount_total == 100

    gold = Shopper("gold", "Gold", 150, None, False)
    wednesday = datetime(2026, 3, 11, 10, 0)
    unsaved = promo("NEWBIE", effect=Effect.BONUS_POINTS, value=50, exclusive=False)
    quote = program.try_quote([("APPLE", 4)], shopper=gold, when=wednesday,
                              promotions=[unsaved])
    outcome = {o.code: o for o in quote.outcomes}
    assert outcome["TUEFRUIT"].explanation == "only on Tue"
    assert outcome["GOLDX2"].applied and outcome["NEWBIE"].applied
    assert quote.points_earned == 30 + 50   # 10.00: 10 x1.5 tier x2 promotion, +50 bonus
    assert "NEWBIE" not in [p.code for p in program.promotions()]  # nothing was saved
    panel = describe_quote(quote, "¥")
    assert panel[0] == "Subtotal ¥10.00, discounts ¥0.00, total ¥10.00; 80 points"
    assert "skipped TUEFRUIT (Promotion TUEFRUIT): only on Tue" in panel
    assert any(line.startswith("APPLIED GOLDX2 (Promotion GOLDX2): x2 points") for line in panel)

    with pytest.raises(InvalidInput, match="not both"):
        program.try_quote([("APPLE", 1)], member_id=member.id, shopper=gold)
    with pytest.raises(InvalidInput, match="unknown tier"):
        program.try_quote([("APPLE", 1)], shopper=Shopper("zinc", "Zinc", 100, None, False))


# -- staff -----------------------------------------------------------------------------------


def test_staff_disable_role_and_last_manager_rules(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    admin = StaffAdminService(till.ctx)
    manager, cashier = till.manager_id, till.cashier_id
    before = snapshot()
    with pytest.raises(Conflict, match="cannot disable yourself"):
        admin.set_active(manager, manager, False)
    with pytest.raises(Conflict, match="last active manager"):
        admin.set_role(manager, manager, "cashier")
    with pytest.raises(PermissionDenied):
        admin.set_active(cashier, manager, False)
    with pytest.raises(InvalidInput, match="role must be"):
        admin.set_role(manager, cashier, "owner")
    with pytest.raises(NotFound):
        admin.set_active(manager, 999, False)
    assert snapshot() == before

    admin.set_role(manager, cashier, "manager")          # Carl becomes a manager
    admin.set_role(manager, manager, "cashier")          # now Maria may step down
    with pytest.raises(PermissionDenied):                 # ... and is no manager any more
        admin.set_active(manager, cashier, False)
    with pytest.raises(Conflict, match="last active manager"):
        admin.set_role(cashier, cashier, "cashier")
    row = admin.set_active(cashier, manager, False)
    assert not row.active
    assert {s.id: (s.role, s.active) for s in admin.staff()} == {
        manager: ("cashier", False), cashier: ("manager", True)}
    changes = till.rows("SELECT action, staff_id, target FROM audit_log WHERE action IN "
                        "('staff_role_changed', 'staff_disabled', 'staff_enabled') ORDER BY id")
    assert changes == [("staff_role_changed", manager, f"staff:{cashier}"),
                       ("staff_role_changed", manager, f"staff:{manager}"),
                       ("staff_disabled", cashier, f"staff:{manager}")]


def test_reset_pin_clears_lockout(till) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        with pytest.raises(PermissionDenied):
            till.staff.sign_in(till.cashier_id, "0000")
    with pytest.raises(LockedOut):
        till.staff.sign_in(till.cashier_id, "0000")
    with pytest.raises(LockedOut):
        till.staff.sign_in(till.cashier_id, "5678")      # the right PIN is locked out too
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        StaffAdminService(till.ctx).reset_pin(till.manager_id, till.cashier_id, "12")
    row = StaffAdminService(till.ctx).reset_pin(till.manager_id, till.cashier_id, "24680")
    assert (row.failed_attempts, row.locked_until) == (0, None)
    assert till.staff.sign_in(till.cashier_id, "24680").id == till.cashier_id
    [(_, target, details)] = audit_rows(till, "pin_reset")
    assert target == f"staff:{till.cashier_id}" and "24680" not in json.dumps(details)
    assert details["old"]["failed_attempts"] == 5


def test_add_staff_reuses_staff_service(till) -> None:  # type: ignore[no-untyped-def]
    view = StaffAdminService(till.ctx).add_staff(till.manager_id, " Wang  Fang ", "cashier",
                                                 "4321")
    assert view.name == "Wang Fang"
    assert audit_rows(till, "staff_added")[-1][1] == f"staff:{view.id}"


# -- audit log -------------------------------------------------------------------------------


def test_audit_filters_and_csv_export(till, tmp_path) -> None:  # type: ignore[no-untyped-def]
    program = ProgramService(till.ctx)
    audit = AuditService(till.ctx)
    program.update_rules(till.manager_id, points_expiry_months=18)
    till.clock.advance(days=1)
    member = till.enrol("王小明").summary
    till.balances.adjust_points(member.id, 50, "goodwill for 王小明", till.manager_id)
    till.clock.advance(days=1)
    program.save_promotion(till.manager_id, promo("LATE"))
    with pytest.raises(PermissionDenied):
        till.staff.sign_in(till.cashier_id, "0000")        # audited: sign_in_failed

    today = till.clock.today
    # (the template's own entries were written with the real clock, after today's fake date)
    everything = audit.entries(until=today)
    assert [e.action for e in everything] == ["sign_in_failed", "promotion_created",
                                              "points_adjusted", "program_rules_updated"]
    assert everything[1].staff_name == "Maria Manager"
    assert {"program_rules_updated", "points_adjusted", "staff_added"} <= set(audit.actions())
    assert [e.action for e in audit.entries(since=today - timedelta(days=1),
                                            until=today - timedelta(days=1))] == [
        "points_adjusted"]
    assert [e.action for e in audit.entries(staff_id=till.cashier_id, until=today)] == [
        "sign_in_failed"]
    assert [e.target for e in audit.entries(action="promotion_created")] == ["promotion:LATE"]
    assert [e.action for e in audit.entries(text="GOODWILL")] == ["points_adjusted"]
    assert [e.action for e in audit.entries(text="王小明")] == ["points_adjusted"]
    assert [e.action for e in audit.entries(text="maria", until=today, limit=2)] == [
        "promotion_created", "points_adjusted"]
    with pytest.raises(InvalidInput):
        audit.entries(limit=0)

    path = tmp_path / "audit.csv"
    written = audit.export_csv(path, since=today - timedelta(days=1), until=today)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) == 3
    assert [r["action"] for r in rows] == ["sign_in_failed", "promotion_created",
                                           "points_adjusted"]
    assert rows[2]["staff_name"] == "Maria Manager"
    assert "goodwill for 王小明" in rows[2]["details"]
    assert rows[2]["at_utc"].endswith("+00:00")
