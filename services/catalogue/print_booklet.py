"""The booklet: a cover, the offerings section by section (two to four to a page), the producers' stories, and a
back page with how to order and whom to contact.

The sections run on from one another: a section of one offering shares its page with the next section rather
than leaving most of the page blank. Each page's blocks then grow (their pictures first) to fill the page, and the
last page takes a block from the one before when it would otherwise be mostly empty."""

from dataclasses import dataclass

from services.catalogue.print_blocks import (
    BRAND,
    GAP_MM,
    MARGIN_MM,
    MUTED,
    RULE,
    WHITE,
    Block,
    CataloguePdf,
    Text,
    present,
)
from services.catalogue.print_parts import at_a_glance, grid_cells, hero_picture, offering_pictures
from services.catalogue.publishing import GroupStory, OfferingSheet, arrange, facts, price_text, requirement_text

MOST_BLOCKS_A_PAGE = 4
_FOOTER_MM = 7.0
_SMALLEST_PICTURE_MM = 55.0


@dataclass(frozen=True)
class _Unit:
    """A block and the section heading (also a bookmark) that opens it, if it opens one."""

    heading: str | None
    block: Block
    height: float

    def needs(self, heading_height: float) -> float:
        return self.height + (heading_height if self.heading is not None else 0.0)


def booklet(pdf: CataloguePdf) -> None:
    _cover(pdf)
    area = pdf.h - 2 * MARGIN_MM - _FOOTER_MM
    heading_height = _heading_height(pdf)
    pages = _pages(_units(pdf, area - heading_height), heading_height, area)
    has_back = bool(pdf.theme.how_to_order.strip() or pdf.theme.contact)
    total = 1 + len(pages) + has_back
    for number, page in enumerate(pages, start=2):
        pdf.add_page()
        _page(pdf, page, heading_height, area)
        _footer(pdf, number, total)
    if has_back:
        _back(pdf)


def _heading(pdf: CataloguePdf, text: str) -> Text:
    return Text(text, 16, bold=True, colour=BRAND, space_after=2.5)


def _heading_height(pdf: CataloguePdf) -> float:
    return pdf.place(_heading(pdf, "Ag"), pdf.epw, 1.0).height


def _units(pdf: CataloguePdf, tallest: float) -> list[_Unit]:
    units = []
    for group in arrange(pdf.theme):
        for index, offering in enumerate(group.offerings):
            units.append(_unit(pdf, group.heading if index == 0 else None, _offering(pdf, offering), tallest))
    for index, story in enumerate(pdf.theme.stories):
        units.append(_unit(pdf, pdf.words("Who makes them") if index == 0 else None, _story(pdf, story), tallest))
    return units


def _unit(pdf: CataloguePdf, heading: str | None, block: Block, tallest: float) -> _Unit:
    height = pdf.natural_height(block, pdf.epw, picture_height=_SMALLEST_PICTURE_MM)
    return _Unit(heading, block, min(height, tallest))


def _offering(pdf: CataloguePdf, offering: OfferingSheet) -> Block:
    words = pdf.words
    markets = []
    if offering.markets:
        markets.append(Text(words("Requirements by market"), 8.5, bold=True, space_before=2, space_after=0.5))
        markets += [Text(requirement_text(requirement, words), 8, space_after=0.5) for requirement in offering.markets]
    listed = [Text(value, 8.5, label=label, space_after=0.3) for label, value in facts(offering, words)]
    paragraphs = present(
        Text(offering.name, 15, bold=True, space_after=0.5),
        Text(f"SKU {offering.sku}", 8.5, colour=MUTED, space_after=1),
        Text(price_text(offering, words), 12.5, bold=True, colour=BRAND, space_after=1.5),
        Text(offering.description, 9.5, elastic=True, space_after=2),
        *listed,
        *markets,
        Text(offering.story, 9, colour=MUTED, space_before=2),
    )
    return Block(offering_pictures(pdf, offering), paragraphs)


