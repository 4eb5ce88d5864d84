"""Printed member cards: one ID-1 card (85.60 x 53.98 mm) per PDF, or A4 sheets of ten.

Front: brand-coloured card with the logo, program name, tier, member name and a white panel with
the card number as an EAN-13 barcode (for any till scanner) and the signed static QR payload
(`core.ecard.static_payload`, for QR scanners). Back: how to use the card and whom to call.

Barcodes are drawn as vector shapes (bars from python-barcode's EAN-13 encoding, modules from
qrcode's matrix), so they stay crisp at any printer resolution. Text uses `receipt_pdf`'s font
logic: Latin in Helvetica, Chinese runs in the CJK font.

Database-free: the caller (services/cards.py) passes a `PrintedCard` and a `Branding`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import qrcode
from barcode import EAN13
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ..core.ean import is_valid_ean13
from ..core.errors import InvalidInput
from ..paths import resources_dir as default_resources_dir
from .receipt_pdf import draw_text, font_runs, text_width

# ISO/IEC 7810 ID-1, the size of a bank card; corner radius 3.18 mm
CARD_WIDTH = 85.60 * mm
CARD_HEIGHT = 53.98 * mm
CARD_RADIUS = 3.18 * mm

SHEET_COLUMNS = 2
SHEET_ROWS = 5
CARDS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
CROP_MARK_GAP = 2 * mm  # between the cut line's end and the mark
CROP_MARK_LENGTH = 5 * mm

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"

EAN_LEFT_QUIET = 11  # modules; the first digit is printed there
EAN_RIGHT_QUIET = 7
EAN_MODULES = 95
EAN_GUARDS = frozenset([0, 1, 2, 45, 46, 47, 48, 49, 92, 93, 94])

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

BRAND_FILE = "brand.json"
BRANDING_DIR = "branding"


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Branding:
    """How the chain's cards look. Colours are '#RRGGBB'; `logo` is None when there is none."""
    program_name: str = "Loyalty Rewards"
    chain_name: str = ""
    tagline: str = ""
    primary_color: str = "#0E4C6E"
    secondary_color: str = "#F4B942"
    text_on_primary: str = "#FFFFFF"
    support_phone: str = ""
    website: str = ""
    logo: Path | None = None
    tier_colors: Mapping[str, str] = field(default_factory=dict)

    def tier_color(self, tier_code: str) -> str:
        return self.tier_colors.get(tier_code, self.secondary_color)


@dataclass(frozen=True)
class PrintedCard:
    """What goes on one member's card. `qr_payload` is the signed static payload."""
    member_name: str
    card_number: str
    qr_payload: str
    tier_name: str
    issued_on: date
    tier_code: str = ""
    member_since: date | None = None
    program_name: str = ""  # empty: the branding's program name
    store_name: str = ""  # the store that printed the card

    def __post_init__(self) -> None:
        if not is_valid_ean13(self.card_number):
            raise InvalidInput(f"'{self.card_number}' is not a valid EAN-13 card number")
        if not self.qr_payload:
            raise InvalidInput("a card needs a QR payload")


def _colour(value: object, name: str) -> str:
    text = str(value).strip()
    digits = text.removeprefix("#")
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise InvalidInput(f"brand colour {name} must look like #0E4C6E, not '{text}'")
    return "#" + digits.upper()


def load_branding(resources_dir: str | Path | None = None) -> Branding:
    """Read `<resources>/branding/brand.json`; defaults where the file or a key is missing.

    The logo named in the file (default `logo.png`) is used only if it exists, so a chain
    without a logo still gets cards (with a monogram badge instead).
    """
    folder = Path(resources_dir if resources_dir is not None else default_resources_dir())
    folder = folder / BRANDING_DIR
    path = folder / BRAND_FILE
    raw: dict[str, object] = {}
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"{path} is not readable JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise InvalidInput(f"{path} must hold a JSON object")
    defaults = Branding()
    texts = {key: str(raw.get(key, getattr(defaults, key))).strip()
             for key in ("program_name", "chain_name", "tagline", "support_phone", "website")}
    colours = {key: _colour(raw.get(key, getattr(defaults, key)), key)
               for key in ("primary_color", "secondary_color", "text_on_primary")}
    tiers = raw.get("tier_colors", {})
    if not isinstance(tiers, dict):
        raise InvalidInput(f"{path}: tier_colors must map tier codes to colours")
    logo = folder / str(raw.get("logo", "logo.png"))
    return Branding(**texts, **colours,
                    logo=logo if logo.is_file() else None,
                    tier_colors={str(k): _colour(v, f"tier_colors.{k}") for k, v in tiers.items()})


