"""Member cards as a cashier meets them: what we print and show scans back, and the till accepts
exactly what we print (signed QR and plain EAN-13) and refuses forged or expired codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from loyalty_pos.cards.member_card import (
    PrintedCard,
    load_branding,
    render_card_pdf,
)
from loyalty_pos.cards.receipt_pdf import CJK_TTF_NAME, cjk_font
from loyalty_pos.core.ecard import (
    STEP_SECONDS,
    card_number_from_scan,
    rotating_payload,
    static_payload,
)
from loyalty_pos.core.errors import Conflict, InvalidInput, NotFound
from loyalty_pos.services.cards import CardService
from loyalty_pos.services.lookup import MemberFinder
from loyalty_pos.services.till import TillServices

DPI = 600
MM_PER_POINT = 25.4 / 72
FORMATS = [zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def finder(till) -> Iterator[MemberFinder]:  # type: ignore[no-untyped-def]
    """The till's own scan lookup, wired as the till front end wires it."""
    services = TillServices.for_context(till.ctx)
    yield services.finder
    services.finder.connection.close()


@pytest.fixture
def cards(till) -> CardService:  # type: ignore[no-untyped-def]
    return CardService(till.ctx)


def now_unix(till) -> float:  # type: ignore[no-untyped-def]
    return till.clock().timestamp()


def page_image(path: Path, index: int = 0, dpi: int = DPI) -> Image.Image:
    return pdfium.PdfDocument(path)[index].render(scale=dpi / 72).to_pil()


def decoded(image: Image.Image) -> dict[str, list[str]]:
    """Format name -> decoded texts, sorted."""
    found: dict[str, list[str]] = {}
    for code in zxingcpp.read_barcodes(image, formats=FORMATS):
        found.setdefault(code.format.name, []).append(code.text)
    return {name: sorted(texts) for name, texts in found.items()}


def pdf_text(path: Path, index: int = 0) -> str:
    return pdfium.PdfDocument(path)[index].get_textpage().get_text_range()


def size_mm(path: Path, index: int = 0) -> tuple[float, float]:
    left, bottom, right, top = pdfium.PdfDocument(path)[index].get_mediabox()
    return (right - left) * MM_PER_POINT, (top - bottom) * MM_PER_POINT


def forge(payload: str) -> str:
    """The payload with one hex digit of its signature changed."""
    last = payload[-1]
    return payload[:-1] + ("0" if last != "0" else "1")


def test_printed_card_is_id1_and_both_codes_scan_at_the_till(  # type: ignore[no-untyped-def]
        till, cards: CardService, finder: MemberFinder, tmp_path: Path) -> None:
    member = till.enrol("Alice Example").summary
    card = cards.printed_card(member.id)
    assert card.card_number == member.card_number
    assert card.qr_payload == static_payload(member.card_number, till.secret())
    assert (card.member_name, card.tier_name, card.issued_on) == (
        "Alice Example", "Basic", till.clock.today)

    path = cards.write_card_pdf(member.id, tmp_path / "card.pdf")
    assert len(pdfium.PdfDocument(path)) == 2  # front and back, for duplex card printers
    for index in (0, 1):
        width, height = size_mm(path, index)
        assert width == pytest.approx(85.60, abs=0.01)
        assert height == pytest.approx(53.98, abs=0.01)

    codes = decoded(page_image(path))
    assert codes == {"EAN13": [member.card_number], "QRCode": [card.qr_payload]}
    today = till.clock.today
    for scanned in (codes["EAN13"][0], codes["QRCode"][0]):
        assert finder.by_scan(scanned, today, now_unix(till)).id == member.id
    with pytest.raises(InvalidInput, match="signature"):
        finder.by_scan(forge(codes["QRCode"][0]), today, now_unix(till))
    front = pdf_text(path)
    assert "Alice Example" in front and "Harbour Rewards" in front and "BASIC" in front
    assert member.card_number in pdf_text(path, 1)  # the back names the card


def test_sheet_prints_ten_cards_a_page_with_every_code_readable(  # type: ignore[no-untyped-def]
        till, cards: CardService, finder: MemberFinder, tmp_path: Path) -> None:
    members = [till.enrol(f"Member {n:02d}").summary for n in range(12)]
    path = cards.write_card_sheet([m.id for m in members], tmp_path / "sheet.pdf")
    assert len(pdfium.PdfDocument(path)) == 2
    assert size_mm(path) == pytest.approx((210, 297), abs=0.1)
    secret = till.secret()
    today = till.clock.today
    for index, expected in ((0, members[:10]), (1, members[10:])):
        codes = decoded(page_image(path, index))
        assert codes["EAN13"] == sorted(m.card_number for m in expected)
        assert codes["QRCode"] == sorted(static_payload(m.card_number, secret)
                                         for m in expected)
        found = {finder.by_scan(text, today, now_unix(till)).id for text in codes["QRCode"]}
        assert found == {m.id for m in expected}


