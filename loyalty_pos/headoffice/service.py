"""The head-office HTTP service (docs/sync-protocol.md): `create_app(db, master_key)`.

Endpoints: GET /v1/health, POST /v1/register, POST /v1/ledger, POST /v1/records,
GET /v1/changes, GET /v1/members/{uuid}/balance; OpenAPI at /openapi.json, /docs.

Threads: `loyalty-headoffice serve` runs uvicorn with one worker process. The endpoints that
touch the database are plain `def`, so FastAPI runs them in its threadpool and the event loop
stays free; reading the request body is the only async step. Every database call opens its own
session or transaction: there is no shared session between requests. Imports of one till take
turns on its row lock (SELECT ... FOR UPDATE; on SQLite BEGIN IMMEDIATE serialises writers).

Errors: every refusal is a 4xx with a JSON {"detail": "..."} a person can act on; nothing a
client sends should produce a 500. LoyaltyError subclasses map to statuses in one handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import DataError, SQLAlchemyError, StatementError

from .. import __version__
from ..core.errors import (
    Conflict,
    IntegrityViolation,
    InvalidInput,
    LoyaltyError,
    NotFound,
    PermissionDenied,
)
from ..core.signing import LEDGER_CONTENT_TYPE
from ..sync.ledger_file import LedgerFileError
from .auth import AuthenticatedTill, AuthError, register_till, verify_request
from .balances import member_balance
from .changes import DEFAULT_LIMIT, MAX_LIMIT, changes_since
from .db import HeadOfficeDb
from .importer import ImportConflict, import_ledger_file
from .keys import chain_secret
from .models import SOURCE_PUSH, HOLedgerEntry, HOSyncRefusal
from .records import RecordsAnswer, RecordsConflict, RecordsPush, store_records

MAX_BODY = 64 << 20  # a 20,000-entry ledger file is a few MB


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    db: HeadOfficeDb
    master: bytes
    chain_secret: bytes
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        """Naive UTC, as the database stores times."""
        return self.clock().astimezone(UTC).replace(tzinfo=None)


# -- request and answer bodies (OpenAPI documents them) ------------------------------------


class Health(BaseModel):
    status: str
    version: str
    database: str


class Registration(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    till_number: int = Field(ge=1, le=2**31 - 1)
    store_code: str = Field(min_length=1, max_length=16)
    origin_till_id: int = Field(ge=1, le=2**31 - 1)
    origin_store_id: int = Field(ge=1, le=2**31 - 1)


class RegistrationAnswer(BaseModel):
    till_number: int
    store_code: str
    key: str = Field(description="the till key, hex")
    chain_secret: str = Field(description="the chain secret, hex")
    server_time: str


class LedgerAnswer(BaseModel):
    stored_through: int = Field(description="every seq 1..N of the till is stored and linked")
    new: int
    duplicate: int
    last_seq: int = Field(description="the highest seq head office holds of the till")
    open_gaps: list[tuple[int, int]]


class BalanceElsewhere(BaseModel):
    member: str
    points: int = Field(description="the member's points movements at the other tills")
    stored_value: int = Field(description="stored value movements at the other tills "
                                          "(minor units)")


class ChangesAnswer(BaseModel):
    cursor: int = Field(description="the highest change id this answer covers: the next since")
    more: bool = Field(description="true when changes remain after cursor")
    members: list[dict[str, Any]] = Field(description="member snapshots, cards included")
    cards: list[dict[str, Any]] = Field(
        description="{number, member, status, issued_at, blocked_at, block_reason}")
    promotions: list[dict[str, Any]] = Field(description="the till's promotion fields")
    tiers: list[dict[str, Any]] = Field(
        description="{code, name, threshold, multiplier_percent}")
    settings: dict[str, Any] = Field(description="program settings {name: value}")
    agreements: list[dict[str, Any]] = Field(
        description="{kind, version, text, sha256, published_at}")
    balances: list[BalanceElsewhere]


class MemberBalance(BaseModel):
    points: int
    stored_value: int
    as_of: str


class Problem(BaseModel):
    detail: str


# -- errors --------------------------------------------------------------------------------

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (LedgerFileError, 400), (ImportConflict, 422), (RecordsConflict, 422),
    (PermissionDenied, 403), (InvalidInput, 400), (NotFound, 404), (Conflict, 422),
    (IntegrityViolation, 400), (LoyaltyError, 400))


def status_of(error: LoyaltyError) -> int:
    return next(status for kind, status in _STATUS if isinstance(error, kind))


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoyaltyError)
    async def _loyalty(_request: Request, error: LoyaltyError) -> JSONResponse:
        return _problem(status_of(error), str(error))

    @app.exception_handler(AuthError)
    async def _auth(_request: Request, error: AuthError) -> JSONResponse:
        return _problem(error.status, error.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        # 400, not FastAPI's 422: in this protocol 422 means "same key, other content"
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                             for e in error.errors()[:5])
        return _problem(400, f"malformed request: {problems}")

    @app.exception_handler(StatementError)
    async def _unstorable(_request: Request, error: StatementError) -> JSONResponse:
        # a value the database cannot hold that validation let through (DataError and the
        # driver's encoding errors): the request's fault, not the server's
        if isinstance(error, DataError) or isinstance(error.orig, (ValueError, TypeError)):
            return _problem(400, f"a value of the request cannot be stored "
                                 f"({type(error.orig).__name__})")
        raise error


# -- dependencies --------------------------------------------------------------------------


def _context(request: Request) -> ServiceContext:
    return request.app.state.context  # type: ignore[no-any-return]


async def _body(request: Request) -> bytes:
    """The raw request body (signed as sent), at most MAX_BODY bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise AuthError(413, f"the request body is larger than {MAX_BODY >> 20} MB")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise AuthError(413, f"the request body is larger than {MAX_BODY >> 20} MB")
    return body


