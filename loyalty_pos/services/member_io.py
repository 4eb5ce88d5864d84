"""Members in and out of CSV files: importing another system's (or a spreadsheet's) member list,
and exporting this till's members.

Import is all-or-nothing. Every row is checked first (inside the import's write transaction, so
the duplicate checks against existing members cannot race another enrolment); if any row has a
problem, nothing is written and the report lists every problem with its row number (the
spreadsheet's row: the header is row 1, the first member row 2). Otherwise every member is
enrolled in ONE transaction: the member, consent rows for the current agreement and privacy texts
(the manager confirms the members accepted them), a card (a new one, or the file's card number
when it is a valid in-store EAN-13 not in use; numbers in this till's own range move its card
serial past them), opening balances as ledger entries (points: kind 'opening_balance', a lot with
the standard expiry; stored value: kind 'opening_balance'), the outbox messages for head office
and one audit entry. Nothing is queried per row: existing phones, emails, cards and referral codes
are checked in chunks, and rows are written with multi-row INSERTs.

Files: UTF-8 with or without BOM (GB18030 is tried when the bytes are not UTF-8, as Chinese Excel
saves), delimiter guessed with csv.Sniffer among , ; tab and |. Export writes UTF-8 with a BOM so
spreadsheet programs show Chinese correctly, and uses headers `suggest_mapping` recognises, so an
exported file imports as it is.

Threads: long work; run both on the database worker thread (never the GUI thread). `progress`
is called from that thread; `cancel` may be set from any thread.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..core.ean import CARD_PREFIX, is_member_card_number, make_card_number
from ..core.errors import InvalidInput
from ..core.members import (
    check_birthday,
    new_referral_code,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from ..core.money import format_money, parse_money
from ..core.points import lot_expiry
from ..db.models import Card, Consent, Member, OutboxMessage, TierDef, Till
from . import audit
from .context import TillContext, load_rules, load_tiers
from .ledger import LedgerWriter
from .members import current_agreement, member_payload
from .staff import require_manager

FIELDS = ("name", "phone", "email", "birthday", "notes", "points", "stored_value",
          "card_number")
CHUNK = 500               # values per IN (...) query
PROGRESS_EVERY = 250      # rows between progress calls and cancel checks
MAX_OPENING_POINTS = 100_000_000
MAX_ROWS = 1_000_000
EXPORT_HEADERS = ("Member number", "Name", "Phone", "Email", "Birthday", "Notes", "Card number",
                  "Tier", "Status", "Points", "Stored value")

# header names (normalised: lower case, no spaces or punctuation) -> our field
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "membername", "customername", "clientname", "姓名", "名字",
             "会员姓名", "客户姓名", "会员名称", "客户名称", "顾客姓名"),
    "phone": ("phone", "phonenumber", "phoneno", "mobile", "mobilephone", "mobilenumber",
              "mobileno", "cell", "cellphone", "telephone", "tel", "手机", "手机号", "手机号码",
              "电话", "电话号码", "联系电话", "移动电话"),
    "email": ("email", "emailaddress", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址"),
    "birthday": ("birthday", "birthdate", "dateofbirth", "dob", "born", "生日", "出生日期",
                 "出生年月日"),
    "notes": ("notes", "note", "remarks", "remark", "comment", "comments", "memo", "备注",
              "说明"),
    "points": ("points", "point", "pointsbalance", "pointbalance", "loyaltypoints", "积分",
               "积分余额", "当前积分", "可用积分", "会员积分"),
    "stored_value": ("storedvalue", "storedvaluebalance", "balance", "prepaid",
                     "prepaidbalance", "wallet", "walletbalance", "余额", "储值", "储值余额",
                     "储值卡余额", "预存款", "账户余额", "卡内余额", "会员余额"),
    "card_number": ("cardnumber", "card", "cardno", "membercard", "membershipcard",
                    "membercardnumber", "cardid", "卡号", "会员卡号", "会员卡", "卡片号码"),
}
# tried as substrings of a longer header only after exact matches (points before stored value:
# "积分余额" is points, "余额" alone is stored value)
_CONTAINED = ("points", "card_number", "phone", "email", "birthday", "stored_value", "notes",
              "name")
_PUNCTUATION = re.compile(r"[\s_\-.:：#()（）\[\]【】/*]+")


def _normalise_header(header: str) -> str:
    return _PUNCTUATION.sub("", str(header).strip().lower())


def suggest_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Guess {our field: CSV header} from common English and Chinese header names."""
    headers = [h for h in headers if isinstance(h, str) and h.strip()]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:  # exact names first
        key = _normalise_header(header)
        for name, synonyms in _SYNONYMS.items():
            if name not in mapping and header not in used and key in synonyms:
                mapping[name] = header
                used.add(header)
    for name in _CONTAINED:  # then inside a longer header ("Mobile phone no.", "储值余额(元)")
        if name in mapping:
            continue
        for header in headers:
            key = _normalise_header(header)
            if header not in used and any(len(s) >= 2 and s in key for s in _SYNONYMS[name]):
                mapping[name] = header
                used.add(header)
                break
    return mapping


