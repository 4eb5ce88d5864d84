"""The head-office deployment run for real: installers/headoffice/upgrade.sh upgrades a
PostgreSQL database that is at the first schema revision, backing it up with pg-backup.sh
first, and then starts the service exactly as the systemd unit's ExecStart says, with the
settings of headoffice.env.example (database and key file pointed at the test's own).

This machine has no systemd running, and the routine must not touch real users: `systemctl`
and `runuser` are small stand-ins on PATH. The stand-in systemctl runs the unit's ExecStart
line with the variables of the environment file (what systemd does with EnvironmentFile=) and
stops it again; runuser runs the command as the current user. Everything else - pg_dump,
alembic with migrations/headoffice/alembic.ini, `loyalty-headoffice serve`, the health check
over HTTP - is the real thing.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from test_installer_files import (
    HEADOFFICE,
    PG_BIN,
    ROOT,
    env_example,
    free_port,
    postgres,  # noqa: F401  (the throwaway cluster fixture)
    run,
)

from loyalty_pos import __version__
from loyalty_pos.db.engine import head_revision

SYSTEMCTL = '''#!{python}
"""systemctl stand-in for the upgrade test: start/stop/status of loyalty-headoffice."""
import os, re, signal, subprocess, sys, time
from pathlib import Path
state = Path(os.environ["SHIM_STATE"])
with open(state / "calls.log", "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
verb = [a for a in sys.argv[1:] if not a.startswith("-")][0]
pid_file = state / "service.pid"
if verb == "start":
    unit = Path(os.environ["SHIM_UNIT"]).read_text()
    line = re.search(r"^ExecStart=(.+)$", unit, re.M).group(1)
    line = line.replace("/opt/loyalty-headoffice", os.environ["LOYALTY_HEADOFFICE_BASE"])
    line = re.sub(r"\\$\\{{(\\w+)\\}}", lambda m: os.environ[m.group(1)], line)
    out = open(state / "service.log", "ab")
    process = subprocess.Popen(line.split(), stdout=out, stderr=out, start_new_session=True)
    pid_file.write_text(str(process.pid))
elif verb == "stop" and pid_file.exists():
    try:
        os.killpg(int(pid_file.read_text()), signal.SIGTERM)
    except ProcessLookupError:
        pass
    pid_file.unlink()
'''

RUNUSER = '''#!/bin/sh
# runuser stand-in: drop "-u USER --preserve-environment --" and run the command as we are
while [ "$1" != "--" ]; do shift; done
shift
exec "$@"
'''


def _stand_ins(folder: Path) -> None:
    folder.mkdir()
    (folder / "systemctl").write_text(SYSTEMCTL.format(python=sys.executable))
    (folder / "runuser").write_text(RUNUSER)
    for name in ("systemctl", "runuser"):
        (folder / name).chmod(0o755)


def _release(folder: Path) -> Path:
    """A release folder as upgrade.sh expects it: the source tree with its venv."""
    folder.mkdir(parents=True)
    for name in ("installers", "migrations", "loyalty_pos", "resources", "docs"):
        (folder / name).symlink_to(ROOT / name)
    (folder / "venv").symlink_to(Path(sys.prefix))
    return folder


def _schema_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


@pytest.fixture
def deployment(postgres, tmp_path: Path):  # noqa: F811 (the imported fixture)
    """A database at revision 0001, a release, the env file and the stand-ins."""
    if not (Path(sys.prefix) / "bin" / "alembic").exists():
        pytest.skip("alembic is not installed in this venv")
    database = f"upgrade_{os.getpid()}"
    env = {**os.environ, "PGHOST": postgres["PGHOST"], "PGPORT": postgres["PGPORT"],
           "PGUSER": "postgres"}
    run(PG_BIN / "createdb", database, env=env)
    url = (f"postgresql+psycopg://postgres@/{database}?host={postgres['PGHOST']}"
           f"&port={postgres['PGPORT']}")
    # the database as the first release left it
    run(Path(sys.prefix) / "bin" / "alembic", "-c", ROOT / "migrations/headoffice/alembic.ini",
        "upgrade", "0001", env={**env, "LOYALTY_HEADOFFICE_DB": url})
    base = tmp_path / "opt"
    release = _release(base / "releases" / __version__)
    port = free_port()
    settings = env_example() | {
        "LOYALTY_HEADOFFICE_DB": url, "LOYALTY_HEADOFFICE_PORT": str(port),
        "LOYALTY_HEADOFFICE_KEY_FILE": str(tmp_path / "state" / "headoffice.key"),
        "PGHOST": postgres["PGHOST"], "PGDATABASE": database, "PGUSER": "postgres",
        "BACKUP_DIR": str(tmp_path / "backups")}
    env_file = tmp_path / "headoffice.env"
    # quoted, as the example says: the URL holds "&", and upgrade.sh sources the file in sh
    env_file.write_text("".join(f'{key}="{value}"\n' for key, value in settings.items())
                        + f"PGPORT={postgres['PGPORT']}\nPG_BIN={PG_BIN}\n")
    (tmp_path / "state").mkdir()
    _stand_ins(tmp_path / "bin")
    run_env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
               "LOYALTY_HEADOFFICE_BASE": str(base), "LOYALTY_HEADOFFICE_ENV": str(env_file),
               "SHIM_STATE": str(tmp_path / "state"),
               "SHIM_UNIT": str(HEADOFFICE / "loyalty-headoffice.service")}
    yield {"url": url, "release": release, "base": base, "port": port, "env": run_env,
           "state": tmp_path / "state", "backups": tmp_path / "backups", "database": database}
    pid_file = tmp_path / "state" / "service.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)


def _wait_healthy(port: int, log: Path, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
            if answer.status_code == 200:
                return answer.json()
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not answer /v1/health:\n"
                         + (log.read_text() if log.exists() else "(no log)"))


def test_upgrade_routine_backs_up_migrates_and_starts_the_service(deployment) -> None:
    assert _schema_revision(deployment["url"]) == "0001"
    result = run(HEADOFFICE / "upgrade.sh", deployment["release"], env=deployment["env"],
                 timeout=300)
    assert f"new release: {__version__}" in result.stdout
    calls = (deployment["state"] / "calls.log").read_text().splitlines()
    assert calls[0] == "stop loyalty-headoffice" and calls[1] == "start loyalty-headoffice"
    # backed up before the schema changed: the dump holds the old revision
    [dump] = deployment["backups"].glob(f"headoffice-{deployment['database']}-*-pre-upgrade.dump")
    listing = run(PG_BIN / "pg_restore", "--list", dump).stdout
    assert "alembic_version" in listing
    head = _migrated_head()
    assert _schema_revision(deployment["url"]) == head != "0001"
    assert (deployment["base"] / "current").resolve() == deployment["release"].resolve()
    # the service runs as the unit starts it, on the upgraded database and the env's key file
    health = _wait_healthy(deployment["port"], deployment["state"] / "service.log")
    assert health["status"] == "ok" and health["database"] == "postgresql"
    assert health["version"] == __version__
    key_file = Path(env_example_key(deployment))
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0
    # a second run (already at head) is harmless: backs up again, migrates nothing, restarts
    run(HEADOFFICE / "upgrade.sh", deployment["release"], env=deployment["env"], timeout=300)
    assert len(list(deployment["backups"].glob("*-pre-upgrade.dump"))) == 2
    _wait_healthy(deployment["port"], deployment["state"] / "service.log")


def env_example_key(deployment) -> str:
    text = Path(deployment["env"]["LOYALTY_HEADOFFICE_ENV"]).read_text()
    return re.search(r'^LOYALTY_HEADOFFICE_KEY_FILE="(.+)"$', text, re.M).group(1)


def _migrated_head() -> str:
    return head_revision(str(ROOT / "migrations" / "headoffice"))


def test_service_unit_runs_serve_with_the_settings_it_documents() -> None:
    """The unit's command line is one `serve --help` accepts, with every variable it uses."""
    unit = (HEADOFFICE / "loyalty-headoffice.service").read_text()
    line = re.search(r"^ExecStart=(.+)$", unit, re.M).group(1)
    options = re.findall(r"(--[a-z-]+)", line)
    usage = subprocess.run([sys.executable, "-m", "loyalty_pos.headoffice.cli", "serve",
                            "--help"], capture_output=True, text=True, check=True).stdout
    for option in options:
        assert option in usage, f"serve does not take {option}"
    for variable in ("LOYALTY_HEADOFFICE_DB", "LOYALTY_HEADOFFICE_KEY_FILE"):
        assert variable in usage, f"serve --help does not mention ${variable}"
        assert variable in env_example()
