"""Staff administration and the audit log viewer.

Staff changes need a manager, run in one transaction and are audited (who, what, old -> new).
Two rules keep a shop from locking itself out: a manager cannot disable themselves, and the last
active manager can be neither disabled nor made a cashier. A new PIN is never written to the
audit log.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.pins import hash_pin, validate_pin
from ..db.models import AuditEntry, Staff
from . import audit
from .context import TillContext
from .reports import local_day_bounds
from .staff import ROLES, StaffService, StaffView, require_manager, require_staff

MAX_AUDIT_ROWS = 100_000  # one screenful is 500; an export may take many more


@dataclass(frozen=True)
class StaffRow:
    """A staff member as the manager's staff screen lists them."""
    id: int
    name: str
    role: str
    active: bool
    locked_until: datetime | None
    failed_attempts: int


def _row(staff: Staff) -> StaffRow:
    return StaffRow(staff.id, staff.name, staff.role, staff.active, staff.locked_until,
                    staff.failed_attempts)


class StaffAdminService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def staff(self) -> list[StaffRow]:
        with self.ctx.db.sessions() as session:
            return [_row(s) for s in session.scalars(
                select(Staff).where(Staff.store_id == self.ctx.store_id).order_by(Staff.name))]

    def add_staff(self, manager_id: int, name: str, role: str, pin: str) -> StaffView:
        """Reuses StaffService.add_staff (validation, PIN hashing, audit)."""
        return StaffService(self.ctx).add_staff(manager_id, name, role, pin)

    def _target(self, session: Session, staff_id: int) -> Staff:
        staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
        if staff is None:
            raise NotFound(f"staff member {staff_id} does not exist")
        return staff

    def _other_active_managers(self, session: Session, staff: Staff) -> int:
        return session.scalar(select(func.count(Staff.id)).where(
            Staff.role == "manager", Staff.active.is_(True), Staff.id != staff.id)) or 0

    def _audit(self, session: Session, manager_id: int, action: str, staff: Staff,
               **details: object) -> None:
        audit.record(session, at=self.ctx.now(), staff_id=manager_id, till_id=self.ctx.till_id,
                     action=action, target=f"staff:{staff.id}", name=staff.name, **details)

    def set_active(self, manager_id: int, staff_id: int, active: bool) -> StaffRow:
        if not isinstance(active, bool):
            raise InvalidInput("active must be true or false")
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            staff = self._target(session, staff_id)
            if staff.active == active:
                return _row(staff)
            if not active:
                if staff.id == manager_id:
                    raise Conflict("you cannot disable yourself; ask another manager")
                if staff.role == "manager" and not self._other_active_managers(session, staff):
                    raise Conflict(f"{staff.name} is the last active manager and cannot be "
                                   "disabled")
            staff.active = active
            self._audit(session, manager_id, "staff_enabled" if active else "staff_disabled",
                        staff, old={"active": not active}, new={"active": active})
            return _row(staff)

    def set_role(self, manager_id: int, staff_id: int, role: str) -> StaffRow:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            staff = self._target(session, staff_id)
            if staff.role == role:
                return _row(staff)
            if (staff.role == "manager" and staff.active
                    and not self._other_active_managers(session, staff)):
                raise Conflict(f"{staff.name} is the last active manager and must stay a "
                               "manager; make someone else a manager first")
            old = staff.role
            staff.role = role
            self._audit(session, manager_id, "staff_role_changed", staff,
                        old={"role": old}, new={"role": role})
            return _row(staff)

    def reset_pin(self, manager_id: int, staff_id: int, new_pin: str) -> StaffRow:
        """Set a new PIN and lift any lockout (the wrong-PIN count starts again from zero)."""
        validate_pin(new_pin)
        pin_hash = hash_pin(new_pin)  # scrypt takes ~50 ms: outside the write transaction
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            staff = self._target(session, staff_id)
            old = {"failed_attempts": staff.failed_attempts,
                   "locked_until": staff.locked_until.isoformat() if staff.locked_until
                   else None}
            staff.pin_hash = pin_hash
            staff.failed_attempts = 0
            staff.locked_until = None
            self._audit(session, manager_id, "pin_reset", staff, old=old,
                        new={"failed_attempts": 0, "locked_until": None})
            return _row(staff)


