"""The parts the flyer and the leaflet share: the title band across the top, the theme's description, how to
order along the foot, and the grid of cards that fills whatever the page has left, whatever the count."""

from math import ceil, log

from services.catalogue.pictures import Image
from services.catalogue.print_blocks import (
    BRAND,
    CARD,
    GAP_MM,
    MARGIN_MM,
    PANEL,
    RULE,
    WHITE,
    Block,
    CataloguePdf,
    LayoutTooSmall,
    Text,
    present,
)
from services.catalogue.publishing import OfferingSheet, Theme, arrange, price_range, price_text

_CARD_PADDING_MM = 2.5
_BAND_PADDING_MM = 0.8 * MARGIN_MM


def in_order(theme: Theme) -> list[OfferingSheet]:
    return [offering for group in arrange(theme) for offering in group.offerings]


def masthead(pdf: CataloguePdf) -> float:
    """The title and the catalogue at a glance on a band across the top of the page; where the band ends."""
    theme = pdf.theme
    heading = (
        Text(theme.title, 24, bold=True, colour=WHITE, space_after=1.5),
        Text(at_a_glance(theme), 10, colour=WHITE),
    )
    placed = pdf.fit(heading, pdf.epw, 0.14 * pdf.h, floor=0.6)
    if placed is None:
        raise LayoutTooSmall("the title is too long for the top of the page")
    height = sum(part.height for part in placed)
    band = MARGIN_MM * 0.8 * 2 + height
    pdf.box(0, 0, pdf.w, band, BRAND)
    pdf.lay_down(placed, pdf.l_margin, MARGIN_MM * 0.8, pdf.epw)
    return band


def description(
    pdf: CataloguePdf, top: float, width: float, room: float, x: float | None = None, largest_scale: float = 1.0
) -> float:
    """The theme's description under ``top`` in at most ``room``, smaller type first, cut only as a last resort."""
    if not pdf.theme.description.strip():
        return top
    placed = pdf.fit((Text(pdf.theme.description, 10.5, elastic=True),), width, room, top=largest_scale, floor=0.8)
    if placed is None:
        return top
    return pdf.lay_down(placed, pdf.l_margin if x is None else x, top + GAP_MM, width)


def order_band(pdf: CataloguePdf, lines_of_how_to_order: int, size: float = 8.5) -> float:
    """How to order and whom to contact on a band along the foot of the page; where the band starts."""
    theme, words = pdf.theme, pdf.words
    paragraphs = present(
        Text(theme.how_to_order, size, label=words("How to order"), max_lines=lines_of_how_to_order, space_after=1),
        Text(contact_line(theme), size, bold=True, label=words("Whom to contact")),
    )
    if not paragraphs:
        return pdf.bottom
    placed = pdf.fit(paragraphs, pdf.epw, 0.2 * pdf.h, floor=0.8)
    if placed is None:
        raise LayoutTooSmall("how to order and whom to contact are too long for the foot of the page")
    height = sum(part.height for part in placed)
    top = pdf.h - height - 2 * _BAND_PADDING_MM
    pdf.box(0, top, pdf.w, pdf.h - top, PANEL)
    pdf.lay_down(placed, pdf.l_margin, top + _BAND_PADDING_MM, pdf.epw)
    return top


def grid(pdf: CataloguePdf, offerings: list[OfferingSheet], top: float, bottom: float, with_terms: bool) -> None:
    """A card per offering, the cards filling the space between ``top`` and ``bottom``."""
    for offering, (x, y, width, height) in zip(
        offerings, grid_cells(len(offerings), pdf.l_margin, top, pdf.epw, bottom - top)
    ):
        pdf.box(x, y, width, height, CARD, border=RULE)
        inner_width, inner_height = width - 2 * _CARD_PADDING_MM, height - 2 * _CARD_PADDING_MM
        scale = min(max((width * height) ** 0.5 / 55, 0.85), 1.8)
        pdf.block(
            card(pdf, offering, with_terms),
            x + _CARD_PADDING_MM,
            y + _CARD_PADDING_MM,
            inner_width,
            inner_height,
            scale,
            alone=True,
        )


def card(pdf: CataloguePdf, offering: OfferingSheet, with_terms: bool) -> Block:
    words = pdf.words
    paragraphs = [
        Text(offering.name, 10, bold=True, space_after=0.8),
        Text(price_text(offering, words), 9.5, bold=True, colour=BRAND),
    ]
    if with_terms:
        units = words.plural("{count} unit", "{count} units", offering.min_order)
        available = words.plural("{count} unit", "{count} units", offering.available_units)
        paragraphs += [Text(units, 7.5, label=words("Minimum order")), Text(available, 7.5, label=words("Available"))]
    return Block(offering_pictures(pdf, offering)[:1], tuple(paragraphs))


def offering_pictures(pdf: CataloguePdf, offering: OfferingSheet) -> tuple[tuple[Image, str], ...]:
    count = len(offering.images)
    return tuple(
        (
            picture.print_copy,
            pdf.words("{name}, picture {index} of {count}", name=offering.name, index=index, count=count),
        )
        for index, picture in enumerate(offering.images, start=1)
    )


def grid_rows(count: int, width: float, height: float, shape: float = 0.85) -> list[int]:
    """How many cards each row of a grid holds: as many rows as make the cards closest to ``shape`` (width over
    height), fuller rows first, so the grid fills its whole box whatever the count."""
    best_rows, best_cost = 1, float("inf")
    for rows in range(1, count + 1):
        per_row = ceil(count / rows)
        if per_row * (rows - 1) >= count:
            continue
        cost = abs(log((width / per_row) / (height / rows) / shape))
        if cost < best_cost:
            best_rows, best_cost = rows, cost
    fewer, fuller = divmod(count, best_rows)
    return [fewer + 1] * fuller + [fewer] * (best_rows - fuller)


def grid_cells(count: int, x: float, y: float, width: float, height: float) -> list[tuple[float, float, float, float]]:
    """The boxes of ``count`` cards filling the box, in reading order."""
    if count == 0:
        return []
    rows = grid_rows(count, width, height)
    row_height = (height - GAP_MM * (len(rows) - 1)) / len(rows)
    cells: list[tuple[float, float, float, float]] = []
    for row, per_row in enumerate(rows):
        card_width = (width - GAP_MM * (per_row - 1)) / per_row
        top = y + row * (row_height + GAP_MM)
        cells.extend((x + column * (card_width + GAP_MM), top, card_width, row_height) for column in range(per_row))
    return cells


def at_a_glance(theme: Theme) -> str:
    """How many offerings and at what prices: "12 offerings · PGK 9.80 to PGK 120.00"."""
    count = theme.wording.plural("{count} offering", "{count} offerings", len(theme.offerings))
    return f"{count} · {price_range(theme)}"


def contact_line(theme: Theme) -> str:
    if theme.contact is None:
        return ""
    contact = theme.contact
    return " · ".join(part for part in (contact.name, contact.email, contact.phone, contact.website) if part)


def hero_picture(theme: Theme) -> tuple[Image, str] | None:
    """The picture a catalogue opens with, and its alternative text: the producers', else the first offering's."""
    for story in theme.stories:
        if story.picture is not None:
            return story.picture.print_copy, story.name
    for offering in theme.offerings:
        if offering.images:
            return offering.images[0].print_copy, offering.name
    return None
