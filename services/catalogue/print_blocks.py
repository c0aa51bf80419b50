"""What the printed catalogues are built of: a page of the paper asked for, texts fitted to their boxes (smaller
type before anything is cut), and blocks of pictures with their texts that take the shape their box suits
(``print_layouts`` arranges them into a flyer, a leaflet or a booklet)."""

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from fpdf import FPDF

from services.catalogue.pictures import Image
from services.catalogue.publishing import Theme
from shared.pdf import LineBreaker, text_font

PAPERS = {"a4": "A4", "letter": "Letter"}
MARGIN_MM = 12.0
GAP_MM = 3.0
PT_MM = 25.4 / 72
LINE_SPACING = 1.3
# No text is printed smaller: below it a catalogue printed at home stops being readable.
SMALLEST_PT = 6.0
ELLIPSIS = "…"
Colour = tuple[int, int, int]
INK: Colour = (34, 34, 34)
MUTED: Colour = (96, 96, 96)
BRAND: Colour = (138, 90, 43)
WHITE: Colour = (255, 255, 255)
CARD: Colour = (252, 250, 247)
RULE: Colour = (227, 221, 213)
PANEL: Colour = (241, 236, 229)


Fitted = TypeVar("Fitted")


class LayoutTooSmall(ValueError):
    """The theme has more than the layout can show legibly."""


@dataclass(frozen=True)
class Text:
    """A paragraph as it reads at scale 1: ``label`` goes in a muted column of its own (a fact's name);
    ``max_lines`` cuts it with an ellipsis; the ``elastic`` one is cut when nothing else makes a box fit."""

    text: str
    size: float
    bold: bool = False
    colour: Colour = INK
    space_before: float = 0.0
    space_after: float = 0.0
    label: str = ""
    max_lines: int | None = None
    elastic: bool = False
    align: str = "L"


@dataclass(frozen=True)
class Placed:
    text: Text
    size: float
    lines: list[str]
    label_lines: list[str]
    label_width: float
    before: float
    height: float

    @property
    def line_height(self) -> float:
        return line_height(self.size)


def line_height(size_pt: float) -> float:
    return size_pt * PT_MM * LINE_SPACING


@dataclass(frozen=True)
class Block:
    """Pictures (image and alternative text) with the texts that go with them: an offering's card, a producer
    group's story."""

    pictures: tuple[tuple[Image, str], ...]
    texts: tuple[Text, ...]


def present(*candidates: Text) -> tuple[Text, ...]:
    """The paragraphs that have something to say."""
    return tuple(text for text in candidates if text.text.strip())


