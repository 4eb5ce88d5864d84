"""`loyalty-pos`: the till, and the commands a shop or developer runs beside it.

    loyalty-pos [--db PATH]                 start the till window
    loyalty-pos demo --db PATH --members N  create a demo chain store with N members
    loyalty-pos verify --db PATH            recompute balances, check chains and integrity
    loyalty-pos bench --db PATH [--json]    measure lookups and checkout on this machine
    loyalty-pos expire --db PATH            expire points whose date has passed (nightly)
    loyalty-pos tiers --db PATH             review every member's tier (nightly)
    loyalty-pos day-report --db PATH        print the day (Z) report
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from . import __version__
from .core.errors import LoyaltyError


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("loyalty-pos", "LoyaltyPOS")) / "till.sqlite"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loyalty-pos", description="Loyalty POS till")
    parser.add_argument("--version", action="version", version=f"loyalty-pos {__version__}")
    parser.add_argument("--db", type=Path, help="till database (default: user data directory)")
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="create a demo chain store in an empty database")
    demo.add_argument("--db", type=Path, required=True)
    demo.add_argument("--members", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)

    verify = sub.add_parser("verify", help="recompute balances and check every hash chain")
    verify.add_argument("--db", type=Path, required=True)

    bench = sub.add_parser("bench", help="measure this till against the targets")
    bench.add_argument("--db", type=Path, required=True)
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.add_argument("--samples", type=int, default=2000)

    expire = sub.add_parser("expire", help="expire points past their date")
    expire.add_argument("--db", type=Path, required=True)

    tiers = sub.add_parser("tiers", help="review every member's tier")
    tiers.add_argument("--db", type=Path, required=True)

    report = sub.add_parser("day-report", help="print the day (Z) report")
    report.add_argument("--db", type=Path, required=True)
    report.add_argument("--date", type=date.fromisoformat, default=None)
    report.add_argument("--store", action="store_true", help="whole store, not only this till")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except LoyaltyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command is None:
        from .ui.app import run_till

        return run_till(args.db or default_db_path())
    handler = {"demo": _demo, "verify": _verify, "bench": _bench, "expire": _expire,
               "tiers": _tiers, "day-report": _day_report}[args.command]
    return handler(args)


def _require_existing(path: Path) -> Path:
    if not path.exists():
        raise LoyaltyError(f"{path} does not exist")
    return path


def _demo(args: argparse.Namespace) -> int:
    from .services.demo import create_demo

    summary = create_demo(args.db, members=args.members, seed=args.seed, progress=print)
    print(summary)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .db.engine import Database
    from .services.verify import verify_database

    db = Database.open(_require_existing(args.db), upgrade=False)
    results = verify_database(db.raw_connection())
    failed = 0
    for name, problems in results.items():
        print(f"{'ok  ' if not problems else 'FAIL'} {name}")
        for problem in problems:
            print(f"     - {problem}")
        failed += bool(problems)
    print("all checks hold" if not failed else f"{failed} check(s) failed")
    return 0 if not failed else 1


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    return run_bench(_require_existing(args.db), samples=args.samples, as_json=args.json)


def _open_till(path: Path):
    from .db.engine import Database
    from .services.context import TillContext

    return TillContext.open(Database.open(_require_existing(path)))


def _expire(args: argparse.Namespace) -> int:
    from .services.balances import BalanceService

    print(f"expired {BalanceService(_open_till(args.db)).run_expiry()} points")
    return 0


def _tiers(args: argparse.Namespace) -> int:
    from .services.tiers import TierService

    moves = TierService(_open_till(args.db)).evaluate_all()
    for move in moves:
        print(f"member {move.member_id}: {move.from_tier} -> {move.to_tier} ({move.reason})")
    print(f"{len(moves)} tier change(s)")
    return 0


def _day_report(args: argparse.Namespace) -> int:
    from .core.money import format_money
    from .services.reports import ReportService

    ctx = _open_till(args.db)
    report = ReportService(ctx).day_report(args.date or ctx.local_now().date(),
                                           scope="store" if args.store else "till")
    rows = [
        ("day", str(report.day)), ("scope", report.scope),
        ("sales", f"{report.sales_count}  {format_money(report.sales_total)}"),
        ("discounts", format_money(report.discounts)),
        ("refunds", f"{report.refunds_count}  {format_money(report.refunds_total)}"),
        *[(f"paid by {k}", format_money(v)) for k, v in sorted(report.payments.items())],
        ("points issued", str(report.points_issued)),
        ("points redeemed", str(report.points_redeemed)),
        ("points expired", str(report.points_expired)),
        ("stored value in", format_money(report.stored_value_in)),
        ("stored value out", format_money(report.stored_value_out)),
        ("points liability", f"{report.points_liability} "
                             f"({format_money(report.points_liability_value)})"),
        ("stored value liability", format_money(report.stored_value_liability)),
    ]
    for label, value in rows:
        print(f"{label:<24}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
