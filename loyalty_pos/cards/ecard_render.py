"""Electronic cards: a phone-screen PNG and a printable A4 "your electronic card" page.

The QR carries whatever payload the caller passes: the signed static payload (LP1) for an image
the member keeps in their phone's photos or prints, or a rotating payload (LP2) for a live screen
that is redrawn every 30 seconds (see docs/ecard-format.md). The EAN-13 of the card number is
shown as well, for tills whose scanner reads only linear barcodes.

The PNG is drawn with Pillow: shapes are drawn at twice the size and scaled down (smooth edges);
the QR modules and barcode bars are drawn afterwards at whole-pixel widths, so they stay sharp.
Text uses the system's Latin TrueType font and, for Chinese names, the same CJK font files as
the PDF receipts (`receipt_pdf.CJK_TTF_CANDIDATES`).

Database-free: the caller passes a `PrintedCard`, the branding and the payload.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..paths import resources_dir
from .member_card import (
    EAN_LEFT_QUIET,
    EAN_MODULES,
    EAN_RIGHT_QUIET,
    LATIN,
    LATIN_BOLD,
    Branding,
    PrintedCard,
    bar_runs,
    draw_bold,
    draw_ean13,
    draw_logo,
    draw_pill,
    draw_qr,
    draw_right,
    ean13_digit_slots,
    ean13_modules,
    fill,
    fitted,
    initials,
    load_branding,
    month_year,
    pill_width,
    qr_matrix,
    rgb,
    short_date,
)
from .receipt_pdf import CJK_TTF_CANDIDATES, draw_text, font_runs, text_width
from .receipt_text import wrap

Colour = tuple[int, int, int]

# -- fonts for Pillow ----------------------------------------------------------------------------

LATIN_TTF = (
    resources_dir() / "fonts" / "card-sans.ttf",
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
    Path("/Library/Fonts/Arial.ttf"),
)
LATIN_BOLD_TTF = (
    resources_dir() / "fonts" / "card-sans-bold.ttf",
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    Path("C:/Windows/Fonts/arialbd.ttf"),
    Path("/Library/Fonts/Arial Bold.ttf"),
)


@functools.cache
def _font(kind: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A Pillow font: kind is 'latin', 'bold' or 'cjk'. Falls back to Pillow's own font."""
    candidates = {"latin": LATIN_TTF, "bold": LATIN_BOLD_TTF + LATIN_TTF,
                  "cjk": CJK_TTF_CANDIDATES}[kind]
    for path in candidates:
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), size, index=0)
            except OSError:  # not a font Pillow can read: next
                continue
    if kind == "cjk":
        return _font("latin", size)
    return ImageFont.load_default(size)


def _runs(text: str, bold: bool, size: int
          ) -> list[tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, str]]:
    """Latin runs in the Latin font, everything else in the CJK font (as receipt_pdf decides)."""
    return [(_font(("bold" if bold else "latin") if run_font == LATIN else "cjk", size), chunk)
            for run_font, chunk in font_runs(text, LATIN)]


def _text_length(text: str, size: int, bold: bool = False) -> float:
    return sum(font.getlength(chunk) for font, chunk in _runs(text, bold, size))


