"""Text in the PDFs the services publish (catalogues, manifests): producers' and buyers' names need more than the
Latin-1 of fpdf2's core fonts (the macrons of Maori and Japanese names, the tildes of Vietnamese, the em dash, and
Japanese itself for a Japanese buyer's catalogue).

The project ships DejaVu Sans, regular and bold (Bitstream Vera licence with public-domain DejaVu changes), and
VL PGothic for Japanese (``shared/fonts/LICENSE``), since fpdf2 ships no TrueType font. DejaVu writes every text;
where Japanese is asked for, a letter DejaVu lacks is taken from VL PGothic. A font is embedded only when a page
uses it, so a catalogue with no Japanese does not carry the Japanese font.
"""

import re
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
JAPANESE_FAMILY = "VLPGothic"
# What a Japanese line never starts with: closing brackets, punctuation, small kana and the marks that lengthen or
# repeat the letter before.
_NO_LINE_START = frozenset(
    "、。，．,.・：；？！!?）〕］｝〉》」』】)]}”’ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ"
)
# ... nor ends with an opening bracket.
_NO_LINE_END = frozenset("（〔［｛〈《「『【([{“‘")
# What a line breaks between: spaces, words in scripts written with spaces, and any letter from U+2E80 on (CJK
# symbols, kana, kanji, full-width forms), where a line may break between any two letters.
_TOKENS = re.compile(r"\s+|[^\s\u2e80-\U0010ffff]+|.")


def text_font(pdf: FPDF, japanese: bool = False) -> tuple[str, Callable[[str], str]]:
    """Register the Unicode fonts in ``pdf``: the family to write with, and what makes a text printable in it.

    With ``japanese``, a letter DejaVu lacks (kana, kanji) is taken from VL PGothic, which has no bold: bold
    Japanese is written in its regular weight rather than lost. fpdf2 2.8.9 then loses track of the font after a
    line that starts and ends in VL PGothic (py-pdf/fpdf2#1772), so a document that asks for Japanese must set
    the font anew before each line (``current_font_is_set_on_page = False``), as the catalogues do."""
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    if japanese:
        pdf.add_font(JAPANESE_FAMILY, "", FONTS / "VL-PGothic-Regular.ttf")
        pdf.set_fallback_fonts([JAPANESE_FAMILY], exact_match=False)
    return FAMILY, str


class LineBreaker:
    """Lines of text for a box of a given width in ``pdf``'s current font. Words stay whole (a word longer than
    the box is broken between letters); Japanese, written without spaces, breaks between any two letters but
    never before a closing bracket, a punctuation mark or a small kana, nor after an opening bracket: the letters
    concerned move down to the next line, so no line is ever longer than the box.

    fpdf2's own line breaking measures every candidate line anew, which takes seconds for a long description
    laid out at several sizes; a letter's width is measured here once per font."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self._widths: dict[tuple[str, str], float] = {}

    def width(self, token: str) -> float:
        pdf = self.pdf
        font = pdf.current_font.fontkey if pdf.current_font else ""
        total = 0.0
        for letter in token:
            key = (font, letter)
            if key not in self._widths:
                self._widths[key] = pdf.get_string_width(letter) / pdf.font_size_pt
            total += self._widths[key]
        return total * pdf.font_size_pt

    def lines(self, text: str, width: float) -> list[str]:
        lines = []
        for paragraph in text.split("\n"):
            tokens: list[str] = _TOKENS.findall(paragraph)
            line: list[str] = []
            used, index = 0.0, 0
            while index < len(tokens):
                token = tokens[index]
                if len(token) > 1 and not token.isspace() and self.width(token) > width:
                    tokens[index : index + 1] = list(token)
                    continue
                if line and not token.isspace() and used + self.width(token) > width:
                    cut = len(line) - 1 if token[0] in _NO_LINE_START and len(line) > 1 else len(line)
                    while cut > 1 and line[cut - 1][-1] in _NO_LINE_END:
                        cut -= 1
                    lines.append("".join(line[:cut]).rstrip())
                    line = [kept for kept in line[cut:] if not kept.isspace()]
                    used = sum(self.width(kept) for kept in line)
                if line or not token.isspace():
                    line.append(token)
                    used += self.width(token)
                index += 1
            lines.append("".join(line).rstrip())
        return lines
