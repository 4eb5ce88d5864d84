"""Typed errors raised by the domain and the services.

Every error carries a message a cashier or manager can read; the UI shows `str(error)` as it is.
"""

from __future__ import annotations


class LoyaltyError(Exception):
    """Base of every error the product raises on purpose."""


class InvalidInput(LoyaltyError):
    """The caller gave a value that is malformed or out of range; nothing was written."""


class NotFound(LoyaltyError):
    """The member, card, product, sale or staff member does not exist."""


class Conflict(LoyaltyError):
    """The operation contradicts existing data (duplicate phone, blocked card, ...)."""


class InsufficientBalance(LoyaltyError):
    """Points or stored value would go below what the rules allow."""


class PermissionDenied(LoyaltyError):
    """The staff member may not do this (for example a cashier adjusting points)."""


class LockedOut(PermissionDenied):
    """Too many wrong PINs; the staff member must wait before trying again."""


class IntegrityViolation(LoyaltyError):
    """Stored data does not agree with itself (broken hash chain, balance mismatch)."""
