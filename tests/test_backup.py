"""Till data safety: online backups while the till writes, keep-N per kind, the daily backup,
the backup before a schema upgrade, and a restore that checks first and changes nothing on a bad
backup (loyalty_pos/services/backup.py, docs/backup.md)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command

from loyalty_pos.cli import main
from loyalty_pos.core.errors import Conflict, IntegrityViolation, InvalidInput, NotFound
from loyalty_pos.db.engine import Database, alembic_config, head_revision, make_engine
from loyalty_pos.services.backup import (
    backup_database,
    backup_if_due,
    check_backup,
    default_backup_dir,
    list_backups,
    restore,
)

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


class StepClock:
    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def fingerprint(db_path: Path) -> dict[str, str | None]:
    """Hash of the database file and of its -wal/-shm: byte-identical or not."""
    result = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        result[suffix] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return result


def count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def revision_of(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


# -- backing up ------------------------------------------------------------------------------


def test_backup_while_a_writer_is_writing_is_a_consistent_copy(till, tmp_path: Path) -> None:
    """Sales and enrolments go on in a thread; every backup taken meanwhile passes every
    `verify` check (hash chains, balances, lots), and later backups hold more."""
    member = till.enrol("Writer Wang")
    stop = threading.Event()
    errors: list[BaseException] = []
    written = [0]

    def writer() -> None:
        try:
            while not stop.is_set():
                till.sell([("APPLE", 2), ("BREAD", 1)], member.summary.id)
                till.enrol(f"Member {written[0]}")
                written[0] += 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    backups = []
    try:
        while len(backups) < 6:
            before = written[0]
            backups.append(backup_database(till.db.path, tmp_path / "b", keep=10))
            assert written[0] >= before
            threading.Event().wait(0.05)  # let the writer commit a few more
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert written[0] >= 3, "the writer should have been writing during the backups"
    entries = []
    for path in backups:
        assert check_backup(path) == [], path
        assert not Path(f"{path}-wal").exists()  # one self-contained file
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        entries.append(count(path, "SELECT COUNT(*) FROM ledger_entries"))
    assert entries == sorted(entries)
    assert entries[-1] > entries[0], "backups taken while writing should differ"
    # the live database is untouched and still verifies
    assert check_backup(till.db.path) == []


def test_names_say_which_database_when_and_why(till, tmp_path: Path) -> None:
    clock = StepClock()
    path = backup_database(till.db.path, tmp_path, reason="manual", now=clock)
    assert path.name == "till-20260310T040000.000000Z-manual.sqlite"
    [listed] = list_backups(till.db.path, tmp_path)
    assert (listed.path, listed.taken_at, listed.reason) == (path, T0, "manual")
    assert listed.size == path.stat().st_size
    # files of another database and stray files in the folder are not its backups
    (tmp_path / "other-20260310T040000.000000Z-manual.sqlite").write_bytes(b"x")
    (tmp_path / "till-notes.txt").write_text("x")
    assert [b.path for b in list_backups(till.db.path, tmp_path)] == [path]
    assert default_backup_dir(till.db.path) == till.db.path.resolve().parent / "backups"


def test_keep_the_newest_n_of_each_kind(till, tmp_path: Path) -> None:
    clock = StepClock()
    pre_upgrade = backup_database(till.db.path, tmp_path, reason="pre-upgrade", now=clock)
    taken = []
    for _ in range(6):
        clock.advance(days=1)
        taken.append(backup_database(till.db.path, tmp_path, keep=3, reason="daily", now=clock))
    daily = list_backups(till.db.path, tmp_path, "daily")
    assert [b.path for b in daily] == taken[-3:]
    assert not any(p.exists() for p in taken[:3])
    # dailies never push out the copy taken before an upgrade
    assert [b.path for b in list_backups(till.db.path, tmp_path, "pre-upgrade")] == [pre_upgrade]
    with pytest.raises(InvalidInput):
        backup_database(till.db.path, tmp_path, keep=0)
    with pytest.raises(InvalidInput):
        backup_database(till.db.path, tmp_path, reason="weekly")
    with pytest.raises(NotFound):
        backup_database(tmp_path / "missing.sqlite", tmp_path)


def test_backup_if_due_takes_one_a_day(till, tmp_path: Path) -> None:
    clock = StepClock()
    first = backup_if_due(till.db.path, tmp_path, now=clock)
    assert first is not None and first.name.endswith("-daily.sqlite")
    clock.advance(hours=23)
    assert backup_if_due(till.db.path, tmp_path, now=clock) is None
    backup_database(till.db.path, tmp_path, reason="manual", now=clock)  # does not count
    clock.advance(hours=1)
    second = backup_if_due(till.db.path, tmp_path, now=clock)
    assert second is not None and second != first
    assert len(list_backups(till.db.path, tmp_path, "daily")) == 2
    # default folder: "backups" next to the database
    clock.advance(days=2)
    assert backup_if_due(till.db.path, now=clock).parent == till.db.path.parent / "backups"


# -- before an upgrade -----------------------------------------------------------------------


def make_database_at(path: Path, revision: str) -> None:
    engine = make_engine(path)
    config = alembic_config(str(engine.url))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_opening_an_old_database_backs_it_up_before_upgrading(tmp_path: Path) -> None:
    path = tmp_path / "till.sqlite"
    make_database_at(path, "0001")
    assert revision_of(path) == "0001" != head_revision(
        alembic_config("sqlite://").get_main_option("script_location"))
    Database.open(path).close()
    [backup] = list_backups(path)
    assert backup.reason == "pre-upgrade"
    assert backup.path.parent == tmp_path / "backups"
    assert revision_of(backup.path) == "0001"  # the database as it was before the upgrade
    assert revision_of(path) != "0001"
    # at the newest revision: no more backups on open
    Database.open(path).close()
    assert len(list_backups(path)) == 1


def test_a_new_database_gets_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Database.open(path).close()
    Database.open(path).close()
    assert list_backups(path) == []
    assert not (tmp_path / "backups").exists()


# -- checking --------------------------------------------------------------------------------


def test_check_names_what_is_wrong(till, tmp_path: Path) -> None:
    assert check_backup(tmp_path / "missing.sqlite") == [f"{tmp_path / 'missing.sqlite'} "
                                                          "does not exist"]
    (tmp_path / "empty.sqlite").write_bytes(b"")
    assert "is empty" in check_backup(tmp_path / "empty.sqlite")[0]
    (tmp_path / "text.sqlite").write_text("not a database " * 100)
    assert check_backup(tmp_path / "text.sqlite")
    newer = backup_database(till.db.path, tmp_path)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    assert any("unknown to this version" in p for p in check_backup(newer))


# -- restoring -------------------------------------------------------------------------------


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    bad = path.with_name("truncated.sqlite")
    bad.write_bytes(data[: len(data) // 2])
    return bad


def overwrite_a_page(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[3 * page_size: 4 * page_size] = b"\xa5" * page_size
    bad = path.with_name("flipped.sqlite")
    bad.write_bytes(bytes(data))
    return bad


def tamper_with_a_hash(path: Path) -> Path:
    """Change one character of a ledger entry's stored hash: SQLite's own integrity check
    passes, only the project's hash-chain check can tell."""
    with sqlite3.connect(path) as connection:
        stored = connection.execute("SELECT hash FROM ledger_entries ORDER BY id LIMIT 1"
                                    ).fetchone()[0]
    data = path.read_bytes()
    assert data.count(stored.encode()) >= 1
    changed = stored[:10] + ("0" if stored[10] != "0" else "1") + stored[11:]
    bad = path.with_name("tampered.sqlite")
    bad.write_bytes(data.replace(stored.encode(), changed.encode()))
    return bad


