"""Property tests: random sequences of till operations never break the books.

After every step: each cached balance equals its ledger sum, stored value never went negative,
lots and allocations agree, every hash chain verifies (services/verify.py does all of it on the
real SQLite file). A sale followed by its full refund, in one go or in parts, restores every
balance exactly.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from loyalty_pos.core.errors import InsufficientBalance, InvalidInput
from loyalty_pos.core.points import max_redeemable_points
from loyalty_pos.core.program import ProgramRules
from loyalty_pos.core.promotions import Effect, PromotionRule
from loyalty_pos.db.engine import Database
from loyalty_pos.db.models import Sale
from loyalty_pos.services.balances import BalanceService
from loyalty_pos.services.catalog import CatalogService, save_promotion
from loyalty_pos.services.checkout import CheckoutService, PaymentRequest, SaleRequest
from loyalty_pos.services.context import TillContext
from loyalty_pos.services.members import Enrolment, MemberService, current_agreement
from loyalty_pos.services.refunds import RefundRequest, RefundService, SaleForRefund
from loyalty_pos.services.setup import TillSetup, setup_till
from loyalty_pos.services.tiers import TierService
from loyalty_pos.services.verify import verify_database

PRODUCTS = [("P1", "Rice 5kg", "grocery", 4990, True), ("P2", "Milk", "dairy", 1275, True),
            ("P3", "Cigarettes", "tobacco", 3000, False), ("P4", "Apple", "fruit", 333, True)]
MEMBERS = 3


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One set-up till with products, promotions and members, copied for every example."""
    path = tmp_path_factory.mktemp("template") / "till.sqlite"
    db = Database.open(path)
    rules = ProgramRules(max_redeem_percent=80, referral_min_purchase=500)
    ctx = setup_till(db, TillSetup("S1", "Shop", 1, "Till 1", "Manager", "1234"), rules)
    catalog = CatalogService(ctx)
    for sku, name, category, price, eligible in PRODUCTS:
        catalog.add_product(sku, name, category, price, None, eligible)
    with db.transaction() as session:
        save_promotion(session, PromotionRule("DBL", "Double dairy", Effect.POINTS_MULTIPLIER,
                                              200, categories=frozenset({"dairy"})))
        save_promotion(session, PromotionRule("OFF10", "10% off fruit", Effect.PERCENT_DISCOUNT,
                                              10, categories=frozenset({"fruit"})))
        save_promotion(session, PromotionRule("BONUS", "Bonus over 50", Effect.BONUS_POINTS, 25,
                                              min_basket=5000))
        terms = current_agreement(session, "member_agreement").sha256
        privacy = current_agreement(session, "privacy").sha256
    members = MemberService(ctx)
    first = members.enrol(Enrolment("Member Zero", "13900000000", None, None, 1, terms, privacy))
    for n in range(1, MEMBERS):
        members.enrol(Enrolment(f"Member {n}", f"1390000000{n}", None, None, 1, terms, privacy,
                                referral_code=first.referral_code))
    db.close()
    return path


def snapshot(db: Database) -> dict[int, tuple[int, int]]:
    with db.raw_connection() as connection:
        return {row[0]: (row[1], row[2]) for row in connection.execute(
            "SELECT id, points_balance, stored_value_balance FROM members")}


