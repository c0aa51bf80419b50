"""Text in the PDFs the services publish (catalogues, manifests): producers' and buyers' names need more than the
Latin-1 of fpdf2's core fonts (the macrons of Maori, the tildes of Vietnamese)."""
import importlib.util
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from fpdf import FPDF

_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": "-", "\u2022": "*", "\u20ac": "EUR"})


@cache
def unicode_font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans, regular and bold, as matplotlib ships it (pyvrp brings matplotlib in): fpdf2 2.8 ships no TTF
    font. Found without importing matplotlib, which is slow to import."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    return (regular, bold) if regular.is_file() and bold.is_file() else None


def latin1(text: str) -> str:
    """Without a Unicode font: accents that Latin-1 lacks are dropped (ā -> a) rather than the letters lost."""
    kept = []
    for char in text.translate(_TYPOGRAPHY):
        if ord(char) < 256:
            kept.append(char)
            continue
        plain = "".join(part for part in unicodedata.normalize("NFKD", char)
                        if ord(part) < 256 and not unicodedata.combining(part))
        kept.append(plain or "?")
    return "".join(kept)


def text_font(pdf: FPDF) -> tuple[str, Callable[[str], str]]:
    """Register the Unicode font in ``pdf`` when there is one: the family to write with, and what makes a text
    printable in it."""
    fonts = unicode_font_files()
    if not fonts:
        return "helvetica", latin1
    pdf.add_font("DejaVu", "", fonts[0])
    pdf.add_font("DejaVu", "B", fonts[1])
    return "DejaVu", str