@pytest.mark.parametrize("damage", [truncate, overwrite_a_page, tamper_with_a_hash])
def test_restore_refuses_a_bad_backup_and_changes_nothing(till, tmp_path: Path, damage) -> None:
    member = till.enrol("Careful Chen")
    till.sell([("TEA", 1)], member.summary.id)
    good = backup_database(till.db.path, tmp_path / "b")
    bad = damage(good)
    till.db.close()
    before = fingerprint(till.db.path)
    problems = check_backup(bad)
    assert problems
    with pytest.raises(IntegrityViolation, match="nothing was changed"):
        restore(till.db.path, bad, backup_dir=tmp_path / "b")
    assert fingerprint(till.db.path) == before
    assert [b.path for b in list_backups(till.db.path, tmp_path / "b")] == [good]
    if damage is tamper_with_a_hash:  # SQLite alone would have let it through
        assert not any(p.startswith("SQLite integrity") for p in problems)
        assert any(p.startswith("hash chains") for p in problems)


def test_restore_brings_a_good_backup_back_and_keeps_a_safety_copy(till, tmp_path: Path
                                                                   ) -> None:
    kept = till.enrol("Kept Kim")
    backup = backup_database(till.db.path)
    later = till.enrol("Later Li")
    till.sell([("TV", 1)], later.summary.id)
    till.db.close()
    members_before = count(till.db.path, "SELECT COUNT(*) FROM members")
    result = restore(till.db.path, backup)
    assert result is not None and result.restored == till.db.path
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{till.db.path}{suffix}").exists()
    assert count(till.db.path, "SELECT COUNT(*) FROM members") == members_before - 1
    reopened = Database.open(till.db.path)
    try:
        connection = reopened.raw_connection()
        names = {n for (n,) in connection.execute("SELECT name FROM members")}
        connection.close()
    finally:
        reopened.close()
    assert kept.summary.name in names and later.summary.name not in names
    # the database that was there is kept, whole, as a before-restore backup
    safety = result.safety_copy
    assert safety is not None and safety.parent == default_backup_dir(till.db.path)
    assert [b.path for b in list_backups(till.db.path, reason="before-restore")] == [safety]
    assert check_backup(safety) == []
    assert count(safety, "SELECT COUNT(*) FROM members") == members_before
    assert backup.exists()  # the backup itself stays as it was


