"""Which till this is, the clock, and reading program settings."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import NotFound
from ..core.program import ProgramRules
from ..core.tiers import TierRule
from ..db.engine import Database
from ..db.models import Setting, TierDef, Till

THIS_TILL_KEY = "this_till_id"
CHAIN_SECRET_KEY = "chain_secret"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TillContext:
    """The till a service acts for. `clock` returns an aware UTC datetime (tests inject one)."""
    db: Database
    till_id: int
    store_id: int
    till_number: int
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def open(cls, db: Database, clock: Callable[[], datetime] = utc_now) -> TillContext:
        with db.sessions() as session:
            till_id = get_setting(session, THIS_TILL_KEY)
            if till_id is None:
                raise NotFound("this database has no till set up yet (run setup or demo)")
            till = session.get(Till, int(till_id))
            if till is None:
                raise NotFound(f"till {till_id} named in the settings does not exist")
            return cls(db, till.id, till.store_id, till.number, clock)

    def now(self) -> datetime:
        """UTC, naive (SQLite stores naive datetimes; every stored datetime is UTC)."""
        return self.clock().astimezone(UTC).replace(tzinfo=None)

    def local_now(self) -> datetime:
        """Shop-floor local time, for promotion hours and weekdays."""
        return self.clock().astimezone().replace(tzinfo=None)

    def today(self) -> date:
        """The shop's calendar day: points are earned, valid and expire by local days."""
        return self.local_now().date()


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def load_rules(session: Session) -> ProgramRules:
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    return ProgramRules.from_settings(stored)


def load_tiers(session: Session) -> list[TierRule]:
    rows = session.scalars(select(TierDef).order_by(TierDef.threshold))
    return [TierRule(r.code, r.name, r.threshold, r.multiplier_percent) for r in rows]


def chain_secret(session: Session) -> bytes:
    """The chain-wide secret that signs electronic cards (created once, pulled from head office)."""
    value = get_setting(session, CHAIN_SECRET_KEY)
    if value is None:
        value = secrets.token_hex(32)
        set_setting(session, CHAIN_SECRET_KEY, value)
    return bytes.fromhex(value)