# -- barcode geometry (shared with ecard_render) -----------------------------------------------


def ean13_modules(card_number: str) -> str:
    """The 95 modules of the EAN-13 symbol as '1' (bar) / '0' (space), from python-barcode."""
    code = EAN13(card_number)
    if code.get_fullcode() != card_number:  # python-barcode silently recomputes a bad digit
        raise InvalidInput(f"'{card_number}' has a wrong EAN-13 check digit")
    modules = code.build()[0]
    assert len(modules) == EAN_MODULES
    return modules


def ean13_digit_slots() -> list[tuple[int, float]]:
    """(digit index, centre in modules from the start guard) of the human-readable digits.

    The first digit stands in the left quiet zone; then 6 under the left half, 6 under the
    right half, each centred on its 7-module symbol character.
    """
    slots: list[tuple[int, float]] = [(0, -EAN_LEFT_QUIET / 2 - 0.5)]
    slots += [(1 + i, 3 + 7 * i + 3.5) for i in range(6)]
    slots += [(7 + i, 50 + 7 * i + 3.5) for i in range(6)]
    return slots


def bar_runs(modules: str) -> list[tuple[int, int, bool]]:
    """(first module, width, is a guard bar) for every run of bars."""
    runs: list[tuple[int, int, bool]] = []
    start = None
    for index, module in enumerate([*modules, "0"]):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            runs.append((start, index - start, start in EAN_GUARDS))
            start = None
    return runs


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR symbol's modules without quiet zone (error correction M: survives scratches)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.removeprefix("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def month_year(day: date) -> str:
    """'Mar 2026', whatever the process locale."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "★"


# -- drawing helpers (reportlab) ---------------------------------------------------------------


def fill(canvas: Canvas, colour: str, alpha: float = 1.0) -> None:
    """Fill and stroke colour (the stroke emboldens CJK text, see `draw_bold`)."""
    red, green, blue = (c / 255 for c in rgb(colour))
    canvas.setFillColorRGB(red, green, blue, alpha=alpha)
    canvas.setStrokeColorRGB(red, green, blue, alpha=alpha)


def draw_bold(canvas: Canvas, x: float, y: float, text: str, size: float) -> None:
    """Bold text: Helvetica-Bold for Latin; the CJK font has no bold, so its runs are filled
    and stroked with a thin outline (PDF text render mode 2) to match the Latin weight."""
    for run_font, chunk in font_runs(text, LATIN_BOLD):
        canvas.setFont(run_font, size)
        if run_font == LATIN_BOLD:
            canvas.drawString(x, y, chunk)
        else:
            canvas.saveState()
            canvas.setLineWidth(size * 0.035)
            canvas.drawString(x, y, chunk, mode=2)
            canvas.restoreState()
        x += pdfmetrics.stringWidth(chunk, run_font, size)


def fitted(text: str, font: str, size: float, width: float, min_size: float
           ) -> tuple[str, float]:
    """Shrink the text down to `min_size` to fit `width`, then cut it with an ellipsis."""
    while size > min_size and text_width(text, font, size) > width:
        size = max(min_size, size - 0.25)
    if text_width(text, font, size) <= width:
        return text, size
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def draw_centred(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    draw_text(canvas, x - text_width(text, font, size) / 2, y, text, font, size)


def draw_right(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    draw_text(canvas, x - text_width(text, font, size), y, text, font, size)


def ean13_width(module: float) -> float:
    return (EAN_LEFT_QUIET + EAN_MODULES + EAN_RIGHT_QUIET) * module


def ean13_digit_size(module: float) -> float:
    """Size of the human-readable digits, in the unit of `module` (about 7 modules tall)."""
    return module * 9.5


def ean13_height(module: float, bar_height: float) -> float:
    return bar_height + ean13_digit_size(module) * 0.95


def draw_ean13(canvas: Canvas, x: float, y: float, card_number: str, module: float,
               bar_height: float) -> float:
    """EAN-13 with its quiet zones and digits, lower-left corner at (x, y); returns its height.

    Guard bars run down between the digits, as on every retail barcode.
    """
    digit_size = ean13_digit_size(module)
    text_zone = digit_size * 0.95
    start = x + EAN_LEFT_QUIET * module
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for first, width, guard in bar_runs(ean13_modules(card_number)):
        bottom = y + (text_zone * 0.45 if guard else text_zone)
        path.rect(start + first * module, bottom, width * module, y + text_zone + bar_height
                  - bottom)
    canvas.drawPath(path, stroke=0, fill=1)
    for index, centre in ean13_digit_slots():
        draw_centred(canvas, start + centre * module, y + text_zone * 0.12, card_number[index],
                     LATIN, digit_size)
    canvas.restoreState()
    return text_zone + bar_height


def draw_qr(canvas: Canvas, x: float, y: float, payload: str, size: float) -> None:
    """The QR symbol (no quiet zone: leave 2+ modules of light space around it) in a square."""
    matrix = qr_matrix(payload)
    module = size / len(matrix)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()  # one path: no hairline seams between modules
    for row_index, row in enumerate(matrix):
        top = y + size - row_index * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            end = column
            while end < len(row) and row[end]:
                end += 1
            path.rect(x + column * module, top - module, (end - column) * module, module)
            column = end
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def qr_module_count(payload: str) -> int:
    return len(qr_matrix(payload))


def draw_logo(canvas: Canvas, x: float, y: float, size: float, branding: Branding,
              program: str) -> None:
    """The logo in a `size` square, or a monogram badge when the chain has no logo file."""
    if branding.logo is not None:
        try:
            canvas.drawImage(ImageReader(str(branding.logo)), x, y, size, size, mask="auto",
                             preserveAspectRatio=True, anchor="c")
            return
        except OSError:  # unreadable image: the monogram below
            pass
    canvas.saveState()
    fill(canvas, branding.secondary_color)
    canvas.circle(x + size / 2, y + size / 2, size / 2, stroke=0, fill=1)
    fill(canvas, branding.primary_color)
    letters = initials(program)
    draw_centred(canvas, x + size / 2, y + size * 0.33, letters, LATIN_BOLD, size * 0.42)
    canvas.restoreState()


def pill_width(text: str, size: float) -> float:
    return text_width(text, LATIN_BOLD, size) + 1.4 * size


def draw_pill(canvas: Canvas, right: float, top: float, text: str, background: str,
              foreground: str, size: float) -> float:
    """A rounded label whose right edge is `right`; returns its width."""
    pad = size * 0.7
    height = size * 1.75
    width = pill_width(text, size)
    canvas.saveState()
    fill(canvas, background)
    canvas.roundRect(right - width, top - height, width, height, height / 2, stroke=0, fill=1)
    fill(canvas, foreground)
    draw_text(canvas, right - width + pad, top - height / 2 - size * 0.35, text, LATIN_BOLD,
              size)
    canvas.restoreState()
    return width


def _clip_card(canvas: Canvas, x: float, y: float) -> None:
    path = canvas.beginPath()
    path.roundRect(x, y, CARD_WIDTH, CARD_HEIGHT, CARD_RADIUS)
    canvas.clipPath(path, stroke=0, fill=0)


# -- the card ----------------------------------------------------------------------------------

MARGIN = 4.2 * mm
PANEL_INSET = 3 * mm
PANEL_HEIGHT = 21.5 * mm
PANEL_RADIUS = 2 * mm
LOGO_SIZE = 9.5 * mm
EAN_MODULE = 0.33 * mm  # the nominal EAN-13 module (100 % magnification)
EAN_BAR_HEIGHT = 12.5 * mm
QR_SIZE = 16.5 * mm


def draw_card_front(canvas: Canvas, x: float, y: float, card: PrintedCard,
                    branding: Branding) -> None:
    """The front of one card with its lower-left corner at (x, y)."""
    canvas.saveState()
    _clip_card(canvas, x, y)
    fill(canvas, branding.primary_color)
    canvas.rect(x, y, CARD_WIDTH, CARD_HEIGHT, stroke=0, fill=1)
    # two soft rings in the top-right corner: a hint of a harbour light, never over text
    fill(canvas, branding.text_on_primary, alpha=0.06)
    for radius in (30 * mm, 20 * mm):
        canvas.circle(x + CARD_WIDTH - 6 * mm, y + CARD_HEIGHT + 2 * mm, radius, stroke=0,
                      fill=1)
    canvas.restoreState()
    canvas.saveState()
    _draw_front_header(canvas, x, y, card, branding)
    _draw_front_member(canvas, x, y, card, branding)
    _draw_front_codes(canvas, x, y, card)
    canvas.restoreState()


def _draw_front_header(canvas: Canvas, x: float, y: float, card: PrintedCard,
                       branding: Branding) -> None:
    """Logo, program name and tagline; the tier on the right."""
    program = card.program_name or branding.program_name
    top = y + CARD_HEIGHT
    right = x + CARD_WIDTH
    logo_y = top - MARGIN - LOGO_SIZE
    draw_logo(canvas, x + MARGIN, logo_y, LOGO_SIZE, branding, program)
    pill_width = draw_pill(canvas, right - MARGIN, top - MARGIN - 0.4 * mm,
                           card.tier_name.upper(), branding.tier_color(card.tier_code),
                           branding.primary_color, 5.6)
    text_x = x + MARGIN + LOGO_SIZE + 2.4 * mm
    room = right - MARGIN - pill_width - 2 * mm - text_x
    fill(canvas, branding.text_on_primary)
    name, size = fitted(program, LATIN_BOLD, 12.5, room, 8)
    tagline = branding.tagline
    draw_text(canvas, text_x, logo_y + LOGO_SIZE * (0.42 if tagline else 0.3), name,
              LATIN_BOLD, size)
    if tagline:
        fill(canvas, branding.text_on_primary, alpha=0.78)
        line, small = fitted(tagline, LATIN, 5.6, right - MARGIN - text_x, 4.5)
        draw_text(canvas, text_x, logo_y + 0.6 * mm, line, LATIN, small)


def _draw_front_member(canvas: Canvas, x: float, y: float, card: PrintedCard,
                       branding: Branding) -> None:
    """The member's name, since when they are a member, and the chain."""
    panel_top = y + PANEL_INSET + PANEL_HEIGHT
    fill(canvas, branding.text_on_primary)
    member, size = fitted(card.member_name, LATIN_BOLD, 11, CARD_WIDTH - 2 * MARGIN, 7)
    draw_bold(canvas, x + MARGIN, panel_top + 6.4 * mm, member, size)
    fill(canvas, branding.text_on_primary, alpha=0.78)
    since = month_year(card.member_since or card.issued_on).upper()
    draw_text(canvas, x + MARGIN, panel_top + 2.6 * mm, f"MEMBER SINCE {since}", LATIN, 5.2)
    if branding.chain_name:
        draw_right(canvas, x + CARD_WIDTH - MARGIN, panel_top + 2.6 * mm,
                   branding.chain_name.upper(), LATIN, 5.2)