def test_restore_refuses_while_the_database_is_open(till, tmp_path: Path) -> None:
    backup = backup_database(till.db.path, tmp_path)
    connection = till.db.raw_connection()  # like the running till
    try:
        connection.execute("SELECT COUNT(*) FROM members").fetchone()
        before = count(till.db.path, "SELECT COUNT(*) FROM members")
        with pytest.raises(Conflict, match="is the till running"):
            restore(till.db.path, backup, backup_dir=tmp_path)
        assert count(till.db.path, "SELECT COUNT(*) FROM members") == before
        assert list_backups(till.db.path, tmp_path, "before-restore") == []
    finally:
        connection.close()


def test_restore_over_a_damaged_database(till, tmp_path: Path) -> None:
    """The case restores are for: the current file is no longer a database at all."""
    backup = backup_database(till.db.path, tmp_path)
    till.db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{till.db.path}{suffix}").unlink(missing_ok=True)
    till.db.path.write_bytes(b"\x00garbage after a power cut" * 500)
    result = restore(till.db.path, backup, backup_dir=tmp_path)
    assert result is not None and check_backup(till.db.path) == []
    assert result.safety_copy is not None
    assert result.safety_copy.read_bytes().startswith(b"\x00garbage")  # kept as it was


def test_restore_onto_a_new_machine_without_a_database(till, tmp_path: Path) -> None:
    backup = backup_database(till.db.path, tmp_path / "b")
    target = tmp_path / "new" / "till.sqlite"
    result = restore(target, backup)
    assert result is not None and result.safety_copy is None
    assert check_backup(target) == []


def test_restore_asks_after_the_check_and_a_no_changes_nothing(till, tmp_path: Path) -> None:
    backup = backup_database(till.db.path, tmp_path)
    till.db.close()
    before = fingerprint(till.db.path)
    asked = []
    assert restore(till.db.path, backup, confirm=lambda: asked.append(1) or False) is None
    assert asked == [1]
    assert fingerprint(till.db.path) == before


# -- the commands ----------------------------------------------------------------------------


def test_backup_and_restore_commands(till, tmp_path: Path, capsys, monkeypatch) -> None:
    till.db.close()
    db = str(till.db.path)
    assert main(["backup", "--db", db, "--dir", str(tmp_path / "b")]) == 0
    assert "backed up" in capsys.readouterr().out
    assert main(["backup", "--list", "--db", db, "--dir", str(tmp_path / "b")]) == 0
    listing = capsys.readouterr().out
    assert "manual" in listing and "1 backup(s)" in listing
    [backup] = list_backups(db, tmp_path / "b")
    # without --yes it asks; no answer (no terminal) means no
    monkeypatch.setattr("builtins.input", lambda _prompt: (_ for _ in ()).throw(EOFError))
    before = fingerprint(till.db.path)
    assert main(["restore", "--db", db, "--backup", str(backup.path)]) == 1
    assert "nothing was changed" in capsys.readouterr().out
    assert fingerprint(till.db.path) == before
    assert main(["restore", "--db", db, "--backup", str(backup.path), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "passes every check" in out and "kept as" in out
    bad = truncate(backup.path)
    assert main(["restore", "--db", db, "--backup", str(bad), "--yes"]) == 2
    assert "failed its check" in capsys.readouterr().err
