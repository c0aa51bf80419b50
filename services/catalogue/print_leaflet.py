"""The leaflet: two pages. The front shows the catalogue at a glance (a picture, the description, a card per
offering); the back the offerings' details, the producers' stories and how to order."""

from services.catalogue.print_blocks import (
    BRAND,
    GAP_MM,
    MARGIN_MM,
    MUTED,
    RULE,
    Block,
    CataloguePdf,
    LayoutTooSmall,
    Text,
    largest,
    present,
)
from services.catalogue.print_parts import (
    description,
    grid,
    hero_picture,
    in_order,
    masthead,
    offering_pictures,
    order_band,
)
from services.catalogue.publishing import facts, price_text, requirement_text

# Past this count a card's picture and texts get too small to read on the page.
LEAFLET_MOST = 16


def leaflet(pdf: CataloguePdf) -> None:
    """Two pages: the front shows the catalogue at a glance, the back its details, its makers and how to order.
    What does not fit the back is left out in steps (``_SCALES``) before the type gets too small."""
    theme = pdf.theme
    if len(theme.offerings) > LEAFLET_MOST:
        raise LayoutTooSmall(
            f"a leaflet shows at most {LEAFLET_MOST} offerings and this catalogue has {len(theme.offerings)}: "
            "choose a booklet"
        )
    pdf.add_page()
    top = masthead(pdf) + GAP_MM
    hero = hero_picture(theme)
    if hero is None:
        top = description(pdf, top - GAP_MM, pdf.epw, 0.2 * pdf.h)
    else:
        hero_height, hero_width = 0.24 * pdf.h, 0.45 * pdf.epw
        pdf.picture(*hero, pdf.l_margin, top, hero_width, hero_height)
        text_x = pdf.l_margin + hero_width + GAP_MM
        description(pdf, top - GAP_MM, pdf.epw - hero_width - GAP_MM, hero_height, x=text_x, largest_scale=1.5)
        top += hero_height
    grid(pdf, in_order(theme), top + GAP_MM, pdf.bottom, with_terms=False)
    pdf.add_page()
    _leaflet_back(pdf)


def _leaflet_back(pdf: CataloguePdf) -> None:
    theme = pdf.theme
    title = pdf.fit((Text(theme.title, 13, bold=True, colour=BRAND),), pdf.epw, 20, floor=0.7)
    top = pdf.lay_down(title or [], pdf.l_margin, MARGIN_MM, pdf.epw) + GAP_MM
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, top - GAP_MM / 2, pdf.l_margin + pdf.epw, top - GAP_MM / 2)
    room = order_band(pdf, lines_of_how_to_order=6, size=9.5) - GAP_MM - top
    width = (pdf.epw - 2 * GAP_MM) / 2
    for detail, (largest_scale, smallest_scale) in enumerate(_SCALES):
        items = _back_items(pdf, detail)

        def attempt(scale: float, items=items):
            heights = [pdf.natural_height(block, width, scale, picture_height=24) for block, _ in items]
            boxes = _into_columns(items, heights, room, width)
            return None if boxes is None else (boxes, scale)

        laid_out = largest(largest_scale, smallest_scale, attempt)
        if laid_out is not None:
            boxes, scale = laid_out
            for (block, _), (column, y, height) in zip(items, boxes):
                pdf.block(block, pdf.l_margin + column * (width + 2 * GAP_MM), top + y, width, height, top=scale)
            return
    raise LayoutTooSmall("the offerings' details do not fit the back of a leaflet: choose a booklet")


# The back says less in steps: first the offerings' other pictures go, then their descriptions, then the stories
# shorten and the markets are only named. Each step is tried from its largest type to its smallest, and says more in
# smaller type rather than less in larger.
_SCALES = ((1.5, 1.0), (1.0, 0.9), (1.0, 0.8), (1.0, 0.8))
_STORY_LINES = (8, 5, 4, 3)


