"""A receipt as a PDF on an 80 mm roll: the page is as tall as its content.

The rows come from `receipt_text.receipt_rows`, so the PDF and the ESC/POS printout say the same
things. Latin text is set in Helvetica; runs of other characters (Chinese member and product
names) in a CJK font: an embeddable TrueType CJK font if the machine has one, otherwise
reportlab's built-in 'STSong-Light' CID font, which any PDF viewer with Chinese fonts shows.
The receipt code is printed at the bottom as a Code 128 barcode (scanned for refunds/reprints).

Database-free: it reads a `ReceiptData` and writes one file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from ..paths import resources_dir
from .receipt_text import (
    BANNER,
    CENTER,
    DETAIL,
    HEADING,
    RULE,
    TEXT,
    TITLE,
    TOTAL,
    Row,
    format_receipt_text,
    receipt_rows,
    wrap,
)

if TYPE_CHECKING:
    from ..services.receipts import ReceiptData

__all__ = ["format_receipt_text", "render_receipt_pdf"]

PAGE_WIDTH = 80 * mm
MARGIN = 4 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LEADING = 1.3
RULE_HEIGHT = 8.0
GAP = 6.0  # points between a row's text and its amount
BAR_WIDTH = 0.33 * mm
BAR_HEIGHT = 12 * mm

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK_CID_FONT = "STSong-Light"
CJK_TTF_NAME = "ReceiptCJK"
CJK_TTF_CANDIDATES = (
    resources_dir() / "fonts" / "receipt-cjk.ttf",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simsun.ttc"),
)

# style -> (font, size in points, centred)
STYLES = {
    TITLE: (LATIN_BOLD, 13.0, True),
    CENTER: (LATIN, 8.0, True),
    BANNER: (LATIN_BOLD, 10.0, True),
    DETAIL: (LATIN, 7.5, False),
    TOTAL: (LATIN_BOLD, 11.0, False),
    HEADING: (LATIN_BOLD, 8.5, False),
    TEXT: (LATIN, 8.5, False),
}
PLAIN = (LATIN, 8.5, False)
DETAIL_INDENT = 3 * mm


@functools.cache
def cjk_font() -> str:
    """Register and name the font for CJK text (once per process)."""
    for path in CJK_TTF_CANDIDATES:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont(CJK_TTF_NAME, str(path), subfontIndex=0))
            except (TTFError, OSError):  # an unusable font file (e.g. CFF outlines): next
                continue
            return CJK_TTF_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID_FONT))
    return CJK_CID_FONT


def _is_latin(char: str) -> bool:
    try:
        char.encode("cp1252")  # what the standard PDF fonts can show
    except UnicodeEncodeError:
        return False
    return True


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split text into (font, chunk) runs: Latin in `font`, everything else in the CJK font."""
    runs: list[tuple[str, str]] = []
    for char in text:
        run_font = font if _is_latin(char) else cjk_font()
        if runs and runs[-1][0] == run_font:
            runs[-1] = (run_font, runs[-1][1] + char)
        else:
            runs.append((run_font, char))
    return runs


def text_width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(chunk, run_font, size)
               for run_font, chunk in font_runs(text, font))


def draw_text(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    for run_font, chunk in font_runs(text, font):
        canvas.setFont(run_font, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, run_font, size)


@dataclass(frozen=True)
class _Line:
    """One line on the page: text left (or centred) and an optional amount right."""
    left: str
    right: str
    font: str
    size: float
    centred: bool = False
    indent: float = 0.0
    is_rule: bool = False

    @property
    def height(self) -> float:
        return RULE_HEIGHT if self.is_rule else self.size * LEADING


def _lines_of(row: Row) -> list[_Line]:
    if row.style == RULE:
        return [_Line("", "", LATIN, 0, is_rule=True)]
    font, size, centred = STYLES.get(row.style, PLAIN)
    indent = DETAIL_INDENT if row.style == DETAIL else 0.0
    right_width = text_width(row.right, font, size) + GAP if row.right else 0.0
    room = CONTENT_WIDTH - indent - right_width
    parts = wrap(row.left, room, lambda value: text_width(value, font, size))
    lines = [_Line(part, "", font, size, centred, indent) for part in parts]
    if row.right:
        lines[-1] = _Line(parts[-1], row.right, font, size, centred, indent)
    return lines


def _draw_line(canvas: Canvas, line: _Line, top: float) -> None:
    if line.is_rule:
        middle = top - RULE_HEIGHT / 2
        canvas.setDash(1.5, 1.5)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, middle, PAGE_WIDTH - MARGIN, middle)
        canvas.setDash()
        return
    baseline = top - line.size * 1.05
    x = MARGIN + line.indent
    if line.centred:
        x = (PAGE_WIDTH - text_width(line.left, line.font, line.size)) / 2
    draw_text(canvas, x, baseline, line.left, line.font, line.size)
    if line.right:
        right_x = PAGE_WIDTH - MARGIN - text_width(line.right, line.font, line.size)
        draw_text(canvas, right_x, baseline, line.right, line.font, line.size)


def _barcode(code: str) -> Code128:
    return Code128(code, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, humanReadable=False)


def _draw_barcode(canvas: Canvas, code: str, top: float) -> None:
    barcode = _barcode(code)
    barcode.drawOn(canvas, (PAGE_WIDTH - barcode.width) / 2, top - 4 - BAR_HEIGHT)
    code_width = text_width(code, LATIN, 9)
    draw_text(canvas, (PAGE_WIDTH - code_width) / 2, top - 4 - BAR_HEIGHT - 11, code, LATIN, 9)


BARCODE_BLOCK = 4 + BAR_HEIGHT + 16


def render_receipt_pdf(data: ReceiptData, path: str | Path) -> Path:
    """Write the receipt to `path` (folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [line for row in receipt_rows(data) for line in _lines_of(row)]
    height = 2 * MARGIN + sum(line.height for line in lines) + BARCODE_BLOCK
    canvas = Canvas(str(path), pagesize=(PAGE_WIDTH, height))
    canvas.setTitle(f"Receipt {data.receipt_code}")
    canvas.setAuthor(data.store_name)
    top = height - MARGIN
    for line in lines:
        _draw_line(canvas, line, top)
        top -= line.height
    _draw_barcode(canvas, data.receipt_code, top)
    canvas.showPage()
    canvas.save()
    return path