def _story(pdf: CataloguePdf, story: GroupStory) -> Block:
    makers = pdf.words.plural("{count} producer", "{count} producers", story.producer_count)
    paragraphs = present(
        Text(story.name, 14, bold=True, space_after=0.5),
        Text(f"{story.region} · {makers}", 9, colour=MUTED, space_after=1.5),
        Text(story.story, 10, elastic=True),
    )
    return Block(((story.picture.print_copy, story.name),) if story.picture else (), paragraphs)


def _pages(units: list[_Unit], heading_height: float, area: float) -> list[list[_Unit]]:
    """Units to pages in order: as many as fit a page, at most four; then the last page, if mostly empty, takes
    units from the page before while that one keeps more than two."""
    pages: list[list[_Unit]] = [[]]
    for unit in units:
        if pages[-1] and (_used(pages[-1] + [unit], heading_height) > area or len(pages[-1]) == MOST_BLOCKS_A_PAGE):
            pages.append([])
        pages[-1].append(unit)
    while (
        len(pages) > 1
        and _used(pages[-1], heading_height) < 0.6 * area
        and len(pages[-2]) > 2
        and _used([pages[-2][-1]] + pages[-1], heading_height) <= area
        and len(pages[-1]) < MOST_BLOCKS_A_PAGE
    ):
        pages[-1].insert(0, pages[-2].pop())
    return pages


def _used(page: list[_Unit], heading_height: float) -> float:
    return sum(unit.needs(heading_height) for unit in page) + GAP_MM * 2 * (len(page) - 1)


def _page(pdf: CataloguePdf, page: list[_Unit], heading_height: float, area: float) -> None:
    """The page's units, each block grown by an equal share of what the page has left: its pictures take it, or,
    in a block with none, larger type."""
    extra = (area - _used(page, heading_height)) / len(page)
    y = MARGIN_MM
    for number, unit in enumerate(page):
        if number:
            pdf.set_draw_color(*RULE)
            pdf.line(pdf.l_margin, y - GAP_MM, pdf.l_margin + pdf.epw, y - GAP_MM)
        if unit.heading is not None:
            pdf.set_y(y)
            pdf.start_section(pdf.printable(unit.heading))
            pdf.lay_down([pdf.place(_heading(pdf, unit.heading), pdf.epw, 1.0)], pdf.l_margin, y, pdf.epw)
            y += heading_height
        pdf.block(unit.block, pdf.l_margin, y, pdf.epw, unit.height + extra, top=1.0 if unit.block.pictures else 1.3)
        y += unit.height + extra + 2 * GAP_MM


def _footer(pdf: CataloguePdf, number: int, total: int) -> None:
    words, y = pdf.words, pdf.h - MARGIN_MM - 4
    pages = f"{words.number(number)} / {words.number(total)}"
    title = pdf.fit((Text(pdf.theme.title, 7.5, colour=MUTED, max_lines=1),), pdf.epw - 30, 5, floor=1.0)
    pdf.lay_down(title or [], pdf.l_margin, y, pdf.epw - 30)
    pdf.lay_down([pdf.place(Text(pages, 7.5, colour=MUTED, align="R"), 30, 1.0)], pdf.l_margin + pdf.epw - 30, y, 30)


