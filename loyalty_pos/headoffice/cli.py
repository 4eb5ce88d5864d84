"""`loyalty-headoffice`: the head-office commands.

    loyalty-headoffice --version
    loyalty-headoffice import [--db URL] --secret-file PATH FILE...
        verify and import till ledger files (loyalty-pos export-ledger); a progress bar on
        stderr, a summary per file; exit status 1 if any file was refused (each refused file
        says why), 0 otherwise — gaps are reported, they do not fail the import
    loyalty-headoffice bench [--db URL] --entries N
        import rate of a ledger file beside raw COPY, on scratch space (see bench.py)

--db takes a SQLAlchemy URL (postgresql+psycopg://user@host/db, sqlite:///path) or a file path;
the default is $LOYALTY_HEADOFFICE_DB, else headoffice.sqlite in the user data directory.
--secret-file holds the chain secret in hex (64 hex digits) — the secret the tills sign their
ledger files with; $LOYALTY_HEADOFFICE_SECRET_FILE is the default.

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

SECRET_ENV = "LOYALTY_HEADOFFICE_SECRET_FILE"
BAR_WIDTH = 30


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loyalty-headoffice",
                                     description="Loyalty POS head office")
    parser.add_argument("--version", action="version",
                        version=f"loyalty-headoffice {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    imports = sub.add_parser("import", help="verify and import till ledger files")
    imports.add_argument("--db", default=None, help="database URL or SQLite file")
    imports.add_argument("--secret-file", type=Path, default=None,
                         help=f"the chain secret in hex (default: ${SECRET_ENV})")
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")

    bench = sub.add_parser("bench", help="measure the import rate beside raw COPY")
    bench.add_argument("--db", default=None, help="database URL (PostgreSQL for COPY)")
    bench.add_argument("--entries", type=int, default=100_000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "import":
            return _import(args)
        return _bench(args)
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

    secret = read_secret(args.secret_file)
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
    run_bench(args.db, args.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
