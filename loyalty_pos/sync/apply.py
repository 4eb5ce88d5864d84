"""Applying one answer of head office's `/v1/changes` to the till database.

`apply_changes` runs inside the caller's write transaction (pull.py opens one per answer and
stores the cursor in it too), in this order: program settings, tiers, agreement versions,
promotions, members with their cards, cards, balances. Nothing here talks to the network.

What arrives is other tills' work; it never makes this till refuse to sell. A value that
would clash with a different member here (phone, email, referral code, a card number) or that
does not validate is left out, and the audit log says what and why (action `sync_skipped`).
Each member is applied inside a savepoint, so a clash the checks did not foresee costs that
member only.

A member's "firsts" are merged whatever the snapshot's `updated_at`, never undone:
`first_purchase_at` becomes the earlier of the two, `referral_rewarded` stays true once true.
They decide whether a first-purchase promotion or a referral reward is paid here, so a
snapshot older than this till's member (a local edit not pushed yet) still brings them.

Balances: per member and ledger, one `remote_sync` entry for the difference between head
office's figure for the member's movements at other tills and the sum of this till's
`remote_sync` entries so far (docs/sync-protocol.md, "Balances across tills"). Points
credited form a lot with the program's standard expiry that never expires here (the till
that earned them expires them, and that arrives as a negative remote_sync); points debited
take those remote lots first, then this till's own lots soonest expiry first, and may leave a
points debt. Stored value never goes below zero here: what could not be taken stays
outstanding in `remote_balances` (head office's figure and what is left of it) and
`take_outstanding` takes it as soon as the balance allows, after every answer and at the
start of every pull (pull.py), without waiting for head office to send the member again.

Tiers: head office sends the complete tier set whenever any tier changed; the till's tier
table becomes exactly that set.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import LoyaltyError
from ..core.kinds import REMOTE_SYNC
from ..core.members import new_referral_code
from ..core.points import lot_expiry
from ..core.program import ProgramRules
from ..core.promotions import Effect, PromotionRule
from ..core.tiers import TierRule, validate_tiers
from ..db.models import AgreementVersion, Card, LedgerEntry, Member, RemoteBalance, Setting
from ..services import audit
from ..services.catalog import save_promotion
from ..services.context import load_rules, load_tiers
from ..services.ledger import POINTS, STORED_VALUE, LedgerWriter
from ..services.setup import replace_tiers

RULE_FIELDS = tuple(f.name for f in dataclasses.fields(ProgramRules))
# the partial index's own condition, as a literal: SQLite uses a partial index only for a
# query whose WHERE holds its condition verbatim (a bound 0 would not do)
OUTSTANDING = text("remote_balances.outstanding != 0")


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time from head office as the till stores times: naive UTC."""
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _time(value: object) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) and value else None


def promotion_from_json(value: dict[str, Any]) -> PromotionRule:
    """A promotion as head office sends it (services/program.rule_as_dict's fields)."""
    return PromotionRule(
        code=str(value["code"]), name=str(value["name"]), effect=Effect(value["effect"]),
        value=int(value["value"]), priority=int(value.get("priority") or 0),
        exclusive=bool(value.get("exclusive")), enabled=bool(value.get("enabled", True)),
        starts_on=_date(value.get("starts_on")), ends_on=_date(value.get("ends_on")),
        weekdays=frozenset(int(d) for d in value.get("weekdays") or ()),
        start_time=_time(value.get("start_time")), end_time=_time(value.get("end_time")),
        tiers=frozenset(value.get("tiers") or ()), skus=frozenset(value.get("skus") or ()),
        categories=frozenset(value.get("categories") or ()),
        min_basket=int(value.get("min_basket") or 0),
        birthday_month=bool(value.get("birthday_month")),
        first_purchase=bool(value.get("first_purchase")))


