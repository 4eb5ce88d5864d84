"""Reading back the PDFs the program writes (pypdfium2: no poppler needed)."""

from __future__ import annotations

from pathlib import Path


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
