"""`loyalty-headoffice`: import with a progress bar and a summary per file, refused files named
with their reason and a failing exit status, --version, the secret file, and the benchmark
(which prints figures and asserts none)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from headoffice_helpers import (
    CHAIN_SECRET,
    DemoTill,
    edit_json_line,
    export,
    rewrite,
    row_counts,
    till_ledger,
)

from loyalty_pos import __version__
from loyalty_pos.headoffice.cli import main
from loyalty_pos.headoffice.db import HeadOfficeDb


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "chain-secret.hex"
    path.write_text(CHAIN_SECRET.hex() + "\n")
    return path


def test_import_prints_progress_and_a_summary_and_names_refused_files(
        headoffice: HeadOfficeDb, demo_till: DemoTill, secret_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    n = len(till_ledger(demo_till.path))
    good = export(demo_till, tmp_path / "good.jsonl.gz")
    spoiled = rewrite(good, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: edit_json_line(lines, 2, amount=123_456))
    url = headoffice.url.render_as_string(hide_password=False)

    status = main(["import", "--db", url, "--secret-file", str(secret_file), str(good),
                   str(spoiled)])
    out, err = capsys.readouterr()
    assert status == 1  # one file was refused
    assert (f"good.jsonl.gz: till {demo_till.number} (store {demo_till.store_code}) "
            f"seq 1-{n}: {n} new, 0 already held; chain complete to seq {n}") in out
    assert "spoiled.jsonl.gz: REFUSED" in out and "signature does not match" in out
    assert f"REFUSED {spoiled}: the signature does not match" in err
    assert "1 of 2 file(s) imported, 1 refused" in out
    assert f"[{'#' * 30}] 100% {n:,}/{n:,} good.jsonl.gz" in err  # the progress bar
    assert row_counts(headoffice)["ho_ledger_entries"] == n

    status = main(["import", "--db", url, "--secret-file", str(secret_file), str(good)])
    out, _ = capsys.readouterr()
    assert status == 0
    assert f"0 new, {n} already held" in out and "1 of 1 file(s) imported" in out


def test_gaps_are_reported_but_do_not_fail_the_import(
        tmp_path: Path, demo_till: DemoTill, secret_file: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    late = export(demo_till, tmp_path / "late.jsonl.gz", since=20)
    status = main(["import", "--db", str(tmp_path / "ho.sqlite"), "--secret-file",
                   str(secret_file), str(late)])
    out, _ = capsys.readouterr()
    assert status == 0
    assert ("GAP: seq 1-20 missing (at the till: loyalty-pos export-ledger --since 0 "
            "--until 20)") in out
    assert "chain complete to seq 0" in out


def test_the_secret_must_be_given_and_be_hex(tmp_path: Path, demo_till: DemoTill,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = export(demo_till, tmp_path / "a.jsonl.gz", until=5)
    monkeypatch.delenv("LOYALTY_HEADOFFICE_SECRET_FILE", raising=False)
    database = str(tmp_path / "ho.sqlite")
    assert main(["import", "--db", database, str(path)]) == 2
    assert "give --secret-file" in capsys.readouterr().err
    bad = tmp_path / "bad.hex"
    bad.write_text("not hex at all")
    assert main(["import", "--db", database, "--secret-file", str(bad), str(path)]) == 2
    assert "does not hold a chain secret in hex" in capsys.readouterr().err
    good = tmp_path / "good.hex"
    good.write_text(CHAIN_SECRET.hex())
    monkeypatch.setenv("LOYALTY_HEADOFFICE_SECRET_FILE", str(good))
    assert main(["import", "--db", database, str(path)]) == 0


def test_a_file_that_is_not_there_is_refused(tmp_path: Path, secret_file: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["import", "--db", str(tmp_path / "ho.sqlite"), "--secret-file",
                   str(secret_file), str(tmp_path / "missing.jsonl.gz")])
    assert status == 1
    assert "REFUSED" in capsys.readouterr().err


def test_version_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "loyalty_pos.headoffice.cli", "--version"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"loyalty-headoffice {__version__}"


def test_the_benchmark_prints_both_figures(dialect: str, headoffice: HeadOfficeDb,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A tiny run of the benchmark: it works on scratch space and prints the import rate and,
    on PostgreSQL, raw COPY beside it. No timing is asserted."""
    url = headoffice.url.render_as_string(hide_password=False)
    counts = row_counts(headoffice)
    assert main(["bench", "--db", url, "--entries", "3000", "--drain-entries", "3000"]) == 0
    out = capsys.readouterr().out
    assert "ledger file: 3,000 entries" in out
    assert f"import from file into {dialect} (as shipped)" in out
    assert "same file again (every entry a verified duplicate)" in out
    assert "target: >= 150,000 entries/s" in out
    if dialect == "postgresql":
        assert "import, every batch by INSERT ... ON CONFLICT DO NOTHING" in out
        assert "raw COPY of the same rows, scratch table without index" in out
        assert "raw COPY of the same rows, scratch table with the primary key" in out
    assert "unsent ledger entries" in out and "whole sync_once: ledger, records, pull" in out
    assert row_counts(headoffice) == counts  # the database's own tables were not touched


def test_the_documented_example_secret_file_format(tmp_path: Path) -> None:
    """--secret-file holds the hex text of the till's chain_secret setting."""
    from loyalty_pos.headoffice.cli import read_secret

    path = tmp_path / "s.hex"
    path.write_text("  " + "ab" * 32 + "\n")
    assert read_secret(path) == bytes.fromhex("ab" * 32)


def test_a_gzip_member_with_a_json_header_only_is_refused(
        tmp_path: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "header-only.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps({"format": "loyalty-ledger"}).encode() + b"\n"))
    status = main(["import", "--db", str(tmp_path / "ho.sqlite"), "--secret-file",
                   str(secret_file), str(path)])
    assert status == 1
    assert "truncated" in capsys.readouterr().err
