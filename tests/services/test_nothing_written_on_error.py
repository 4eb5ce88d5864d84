"""Every service operation, fed malformed input, raises a LoyaltyError with a readable message and
leaves the database exactly as it was (every row of every table compared before and after)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

import pytest
from sqlalchemy import event

from loyalty_pos.core.errors import (
    Conflict,
    InsufficientBalance,
    InvalidInput,
    LoyaltyError,
    NotFound,
    PermissionDenied,
)
from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.services.members import Enrolment
from loyalty_pos.services.program import ProgramService
from loyalty_pos.services.refunds import RefundRequest

HUGE = 10**20  # more than SQLite's 64-bit integers hold
UNKNOWN_UUID = "5b0c7c5e-2f55-4a8e-9a43-1f8b3f6e9d01"


@dataclass
class World:
    member_id: int          # active, 1000 points, 20.00 stored value
    card: str
    suspended_id: int
    sale_id: str            # 2 bread, cash, by the member
    line_id: int
    receipt: str
    refunded_sale_id: str   # fully refunded already
    enrolment: Enrolment    # a valid enrolment of a new person


def build_world(till) -> World:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee", phone="13900000001", email="ann@example.com").summary
    till.balances.adjust_points(member.id, 1000, "opening balance", till.manager_id)
    till.balances.top_up(member.id, 2000, "cash", till.cashier_id)
    suspended = till.enrol("Sus Pended", phone="13900000002").summary
    till.members.withdraw_consent(suspended.id, "member_agreement", till.cashier_id)
    sale = till.sell([("BREAD", 2)], member.id)
    line_id = till.refunds.sale_for_refund(sale.receipt_code).lines[0][0]
    refunded = till.sell([("APPLE", 1)])
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), refunded.sale_id, till.cashier_id))
    return World(member.id, member.card_number, suspended.id, sale.sale_id, line_id,
                 sale.receipt_code, refunded.sale_id,
                 till.enrolment("New Person", phone="13900000099"))


@pytest.fixture(scope="session")
def world_template(make_template):  # type: ignore[no-untyped-def]
    """The world is built once per session; every test gets its own copy of the file."""
    return make_template("world", build_world)


@pytest.fixture
def till(world_template, till_from):  # type: ignore[no-untyped-def]
    """Overrides the conftest `till`: a copy of the world (and `snapshot` follows it)."""
    return till_from(world_template[0])


@pytest.fixture
def world(world_template) -> World:  # type: ignore[no-untyped-def]
    return world_template[1]


Op = Callable[..., object]


DEFAULT: object = object()  # "use the usual value", so that None itself can be tested


def sale(till, w: World, items=(("BREAD", 1),), member=None, points=0, payments=DEFAULT,  # type: ignore[no-untyped-def]
         sale_id=DEFAULT, staff=DEFAULT):
    return till.checkout.complete_sale(SaleRequest(
        str(uuid.uuid4()) if sale_id is DEFAULT else sale_id,
        till.cashier_id if staff is DEFAULT else staff,
        list(items) if isinstance(items, tuple) else items, member, points,
        [PaymentRequest("cash", 1000)] if payments is DEFAULT else payments))


def enrol(till, w: World, **changes):  # type: ignore[no-untyped-def]
    return till.members.enrol(replace(w.enrolment, **changes))


def refund(till, w: World, sale_id=DEFAULT, lines=None, refund_id=DEFAULT, staff=DEFAULT,  # type: ignore[no-untyped-def]
           reason="faulty"):
    return till.refunds.refund(RefundRequest(
        str(uuid.uuid4()) if refund_id is DEFAULT else refund_id,
        w.sale_id if sale_id is DEFAULT else sale_id,
        till.cashier_id if staff is DEFAULT else staff, lines, reason))


def update(till, w: World, member=None, staff=None, **changes):  # type: ignore[no-untyped-def]
    values = {"name": "Ann Lee", "phone": "13900000001", "email": None, "birthday": None,
              "notes": ""}
    values.update(changes)
    return till.members.update(w.member_id if member is None else member,
                               till.cashier_id if staff is None else staff, **values)


CASES: list[tuple[str, Op, type[LoyaltyError], str]] = [
    # ---- staff -------------------------------------------------------------------------------
    ("sign_in unknown staff", lambda t, w: t.staff.sign_in(999, "1234"), NotFound, "unknown"),
    ("sign_in staff None", lambda t, w: t.staff.sign_in(None, "1234"), NotFound, "unknown"),
    ("sign_in staff as text", lambda t, w: t.staff.sign_in("1", "1234"), NotFound, "unknown"),
    ("approve a cashier", lambda t, w: t.staff.approve_as_manager(t.cashier_id, "5678"),
     PermissionDenied, "not a manager"),
    ("add_staff bad role", lambda t, w: t.staff.add_staff(t.manager_id, "Al", "boss", "1111"),
     InvalidInput, "role must be one of"),
    ("add_staff no name", lambda t, w: t.staff.add_staff(t.manager_id, "  ", "cashier", "1111"),
     InvalidInput, "name is required"),
    ("add_staff name None", lambda t, w: t.staff.add_staff(t.manager_id, None, "cashier", "1111"),
     InvalidInput, "name is required"),
    ("add_staff short PIN", lambda t, w: t.staff.add_staff(t.manager_id, "Al", "cashier", "12"),
     InvalidInput, "4 to 8 digits"),
    ("add_staff PIN None", lambda t, w: t.staff.add_staff(t.manager_id, "Al", "cashier", None),
     InvalidInput, "4 to 8 digits"),
    ("add_staff PIN int", lambda t, w: t.staff.add_staff(t.manager_id, "Al", "cashier", 1111),
     InvalidInput, "4 to 8 digits"),
    ("add_staff by cashier", lambda t, w: t.staff.add_staff(t.cashier_id, "Al", "cashier", "1111"),
     PermissionDenied, "not a manager"),
    ("add_staff unknown manager", lambda t, w: t.staff.add_staff(999, "Al", "cashier", "1111"),
     PermissionDenied, "unknown or disabled"),
    # ---- enrolment ---------------------------------------------------------------------------
    ("enrol name None", lambda t, w: enrol(t, w, name=None), InvalidInput, "name is required"),
    ("enrol name too long", lambda t, w: enrol(t, w, name="x" * 500), InvalidInput,
     "longer than 120"),
    ("enrol phone as int", lambda t, w: enrol(t, w, phone=13900000055), InvalidInput,
     "phone number"),
    ("enrol email as int", lambda t, w: enrol(t, w, email=5), InvalidInput, "email address"),
    ("enrol phone too long", lambda t, w: enrol(t, w, phone="1" * 40), InvalidInput,
     "not a phone number"),
    ("enrol no contact", lambda t, w: enrol(t, w, phone="", email=None), InvalidInput,
     "phone number or an email address"),
    ("enrol birthday text", lambda t, w: enrol(t, w, birthday="1990-01-01"), InvalidInput,
     "birthday must be a date"),
    ("enrol birthday datetime", lambda t, w: enrol(t, w, birthday=datetime(1990, 1, 1)),
     InvalidInput, "birthday"),
    ("enrol birthday in 1800", lambda t, w: enrol(t, w, birthday=date(1800, 1, 1)), InvalidInput,
     "not plausible"),
    ("enrol staff None", lambda t, w: enrol(t, w, staff_id=None), PermissionDenied,
     "unknown or disabled"),
    ("enrol agreement None", lambda t, w: enrol(t, w, accepted_agreement_sha256=None),
     InvalidInput, "member agreement"),
    ("enrol referral int", lambda t, w: enrol(t, w, referral_code=12345678), NotFound,
     "referral code"),
    ("enrol duplicate phone", lambda t, w: enrol(t, w, phone="13900000001"), Conflict,
     r"\(Ann Lee\) already has this phone number"),
    ("enrol duplicate email", lambda t, w: enrol(t, w, email="ANN@example.com"), Conflict,
     r"\(Ann Lee\) already has this email address"),
    # ---- member changes ----------------------------------------------------------------------
    ("set_marketing unknown member", lambda t, w: t.members.set_marketing(999, True, t.cashier_id),
     NotFound, "member 999 does not exist"),
    ("set_marketing unknown staff", lambda t, w: t.members.set_marketing(w.member_id, True, 999),
     PermissionDenied, "unknown or disabled"),
    ("withdraw unknown kind", lambda t, w: t.members.withdraw_consent(w.member_id, "x",
                                                                      t.cashier_id),
     InvalidInput, "unknown consent kind"),
    ("withdraw kind None", lambda t, w: t.members.withdraw_consent(w.member_id, None,
                                                                   t.cashier_id),
     InvalidInput, "unknown consent kind"),
    ("withdraw member as text", lambda t, w: t.members.withdraw_consent("1", "privacy",
                                                                        t.cashier_id),
     NotFound, "does not exist"),
    ("update unknown member", lambda t, w: update(t, w, member=999), NotFound, "does not exist"),
    ("update empty name", lambda t, w: update(t, w, name=""), InvalidInput, "name is required"),
    ("update bad phone", lambda t, w: update(t, w, phone="abc"), InvalidInput,
     "not a phone number"),
    ("update email as int", lambda t, w: update(t, w, email=42), InvalidInput, "email address"),
    ("update future birthday", lambda t, w: update(t, w, birthday=date(2030, 1, 1)), InvalidInput,
     "not plausible"),
    ("update steals a phone", lambda t, w: update(t, w, phone="13900000002"), Conflict,
     "already has this phone number"),
    ("update unknown staff", lambda t, w: update(t, w, staff=999), PermissionDenied,
     "unknown or disabled"),
    ("block card no reason", lambda t, w: t.members.block_and_replace_card(w.card, None,
                                                                          t.cashier_id),
     InvalidInput, "say why"),
    ("block card reason int", lambda t, w: t.members.block_and_replace_card(w.card, 7,
                                                                           t.cashier_id),
     InvalidInput, "say why"),
    ("block unknown card", lambda t, w: t.members.block_and_replace_card("2900700009999", "lost",
                                                                        t.cashier_id),
     NotFound, "does not exist"),
    ("block card None", lambda t, w: t.members.block_and_replace_card(None, "lost", t.cashier_id),
     NotFound, "does not exist"),
    ("block card unknown staff", lambda t, w: t.members.block_and_replace_card(w.card, "lost",
                                                                              None),
     PermissionDenied, "unknown or disabled"),
    ("details unknown member", lambda t, w: t.members.details(None), NotFound, "does not exist"),
    # ---- catalog -----------------------------------------------------------------------------
    ("add_product no sku", lambda t, w: t.catalog.add_product("", "X", "c", 100), InvalidInput,
     "needs a SKU"),
    ("add_product negative price", lambda t, w: t.catalog.add_product("X", "X", "c", -1),
     InvalidInput, "price"),
    ("add_product float price", lambda t, w: t.catalog.add_product("X", "X", "c", 1.5),
     InvalidInput, "price"),
    ("add_product price None", lambda t, w: t.catalog.add_product("X", "X", "c", None),
     InvalidInput, "price"),
    ("add_product huge price", lambda t, w: t.catalog.add_product("X", "X", "c", HUGE),
     InvalidInput, "price"),
    ("add_product duplicate sku", lambda t, w: t.catalog.add_product("BREAD", "X", "c", 1),
     Conflict, "exists"),
    ("add_product duplicate barcode",
     lambda t, w: t.catalog.add_product("X", "X", "c", 1, barcode="4006381333931"),
     Conflict, "exists"),
    ("product unknown", lambda t, w: t.catalog.product("NOPE"), NotFound, "no product"),
    ("product None", lambda t, w: t.catalog.product(None), InvalidInput, "no product code"),
    # ---- checkout ----------------------------------------------------------------------------
    ("sale garbage uuid", lambda t, w: sale(t, w, sale_id="not-a-uuid"), InvalidInput,
     "is not a UUID"),
    ("sale uuid None", lambda t, w: sale(t, w, sale_id=None), InvalidInput, "is not a UUID"),
    ("sale uuid empty", lambda t, w: sale(t, w, sale_id=""), InvalidInput, "is not a UUID"),
    ("sale staff None", lambda t, w: sale(t, w, staff=None), PermissionDenied,
     "unknown or disabled"),
    ("sale uuid int", lambda t, w: sale(t, w, sale_id=12345), InvalidInput, "is not a UUID"),
    ("sale empty basket", lambda t, w: sale(t, w, items=[]), InvalidInput, "basket is empty"),
    ("sale basket None", lambda t, w: sale(t, w, items=None), InvalidInput, "basket is empty"),
    ("sale basket text", lambda t, w: sale(t, w, items="BREAD"), InvalidInput, "basket"),
    ("sale item without qty", lambda t, w: sale(t, w, items=[("BREAD",)]), InvalidInput,
     "basket"),
    ("sale item None", lambda t, w: sale(t, w, items=[None]), InvalidInput, "basket"),
    ("sale unknown product", lambda t, w: sale(t, w, items=[("NOPE", 1)]), NotFound,
     "no product with code NOPE"),
    ("sale product None", lambda t, w: sale(t, w, items=[(None, 1)]), InvalidInput,
     "no product code"),
    ("sale quantity 0", lambda t, w: sale(t, w, items=[("BREAD", 0)]), InvalidInput,
     "quantity of BREAD"),
    ("sale quantity negative", lambda t, w: sale(t, w, items=[("BREAD", -1)]), InvalidInput,
     "quantity of BREAD"),
    ("sale quantity huge", lambda t, w: sale(t, w, items=[("BREAD", HUGE)]), InvalidInput,
     "1 to 9999"),
    ("sale quantity 10000", lambda t, w: sale(t, w, items=[("BREAD", 10_000)]), InvalidInput,
     "1 to 9999"),
    ("sale quantity float", lambda t, w: sale(t, w, items=[("BREAD", 1.0)]), InvalidInput,
     "whole number"),
    ("sale quantity text", lambda t, w: sale(t, w, items=[("BREAD", "1")]), InvalidInput,
     "whole number"),
    ("sale quantity None", lambda t, w: sale(t, w, items=[("BREAD", None)]), InvalidInput,
     "whole number"),
    ("sale quantity True", lambda t, w: sale(t, w, items=[("BREAD", True)]), InvalidInput,
     "whole number"),
    ("sale unknown member", lambda t, w: sale(t, w, member=999), NotFound, "member 999"),
    ("sale member as text", lambda t, w: sale(t, w, member="1"), NotFound, "does not exist"),
    ("sale suspended member", lambda t, w: sale(t, w, member=w.suspended_id), Conflict,
     "suspended"),
    ("sale unknown staff", lambda t, w: sale(t, w, staff=999), PermissionDenied,
     "unknown or disabled"),
    ("sale negative points", lambda t, w: sale(t, w, member=w.member_id, points=-100),
     InvalidInput, "points to redeem"),
    ("sale float points", lambda t, w: sale(t, w, member=w.member_id, points=1.5), InvalidInput,
     "points to redeem"),
    ("sale points as text", lambda t, w: sale(t, w, member=w.member_id, points="100"),
     InvalidInput, "points to redeem"),
    ("sale points huge", lambda t, w: sale(t, w, member=w.member_id, points=HUGE),
     InsufficientBalance, "has 1020 points, not 100000000000000000000"),
    ("sale points over cap", lambda t, w: sale(t, w, member=w.member_id, points=600),
     InsufficientBalance, "at most 500 points"),
    ("sale points no member", lambda t, w: sale(t, w, points=100), InvalidInput,
     "points need a member"),
    ("sale payments None", lambda t, w: sale(t, w, payments=None), InvalidInput,
     "payments must be a list"),
    ("sale payments text", lambda t, w: sale(t, w, payments="cash"), InvalidInput,
     "payments must be a list"),
    ("sale payment not a request", lambda t, w: sale(t, w, payments=[("cash", 1000)]),
     InvalidInput, "payment"),
    ("sale payment method None", lambda t, w: sale(t, w, payments=[PaymentRequest(None, 1000)]),
     InvalidInput, "unknown payment method"),
    ("sale payment amount None", lambda t, w: sale(t, w, payments=[PaymentRequest("cash", None)]),
     InvalidInput, "more than zero"),
    ("sale payment amount float",
     lambda t, w: sale(t, w, payments=[PaymentRequest("cash", 1000.0)]), InvalidInput,
     "more than zero"),
    ("sale payment amount huge",
     lambda t, w: sale(t, w, payments=[PaymentRequest("card", HUGE, "X")]), InvalidInput,
     "payments add up to"),
    ("sale cash amount huge", lambda t, w: sale(t, w, payments=[PaymentRequest("cash", HUGE)]),
     InvalidInput, "not plausible"),
    ("sale payment negative", lambda t, w: sale(t, w, payments=[
        PaymentRequest("cash", 2000), PaymentRequest("card", -1000, "X")]), InvalidInput,
     "more than zero"),
    ("sale tendered text",
     lambda t, w: sale(t, w, payments=[PaymentRequest("cash", 1000, tendered="20")]),
     InvalidInput, "tendered"),
    ("sale tendered huge",
     lambda t, w: sale(t, w, payments=[PaymentRequest("cash", 1000, tendered=HUGE)]),
     InvalidInput, "tendered"),
    ("sale card reference int",
     lambda t, w: sale(t, w, payments=[PaymentRequest("card", 1000, reference=1234)]),
     InvalidInput, "reference"),
    ("sale card no reference", lambda t, w: sale(t, w, payments=[PaymentRequest("card", 1000)]),
     InvalidInput, "terminal's reference"),
    ("sale underpaid", lambda t, w: sale(t, w, payments=[PaymentRequest("cash", 999)]),
     InvalidInput, "payments add up to 9.99 but 10.00 is due"),
    ("sale stored value over balance", lambda t, w: sale(
        t, w, items=[("TEA", 1)], member=w.member_id,
        payments=[PaymentRequest("stored_value", 3333)]), InsufficientBalance,
     "stored value balance is 20.00"),
    ("sale replay with other content", lambda t, w: sale(t, w, sale_id=w.sale_id,
                                                          items=[("BREAD", 1)]),
     Conflict, "different content"),
    ("quote garbage member", lambda t, w: t.checkout.quote([("BREAD", 1)], "x"), NotFound,
     "does not exist"),
    ("quote bad quantity", lambda t, w: t.checkout.quote([("BREAD", -2)]), InvalidInput,
     "quantity"),
    # ---- refunds -----------------------------------------------------------------------------
    ("refund garbage refund id", lambda t, w: refund(t, w, refund_id="nope"), InvalidInput,
     "refund id 'nope' is not a UUID"),
    ("refund garbage sale id", lambda t, w: refund(t, w, sale_id="nope"), InvalidInput,
     "sale id 'nope' is not a UUID"),
    ("refund sale id None", lambda t, w: refund(t, w, sale_id=None), InvalidInput,
     "not a UUID"),
    ("refund refund id None", lambda t, w: refund(t, w, refund_id=None), InvalidInput,
     "not a UUID"),
    ("refund staff None", lambda t, w: refund(t, w, staff=None), PermissionDenied,
     "unknown or disabled"),
    ("refund unknown sale", lambda t, w: refund(t, w, sale_id=UNKNOWN_UUID), NotFound,
     "does not exist"),
    ("refund unknown staff", lambda t, w: refund(t, w, staff=999), PermissionDenied,
     "unknown or disabled"),
    ("refund lines as list", lambda t, w: refund(t, w, lines=[w.line_id]), InvalidInput,
     "map sale line ids"),
    ("refund qty as text", lambda t, w: refund(t, w, lines={w.line_id: "1"}), InvalidInput,
     "can refund 0 to 2"),
    ("refund qty float", lambda t, w: refund(t, w, lines={w.line_id: 1.0}), InvalidInput,
     "can refund 0 to 2"),
    ("refund qty huge", lambda t, w: refund(t, w, lines={w.line_id: HUGE}), InvalidInput,
     "can refund 0 to 2"),
    ("refund qty negative", lambda t, w: refund(t, w, lines={w.line_id: -1}), InvalidInput,
     "can refund 0 to 2"),
    ("refund line of another sale", lambda t, w: refund(t, w, lines={w.line_id + 1000: 1}),
     InvalidInput, "is not part of sale"),
    ("refund nothing chosen", lambda t, w: refund(t, w, lines={}), InvalidInput,
     "choose at least one line"),
    ("refund reason int", lambda t, w: refund(t, w, reason=5, lines={w.line_id: 9}),
     InvalidInput, "can refund"),
    ("refund already refunded", lambda t, w: refund(t, w, sale_id=w.refunded_sale_id),
     InvalidInput, "already refunded"),
    ("receipt garbage", lambda t, w: t.refunds.sale_for_refund("12345"), InvalidInput,
     r"R \+ 10 digits"),
    ("receipt None", lambda t, w: t.refunds.sale_for_refund(None), InvalidInput,
     r"R \+ 10 digits"),
    ("receipt unknown", lambda t, w: t.refunds.sale_for_refund("R0079999999"), NotFound,
     "not a sale"),
    ("preview garbage", lambda t, w: t.refunds.preview("x"), InvalidInput, "not a UUID"),
    # ---- balances ----------------------------------------------------------------------------
    ("top_up zero", lambda t, w: t.balances.top_up(w.member_id, 0, "cash", t.cashier_id),
     InvalidInput, "more than zero"),
    ("top_up negative", lambda t, w: t.balances.top_up(w.member_id, -500, "cash", t.cashier_id),
     InvalidInput, "more than zero"),
    ("top_up float", lambda t, w: t.balances.top_up(w.member_id, 10.5, "cash", t.cashier_id),
     InvalidInput, "whole number"),
    ("top_up text", lambda t, w: t.balances.top_up(w.member_id, "1000", "cash", t.cashier_id),
     InvalidInput, "whole number"),
    ("top_up None", lambda t, w: t.balances.top_up(w.member_id, None, "cash", t.cashier_id),
     InvalidInput, "whole number"),
    ("top_up huge", lambda t, w: t.balances.top_up(w.member_id, HUGE, "cash", t.cashier_id),
     InvalidInput, "may not exceed"),
    ("top_up bad method", lambda t, w: t.balances.top_up(w.member_id, 100, None, t.cashier_id),
     InvalidInput, "cash or card"),
    ("top_up card reference int",
     lambda t, w: t.balances.top_up(w.member_id, 100, "card", t.cashier_id, reference=77),
     InvalidInput, "reference"),
    ("top_up unknown member", lambda t, w: t.balances.top_up(999, 100, "cash", t.cashier_id),
     NotFound, "member 999"),
    ("top_up suspended member",
     lambda t, w: t.balances.top_up(w.suspended_id, 100, "cash", t.cashier_id), Conflict,
     "suspended"),
    ("top_up unknown staff", lambda t, w: t.balances.top_up(w.member_id, 100, "cash", None),
     PermissionDenied, "unknown or disabled"),
    ("adjust zero", lambda t, w: t.balances.adjust_points(w.member_id, 0, "why", t.manager_id),
     InvalidInput, "not zero"),
    ("adjust float", lambda t, w: t.balances.adjust_points(w.member_id, 1.5, "why",
                                                           t.manager_id),
     InvalidInput, "whole number"),
    ("adjust None", lambda t, w: t.balances.adjust_points(w.member_id, None, "why",
                                                          t.manager_id),
     InvalidInput, "whole number"),
    ("adjust huge", lambda t, w: t.balances.adjust_points(w.member_id, HUGE, "why",
                                                          t.manager_id),
     InvalidInput, "points"),
    ("adjust reason int", lambda t, w: t.balances.adjust_points(w.member_id, 5, 12345,
                                                                t.manager_id),
     InvalidInput, "reason"),
    ("adjust by cashier", lambda t, w: t.balances.adjust_points(w.member_id, 5, "why",
                                                                t.cashier_id),
     PermissionDenied, "not a manager"),
    ("adjust unknown member", lambda t, w: t.balances.adjust_points(999, 5, "why", t.manager_id),
     NotFound, "member 999"),
    ("adjust below zero", lambda t, w: t.balances.adjust_points(w.member_id, -1021, "why",
                                                                t.manager_id),
     InsufficientBalance, "has 1020 points, not 1021"),
    ("expiry date as text", lambda t, w: t.balances.run_expiry("2027-01-01"), InvalidInput,
     "date"),
    # ---- tiers and reports -------------------------------------------------------------------
    ("tier unknown member", lambda t, w: t.tiers.evaluate(999), NotFound, "member 999"),
    ("tier member None", lambda t, w: t.tiers.evaluate(None), NotFound, "does not exist"),
    ("report bad scope", lambda t, w: t.reports.day_report(date(2026, 3, 10), scope="chain"),
     InvalidInput, "per till or per store"),
    ("report day as text", lambda t, w: t.reports.day_report("2026-03-10"), InvalidInput,
     "date"),
]


@pytest.mark.parametrize(("operation", "error", "message"),
                         [pytest.param(op, err, msg, id=name) for name, op, err, msg in CASES])
def test_malformed_input_is_refused_and_nothing_is_written(  # type: ignore[no-untyped-def]
        till, world: World, snapshot, operation: Op, error: type[LoyaltyError],
        message: str) -> None:
    before = snapshot()
    with pytest.raises(error, match=message) as caught:
        operation(till, world)
    assert str(caught.value).strip(), "the cashier needs a message to read"
    assert snapshot() == before


def test_each_case_is_named_once() -> None:
    names = [name for name, *_ in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("query", ["", "   ", None, "1" * 16])
def test_finder_refuses_bad_searches(till, world: World, query: object) -> None:  # type: ignore[no-untyped-def]
    connection = till.raw()
    try:
        finder = MemberFinder(connection, till.secret())
        with pytest.raises(InvalidInput):
            finder.search(query, date(2026, 3, 10))  # type: ignore[arg-type]
        with pytest.raises(LoyaltyError):
            finder.by_scan(query, date(2026, 3, 10))  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            finder.by_card(query, date(2026, 3, 10))  # type: ignore[arg-type]
    finally:
        connection.close()


def test_error_found_late_rolls_back_what_was_already_written(till, world: World,  # type: ignore[no-untyped-def]
                                                              snapshot) -> None:
    """Points are redeemed (ledger rows flushed) before the stored-value payment turns out to
    exceed the balance: the whole transaction must roll back."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    before = snapshot()
    event.listen(till.db.engine, "before_cursor_execute", record)
    try:
        with pytest.raises(InsufficientBalance, match=r"stored value balance is 20\.00"):
            sale(till, world, items=[("TEA", 1)], member=world.member_id, points=1000,
                 payments=[PaymentRequest("stored_value", 2333)])
    finally:
        event.remove(till.db.engine, "before_cursor_execute", record)
    written = [s.split("(")[0].strip() for s in statements if s.startswith("INSERT")]
    # the sale, its lines and payments and the points redemption had reached the database ...
    assert written[:4] == ["INSERT INTO sales", "INSERT INTO payments", "INSERT INTO payments",
                           "INSERT INTO sale_lines"]
    assert "INSERT INTO ledger_entries" in written
    # ... and none of it is left
    assert snapshot() == before
    summary = till.members.details(world.member_id).summary
    assert (summary.points_balance, summary.stored_value_balance) == (1020, 2000)


def test_wrong_pin_is_recorded_on_purpose(till, snapshot) -> None:  # type: ignore[no-untyped-def]
    """The one deliberate exception: a wrong PIN is refused *and* counted towards the lockout
    (staff row and audit log), so it is written even though an error is raised."""
    before = snapshot()
    with pytest.raises(PermissionDenied, match="wrong PIN"):
        till.staff.sign_in(till.cashier_id, "0000")
    after = snapshot()
    changed = {table for table in before if before[table] != after[table]}
    assert changed == {"staff", "audit_log"}


def test_add_promotion_with_bad_rule_writes_nothing(till, snapshot) -> None:  # type: ignore[no-untyped-def]
    from loyalty_pos.core.promotions import Effect, PromotionRule

    before = snapshot()
    for bad in ({"effect": "free_lunch"}, {"value": 0}, {"start_time": time(9)}):
        values = {"code": "P", "name": "P", "effect": Effect.BONUS_POINTS, "value": 5} | bad
        with pytest.raises(InvalidInput):
            ProgramService(till.ctx).save_promotion(till.manager_id, PromotionRule(**values))  # type: ignore[arg-type]
    assert snapshot() == before
