"""The head-office reports as tables: what `loyalty-headoffice report` prints, writes as CSV
and lays out in the PDF.

`REPORTS` names every report; `build(name, session, ...)` runs it (reports.py) and returns a
`ReportResult`: the typed rows the CSV holds, one per line, and the table a person reads (the
same figures, sometimes summed up: RFM by segment, cohorts as a triangle).

CSV: a header of the row's field names, then one line per row. UTF-8 with a byte-order mark
(spreadsheet programs then read names right); money as plain decimals (1234.50), rates as
shares 0-1 (empty when there is nothing to divide by), days ISO. `read_csv` reads a file back
into the same typed rows.
"""

from __future__ import annotations

import csv
import dataclasses
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..core.money import format_money, parse_money
from . import reports
from .reports import ALL_STORES

# how many rows of a long table the PDF shows (the CSV and the terminal get them all)
PDF_ROWS = 40


@dataclass(frozen=True)
class ReportResult:
    """One report run: its rows (CSV) and its table (text and PDF)."""
    name: str
    title: str
    period: str                       # "2026-03-01 to 2026-03-31, store S001"
    rows: Sequence[Any]               # dataclass rows, all of one type
    header: tuple[str, ...]
    table: list[tuple[str, ...]]
    right_from: int = 1               # columns from here on are numbers
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # what the charts need beside rows


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    run: Callable[..., ReportResult]
    row_type: type      # of the CSV rows
    about: str


# -- cells --------------------------------------------------------------------------------------


def points(value: int) -> str:
    return f"{value:,}"


def money(value: int) -> str:
    return format_money(value)


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def describe_period(since: date | None, until: date | None, store: str | None) -> str:
    if since and until:
        span = f"{since} to {until}"
    elif since:
        span = f"from {since}"
    elif until:
        span = f"to {until}"
    else:
        span = "all days"
    return f"{span}, {'store ' + store if store else 'all stores'}"


# -- the reports --------------------------------------------------------------------------------


def _liability(session: Session, since: date | None, until: date | None, store: str | None
               ) -> ReportResult:
    rows = reports.liability(session, since, until, store)
    chain = reports.chain_liability(rows) if store is None else []
    both = sorted([*rows, *chain], key=lambda r: (r.day, r.store == ALL_STORES, r.store))
    return ReportResult(
        "liability", "Liability by store and day", describe_period(since, until, store), both,
        ("Day", "Store", "Points", "Stored value"),
        [(r.day.isoformat(), r.store, points(r.points), money(r.stored_value)) for r in both],
        right_from=2,
        notes=("Outstanding at the end of each UTC day: the running sum of every entry made "
               "at the store (remote_sync left out). Store ALL: the chain.",),
        extra={"stores": rows, "chain": chain or rows})


def _redemption(session: Session, since: date | None, until: date | None, store: str | None
                ) -> ReportResult:
    rows = reports.redemption(session, since, until, store)
    return ReportResult(
        "redemption", "Redemption and expiry rates", describe_period(since, until, store),
        rows, ("Store", "Earned", "Clawed back", "Redeemed", "Restored", "Expired",
               "Redemption rate", "Expiry rate"),
        [(r.store, points(r.earned), points(r.clawed_back), points(r.redeemed),
          points(r.restored), points(r.expired), share(r.redemption_rate),
          share(r.expiry_rate)) for r in rows],
        notes=("Points. Redemption rate = (redeemed - restored by refunds) / (earned - "
               "clawed back by refunds); expiry rate = expired / (earned - clawed back). "
               "Earned includes referral rewards.",))


def _tiers(session: Session, since: date | None, until: date | None, store: str | None
           ) -> ReportResult:
    rows = reports.tiers(session, since, until, store)
    return ReportResult(
        "tiers", "Tier distribution", describe_period(None, None, store) + ", members now",
        rows, ("Store", "Tier", "Members", "Share"),
        [(r.store, r.tier_name, points(r.members), share(r.share)) for r in rows],
        right_from=2,
        notes=("Members by their current tier and the store they enrolled at; erased and "
               "merged members left out. Store ALL: the chain.",))


def _referrals(session: Session, since: date | None, until: date | None, store: str | None
               ) -> ReportResult:
    rows = reports.referrals(session, since, until, store)
    return ReportResult(
        "referrals", "Referral attribution", describe_period(since, until, store), rows,
        ("Referrer", "Code", "Referred", "Bought", "Sales", "Net spend", "Points to referrer",
         "Points to referred"),
        [(r.referrer_name or r.referrer_uuid, r.referral_code, points(r.referred),
          points(r.buyers), points(r.sales), money(r.net_spend), points(r.referrer_points),
          points(r.referred_points)) for r in rows],
        right_from=2,
        notes=("Members referred (enrolled) in the period, at the store; their sales and net "
               "spend (sales - refunds) to the end of the period; referral points the ledger "
               "gave for them.",))