def _draw_front_codes(canvas: Canvas, x: float, y: float, card: PrintedCard) -> None:
    """The white panel: EAN-13 of the card number left, the signed QR right."""
    panel_x = x + PANEL_INSET
    panel_y = y + PANEL_INSET
    panel_width = CARD_WIDTH - 2 * PANEL_INSET
    fill(canvas, "#FFFFFF")
    canvas.roundRect(panel_x, panel_y, panel_width, PANEL_HEIGHT, PANEL_RADIUS, stroke=0,
                     fill=1)
    qr_pad = (PANEL_HEIGHT - QR_SIZE) / 2
    qr_x = panel_x + panel_width - qr_pad - QR_SIZE
    draw_qr(canvas, qr_x, panel_y + qr_pad, card.qr_payload, QR_SIZE)
    ean_x = panel_x + (qr_x - panel_x - ean13_width(EAN_MODULE)) / 2
    ean_y = panel_y + (PANEL_HEIGHT - ean13_height(EAN_MODULE, EAN_BAR_HEIGHT)) / 2
    draw_ean13(canvas, ean_x, ean_y, card.card_number, EAN_MODULE, EAN_BAR_HEIGHT)


def draw_card_back(canvas: Canvas, x: float, y: float, card: PrintedCard,
                   branding: Branding) -> None:
    """The back: how to use the card, what to do if it is lost, who issued it."""
    program = card.program_name or branding.program_name
    top = y + CARD_HEIGHT
    right = x + CARD_WIDTH
    canvas.saveState()
    _clip_card(canvas, x, y)
    fill(canvas, "#FFFFFF")
    canvas.rect(x, y, CARD_WIDTH, CARD_HEIGHT, stroke=0, fill=1)
    fill(canvas, branding.primary_color)
    canvas.rect(x, top - 10 * mm, CARD_WIDTH, 10 * mm, stroke=0, fill=1)
    fill(canvas, branding.secondary_color)
    canvas.rect(x, top - 10.8 * mm, CARD_WIDTH, 0.8 * mm, stroke=0, fill=1)
    canvas.restoreState()

    canvas.saveState()
    fill(canvas, branding.text_on_primary)
    draw_text(canvas, x + MARGIN, top - 6.4 * mm, program, LATIN_BOLD, 9.5)
    if branding.website:
        draw_right(canvas, right - MARGIN, top - 6.2 * mm, branding.website, LATIN, 6.5)
    fill(canvas, "#1F2933")
    lines = [
        ("Collect and spend points in every "
         f"{branding.chain_name or program} store.", LATIN_BOLD),
        ("Show this card, or the electronic card on your phone, at the till.", LATIN),
        ("Lost or stolen? Tell any store or call us: we block this card", LATIN),
        ("and move your points and balance to a new one.", LATIN),
    ]
    baseline = top - 16.5 * mm
    for text, font in lines:
        line, size = fitted(text, font, 6.6, CARD_WIDTH - 2 * MARGIN, 5)
        draw_text(canvas, x + MARGIN, baseline, line, font, size)
        baseline -= 3.5 * mm
    if branding.support_phone:
        fill(canvas, branding.primary_color)
        draw_text(canvas, x + MARGIN, baseline - 3 * mm, "MEMBER SERVICE", LATIN, 5.5)
        draw_text(canvas, x + MARGIN, baseline - 7 * mm, branding.support_phone, LATIN_BOLD,
                  10)
    fill(canvas, "#52606D")
    owner = branding.chain_name or program
    draw_text(canvas, x + MARGIN, y + 4 * mm,
              f"Not transferable. Remains the property of {owner}.", LATIN, 5)
    issued = f"Issued {short_date(card.issued_on)}"
    if card.store_name:
        issued += f" · {card.store_name}"
    draw_right(canvas, right - MARGIN, y + 7.5 * mm, issued, LATIN, 5)
    draw_right(canvas, right - MARGIN, y + 4 * mm, f"Card {card.card_number}", LATIN_BOLD, 5.5)
    canvas.restoreState()


