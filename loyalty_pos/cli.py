"""`loyalty-pos`: the till, and the commands a shop or developer runs beside it.

    loyalty-pos [--db PATH]                 start the till window
    loyalty-pos demo --db PATH --members N  create a demo chain store with N members
    loyalty-pos verify --db PATH            recompute balances, check chains and integrity
    loyalty-pos bench --db PATH [--json]    measure lookups and checkout on this machine
    loyalty-pos expire --db PATH            expire points whose date has passed (nightly)
    loyalty-pos tiers --db PATH             review every member's tier (nightly)
    loyalty-pos day-report --db PATH        print the day (Z) report
    loyalty-pos backup [--db PATH] [--dir DIR] [--list]  back up the database (online) / list
    loyalty-pos restore [--db PATH] --backup FILE [--yes] check a backup, then restore it
    loyalty-pos smoke --db PATH --screenshot PNG  open the window offscreen, grab it, quit
    loyalty-pos export-ledger --db PATH --out FILE [--since SEQ] [--until SEQ]
                                            signed ledger file for head office (sync fallback)
    loyalty-pos register --db PATH --server URL --code CODE   pair this till with head office
    loyalty-pos sync --db PATH [--server URL]   one push and pull now (exit 0 all went,
                                            1 head office unreachable, 2 it refused something)
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
    bench.add_argument("--no-till", action="store_true",
                       help="skip the till window's figures (scan to member shown, cold start)")

    expire = sub.add_parser("expire", help="expire points past their date")
    expire.add_argument("--db", type=Path, required=True)

    tiers = sub.add_parser("tiers", help="review every member's tier")
    tiers.add_argument("--db", type=Path, required=True)

    report = sub.add_parser("day-report", help="print the day (Z) report")
    report.add_argument("--db", type=Path, required=True)
    report.add_argument("--date", type=date.fromisoformat, default=None)
    report.add_argument("--store", action="store_true", help="whole store, not only this till")

    backup = sub.add_parser("backup", help="back up the till database while it runs, or list")
    backup.add_argument("--db", type=Path, default=None, help="default: the till's database")
    backup.add_argument("--dir", type=Path, default=None,
                        help="backup folder (default: 'backups' next to the database)")
    backup.add_argument("--keep", type=int, default=None,
                        help="manual backups to keep (default 14)")
    backup.add_argument("--list", action="store_true", help="list the backups, newest last")

    restore = sub.add_parser("restore", help="check a backup and bring it back (till closed)")
    restore.add_argument("--db", type=Path, default=None, help="default: the till's database")
    restore.add_argument("--backup", type=Path, required=True, help="the backup file")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing")

    smoke = sub.add_parser("smoke", help="installer check: open the window offscreen, take a "
                                         "screenshot, quit (exit 0 when all holds)")
    smoke.add_argument("--db", type=Path, required=True)
    smoke.add_argument("--screenshot", type=Path, default=None)
    smoke.add_argument("--language", default="en")

    export = sub.add_parser("export-ledger",
                            help="write this till's ledger as a signed file for head office "
                                 "(docs/ledger-file-format.md)")
    export.add_argument("--db", type=Path, required=True)
    export.add_argument("--out", type=Path, required=True, help="the file to write (.jsonl.gz)")
    export.add_argument("--since", type=int, default=0,
                        help="only entries after this seq (default 0: the whole ledger)")
    export.add_argument("--until", type=int, default=None,
                        help="only entries up to this seq (default: the last)")

    register = sub.add_parser("register", help="pair this till with head office using the "
                                               "code from loyalty-headoffice add-till")
    register.add_argument("--db", type=Path, required=True)
    register.add_argument("--server", required=True, help="head office, e.g. https://ho:8443")
    register.add_argument("--code", required=True, help="the registration code XXXX-XXXX-XXXX")

    sync = sub.add_parser("sync", help="push the ledger and records to head office and pull "
                                       "its changes, once")
    sync.add_argument("--db", type=Path, required=True)
    sync.add_argument("--server", default=None,
                      help="head office for this run (default: the one registered)")
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
               "tiers": _tiers, "day-report": _day_report, "backup": _backup,
               "restore": _restore, "smoke": _smoke,
               "export-ledger": _export_ledger, "register": _register,
               "sync": _sync}[args.command]
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

    path = _require_existing(args.db)
    till = None if args.no_till else _till_figures(path, min(args.samples, 300))
    return run_bench(path, samples=args.samples, as_json=args.json, till=till)


def _till_figures(path: Path, samples: int) -> dict[str, dict[str, float]]:
    """The Qt part runs in a process of its own (a cold start is measured there too)."""
    import json
    import subprocess

    print("measuring the till window (scan to member shown, cold start)…", file=sys.stderr)
    result = subprocess.run([sys.executable, "-m", "loyalty_pos.ui.bench_ui", "--db", str(path),
                             "--samples", str(samples)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise LoyaltyError(f"the till benchmark failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


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


def _backup(args: argparse.Namespace) -> int:
    from .services.backup import DEFAULT_KEEP, backup_database, list_backups

    db = args.db or default_db_path()
    if args.list:
        backups = list_backups(db, args.dir)
        for item in backups:
            print(f"{item.taken_at:%Y-%m-%d %H:%M:%S} UTC  {item.reason:<14} "
                  f"{item.size / 1e6:9.1f} MB  {item.path}")
        print(f"{len(backups)} backup(s) of {db}")
        return 0
    keep = DEFAULT_KEEP if args.keep is None else args.keep
    path = backup_database(db, args.dir, keep=keep, reason="manual")
    print(f"backed up {db} to {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from .services.backup import restore

    db = args.db or default_db_path()

    def confirm() -> bool:
        print(f"{args.backup} passes every check")
        if args.yes:
            return True
        try:
            answer = input(f"replace {db} with it? (the current database is kept as a copy) "
                           "[y/N] ")
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes")

    print(f"checking {args.backup} (integrity, hash chains, balances) ...")
    result = restore(db, args.backup, confirm=confirm)  # IntegrityViolation if it fails
    if result is None:
        print("nothing was changed")
        return 1
    print(f"restored {result.restored} from {result.from_backup}")
    if result.safety_copy:
        print(f"the database that was there is kept as {result.safety_copy}")
    return 0


def _smoke(args: argparse.Namespace) -> int:
    from .ui.smoke import default_screenshot, run_smoke

    return run_smoke(args.db, args.screenshot or default_screenshot(), args.language)


def _export_ledger(args: argparse.Namespace) -> int:
    from .sync.ledger_file import export_ledger

    result = export_ledger(_require_existing(args.db), args.out, since=args.since,
                           until=args.until)
    header = result.header
    span = (f"seq {header.first_seq}-{header.last_seq}" if header.count
            else f"none after seq {header.first_seq - 1}")
    print(f"wrote {result.path}: till {header.till_number} (store {header.store_code}), "
          f"{header.count:,} entries, {span}, {result.size:,} bytes")
    return 0


def _register(args: argparse.Namespace) -> int:
    from .db.engine import Database
    from .sync.client import SyncRefused, SyncUnavailable
    from .sync.cycle import register_till

    db = Database.open(_require_existing(args.db))
    try:
        done = register_till(db, args.server, args.code)
    except SyncUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SyncRefused as exc:
        print(f"error: the registration was refused: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        db.close()
    print(f"till {done.till_number} (store {done.store_code}) is registered with {done.server}; "
          "its key and the chain's secret are stored")
    if done.secret_replaced:
        print("the chain's secret replaced this till's own: electronic cards issued here "
              "before now must be issued again")
    if done.queued is not None and done.queued.total:
        print(done.queued.summary() + "; they go with the next syncs")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from .db.engine import Database
    from .sync.cycle import UNREACHABLE, sync_once

    db = Database.open(_require_existing(args.db))
    try:
        report = sync_once(db, server=args.server)
    finally:
        db.close()
    print(report.summary())
    return 0 if report.ok else 1 if report.outcome == UNREACHABLE else 2


if __name__ == "__main__":
    sys.exit(main())
