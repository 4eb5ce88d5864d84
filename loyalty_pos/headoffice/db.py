"""The head-office database: SQLite (default, one file) or PostgreSQL (production).

`HeadOfficeDb.open(target)` takes a SQLAlchemy URL (``postgresql+psycopg://…``, plain
``postgresql://…`` is read as psycopg 3, ``sqlite:///path``), a file path (SQLite) or nothing
(``headoffice.sqlite`` in the user data directory), and brings the schema to the newest
revision with alembic (migrations/headoffice), never with create_all.

SQLite runs in WAL mode with synchronous=FULL and foreign keys on; writing transactions start
with BEGIN IMMEDIATE, so two importers take turns instead of failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from ..db.engine import head_revision
from ..paths import migrations_dir

DB_ENV = "LOYALTY_HEADOFFICE_DB"  # the URL the service, upgrade.sh and the CLI default to
BUSY_TIMEOUT_MS = 30_000
_WRITE = "headoffice_write"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("loyalty-pos", "LoyaltyPOS")) / "headoffice.sqlite"


def database_url(target: str | Path | URL | None = None) -> URL:
    """The URL of `target`: a URL, a path to a SQLite file, or None for $LOYALTY_HEADOFFICE_DB
    or else the default SQLite file."""
    if target is None:
        target = os.environ.get(DB_ENV) or default_sqlite_path()
    if isinstance(target, URL):
        url = target
    elif isinstance(target, Path) or "://" not in str(target):
        url = URL.create("sqlite", database=str(Path(target)))
    else:
        url = make_url(str(target))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"head office runs on SQLite or PostgreSQL, not {url.drivername}")
    return url


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is issued below
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       f"busy_timeout={BUSY_TIMEOUT_MS}"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        writing = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def alembic_config(url: URL | str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir() / "headoffice"))
    config.set_main_option("sqlalchemy.url", str(url).replace("%", "%%"))
    return config


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    head = head_revision(config.get_main_option("script_location"))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class HeadOfficeDb:
    """One head-office database: its engine and sessionmaker."""
    url: URL
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, target: str | Path | URL | None = None, *, upgrade: bool = True
             ) -> HeadOfficeDb:
        url = database_url(target)
        engine = make_engine(url)
        if upgrade:
            upgrade_schema(engine)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing transaction: commit on success, roll back everything on any error."""
        with self.sessions.begin() as session:
            session.connection(execution_options={_WRITE: True})
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HeadOfficeDb:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