def _new_canvas(path: Path, size: tuple[float, float], title: str, branding: Branding
                ) -> Canvas:
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), pagesize=size)
    canvas.setTitle(title)
    canvas.setAuthor(branding.chain_name or branding.program_name)
    canvas.setCreator("loyalty-pos")
    return canvas


def render_card_pdf(card: PrintedCard, path: str | Path, branding: Branding | None = None,
                    *, with_back: bool = True) -> Path:
    """One card on an ID-1 page: page 1 the front, page 2 the back (for duplex card printers)."""
    branding = branding or load_branding()
    path = Path(path)
    canvas = _new_canvas(path, (CARD_WIDTH, CARD_HEIGHT),
                         f"{branding.program_name} card {card.card_number}", branding)
    draw_card_front(canvas, 0, 0, card, branding)
    canvas.showPage()
    if with_back:
        draw_card_back(canvas, 0, 0, card, branding)
        canvas.showPage()
    canvas.save()
    return path


def sheet_origin() -> tuple[float, float]:
    """Lower-left corner of the 2 x 5 grid, centred on A4 (cards butt against each other, so
    every cut runs straight across the sheet)."""
    width, height = A4
    return ((width - SHEET_COLUMNS * CARD_WIDTH) / 2, (height - SHEET_ROWS * CARD_HEIGHT) / 2)


