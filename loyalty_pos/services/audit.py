"""The audit log: who did what sensitive thing, when. Written inside the operation's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..db.models import AuditEntry


def record(session: Session, *, at: datetime, staff_id: int | None, till_id: int | None,
           action: str, target: str, **details: object) -> None:
    session.add(AuditEntry(at=at, staff_id=staff_id, till_id=till_id, action=action,
                           target=target, details=details))
