"""Keyboard-wedge detection: a scanner's fast burst ending in Enter versus a person typing."""

from __future__ import annotations

from loyalty_pos.devices.wedge import KeyboardWedgeDetector, looks_like_scan

CARD = "2900100000017"


def type_keys(detector: KeyboardWedgeDetector, keys: str, start_ms: float,
              gap_ms: float) -> list[str | None]:
    """Feed each key `gap_ms` after the previous one; return what each feed returned."""
    return [detector.feed(key, start_ms + index * gap_ms) for index, key in enumerate(keys)]


def test_fast_burst_ending_in_enter_is_a_scan() -> None:
    results = type_keys(KeyboardWedgeDetector(), CARD + "\n", 1000.0, 4.0)
    assert results[:-1] == [None] * len(CARD)
    assert results[-1] == CARD


def test_qt_return_key_text_also_ends_a_scan() -> None:
    assert type_keys(KeyboardWedgeDetector(), CARD + "\r", 0.0, 4.0)[-1] == CARD


def test_human_typing_speed_is_not_a_scan() -> None:
    detector = KeyboardWedgeDetector()
    assert type_keys(detector, CARD + "\n", 1000.0, 90.0) == [None] * (len(CARD) + 1)


def test_just_under_and_at_the_gap_limit() -> None:
    assert type_keys(KeyboardWedgeDetector(max_gap_ms=35.0), CARD + "\n", 0.0, 34.9)[-1] == CARD
    assert type_keys(KeyboardWedgeDetector(max_gap_ms=35.0), CARD + "\n", 0.0, 35.0)[-1] is None


def test_too_short_burst_is_not_a_scan() -> None:
    detector = KeyboardWedgeDetector(min_length=6)
    assert type_keys(detector, "12345\n", 0.0, 3.0)[-1] is None
    assert type_keys(detector, "123456\n", 100.0, 3.0)[-1] == "123456"


def test_slow_gap_in_the_middle_starts_a_new_burst() -> None:
    detector = KeyboardWedgeDetector(min_length=6)
    type_keys(detector, "999", 0.0, 3.0)
    # A pause longer than max_gap_ms, then a real scan: only the scan comes out.
    results = type_keys(detector, CARD + "\n", 500.0, 3.0)
    assert results[-1] == CARD


def test_slow_gap_leaves_too_few_fast_characters() -> None:
    detector = KeyboardWedgeDetector(min_length=6)
    type_keys(detector, "290010", 0.0, 3.0)
    assert type_keys(detector, "0000017\n", 200.0, 3.0)[-1] == "0000017"
    type_keys(detector, "2900100", 1000.0, 3.0)
    assert type_keys(detector, "017\n", 1200.0, 3.0)[-1] is None  # only "017" after the pause


def test_enter_long_after_the_burst_is_not_a_scan() -> None:
    detector = KeyboardWedgeDetector()
    type_keys(detector, CARD, 0.0, 3.0)
    assert detector.feed("\n", 3.0 * len(CARD) + 500.0) is None
    assert detector.buffered() == ""


def test_pending_from_the_second_fast_key_until_enter() -> None:
    detector = KeyboardWedgeDetector()
    assert not detector.pending
    detector.feed("2", 0.0)
    assert not detector.pending, "one key cannot be told apart from typing"
    detector.feed("9", 4.0)
    assert detector.pending
    assert detector.buffered() == "29"
    type_keys(detector, "00100000017", 8.0, 4.0)
    assert detector.pending
    assert detector.feed("\n", 60.0) == CARD
    assert not detector.pending
    assert detector.buffered() == ""


def test_pending_stays_off_while_a_person_types() -> None:
    detector = KeyboardWedgeDetector()
    for index, key in enumerate("hello world"):
        detector.feed(key, index * 120.0)
        assert not detector.pending


def test_reset_and_non_printable_keys_end_the_burst() -> None:
    detector = KeyboardWedgeDetector()
    type_keys(detector, "290010", 0.0, 3.0)
    detector.reset()
    assert not detector.pending
    assert detector.feed("\n", 21.0) is None

    type_keys(detector, "290010", 100.0, 3.0)
    detector.feed("\x1b", 118.0)  # Escape
    assert detector.buffered() == ""


def test_key_without_text_is_ignored() -> None:
    detector = KeyboardWedgeDetector()
    keys = ["A", "", "B", "", "C", "1", "2", "3", "\n"]  # Shift presses carry no text in Qt
    results = [detector.feed(key, index * 3.0) for index, key in enumerate(keys)]
    assert results[-1] == "ABC123"


def test_looks_like_scan() -> None:
    fast = [(char, index * 5.0) for index, char in enumerate(CARD + "\n")]
    slow = [(char, index * 80.0) for index, char in enumerate(CARD)]
    assert looks_like_scan(fast)
    assert not looks_like_scan(slow)
    assert not looks_like_scan(fast[:5])
    assert not looks_like_scan([*fast[:5], ("\n", 25.0)]), "Enter does not count for length"