def _back_items(pdf: CataloguePdf, detail: int) -> list[tuple[Block, bool]]:
    """The back's blocks, each with whether it must stay with the next (a heading): the offerings' details, then
    the producers' stories, saying less as ``detail`` goes up (``_SCALES``)."""
    words, theme = pdf.words, pdf.theme
    items = []
    for offering in in_order(theme):
        listed = " · ".join(
            words("{label}: {value}", label=label, value=value) for label, value in facts(offering, words)
        )
        if detail < 3:
            markets = [Text(requirement_text(requirement, words), 7.5) for requirement in offering.markets]
        else:
            named = ", ".join(requirement.market for requirement in offering.markets)
            markets = [Text(named, 7.5, label=words("Requirements by market"))]
        paragraphs = present(
            Text(offering.name, 9.5, bold=True),
            Text(f"SKU {offering.sku} · {price_text(offering, words)}", 8, colour=MUTED, space_after=0.5),
            Text(offering.description if detail < 2 else "", 8, max_lines=3, space_after=0.5),
            Text(listed, 7.5, space_after=0.5),
            *markets,
        )
        items.append((Block(offering_pictures(pdf, offering) if detail == 0 else (), paragraphs), False))
    if theme.stories:
        items.append((Block((), (Text(words("Who makes them"), 11, bold=True, colour=BRAND),)), True))
    for story in theme.stories:
        makers = words.plural("{count} producer", "{count} producers", story.producer_count)
        paragraphs = present(
            Text(story.name, 9, bold=True),
            Text(f"{story.region} · {makers}", 7.5, colour=MUTED),
            Text(story.story, 7.5, max_lines=_STORY_LINES[detail]),
        )
        pictures = ((story.picture.print_copy, story.name),) if story.picture else ()
        items.append((Block(pictures, paragraphs), False))
    return items


def _into_columns(
    items: list[tuple[Block, bool]], heights: list[float], room: float, width: float, count: int = 2
) -> list[tuple[int, float, float]] | None:
    """Each item's column, top and height: the columns as even as the items let them be, a heading kept with what
    follows it; None when they do not fit. What a column has left goes to its pictures (up to about as tall as
    the column is wide), then between its items (a few millimetres each)."""
    if _columns(items, heights, room, count) is None:
        return None
    low, high = max(heights) - 0.01, room
    while high - low > 0.5:  # the shortest columns the items fit in
        middle = (low + high) / 2
        low, high = (low, middle) if _columns(items, heights, middle, count) else (middle, high)
    columns = _columns(items, heights, high, count) or []
    boxes: dict[int, tuple[int, float, float]] = {}
    for column, members in enumerate(columns):
        left = room - sum(heights[index] for index in members) - GAP_MM * (len(members) - 1)
        pictured = [index for index in members if items[index][0].pictures]
        grown = {index: min(left / len(pictured), 0.75 * width) for index in pictured}
        left -= sum(grown.values())
        gap = GAP_MM + min(left / max(len(members) - 1, 1), 2 * GAP_MM)
        y = 0.0
        for index in members:
            boxes[index] = (column, y, heights[index] + grown.get(index, 0.0))
            y += boxes[index][2] + gap
    return [boxes[index] for index in range(len(heights))]


def _columns(items: list[tuple[Block, bool]], heights: list[float], room: float, count: int) -> list[list[int]] | None:
    """The items in columns at most ``room`` tall, each column filled before the next; None when they need more
    than ``count`` columns."""
    columns: list[list[int]] = [[]]
    used = 0.0
    for index, height in enumerate(heights):
        glued = items[index][1] and index + 1 < len(heights)
        needed = height + (heights[index + 1] if glued else 0.0)
        if used + needed > room and columns[-1]:
            columns.append([])
            used = 0.0
        if len(columns) > count or used + needed > room:
            return None
        columns[-1].append(index)
        used += height + GAP_MM
    return columns
