"""Products and promotions as the quote engine needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import format_money
from ..core.promotions import BasketLine, Effect, PromotionRule
from ..db.models import Product, Promotion
from .context import TillContext

MAX_QUANTITY = 9999
MAX_PRICE = 10**10  # 100,000,000.00: keeps any basket's sums far inside 64-bit integers


@dataclass(frozen=True)
class ProductView:
    id: int
    sku: str
    barcode: str | None
    name: str
    category: str
    price: int
    points_eligible: bool


def _product_view(p: Product) -> ProductView:
    return ProductView(p.id, p.sku, p.barcode, p.name, p.category, p.price, p.points_eligible)


def find_product(session: Session, code: str) -> Product:
    code = str(code or "").strip()
    if not code:
        raise InvalidInput("no product code given")
    product = session.scalar(select(Product).where(
        or_(Product.sku == code, Product.barcode == code), Product.active.is_(True)))
    if product is None:
        raise NotFound(f"no product with code {code}")
    return product


def _products_by_code(session: Session, codes: list[str]) -> dict[str, Product]:
    """The basket's products in one query, by SKU and by barcode."""
    wanted = [code for code in codes if code]
    found: dict[str, Product] = {}
    for product in session.scalars(select(Product).where(
            or_(Product.sku.in_(wanted), Product.barcode.in_(wanted)),
            Product.active.is_(True))):
        found[product.sku] = product
        if product.barcode:
            found[product.barcode] = product
    return found


def basket_lines(session: Session, items: list[tuple[str, int]]
                 ) -> list[tuple[Product, BasketLine]]:
    if not items:
        raise InvalidInput("the basket is empty")
    if not isinstance(items, list | tuple) or not all(
            isinstance(item, list | tuple) and len(item) == 2 for item in items):
        raise InvalidInput("each basket item is a product code and a quantity")
    for code, quantity in items:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
                1 <= quantity <= MAX_QUANTITY):
            raise InvalidInput(f"quantity of {code} must be a whole number, 1 to {MAX_QUANTITY}")
    known = _products_by_code(session, [str(code or "").strip() for code, _ in items])
    lines = []
    for code, quantity in items:
        product = known.get(str(code or "").strip()) or find_product(session, code)
        lines.append((product, BasketLine(product.sku, product.name, product.category,
                                          product.price, quantity, product.points_eligible)))
    return lines


def _hhmm(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def promotion_rule(row: Promotion) -> PromotionRule:
    return PromotionRule(
        code=row.code, name=row.name, effect=Effect(row.effect), value=row.value,
        priority=row.priority, exclusive=row.exclusive, enabled=row.enabled,
        starts_on=row.starts_on, ends_on=row.ends_on, weekdays=frozenset(row.weekdays or ()),
        start_time=_hhmm(row.start_time), end_time=_hhmm(row.end_time),
        tiers=frozenset(row.tiers or ()), skus=frozenset(row.skus or ()),
        categories=frozenset(row.categories or ()), min_basket=row.min_basket,
        birthday_month=row.birthday_month, first_purchase=row.first_purchase)


def load_promotions(session: Session) -> list[PromotionRule]:
    return [promotion_rule(row) for row in session.scalars(
        select(Promotion).where(Promotion.enabled.is_(True)))]


def save_promotion(session: Session, rule: PromotionRule) -> Promotion:
    """Insert or replace a promotion by code (the rule validated itself on construction)."""
    row = session.scalar(select(Promotion).where(Promotion.code == rule.code)) or Promotion()
    row.code, row.name, row.effect, row.value = rule.code, rule.name, str(rule.effect), rule.value
    row.priority, row.exclusive, row.enabled = rule.priority, rule.exclusive, rule.enabled
    row.starts_on, row.ends_on = rule.starts_on, rule.ends_on
    row.weekdays = sorted(rule.weekdays)
    row.start_time = rule.start_time.strftime("%H:%M") if rule.start_time else None
    row.end_time = rule.end_time.strftime("%H:%M") if rule.end_time else None
    row.tiers, row.skus = sorted(rule.tiers), sorted(rule.skus)
    row.categories, row.min_basket = sorted(rule.categories), rule.min_basket
    row.birthday_month, row.first_purchase = rule.birthday_month, rule.first_purchase
    session.add(row)
    return row


class CatalogService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def product(self, code: str) -> ProductView:
        with self.ctx.db.sessions() as session:
            return _product_view(find_product(session, code))

    def add_product(self, sku: str, name: str, category: str, price: int,
                    barcode: str | None = None, points_eligible: bool = True) -> ProductView:
        if not sku or not name or not category:
            raise InvalidInput("a product needs a SKU, a name and a category")
        if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price <= MAX_PRICE:
            raise InvalidInput("price must be a whole number of minor units, from zero to "
                               f"{format_money(MAX_PRICE)}")
        with self.ctx.db.transaction() as session:
            if session.scalar(select(Product.id).where(
                    or_(Product.sku == sku, Product.barcode == (barcode or sku)))) is not None:
                raise Conflict(f"a product with SKU or barcode {sku}/{barcode} exists")
            product = Product(sku=sku, barcode=barcode, name=name, category=category,
                              price=price, points_eligible=points_eligible)
            session.add(product)
            session.flush()
            return _product_view(product)

    def categories(self) -> list[str]:
        """Product categories in use, for promotion conditions."""
        with self.ctx.db.sessions() as session:
            return list(session.scalars(select(Product.category).distinct()
                                        .order_by(Product.category)))

