"""Help (FAQ) seeded on first use, searched, edited as new versions; agreement texts published
as new versions that enrolment then requires."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest

from loyalty_pos.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from loyalty_pos.services.help import HelpService, faq_seed_path
from loyalty_pos.services.program import ProgramService

Snapshot = Callable[[], dict[str, object]]


def test_faq_is_seeded_on_first_use_and_search_finds_expiry(till) -> None:  # type: ignore[no-untyped-def]
    assert till.scalar("SELECT count(*) FROM faq_entries") == 0
    help_ = HelpService(till.ctx)
    shipped = json.loads(faq_seed_path().read_text(encoding="utf-8"))["entries"]
    everything = help_.search("")
    assert [v.topic for v in everything] == [e["topic"] for e in shipped]
    assert all(v.version == 1 and v.updated_by is None for v in everything)
    assert till.scalar("SELECT count(*) FROM faq_entries") == len(shipped)
    help_.search("anything")  # a second use does not seed again
    assert till.scalar("SELECT count(*) FROM faq_entries") == len(shipped)

    found = {v.topic for v in help_.search("EXPIRE")}
    assert {"expiry", "soonest_expiry_first"} <= found
    expiry = next(v for v in help_.search("expire") if v.topic == "expiry")
    # settings in braces are shown with the till's current rules
    assert "12 months after the day you earned them" in expiry.answer
    assert "{points_expiry_months}" in expiry.answer_source
    assert "refund" in {v.topic for v in help_.search("Shortfall")}
    # every word must appear, in any order
    assert [v.topic for v in help_.search("debt returned goods", "member")] == ["refund"]
    cashier_topics = {v.topic for v in help_.search("", "cashier")}
    assert {"scanning", "split_payment", "refunds_cashier", "manager_override",
            "offline"} <= cashier_topics
    assert all(v.audience == "cashier" for v in help_.search("", "cashier"))
    with pytest.raises(InvalidInput, match="audience"):
        help_.search("x", "manager")


def test_faq_answers_follow_the_program_rules(till) -> None:  # type: ignore[no-untyped-def]
    ProgramService(till.ctx).update_rules(till.manager_id, points_expiry_months=24,
                                          stored_value_max_balance=100_000)
    help_ = HelpService(till.ctx)
    [expiry] = [v for v in help_.search("expire") if v.topic == "expiry"]
    assert "24 months after the day" in expiry.answer
    [stored] = [v for v in help_.search("top up") if v.topic == "stored_value"]
    assert "at most ¥1,000.00" in stored.answer


def test_edit_creates_a_new_version_and_history_keeps_both(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    help_ = HelpService(till.ctx)
    original = help_.history("lost_card")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        help_.edit(till.cashier_id, "lost_card", "Lost card?", "Call us.", "member")
    with pytest.raises(InvalidInput, match="answer is required"):
        help_.edit(till.manager_id, "lost_card", "Lost card?", "  ", "member")
    with pytest.raises(InvalidInput, match="unchanged"):
        help_.edit(till.manager_id, "lost_card", original[0].question_source,
                   original[0].answer_source, "member")
    with pytest.raises(InvalidInput, match="topic key"):
        help_.edit(till.manager_id, "Lost Card!", "Q", "A", "member")
    assert snapshot() == before

    new_answer = ("Ring the service desk or tell any cashier: we block the card at once and "
                  "print a replacement; points and stored value move to the new card.")
    view = help_.edit(till.manager_id, "lost_card", "I lost my card. What now?", new_answer,
                      "member")
    assert (view.version, view.updated_by) == (2, "Maria Manager")
    [shown] = help_.search("service desk")
    assert (shown.topic, shown.version, shown.answer) == ("lost_card", 2, new_answer)
    assert [v.topic for v in help_.search("block it and issue")] == []  # the old text is gone
    history = help_.history("lost_card")
    assert [v.version for v in history] == [1, 2]
    assert history[0].answer == original[0].answer and history[1].answer == new_answer
    [(target, details)] = till.rows(
        "SELECT target, details FROM audit_log WHERE action = 'faq_edited'")
    assert target == "faq:lost_card"
    assert json.loads(details)["old"]["version"] == 1
    assert json.loads(details)["new"]["answer"] == new_answer
    # a new topic starts at version 1
    assert help_.edit(till.manager_id, "gift_cards", "Do you sell gift cards?", "Not yet.",
                      "member").version == 1
    with pytest.raises(NotFound):
        help_.history("no_such_topic")


def test_publish_agreement_and_enrolment_requires_the_new_text(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    help_ = HelpService(till.ctx)
    current = help_.current_agreements()
    old = current["member_agreement"]
    assert old.version == "2026.1" and old.sha256 == hashlib.sha256(
        old.text.encode()).hexdigest()
    new_text = old.text.replace("Version 2026.1", "Version 2026.2") + (
        "9. **Changes.** We tell members about changes to this agreement a month ahead.\n")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        help_.publish_agreement(till.cashier_id, "member_agreement", "2026.2", new_text)
    with pytest.raises(Conflict, match="already published"):
        help_.publish_agreement(till.manager_id, "member_agreement", "2026.1", new_text)
    with pytest.raises(Conflict, match="same as the current"):
        help_.publish_agreement(till.manager_id, "member_agreement", "2026.9", old.text)
    with pytest.raises(InvalidInput, match="kind"):
        help_.publish_agreement(till.manager_id, "cookies", "1", "text")
    with pytest.raises(InvalidInput, match="text is required"):
        help_.publish_agreement(till.manager_id, "privacy", "2", " \n")
    assert snapshot() == before

    published = help_.publish_agreement(till.manager_id, "member_agreement", "2026.2",
                                        new_text)
    assert published.sha256 == hashlib.sha256(new_text.encode()).hexdigest()
    assert help_.current_agreements()["member_agreement"] == published
    assert help_.current_agreements()["privacy"] == current["privacy"]
    assert [v.version for v in help_.agreement_history("member_agreement")] == ["2026.1",
                                                                               "2026.2"]
    with pytest.raises(Conflict, match="already published"):
        help_.publish_agreement(till.manager_id, "member_agreement", "2026.2", new_text + "x")

    # enrolment now needs the new text: the old hash is refused, the new one accepted
    with pytest.raises(InvalidInput, match=r"current member agreement \(version 2026.2\)"):
        till.members.enrol(till.enrolment("Old Text", accepted_agreement_sha256=old.sha256))
    member = till.members.enrol(till.enrolment("New Text",
                                               accepted_agreement_sha256=published.sha256))
    assert member.consents["member_agreement"] == "accepted 2026.2"
    [(details,)] = till.rows("SELECT details FROM audit_log WHERE action = "
                             "'agreement_published'")
    assert json.loads(details) == {"old": {"version": "2026.1", "sha256": old.sha256},
                                   "new": {"version": "2026.2", "sha256": published.sha256}}