def _cover(pdf: CataloguePdf) -> None:
    """The big picture, the title and description, and the publishing organisation on a band at the foot."""
    theme = pdf.theme
    pdf.add_page()
    band_texts = present(
        Text(theme.contact.name if theme.contact else "", 15, bold=True, colour=WHITE, space_after=1),
        Text(at_a_glance(theme), 10, colour=WHITE),
    )
    band = pdf.fit(band_texts, pdf.epw, 0.15 * pdf.h, floor=0.7) or []
    band_top = pdf.h - sum(part.height for part in band) - 2 * MARGIN_MM
    pdf.box(0, band_top, pdf.w, pdf.h - band_top, BRAND)
    pdf.lay_down(band, pdf.l_margin, band_top + MARGIN_MM, pdf.epw)
    hero = hero_picture(theme)
    if hero is None:
        _cover_without_picture(pdf, band_top)
        return
    words_on_cover = present(
        Text(theme.title, 30, bold=True, colour=BRAND, space_after=3), Text(theme.description, 11, elastic=True)
    )
    room = band_top - 2 * GAP_MM - MARGIN_MM - 0.45 * pdf.h
    placed = pdf.fit(words_on_cover, pdf.epw, room, floor=0.6) or []
    text_top = band_top - 2 * GAP_MM - sum(part.height for part in placed)
    pdf.lay_down(placed, pdf.l_margin, text_top, pdf.epw)
    pdf.picture(*hero, pdf.l_margin, MARGIN_MM, pdf.epw, text_top - 2 * GAP_MM - MARGIN_MM)


def _cover_without_picture(pdf: CataloguePdf, band_top: float) -> None:
    """With no picture to show, the title in large type on a block of the brand's colour, the description under
    it."""
    block_bottom = 0.55 * pdf.h
    _title_block(pdf, block_bottom)
    room = band_top - block_bottom - 4 * GAP_MM
    described = pdf.fit(present(Text(pdf.theme.description, 12, elastic=True)), pdf.epw, room, top=1.4, floor=0.6)
    pdf.lay_down(described or [], pdf.l_margin, block_bottom + 2 * GAP_MM, pdf.epw)


def _title_block(pdf: CataloguePdf, bottom: float) -> None:
    """The title in large type at the foot of a block of the brand's colour across the top of the page."""
    title = pdf.fit((Text(pdf.theme.title, 34, bold=True, colour=WHITE),), pdf.epw, bottom - 2 * MARGIN_MM, floor=0.4)
    title_height = sum(part.height for part in title or [])
    pdf.box(0, 0, pdf.w, bottom, BRAND)
    pdf.lay_down(title or [], pdf.l_margin, bottom - MARGIN_MM - title_height, pdf.epw)


def _back(pdf: CataloguePdf) -> None:
    """How to order and whom to contact at the foot, the offerings' pictures above them (the title, when there
    is no picture)."""
    theme, words = pdf.theme, pdf.words
    pdf.add_page()
    contact = theme.contact
    pdf.start_section(pdf.printable(words("How to order") if theme.how_to_order.strip() else words("Whom to contact")))
    paragraphs = present(
        _heading(pdf, words("How to order") if theme.how_to_order.strip() else ""),
        Text(theme.how_to_order, 11, elastic=True, space_after=6),
        _heading(pdf, words("Whom to contact") if contact else ""),
        Text(contact.name if contact else "", 12, bold=True, space_after=1),
        *(
            Text(part, 11, space_after=0.5)
            for part in ((contact.email, contact.phone, contact.website) if contact else ())
        ),
    )
    area = pdf.h - 2 * MARGIN_MM
    placed = pdf.fit(paragraphs, pdf.epw, 0.6 * area, top=1.3) or []
    text_height = sum(part.height for part in placed)
    pdf.lay_down(placed, pdf.l_margin, pdf.bottom - text_height, pdf.epw)
    pictured = [offering for offering in theme.offerings if offering.images][:12]
    room = area - text_height - 3 * GAP_MM
    if room < 40:
        return
    pdf.set_draw_color(*RULE)
    rule = pdf.bottom - text_height - 1.5 * GAP_MM
    pdf.line(pdf.l_margin, rule, pdf.l_margin + pdf.epw, rule)
    if not pictured:
        _title_block(pdf, MARGIN_MM + room)
    for offering, cell in zip(pictured, grid_cells(len(pictured), pdf.l_margin, MARGIN_MM, pdf.epw, room)):
        pdf.picture(offering.images[0].print_copy, offering.name, *cell)