def authenticated_till(
        request: Request, body: Annotated[bytes, Depends(_body)],
        x_loyalty_till: Annotated[str | None, Header()] = None,
        x_loyalty_timestamp: Annotated[str | None, Header()] = None,
        x_loyalty_signature: Annotated[str | None, Header()] = None) -> AuthenticatedTill:
    """The till a signed request comes from, or 401 saying why (runs in the threadpool)."""
    context = _context(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raw_path = request.scope.get("raw_path")
    if isinstance(raw_path, bytes):  # the path exactly as sent (signatures cover that)
        path = raw_path.decode("latin-1") + (
            "?" + request.scope["query_string"].decode("latin-1")
            if request.scope.get("query_string") else "")
    return verify_request(context.db, context.master, context.clock(), method=request.method,
                          path_with_query=path, body=body, till_header=x_loyalty_till,
                          timestamp_header=x_loyalty_timestamp,
                          signature_header=x_loyalty_signature)


Till = Annotated[AuthenticatedTill, Depends(authenticated_till)]
Context = Annotated[ServiceContext, Depends(_context)]
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem} for status in (400, 401, 403, 404, 409, 413, 422)}


def record_refusal(context: ServiceContext, till_id: int | None, kind: str, detail: str
                   ) -> None:
    """Keep a refused push for support (its own transaction: the push's was rolled back)."""
    with context.db.transaction() as session:
        session.add(HOSyncRefusal(till_id=till_id, at=context.now(), kind=kind,
                                  detail=detail[:4000]))


# -- the application -----------------------------------------------------------------------


