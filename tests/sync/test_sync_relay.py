"""The relay's schedule: back-off with jitter after unreachable, at most 8 attempts in a row,
the regular cycle after a success or a refusal. A seeded random and a fake wait: no real
sleeping."""

from __future__ import annotations

import random
import threading

import pytest

from loyalty_pos.sync.cycle import FAILED, OK, REFUSED, UNREACHABLE, SyncReport
from loyalty_pos.sync.relay import MAX_ATTEMPTS, REGULAR_INTERVAL, Relay, next_delay


class Script:
    """A fake sync answering the outcomes it was given, then stopping the relay."""

    def __init__(self, outcomes: list[str], stop: threading.Event) -> None:
        self.outcomes = list(outcomes)
        self.stop = stop
        self.calls = 0

    def __call__(self) -> SyncReport:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if not self.outcomes:
            self.stop.set()
        return SyncReport(error=None if outcome == OK else outcome, outcome=outcome)


def run(outcomes: list[str], seed: int = 3) -> tuple[list[float], list[SyncReport], Script]:
    stop = threading.Event()
    script = Script(outcomes, stop)
    waits: list[float] = []
    reports: list[SyncReport] = []
    relay = Relay(script, on_report=reports.append, rng=random.Random(seed),
                  wait=lambda seconds, _stop: waits.append(seconds))
    relay.run_forever(stop)
    return waits, reports, script


def test_next_delay_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(11)
    for failures in range(1, 15):
        base = min(300, 2 ** failures)
        delay = next_delay(failures, rng)
        assert 0.5 * base <= delay <= 1.5 * base
    assert max(next_delay(20, random.Random(s)) for s in range(200)) <= 450


def test_unreachable_backs_off_exactly_as_the_seeded_formula_says() -> None:
    waits, reports, script = run([UNREACHABLE] * 4 + [OK, OK])
    expected_rng = random.Random(3)
    expected = [min(300, 2 ** n) * expected_rng.uniform(0.5, 1.5) for n in (1, 2, 3, 4)]
    assert waits[:4] == pytest.approx(expected)
    assert waits[4] == REGULAR_INTERVAL  # a success: back to the regular cycle
    assert script.calls == 6 and len(reports) == 6


def test_at_most_eight_attempts_in_a_row_then_the_regular_cycle() -> None:
    waits, _, _ = run([UNREACHABLE] * (MAX_ATTEMPTS + 3))
    rng = random.Random(3)
    burst = [min(300, 2 ** n) * rng.uniform(0.5, 1.5) for n in range(1, MAX_ATTEMPTS)]
    again = [min(300, 2 ** n) * rng.uniform(0.5, 1.5) for n in (1, 2)]
    # 8 attempts: 7 back-offs, then the regular cycle after the 8th; then a new burst
    assert waits == pytest.approx([*burst, REGULAR_INTERVAL, *again])


def test_a_refusal_is_not_retried_before_the_regular_cycle() -> None:
    waits, reports, _ = run([UNREACHABLE, UNREACHABLE, REFUSED, FAILED, OK])
    assert waits[2] == REGULAR_INTERVAL and waits[3] == REGULAR_INTERVAL
    assert [r.outcome for r in reports] == [UNREACHABLE, UNREACHABLE, REFUSED, FAILED, OK]


def test_a_crashing_sync_or_callback_does_not_kill_the_relay() -> None:
    stop = threading.Event()
    calls = []

    def sync() -> SyncReport:
        calls.append(1)
        if len(calls) == 3:
            stop.set()
        raise RuntimeError("boom")

    def broken_callback(report: SyncReport) -> None:
        raise ValueError("the UI is gone")

    waits: list[float] = []
    Relay(sync, on_report=broken_callback, rng=random.Random(1),
          wait=lambda s, _: waits.append(s)).run_forever(stop)
    assert len(calls) == 3 and len(waits) == 2


def test_sync_now_ends_a_real_wait_and_stop_ends_the_thread() -> None:
    stop = threading.Event()
    done = threading.Event()
    reports: list[SyncReport] = []

    def sync() -> SyncReport:
        if len(reports) == 1:
            done.set()
        return SyncReport()

    relay = Relay(sync, on_report=reports.append, interval=3600)
    thread = threading.Thread(target=relay.run_forever, args=(stop,), daemon=True)
    thread.start()
    for _ in range(100):
        if reports:
            break
        threading.Event().wait(0.01)
    relay.sync_now()  # the second sync comes long before the hour is up
    assert done.wait(5)
    stop.set()
    relay.sync_now()
    thread.join(5)
    assert not thread.is_alive()
