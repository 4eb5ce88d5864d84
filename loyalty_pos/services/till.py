"""Everything a till front end calls, bundled: one object per open till database.

Thread notes: `finder` holds one sqlite3 connection and is used on the GUI thread only (lookups
take microseconds). Writing operations are called from the UI's worker thread; each opens its
own Session and transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.program import ProgramRules
from ..db.engine import Database
from ..sync.state import SyncState, read_sync_state
from .admin import AuditService, StaffAdminService
from .balances import BalanceService
from .cards import CardService
from .catalog import CatalogService
from .checkout import CheckoutService
from .context import TillContext, chain_secret, load_rules
from .help import HelpService
from .lookup import MemberFinder
from .manager_reports import ManagerReportService
from .member_admin import MemberAdminService
from .members import MemberService
from .program import ProgramService
from .receipts import ReceiptService
from .refunds import RefundService
from .reports import ReportService
from .staff import StaffService
from .tiers import TierService


@dataclass
class TillServices:
    ctx: TillContext
    staff: StaffService
    members: MemberService
    catalog: CatalogService
    checkout: CheckoutService
    refunds: RefundService
    balances: BalanceService
    tiers: TierService
    reports: ReportService
    receipts: ReceiptService
    finder: MemberFinder
    cards: CardService
    program: ProgramService
    staff_admin: StaffAdminService
    audit: AuditService
    help: HelpService
    manager_reports: ManagerReportService
    member_admin: MemberAdminService

    @classmethod
    def for_context(cls, ctx: TillContext) -> TillServices:
        with ctx.db.transaction() as session:
            secret = chain_secret(session)
        return cls(ctx, StaffService(ctx), MemberService(ctx), CatalogService(ctx),
                   CheckoutService(ctx), RefundService(ctx), BalanceService(ctx),
                   TierService(ctx), ReportService(ctx), ReceiptService(ctx),
                   MemberFinder(ctx.db.raw_connection(), secret), CardService(ctx),
                   ProgramService(ctx), StaffAdminService(ctx), AuditService(ctx),
                   HelpService(ctx), ManagerReportService(ctx), MemberAdminService(ctx))

    @classmethod
    def open(cls, path: Path) -> TillServices:
        return cls.for_context(TillContext.open(Database.open(path)))

    def output_dir(self, kind: str) -> Path:
        """Where files made at this till go (cards, exports, reports): beside the database."""
        folder = self.ctx.db.path.parent / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def store_line(self) -> str:
        """'Main Street · Till 1' for the title bar."""
        from ..db.models import Store, Till

        with self.ctx.db.sessions() as session:
            till = session.get(Till, self.ctx.till_id)
            store = session.get(Store, self.ctx.store_id)
            return f"{store.name if store else ''} · {till.name if till else ''}"

    def rules(self) -> ProgramRules:
        with self.ctx.db.sessions() as session:
            return load_rules(session)

    def currency_symbol(self) -> str:
        return self.rules().currency_symbol

    def pending_outbox(self) -> int:
        """GUI thread (uses the finder's connection)."""
        return self.finder.connection.execute(
            "SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]

    def sync_state(self) -> SyncState:
        """Any thread but the GUI's (the UI reads it on a worker): pending entries and messages,
        the last sync, and whether the till counts as offline (sync/state.py)."""
        with self.ctx.db.sessions() as session:
            return read_sync_state(session, load_rules(session), self.ctx.clock(),
                                   self.ctx.till_id)
