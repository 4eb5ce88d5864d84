"""Pro-rata refund arithmetic.

A refund of part of a sale gives back the same share of everything the sale moved: earned points
are taken back, redeemed points and stored value are given back, the rest is paid out in cash or
to the card terminal. Shares are computed on the cumulative refunded fraction, so any sequence of
partial refunds that ends with the whole sale refunded undoes the sale exactly, to the point and
to the cent.
"""

from __future__ import annotations

from fractions import Fraction

from .money import round_half_up


def cumulative_share(total: int, refunded_before: Fraction, refunded_after: Fraction) -> int:
    """The part of `total` that moves when the refunded fraction goes from before to after."""
    return round_half_up(total * refunded_after) - round_half_up(total * refunded_before)


def refunded_fraction(refunded_value: int, sale_value: int, refunded_units: int,
                      sale_units: int) -> Fraction:
    """Fraction of a sale refunded: by money, or by units for a sale that cost nothing."""
    if sale_value > 0:
        return Fraction(refunded_value, sale_value)
    return Fraction(refunded_units, sale_units) if sale_units else Fraction(1)


def apportion_refund(amount: int, paid: dict[str, int], refunded_before: dict[str, int],
                     refunded_after: Fraction) -> dict[str, int]:
    """Split a refund of `amount` over the payment methods of the sale.

    Each method is owed its share of what it paid (``paid * refunded_after``) minus what it got
    back before. Whole units go where the most is owed (largest remainder); no method ever gets
    back more than it paid or a negative amount, and the parts add up to `amount` exactly.
    """
    room = {m: paid[m] - refunded_before.get(m, 0) for m in paid}
    if amount < 0 or amount > sum(room.values()):
        raise ValueError(f"cannot refund {amount} of {sum(room.values())} still refundable")
    owed = {m: paid[m] * refunded_after - refunded_before.get(m, 0) for m in paid}
    parts = {m: min(room[m], max(0, int(owed[m]))) for m in paid}
    short = amount - sum(parts.values())
    while short != 0:
        step = 1 if short > 0 else -1
        candidates = [m for m in paid if (parts[m] < room[m] if step > 0 else parts[m] > 0)]
        most_owed = max(candidates, key=lambda m: step * (owed[m] - parts[m]))
        parts[most_owed] += step
        short -= step
    return parts
