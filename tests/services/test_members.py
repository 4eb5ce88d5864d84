"""Members: enrolment with consent, refusals, withdrawal, edits, cards, lookup and search."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import pytest

from loyalty_pos.core import ecard
from loyalty_pos.core.ean import is_member_card_number, is_valid_ean13, make_card_number
from loyalty_pos.core.errors import Conflict, InvalidInput, NotFound
from loyalty_pos.paths import resources_dir
from loyalty_pos.services.checkout import SaleRequest
from loyalty_pos.services.lookup import MemberFinder

Snapshot = Callable[[], dict[str, object]]


@pytest.fixture
def finder(till) -> Iterator[MemberFinder]:  # type: ignore[no-untyped-def]
    connection = till.raw()
    yield MemberFinder(connection, till.secret())
    connection.close()


def _text_sha256(kind: str) -> str:
    text = (resources_dir() / "agreements" / f"{kind}.md").read_text(encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# enrolment


def test_enrol_records_consents_card_and_outbox(till) -> None:  # type: ignore[no-untyped-def]
    details = till.enrol("  Ann   Lee ", phone="+86 139-0000-0001", email="Ann@Example.com",
                         birthday=date(1990, 3, 5), notes="likes tea")
    summary = details.summary
    assert summary.name == "Ann Lee"
    assert summary.phone == "8613900000001"
    assert details.email == "ann@example.com"
    assert details.birthday == date(1990, 3, 5)
    assert summary.status == "active" and summary.tier_code == "basic"
    assert (summary.points_balance, summary.stored_value_balance) == (0, 0)
    assert details.consents == {"member_agreement": "accepted 2026.1",
                                "privacy": "accepted 2026.1"}  # no marketing unless asked

    # the card: the in-store range 29, this till's number, first serial, a valid EAN-13
    assert summary.card_number == make_card_number(7, 1) == "2900700000011"
    assert is_valid_ean13(summary.card_number) and is_member_card_number(summary.card_number)
    assert details.cards == [(summary.card_number, "active")]

    consents = till.rows("SELECT kind, action, agreement_version_id, text_sha256, at, till_id, "
                         "staff_id FROM consents WHERE member_id = ? ORDER BY id", summary.id)
    assert [(kind, action) for kind, action, *_ in consents] == [
        ("member_agreement", "accept"), ("privacy", "accept")]
    for kind, _, version_id, sha, at, till_id, staff_id in consents:
        assert sha == _text_sha256(kind)  # the exact text the member was shown
        assert till.scalar("SELECT sha256 FROM agreement_versions WHERE id = ?",
                           version_id) == sha
        assert till_id == till.ctx.till_id and staff_id == till.cashier_id
        assert at.startswith("2026-03-10")
    topics = [topic for (topic,) in till.rows("SELECT topic FROM outbox ORDER BY id")]
    assert sorted(topics) == ["consent", "consent", "member"]
    assert till.scalar("SELECT payload FROM outbox WHERE topic = 'member'").count(
        summary.card_number) == 1


def test_marketing_consent_is_separate(till) -> None:  # type: ignore[no-untyped-def]
    details = till.enrol("Ben", marketing_opt_in=True)
    assert details.consents["marketing"] == "opted in"
    rows = till.rows("SELECT kind, action, agreement_version_id, text_sha256 FROM consents "
                     "WHERE member_id = ? AND kind = 'marketing'", details.summary.id)
    assert rows == [("marketing", "accept", None, None)]
    withdrawn = till.members.set_marketing(details.summary.id, False, till.cashier_id)
    assert withdrawn.consents["marketing"] == "withdrawn"
    assert withdrawn.summary.status == "active"  # marketing is optional: no suspension


def test_every_member_gets_the_next_card_serial(till) -> None:  # type: ignore[no-untyped-def]
    numbers = [till.enrol(f"Member {i}").summary.card_number for i in range(3)]
    assert numbers == [make_card_number(7, serial) for serial in (1, 2, 3)]


@pytest.mark.parametrize(("changes", "error", "message"), [
    ({"phone": None, "email": None}, InvalidInput, "phone number or an email address"),
    ({"phone": "  ", "email": ""}, InvalidInput, "phone number or an email address"),
    ({"phone": "12-34"}, InvalidInput, "'12-34' is not a phone number"),
    ({"phone": "call me maybe"}, InvalidInput, "not a phone number"),
    ({"email": "ann.example.com"}, InvalidInput, "not an email address"),
    ({"name": "   "}, InvalidInput, "name is required"),
    ({"birthday": date(2099, 1, 1)}, InvalidInput, "not plausible"),
    ({"accepted_agreement_sha256": "0" * 64}, InvalidInput,
     r"current member agreement \(version 2026.1\)"),
    ({"accepted_privacy_sha256": ""}, InvalidInput, r"current privacy \(version 2026.1\)"),
    ({"referral_code": "NOSUCHCD"}, NotFound, "referral code 'NOSUCHCD' does not belong"),
])
def test_enrol_refusals(till, snapshot: Snapshot, changes: dict[str, object],  # type: ignore[no-untyped-def]
                        error: type[Exception], message: str) -> None:
    before = snapshot()
    with pytest.raises(error, match=message):
        till.members.enrol(replace(till.enrolment("Ann Lee", phone="13900000009"), **changes))
    assert snapshot() == before


def test_duplicate_phone_or_email_names_the_existing_member(till, snapshot: Snapshot  # type: ignore[no-untyped-def]
                                                            ) -> None:
    first = till.enrol("Ann Lee", phone="13900000001", email="ann@example.com")
    before = snapshot()
    with pytest.raises(Conflict, match=rf"member {first.summary.id} \(Ann Lee\) already has "
                                       "this phone number"):
        till.enrol("Someone Else", phone="139 0000 0001")
    with pytest.raises(Conflict, match=rf"member {first.summary.id} \(Ann Lee\) already has "
                                       "this email address"):
        till.enrol("Someone Else", phone="13900000002", email="ANN@example.com")
    assert snapshot() == before


def test_referral_codes(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    referrer = till.enrol("Ann Lee", phone="13900000001", email="ann@example.com")
    code = referrer.referral_code
    assert len(code) == 8
    friend = till.enrol("Bo Chen", phone="13900000002", referral_code=f" {code.lower()} ")
    assert friend.referred_by_id == referrer.summary.id
    before = snapshot()
    # the referrer signing up again with their own details and their own code
    with pytest.raises(Conflict):
        till.enrol("Ann Lee", phone="13900000001", referral_code=code)
    with pytest.raises(Conflict):
        till.enrol("Ann Lee", phone="13900000077", email="ann@example.com", referral_code=code)
    assert snapshot() == before


def test_withdrawal_is_a_new_row_and_suspends(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    details = till.members.withdraw_consent(member.id, "privacy", till.manager_id)
    assert details.summary.status == "suspended"
    assert details.consents["privacy"] == "withdrawn"
    assert details.consents["member_agreement"] == "accepted 2026.1"
    rows = till.rows("SELECT kind, action, staff_id FROM consents WHERE member_id = ? "
                     "ORDER BY id", member.id)
    assert rows == [("member_agreement", "accept", till.cashier_id),
                    ("privacy", "accept", till.cashier_id),
                    ("privacy", "withdraw", till.manager_id)]  # the acceptance is still there
    # a suspended member cannot earn or spend
    with pytest.raises(Conflict, match="suspended"):
        till.checkout.complete_sale(SaleRequest("8c1c3f4e-0b7e-4a53-9f5e-0c6a1b2c3d4e",
                                                till.cashier_id, [("BREAD", 1)], member.id))
    with pytest.raises(InvalidInput, match="unknown consent kind"):
        till.members.withdraw_consent(member.id, "cookies", till.manager_id)


def test_update_member(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    ann = till.enrol("Ann Lee", phone="13900000001").summary
    till.enrol("Bo Chen", phone="13900000002", email="bo@example.com")
    updated = till.members.update(ann.id, till.cashier_id, name="Ann Lee-Wong",
                                  phone="139 0000 0003", email="ANN@example.com",
                                  birthday=date(1985, 12, 1), notes="moved house")
    assert updated.summary.name == "Ann Lee-Wong"
    assert updated.summary.phone == "13900000003"
    assert (updated.email, updated.birthday, updated.notes) == (
        "ann@example.com", date(1985, 12, 1), "moved house")
    assert till.scalar("SELECT count(*) FROM audit_log WHERE action = 'member_updated'") == 1
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'member' AND ref = ?",
                       ann.uuid) == 2
    # keeping one's own phone is fine; taking someone else's is not
    till.members.update(ann.id, till.cashier_id, name="Ann", phone="13900000003", email=None,
                        birthday=None, notes="")
    before = snapshot()
    with pytest.raises(Conflict, match=r"\(Bo Chen\) already has this email address"):
        till.members.update(ann.id, till.cashier_id, name="Ann", phone="13900000003",
                            email="bo@example.com", birthday=None, notes="")
    with pytest.raises(InvalidInput, match="phone number or an email address"):
        till.members.update(ann.id, till.cashier_id, name="Ann", phone=None, email=None,
                            birthday=None, notes="")
    with pytest.raises(NotFound, match="member 999 does not exist"):
        till.members.update(999, till.cashier_id, name="Ann", phone="13900000003", email=None,
                            birthday=None, notes="")
    assert snapshot() == before


# --------------------------------------------------------------------------------------------
# cards


def test_block_and_replace_card_keeps_balances(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.top_up(member.id, 5000, "cash", till.cashier_id)
    till.balances.adjust_points(member.id, 300, "welcome gift", till.manager_id)
    old_card = member.card_number
    details = till.members.block_and_replace_card(old_card, "lost on the bus", till.cashier_id)
    new_card = details.summary.card_number
    assert new_card == make_card_number(7, 2) != old_card
    assert details.cards == [(old_card, "blocked"), (new_card, "active")]
    assert (details.summary.points_balance, details.summary.stored_value_balance) == (300, 5000)

    today = till.clock.today
    found_old = finder.by_card(old_card, today)
    assert found_old.id == member.id and found_old.card_blocked
    assert found_old.card_number == old_card
    assert (found_old.points_balance, found_old.stored_value_balance) == (300, 5000)
    found_new = finder.by_card(new_card, today)
    assert found_new.id == member.id and not found_new.card_blocked
    assert till.scalar("SELECT block_reason FROM cards WHERE number = ?", old_card) == (
        "lost on the bus")
    assert till.scalar("SELECT count(*) FROM audit_log WHERE action = 'card_replaced'") == 1

    with pytest.raises(Conflict, match="already blocked"):
        till.members.block_and_replace_card(old_card, "again", till.cashier_id)
    with pytest.raises(NotFound, match="does not exist"):
        till.members.block_and_replace_card(make_card_number(7, 99), "lost", till.cashier_id)
    with pytest.raises(InvalidInput, match="say why"):
        till.members.block_and_replace_card(new_card, "  ", till.cashier_id)


# --------------------------------------------------------------------------------------------
# finding members


def test_find_by_card_and_signed_scans(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    card = member.card_number
    today = till.clock.today
    assert finder.by_card(card, today).id == member.id
    assert finder.by_scan(card, today).id == member.id  # printed card: plain EAN-13
    payload = ecard.static_payload(card, till.secret())
    assert finder.by_scan(payload, today).id == member.id
    moment = till.clock().timestamp()
    rotating = ecard.rotating_payload(card, till.secret(), moment)
    assert finder.by_scan(rotating, today, now_unix=moment + 20).id == member.id
    with pytest.raises(InvalidInput, match="expired"):
        finder.by_scan(rotating, today, now_unix=moment + 600)
    with pytest.raises(InvalidInput, match="signature is not valid"):
        finder.by_scan(ecard.static_payload(card, b"not the chain secret"), today)
    with pytest.raises(InvalidInput, match="signature is not valid"):
        finder.by_scan(payload[:-1] + ("0" if payload[-1] != "0" else "1"), today)
    with pytest.raises(NotFound, match="not known at this till"):
        finder.by_card(make_card_number(7, 500), today)
    with pytest.raises(InvalidInput, match="not a member card"):
        finder.by_scan("4006381333931", today)  # a product barcode


def test_summary_shows_soonest_expiry(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.adjust_points(member.id, 120, "goodwill", till.manager_id)
    found = finder.by_card(member.card_number, till.clock.today)
    assert found.points_balance == 120
    assert (found.soonest_expiry, found.soonest_expiry_points) == (date(2027, 3, 10), 120)


def test_phone_prefix_search(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    till.enrol("Ann", phone="13912340002")
    till.enrol("Bo", phone="13912340001")
    till.enrol("Cy", phone="13800000000")
    till.enrol("Di", phone=None, email="di@example.com")
    today = till.clock.today
    assert [m.name for m in finder.search("1391234", today)] == ["Bo", "Ann"]
    assert [m.name for m in finder.search("139 1234-0002", today)] == ["Ann"]
    assert [m.name for m in finder.search("+138", today)] == ["Cy"]
    assert [m.name for m in finder.search("1", today)] == ["Cy", "Bo", "Ann"]
    assert finder.search("1391234", today, limit=1)[0].name == "Bo"
    assert finder.search("137", today) == []
    with pytest.raises(InvalidInput, match="at most 15 digits"):
        finder.search("1" * 16, today)


def test_name_search(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    for name in ("Alice Example", "Bob Stone", "王小明", "李明", "Malice Cooper"):
        till.enrol(name)
    today = till.clock.today

    def names(query: str) -> list[str]:
        return sorted(m.name for m in finder.search(query, today))

    # 3 or more characters: a substring anywhere in the name (FTS5 trigram), any case
    assert names("lice") == ["Alice Example", "Malice Cooper"]
    assert names("ALICE") == ["Alice Example", "Malice Cooper"]
    assert names("e Ex") == ["Alice Example"]
    assert names("  stone ") == ["Bob Stone"]
    assert names("王小明") == ["王小明"]
    assert names("nobody") == []
    assert names('"Al') == []  # FTS syntax is quoted, never interpreted
    # 1 or 2 characters: the start of the name (a surname), not a substring
    assert names("Al") == ["Alice Example"]
    assert names("b") == ["Bob Stone"]
    assert names("王") == ["王小明"]
    assert names("王小") == ["王小明"]
    assert names("小明") == []  # two Hanzi in the middle of a name are not a prefix
    assert names("明") == []
    assert names("李") == ["李明"]
    assert names("%") == [] and names("_") == []  # LIKE wildcards are escaped
    for blank in ("", "   ", None):
        with pytest.raises(InvalidInput, match="type part of a name"):
            finder.search(blank, today)  # type: ignore[arg-type]


def test_search_finds_a_renamed_member_by_the_new_name(till, finder: MemberFinder) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Alice Example", phone="13900000001").summary
    till.members.update(member.id, till.cashier_id, name="Zoe Keys", phone="13900000001",
                        email=None, birthday=None, notes="")
    today = till.clock.today
    assert [m.id for m in finder.search("Keys", today)] == [member.id]
    assert [m.id for m in finder.search("Zo", today)] == [member.id]
    assert finder.search("Example", today) == []
    assert finder.search("Al", today) == []


def test_details_of_unknown_member(till) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="member 42 does not exist"):
        till.members.details(42)