def create_app(db: HeadOfficeDb, master_key: bytes,
               clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The service on `db`, with keys derived from `master_key`; `clock` gives aware UTC
    times (tests move it)."""
    app = FastAPI(title="Loyalty POS head office", version=__version__,
                  description="Sync between the tills and head office "
                              "(docs/sync-protocol.md).", responses=_REFUSALS)
    app.state.context = ServiceContext(db, master_key, chain_secret(master_key), clock)
    _install_error_handlers(app)
    _routes(app)
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/v1/health", response_model=Health, tags=["service"],
             responses={503: {"model": Problem}})
    def health(context: Context) -> Health | JSONResponse:
        try:
            with context.db.sessions() as session:
                session.execute(select(1))
        except SQLAlchemyError as exc:  # a monitor wants a status, not a stack trace
            return _problem(503, f"the database cannot be reached ({type(exc).__name__})")
        return Health(status="ok", version=__version__, database=context.db.dialect)

    @app.post("/v1/register", response_model=RegistrationAnswer, tags=["tills"])
    def register(registration: Registration, context: Context) -> RegistrationAnswer:
        """Pair a till with a code from `loyalty-headoffice add-till` (not signed)."""
        done = register_till(context.db, context.master, context.now(),
                             code=registration.code, till_number=registration.till_number,
                             store_code=registration.store_code,
                             origin_till_id=registration.origin_till_id,
                             origin_store_id=registration.origin_store_id)
        return RegistrationAnswer(till_number=done.till_number, store_code=done.store_code,
                                  key=done.key.hex(), chain_secret=done.chain_secret.hex(),
                                  server_time=context.clock().astimezone(UTC).isoformat())

    @app.post("/v1/ledger", response_model=LedgerAnswer, tags=["sync"], openapi_extra={
        "requestBody": {"required": True, "content": {LEDGER_CONTENT_TYPE: {
            "schema": {"type": "string", "format": "binary"}}},
            "description": "a ledger file (docs/ledger-file-format.md)"}})
    def push_ledger(till: Till, request: Request, context: Context,
                    body: Annotated[bytes, Depends(_body)]) -> LedgerAnswer:
        """A ledger file of the till's entries, verified and imported as `import` does."""
        if not body:
            raise InvalidInput("the body must be a ledger file (gzip); it is empty")
        try:
            result = import_ledger_file(context.db, body, context.chain_secret,
                                        clock=context.clock, source=SOURCE_PUSH,
                                        expect_till=till.number)
        except ImportConflict as exc:
            record_refusal(context, till.id, "ledger", str(exc))
            raise
        with context.db.sessions() as session:
            last = session.scalar(select(HOLedgerEntry.seq).where(
                HOLedgerEntry.till_id == till.id).order_by(HOLedgerEntry.seq.desc()).limit(1))
        return LedgerAnswer(stored_through=result.chain_head, new=result.new,
                            duplicate=result.duplicate, last_seq=int(last or 0),
                            open_gaps=result.open_gaps)

    @app.post("/v1/records", response_model=RecordsAnswer, tags=["sync"])
    def push_records(till: Till, records: RecordsPush, context: Context) -> RecordsAnswer:
        """Outbox messages (idempotent on till and id) and member snapshots."""
        try:
            result = store_records(context.db, till.id, records, context.now())
        except RecordsConflict as exc:
            record_refusal(context, till.id, "records", str(exc))
            raise
        return RecordsAnswer(stored_through=result.stored_through, new=result.new,
                             duplicate=result.duplicate)

    @app.get("/v1/changes", response_model=ChangesAnswer, tags=["sync"])
    def changes(till: Till, context: Context,
                since: Annotated[int, Query(ge=0, le=2**62)] = 0,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
                ) -> dict[str, Any]:
        """What changed after cursor `since`: members, cards, promotions, tiers, settings,
        agreements, and balances at other tills."""
        with context.db.sessions() as session:
            return changes_since(session, till.id, since, limit)

    @app.get("/v1/members/{uuid}/balance", response_model=MemberBalance, tags=["sync"])
    def balance(till: Till, context: Context,
                uuid: Annotated[str, Path(min_length=1, max_length=36)]) -> MemberBalance:
        """The member's chain-wide balance (every till's entries, remote_sync left out)."""
        with context.db.sessions() as session:
            found = member_balance(session, uuid)
        return MemberBalance(points=found.points, stored_value=found.stored_value,
                             as_of=context.clock().astimezone(UTC).isoformat())