class TillMachine(RuleBasedStateMachine):
    template_path: Path
    work_dir: Path

    @initialize()
    def open_till(self) -> None:
        path = self.work_dir / f"{uuid.uuid4()}.sqlite"
        shutil.copy(self.template_path, path)
        self.db = Database.open(path)
        self.clock = Clock()
        self.ctx = TillContext.open(self.db, self.clock)
        self.checkout = CheckoutService(self.ctx)
        self.refunds = RefundService(self.ctx)
        self.balances = BalanceService(self.ctx)
        self.sales: list[str] = []

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.close()

    # -- operations ------------------------------------------------------------------------

    def _sell(self, member_id: int, items: list[tuple[str, int]], redeem_share: float,
              stored_value_share: float) -> str | None:
        quote = self.checkout.quote(items, member_id)
        member = self.balances_of(member_id)
        redeem = int(max_redeemable_points(member[0], quote.total, ProgramRules(
            max_redeem_percent=80)) * redeem_share)
        quote = self.checkout.quote(items, member_id, redeem)
        due = quote.due_after_points
        stored = min(member[1], int(due * stored_value_share))
        payments = [PaymentRequest("stored_value", stored)] if stored else []
        if due - stored:
            payments.append(PaymentRequest("cash", due - stored, tendered=due - stored + 77))
        sale_id = str(uuid.uuid4())
        self.checkout.complete_sale(SaleRequest(sale_id, 1, items, member_id, redeem, payments))
        return sale_id

    def balances_of(self, member_id: int) -> tuple[int, int]:
        return snapshot(self.db)[member_id]

    @rule(member=st.integers(1, MEMBERS),
          items=st.lists(st.tuples(st.sampled_from([p[0] for p in PRODUCTS]),
                                   st.integers(1, 4)), min_size=1, max_size=4),
          redeem_share=st.sampled_from([0, 0.5, 1]),
          stored_value_share=st.sampled_from([0, 0.3, 1]))
    def sale(self, member: int, items: list[tuple[str, int]], redeem_share: float,
             stored_value_share: float) -> None:
        self.sales.append(self._sell(member, items, redeem_share, stored_value_share))

    @precondition(lambda self: self.sales)
    @rule(pick=st.integers(0, 10_000), share=st.sampled_from(["one", "all"]))
    def refund(self, pick: int, share: str) -> None:
        sale_id = self.sales[pick % len(self.sales)]
        sale = self._sale_for_refund(sale_id)
        open_lines = [(line_id, left) for line_id, _, _, left, _ in sale.lines if left]
        if not open_lines:
            with pytest.raises(InvalidInput):
                self.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, 1))
            return
        lines = None if share == "all" else {open_lines[0][0]: 1}
        self.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, 1, lines))

    def _sale_for_refund(self, sale_id: str) -> SaleForRefund:
        with self.db.sessions() as session:
            receipt_no = session.get(Sale, sale_id).receipt_no
        return self.refunds.sale_for_refund(f"R001{receipt_no:07d}")

    @rule(member=st.integers(1, MEMBERS), amount=st.integers(1, 20_000),
          method=st.sampled_from(["cash", "card"]))
    def top_up(self, member: int, amount: int, method: str) -> None:
        self.balances.top_up(member, amount, method, 1, "TERM-1" if method == "card" else None)

    @rule(member=st.integers(1, MEMBERS), points=st.integers(-300, 300).filter(bool))
    def adjust(self, member: int, points: int) -> None:
        before = self.balances_of(member)[0]
        if points < 0 and -points > before:
            with pytest.raises(InsufficientBalance):
                self.balances.adjust_points(member, points, "correction", 1)
            return
        self.balances.adjust_points(member, points, "correction", 1)

    @rule(days=st.integers(1, 200))
    def time_passes_and_points_expire(self, days: int) -> None:
        self.clock.now += timedelta(days=days)
        self.balances.run_expiry(self.clock.now.date())

    @rule()
    def review_tiers(self) -> None:
        TierService(self.ctx).evaluate_all()

    @rule(member=st.integers(1, MEMBERS),
          items=st.lists(st.tuples(st.sampled_from([p[0] for p in PRODUCTS]),
                                   st.integers(1, 3)), min_size=1, max_size=3),
          redeem_share=st.sampled_from([0, 1]), stored_value_share=st.sampled_from([0, 1]),
          in_parts=st.booleans())
    def full_refund_restores_balances(self, member: int, items: list[tuple[str, int]],
                                      redeem_share: float, stored_value_share: float,
                                      in_parts: bool) -> None:
        before = snapshot(self.db)
        sale_id = self._sell(member, items, redeem_share, stored_value_share)
        if in_parts:
            for line_id, _, sold, _, _ in self._sale_for_refund(sale_id).lines:
                for _ in range(sold):
                    self.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, 1,
                                                      {line_id: 1}))
        else:
            self.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id, 1))
        after = snapshot(self.db)
        # the referral reward (first qualifying purchase) is the one thing a refund keeps
        changed = {m: (before[m], after[m]) for m in before if before[m] != after[m]}
        for member_id, (was, now) in changed.items():
            assert now[1] == was[1], f"member {member_id} stored value not restored"
            assert now[0] - was[0] in self.referral_rewards(sale_id, member_id), (
                f"member {member_id} points {was[0]} -> {now[0]} not restored")
        self.sales.append(sale_id)

    def referral_rewards(self, sale_id: str, member_id: int) -> set[int]:
        with self.db.raw_connection() as connection:
            total = connection.execute(
                "SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e "
                "JOIN members m ON m.uuid = e.member_uuid "
                "WHERE e.sale_id = ? AND e.kind = 'referral' AND m.id = ?",
                (sale_id, member_id)).fetchone()[0]
        return {total}

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "db"):
            return
        with self.db.raw_connection() as connection:
            problems = verify_database(connection)
        assert not any(problems.values()), problems


@pytest.mark.slow
def test_random_operations_keep_the_books(template: Path, tmp_path: Path) -> None:
    TillMachine.template_path = template
    TillMachine.work_dir = tmp_path
    runner = TillMachine.TestCase()
    runner.settings = settings(max_examples=60, stateful_step_count=30, deadline=None,
                               suppress_health_check=list(HealthCheck))
    runner.runTest()
