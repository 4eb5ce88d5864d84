"""The basket being rung up: what the cashier has scanned so far (UI state, no prices).

Prices, discounts and points always come from a fresh quote of the engine, so the basket only
keeps codes and quantities in the order they were scanned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InvalidInput

MAX_QUANTITY = 9999


@dataclass
class BasketItem:
    sku: str
    quantity: int


@dataclass
class Basket:
    items: list[BasketItem] = field(default_factory=list)
    member_id: int | None = None
    points_to_redeem: int = 0

    def add(self, sku: str, quantity: int = 1) -> int:
        """Scanning the same product again increments its line. Returns the line index."""
        for index, item in enumerate(self.items):
            if item.sku == sku:
                self.set_quantity(index, item.quantity + quantity)
                return index
        self.items.append(BasketItem(sku, 0))
        self.set_quantity(len(self.items) - 1, quantity)
        return len(self.items) - 1

    def set_quantity(self, index: int, quantity: int) -> None:
        if not 1 <= quantity <= MAX_QUANTITY:
            if self.items[index].quantity == 0:
                del self.items[index]
            raise InvalidInput(f"quantity must be 1 to {MAX_QUANTITY}")
        self.items[index].quantity = quantity

    def void(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            raise InvalidInput("choose a line to void")
        del self.items[index]

    def as_items(self) -> list[tuple[str, int]]:
        return [(item.sku, item.quantity) for item in self.items]

    def clear(self) -> None:
        self.items.clear()
        self.member_id = None
        self.points_to_redeem = 0

    @property
    def empty(self) -> bool:
        return not self.items