def card_slot(index: int) -> tuple[float, float]:
    """Lower-left corner of card `index` (0-9) on its sheet, filled row by row from the top."""
    left, bottom = sheet_origin()
    row, column = divmod(index % CARDS_PER_SHEET, SHEET_COLUMNS)
    return left + column * CARD_WIDTH, bottom + (SHEET_ROWS - 1 - row) * CARD_HEIGHT


def _crop_marks(canvas: Canvas) -> None:
    left, bottom = sheet_origin()
    right = left + SHEET_COLUMNS * CARD_WIDTH
    top = bottom + SHEET_ROWS * CARD_HEIGHT
    canvas.saveState()
    canvas.setLineWidth(0.3)
    canvas.setStrokeColorRGB(0, 0, 0)
    for column in range(SHEET_COLUMNS + 1):
        cut = left + column * CARD_WIDTH
        canvas.line(cut, top + CROP_MARK_GAP, cut, top + CROP_MARK_GAP + CROP_MARK_LENGTH)
        canvas.line(cut, bottom - CROP_MARK_GAP, cut,
                    bottom - CROP_MARK_GAP - CROP_MARK_LENGTH)
    for row in range(SHEET_ROWS + 1):
        cut = bottom + row * CARD_HEIGHT
        canvas.line(left - CROP_MARK_GAP, cut, left - CROP_MARK_GAP - CROP_MARK_LENGTH, cut)
        canvas.line(right + CROP_MARK_GAP, cut, right + CROP_MARK_GAP + CROP_MARK_LENGTH, cut)
    canvas.restoreState()