class CataloguePdf(FPDF):
    def __init__(self, theme: Theme, paper: str):
        if paper not in PAPERS:
            raise ValueError(f"paper is one of {', '.join(PAPERS)}, not {paper!r}")
        super().__init__(unit="mm", format=PAPERS[paper])
        self.theme = theme
        self.words = theme.wording
        self.family, self.printable = text_font(self, japanese=True)
        self.breaker = LineBreaker(self)
        self._lines: dict[tuple[str, float, float, bool], list[str]] = {}
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(False)
        self.c_margin = 0
        self.set_title(theme.title)
        self.set_lang(theme.language)
        self.set_creator("Bilum")

    @property
    def bottom(self) -> float:
        return self.h - MARGIN_MM

    def use_font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def wrapped(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        key = (text, width, size, bold)
        if key not in self._lines:
            self.use_font(size, bold)
            self._lines[key] = self.breaker.lines(self.printable(text), width)
        return self._lines[key]

    def cut(self, lines: list[str], count: int, width: float, size: float, bold: bool) -> list[str]:
        """The first ``count`` lines, the last ending in an ellipsis that stays inside ``width``."""
        if len(lines) <= count:
            return lines
        last = lines[count - 1].rstrip()
        self.use_font(size, bold)
        while last and self.get_string_width(last + ELLIPSIS) > width:
            last = last[:-1].rstrip()
        return lines[: count - 1] + [last + ELLIPSIS]

    def place(self, text: Text, width: float, scale: float, label_width: float | None = None) -> Placed:
        size = max(text.size * scale, SMALLEST_PT)
        if not text.label:
            label_width = 0.0
        elif label_width is None:
            label_width = self.label_width((text,), width, scale)
        lines = self.wrapped(text.text, width - label_width, size, text.bold)
        if text.max_lines is not None:
            lines = self.cut(lines, text.max_lines, width - label_width, size, text.bold)
        label_lines = self.wrapped(text.label, label_width - 1.5, size) if text.label else []
        spacing = min(scale, 1.4)
        before = text.space_before * spacing
        height = before + max(len(lines), len(label_lines)) * line_height(size) + text.space_after * spacing
        return Placed(text, size, lines, label_lines, label_width, before, height)

    def label_width(self, paragraphs: tuple[Text, ...], width: float, scale: float) -> float:
        """One column for the labels of a stack, as wide as its widest label, at most 40 % of the stack."""
        widths = []
        for text in paragraphs:
            if text.label:
                self.use_font(max(text.size * scale, SMALLEST_PT))
                widths.append(self.get_string_width(self.printable(text.label)) + 2.0)
        return min(max(widths, default=0.0), 0.4 * width)

    def stack(self, paragraphs: tuple[Text, ...], width: float, scale: float) -> list[Placed]:
        label_width = self.label_width(paragraphs, width, scale)
        return [self.place(text, width, scale, label_width) for text in paragraphs]

    def fit(
        self, paragraphs: tuple[Text, ...], width: float, height: float, top: float = 1.0, floor: float = 0.75
    ) -> list[Placed] | None:
        """The paragraphs at the largest scale between ``top`` and ``floor`` that fits ``height``; failing that,
        the elastic paragraph cut short at the floor; None when even that does not fit."""
        floor = min(floor, top)

        def fitting(scale: float) -> list[Placed] | None:
            placed = self.stack(paragraphs, width, scale)
            return placed if sum(part.height for part in placed) <= height else None

        found = largest(top, floor, fitting)
        if found is not None:
            return found
        placed = self.stack(paragraphs, width, floor)
        for index, text in enumerate(paragraphs):
            if text.elastic:
                others = sum(part.height for number, part in enumerate(placed) if number != index)
                room = height - others - (text.space_before + text.space_after) * floor
                count = int(room // placed[index].line_height)
                if count >= 1:
                    placed[index] = self.place(replace(text, max_lines=count), width, floor, placed[index].label_width)
                    return placed
        return None

    def lay_down(self, placed: list[Placed], x: float, y: float, width: float) -> float:
        """Draw fitted paragraphs from ``y`` down; where they end."""
        for part in placed:
            height, top = part.line_height, y + part.before
            for number, line in enumerate(part.label_lines):
                self.line_of_text(line, x, top + number * height, part.label_width - 1.5, part.size, False, MUTED)
            for number, line in enumerate(part.lines):
                self.line_of_text(
                    line,
                    x + part.label_width,
                    top + number * height,
                    width - part.label_width,
                    part.size,
                    part.text.bold,
                    part.text.colour,
                    part.text.align,
                )
            y += part.height
        return y

    def line_of_text(
        self, line: str, x: float, y: float, width: float, size: float, bold: bool, colour: Colour, align: str = "L"
    ) -> None:
        """One line, its font set anew: fpdf2 2.8.9 draws a line that starts and ends with letters of the fallback
        font (Japanese) inside a saved graphics state, then believes the font it set there still holds, and would
        write the next line's glyphs in the wrong font (py-pdf/fpdf2#1772)."""
        self.use_font(size, bold)
        self.current_font_is_set_on_page = False
        self.set_text_color(*colour)
        self.set_xy(x, y)
        self.cell(width, line_height(size), line, align=align)

    def box(self, x: float, y: float, width: float, height: float, colour: Colour, border: Colour | None = None):
        self.set_fill_color(*colour)
        if border is not None:
            self.set_draw_color(*border)
            self.set_line_width(0.2)
        self.rect(x, y, width, height, style="DF" if border else "F", round_corners=border is not None, corner_radius=2)

    def picture(self, image: Image, alt: str, x: float, y: float, width: float, height: float) -> None:
        """The whole picture, as large as the box lets it be, centred on a quiet panel."""
        self.box(x, y, width, height, PANEL)
        pixels_wide, pixels_high = image.size
        scale = min(width / pixels_wide, height / pixels_high)
        shown_width, shown_height = pixels_wide * scale, pixels_high * scale
        self.image(
            io.BytesIO(image.data),
            x=x + (width - shown_width) / 2,
            y=y + (height - shown_height) / 2,
            w=shown_width,
            h=shown_height,
            alt_text=self.printable(alt),
        )

    def pictures(self, pictures: tuple[tuple[Image, str], ...], x: float, y: float, width: float, height: float):
        """The first picture large, the others in a row of small ones under it."""
        if len(pictures) == 1:
            self.picture(*pictures[0], x, y, width, height)
            return
        others = len(pictures) - 1
        small_width = (width - GAP_MM * (others - 1)) / others
        small_height = min(small_width, 0.3 * height)
        self.picture(*pictures[0], x, y, width, height - small_height - GAP_MM)
        for number, (image, alt) in enumerate(pictures[1:]):
            self.picture(
                image, alt, x + number * (small_width + GAP_MM), y + height - small_height, small_width, small_height
            )

    def block(
        self, block: Block, x: float, y: float, width: float, height: float, top: float = 1.0, alone: bool = False
    ) -> None:
        """The block in its box, pictures beside the texts or above them, whichever shows the pictures larger.
        Texts ``alone`` in their box (a card with no picture) grow to fill it, and sit in its middle."""
        if not block.pictures:
            placed = self.fit(block.texts, width, height, 1.6 * top if alone else top)
            if placed is None:
                raise _too_much_text(block)
            room = height - sum(part.height for part in placed) if alone else 0.0
            self.lay_down(placed, x, y + room / 2, width)
            return
        shapes = []
        beside_width = 0.42 * width
        placed = self.fit(block.texts, width - beside_width - GAP_MM, height, top)
        if placed is not None:
            shapes.append((_shown_area(block, beside_width, height), "beside", placed))
        placed = self.fit(block.texts, width, height - max(0.35 * height, 15.0), top)
        if placed is not None:
            text_height = sum(part.height for part in placed)
            shapes.append((_shown_area(block, width, height - text_height - GAP_MM), "above", placed))
        if not shapes:
            raise _too_much_text(block)
        _, shape, placed = max(shapes, key=lambda option: option[0])
        if shape == "beside":
            self.pictures(block.pictures, x, y, beside_width, height)
            self.lay_down(placed, x + beside_width + GAP_MM, y, width - beside_width - GAP_MM)
        else:
            text_height = sum(part.height for part in placed)
            self.pictures(block.pictures, x, y, width, height - text_height - GAP_MM)
            self.lay_down(placed, x, y + height - text_height, width)

    def natural_height(self, block: Block, width: float, scale: float = 1.0, picture_height: float = 45.0) -> float:
        """How tall the block is with its pictures beside its texts at ``scale``: what a page must leave it."""
        if not block.pictures:
            return sum(part.height for part in self.stack(block.texts, width, scale))
        text_width = width - 0.42 * width - GAP_MM
        return max(sum(part.height for part in self.stack(block.texts, text_width, scale)), picture_height * scale)


def _too_much_text(block: Block) -> LayoutTooSmall:
    name = block.texts[0].text
    shortened = name if len(name) <= 60 else name[:59] + ELLIPSIS
    return LayoutTooSmall(f"“{shortened}” has more text than its place on the page holds: choose a roomier layout")


def _shown_area(block: Block, width: float, height: float) -> float:
    """How much of the page the first picture covers when its pictures get ``width`` x ``height``."""
    if width <= 0 or height <= 0:
        return 0.0
    if len(block.pictures) > 1:
        height -= min((width - GAP_MM * (len(block.pictures) - 2)) / (len(block.pictures) - 1), 0.3 * height) + GAP_MM
    pixels_wide, pixels_high = block.pictures[0][0].size
    scale = min(width / pixels_wide, height / pixels_high)
    return max(0.0, pixels_wide * scale * pixels_high * scale)


def largest(top: float, floor: float, fitting: Callable[[float], Fitted | None]) -> Fitted | None:
    """What ``fitting`` gives at the largest scale from ``top`` down to ``floor`` (in steps of 2.5 %) where it
    gives anything. What is laid out shrinks with the scale, so halving the steps finds it."""
    steps = max(1, round((top - floor) / 0.025))
    scales = [top - (top - floor) * index / steps for index in range(steps + 1)]
    low, high, found = 0, len(scales) - 1, None
    while low <= high:
        middle = (low + high) // 2
        result = fitting(scales[middle])
        if result is not None:
            found, high = result, middle - 1
        else:
            low = middle + 1
    return found