# -- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    row: int       # spreadsheet row: the header is row 1
    field: str     # our field name (or "row")
    value: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    imported: int = 0
    cancelled: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    points_total: int = 0
    stored_value_total: int = 0
    first_member_id: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled and self.imported == self.rows


@dataclass(frozen=True)
class _Row:
    row: int
    name: str
    phone: str | None
    email: str | None
    birthday: date | None
    notes: str
    points: int
    stored_value: int
    card_number: str | None


class _Cancelled(Exception):
    """Raised inside the transaction so that it rolls back."""


# -- reading the file ---------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the file is not text in UTF-8 (or GB18030): save it as CSV UTF-8")


def _delimiter(text: str) -> str:
    """The sniffer's guess, unless the header row says otherwise (headers rarely hold one)."""
    sample = text[:65536]
    first = sample.splitlines()[0] if sample else ""
    by_header = max(",;\t|", key=first.count)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return by_header
    return sniffed if first.count(sniffed) or not first.count(by_header) else by_header


def read_csv(source: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (row number, cells) of a CSV file; blank rows are skipped."""
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{path.name} is not a readable CSV file: {exc}") from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidInput(f"{path.name} is empty: the first row must name the columns")
    header = [cell.strip() for cell in rows[0]]
    body = [(number, cells) for number, cells in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in cells)]
    if len(body) > MAX_ROWS:
        raise InvalidInput(f"{path.name} has {len(body):,} rows; import at most {MAX_ROWS:,} "
                           "at a time")
    return header, body


def _check_mapping(mapping: dict[str, str], header: list[str]) -> dict[str, int]:
    if not isinstance(mapping, dict):
        raise InvalidInput("the column mapping must map field names to column headers")
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(unknown)}; the fields are "
                           f"{', '.join(FIELDS)}")
    columns: dict[str, int] = {}
    for name, column in mapping.items():
        if column in (None, ""):
            continue
        if column not in header:
            raise InvalidInput(f"the file has no column '{column}' (for {name}); its columns "
                               f"are {', '.join(header)}")
        columns[name] = header.index(column)
    if "name" not in columns:
        raise InvalidInput("choose the column that holds the member's name")
    if "phone" not in columns and "email" not in columns:
        raise InvalidInput("choose the column with the phone number or the email address")
    return columns


# -- checking values ----------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_birthday(text: str, today: date) -> date:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年MM月DD日; DD/MM/YYYY (or MM/DD/YYYY) only
    when the day tells which is which."""
    value = text.strip()
    if match := _YMD.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(value):
        first, second, year = (int(g) for g in match.groups())
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            month, day = first, second
        elif first == second:
            day = month = first
        else:
            raise InvalidInput(f"'{value}' could be day/month or month/day: write it as "
                               "YYYY-MM-DD")
    else:
        raise InvalidInput(f"'{value}' is not a date (use YYYY-MM-DD)")
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"'{value}' is not a real date") from exc
    checked = check_birthday(result, today)
    assert checked is not None
    return checked


_GROUPED = re.compile(r"^[-+(]?\d{1,3}(,\d{3})+(\.\d*)?\)?$")


