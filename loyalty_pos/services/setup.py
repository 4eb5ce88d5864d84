"""Setting up a till database: store, till, first manager, tiers, program rules, agreement texts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..core.pins import hash_pin
from ..core.program import ProgramRules
from ..core.tiers import TierRule, validate_tiers
from ..db.engine import Database
from ..db.models import AgreementVersion, Setting, Staff, Store, TierDef, Till
from ..paths import resources_dir
from .context import THIS_TILL_KEY, TillContext, chain_secret, get_setting, utc_now

DEFAULT_TIERS = (
    TierRule("basic", "Basic", 0, 100),
    TierRule("silver", "Silver", 100_000, 125),
    TierRule("gold", "Gold", 500_000, 150),
    TierRule("platinum", "Platinum", 2_000_000, 200),
)
AGREEMENT_KINDS = ("member_agreement", "privacy")


@dataclass(frozen=True)
class TillSetup:
    store_code: str
    store_name: str
    till_number: int
    till_name: str
    manager_name: str
    manager_pin: str
    store_address: str = ""


def setup_till(db: Database, spec: TillSetup, rules: ProgramRules | None = None) -> TillContext:
    """Create this till's store, till and first manager in an empty database (one transaction)."""
    now = utc_now().replace(tzinfo=None)
    with db.transaction() as session:
        if get_setting(session, THIS_TILL_KEY) is not None:
            raise Conflict("this database already belongs to a till")
        store = session.scalar(select(Store).where(Store.code == spec.store_code))
        if store is None:
            store = Store(code=spec.store_code, name=spec.store_name, address=spec.store_address)
            session.add(store)
            session.flush()
        till = Till(number=spec.till_number, store_id=store.id, name=spec.till_name)
        session.add(till)
        session.flush()
        session.add(Staff(store_id=store.id, name=spec.manager_name, role="manager",
                          pin_hash=hash_pin(spec.manager_pin), created_at=now))
        session.add(Setting(key=THIS_TILL_KEY, value=str(till.id)))
        _write_rules(session, rules or ProgramRules())
        if session.scalar(select(TierDef.id).limit(1)) is None:
            replace_tiers(session, list(DEFAULT_TIERS))
        publish_bundled_agreements(session)
        chain_secret(session)
    return TillContext.open(db)


def _write_rules(session: Session, rules: ProgramRules) -> None:
    for key, value in rules.as_settings().items():
        session.merge(Setting(key=key, value=value))


def replace_tiers(session: Session, tiers: list[TierRule]) -> None:
    for existing in session.scalars(select(TierDef)):
        session.delete(existing)
    session.flush()
    for tier in validate_tiers(tiers):
        session.add(TierDef(code=tier.code, name=tier.name, threshold=tier.threshold,
                            multiplier_percent=tier.multiplier_percent))


def agreement_version_of(text: str) -> str:
    for line in text.splitlines():
        if line.lower().startswith("version "):
            return line.split(None, 1)[1].strip()
    return "1"


def publish_bundled_agreements(session: Session) -> None:
    """Publish the texts shipped in resources/agreements unless that exact version is there."""
    now = utc_now().replace(tzinfo=None)
    for kind in AGREEMENT_KINDS:
        text = (resources_dir() / "agreements" / f"{kind}.md").read_text(encoding="utf-8")
        version = agreement_version_of(text)
        exists = session.scalar(select(AgreementVersion.id).where(
            AgreementVersion.kind == kind, AgreementVersion.version == version))
        if exists is None:
            session.add(AgreementVersion(kind=kind, version=version, text=text,
                                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                                         published_at=now))
