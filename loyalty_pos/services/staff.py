"""Staff: sign-in with PIN and lockout, manager checks, adding staff."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput, LockedOut, NotFound, PermissionDenied
from ..core.pins import LOCKOUT, hash_pin, lockout_until, pin_matches, validate_pin
from ..db.models import Staff
from . import audit
from .context import TillContext

ROLES = ("cashier", "manager")


@dataclass(frozen=True)
class StaffView:
    id: int
    name: str
    role: str
    active: bool

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


def _view(staff: Staff) -> StaffView:
    return StaffView(staff.id, staff.name, staff.role, staff.active)


def require_staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not staff.active:
        raise PermissionDenied(f"staff member {staff_id} is unknown or disabled")
    return staff


def require_manager(session: Session, staff_id: int) -> Staff:
    staff = require_staff(session, staff_id)
    if staff.role != "manager":
        raise PermissionDenied(f"{staff.name} is not a manager: a manager must approve this")
    return staff


class StaffService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def sign_in(self, staff_id: int, pin: str) -> StaffView:
        """Check a PIN. Wrong PINs count towards a lockout; the count is kept even on failure."""
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
            if staff is None or not staff.active:
                raise NotFound("unknown or disabled staff member")
            if staff.locked_until and staff.locked_until > now:
                minutes = math.ceil((staff.locked_until - now).total_seconds() / 60)
                raise LockedOut(f"{staff.name} is locked out for {minutes} more minute(s)")
            if staff.locked_until is not None:  # a lockout that has run out starts afresh
                staff.failed_attempts, staff.locked_until = 0, None
            if pin_matches(str(pin), staff.pin_hash):
                staff.failed_attempts = 0
                staff.locked_until = None
                return _view(staff)
            staff.failed_attempts += 1
            staff.locked_until = lockout_until(staff.failed_attempts, now)
            audit.record(session, at=now, staff_id=staff.id, till_id=self.ctx.till_id,
                         action="sign_in_failed", target=f"staff:{staff.id}",
                         attempts=staff.failed_attempts)
            locked = staff.locked_until is not None
        if locked:
            raise LockedOut(f"wrong PIN; {staff.name} is now locked out for "
                            f"{int(LOCKOUT.total_seconds() // 60)} minutes")
        raise PermissionDenied("wrong PIN")

    def approve_as_manager(self, staff_id: int, pin: str) -> StaffView:
        """Manager override: sign-in rules apply, and the person must be a manager."""
        staff = self.sign_in(staff_id, pin)
        if not staff.is_manager:
            raise PermissionDenied(f"{staff.name} is not a manager")
        return staff

    def add_staff(self, manager_id: int, name: str, role: str, pin: str) -> StaffView:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        clean_name = " ".join(str(name or "").split())
        if not clean_name:
            raise InvalidInput("staff name is required")
        validate_pin(pin)
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            staff = Staff(store_id=self.ctx.store_id, name=clean_name, role=role,
                          pin_hash=hash_pin(pin), created_at=now)
            session.add(staff)
            session.flush()
            audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                         action="staff_added", target=f"staff:{staff.id}", role=role)
            return _view(staff)

    def list_staff(self) -> list[StaffView]:
        with self.ctx.db.sessions() as session:
            return [_view(s) for s in session.scalars(select(Staff).order_by(Staff.name))]