def _ungroup(value: str) -> str:
    """Thousands separators out: "1,234.50" -> "1234.50". A comma elsewhere ("12,50", a
    decimal comma) is refused rather than misread as 1250."""
    if "," not in value:
        return value
    if not _GROUPED.match(value):
        raise InvalidInput(f"'{value}' is not a number: use a dot for decimals, commas only "
                           "between thousands")
    return value.replace(",", "")


def parse_points(text: str) -> int:
    value = _ungroup(text.strip().replace(" ", ""))
    if not value:
        return 0
    if not re.fullmatch(r"[-+]?\d+(\.0+)?", value):
        raise InvalidInput(f"'{text}' is not a whole number of points")
    points = int(value.split(".")[0])
    if points < 0:
        raise InvalidInput(f"negative balance {points}: opening balances cannot be negative")
    if points > MAX_OPENING_POINTS:
        raise InvalidInput(f"{points:,} points is not plausible")
    return points


_CURRENCY = re.compile(r"[¥￥$€£元\s]|RMB|CNY", re.IGNORECASE)


def parse_stored_value(text: str, maximum: int) -> int:
    value = _ungroup(_CURRENCY.sub("", text.strip()))
    if not value:
        return 0
    if value.startswith(("-", "(")):
        raise InvalidInput(f"negative balance {text.strip()}: stored value cannot be negative")
    amount = parse_money(value.removeprefix("+"))
    if amount > maximum:
        raise InvalidInput(f"{format_money(amount)} is above the stored value maximum of "
                           f"{format_money(maximum)}")
    return amount


def _check_rows(body: list[tuple[int, list[str]]], columns: dict[str, int], today: date,
                max_stored_value: int, tick: Callable[[], None]
                ) -> tuple[list[_Row], list[RowProblem]]:
    rows: list[_Row] = []
    problems: list[RowProblem] = []

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    checks: dict[str, Callable[[str], Any]] = {
        "name": normalise_name,
        "phone": normalise_phone,
        "email": normalise_email,
        "birthday": lambda v: parse_birthday(v, today) if v else None,
        "notes": lambda v: v,
        "points": parse_points,
        "stored_value": lambda v: parse_stored_value(v, max_stored_value),
        "card_number": _check_card_number,
    }
    for number, cells in body:
        values: dict[str, Any] = {}
        bad = False
        for name, check in checks.items():
            raw = cell(cells, name)
            try:
                values[name] = check(raw)
            except InvalidInput as exc:
                problems.append(RowProblem(number, name, raw, str(exc)))
                bad = True
        if not bad and values["phone"] is None and values["email"] is None:
            problems.append(RowProblem(number, "phone", "",
                                       "a phone number or an email address is required"))
            bad = True
        if not bad:
            rows.append(_Row(number, **values))
        tick()
    return rows, problems


def _check_card_number(value: str) -> str | None:
    number = value.replace(" ", "")
    if not number:
        return None
    if not is_member_card_number(number):
        raise InvalidInput(f"'{value}' is not an in-store card number (an EAN-13 starting "
                           "with 2, with a correct check digit)")
    return number


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _duplicates(session: Session, rows: list[_Row]) -> list[RowProblem]:
    """The same phone, email or card twice in the file, or already at this till."""
    problems: list[RowProblem] = []
    for name, label, column in (("phone", "phone number", Member.phone),
                                ("email", "email address", Member.email),
                                ("card_number", "card number", None)):
        first_row: dict[str, int] = {}
        for row in rows:
            value = getattr(row, name)
            if value is None:
                continue
            if value in first_row:
                problems.append(RowProblem(row.row, name, value,
                                           f"same {label} as row {first_row[value]}"))
            else:
                first_row[value] = row.row
        existing: dict[str, str] = {}
        for chunk in _chunks(list(first_row)):
            if column is None:
                query = select(Card.number, Card.member_id).where(Card.number.in_(chunk))
            else:
                query = select(column, Member.id).where(column.in_(chunk))
            existing |= {value: f"member {owner}" for value, owner in session.execute(query)}
        problems += [RowProblem(row, name, value, f"{existing[value]} already has this {label}")
                     for value, row in first_row.items() if value in existing]
    return problems


# -- import -----------------------------------------------------------------------------------


