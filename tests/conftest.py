"""Shared fixtures: a real till database per test, a movable clock, staff, products and members.

PINs are hashed with scrypt (~50 ms each), so staff and products are created once per session in a
template database file; every test gets its own copy of that file (shutil.copy), opened with
`Database.open` like the real till does. No Qt here: tests/ui has its own conftest.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from loyalty_pos.db.engine import Database
from loyalty_pos.services.balances import BalanceService
from loyalty_pos.services.catalog import CatalogService
from loyalty_pos.services.checkout import CheckoutService, PaymentRequest, SaleRequest
from loyalty_pos.services.context import TillContext, chain_secret
from loyalty_pos.services.members import Enrolment, MemberService, current_agreement
from loyalty_pos.services.refunds import RefundService
from loyalty_pos.services.reports import ReportService
from loyalty_pos.services.setup import TillSetup, setup_till
from loyalty_pos.services.staff import StaffService
from loyalty_pos.services.tiers import TierService
from loyalty_pos.services.verify import verify_database
from loyalty_pos.services.views import MemberDetails, SaleResult

T = TypeVar("T")

TILL_NUMBER = 7
MANAGER_PIN = "1234"
CASHIER_PIN = "5678"

# Local noon on Tuesday 10 March 2026, whatever the machine's time zone: promotions read local
# hours and weekdays, and the day report uses the local calendar day.
START = datetime(2026, 3, 10, 12, 0).astimezone().astimezone(UTC)

# sku, name, category, price (minor units), barcode, points eligible
PRODUCTS = (
    ("APPLE", "Apple", "fruit", 250, "4006381333931", True),
    ("BREAD", "Bread", "bakery", 1000, None, True),
    ("TEA", "Green tea", "drinks", 3333, None, True),
    ("TV", "Television", "electronics", 150_000, None, True),
    ("GIFT", "Gift wrap", "services", 5000, None, False),
)


class FakeClock:
    """An injectable clock: returns an aware UTC datetime; tests move it forward."""

    def __init__(self, start: datetime = START) -> None:
        assert start.tzinfo is not None
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> datetime:
        assert moment.tzinfo is not None, "the clock returns aware datetimes"
        self.current = moment
        return self.current

    @property
    def today(self) -> date:
        return self.current.astimezone().date()


@dataclass
class TemplateInfo:
    path: Path
    manager_id: int
    cashier_id: int


def _fold_wal(path: Path) -> None:
    """Fold the WAL into the file so that a plain file copy is the complete database."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert not path.with_name(path.name + "-wal").exists()


@pytest.fixture(scope="session")
def till_template(tmp_path_factory: pytest.TempPathFactory) -> TemplateInfo:
    """One migrated, set-up till database with a manager, a cashier and products."""
    path = tmp_path_factory.mktemp("template") / "till.sqlite"
    db = Database.open(path)
    ctx = setup_till(db, TillSetup("S001", "High Street", TILL_NUMBER, "Till 7", "Maria Manager",
                                   MANAGER_PIN))
    manager_id = StaffService(ctx).list_staff()[0].id
    cashier = StaffService(ctx).add_staff(manager_id, "Carl Cashier", "cashier", CASHIER_PIN)
    catalog = CatalogService(ctx)
    for sku, name, category, price, barcode, eligible in PRODUCTS:
        catalog.add_product(sku, name, category, price, barcode=barcode, points_eligible=eligible)
    db.close()
    _fold_wal(path)
    return TemplateInfo(path, manager_id, cashier.id)


@pytest.fixture(scope="session")
def make_template(till_template: TemplateInfo, tmp_path_factory: pytest.TempPathFactory
                  ) -> Callable[[str, Callable[[Till], T]], tuple[TemplateInfo, T]]:
    """Build a derived template once per session: `build(till)` runs on a copy of the base
    template (clock at START) and its result is returned with the saved file."""
    built: dict[str, tuple[TemplateInfo, object]] = {}

    def factory(name: str, build: Callable[[Till], T]) -> tuple[TemplateInfo, T]:
        if name not in built:
            path = tmp_path_factory.mktemp(name) / "till.sqlite"
            work = open_till_copy(till_template, path, FakeClock())
            result = build(work)
            work.db.close()
            _fold_wal(path)
            built[name] = (TemplateInfo(path, till_template.manager_id,
                                        till_template.cashier_id), result)
        return built[name]  # type: ignore[return-value]

    return factory


@pytest.fixture
def till_from(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[[TemplateInfo], Till]]:
    """Open a fresh copy of a (derived) template with the test's clock."""
    opened: list[Till] = []

    def factory(template: TemplateInfo) -> Till:
        result = open_till_copy(template, tmp_path / f"till{len(opened)}.sqlite", clock)
        opened.append(result)
        return result

    yield factory
    for item in opened:
        item.db.close()