def render_card_sheet_pdf(cards: Sequence[PrintedCard], path: str | Path,
                          branding: Branding | None = None) -> Path:
    """A4 sheets of 10 card fronts (2 x 5) with crop marks; as many pages as needed."""
    if not cards:
        raise InvalidInput("choose at least one member to print cards for")
    branding = branding or load_branding()
    path = Path(path)
    canvas = _new_canvas(path, A4, f"{branding.program_name} member cards", branding)
    pages = (len(cards) + CARDS_PER_SHEET - 1) // CARDS_PER_SHEET
    left, bottom = sheet_origin()
    for page in range(pages):
        chunk = cards[page * CARDS_PER_SHEET:(page + 1) * CARDS_PER_SHEET]
        for index, card in enumerate(chunk):
            draw_card_front(canvas, *card_slot(index), card, branding)
        _crop_marks(canvas)
        canvas.setFillColorRGB(0.35, 0.38, 0.42)
        first = page * CARDS_PER_SHEET + 1
        note = (f"{branding.program_name} member cards {first}-{first + len(chunk) - 1} "
                f"of {len(cards)} · sheet {page + 1} of {pages}")
        draw_text(canvas, left + 9 * mm, bottom - 8 * mm, note, LATIN, 6.5)
        draw_right(canvas, left + SHEET_COLUMNS * CARD_WIDTH - 9 * mm, bottom - 8 * mm,
                   "Cut along the marks · round the corners 3 mm", LATIN, 6.5)
        canvas.showPage()
    canvas.save()
    return path
