"""Members: enrolment with consent, lookup, search, cards, consents, tier explanation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.ean import make_card_number
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.members import (
    check_birthday,
    new_referral_code,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from ..core.tiers import decide_tier
from ..db.models import AgreementVersion, Card, Consent, Member, OutboxMessage, Till
from . import audit
from .context import TillContext, load_rules, load_tiers
from .lookup import session_summary
from .staff import require_staff
from .tiers import rolling_spend
from .views import MemberDetails, MemberSummary

REQUIRED_CONSENTS = ("member_agreement", "privacy")


@dataclass(frozen=True)
class AgreementText:
    kind: str
    version: str
    text: str
    sha256: str


@dataclass(frozen=True)
class Enrolment:
    name: str
    phone: str | None
    email: str | None
    birthday: date | None
    staff_id: int
    accepted_agreement_sha256: str
    accepted_privacy_sha256: str
    marketing_opt_in: bool = False
    referral_code: str | None = None
    notes: str = ""


def current_agreement(session: Session, kind: str) -> AgreementVersion:
    row = session.scalar(select(AgreementVersion).where(AgreementVersion.kind == kind)
                         .order_by(AgreementVersion.published_at.desc(),
                                   AgreementVersion.id.desc()).limit(1))
    if row is None:
        raise NotFound(f"no {kind.replace('_', ' ')} text has been published")
    return row


def issue_card(session: Session, member: Member, till_id: int, now) -> Card:
    till = session.get(Till, till_id)
    assert till is not None
    till.last_card_serial += 1
    card = Card(number=make_card_number(till.number, till.last_card_serial),
                member_id=member.id, status="active", issued_at=now)
    session.add(card)
    session.flush()
    return card


def member_payload(member: Member) -> dict[str, object]:
    """The member as sent to head office (outbox)."""
    return {"uuid": member.uuid, "name": member.name, "phone": member.phone,
            "email": member.email, "birthday": member.birthday.isoformat()
            if member.birthday else None, "status": member.status, "tier": member.tier_code,
            "referral_code": member.referral_code, "notes": member.notes}


class MemberService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    # -- enrolment ---------------------------------------------------------------------------

    def enrol(self, request: Enrolment) -> MemberDetails:
        now = self.ctx.now()
        name = normalise_name(request.name)
        phone = normalise_phone(request.phone)
        email = normalise_email(request.email)
        if phone is None and email is None:
            raise InvalidInput("a phone number or an email address is required")
        birthday = check_birthday(request.birthday, self.ctx.today())
        with self.ctx.db.transaction() as session:
            require_staff(session, request.staff_id)
            # the referral first: someone re-enrolling with their own code gets the clearer message
            referrer = self._referrer(session, request.referral_code, phone, email)
            self._refuse_duplicates(session, phone, email)
            versions = self._check_consent(session, request)
            tiers = load_tiers(session)
            member = Member(uuid=str(uuid.uuid4()), name=name, phone=phone, email=email,
                            birthday=birthday, notes=request.notes or "",
                            tier_code=tiers[0].code, referral_code=self._free_code(session),
                            referred_by_id=referrer.id if referrer else None,
                            enrolled_at=now, enrolled_till_id=self.ctx.till_id, updated_at=now)
            session.add(member)
            try:
                session.flush()
            except IntegrityError as exc:  # a race with another till process on the same file
                raise Conflict("a member with this phone or email already exists") from exc
            card = issue_card(session, member, self.ctx.till_id, now)
            for version in versions:
                self._add_consent(session, member, version.kind, "accept", version,
                                  request.staff_id)
            if request.marketing_opt_in:
                self._add_consent(session, member, "marketing", "accept", None, request.staff_id)
            session.add(OutboxMessage(topic="member", ref=member.uuid,
                                      payload=member_payload(member) | {"card": card.number},
                                      created_at=now))
            return self._details(session, member)

    def _refuse_duplicates(self, session: Session, phone: str | None, email: str | None,
                           except_id: int | None = None) -> None:
        for column, value, label in ((Member.phone, phone, "phone number"),
                                     (Member.email, email, "email address")):
            if value is None:
                continue
            existing = session.scalar(select(Member).where(column == value))
            if existing is not None and existing.id != except_id:
                raise Conflict(f"member {existing.id} ({existing.name}) already has this {label}")

    def _referrer(self, session: Session, code: str | None, phone: str | None,
                  email: str | None) -> Member | None:
        if code is None or not str(code).strip():
            return None
        referrer = session.scalar(select(Member).where(
            Member.referral_code == str(code).strip().upper()))
        if referrer is None:
            raise NotFound(f"referral code '{code}' does not belong to any member")
        if (phone and referrer.phone == phone) or (email and referrer.email == email):
            raise Conflict("a member cannot refer themselves")
        return referrer

    def _check_consent(self, session: Session, request: Enrolment) -> list[AgreementVersion]:
        versions = []
        for kind, accepted in (("member_agreement", request.accepted_agreement_sha256),
                               ("privacy", request.accepted_privacy_sha256)):
            version = current_agreement(session, kind)
            if accepted != version.sha256:
                raise InvalidInput(
                    f"the member must accept the current {kind.replace('_', ' ')} "
                    f"(version {version.version}); the text shown was not that version")
            versions.append(version)
        return versions

    def _free_code(self, session: Session) -> str:
        while True:
            code = new_referral_code()
            if session.scalar(select(Member.id).where(Member.referral_code == code)) is None:
                return code

    def _add_consent(self, session: Session, member: Member, kind: str, action: str,
                     version: AgreementVersion | None, staff_id: int) -> None:
        consent = Consent(member_id=member.id, kind=kind, action=action,
                          agreement_version_id=version.id if version else None,
                          text_sha256=version.sha256 if version else None,
                          at=self.ctx.now(), till_id=self.ctx.till_id, staff_id=staff_id)
        session.add(consent)
        session.add(OutboxMessage(topic="consent", ref=member.uuid, created_at=self.ctx.now(),
                                  payload={"member": member.uuid, "kind": kind, "action": action,
                                           "sha256": consent.text_sha256,
                                           "at": self.ctx.now().isoformat(),
                                           "till": self.ctx.till_id, "staff": staff_id}))

    # -- consent changes ---------------------------------------------------------------------

    def set_marketing(self, member_id: int, opt_in: bool, staff_id: int) -> MemberDetails:
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            member = self._member(session, member_id)
            self._add_consent(session, member, "marketing", "accept" if opt_in else "withdraw",
                              None, staff_id)
            return self._details(session, member)

    def withdraw_consent(self, member_id: int, kind: str, staff_id: int) -> MemberDetails:
        """Withdrawal is recorded as a new row; the member is suspended (no agreement, no card)."""
        if kind not in (*REQUIRED_CONSENTS, "marketing"):
            raise InvalidInput(f"unknown consent kind '{kind}'")
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            member = self._member(session, member_id)
            self._add_consent(session, member, kind, "withdraw", None, staff_id)
            if kind in REQUIRED_CONSENTS:
                member.status = "suspended"
                member.updated_at = self.ctx.now()
            return self._details(session, member)

    # -- edits and cards ---------------------------------------------------------------------

    def update(self, member_id: int, staff_id: int, *, name: str, phone: str | None,
               email: str | None, birthday: date | None, notes: str) -> MemberDetails:
        now = self.ctx.now()
        clean = (normalise_name(name), normalise_phone(phone), normalise_email(email),
                 check_birthday(birthday, self.ctx.today()))
        if clean[1] is None and clean[2] is None:
            raise InvalidInput("a phone number or an email address is required")
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            member = self._member(session, member_id)
            self._refuse_duplicates(session, clean[1], clean[2], except_id=member.id)
            member.name, member.phone, member.email, member.birthday = clean
            member.notes = notes or ""
            member.updated_at = now
            audit.record(session, at=now, staff_id=staff_id, till_id=self.ctx.till_id,
                         action="member_updated", target=f"member:{member.id}")
            session.add(OutboxMessage(topic="member", ref=member.uuid, created_at=now,
                                      payload=member_payload(member)))
            return self._details(session, member)

    def block_and_replace_card(self, card_number: str, reason: str, staff_id: int
                               ) -> MemberDetails:
        """Lost card: block it and issue a new one. Balances belong to the member, not the card."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise InvalidInput("say why the card is blocked (lost, stolen, damaged)")
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            card = session.scalar(select(Card).where(Card.number == str(card_number).strip()))
            if card is None:
                raise NotFound(f"card {card_number} does not exist")
            if card.status != "active":
                raise Conflict(f"card {card_number} is already blocked")
            card.status, card.blocked_at, card.block_reason = "blocked", now, reason[:200]
            session.flush()
            member = self._member(session, card.member_id)
            new_card = issue_card(session, member, self.ctx.till_id, now)
            audit.record(session, at=now, staff_id=staff_id, till_id=self.ctx.till_id,
                         action="card_replaced", target=f"member:{member.id}",
                         blocked=card.number, issued=new_card.number, reason=reason)
            session.add(OutboxMessage(topic="card", ref=card.number, created_at=now,
                                      payload={"member": member.uuid, "blocked": card.number,
                                               "issued": new_card.number, "reason": reason}))
            return self._details(session, member)

    # -- reading -----------------------------------------------------------------------------

    def texts_to_accept(self) -> dict[str, AgreementText]:
        """The member agreement and privacy statement a new member accepts now."""
        with self.ctx.db.sessions() as session:
            return {kind: AgreementText(kind, row.version, row.text, row.sha256)
                    for kind in REQUIRED_CONSENTS
                    for row in [current_agreement(session, kind)]}

    def possible_duplicates(self, phone: str | None, email: str | None) -> list[MemberSummary]:
        """Members who already have this phone or email (for the enrolment form, as you type).

        Malformed values find nothing rather than failing: the form validates them on save.
        """
        found: dict[int, MemberSummary] = {}
        with self.ctx.db.sessions() as session:
            for column, raw, clean in ((Member.phone, phone, normalise_phone),
                                       (Member.email, email, normalise_email)):
                try:
                    value = clean(raw)
                except InvalidInput:
                    continue
                if value is None:
                    continue
                for member_id in session.scalars(select(Member.id).where(column == value)):
                    found[member_id] = session_summary(session, member_id, self.ctx.today())
        return list(found.values())

    def details(self, member_id: int) -> MemberDetails:
        with self.ctx.db.sessions() as session:
            return self._details(session, self._member(session, member_id))

    def _member(self, session: Session, member_id: int) -> Member:
        member = session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None:
            raise NotFound(f"member {member_id} does not exist")
        return member

    def _details(self, session: Session, member: Member) -> MemberDetails:
        session.flush()
        rules = load_rules(session)
        tiers = load_tiers(session)
        decision = decide_tier(tiers, rolling_spend(session, member.id, self.ctx.now(),
                                                    rules.tier_window_days),
                               rules.tier_window_days)
        current = next((t for t in tiers if t.code == member.tier_code), decision.tier)
        reason = decision.reason if decision.tier.code == current.code else (
            f"{decision.reason} (the next tier review moves the member to {decision.tier.name})")
        cards = session.execute(select(Card.number, Card.status)
                                .where(Card.member_id == member.id).order_by(Card.id)).all()
        return MemberDetails(
            summary=session_summary(session, member.id, self.ctx.today()),
            email=member.email, birthday=member.birthday, notes=member.notes,
            referral_code=member.referral_code, referred_by_id=member.referred_by_id,
            tier_name=current.name, tier_reason=reason, consents=self._consents(session, member),
            cards=[(number, status) for number, status in cards])

    def _consents(self, session: Session, member: Member) -> dict[str, str]:
        state: dict[str, str] = {}
        rows = session.execute(
            select(Consent.kind, Consent.action, AgreementVersion.version)
            .outerjoin(AgreementVersion, AgreementVersion.id == Consent.agreement_version_id)
            .where(Consent.member_id == member.id).order_by(Consent.id)).all()
        for kind, action, version in rows:
            state[kind] = (f"accepted {version}" if action == "accept" and version
                           else "opted in" if action == "accept" else "withdrawn")
        return state

