"""The till schema: alembic builds it, models and migrations agree, pragmas, append-only
triggers, and tampering that `verify` must catch."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from loyalty_pos.db.engine import Database, alembic_config
from loyalty_pos.db.models import APPEND_ONLY_TABLES, Base, Card
from loyalty_pos.paths import migrations_dir
from loyalty_pos.services.verify import verify_database

ENV_PY = migrations_dir() / "till" / "env.py"


def env_include_object():  # type: ignore[no-untyped-def]
    """The very `include_object` of migrations/till/env.py (that module cannot be imported
    outside alembic: it runs the migrations at import time), with the names it uses."""
    tree = ast.parse(ENV_PY.read_text(encoding="utf-8"))
    wanted = [node for node in tree.body
              if (isinstance(node, ast.FunctionDef) and node.name == "include_object")
              or (isinstance(node, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "UNMANAGED_PREFIXES"
                          for t in node.targets))]
    assert len(wanted) == 2, "env.py must define UNMANAGED_PREFIXES and include_object"
    namespace: dict[str, object] = {}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(ENV_PY), "exec"), namespace)
    return namespace["include_object"]


def diff_against(db: Database, metadata: MetaData) -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": env_include_object(),
            "render_as_batch": True})
        return list(compare_metadata(context, metadata))


def sqlite_names(path: Path, kind: str) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = ?", (kind,))}
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------
# (a) alembic builds the schema from an empty file


def test_upgrade_from_an_empty_file_creates_every_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    db = Database.open(path)
    try:
        tables = sqlite_names(path, "table")
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert "member_search" in tables  # the FTS5 index made by hand in the migration
        with db.engine.connect() as connection:
            heads = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        script = ScriptDirectory.from_config(alembic_config(str(db.engine.url)))
        assert heads == [(script.get_current_head(),)]
        triggers = sqlite_names(path, "trigger")
        for table in APPEND_ONLY_TABLES:
            assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers
        assert {"members_search_insert", "members_search_update",
                "members_search_delete"} <= triggers
        # every column of every model is there
        inspector = inspect(db.engine)
        for name, table in Base.metadata.tables.items():
            assert {c["name"] for c in inspector.get_columns(name)} == set(table.columns.keys())
    finally:
        db.close()
    # opening again is a no-op upgrade, not an error
    Database.open(path).close()


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    path = tmp_path / "round_trip.sqlite"
    Database.open(path).close()
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config(str(engine.url))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert sqlite_names(path, "table") <= {"alembic_version"}
    assert sqlite_names(path, "trigger") == set()
    engine.dispose()
    Database.open(path).close()
    assert set(Base.metadata.tables) <= sqlite_names(path, "table")


# --------------------------------------------------------------------------------------------
# (b) models and migrations agree


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "fresh.sqlite")
    try:
        assert diff_against(db, Base.metadata) == []
    finally:
        db.close()


def test_the_comparison_would_notice_a_difference(tmp_path: Path) -> None:
    """Guard for the test above: a model change without a migration shows up in the diff."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["members"].append_column(Column("loyalty_nickname", Integer))
    db = Database.open(tmp_path / "fresh.sqlite")
    try:
        diff = diff_against(db, changed)
    finally:
        db.close()
    assert [(d[0], d[2], d[3].name) for d in diff] == [  # type: ignore[index]
        ("add_column", "members", "loyalty_nickname")]


# --------------------------------------------------------------------------------------------
# (c) pragmas


def test_pragmas_on_every_connection(db: Database) -> None:
    def pragmas(run) -> tuple[object, object, object]:  # type: ignore[no-untyped-def]
        return (run("PRAGMA journal_mode"), run("PRAGMA synchronous"), run("PRAGMA foreign_keys"))

    with db.engine.connect() as connection:
        assert pragmas(lambda sql: connection.exec_driver_sql(sql).scalar()) == ("wal", 2, 1)
    with db.sessions() as session:
        assert pragmas(lambda sql: session.execute(text(sql)).scalar()) == ("wal", 2, 1)
    with db.transaction() as session:
        assert pragmas(lambda sql: session.execute(text(sql)).scalar()) == ("wal", 2, 1)
    raw = db.raw_connection()
    try:
        assert pragmas(lambda sql: raw.execute(sql).fetchone()[0]) == ("wal", 2, 1)
    finally:
        raw.close()


def test_foreign_keys_are_enforced(db: Database) -> None:
    from datetime import datetime

    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.transaction() as session:
        session.add(Card(number="2900700000011", member_id=12345, status="active",
                         issued_at=datetime(2026, 3, 10)))
        session.flush()


# --------------------------------------------------------------------------------------------
# (d) append-only tables refuse UPDATE and DELETE


