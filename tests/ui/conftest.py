"""Real widgets, offscreen, one QApplication for the session (pytest-qt's qapp)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import CASHIER_PIN, MANAGER_PIN, PRODUCTS, ShopData

from loyalty_pos.db.engine import Database
from loyalty_pos.services.balances import BalanceService
from loyalty_pos.services.catalog import CatalogService
from loyalty_pos.services.members import Enrolment, MemberService, current_agreement
from loyalty_pos.services.setup import TillSetup, setup_till
from loyalty_pos.services.staff import StaffService
from loyalty_pos.services.till import TillServices
from loyalty_pos.ui.app import make_app
from loyalty_pos.ui.main_window import TillWindow
from loyalty_pos.ui.settings import TillSettings


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory: pytest.TempPathFactory) -> ShopData:
    """A till with products, a cashier, a member with points and stored value, a blocked card."""
    path = tmp_path_factory.mktemp("shop") / "till.sqlite"
    db = Database.open(path)
    ctx = setup_till(db, TillSetup("S001", "Main Street", 1, "Till 1", "Mary Manager",
                                   MANAGER_PIN))
    catalog = CatalogService(ctx)
    for sku, barcode, name, category, price in PRODUCTS:
        catalog.add_product(sku, name, category, price, barcode)
    cashier = StaffService(ctx).add_staff(1, "Carl Cashier", "cashier", CASHIER_PIN)
    with db.sessions() as session:
        terms = current_agreement(session, "member_agreement").sha256
        privacy = current_agreement(session, "privacy").sha256
    members = MemberService(ctx)
    member = members.enrol(Enrolment("Wang Xiaoming", "13800138000", "wang@example.com", None,
                                     1, terms, privacy, True))
    other = members.enrol(Enrolment("Lost Card Lee", "13900139000", None, None, 1, terms,
                                    privacy))
    lost = other.summary.card_number
    members.block_and_replace_card(lost, "lost", 1)
    balances = BalanceService(ctx)
    balances.top_up(member.summary.id, 10_000, "cash", 1)
    balances.adjust_points(member.summary.id, 1000, "welcome gift", 1)
    db.close()
    return ShopData(path, 1, cashier.id, member.summary.id, "Wang Xiaoming",
                    member.summary.card_number, lost)


@pytest.fixture
def shop(shop_template: ShopData, tmp_path: Path) -> ShopData:
    path = tmp_path / "till.sqlite"
    shutil.copy(shop_template.path, path)
    return ShopData(**{**shop_template.__dict__, "path": path})


@pytest.fixture
def window(qapp, qtbot, shop: ShopData, tmp_path: Path) -> Iterator[TillWindow]:
    make_app()
    services = TillServices.open(shop.path)
    win = TillWindow(services, TillSettings(tmp_path / "till.ini"))
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    yield win
    win.close()
