"""Text in the PDFs the services publish (catalogues, manifests): producers' and buyers' names need more than the
Latin-1 of fpdf2's core fonts (the macrons of Maori and Japanese names, the tildes of Vietnamese, the em dash).

The project ships DejaVu Sans, regular and bold (``shared/fonts``, Bitstream Vera licence with public-domain DejaVu
changes: ``shared/fonts/LICENSE``), since fpdf2 ships no TrueType font.
"""

from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


def text_font(pdf: FPDF) -> tuple[str, Callable[[str], str]]:
    """Register the Unicode font in ``pdf``: the family to write with, and what makes a text printable in it
    (every text is, in this font)."""
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    return FAMILY, str
