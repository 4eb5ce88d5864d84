"""`loyalty-pos bench` reports every figure and leaves the shop's database as it found it.

No assertion about time here (or anywhere): the bench measures, it does not judge.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from loyalty_pos.bench import FIGURE_KEYS, run_bench
from loyalty_pos.services.demo import create_demo


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "shop.sqlite"
    create_demo(path, 150, seed=5, progress=lambda _: None)
    return path


def sales(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM sales").fetchone()[0]


def test_json_has_every_figure_and_the_checkout_ran_on_a_copy(
        shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sales(shop)
    files_before = sorted(p.name for p in shop.parent.iterdir())

    assert run_bench(shop, samples=50, as_json=True) == 0

    figures = json.loads(capsys.readouterr().out)
    assert set(FIGURE_KEYS) <= set(figures)
    assert all(isinstance(figures[k], int | float) and figures[k] > 0 for k in FIGURE_KEYS)
    assert figures["members"] == 150 and figures["samples"] == 50
    assert sales(shop) == before
    assert sorted(p.name for p in shop.parent.iterdir()) == files_before  # copy removed


def test_the_table_names_each_target(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bench(shop, samples=20) == 0
    table = capsys.readouterr().out
    for target in ("p99 <= 100 µs", "p99 <= 2,000 µs", "p50 <= 2,000 µs", "fsyncs/s"):
        assert target in table
