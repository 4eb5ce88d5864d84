"""`loyalty-headoffice`: the head-office commands.

    loyalty-headoffice --version
    loyalty-headoffice serve [--db URL] [--host H] [--port N] [--key-file F]
        the sync service (docs/sync-protocol.md) with uvicorn, one worker
    loyalty-headoffice add-till [--db URL] --store CODE [--store-name N] --number N [--name N]
        create the store and till if needed and print a new registration code (once)
    loyalty-headoffice import [--db URL] [--secret-file PATH] FILE...
        verify and import till ledger files (loyalty-pos export-ledger); a progress bar on
        stderr, a summary per file; exit status 1 if any file was refused (each refused file
        says why), 0 otherwise — gaps are reported, they do not fail the import
    loyalty-headoffice publish [--db URL] (--promotions F | --tiers F | --settings F |
                                            --agreement KIND VERSION TEXTFILE)
        validate and publish to every till (on their next pull)
    loyalty-headoffice conflicts [--db URL] [--csv F]
        members whose chain-wide stored value went below zero
    loyalty-headoffice bench [--db URL] [--entries N] [--drain-entries N]
        import rate of a ledger file beside raw COPY, and the drain of a till's backlog over
        loopback HTTP to a real serve, on scratch space (see bench.py)

--db takes a SQLAlchemy URL (postgresql+psycopg://user@host/db, sqlite:///path) or a file path;
the default is $LOYALTY_HEADOFFICE_DB, else headoffice.sqlite in the user data directory.
--key-file: the master key ($LOYALTY_HEADOFFICE_KEY_FILE, else headoffice.key beside the default
SQLite file; created with mode 0600 when missing). --secret-file holds a chain secret in hex
($LOYALTY_HEADOFFICE_SECRET_FILE); without it `import` uses the one derived from the master key,
the secret registered tills sign with.

Headless: no Qt, no till UI or devices.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..core.errors import LoyaltyError
from .db import DB_ENV
from .keys import KEY_FILE_ENV
from .report_cli import add_report_parser, run_report

SECRET_ENV = "LOYALTY_HEADOFFICE_SECRET_FILE"
HOST_ENV = "LOYALTY_HEADOFFICE_HOST"
PORT_ENV = "LOYALTY_HEADOFFICE_PORT"
DEFAULT_PORT = 8470
BAR_WIDTH = 30


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loyalty-headoffice",
                                     description="Loyalty POS head office")
    parser.add_argument("--version", action="version",
                        version=f"loyalty-headoffice {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the sync service for the tills (HTTP)")
    _db_option(serve)
    serve.add_argument("--host", default=os.environ.get(HOST_ENV) or "127.0.0.1",
                       help=f"address to listen on (default: ${HOST_ENV} or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None,
                       help=f"port (default: ${PORT_ENV} or {DEFAULT_PORT})")
    _key_option(serve)

    add_till = sub.add_parser("add-till", help="add a till and print its registration code")
    _db_option(add_till)
    add_till.add_argument("--store", required=True, help="the store's code")
    add_till.add_argument("--store-name", default=None)
    add_till.add_argument("--number", type=int, required=True,
                          help="the till's chain-wide number")
    add_till.add_argument("--name", default=None, help="a name for the till")

    imports = sub.add_parser("import", help="verify and import till ledger files")
    _db_option(imports)
    imports.add_argument("--secret-file", type=Path, default=None,
                         help=f"the chain secret in hex (default: ${SECRET_ENV}, else the "
                              "secret derived from the master key)")
    _key_option(imports)
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")

    publish = sub.add_parser("publish", help="publish promotions, tiers, program settings "
                                             "or an agreement to every till")
    _db_option(publish)
    what = publish.add_mutually_exclusive_group(required=True)
    what.add_argument("--promotions", type=Path, metavar="FILE.json",
                      help="a JSON list of promotions (the till's fields)")
    what.add_argument("--tiers", type=Path, metavar="FILE.json",
                      help="a JSON list of {code, name, threshold, multiplier_percent}")
    what.add_argument("--settings", type=Path, metavar="FILE.json",
                      help="a JSON object of program settings {name: value}")
    what.add_argument("--agreement", nargs=3, metavar=("KIND", "VERSION", "TEXTFILE"),
                      help="member_agreement or privacy, a version label, the text file")

    conflicts = sub.add_parser("conflicts", help="members whose chain-wide stored value "
                                                 "went below zero")
    _db_option(conflicts)
    conflicts.add_argument("--csv", type=Path, default=None, help="also write them as CSV")

    bench = sub.add_parser("bench", help="measure the import rate beside raw COPY and the "
                                         "drain of a till's backlog over loopback HTTP")
    bench.add_argument("--db", default=None, help="database URL (PostgreSQL for COPY)")
    bench.add_argument("--entries", type=int, default=100_000,
                       help="entries of the ledger file imported (default 100,000)")
    bench.add_argument("--drain-entries", type=int, default=100_000,
                       help="unsent entries of the till whose backlog is drained over HTTP "
                            "(default 100,000, the DESIGN.md target; 0 skips the drain)")

    add_report_parser(sub)
    return parser


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None,
                        help=f"database URL or SQLite file (default: ${DB_ENV})")


def _key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key-file", type=Path, default=None,
                        help=f"the master key file (default: ${KEY_FILE_ENV}, else "
                             "headoffice.key beside the default database)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"serve": _serve, "add-till": _add_till, "import": _import,
                "publish": _publish, "conflicts": _conflicts, "bench": _bench,
                "report": run_report}
    try:
        return commands[args.command](args)
    except (LoyaltyError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def read_secret(path: Path | None) -> bytes:
    """The chain secret from a file holding it in hex."""
    if path is None:
        if not os.environ.get(SECRET_ENV):
            raise ValueError(f"give --secret-file (or set {SECRET_ENV}): the chain secret "
                             "verifies the files' signatures")
        path = Path(os.environ[SECRET_ENV])
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 16:
        raise ValueError(f"{path} does not hold a chain secret in hex (at least 32 hex digits)")
    return secret


def import_secret(secret_file: Path | None, key_file: Path | None) -> bytes:
    """--secret-file / $LOYALTY_HEADOFFICE_SECRET_FILE, else the chain secret derived from the
    master key (the one registered tills sign with). The master key is never created here: a
    new key could not have signed anything."""
    from .keys import chain_secret, key_file_path, load_master_key

    if secret_file is not None or os.environ.get(SECRET_ENV):
        return read_secret(secret_file)
    path = key_file_path(key_file)
    if not path.exists():
        raise ValueError(f"give --secret-file (or set {SECRET_ENV}) or --key-file: there is "
                         f"no master key at {path} to derive the chain secret from")
    return chain_secret(load_master_key(path, create=False))


class ProgressBar:
    """`[#####.....]  45%  450,000/1,000,000 name` on one line of stderr, redrawn at most
    ten times a second (and at the end)."""

    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        self.name = name
        self.stream = stream or sys.stderr
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < 0.1:
            return
        self.shown = now
        share = done / total if total else 1.0
        filled = int(BAR_WIDTH * share)
        self.stream.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} "
                          f"{done:,}/{total:,} {self.name}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _import(args: argparse.Namespace) -> int:
    from .db import HeadOfficeDb
    from .importer import import_ledger_file

    secret = import_secret(args.secret_file, args.key_file)
    refused = 0
    with HeadOfficeDb.open(args.db) as db:
        for path in args.files:
            bar = ProgressBar(path.name)
            try:
                result = import_ledger_file(db, path, secret, progress=bar)
            except (LoyaltyError, OSError) as exc:
                bar.finish()
                refused += 1
                print(f"REFUSED {path}: {exc}", file=sys.stderr)
                print(f"{path.name}: REFUSED — {exc}")
                continue
            bar.finish()
            print(result.summary())
    total = len(args.files)
    print(f"{total - refused} of {total} file(s) imported"
          + (f", {refused} refused (nothing of them was stored)" if refused else ""))
    return 1 if refused else 0


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    if args.entries < 1:
        raise ValueError("--entries must be at least 1")
    if args.drain_entries < 0:
        raise ValueError("--drain-entries must be 0 or more")
    run_bench(args.db, args.entries, drain_entries=args.drain_entries)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .db import HeadOfficeDb
    from .keys import key_file_path, master_key_for_service
    from .service import create_app

    port = args.port if args.port is not None else int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
    db = HeadOfficeDb.open(args.db)  # migrates to the newest schema first
    try:
        with db.sessions() as session:
            master = master_key_for_service(session, args.key_file)
    except BaseException:
        db.close()
        raise
    print(f"loyalty-headoffice {__version__}: {db.dialect} database, master key "
          f"{key_file_path(args.key_file)}, listening on http://{args.host}:{port}",
          flush=True)
    try:
        # one worker process: the database work runs in its threadpool (service.py)
        uvicorn.run(create_app(db, master), host=args.host, port=port, workers=1,
                    log_level="info", access_log=True)
    finally:
        db.close()
    return 0


def _add_till(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from .db import HeadOfficeDb
    from .keys import CODE_VALID, add_till

    now = datetime.now(UTC).replace(tzinfo=None)
    with HeadOfficeDb.open(args.db) as db, db.transaction() as session:
        till, code = add_till(session, args.store, args.number, now,
                              store_name=args.store_name, name=args.name)
        number, registered = till.number, till.key_serial > 0
    print(f"till {number} of store {args.store}"
          + (" (registered now: the new code re-registers it and revokes its key)"
             if registered else ""))
    print(f"registration code: {code}")
    print(f"valid for {CODE_VALID.days} days, once; at the till: loyalty-pos register --db "
          f"TILL.sqlite --server URL --code {code}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC, datetime

    from . import publish
    from .db import HeadOfficeDb

    now = datetime.now(UTC).replace(tzinfo=None)

    def load(path: Path) -> object:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not JSON ({exc})") from exc

    with HeadOfficeDb.open(args.db) as db, db.transaction() as session:
        if args.promotions:
            done = publish.publish_promotions(session, load(args.promotions), now)
            print(f"published {len(done)} promotion(s): {', '.join(done)}")
        elif args.tiers:
            done = publish.publish_tiers(session, load(args.tiers), now)
            print(f"published {len(done)} tier(s): {', '.join(done)}")
        elif args.settings:
            values = publish.publish_settings(session, load(args.settings), now)
            print(f"published {len(values)} program setting(s): {', '.join(values)}")
        else:
            kind, version, text_file = args.agreement
            digest = publish.publish_agreement(
                session, kind, version, Path(text_file).read_text(encoding="utf-8"), now)
            print(f"published {kind} version {version} (sha256 {digest[:12]}…)")
    print("tills receive it on their next pull")
    return 0


def _conflicts(args: argparse.Namespace) -> int:
    import csv

    from ..core.money import format_money
    from .balances import overdrafts
    from .db import HeadOfficeDb

    with HeadOfficeDb.open(args.db) as db, db.sessions() as session:
        found = overdrafts(session)
    columns = ("member", "till", "seq", "amount", "overdraft", "balance_after", "at")
    rows = [(o.member_uuid, o.till_number, o.seq, o.amount, o.overdraft, o.balance_after,
             o.created_at) for o in found]
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(columns)
            writer.writerows(rows)
    for member, till, seq, amount, overdraft, _after, at in rows:
        print(f"{member}  till {till} seq {seq}: spent {format_money(-amount)}, "
              f"overdrawn by {format_money(overdraft)} at {at}")
    members = len({row[0] for row in rows})
    print(f"{len(rows)} overdrawing spend(s) of {members} member(s)" if rows
          else "no member's chain-wide stored value went below zero")
    return 0


if __name__ == "__main__":
    sys.exit(main())