def import_members_csv(ctx: TillContext, source: str | Path, mapping: dict[str, str],
                       staff_id: int, consent_confirmed: bool,
                       progress: Callable[[int, int], None] | None = None,
                       cancel: threading.Event | None = None) -> ImportReport:
    """Import members from a CSV file, all or nothing (see the module doc).

    Returns the report: `ok` when every row was imported; otherwise `problems` lists every
    row's problem (nothing imported), or `cancelled` says the import was stopped (nothing
    imported). Raises InvalidInput / PermissionDenied for a request that cannot start (no
    consent confirmation, a bad mapping, an unreadable file, not a manager).
    """
    started = time.perf_counter()
    if consent_confirmed is not True:
        raise InvalidInput("confirm that every member in the file accepted the current member "
                           "agreement and privacy notice before importing")
    header, body = read_csv(source)
    columns = _check_mapping(mapping, header)
    report = ImportReport(source=Path(source).name, rows=len(body))
    total = 2 * len(body)  # each row is checked, then written
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            if progress is not None:
                progress(done, total)

    try:
        with ctx.db.transaction() as session:
            require_manager(session, staff_id)
            rules = load_rules(session)
            rows, problems = _check_rows(body, columns, ctx.today(),
                                         rules.stored_value_max_balance, tick)
            problems += _duplicates(session, rows)
            if problems:
                report.problems = sorted(problems, key=lambda p: (p.row, FIELDS.index(p.field)
                                                                  if p.field in FIELDS else 99))
                return _finish(report, started)
            _write(ctx, session, rows, staff_id, report, tick)
            if cancel is not None and cancel.is_set():
                raise _Cancelled
    except _Cancelled:
        report.cancelled = True
        report.imported = 0
        report.first_member_id = None
        report.points_total = report.stored_value_total = 0
        return _finish(report, started)
    if progress is not None:
        progress(total, total)
    return _finish(report, started)


def _finish(report: ImportReport, started: float) -> ImportReport:
    report.seconds = time.perf_counter() - started
    return report


def _write(ctx: TillContext, session: Session, rows: list[_Row], staff_id: int,
           report: ImportReport, tick: Callable[[], None]) -> None:
    now, today = ctx.now(), ctx.today()
    rules = load_rules(session)
    tier = load_tiers(session)[0].code
    versions = [current_agreement(session, kind) for kind in ("member_agreement", "privacy")]
    till = session.get(Till, ctx.till_id)
    assert till is not None
    first_id = (session.scalar(select(func.max(Member.id))) or 0) + 1
    codes = _referral_codes(session, len(rows))
    cards = _card_numbers(session, till, rows)

    members = [{
        "id": first_id + offset, "uuid": str(uuid.uuid4()), "name": row.name,
        "phone": row.phone, "email": row.email, "birthday": row.birthday, "notes": row.notes,
        "status": "active", "tier_code": tier, "referral_code": codes[offset],
        "referred_by_id": None, "referral_rewarded": False, "points_balance": 0,
        "stored_value_balance": 0, "enrolled_at": now, "enrolled_till_id": ctx.till_id,
        "first_purchase_at": None, "updated_at": now, "merged_into_id": None,
        "erased_at": None} for offset, row in enumerate(rows)]
    # Core INSERTs (one executemany per table): the ORM's per-object work would take seconds
    session.execute(insert(Member.__table__), members)
    session.execute(insert(Card.__table__), [
        {"number": cards[i], "member_id": m["id"], "status": "active", "issued_at": now}
        for i, m in enumerate(members)])
    session.execute(insert(Consent.__table__), [
        {"member_id": m["id"], "kind": v.kind, "action": "accept",
         "agreement_version_id": v.id, "text_sha256": v.sha256, "at": now,
         "till_id": ctx.till_id, "staff_id": staff_id}
        for m in members for v in versions])

    def openings() -> Iterator[tuple[int, str, int, int]]:
        for row, member in zip(rows, members, strict=True):
            yield member["id"], member["uuid"], row.points, row.stored_value
            report.points_total += row.points
            report.stored_value_total += row.stored_value
            tick()

    writer = LedgerWriter(session, ctx.till_id, now, today)
    writer.open_balances("opening_balance", openings(), lot_expiry(today, rules),
                         staff_id=staff_id, reason="imported opening balance")
    outbox: list[dict[str, Any]] = []
    for index, member in enumerate(members):
        # member_payload reads these attributes only; the row is not an ORM object
        view = cast(Member, SimpleNamespace(**member))
        outbox.append({"topic": "member", "ref": member["uuid"], "created_at": now,
                       "payload": member_payload(view) | {"card": cards[index],
                                                          "imported": True}})
        outbox += [{"topic": "consent", "ref": member["uuid"], "created_at": now, "payload": {
            "member": member["uuid"], "kind": v.kind, "action": "accept", "sha256": v.sha256,
            "at": now.isoformat(), "till": ctx.till_id, "staff": staff_id}} for v in versions]
    session.execute(insert(OutboxMessage.__table__), outbox)
    report.imported = len(rows)
    report.first_member_id = first_id if rows else None
    audit.record(session, at=now, staff_id=staff_id, till_id=ctx.till_id,
                 action="members_imported", target=f"import:{report.source}"[:80],
                 members=len(rows), first_member_id=report.first_member_id,
                 points=report.points_total, stored_value=report.stored_value_total,
                 consent_confirmed=True,
                 agreement_versions=[f"{v.kind} {v.version}" for v in versions])


