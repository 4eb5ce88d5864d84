"""Backups of the till database: online copies, kept per kind, checked and restored.

A backup is made with SQLite's online backup API in one step: the copy is one read transaction,
so it is a consistent snapshot of the database even while the till keeps selling (WAL mode:
the till's writers are not blocked, and what they commit during the copy is simply not in it).
The copy is written under a temporary name, switched to the rollback journal (a backup is one
self-contained file), flushed to disk and only then renamed to its final name, so a backup
that is listed is always complete.

Names say which database, when (UTC) and why:

    backups/till-20260310T120000.123456Z-daily.sqlite

Kinds (`reason`): daily (the till, once a day), pre-upgrade (before a schema upgrade, see
db/engine.py), manual (`loyalty-pos backup`), before-restore (the database that a restore put
aside). The newest `keep` of each kind are kept per database: daily backups never push out the
copy taken before an upgrade.

`restore` checks the backup first (SQLite's integrity check and every `verify` check), refuses a
bad one and then changes nothing, refuses while the till has the database open, puts the current
database (with its -wal/-shm) aside as a before-restore copy, and moves the backup's copy in.

Qt-free. Thread: whichever calls it; the till calls `backup_if_due` from a worker thread.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..core.errors import Conflict, IntegrityViolation, InvalidInput, NotFound

DEFAULT_KEEP = 14
REASONS = ("daily", "pre-upgrade", "manual", "before-restore")
STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
SIDECARS = ("-wal", "-shm", "-journal")
BACKUP_SUFFIX = ".sqlite"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime  # UTC, from the name
    reason: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def default_backup_dir(db_path: str | Path) -> Path:
    """The "backups" folder next to the database."""
    return Path(db_path).resolve().parent / "backups"


def _name_pattern(db_path: Path) -> re.Pattern[str]:
    reasons = "|".join(re.escape(r) for r in REASONS)
    return re.compile(rf"^{re.escape(db_path.stem)}-(\d{{8}}T\d{{6}}\.\d{{6}}Z)-({reasons})"
                      rf"{re.escape(BACKUP_SUFFIX)}$")


def backup_name(db_path: str | Path, taken_at: datetime, reason: str) -> str:
    return f"{Path(db_path).stem}-{taken_at.astimezone(UTC).strftime(STAMP_FORMAT)}-{reason}" \
           f"{BACKUP_SUFFIX}"


def list_backups(db_path: str | Path, backup_dir: str | Path | None = None,
                 reason: str | None = None) -> list[BackupFile]:
    """The backups of this database in `backup_dir`, oldest first."""
    db_path = Path(db_path)
    folder = Path(backup_dir) if backup_dir is not None else default_backup_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = _name_pattern(db_path)
    found = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and path.is_file() and reason in (None, match.group(2)):
            taken = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
            found.append(BackupFile(path, taken, match.group(2)))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name))


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder; NTFS logs the rename itself
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_database(source_path: Path, target: Path) -> None:
    """Online copy of `source_path` into the new file `target`, self-contained (no WAL)."""
    source = sqlite3.connect(source_path, isolation_level=None)
    try:
        source.execute("PRAGMA busy_timeout=5000")
        destination = sqlite3.connect(target, isolation_level=None)
        try:
            source.backup(destination)  # pages=-1: one step = one read transaction = a snapshot
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        source.close()
    _fsync_file(target)


def backup_database(db_path: str | Path, backup_dir: str | Path | None = None, *,
                    keep: int = DEFAULT_KEEP, reason: str = "manual",
                    now: Clock = _utc_now) -> Path:
    """Take an online backup of the database; keep the newest `keep` of this kind. Returns it."""
    db_path = Path(db_path)
    if reason not in REASONS:
        raise InvalidInput(f"unknown backup reason '{reason}' (one of {', '.join(REASONS)})")
    if keep < 1:
        raise InvalidInput("keep at least one backup")
    if not db_path.is_file():
        raise NotFound(f"the database {db_path} does not exist")
    folder = Path(backup_dir) if backup_dir is not None else default_backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup_name(db_path, now(), reason)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy_database(db_path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        for sidecar in SIDECARS:
            Path(f"{partial}{sidecar}").unlink(missing_ok=True)
    _fsync_dir(folder)
    prune_backups(db_path, folder, keep=keep, reason=reason)
    return target


def prune_backups(db_path: str | Path, backup_dir: str | Path, *, keep: int,
                  reason: str) -> list[Path]:
    """Delete all but the newest `keep` backups of one kind; returns what was deleted."""
    old = list_backups(db_path, backup_dir, reason)[:-keep]
    for backup in old:
        backup.path.unlink(missing_ok=True)
    return [backup.path for backup in old]


def backup_if_due(db_path: str | Path, backup_dir: str | Path | None = None, *,
                  every: timedelta = timedelta(days=1), keep: int = DEFAULT_KEEP,
                  now: Clock = _utc_now) -> Path | None:
    """The daily backup: take one when the newest daily backup is `every` old; else None."""
    daily = list_backups(db_path, backup_dir, "daily")
    if daily and now() - daily[-1].taken_at < every:
        return None
    return backup_database(db_path, backup_dir, keep=keep, reason="daily", now=now)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from ..db.engine import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {revision.revision for revision in script.walk_revisions()}


def check_backup(path: str | Path) -> list[str]:
    """Everything wrong with a backup file; an empty list means it can be restored.

    SQLite's integrity check and every check of `loyalty-pos verify` (hash chains, balances,
    lots), plus: the schema is one this program knows (a backup from a newer version is refused).
    Opens the file read-only and changes nothing.
    """
    from .verify import verify_database

    path = Path(path)
    if not path.is_file():
        return [f"{path} does not exist"]
    if path.stat().st_size == 0:
        return [f"{path} is empty"]
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [f"cannot open {path}: {exc}"]
    problems: list[str] = []
    try:
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            return [f"not a till database: {exc}"]
        if revision is None:
            problems.append("the schema version is missing")
        elif revision[0] not in _known_revisions():
            problems.append(f"schema revision {revision[0]} is unknown to this version of "
                            "Loyalty POS (a backup from a newer version?)")
        try:
            results = verify_database(connection)
        except sqlite3.DatabaseError as exc:
            return [*problems, f"the database is damaged: {exc}"]
        problems += [f"{check}: {problem}" for check, found in results.items()
                     for problem in found]
    finally:
        connection.close()
    return problems


def _database_in_use(db_path: Path) -> bool:
    """True while another connection (the till, a nightly job) has the database open.

    In WAL mode every open connection holds a shared lock on the file; an exclusive lock is
    only granted when nobody else has it open.
    """
    if not db_path.exists():
        return False
    connection = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    except sqlite3.DatabaseError:  # damaged beyond opening: no till can be using it
        return False
    finally:
        connection.close()
    return False


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    from_backup: Path
    safety_copy: Path | None  # the database that was there before, or None if there was none


def restore(db_path: str | Path, backup_path: str | Path, *,
            backup_dir: str | Path | None = None, keep: int = DEFAULT_KEEP,
            confirm: Callable[[], bool] | None = None,
            now: Clock = _utc_now) -> RestoreResult | None:
    """Bring a backup back as the till database. Run it with the till closed.

    Raises IntegrityViolation (and changes nothing) when the backup fails its check, Conflict
    (and changes nothing) while the database is open. `confirm`, if given, is asked once the
    backup has passed its check; when it says no, nothing changes and None is returned. The
    database that was there goes to the backup folder as a "before-restore" backup (with its
    -wal/-shm, folded into one file).
    """
    db_path, backup_path = Path(db_path), Path(backup_path)
    problems = check_backup(backup_path)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise IntegrityViolation(f"the backup {backup_path} failed its check, so it was not "
                                 f"restored and nothing was changed:\n{listed}{more}")
    if _database_in_use(db_path):
        raise Conflict(f"{db_path} is open (is the till running?); close the till and every "
                       "job using the database, then restore again. Nothing was changed.")
    if confirm is not None and not confirm():
        return None
    folder = Path(backup_dir) if backup_dir is not None else default_backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)

    incoming = db_path.with_name(db_path.name + ".restoring")
    incoming.unlink(missing_ok=True)
    try:
        _copy_database(backup_path, incoming)  # a fresh copy: the backup file stays as it is
        safety = _put_aside(db_path, folder, now) if db_path.exists() else None
        os.replace(incoming, db_path)
    finally:
        incoming.unlink(missing_ok=True)
        for sidecar in SIDECARS:
            Path(f"{incoming}{sidecar}").unlink(missing_ok=True)
    _fsync_dir(db_path.parent)
    prune_backups(db_path, folder, keep=keep, reason="before-restore")
    return RestoreResult(db_path, backup_path, safety)


def _put_aside(db_path: Path, folder: Path, now: Clock) -> Path:
    """Move the database and its -wal/-shm into the backup folder; fold them into one file."""
    target = folder / backup_name(db_path, now(), "before-restore")
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", *SIDECARS):
            source = Path(f"{db_path}{suffix}")
            if source.exists():
                destination = Path(f"{target}{suffix}")
                shutil.move(source, destination)
                moved.append((destination, source))
    except OSError:
        for destination, source in reversed(moved):  # put back what was moved
            shutil.move(destination, source)
        raise
    # Fold the WAL into the copy so that it is one file like every other backup. A damaged
    # database may refuse; it then stays as it was moved, -wal and all.
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(target, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
    return target


def backup_before_upgrade(db_path: str | Path, current: str | None, head: str | None
                          ) -> Path | None:
    """Called by the schema upgrade (db/engine.py) before it changes anything: a pre-upgrade
    backup of an existing database whose revision is not the newest. A new database, or one
    already at the newest revision, gets none."""
    db_path = Path(db_path)
    if current is None or current == head or not db_path.is_file():
        return None
    return backup_database(db_path, reason="pre-upgrade")