class ChangeApplier:
    """Applies one answer inside an open write transaction. `now` is naive UTC, `today` the
    shop's local day (lots)."""

    def __init__(self, session: Session, till_id: int, now: datetime, today: date) -> None:
        self.session = session
        self.till_id = till_id
        self.now = now
        self.today = today
        self._writer: LedgerWriter | None = None

    @property
    def writer(self) -> LedgerWriter:
        if self._writer is None:  # one per transaction: it holds the chain head
            self._writer = LedgerWriter(self.session, self.till_id, self.now, self.today)
        return self._writer

    def skipped(self, target: str, reason: str, **details: object) -> None:
        audit.record(self.session, at=self.now, staff_id=None, till_id=self.till_id,
                     action="sync_skipped", target=target[:80], reason=reason, **details)

    def apply(self, answer: dict[str, Any]) -> int:
        """Apply every part of the answer; returns how many items were applied."""
        return (self.settings(answer.get("settings") or {})
                + self.tiers(answer.get("tiers") or [])
                + self.agreements(answer.get("agreements") or [])
                + self.promotions(answer.get("promotions") or [])
                + self.members(answer.get("members") or [])
                + self.cards(answer.get("cards") or [])
                + self.balances(answer.get("balances") or [])
                + self.take_outstanding())

    # -- program settings, tiers, agreements, promotions -----------------------------------

    def settings(self, values: dict[str, Any]) -> int:
        applied = 0
        for name, value in values.items():
            if name not in RULE_FIELDS:
                self.skipped(f"setting:{name}", "not a program setting of this till version")
                continue
            current = {row.key: row.value for row in self.session.scalars(select(Setting))}
            try:
                ProgramRules.from_settings(current | {name: str(value)})
            except LoyaltyError as exc:
                self.skipped(f"setting:{name}", str(exc), value=str(value))
                continue
            if current.get(name) != str(value):
                self.session.merge(Setting(key=name, value=str(value)))
                self.session.flush()
                applied += 1
        return applied

    def tiers(self, values: list[dict[str, Any]]) -> int:
        """Head office sends its complete tier set whenever any tier changed (every answer
        whose window holds a tier change, so a publish split across answers brings the whole
        set each time): it replaces the table, so a tier head office removed goes here too.
        A set that is not valid (no tier at 0, a duplicate) is left out and audited."""
        if not values:
            return 0
        current = load_tiers(self.session)
        try:
            ordered = validate_tiers([TierRule(
                str(v["code"]), str(v["name"]), int(v["threshold"]),
                int(v["multiplier_percent"])) for v in values])
        except (LoyaltyError, KeyError, TypeError, ValueError) as exc:
            self.skipped("tiers", f"the tier table would not be valid: {exc}",
                         tiers=[str(v)[:200] for v in values])
            return 0
        if ordered != current:
            replace_tiers(self.session, ordered)
            self.session.flush()
        return len(values)

    def agreements(self, values: list[dict[str, Any]]) -> int:
        applied = 0
        for value in values:
            kind, version, text = value.get("kind"), value.get("version"), value.get("text")
            target = f"agreement:{kind}:{version}"
            if not isinstance(text, str) or hashlib.sha256(text.encode()).hexdigest() != (
                    value.get("sha256")):
                self.skipped(target, "the text does not match its sha256")
                continue
            held = self.session.scalar(select(AgreementVersion).where(
                AgreementVersion.kind == kind, AgreementVersion.version == version))
            if held is not None:
                if held.sha256 != value["sha256"]:
                    self.skipped(target, "this version is held here with another text")
                continue
            self.session.add(AgreementVersion(
                kind=kind, version=version, text=text, sha256=value["sha256"],
                published_at=parse_time(value.get("published_at")) or self.now))
            applied += 1
        self.session.flush()
        return applied

    def promotions(self, values: list[dict[str, Any]]) -> int:
        applied = 0
        for value in values:
            try:
                rule = promotion_from_json(value)
            except (LoyaltyError, KeyError, TypeError, ValueError) as exc:
                self.skipped(f"promotion:{value.get('code')}", f"not a valid promotion: {exc}")
                continue
            save_promotion(self.session, rule)
            applied += 1
        self.session.flush()
        return applied

    # -- members and cards -----------------------------------------------------------------

    def members(self, snapshots: list[dict[str, Any]]) -> int:
        applied = 0
        for snapshot in snapshots:
            savepoint = self.session.begin_nested()
            try:
                self._member(snapshot)
                savepoint.commit()
                applied += 1
            except (IntegrityError, LoyaltyError, KeyError, TypeError, ValueError) as exc:
                savepoint.rollback()
                self.skipped(f"member:{snapshot.get('uuid')}",
                             f"could not be applied: {str(exc)[:300]}")
        self._link_referrers(snapshots)
        return applied

    def _link_referrers(self, snapshots: list[dict[str, Any]]) -> None:
        """A referrer that came later in the same answer is linked now."""
        for snapshot in snapshots:
            referrer = self._member_id(snapshot.get("referred_by"))
            if referrer is None:
                continue
            member = self.session.scalar(select(Member).where(
                Member.uuid == str(snapshot.get("uuid"))))
            if member is not None and member.referred_by_id is None and referrer != member.id:
                member.referred_by_id = referrer
        self.session.flush()

    def _member(self, snapshot: dict[str, Any]) -> None:
        uuid = str(snapshot["uuid"])
        updated_at = parse_time(snapshot.get("updated_at")) or self.now
        member = self.session.scalar(select(Member).where(Member.uuid == uuid))
        if member is None:
            member = self._new_member(snapshot, uuid, updated_at)
        elif member.updated_at <= updated_at:  # head office keeps the newest; so do we
            self._update_member(member, snapshot, updated_at)
        self._merge_firsts(member, snapshot)
        cards = sorted(snapshot.get("cards") or [], key=lambda c: c.get("status") == "active")
        for card in cards:  # blocked ones first: a replacement's new card can then go active
            self._card(member, card)

    def _new_member(self, snapshot: dict[str, Any], uuid: str, updated_at: datetime
                    ) -> Member:
        member = Member(
            uuid=uuid, name=str(snapshot.get("name") or ""), birthday=_date(
                snapshot.get("birthday")), status=str(snapshot.get("status") or "active"),
            notes="", tier_code=str(snapshot.get("tier") or load_tiers(self.session)[0].code),
            referral_code=self._referral_code(None, snapshot.get("referral_code"), uuid),
            referred_by_id=self._member_id(snapshot.get("referred_by")),
            enrolled_at=parse_time(snapshot.get("enrolled_at")) or updated_at,
            enrolled_till_id=None, updated_at=updated_at,
            phone=self._free(Member.phone, snapshot.get("phone"), None, uuid),
            email=self._free(Member.email, snapshot.get("email"), None, uuid))
        self.session.add(member)
        self.session.flush()
        return member

    def _merge_firsts(self, member: Member, snapshot: dict[str, Any]) -> None:
        """Monotonic, whatever the order snapshots arrive in (module docstring); updated_at is
        left alone: the firsts travel in every snapshot, and this changes no other field."""
        arrived = parse_time(snapshot.get("first_purchase_at"))
        if arrived is not None and (member.first_purchase_at is None
                                    or arrived < member.first_purchase_at):
            member.first_purchase_at = arrived
        if snapshot.get("referral_rewarded") is True and not member.referral_rewarded:
            member.referral_rewarded = True
        self.session.flush()

    def _update_member(self, member: Member, snapshot: dict[str, Any], updated_at: datetime
                       ) -> None:
        member.name = str(snapshot.get("name") or member.name)
        member.birthday = _date(snapshot.get("birthday"))
        member.status = str(snapshot.get("status") or member.status)
        member.tier_code = str(snapshot.get("tier") or member.tier_code)
        for column in (Member.phone, Member.email):
            wanted = snapshot.get(column.key)
            if wanted != getattr(member, column.key):
                free = self._free(column, wanted, member.id, member.uuid)
                if free is not None or wanted is None:
                    setattr(member, column.key, free)
        member.referral_code = self._referral_code(member, snapshot.get("referral_code"),
                                                   member.uuid)
        referrer = self._member_id(snapshot.get("referred_by"))
        if referrer is not None:
            member.referred_by_id = referrer
        member.updated_at = updated_at
        self.session.flush()

    def _free(self, column: Any, value: object, own_id: int | None, uuid: str) -> str | None:
        """`value` unless another member here holds it (then None, and the audit says so)."""
        if not isinstance(value, str) or not value:
            return None
        holder = self.session.scalar(select(Member).where(column == value))
        if holder is None or holder.id == own_id:
            return value
        self.skipped(f"member:{uuid}", f"{column.key} is held here by member {holder.id}",
                     field=column.key, other_member=holder.id)
        return None

    def _referral_code(self, member: Member | None, code: object, uuid: str) -> str:
        if isinstance(code, str) and code:
            holder = self.session.scalar(select(Member.id).where(Member.referral_code == code))
            if holder is None or (member is not None and holder == member.id):
                return code
            self.skipped(f"member:{uuid}", f"referral code {code} is held here by member "
                                           f"{holder}", field="referral_code")
        if member is not None:
            return member.referral_code
        while True:
            fresh = new_referral_code()
            if self.session.scalar(select(Member.id).where(Member.referral_code == fresh)) is None:
                return fresh

    def _member_id(self, uuid: object) -> int | None:
        if not isinstance(uuid, str):
            return None
        return self.session.scalar(select(Member.id).where(Member.uuid == uuid))

    def _card(self, member: Member, value: dict[str, Any]) -> bool:
        number = str(value["number"])
        status = "blocked" if value.get("status") == "blocked" else "active"
        card = self.session.scalar(select(Card).where(Card.number == number))
        if card is not None and card.member_id != member.id:
            self.skipped(f"card:{number}", f"belongs here to member {card.member_id}, not "
                                           f"{member.uuid}")
            return False
        if card is None:
            if status == "active" and self._active_card(member) is not None:
                self.skipped(f"card:{number}", "the member has another active card here",
                             active=self._active_card(member))
                return False
            self.session.add(Card(
                number=number, member_id=member.id, status=status,
                issued_at=parse_time(value.get("issued_at")) or self.now,
                blocked_at=parse_time(value.get("blocked_at")),
                block_reason=value.get("block_reason")))
        elif status == "blocked" and card.status != "blocked":  # a block is never undone
            card.status = "blocked"
            card.blocked_at = parse_time(value.get("blocked_at")) or self.now
            card.block_reason = str(value.get("block_reason") or "blocked at another till")[:200]
        self.session.flush()
        return True

    def _active_card(self, member: Member) -> str | None:
        return self.session.scalar(select(Card.number).where(Card.member_id == member.id,
                                                             Card.status == "active"))

    def cards(self, values: list[dict[str, Any]]) -> int:
        applied = 0
        ordered = sorted(values, key=lambda c: c.get("status") == "active")
        for value in ordered:
            member = self.session.scalar(select(Member).where(
                Member.uuid == str(value.get("member"))))
            if member is None:
                self.skipped(f"card:{value.get('number')}",
                             f"its member {value.get('member')} is not known here")
                continue
            applied += self._card(member, value)
        return applied

    # -- balances --------------------------------------------------------------------------

    def balances(self, values: list[dict[str, Any]]) -> int:
        applied = 0
        rules: ProgramRules | None = None
        for value in values:
            member = self.session.scalar(select(Member).where(
                Member.uuid == str(value.get("member"))))
            if member is None:
                self.skipped(f"member:{value.get('member')}",
                             "a balance arrived for a member not known here")
                continue
            rules = rules or load_rules(self.session)
            applied += self._remote_points(member, int(value.get("points") or 0), rules)
            applied += self._remote_stored_value(member, int(value.get("stored_value") or 0))
        return applied

    def _remote_so_far(self, member: Member, ledger: str) -> int:
        return int(self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.member_uuid == member.uuid, LedgerEntry.ledger == ledger,
                LedgerEntry.kind == REMOTE_SYNC)) or 0)

    def _remote_points(self, member: Member, elsewhere: int, rules: ProgramRules) -> int:
        difference = elsewhere - self._remote_so_far(member, POINTS)
        self._take_points(member, difference, elsewhere, rules)
        self._remember(member, POINTS, elsewhere, 0)  # points are always taken whole
        return int(difference != 0)

    def _take_points(self, member: Member, difference: int, elsewhere: int,
                     rules: ProgramRules) -> None:
        """A credit is a lot that never expires here (ledger.py, balances.run_expiry); a
        debit takes such lots first and may leave a points debt."""
        reason = f"points at other tills: {elsewhere}"
        if difference > 0:
            self.writer.earn(REMOTE_SYNC, member, difference, lot_expiry(self.today, rules),
                             reason=reason)
        elif difference < 0:
            self.writer.spend(REMOTE_SYNC, member, -difference, allow_debt=True, reason=reason)

    def _remote_stored_value(self, member: Member, elsewhere: int) -> int:
        difference = elsewhere - self._remote_so_far(member, STORED_VALUE)
        taken = self._take_stored_value(member, difference, elsewhere)
        self._remember(member, STORED_VALUE, elsewhere, difference - taken)
        return int(taken != 0)

    def _take_stored_value(self, member: Member, difference: int, elsewhere: int) -> int:
        """Write what of `difference` the balance allows (never below zero); returns it."""
        amount = max(difference, -member.stored_value_balance)
        if amount == 0:
            return 0
        reason = f"stored value at other tills: {elsewhere}"
        if amount != difference:
            reason += f"; {amount - difference} not covered here"
        self.writer.stored_value(REMOTE_SYNC, member, amount, reason=reason[:200])
        self.session.flush()
        return amount

    def _remember(self, member: Member, ledger: str, elsewhere: int, outstanding: int) -> None:
        """Head office's figure and what of it is not taken yet (remote_balances)."""
        row = self.session.get(RemoteBalance, (member.uuid, ledger))
        if row is None:
            self.session.add(RemoteBalance(member_uuid=member.uuid, ledger=ledger,
                                           elsewhere=elsewhere, outstanding=outstanding,
                                           updated_at=self.now))
        elif (row.elsewhere, row.outstanding) != (elsewhere, outstanding):
            row.elsewhere, row.outstanding, row.updated_at = elsewhere, outstanding, self.now
        self.session.flush()

    def take_outstanding(self) -> int:
        """Take what earlier pulls could not (a stored-value debit beyond the balance then),
        as far as the balance allows now, for every member with something outstanding (the
        partial index holds only those rows). Returns the number of entries written. The
        overdraft itself stays at head office (`loyalty-headoffice conflicts`)."""
        written = 0
        rules: ProgramRules | None = None
        for row in list(self.session.scalars(select(RemoteBalance).where(
                OUTSTANDING).order_by(RemoteBalance.member_uuid))):
            member = self.session.scalar(select(Member).where(Member.uuid == row.member_uuid))
            if member is None:
                continue
            if row.ledger == STORED_VALUE:
                taken = self._take_stored_value(member, row.outstanding, row.elsewhere)
            else:
                rules = rules or load_rules(self.session)
                self._take_points(member, row.outstanding, row.elsewhere, rules)
                taken = row.outstanding
            if taken:
                row.outstanding -= taken
                row.updated_at = self.now
                written += 1
        self.session.flush()
        return written


def apply_changes(session: Session, answer: dict[str, Any], *, till_id: int, now: datetime,
                  today: date) -> int:
    """Apply one `/v1/changes` answer in the caller's transaction; returns the number of
    items applied."""
    return ChangeApplier(session, till_id, now, today).apply(answer)
