"""The head-office schema: the alembic migrations build exactly what the models say, on SQLite
and on PostgreSQL; the alembic environment works from its .ini as upgrade.sh runs it; URLs;
and the layering rule (head office and sync never import Qt, head office never the till UI or
devices)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from loyalty_pos.headoffice.db import (
    DB_ENV,
    HeadOfficeDb,
    alembic_config,
    database_url,
    default_sqlite_path,
)
from loyalty_pos.headoffice.models import HeadOfficeBase
from loyalty_pos.paths import migrations_dir, project_root

INI = migrations_dir() / "headoffice" / "alembic.ini"


def test_models_and_migrations_agree(headoffice: HeadOfficeDb) -> None:
    with headoffice.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "render_as_batch": True})
        assert list(compare_metadata(context, HeadOfficeBase.metadata)) == []
        head = ScriptDirectory.from_config(alembic_config(headoffice.url)).get_current_head()
        assert context.get_current_revision() == head
    tables = set(inspect(headoffice.engine).get_table_names())
    assert set(HeadOfficeBase.metadata.tables) <= tables


def test_the_primary_key_is_the_idempotency_key(headoffice: HeadOfficeDb) -> None:
    key = inspect(headoffice.engine).get_pk_constraint("ho_ledger_entries")
    assert key["constrained_columns"] == ["till_id", "seq"]


def test_alembic_runs_from_its_ini_with_the_url_in_the_environment(tmp_path: Path) -> None:
    """What installers/headoffice/upgrade.sh does: alembic -c …/alembic.ini upgrade head,
    the database named by $LOYALTY_HEADOFFICE_DB; then down to nothing and up again."""
    database = tmp_path / "by-hand.sqlite"
    env = {**os.environ, DB_ENV: str(database)}
    alembic = [sys.executable, "-m", "alembic", "-c", str(INI)]
    for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        done = subprocess.run([*alembic, *step], env=env, capture_output=True, text=True,
                              cwd=project_root(), timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{database}")
    try:
        assert set(HeadOfficeBase.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")
                                      ).scalar_one() == "0002"
    finally:
        engine.dispose()


def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "ho.sqlite"
    HeadOfficeDb.open(path).close()
    db = HeadOfficeDb.open(path)  # at head already: nothing to do
    try:
        assert db.dialect == "sqlite"
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        db.close()


def test_database_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u@/db?host=/tmp").drivername == (
        "postgresql+psycopg")
    assert database_url(tmp_path / "x.sqlite").database == str(tmp_path / "x.sqlite")
    assert database_url(str(tmp_path / "y.sqlite")).get_backend_name() == "sqlite"
    monkeypatch.setenv(DB_ENV, "postgresql://someone@somewhere/ho")
    assert database_url(None).host == "somewhere"
    monkeypatch.delenv(DB_ENV)
    assert database_url(None).database == str(default_sqlite_path())
    assert default_sqlite_path().name == "headoffice.sqlite"
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        database_url("mysql://u@h/db")


def test_a_postgresql_head_office_is_postgresql(make_headoffice: Callable[[str], HeadOfficeDb]
                                                ) -> None:
    db = make_headoffice("postgresql")
    assert db.dialect == "postgresql"
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ho_ledger_entries")
                                  ).scalar_one() == 0


def test_head_office_and_sync_import_no_qt_no_till_ui_and_no_devices() -> None:
    """Import every head-office and sync module in a fresh interpreter and look at what got
    loaded: no PySide6, nothing of loyalty_pos.ui or loyalty_pos.devices."""
    code = (
        "import sys\n"
        "import loyalty_pos.headoffice.cli, loyalty_pos.headoffice.importer\n"
        "import loyalty_pos.headoffice.bench, loyalty_pos.headoffice.db\n"
        "import loyalty_pos.headoffice.models, loyalty_pos.sync.ledger_file\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')\n"
        "             or m.startswith(('loyalty_pos.ui', 'loyalty_pos.devices')))\n"
        "print(bad)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"
