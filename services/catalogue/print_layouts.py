"""Printed catalogues: a flyer (one page, every offering in a grid), a leaflet (``print_leaflet``: two pages) and
a booklet (``print_booklet``).

Every layout fills its pages and keeps every text inside them: type shrinks to fit its box, down to a size still
read at arm's length, and only a long text (a theme's description, an offering's on a crowded page) is ever cut; a
theme a layout cannot hold legibly is refused (``LayoutTooSmall``) with the layout to choose instead."""

from services.catalogue.print_blocks import GAP_MM, CataloguePdf, LayoutTooSmall
from services.catalogue.print_booklet import booklet
from services.catalogue.print_leaflet import LEAFLET_MOST, leaflet
from services.catalogue.print_parts import description, grid, in_order, masthead, order_band
from services.catalogue.publishing import Theme

LAYOUTS = ("flyer", "leaflet", "booklet")
# Past this count a card's picture and texts get too small to read on the page.
FLYER_MOST = 12

__all__ = ["FLYER_MOST", "LAYOUTS", "LEAFLET_MOST", "LayoutTooSmall", "render_pdf"]


def render_pdf(theme: Theme, layout: str, paper: str) -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(f"layout is one of {', '.join(LAYOUTS)}, not {layout!r}")
    if not theme.offerings:
        raise LayoutTooSmall("the catalogue has no offerings to print")
    pdf = CataloguePdf(theme, paper)
    {"flyer": _flyer, "leaflet": leaflet, "booklet": booklet}[layout](pdf)
    return bytes(pdf.output())


def _flyer(pdf: CataloguePdf) -> None:
    """One page: the title, the catalogue in a grid that fills the page, how to order along the foot."""
    theme = pdf.theme
    if len(theme.offerings) > FLYER_MOST:
        raise LayoutTooSmall(
            f"a flyer shows at most {FLYER_MOST} offerings and this catalogue has {len(theme.offerings)}: "
            "choose a booklet"
        )
    pdf.add_page()
    top = masthead(pdf)
    top = description(pdf, top, pdf.epw, 0.09 * pdf.h)
    bottom = order_band(pdf, lines_of_how_to_order=2)
    grid(pdf, in_order(theme), top + GAP_MM, bottom - GAP_MM, with_terms=True)
