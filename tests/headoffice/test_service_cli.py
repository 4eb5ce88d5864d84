"""The service's commands: add-till, publish (validated, pulled by the tills), conflicts
(overdrafts across tills), import with the chain secret derived from the master key, --help,
and a real `loyalty-headoffice serve` subprocess."""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from test_service_helpers import MASTER, HandLedger, Movement, Service

from loyalty_pos.core.errors import Conflict, InvalidInput
from loyalty_pos.headoffice.balances import overdrafts
from loyalty_pos.headoffice.cli import main
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.keys import load_master_key
from loyalty_pos.headoffice.models import HORegistrationCode, HOTill
from loyalty_pos.headoffice.publish import (
    publish_agreement,
    publish_promotions,
    publish_settings,
    publish_tiers,
)

CODE = re.compile(r"registration code: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})")
A, B = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
PROMOTION = {"code": "DOUBLE", "name": "Double points", "effect": "points_multiplier",
             "value": 200, "weekdays": [5, 6], "start_time": "10:00", "end_time": "12:00",
             "starts_on": "2026-12-01", "ends_on": "2026-12-31", "tiers": ["GLD"]}
TIERS = [{"code": "STD", "name": "Standard", "threshold": 0, "multiplier_percent": 100},
         {"code": "GLD", "name": "Gold", "threshold": 100_000, "multiplier_percent": 150}]


def test_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "loyalty_pos.headoffice.cli", "--help"],
                          capture_output=True, text=True, timeout=60, check=True)
    for command in ("serve", "add-till", "import", "publish", "conflicts", "bench"):
        assert re.search(rf"^\s+{command}\b", done.stdout, re.MULTILINE), command


def test_add_till_prints_a_new_code_each_time(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "ho.sqlite")
    args = ["add-till", "--db", database, "--store", "S002", "--store-name", "High St",
            "--number", "21", "--name", "front"]
    assert main(args) == 0
    first = CODE.search(capsys.readouterr().out)
    assert main(args) == 0
    second = CODE.search(capsys.readouterr().out)
    assert first and second and first.group(1) != second.group(1)
    assert main(["add-till", "--db", database, "--store", "S003", "--number", "21"]) == 2
    assert "belongs to store S002" in capsys.readouterr().err
    with HeadOfficeDb.open(database) as db, db.sessions() as session:
        till = session.scalar(select(HOTill))
        assert till is not None and (till.number, till.name, till.key_serial) == (21, "front", 0)
        assert len(session.scalars(select(HORegistrationCode)).all()) == 2


# -- publish --------------------------------------------------------------------------------


def test_published_data_reaches_every_till(headoffice: HeadOfficeDb) -> None:
    service = Service(headoffice)
    till = service.register(11)
    now = service.clock().replace(tzinfo=None)
    with headoffice.transaction() as session:
        publish_promotions(session, [PROMOTION], now)
        publish_tiers(session, TIERS, now)
        publish_settings(session, {"points_expiry_months": 6, "currency_symbol": "$"}, now)
        publish_agreement(session, "privacy", "2026-12", "We keep your data safe.", now)
    answer = service.changes(till)
    promotion = answer["promotions"][0]
    assert promotion["code"] == "DOUBLE" and promotion["enabled"] is True
    assert promotion["weekdays"] == [5, 6] and promotion["start_time"] == "10:00"
    assert [t["code"] for t in answer["tiers"]] == ["STD", "GLD"]
    assert answer["settings"] == {"points_expiry_months": 6, "currency_symbol": "$"}
    assert answer["agreements"][0]["version"] == "2026-12"
    retired = PROMOTION | {"enabled": False}
    with headoffice.transaction() as session:
        publish_promotions(session, [retired], now)
    later = service.changes(till, since=answer["cursor"])
    assert [p["enabled"] for p in later["promotions"]] == [False]


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("promotions", {"code": "X"}, "JSON list"),
    ("promotions", [PROMOTION | {"effect": "free_beer"}], "unknown effect"),
    ("promotions", [PROMOTION | {"value": 0}], "more than zero"),
    ("promotions", [PROMOTION | {"ends_on": "2026-11-01"}], "ends before it starts"),
    ("promotions", [PROMOTION | {"start_time": "25:00"}], "start_time"),
    ("promotions", [PROMOTION | {"colour": "red"}], "unknown promotion field"),
    ("promotions", [PROMOTION, PROMOTION], "same code"),
    ("tiers", [TIERS[1]], "threshold of 0"),
    ("tiers", [TIERS[0], TIERS[0] | {"code": "X"}], "same threshold"),
    ("tiers", [TIERS[0] | {"multiplier_percent": "lots"}], "whole number"),
    ("settings", {"points_expiry_months": -1}, ">= 0"),
    ("settings", {"free_lunch": 1}, "unknown program setting"),
    ("settings", {"max_redeem_percent": 101}, "between 0 and 100"),
    ("settings", [], "JSON object"),
])
def test_publish_refuses_what_a_till_would_refuse(tmp_path: Path, kind: str, value: object,
                                                  message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "ho.sqlite")
    source = tmp_path / "in.json"
    source.write_text(json.dumps(value))
    assert main(["publish", "--db", database, f"--{kind}", str(source)]) == 2
    assert message in capsys.readouterr().err
    with HeadOfficeDb.open(database) as db:  # nothing was stored
        assert Service(db).changes(Service(db).register(1))["cursor"] == 0


