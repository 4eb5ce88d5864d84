"""Help for cashiers and members (the FAQ) and the published agreement texts.

FAQ: the topics shipped in resources/help/faq.json are written as version 1 of each topic the
first time help is used on a till whose table is empty. A manager's edit is a new version (the
history is kept); the newest version of each topic is the one shown. Text in braces naming a
program setting, such as ``{points_expiry_months}``, is shown with the till's current value, so
the answers follow the rules the manager sets.

Thread: the first FAQ read on a fresh till writes the seed rows (one short transaction), so
call these from the worker thread like any other operation.

Agreements: publishing writes a new `agreement_versions` row; enrolment (services/members.py)
always asks for the newest published version of each kind.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import format_money
from ..core.program import ProgramRules
from ..db.models import AgreementVersion, FaqEntry, Staff
from ..paths import resources_dir
from . import audit
from .context import TillContext, load_rules
from .members import current_agreement
from .setup import AGREEMENT_KINDS
from .staff import require_manager

AUDIENCES = ("cashier", "member")
TOPIC_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")
MAX_QUESTION = 200
MAX_ANSWER = 10_000
MAX_AGREEMENT = 200_000
MONEY_SETTINGS = ("referral_min_purchase", "stored_value_max_balance",
                  "offline_stored_value_cap")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def faq_seed_path() -> Path:
    return resources_dir() / "help" / "faq.json"


def render(text: str, rules: ProgramRules) -> str:
    """Fill in {setting} placeholders with the current program rules; other braces stay."""
    known = {f.name for f in fields(ProgramRules)}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in known:
            return match.group(0)
        setting = getattr(rules, name)
        if name in MONEY_SETTINGS:
            return format_money(setting, rules.currency_symbol)
        return str(setting)

    return _PLACEHOLDER.sub(value, text)


@dataclass(frozen=True)
class FaqView:
    topic: str
    audience: str               # cashier | member
    question: str               # as shown: placeholders filled in
    answer: str
    version: int
    updated_at: datetime        # UTC
    updated_by: str | None      # the manager's name; None for the shipped text
    question_source: str        # as stored, for editing
    answer_source: str


@dataclass(frozen=True)
class AgreementView:
    kind: str
    version: str
    text: str
    sha256: str
    published_at: datetime      # UTC


def _agreement_view(row: AgreementVersion) -> AgreementView:
    return AgreementView(row.kind, row.version, row.text, row.sha256, row.published_at)


def _clean(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"the {what} is required")
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise InvalidInput(f"the {what} is at most {limit:,} characters")
    return cleaned


class HelpService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    # -- FAQ ---------------------------------------------------------------------------------

    def _ensure_seeded(self) -> None:
        """Write the shipped topics as version 1 if the table is empty (first use)."""
        with self.ctx.db.sessions() as session:
            if session.scalar(select(FaqEntry.id).limit(1)) is not None:
                return
        with self.ctx.db.transaction() as session:
            self._seed(session)

    def _seed(self, session: Session) -> None:
        if session.scalar(select(FaqEntry.id).limit(1)) is not None:
            return  # another process seeded it between the check and the write lock
        data = json.loads(faq_seed_path().read_text(encoding="utf-8"))
        now = self.ctx.now()
        for entry in data["entries"]:
            session.add(FaqEntry(topic=entry["topic"], audience=entry["audience"],
                                 question=entry["question"], answer=entry["answer"], version=1,
                                 updated_at=now, updated_by=None))

    def _views(self, session: Session, rows: list[tuple[FaqEntry, str | None]]
               ) -> list[FaqView]:
        rules = load_rules(session)
        return [FaqView(row.topic, row.audience, render(row.question, rules),
                        render(row.answer, rules), row.version, row.updated_at, name,
                        row.question, row.answer) for row, name in rows]

    def _query(self):  # type: ignore[no-untyped-def]
        return select(FaqEntry, Staff.name).outerjoin(Staff, Staff.id == FaqEntry.updated_by)

    def topics(self, audience: str | None = None) -> list[FaqView]:
        """The newest version of every topic (for one audience), in the order shipped."""
        return self.search("", audience)

    def search(self, text: str | None, audience: str | None = None) -> list[FaqView]:
        """Topics whose question or answer (newest version, as shown) contains every word of
        `text`, ignoring case. Empty text lists every topic. The table holds a few dozen rows,
        so the filtering is plain Python."""
        if audience is not None and audience not in AUDIENCES:
            raise InvalidInput(f"audience must be one of {', '.join(AUDIENCES)}")
        words = str(text or "").casefold().split()
        self._ensure_seeded()
        with self.ctx.db.sessions() as session:
            newest = (select(FaqEntry.topic, func.max(FaqEntry.version).label("version"),
                             func.min(FaqEntry.id).label("first_id"))
                      .group_by(FaqEntry.topic).subquery())
            rows = session.execute(
                self._query().join(newest, (newest.c.topic == FaqEntry.topic)
                                   & (newest.c.version == FaqEntry.version))
                .order_by(newest.c.first_id)).all()
            views = self._views(session, [(row, name) for row, name in rows])
        return [v for v in views
                if (audience is None or v.audience == audience)
                and all(word in f"{v.question}\n{v.answer}".casefold() for word in words)]

    def history(self, topic: str) -> list[FaqView]:
        """Every version of a topic, oldest first."""
        self._ensure_seeded()
        with self.ctx.db.sessions() as session:
            rows = session.execute(self._query().where(FaqEntry.topic == topic)
                                   .order_by(FaqEntry.version)).all()
            if not rows:
                raise NotFound(f"there is no help topic '{topic}'")
            return self._views(session, [(row, name) for row, name in rows])

    def edit(self, manager_id: int, topic: str, question: str, answer: str, audience: str
             ) -> FaqView:
        """Write a new version of a topic (or version 1 of a new topic)."""
        if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
            raise InvalidInput("a topic key is 1 to 40 lower-case letters, digits or _")
        if audience not in AUDIENCES:
            raise InvalidInput(f"audience must be one of {', '.join(AUDIENCES)}")
        question = _clean(question, "question", MAX_QUESTION)
        answer = _clean(answer, "answer", MAX_ANSWER)
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            self._seed(session)
            latest = session.scalar(select(FaqEntry).where(FaqEntry.topic == topic)
                                    .order_by(FaqEntry.version.desc()).limit(1))
            if latest is not None and (latest.question, latest.answer, latest.audience) == (
                    question, answer, audience):
                raise InvalidInput(f"help topic '{topic}' is unchanged; nothing to save")
            version = latest.version + 1 if latest else 1
            row = FaqEntry(topic=topic, audience=audience, question=question, answer=answer,
                           version=version, updated_at=now, updated_by=manager_id)
            session.add(row)
            old = ({"version": latest.version, "audience": latest.audience,
                    "question": latest.question, "answer": latest.answer} if latest else None)
            audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                         action="faq_edited", target=f"faq:{topic}", old=old,
                         new={"version": version, "audience": audience, "question": question,
                              "answer": answer})
            session.flush()
            name = session.get(Staff, manager_id)
            return self._views(session, [(row, name.name if name else None)])[0]

    # -- agreements --------------------------------------------------------------------------

    def current_agreements(self) -> dict[str, AgreementView]:
        """The text each new member must accept now, by kind."""
        with self.ctx.db.sessions() as session:
            return {kind: _agreement_view(current_agreement(session, kind))
                    for kind in AGREEMENT_KINDS}

    def agreement_history(self, kind: str) -> list[AgreementView]:
        if kind not in AGREEMENT_KINDS:
            raise InvalidInput(f"agreement kind must be one of {', '.join(AGREEMENT_KINDS)}")
        with self.ctx.db.sessions() as session:
            rows = session.scalars(select(AgreementVersion).where(AgreementVersion.kind == kind)
                                   .order_by(AgreementVersion.published_at,
                                             AgreementVersion.id))
            return [_agreement_view(row) for row in rows]

    def publish_agreement(self, manager_id: int, kind: str, version: str, text: str
                          ) -> AgreementView:
        """Publish a new version of the member agreement or the privacy statement.

        Refused: an existing version label, or a text identical to the current one. From the
        moment it is committed, enrolment requires the new text's SHA-256 (members already
        enrolled keep the consent they gave to the version they saw).

        `published_at` is the till's clock, but never earlier than the current version's: the
        newest publication must sort last even if this till's clock is behind the one that
        published the current text (enrolment picks the newest by `published_at`).
        """
        if kind not in AGREEMENT_KINDS:
            raise InvalidInput(f"agreement kind must be one of {', '.join(AGREEMENT_KINDS)}")
        label = _clean(version, "version label", 24)
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("the agreement text is required")
        if len(text) > MAX_AGREEMENT:
            raise InvalidInput(f"the agreement text is at most {MAX_AGREEMENT:,} characters")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            if session.scalar(select(AgreementVersion.id).where(
                    AgreementVersion.kind == kind, AgreementVersion.version == label)):
                raise Conflict(f"{kind.replace('_', ' ')} version {label} is already published;"
                               " give the new text a new version label")
            current = session.scalar(select(AgreementVersion).where(
                AgreementVersion.kind == kind).order_by(AgreementVersion.published_at.desc(),
                                                        AgreementVersion.id.desc()).limit(1))
            if current is not None and current.sha256 == digest:
                raise Conflict(f"the text is the same as the current {kind.replace('_', ' ')} "
                               f"(version {current.version}); nothing to publish")
            published_at = max(now, current.published_at) if current is not None else now
            row = AgreementVersion(kind=kind, version=label, text=text, sha256=digest,
                                   published_at=published_at)
            session.add(row)
            audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                         action="agreement_published", target=f"agreement:{kind}",
                         old={"version": current.version, "sha256": current.sha256}
                         if current is not None else None,
                         new={"version": label, "sha256": digest})
            session.flush()
            return _agreement_view(row)