def test_ecard_page_and_png_scan_back(  # type: ignore[no-untyped-def]
        till, cards: CardService, finder: MemberFinder, tmp_path: Path) -> None:
    member = till.enrol("Bob Example").summary
    payload = cards.printed_card(member.id).qr_payload
    page = cards.write_ecard_page(member.id, tmp_path / "ecard.pdf")
    assert size_mm(page) == pytest.approx((210, 297), abs=0.1)
    assert decoded(page_image(page)) == {"EAN13": [member.card_number], "QRCode": [payload]}
    text = pdf_text(page)
    assert "Your electronic card" in text and "Bob Example" in text

    png = cards.write_ecard_png(member.id, tmp_path / "ecard.png")
    with Image.open(png) as image:
        assert image.size == (1080, 1920)
        codes = decoded(image)
    assert codes == {"EAN13": [member.card_number], "QRCode": [payload]}
    assert finder.by_scan(codes["QRCode"][0], till.clock.today, now_unix(till)).id == member.id


def test_rotating_code_is_accepted_now_and_refused_five_minutes_later(  # type: ignore[no-untyped-def]
        till, cards: CardService, finder: MemberFinder, tmp_path: Path) -> None:
    member = till.enrol("Carol Example").summary
    now = now_unix(till)
    payload = cards.rotating_payload(member.id, now)
    assert payload.startswith(f"LP2.{member.card_number}.{int(now) // STEP_SECONDS}.")
    png = cards.write_ecard_png(member.id, tmp_path / "live.png", unix_time=now)
    with Image.open(png) as image:
        scanned = decoded(image)["QRCode"]
    assert scanned == [payload]
    today = till.clock.today
    assert finder.by_scan(scanned[0], today, now).id == member.id
    assert finder.by_scan(scanned[0], today, now + STEP_SECONDS).id == member.id  # drift
    with pytest.raises(InvalidInput, match="expired"):
        finder.by_scan(scanned[0], today, now + 300)
    with pytest.raises(InvalidInput, match="signature"):
        finder.by_scan(forge(scanned[0]), today, now)


def test_chinese_name_renders_on_card_and_ecard(  # type: ignore[no-untyped-def]
        till, cards: CardService, tmp_path: Path) -> None:
    member = till.enrol("王小明").summary
    path = cards.write_card_pdf(member.id, tmp_path / "cn.pdf")
    assert decoded(page_image(path))["EAN13"] == [member.card_number]
    png = cards.write_ecard_png(member.id, tmp_path / "cn.png")
    with Image.open(png) as image:
        assert decoded(image)["EAN13"] == [member.card_number]
    if cjk_font() != CJK_TTF_NAME:
        pytest.skip("no CJK TrueType font on this machine: the card uses the STSong-Light CID "
                    "font, whose text pdfium cannot extract without a CJK font installed")
    assert "王小明" in pdf_text(path)


def test_no_card_for_unknown_inactive_or_cardless_members(  # type: ignore[no-untyped-def]
        till, cards: CardService, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        cards.printed_card(999_999)
    suspended = till.enrol("Dan Example").summary
    till.members.withdraw_consent(suspended.id, "privacy", till.cashier_id)
    with pytest.raises(Conflict, match="suspended"):
        cards.write_card_pdf(suspended.id, tmp_path / "x.pdf")
    cardless = till.enrol("Eve Example").summary
    connection = till.raw()
    connection.execute("UPDATE cards SET status = 'blocked' WHERE member_id = ?", (cardless.id,))
    connection.close()
    with pytest.raises(Conflict, match="no active card"):
        cards.rotating_payload(cardless.id, now_unix(till))
    with pytest.raises(InvalidInput):
        cards.write_card_sheet([], tmp_path / "empty.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_branding_falls_back_without_files_and_refuses_bad_colours(tmp_path: Path) -> None:
    shipped = load_branding()
    assert shipped.program_name == "Harbour Rewards"
    assert shipped.logo is not None and shipped.logo.is_file()

    bare = load_branding(tmp_path)  # no branding folder at all
    assert bare.logo is None and bare.program_name
    number = "2900700000011"
    card = PrintedCard("No Logo", number, static_payload(number, b"k" * 32), "Basic",
                       date(2026, 3, 10))
    path = render_card_pdf(card, tmp_path / "plain.pdf", bare)
    assert decoded(page_image(path, dpi=400))["EAN13"] == [number]

    folder = tmp_path / "branding"
    folder.mkdir()
    (folder / "brand.json").write_text(json.dumps({"primary_color": "navy"}), "utf-8")
    with pytest.raises(InvalidInput, match="primary_color"):
        load_branding(tmp_path)
    with pytest.raises(InvalidInput, match="not a valid EAN-13"):
        PrintedCard("X", "2900700000012", "LP1.x.y", "Basic", card.issued_on)


def test_format_document_examples_match_the_code() -> None:
    """docs/ecard-format.md quotes payloads for a test secret: they must be what we compute."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ecard-format.md").read_text("utf-8")
    secret = bytes(range(32))
    number = "2900700000011"
    moment = 1_773_140_400  # 2026-03-10 11:00:00 UTC
    assert secret.hex() in doc
    assert static_payload(number, secret) in doc
    for offset in (0, 30, 65, 300):
        assert rotating_payload(number, secret, moment + offset) in doc
    assert rotating_payload(number, secret, moment + 29) == rotating_payload(number, secret,
                                                                           moment)
    assert card_number_from_scan(rotating_payload(number, secret, moment + 30), secret,
                                 moment) == number
    for refused in (rotating_payload(number, secret, moment + 65),
                    rotating_payload(number, secret, moment + 300),
                    f"LP1.{number}.0000000000000000", f"LP3.{number}.abc", "2900700000012"):
        assert refused in doc
        with pytest.raises(InvalidInput):
            card_number_from_scan(refused, secret, moment)