@pytest.fixture
def busy_till(till):  # type: ignore[no-untyped-def]
    """A till with a row in every append-only table, made by real operations.
    The member ends with 500 - 300 + 30 + 1500 = 1730 points and no stored value."""
    from loyalty_pos.services.checkout import PaymentRequest

    member = till.enrol("Ann Lee", marketing_opt_in=True).summary          # consents
    till.balances.adjust_points(member.id, 500, "welcome", till.manager_id)  # audit_log
    till.balances.top_up(member.id, 1000, "cash", till.cashier_id)
    till.sell([("TEA", 1)], member.id, points=300,                           # lot_allocations
              payments=[PaymentRequest("stored_value", 1000), PaymentRequest("cash", 2033)])
    till.sell([("TV", 1)], member.id)                                        # tier_history
    for table in APPEND_ONLY_TABLES:
        assert till.scalar(f"SELECT count(*) FROM {table}") > 0, table
    return till


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_append_only_tables_refuse_update_and_delete(busy_till, table: str) -> None:  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(busy_till.db.path)
    try:
        count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError,
                           match=f"{table} is append-only: UPDATE refused"):
            connection.execute(f"UPDATE {table} SET id = id")
        with pytest.raises(sqlite3.IntegrityError,
                           match=f"{table} is append-only: DELETE refused"):
            connection.execute(f"DELETE FROM {table}")
        assert connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
        # appending is what these tables are for: no trigger may stand in its way
        insert_triggers = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "AND sql LIKE '%BEFORE INSERT%'", (table,)).fetchall()
        assert insert_triggers == []
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------
# (e) tampering is caught by verify


def _verify(path: Path) -> dict[str, list[str]]:
    connection = sqlite3.connect(path)
    try:
        return verify_database(connection)
    finally:
        connection.close()


def test_verify_passes_on_an_honest_database(busy_till) -> None:  # type: ignore[no-untyped-def]
    assert _verify(busy_till.db.path) == {name: [] for name in _verify(busy_till.db.path)}


def test_edited_ledger_amount_breaks_the_chain_and_the_balance(busy_till) -> None:  # type: ignore[no-untyped-def]
    path = busy_till.db.path
    connection = sqlite3.connect(path)
    try:
        seq, member_uuid = connection.execute(
            "SELECT seq, member_uuid FROM ledger_entries WHERE ledger = 'stored_value' "
            "AND kind = 'top_up'").fetchone()
        connection.execute("DROP TRIGGER ledger_entries_no_update")
        connection.execute("UPDATE ledger_entries SET amount = 100000 WHERE seq = ?", (seq,))
        connection.commit()
        member_id = connection.execute("SELECT id FROM members WHERE uuid = ?",
                                       (member_uuid,)).fetchone()[0]
    finally:
        connection.close()
    problems = _verify(path)
    assert problems["hash chains and sequences"] == [
        f"till 7: entry {seq}: hash does not match its content (edited?)"]
    assert problems["cached balances"] == [
        f"member {member_id}: cached points 1730 / stored value 0 but the ledger says "
        "1730 / 99000"]
    assert problems["SQLite integrity"] == []


def test_deleting_the_last_entry_is_caught(busy_till) -> None:  # type: ignore[no-untyped-def]
    path = busy_till.db.path
    member_id = busy_till.scalar("SELECT id FROM members")
    busy_till.balances.top_up(member_id, 700, "cash", busy_till.cashier_id)  # no lot refers to it
    connection = sqlite3.connect(path)
    try:
        last = connection.execute("SELECT max(seq) FROM ledger_entries").fetchone()[0]
        connection.execute("DROP TRIGGER ledger_entries_no_delete")
        connection.execute("DELETE FROM ledger_entries WHERE seq = ?", (last,))
        connection.commit()
    finally:
        connection.close()
    problems = _verify(path)
    # the remaining chain is intact, but it no longer reaches the head the till recorded
    assert problems["hash chains and sequences"] == [
        f"till 7: chain head is seq {last} but the ledger ends at seq {last - 1} "
        "(entries missing or added)"]
    assert len(problems["cached balances"]) == 1
    assert "stored value 700" in problems["cached balances"][0]
    assert "the ledger says 1730 / 0" in problems["cached balances"][0]


def test_deleting_an_entry_in_the_middle_is_a_gap(busy_till) -> None:  # type: ignore[no-untyped-def]
    path = busy_till.db.path
    connection = sqlite3.connect(path)
    try:
        seq = connection.execute("SELECT seq FROM ledger_entries WHERE kind = 'top_up'"
                                 ).fetchone()[0]
        connection.execute("DROP TRIGGER ledger_entries_no_delete")
        connection.execute("DELETE FROM ledger_entries WHERE seq = ?", (seq,))
        connection.commit()
    finally:
        connection.close()
    chain = _verify(path)["hash chains and sequences"]
    assert f"till 7: sequence gap: expected {seq}, found {seq + 1}" in chain
    assert f"till 7: entry {seq + 1}: prev_hash does not link to entry {seq}" in chain