@dataclass
class Till:
    """A fresh till database with its context, services and handy helpers."""
    db: Database
    ctx: TillContext
    clock: FakeClock
    manager_id: int
    cashier_id: int
    _phones: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def members(self) -> MemberService:
        return MemberService(self.ctx)

    @property
    def checkout(self) -> CheckoutService:
        return CheckoutService(self.ctx)

    @property
    def refunds(self) -> RefundService:
        return RefundService(self.ctx)

    @property
    def balances(self) -> BalanceService:
        return BalanceService(self.ctx)

    @property
    def staff(self) -> StaffService:
        return StaffService(self.ctx)

    @property
    def tiers(self) -> TierService:
        return TierService(self.ctx)

    @property
    def reports(self) -> ReportService:
        return ReportService(self.ctx)

    @property
    def catalog(self) -> CatalogService:
        return CatalogService(self.ctx)

    def agreement_hashes(self) -> tuple[str, str]:
        with self.db.sessions() as session:
            return (current_agreement(session, "member_agreement").sha256,
                    current_agreement(session, "privacy").sha256)

    def secret(self) -> bytes:
        with self.db.sessions() as session:
            return chain_secret(session)

    def enrolment(self, name: str = "Alice Example", *, phone: str | None = "auto",
                  email: str | None = None, **extra: object) -> Enrolment:
        agreement, privacy = self.agreement_hashes()
        if phone == "auto":
            phone = f"1390000{next(self._phones):04d}"
        values: dict[str, object] = {
            "name": name, "phone": phone, "email": email, "birthday": None,
            "staff_id": self.cashier_id, "accepted_agreement_sha256": agreement,
            "accepted_privacy_sha256": privacy}
        values.update(extra)
        return Enrolment(**values)  # type: ignore[arg-type]

    def enrol(self, name: str = "Alice Example", **kwargs: object) -> MemberDetails:
        return self.members.enrol(self.enrolment(name, **kwargs))  # type: ignore[arg-type]

    def sell(self, items: list[tuple[str, int]], member_id: int | None = None, *,
             points: int = 0, payments: list[PaymentRequest] | None = None,
             sale_id: str | None = None) -> SaleResult:
        """Complete a sale; by default the whole amount due is paid in cash."""
        if payments is None:
            due = self.checkout.quote(items, member_id, points).due_after_points
            payments = [PaymentRequest("cash", due)] if due else []
        return self.checkout.complete_sale(SaleRequest(
            sale_id or str(uuid.uuid4()), self.cashier_id, items, member_id, points, payments))

    def raw(self) -> sqlite3.Connection:
        return self.db.raw_connection()

    def problems(self) -> dict[str, list[str]]:
        """What `loyalty-pos verify` finds wrong (only the checks that found something)."""
        connection = self.raw()
        try:
            return {name: found for name, found in verify_database(connection).items() if found}
        finally:
            connection.close()

    def scalar(self, sql: str, *params: object) -> object:
        connection = self.raw()
        try:
            return connection.execute(sql, params).fetchone()[0]
        finally:
            connection.close()

    def rows(self, sql: str, *params: object) -> list[tuple]:
        connection = self.raw()
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def open_till_copy(template: TemplateInfo, path: Path, clock: FakeClock) -> Till:
    shutil.copy(template.path, path)
    db = Database.open(path)
    opened = TillContext.open(db)
    ctx = TillContext(db, opened.till_id, opened.store_id, opened.till_number, clock)
    return Till(db, ctx, clock, template.manager_id, template.cashier_id)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def till(till_template: TemplateInfo, tmp_path: Path, clock: FakeClock) -> Iterator[Till]:
    """A fresh till database (a copy of the session template) using the test's clock."""
    opened = open_till_copy(till_template, tmp_path / "till.sqlite", clock)
    yield opened
    opened.db.close()


@pytest.fixture
def make_till(till_template: TemplateInfo, tmp_path: Path) -> Iterator[Callable[..., Till]]:
    """Factory for extra independent tills (each its own database file and clock)."""
    opened: list[Till] = []

    def factory(name: str, clock: FakeClock | None = None) -> Till:
        result = open_till_copy(till_template, tmp_path / f"{name}.sqlite", clock or FakeClock())
        opened.append(result)
        return result

    yield factory
    for item in opened:
        item.db.close()


@pytest.fixture
def db(till: Till) -> Database:
    return till.db


@pytest.fixture
def ctx(till: Till) -> TillContext:
    return till.ctx


@pytest.fixture
def manager(till: Till) -> int:
    return till.manager_id


@pytest.fixture
def cashier(till: Till) -> int:
    return till.cashier_id


@pytest.fixture
def products() -> dict[str, int]:
    """SKU -> price of the products every till database holds."""
    return {sku: price for sku, _, _, price, _, _ in PRODUCTS}


@pytest.fixture
def enrol_member(till: Till) -> Callable[..., MemberDetails]:
    return till.enrol


def dump_database(path: Path) -> dict[str, object]:
    """Every table's rows (including FTS shadow tables and sqlite_sequence) and the schema."""
    connection = sqlite3.connect(path)
    try:
        schema = sorted(connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(),
            key=lambda row: tuple(str(v) for v in row))
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        dump: dict[str, object] = {"__schema__": schema}
        for name in tables:
            rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            dump[name] = sorted(rows, key=repr)
        return dump
    finally:
        connection.close()


@pytest.fixture
def snapshot(till: Till) -> Callable[[], dict[str, object]]:
    """Call it before and after an operation: equal dumps mean nothing was written."""
    return lambda: dump_database(till.db.path)