def _referral_codes(session: Session, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {new_referral_code() for _ in range(count - len(codes))} - codes
        taken: set[str] = set()
        for chunk in _chunks(sorted(fresh)):
            taken |= set(session.scalars(select(Member.referral_code).where(
                Member.referral_code.in_(chunk))))
        codes |= fresh - taken
    return sorted(codes, key=lambda _: uuid.uuid4().int)[:count]


def _card_numbers(session: Session, till: Till, rows: list[_Row]) -> list[str]:
    """The file's card numbers, and new ones from this till's serials for the rest. A file
    number in this till's own range moves the serial past it, so later cards never collide."""
    own_prefix = f"{CARD_PREFIX}{till.number:03d}"
    given = {row.card_number for row in rows if row.card_number}
    for number in given:
        if number.startswith(own_prefix):
            till.last_card_serial = max(till.last_card_serial, int(number[5:12]))
    numbers: list[str] = []
    for row in rows:
        if row.card_number:
            numbers.append(row.card_number)
            continue
        while True:
            till.last_card_serial += 1
            number = make_card_number(till.number, till.last_card_serial)
            if number not in given:
                break
        numbers.append(number)
    return numbers


# -- export -----------------------------------------------------------------------------------


def export_members_csv(ctx: TillContext, path: str | Path, include_balances: bool = True
                       ) -> int:
    """Every member that is not erased (merged records are left out too: their balances moved
    to the member kept), with card number, tier and balances. UTF-8 with BOM. Returns the count.
    A points debt exports as a negative number, which the import refuses (on purpose)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = [h for h in EXPORT_HEADERS
               if include_balances or h not in ("Points", "Stored value")]
    count = 0
    with ctx.db.sessions() as session:
        tiers = {row.code: row.name for row in session.execute(select(TierDef.code,
                                                                      TierDef.name))}
        active_card = (select(Card.number).where(Card.member_id == Member.id,
                                                 Card.status == "active")
                       .limit(1).scalar_subquery())
        query = (select(Member.id, Member.name, Member.phone, Member.email, Member.birthday,
                        Member.notes, active_card, Member.tier_code, Member.status,
                        Member.points_balance, Member.stored_value_balance)
                 .where(Member.status.not_in(("erased", "merged"))).order_by(Member.id)
                 .execution_options(yield_per=2000))
        tmp = path.with_name(path.name + ".part")
        try:
            with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                for (member_id, name, phone, email, birthday, notes, card, tier, status,
                     points, stored_value) in session.execute(query):
                    row = [member_id, name, phone or "", email or "",
                           birthday.isoformat() if birthday else "", notes or "", card or "",
                           tiers.get(tier, tier), status]
                    if include_balances:
                        row += [points, format_money(stored_value).replace(",", "")]
                    writer.writerow(row)
                    count += 1
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count


__all__ = ["FIELDS", "ImportReport", "RowProblem", "export_members_csv",
           "import_members_csv", "parse_birthday", "read_csv", "suggest_mapping"]
