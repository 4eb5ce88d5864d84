"""`loyalty-headoffice report`: the chain-wide reports on the terminal, as CSV and as PDF.

    loyalty-headoffice report NAME [--db URL] [--from DAY] [--to DAY] [--store CODE]
                              [--csv FILE] [--pdf FILE]
    loyalty-headoffice report all [--db URL] [--from DAY] [--to DAY] [--store CODE]
                              [--pdf FILE]

NAME is liability, tiers, redemption, referrals, rfm or cohorts (docs/headoffice-reports.md).
Days are YYYY-MM-DD, UTC, both included. The table goes to stdout unless --csv or --pdf is
given; `all` runs every report (into one PDF with --pdf). Exit status 0, or 2 with the reason
on stderr (unknown store, bad day, unreadable database).

cli.py wires this in: `add_report_parser(subparsers)` adds the sub-command, `run_report(args)`
runs it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..core.errors import LoyaltyError

ALL = "all"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """Add `report` to the loyalty-headoffice sub-commands."""
    from .report_tables import REPORTS

    parser = subparsers.add_parser(
        "report", help="chain-wide reports: liability, tiers, redemption, referrals, rfm, "
        "cohorts (text, CSV, PDF with charts)",
        description="\n".join(f"{name}: {spec.about}" for name, spec in REPORTS.items())
        + f"\n{ALL}: every report (one PDF with --pdf)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", choices=(*REPORTS, ALL), metavar="NAME",
                        help=f"{', '.join(REPORTS)} or {ALL}")
    parser.add_argument("--db", default=None, metavar="URL", help="database URL or SQLite file")
    parser.add_argument("--from", dest="since", type=_day, default=None, metavar="DAY",
                        help="first day (YYYY-MM-DD, UTC); default: the first with data")
    parser.add_argument("--to", dest="until", type=_day, default=None, metavar="DAY",
                        help="last day, included; default: the last with data")
    parser.add_argument("--store", default=None, metavar="CODE", help="one store only")
    parser.add_argument("--csv", type=Path, default=None, metavar="FILE",
                        help="write the report's rows as CSV (one report, not all)")
    parser.add_argument("--pdf", type=Path, default=None, metavar="FILE",
                        help="write the report(s) with charts as PDF")
    return parser


def run_report(args: argparse.Namespace) -> int:
    """Run `loyalty-headoffice report` as parsed by add_report_parser; the exit status."""
    try:
        return _run(args)
    except (LoyaltyError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from .db import HeadOfficeDb
    from .report_tables import REPORTS, build, format_result, write_csv

    names = list(REPORTS) if args.report == ALL else [args.report]
    if args.csv is not None and len(names) > 1:
        raise ValueError("--csv writes one report: name it instead of 'all'")
    if args.since and args.until and args.until < args.since:
        raise ValueError("--to is before --from")
    with HeadOfficeDb.open(args.db) as db, db.sessions() as session:
        results = [build(name, session, args.since, args.until, args.store)
                   for name in names]
    if args.csv is not None:
        write_csv(results[0].rows, args.csv, REPORTS[names[0]].row_type)
        print(f"{results[0].title}: {len(results[0].rows):,} rows written to {args.csv}")
    if args.pdf is not None:
        from .report_pdf import render_reports_pdf

        render_reports_pdf(results, args.pdf)
        print(f"{', '.join(r.title for r in results)}: PDF written to {args.pdf}")
    if args.csv is None and args.pdf is None:
        print("\n\n".join(format_result(result) for result in results))
    return 0