def test_publish_from_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "ho.sqlite")
    for kind, value in (("promotions", [PROMOTION]), ("tiers", TIERS),
                        ("settings", {"offline_stored_value_cap": 10_000})):
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(value))
        assert main(["publish", "--db", database, f"--{kind}", str(path)]) == 0
    text = tmp_path / "agreement.txt"
    text.write_text("Members agree to be nice.", encoding="utf-8")
    args = ["publish", "--db", database, "--agreement", "member_agreement", "v2", str(text)]
    assert main(args) == 0
    assert main(args) == 0  # the same text again: nothing to do
    text.write_text("Another text.", encoding="utf-8")
    assert main(args) == 2
    assert "new version" in capsys.readouterr().err
    with HeadOfficeDb.open(database) as db, db.transaction() as session:
        with pytest.raises(InvalidInput):
            publish_agreement(session, "cookies", "1", "text", Service(db).clock())
        with pytest.raises(Conflict):
            publish_agreement(session, "member_agreement", "v2", "changed",
                              Service(db).clock())


# -- conflicts ------------------------------------------------------------------------------


def test_overdrafts_across_tills(headoffice: HeadOfficeDb, tmp_path: Path) -> None:
    """A tops up 1,000 at till 11; till 12, offline, lets A spend 700 twice: the second spend
    overdraws by 400. remote_sync entries (copies of other tills' movements) do not count."""
    service = Service(headoffice)
    eleven, twelve = service.register(11), service.register(12)
    service.push_ledger(eleven, HandLedger(eleven).add(
        Movement(A, 1000, kind="top_up", created_at="2026-11-20T09:00:00Z"),
        Movement(B, 100, kind="top_up", created_at="2026-11-20T09:00:00Z"),
        Movement(A, -300, created_at="2026-11-20T12:00:00Z")).file(tmp_path, service.secret))
    ledger12 = HandLedger(twelve).add(
        Movement(A, 1000, kind="remote_sync", created_at="2026-11-20T09:30:00Z"),
        Movement(A, -700, created_at="2026-11-20T10:00:00Z"),
        Movement(B, -100, created_at="2026-11-20T10:00:00Z"),
        Movement(A, 50, "points", "earn", created_at="2026-11-20T10:00:00Z"))
    service.push_ledger(twelve, ledger12.file(tmp_path, service.secret))
    with headoffice.sessions() as session:
        assert overdrafts(session) == []  # 1000 - 700 - 300 = 0: not below zero
    # till 12 also let A spend 600 at 11:00: 1000 - 700 - 600 < 0
    ledger12.add(Movement(A, -600, created_at="2026-11-20T11:00:00Z"))
    assert service.push_ledger(twelve, ledger12.file(tmp_path, service.secret, first=5)
                               ).status_code == 200
    with headoffice.sessions() as session:
        found = overdrafts(session)
    assert [(o.member_uuid, o.till_number, o.seq, o.amount, o.overdraft, o.balance_after,
             o.created_at) for o in found] == [
        (A, 12, 5, -600, 300, -300, "2026-11-20T11:00:00Z"),
        (A, 11, 3, -300, 300, -600, "2026-11-20T12:00:00Z")]
    out = tmp_path / "conflicts.csv"
    assert main(["conflicts", "--db", headoffice.url.render_as_string(hide_password=False),
                 "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["member"], r["till"], r["seq"], r["overdraft"]) for r in rows] == [
        (A, "12", "5", "300"), (A, "11", "3", "300")]


# -- import with the derived secret and the serve command ---------------------------------


def test_import_uses_the_chain_secret_of_the_master_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LOYALTY_HEADOFFICE_SECRET_FILE", raising=False)
    key_file = tmp_path / "headoffice.key"
    key_file.write_text(MASTER.hex())
    database = tmp_path / "ho.sqlite"
    with HeadOfficeDb.open(database) as db:
        service = Service(db)
        till = service.register(11)
        data = HandLedger(till).add(Movement(A, 10, kind="top_up")).file(tmp_path,
                                                                         service.secret)
    path = tmp_path / "till11.ledger.gz"
    path.write_bytes(data)
    assert main(["import", "--db", str(database), "--key-file", str(key_file), str(path)]) == 0
    assert "1 of 1 file(s) imported" in capsys.readouterr().out
    monkeypatch.setenv("LOYALTY_HEADOFFICE_KEY_FILE", str(tmp_path / "missing.key"))
    assert main(["import", "--db", str(database), str(path)]) == 2
    assert "no master key" in capsys.readouterr().err


def test_the_master_key_file_is_created_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "headoffice.key"
    key = load_master_key(path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(path) == key
    path.write_text("short")
    with pytest.raises(InvalidInput, match="does not hold a master key"):
        load_master_key(path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_health_then_stops(tmp_path: Path) -> None:
    port, key_file = _free_port(), tmp_path / "headoffice.key"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTY_HEADOFFICE_")}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "loyalty_pos.headoffice.cli", "serve", "--db",
         str(tmp_path / "ho.sqlite"), "--host", "127.0.0.1", "--port", str(port),
         "--key-file", str(key_file)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline, health = time.monotonic() + 60, None
        while health is None and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health["status"] == "ok"
        assert health["database"] == "sqlite"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        unsigned = httpx.get(f"http://127.0.0.1:{port}/v1/changes", timeout=5)
        assert unsigned.status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert process.returncode in (0, -15)


def test_the_service_imports_no_qt_and_signing_is_stdlib_only() -> None:
    """Head office never loads Qt, the till UI or devices; core/signing (which the till
    imports) pulls in nothing beyond the standard library."""
    code = (
        "import sys\n"
        "import loyalty_pos.core.signing\n"
        "third = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'fastapi',"
        " 'pydantic', 'httpx'))\n"
        "import loyalty_pos.headoffice.service, loyalty_pos.headoffice.cli\n"
        "import loyalty_pos.headoffice.publish, loyalty_pos.headoffice.keys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')\n"
        "             or m.startswith(('loyalty_pos.ui', 'loyalty_pos.devices')))\n"
        "print(third, bad)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[] []"
