"""Head-office fixtures: a throwaway PostgreSQL cluster, a head-office database per test on
SQLite and on PostgreSQL, and demo tills whose ledgers the tests export and import.

PostgreSQL (docs: /work/shared/RECIPES.md "PostgreSQL in tests, as root"): one cluster per test
session, started by the suite from the server binaries (/usr/lib/postgresql/*/bin) on a Unix
socket in a temporary folder and a random free port, stopped and removed at the end. initdb and
pg_ctl refuse to run as root, so as root they run as the postgres user (`su postgres -c`),
otherwise directly. Without server binaries the PostgreSQL half of the tests is skipped, saying
why. Every test then gets its own database, copied from a migrated template database.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shlex
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from headoffice_helpers import CHAIN_SECRET, DemoTill, renumber_till
from sqlalchemy import URL, create_engine, text

from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.services.demo import create_demo

DIALECTS = ["sqlite", "postgresql"]
DEMO_MEMBERS = 300


# -- PostgreSQL ---------------------------------------------------------------------------------


def postgresql_bin() -> Path | None:
    """The newest PostgreSQL server bin folder on this machine, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> URL:
        return self.database_url("postgres")

    def database_url(self, name: str) -> URL:
        return URL.create("postgresql+psycopg", username="postgres", database=name,
                          query={"host": str(self.folder), "port": str(self.port)})


def _run_as_postgres(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server command: as the postgres user when we are root (initdb and pg_ctl refuse
    to run as root), directly otherwise."""
    if os.geteuid() == 0:
        command = ["su", "postgres", "-c", shlex.join(command)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="session")
def postgresql_cluster() -> Iterator[Cluster]:
    binaries = postgresql_bin()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): the "
                    "head-office tests on PostgreSQL cannot run here")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a 'postgres' user to run initdb/pg_ctl as")
    folder = Path(tempfile.mkdtemp(prefix="ho-pgtest-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _free_port(), binaries)
    data, log = folder / "data", folder / "log"
    started = False
    try:
        done = _run_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                                 "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        assert done.returncode == 0, f"initdb failed:\n{done.stdout}\n{done.stderr}"
        # a test cluster: durability off (fsync), only the socket in our folder
        options = (f"-p {cluster.port} -k {folder} -c listen_addresses= -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        done = _run_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log),
                                 "-o", options, "-w", "start"])
        log_text = log.read_text(errors="replace") if log.exists() else ""
        assert done.returncode == 0, f"pg_ctl start failed:\n{done.stderr}\n{log_text}"
        started = True
        yield cluster
    finally:
        if started:
            _run_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                              "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_template(postgresql_cluster: Cluster) -> str:
    """A database migrated to the newest head-office revision, copied for every test."""
    name = "ho_template"
    admin = create_engine(postgresql_cluster.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    HeadOfficeDb.open(postgresql_cluster.database_url(name)).close()
    return name


_database_numbers = itertools.count(1)


@pytest.fixture
def make_headoffice(request: pytest.FixtureRequest, tmp_path: Path
                    ) -> Iterator[Callable[[str], HeadOfficeDb]]:
    """Factory: a new, migrated head-office database on "sqlite" or "postgresql"."""
    opened: list[HeadOfficeDb] = []
    dropped: list[str] = []
    clusters: list[Cluster] = []

    def factory(dialect: str) -> HeadOfficeDb:
        if dialect == "sqlite":
            db = HeadOfficeDb.open(tmp_path / f"headoffice{len(opened)}.sqlite")
        else:
            cluster: Cluster = request.getfixturevalue("postgresql_cluster")
            template = request.getfixturevalue("postgresql_template")
            clusters[:] = [cluster]
            name = f"ho_test_{next(_database_numbers)}"
            admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
            admin.dispose()
            dropped.append(name)
            db = HeadOfficeDb.open(cluster.database_url(name))
        opened.append(db)
        return db

    yield factory
    for db in opened:
        db.close()
    if dropped:
        admin = create_engine(clusters[0].url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in dropped:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def headoffice(dialect: str, make_headoffice: Callable[[str], HeadOfficeDb]) -> HeadOfficeDb:
    """A fresh head-office database; every test using it runs on SQLite and on PostgreSQL."""
    return make_headoffice(dialect)


# -- demo tills ---------------------------------------------------------------------------------


def _make_demo_till(folder: Path, seed: int, number: int, store_code: str) -> DemoTill:
    path = folder / f"till{number}.sqlite"
    create_demo(path, members=DEMO_MEMBERS, seed=seed, progress=lambda _: None)
    connection = sqlite3.connect(path)
    with connection:
        # this till's chain-wide number and store code (the demo always makes till 1 of S001),
        # and the chain secret head office handed out
        renumber_till(connection, number, store_code)
        connection.execute("UPDATE settings SET value = ? WHERE key = 'chain_secret'",
                           (CHAIN_SECRET.hex(),))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return DemoTill(path, number, store_code)


@pytest.fixture(scope="session")
def demo_tills(tmp_path_factory: pytest.TempPathFactory) -> list[DemoTill]:
    """Three demo tills (300 members each): 11 and 12 in store S001, 13 in store S003."""
    folder = tmp_path_factory.mktemp("demo-tills")
    return [_make_demo_till(folder, seed, number, code)
            for seed, number, code in ((1, 11, "S001"), (2, 12, "S001"), (3, 13, "S003"))]


@pytest.fixture
def demo_till(demo_tills: list[DemoTill]) -> DemoTill:
    return demo_tills[0]


# -- a real head-office service (serve_helpers.py) ----------------------------------------------

from serve_helpers import HeadOfficeServer  # noqa: E402  (kept with its fixture)


@pytest.fixture
def serve_headoffice(make_headoffice: Callable[[str], HeadOfficeDb], tmp_path: Path
                     ) -> Iterator[Callable[[str], HeadOfficeServer]]:
    """Factory: `loyalty-headoffice serve` running in a subprocess on loopback against a new
    head-office database on "sqlite" or "postgresql" (server.db: the test's own handle)."""
    servers: list[HeadOfficeServer] = []

    def factory(dialect: str) -> HeadOfficeServer:
        db = make_headoffice(dialect)
        server = HeadOfficeServer(db.url.render_as_string(hide_password=False),
                                  tmp_path / f"serve{len(servers)}", db=db)
        servers.append(server)
        return server.start()

    yield factory
    for server in servers:
        server.stop()