def _draw(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, size: int,
          colour: Colour, bold: bool = False, align: str = "left") -> None:
    """Text on a baseline, left/centre/right aligned at x; CJK runs stroked a little if bold."""
    if align != "left":
        width = _text_length(text, size, bold)
        x -= width if align == "right" else width / 2
    for font, chunk in _runs(text, bold, size):
        stroke = max(1, size // 28) if bold and font is _font("cjk", size) else 0
        draw.text((x, baseline), chunk, font=font, fill=colour, anchor="ls",
                  stroke_width=stroke, stroke_fill=colour)
        x += font.getlength(chunk)


def _fit(text: str, size: int, width: float, bold: bool = False, min_size: int = 24
         ) -> tuple[str, int]:
    while size > min_size and _text_length(text, size, bold) > width:
        size -= 2
    if _text_length(text, size, bold) <= width:
        return text, size
    while text and _text_length(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _mix(colour: Colour, other: Colour, share: float) -> Colour:
    """`share` of `colour` over `other`: translucent text without an alpha layer."""
    return tuple(round(a * share + b * (1 - share)) for a, b in zip(colour, other, strict=True)
                 )  # type: ignore[return-value]


def grouped(card_number: str) -> str:
    """'2900 7000 0001 1': easy to read out and type."""
    return " ".join(card_number[i:i + 4] for i in range(0, len(card_number), 4))


def is_rotating(payload: str) -> bool:
    return payload.startswith("LP2.")


# -- pixel barcodes ------------------------------------------------------------------------------


def _paste_qr(image: Image.Image, x: int, y: int, payload: str, module: int) -> int:
    """Draw the QR symbol with whole-pixel modules at (x, y); returns its side in pixels."""
    matrix = qr_matrix(payload)
    draw = ImageDraw.Draw(image)
    for row_index, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                left, top = x + column * module, y + row_index * module
                draw.rectangle((left, top, left + module - 1, top + module - 1), fill=(0, 0, 0))
    return len(matrix) * module


def _paste_ean13(image: Image.Image, x: int, y: int, card_number: str, module: int,
                 bar_height: int) -> int:
    """EAN-13 with quiet zones and digits, top-left at (x, y); returns its height in pixels."""
    draw = ImageDraw.Draw(image)
    digit_size = round(module * 7.2)
    start = x + EAN_LEFT_QUIET * module
    for first, width, guard in bar_runs(ean13_modules(card_number)):
        bottom = y + bar_height + (digit_size // 2 if guard else 0)
        left = start + first * module
        draw.rectangle((left, y, left + width * module - 1, bottom - 1), fill=(0, 0, 0))
    for index, centre in ean13_digit_slots():
        _draw(draw, start + centre * module, y + bar_height + digit_size * 0.95,
              card_number[index], digit_size, (0, 0, 0), align="centre")
    return bar_height + digit_size


# -- the phone-screen PNG ------------------------------------------------------------------------

PNG_WIDTH = 1080
PNG_HEIGHT = 1920
SUPERSAMPLE = 2
PASS_LEFT = 60
PASS_TOP = 330
PASS_BOTTOM = 1780
PASS_RADIUS = 48
QR_TARGET = 620  # pixels; the module size is a whole number of pixels at most this size
QR_TOP = 600
EAN_MODULE_PX = 6
EAN_BAR_PX = 170
DARK: Colour = (31, 41, 51)
GREY: Colour = (82, 96, 109)
WHITE: Colour = (255, 255, 255)


def _pill_size(text: str, size: int) -> tuple[int, int]:
    return round(_text_length(text, size, True) + size * 1.4), round(size * 1.9)


def _png_shapes(card: PrintedCard, branding: Branding, tier_box: tuple[int, int, int, int]
                ) -> Image.Image:
    """Background, pass and tier pill at 2x, scaled down for smooth edges."""
    s = SUPERSAMPLE
    primary = rgb(branding.primary_color)
    image = Image.new("RGB", (PNG_WIDTH * s, PNG_HEIGHT * s), primary)
    draw = ImageDraw.Draw(image)
    # soft rings top right, as on the printed card
    ring = _mix(WHITE, primary, 0.06)
    ring2 = _mix(WHITE, primary, 0.12)
    draw.ellipse(((PNG_WIDTH - 520) * s, -460 * s, (PNG_WIDTH + 320) * s, 380 * s), fill=ring)
    draw.ellipse(((PNG_WIDTH - 380) * s, -320 * s, (PNG_WIDTH + 180) * s, 240 * s), fill=ring2)
    draw.rounded_rectangle((PASS_LEFT * s, PASS_TOP * s, (PNG_WIDTH - PASS_LEFT) * s,
                            PASS_BOTTOM * s), radius=PASS_RADIUS * s, fill=WHITE)
    draw.rounded_rectangle(tuple(v * s for v in tier_box), radius=tier_box[3] - tier_box[1],
                           fill=rgb(branding.tier_color(card.tier_code)))
    return image.resize((PNG_WIDTH, PNG_HEIGHT), Image.Resampling.LANCZOS)


def _paste_logo(image: Image.Image, branding: Branding, x: int, y: int, size: int) -> bool:
    if branding.logo is None:
        return False
    try:
        with Image.open(branding.logo) as opened:
            logo = opened.convert("RGBA")
        logo.thumbnail((size, size), Image.Resampling.LANCZOS)
        image.paste(logo, (x + (size - logo.width) // 2, y + (size - logo.height) // 2), logo)
    except OSError:
        return False
    return True


def _monogram(draw: ImageDraw.ImageDraw, branding: Branding, program: str, x: int, y: int,
              size: int) -> None:
    draw.ellipse((x, y, x + size, y + size), fill=rgb(branding.secondary_color))
    _draw(draw, x + size / 2, y + size * 0.66, initials(program), size * 2 // 5,
          rgb(branding.primary_color), bold=True, align="centre")


def render_ecard_png(card: PrintedCard, path: str | Path, branding: Branding | None = None,
                     payload: str | None = None) -> Path:
    """A 1080 x 1920 phone-screen image: big QR of `payload`, card number and EAN-13."""
    branding = branding or load_branding()
    payload = payload or card.qr_payload
    program = card.program_name or branding.program_name
    primary = rgb(branding.primary_color)
    on_primary = rgb(branding.text_on_primary)
    right = PNG_WIDTH - PASS_LEFT - 60
    tier = card.tier_name.upper()
    tier_w, tier_h = _pill_size(tier, 30)
    tier_box = (right - tier_w, 400, right, 400 + tier_h)
    image = _png_shapes(card, branding, tier_box)
    draw = ImageDraw.Draw(image)

    # header on the brand colour
    if not _paste_logo(image, branding, 80, 96, 150):
        _monogram(draw, branding, program, 80, 96, 150)
    name, size = _fit(program, 68, PNG_WIDTH - 270 - 60, bold=True)
    _draw(draw, 270, 180 if branding.tagline else 196, name, size, on_primary, bold=True)
    if branding.tagline:
        tagline, small = _fit(branding.tagline, 34, PNG_WIDTH - 270 - 60)
        _draw(draw, 270, 232, tagline, small, _mix(on_primary, primary, 0.8))

    # member and tier
    _draw(draw, (tier_box[0] + tier_box[2]) / 2, tier_box[1] + tier_h * 0.68, tier, 30,
          primary, bold=True, align="centre")
    member, size = _fit(card.member_name, 60, tier_box[0] - 120 - 30, bold=True, min_size=36)
    _draw(draw, 120, 450, member, size, DARK, bold=True)
    since = month_year(card.member_since or card.issued_on)
    _draw(draw, 120, 508, f"Member since {since}", 32, GREY)

    # the QR, as large as whole-pixel modules allow
    modules = len(qr_matrix(payload))
    module = max(8, QR_TARGET // modules)
    side = modules * module
    _paste_qr(image, (PNG_WIDTH - side) // 2, QR_TOP, payload, module)
    caption = ("Live code · refreshes every 30 seconds" if is_rotating(payload)
               else "Show this code at the till")
    _draw(draw, PNG_WIDTH / 2, QR_TOP + side + 70, caption, 36, GREY, align="centre")

    # EAN-13 and the number as text
    ean_width = (EAN_LEFT_QUIET + EAN_MODULES + EAN_RIGHT_QUIET) * EAN_MODULE_PX
    ean_top = QR_TOP + side + 130
    ean_height = _paste_ean13(image, (PNG_WIDTH - ean_width) // 2, ean_top, card.card_number,
                              EAN_MODULE_PX, EAN_BAR_PX)
    number_y = ean_top + ean_height + 110
    _draw(draw, PNG_WIDTH / 2, number_y - 52, "CARD NUMBER", 26, GREY, align="centre")
    _draw(draw, PNG_WIDTH / 2, number_y, grouped(card.card_number), 44, DARK, bold=True,
          align="centre")

    # footer on the brand colour
    footer = " · ".join(part for part in (branding.chain_name, branding.support_phone) if part)
    if footer:
        _draw(draw, PNG_WIDTH / 2, PASS_BOTTOM + 82, footer, 32,
              _mix(on_primary, primary, 0.85), align="centre")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)
    return path


# -- the printable page --------------------------------------------------------------------------

PAGE_MARGIN = 18 * mm
HEADER_HEIGHT = 46 * mm
PAGE_QR_SIZE = 60 * mm
PAGE_EAN_MODULE = 0.4 * mm
PAGE_EAN_BAR = 14 * mm
INK = "#1F2933"
MUTED = "#52606D"
HAIRLINE = "#D9DEE3"


def _paragraph(canvas: Canvas, x: float, top: float, text: str, font: str, size: float,
               width: float, leading: float = 1.4) -> float:
    """Wrapped text from `top` down; returns the y below the last line."""
    for line in wrap(text, width, lambda value: text_width(value, font, size)):
        top -= size * leading
        draw_text(canvas, x, top + size * 0.3, line, font, size)
    return top


def instructions(card: PrintedCard, branding: Branding, payload: str) -> list[str]:
    chain = branding.chain_name or (card.program_name or branding.program_name)
    steps = [
        "At the till, show the QR code above – on this page or on your phone. "
        "The cashier scans it and your points are added to your account.",
        "On your phone: keep a photo of this page, or the e-card image we sent you, and open "
        "it when you pay. It works without an internet connection.",
        "No scanner for QR codes? The barcode works too, or tell the cashier your card number.",
        "Keep the code to yourself: it opens your account. If it is lost or copied, ask any "
        f"{chain} store to block it – your points and balance move to a new card.",
    ]
    if is_rotating(payload):
        steps[1] = ("This code changes every 30 seconds; refresh it on your phone just before "
                    "you pay. A screenshot stops working after about a minute.")
    return steps


def _page_header(canvas: Canvas, card: PrintedCard, branding: Branding) -> None:
    width, height = A4
    program = card.program_name or branding.program_name
    fill(canvas, branding.primary_color)
    canvas.rect(0, height - HEADER_HEIGHT, width, HEADER_HEIGHT, stroke=0, fill=1)
    fill(canvas, branding.secondary_color)
    canvas.rect(0, height - HEADER_HEIGHT - 1.4 * mm, width, 1.4 * mm, stroke=0, fill=1)
    logo = 24 * mm
    draw_logo(canvas, PAGE_MARGIN, height - 11 * mm - logo, logo, branding, program)
    fill(canvas, branding.text_on_primary)
    text_x = PAGE_MARGIN + logo + 6 * mm
    name, size = fitted(program, LATIN_BOLD, 26, width - PAGE_MARGIN - text_x, 14)
    draw_text(canvas, text_x, height - 25 * mm, name, LATIN_BOLD, size)
    if branding.tagline:
        fill(canvas, branding.text_on_primary, alpha=0.8)
        draw_text(canvas, text_x, height - 32.5 * mm, branding.tagline, LATIN, 11)


def _page_card_box(canvas: Canvas, top: float, card: PrintedCard, branding: Branding,
                   payload: str) -> float:
    """Framed QR (left); member, tier, card number and barcode (right). Returns the bottom."""
    width, _ = A4
    box_height = PAGE_QR_SIZE + 16 * mm
    bottom = top - box_height
    canvas.setLineWidth(0.8)
    canvas.setStrokeColorRGB(*(c / 255 for c in rgb(HAIRLINE)))
    canvas.setFillColorRGB(1, 1, 1)
    canvas.roundRect(PAGE_MARGIN, bottom, width - 2 * PAGE_MARGIN, box_height, 4 * mm, stroke=1,
                     fill=1)
    qr_x = PAGE_MARGIN + 8 * mm
    draw_qr(canvas, qr_x, bottom + 8 * mm, payload, PAGE_QR_SIZE)
    x = qr_x + PAGE_QR_SIZE + 12 * mm
    column = width - PAGE_MARGIN - 8 * mm - x
    y = top - 13 * mm
    fill(canvas, MUTED)
    draw_text(canvas, x, y, "MEMBER", LATIN, 7.5)
    fill(canvas, INK)
    member, size = fitted(card.member_name, LATIN_BOLD, 17, column, 9)
    draw_bold(canvas, x, y - 7 * mm, member, size)
    tier = card.tier_name.upper()
    draw_pill(canvas, x + pill_width(tier, 8), y - 10.5 * mm, tier,
              branding.tier_color(card.tier_code), branding.primary_color, 8)
    fill(canvas, MUTED)
    draw_text(canvas, x, y - 22 * mm, "CARD NUMBER", LATIN, 7.5)
    fill(canvas, INK)
    draw_text(canvas, x, y - 28 * mm, grouped(card.card_number), LATIN_BOLD, 14)
    # the first digit of the EAN-13 stands in its quiet zone: line that digit up with x
    draw_ean13(canvas, x - 3 * PAGE_EAN_MODULE, bottom + 8 * mm, card.card_number,
               PAGE_EAN_MODULE, PAGE_EAN_BAR)
    return bottom


def render_ecard_page_pdf(card: PrintedCard, path: str | Path, branding: Branding | None = None,
                          payload: str | None = None) -> Path:
    """An A4 page 'Your electronic card': the QR of `payload`, the barcode and how to use it."""
    branding = branding or load_branding()
    payload = payload or card.qr_payload
    program = card.program_name or branding.program_name
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = A4
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(f"{program} electronic card")
    canvas.setAuthor(branding.chain_name or program)
    canvas.setCreator("loyalty-pos")
    _page_header(canvas, card, branding)

    text_width_mm = width - 2 * PAGE_MARGIN
    fill(canvas, branding.primary_color)
    draw_text(canvas, PAGE_MARGIN, height - HEADER_HEIGHT - 18 * mm, "Your electronic card",
              LATIN_BOLD, 22)
    fill(canvas, INK)
    chain = branding.chain_name or program
    intro = (f"Welcome to {program}, {card.member_name}. This page is your membership card: "
             f"show the code below at the till of any {chain} store – printed, or on "
             "your phone.")
    below = _paragraph(canvas, PAGE_MARGIN, height - HEADER_HEIGHT - 23 * mm, intro, LATIN, 11,
                       text_width_mm)
    bottom = _page_card_box(canvas, below - 7 * mm, card, branding, payload)

    fill(canvas, branding.primary_color)
    y = bottom - 14 * mm
    draw_text(canvas, PAGE_MARGIN, y, "How to use it", LATIN_BOLD, 14)
    y -= 4 * mm
    for number, step in enumerate(instructions(card, branding, payload), start=1):
        fill(canvas, branding.primary_color)
        canvas.circle(PAGE_MARGIN + 3 * mm, y - 5.2 * mm, 3 * mm, stroke=0, fill=1)
        fill(canvas, branding.text_on_primary)
        draw_text(canvas, PAGE_MARGIN + 3 * mm - text_width(str(number), LATIN_BOLD, 10) / 2,
                  y - 6.3 * mm, str(number), LATIN_BOLD, 10)
        fill(canvas, INK)
        y = _paragraph(canvas, PAGE_MARGIN + 10 * mm, y - 1.2 * mm, step, LATIN, 11,
                       text_width_mm - 10 * mm) - 5 * mm

    # footer
    fill(canvas, HAIRLINE)
    canvas.rect(PAGE_MARGIN, 30 * mm, text_width_mm, 0.3 * mm, stroke=0, fill=1)
    fill(canvas, INK)
    if branding.support_phone:
        draw_text(canvas, PAGE_MARGIN, 23 * mm, f"Member service {branding.support_phone}",
                  LATIN_BOLD, 10)
    if branding.website:
        draw_right(canvas, width - PAGE_MARGIN, 23 * mm, branding.website, LATIN, 10)
    fill(canvas, MUTED)
    issued = f"Issued {short_date(card.issued_on)}"
    if card.store_name:
        issued += f" at {card.store_name}"
    draw_text(canvas, PAGE_MARGIN, 17 * mm,
              f"{issued}. Not transferable. The card remains the property of {chain}.",
              LATIN, 8)
    canvas.showPage()
    canvas.save()
    return path