def _rfm(session: Session, since: date | None, until: date | None, store: str | None
         ) -> ReportResult:
    rows = reports.rfm(session, since, until, store)
    segments = reports.rfm_segments(rows)
    return ReportResult(
        "rfm", "Member segments (RFM)", describe_period(since, until, store), rows,
        ("Segment", "Who", "Members", "Share", "Net spend"),
        [(s.segment, s.description, points(s.members), share(s.share), money(s.monetary))
         for s in segments], right_from=2,
        notes=(f"{len(rows):,} members with a sale in the period. Recency (days since the "
               "last sale), frequency (sales) and monetary value (sales - refunds) each "
               "scored 1-5 by quintile; the CSV has every member's scores.",),
        extra={"segments": segments})


def _cohorts(session: Session, since: date | None, until: date | None, store: str | None
             ) -> ReportResult:
    rows = reports.cohorts(session, since, until, store)
    months = max((r.month for r in rows), default=-1) + 1
    by_cohort: dict[str, list[reports.CohortRow]] = {}
    for row in rows:
        by_cohort.setdefault(row.cohort, []).append(row)
    table = [(cohort, points(cells[0].members),
              *(share(c.share) for c in cells), *("",) * (months - len(cells)))
             for cohort, cells in by_cohort.items()]
    return ReportResult(
        "cohorts", "Monthly retention cohorts", describe_period(since, until, store), rows,
        ("Enrolled", "Members", *(f"M{k}" for k in range(months))), table,
        notes=("Members by enrolment month (at the store): the share with a sale at any "
               "store in the enrolment month (M0) and each month after.",))


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("liability", "Liability by store and day", _liability, reports.LiabilityRow,
               "points and stored value outstanding at the end of each day, per store"),
    ReportSpec("tiers", "Tier distribution", _tiers, reports.TierRow,
               "members per tier and enrolment store"),
    ReportSpec("redemption", "Redemption and expiry rates", _redemption, reports.RedemptionRow,
               "points redeemed and expired over points earned, per store"),
    ReportSpec("referrals", "Referral attribution", _referrals, reports.ReferralRow,
               "who brought whom, the referred members' spend and the points rewarded"),
    ReportSpec("rfm", "Member segments (RFM)", _rfm, reports.RfmRow,
               "recency / frequency / monetary scores and segments"),
    ReportSpec("cohorts", "Monthly retention cohorts", _cohorts, reports.CohortRow,
               "share of each enrolment month's members buying in the months after"),
)}


def build(name: str, session: Session, since: date | None = None, until: date | None = None,
          store: str | None = None) -> ReportResult:
    spec = REPORTS.get(name)
    if spec is None:
        raise InvalidInput(f"no report called {name!r} (reports: {', '.join(REPORTS)})")
    return spec.run(session, since, until, store)


# -- text ---------------------------------------------------------------------------------------


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1
                 ) -> str:
    """A plain text table: columns padded, numbers (from `right_from` on) right-aligned."""
    widths = [max(len(str(cells[i])) for cells in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).rjust(w) if i >= right_from else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths),
                      *(line(cells) for cells in rows)])


def format_result(result: ReportResult) -> str:
    body = (format_table(result.header, result.table, result.right_from) if result.table
            else "(nothing to report)")
    return "\n".join([f"{result.title} — {result.period}", "", body, "",
                      *result.notes])


# -- CSV ----------------------------------------------------------------------------------------


def _unit(row_type: type, name: str) -> str:
    found = next(f for f in dataclasses.fields(row_type) if f.name == name)
    return str(found.metadata.get("unit", ""))


def _csv_value(value: object, unit: str) -> str:
    if value is None:
        return ""
    if unit == "money":
        return format_money(int(value)).replace(",", "")  # type: ignore[call-overload]
    if isinstance(value, date):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def write_csv(rows: Sequence[Any], path: str | Path, row_type: type | None = None) -> Path:
    """The rows (dataclasses of one type) as CSV (module docstring)."""
    row_type = row_type or (type(rows[0]) if rows else None)
    if row_type is None:
        raise InvalidInput("nothing to write: the report has no rows and no row type")
    names = [f.name for f in dataclasses.fields(row_type)]
    units = [_unit(row_type, name) for name in names]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_value(getattr(row, n), u) for n, u in zip(names, units,
                                                                             strict=True)])
    return path


def read_csv(row_type: type, path: str | Path) -> list[Any]:
    """Rows written by write_csv, as `row_type` again."""
    hints = typing.get_type_hints(row_type)
    units = {f.name: _unit(row_type, f.name) for f in dataclasses.fields(row_type)}
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return [row_type(**{name: _parse(text, hints[name], units[name])
                            for name, text in line.items()}) for line in csv.DictReader(handle)]


def _parse(text: str, hint: object, unit: str) -> object:
    if unit == "money":
        return parse_money(text)
    if text == "" and type(None) in typing.get_args(hint):
        return None
    base = next((t for t in (int, float, date, str) if hint is t or t in typing.get_args(hint)),
                str)
    return date.fromisoformat(text) if base is date else base(text)