# -- the audit log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime               # UTC, naive (as stored)
    staff_id: int | None
    staff_name: str | None
    till_id: int | None
    action: str
    target: str
    details: dict[str, Any]


CSV_COLUMNS = ("id", "at_utc", "staff_id", "staff_name", "till_id", "action", "target",
               "details")


def _moment(value: date | datetime | None, *, end: bool) -> datetime | None:
    """A filter bound as naive UTC. A date means the whole local day (until: inclusive)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        start, stop = local_day_bounds(value)
        return stop if end else start
    raise InvalidInput("audit filters take a date or a date and time")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AuditService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def note_till_settings(self, staff_id: int, changes: dict[str, object]) -> None:
        """Record a change of this till's own settings (scanner, printer, language)."""
        if not changes:
            return
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            audit.record(session, at=self.ctx.now(), staff_id=staff_id,
                         till_id=self.ctx.till_id, action="till_settings_changed",
                         target=f"till:{self.ctx.till_number}", **changes)

    def entries(self, since: date | datetime | None = None,
                until: date | datetime | None = None, staff_id: int | None = None,
                action: str | None = None, text: str | None = None,
                limit: int | None = 500) -> list[AuditRow]:
        """Newest first. `since`/`until` are dates (whole local days, inclusive) or UTC
        datetimes ([since, until)); `text` is a case-insensitive substring of the target, the
        details, the action or the staff name; `limit=None` returns everything (for export)."""
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 1 <= limit <= MAX_AUDIT_ROWS):
            raise InvalidInput(f"limit must be 1 to {MAX_AUDIT_ROWS}")
        start, stop = _moment(since, end=False), _moment(until, end=True)
        query = (select(AuditEntry, Staff.name).outerjoin(Staff, Staff.id == AuditEntry.staff_id)
                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
        if start is not None:
            query = query.where(AuditEntry.at >= start)
        if stop is not None:
            query = query.where(AuditEntry.at < stop)
        if staff_id is not None:
            query = query.where(AuditEntry.staff_id == staff_id)
        if action:
            query = query.where(AuditEntry.action == action)
        needle = " ".join(str(text or "").split())
        if needle:
            details = cast(AuditEntry.details, String)
            matches = [column.ilike(_like(needle), escape="\\") for column in (
                AuditEntry.target, details, AuditEntry.action, Staff.name)]
            escaped = json.dumps(needle)[1:-1]  # details are stored with \uXXXX escapes
            if escaped != needle:
                matches.append(details.ilike(_like(escaped), escape="\\"))
            query = query.where(or_(*matches))
        if limit is not None:
            query = query.limit(limit)
        with self.ctx.db.sessions() as session:
            return [AuditRow(e.id, e.at, e.staff_id, name, e.till_id, e.action, e.target,
                             dict(e.details or {}))
                    for e, name in session.execute(query)]

    def actions(self) -> list[str]:
        with self.ctx.db.sessions() as session:
            return list(session.scalars(
                select(AuditEntry.action).distinct().order_by(AuditEntry.action)))

    def export_csv(self, path: str | Path, **filters: Any) -> int:
        """Write the matching entries (all of them unless `limit` is given) to a UTF-8 CSV with
        a byte-order mark (so spreadsheet programs read Chinese names). Returns the row count."""
        filters.setdefault("limit", None)
        rows = self.entries(**filters)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow([row.id, row.at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
                                 row.staff_id or "", row.staff_name or "", row.till_id or "",
                                 row.action, row.target,
                                 json.dumps(row.details, ensure_ascii=False, sort_keys=True)])
        return len(rows)
