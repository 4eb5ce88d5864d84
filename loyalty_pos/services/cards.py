"""Member cards: what goes on a printed or electronic card, and writing the files.

The database is read here (one read-only Session per operation) and plain `PrintedCard` values
are handed to `cards/`, which never touches the database. The chain secret that signs the QR
payloads is read with a plain session; only when this till has none yet is it created, in a
short writing transaction (`context.chain_secret`).

Thread: rendering a PDF or PNG takes tens of milliseconds, so the UI calls the `write_*`
methods from its worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import ecard
from ..core.errors import Conflict, InvalidInput, NotFound
from ..db.models import Card, Member, Store, TierDef
from .context import CHAIN_SECRET_KEY, TillContext, chain_secret, get_setting

if TYPE_CHECKING:  # reportlab, qrcode and Pillow load on first use: the till starts faster
    from ..cards.member_card import Branding, PrintedCard

MAX_SHEET_MEMBERS = 1000


def local_day(stored: datetime) -> date:
    """The shop's calendar day of a stored (naive UTC) datetime."""
    return stored.replace(tzinfo=UTC).astimezone().date()


class CardService:
    def __init__(self, ctx: TillContext, branding: Branding | None = None) -> None:
        self.ctx = ctx
        self._branding = branding

    @property
    def branding(self) -> Branding:
        if self._branding is None:
            from ..cards.member_card import load_branding

            self._branding = load_branding()
        return self._branding

    # -- reading -----------------------------------------------------------------------------

    def secret(self) -> bytes:
        """The chain secret; created (once, in a short transaction) if this till has none."""
        with self.ctx.db.sessions() as session:
            value = get_setting(session, CHAIN_SECRET_KEY)
        if value is not None:
            return bytes.fromhex(value)
        with self.ctx.db.transaction() as session:
            return chain_secret(session)

    def printed_card(self, member_id: int) -> PrintedCard:
        """The member's active card with its signed static QR payload.

        NotFound if there is no such member; Conflict if the member is not active (suspended,
        erased, merged) or has no active card (blocked and not replaced).
        """
        return self.printed_cards([member_id])[0]

    def printed_cards(self, member_ids: Sequence[int]) -> list[PrintedCard]:
        """Cards for several members, in the given order, read in one session."""
        secret = self.secret()
        with self.ctx.db.sessions() as session:
            store = session.get(Store, self.ctx.store_id)
            store_name = store.name if store else ""
            tiers = dict(session.execute(select(TierDef.code, TierDef.name)).all())
            return [self._card(session, member_id, secret, store_name, tiers)
                    for member_id in member_ids]

    def rotating_payload(self, member_id: int, unix_time: float) -> str:
        """The time-stepped QR payload (LP2) for a live phone screen at `unix_time`."""
        with self.ctx.db.sessions() as session:
            number = self._active_card(session, self._member(session, member_id)).number
        return ecard.rotating_payload(number, self.secret(), unix_time)

    def _member(self, session: Session, member_id: int) -> Member:
        if isinstance(member_id, bool) or not isinstance(member_id, int):
            raise NotFound(f"member {member_id!r} does not exist")
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(f"member {member_id} does not exist")
        if member.status != "active":
            raise Conflict(f"member {member_id} is {member.status}: no card can be issued")
        return member

    def _active_card(self, session: Session, member: Member) -> Card:
        card = session.scalar(select(Card).where(Card.member_id == member.id,
                                                 Card.status == "active"))
        if card is None:
            raise Conflict(f"member {member.id} has no active card: issue a new card first")
        return card

    def _card(self, session: Session, member_id: int, secret: bytes, store_name: str,
              tiers: dict[str, str]) -> PrintedCard:
        member = self._member(session, member_id)
        card = self._active_card(session, member)
        from ..cards.member_card import PrintedCard

        return PrintedCard(
            member_name=member.name, card_number=card.number,
            qr_payload=ecard.static_payload(card.number, secret),
            tier_name=tiers.get(member.tier_code, member.tier_code.title()),
            tier_code=member.tier_code, issued_on=local_day(card.issued_at),
            member_since=local_day(member.enrolled_at),
            program_name=self.branding.program_name, store_name=store_name)

    # -- writing files -----------------------------------------------------------------------

    def write_card_pdf(self, member_id: int, path: str | Path) -> Path:
        """One ID-1 card (front and back pages) for a card printer."""
        from ..cards.member_card import render_card_pdf

        return render_card_pdf(self.printed_card(member_id), path, self.branding)

    def write_card_sheet(self, member_ids: Sequence[int], path: str | Path) -> Path:
        """A4 sheets of ten card fronts with crop marks."""
        ids = list(member_ids)
        if not ids:
            raise InvalidInput("choose at least one member to print cards for")
        if len(ids) > MAX_SHEET_MEMBERS:
            raise InvalidInput(f"print at most {MAX_SHEET_MEMBERS} cards at a time")
        from ..cards.member_card import render_card_sheet_pdf

        return render_card_sheet_pdf(self.printed_cards(ids), path, self.branding)

    def write_ecard_png(self, member_id: int, path: str | Path, *,
                        unix_time: float | None = None) -> Path:
        """The phone-screen e-card. Without `unix_time` the QR carries the lasting static
        payload (an image to keep); with it, the rotating payload of that moment (a live
        screen redraws it every 30 s)."""
        card = self.printed_card(member_id)
        payload = card.qr_payload if unix_time is None else ecard.rotating_payload(
            card.card_number, self.secret(), unix_time)
        from ..cards.ecard_render import render_ecard_png

        return render_ecard_png(card, path, self.branding, payload)

    def write_ecard_page(self, member_id: int, path: str | Path) -> Path:
        """The printable A4 'your electronic card' page (static payload: paper must last)."""
        card = self.printed_card(member_id)
        from ..cards.ecard_render import render_ecard_page_pdf

        return render_ecard_page_pdf(card, path, self.branding, card.qr_payload)
