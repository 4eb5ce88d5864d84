"""The master key at start-up: made on the first start, never replaced once tills hold keys
derived from it (a restore without the key file, a mistyped path), and a warning when the file
is readable by others."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from test_service_helpers import Service

from loyalty_pos.core.errors import InvalidInput
from loyalty_pos.headoffice.cli import main
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.keys import master_key_for_service


def test_a_fresh_head_office_makes_its_key(tmp_path: Path) -> None:
    path = tmp_path / "headoffice.key"
    with HeadOfficeDb.open(tmp_path / "ho.sqlite") as db, db.sessions() as session:
        key = master_key_for_service(session, path)
        assert master_key_for_service(session, path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_new_key_once_tills_are_registered(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "ho.sqlite"
    with HeadOfficeDb.open(database) as db:
        Service(db).register(11)
        with db.sessions() as session, pytest.raises(InvalidInput, match="restore the key"):
            master_key_for_service(session, tmp_path / "missing.key")
    assert not (tmp_path / "missing.key").exists()
    # the command stops before listening, saying why
    assert main(["serve", "--db", str(database), "--key-file",
                 str(tmp_path / "missing.key"), "--port", "1"]) == 2
    assert "1 till(s) hold keys" in capsys.readouterr().err
    assert not (tmp_path / "missing.key").exists()


def test_a_key_file_others_can_read_is_reported(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "headoffice.key"
    path.write_text("ab" * 32 + "\n")
    path.chmod(0o644)
    with HeadOfficeDb.open(tmp_path / "ho.sqlite") as db, db.sessions() as session:
        assert master_key_for_service(session, path) == bytes.fromhex("ab" * 32)
    assert "can be read by other users" in capsys.readouterr().err
