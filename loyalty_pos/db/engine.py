"""Engine, sessions and schema upgrade of the till database.

SQLite runs in WAL mode with synchronous=FULL (a printed receipt must survive power loss) and
foreign keys on. Every writing transaction starts with BEGIN IMMEDIATE: a till has one writer at
a time, and taking the write lock up front means a transaction never fails half-way on
SQLITE_BUSY. Reading sessions start a plain (deferred) transaction and never block writers.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..paths import migrations_dir

BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "loyalty_write"  # execution option: this transaction will write


def apply_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=FULL")
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def make_engine(path: str | Path) -> Engine:
    engine = create_engine(f"sqlite:///{Path(path)}",
                           connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        apply_pragmas(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir() / "till"))
    config.set_main_option("sqlalchemy.url", url)
    return config


@functools.cache
def head_revision(script_location: str) -> str | None:
    """The newest revision of the migrations (read once per process)."""
    config = Config()
    config.set_main_option("script_location", script_location)
    return ScriptDirectory.from_config(config).get_current_head()


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision (alembic, never create_all).

    An existing database that is not at the newest revision is first backed up ("pre-upgrade",
    services/backup.py): an upgrade cannot be undone, the backup can be restored.
    """
    config = alembic_config(str(engine.url))
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision(config.get_main_option("script_location"))
    if current == head:
        return
    if engine.url.database:
        from ..services.backup import backup_before_upgrade

        backup_before_upgrade(engine.url.database, current, head)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    """One till database: its engine and the app-wide sessionmaker."""
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, path: str | Path, *, upgrade: bool = True) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        if upgrade:
            upgrade_schema(engine)
        return cls(path, engine, sessionmaker(engine, expire_on_commit=False))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user operation: commit on success, roll back everything on any error.

        Starts with BEGIN IMMEDIATE. Plain `sessions()` are for reading and start a deferred
        transaction, so reads never hold the write lock.
        """
        with self.sessions.begin() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection on the same file, for the hot read paths (lookups)."""
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        apply_pragmas(connection)
        return connection

    def close(self) -> None:
        self.engine.dispose()
