"""A theme's catalogue as an HTML page, a PDF and a CSV file, from one arrangement: a buyer who prints the PDF and one
who opens the CSV see the same groups in the same order."""

import html
import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.catalogue.publishing import (
    CSV_COLUMNS,
    OfferingSheet,
    Theme,
    arrange,
    count_of,
    display_copy,
    facts,
    price_text,
    requirement_parts,
    requirement_text,
)
from shared.pdf import text_font
from shared.spreadsheet import csv_text

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#222;
background:#faf8f5;line-height:1.45}
header,main{max-width:72rem;margin:0 auto;padding:1rem}
header{border-bottom:3px solid #8a5a2b}
h1{margin:.2rem 0;font-size:clamp(1.5rem,5vw,2.4rem)}
h2{margin:1.5rem 0 .75rem;font-size:1.3rem;color:#8a5a2b}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
.offering{background:#fff;border:1px solid #e3ddd5;border-radius:.5rem;padding:.75rem;overflow-wrap:anywhere}
.offering h3{margin:.5rem 0 .25rem;font-size:1.1rem}
.images{display:flex;gap:.25rem;overflow-x:auto}
.images img{max-width:100%;height:auto;max-height:14rem;object-fit:contain;border-radius:.25rem}
.sku{margin:0;color:#666;font-size:.85rem}
.price{margin:.25rem 0;font-weight:bold;font-size:1.1rem}
.description,.story{white-space:pre-line}
.story{font-style:italic}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .75rem;margin:.5rem 0;font-size:.9rem}
dt{color:#666}
dd{margin:0}
.markets h4{margin:.5rem 0 .25rem;font-size:.95rem}
.markets dt{font-weight:bold;color:#222}
.markets dd p{margin:0 0 .15rem}
""".strip()


def render_html(theme: Theme) -> str:
    """One self-contained page: images inline, no outside requests, so it can be mailed or opened offline."""
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(theme.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{escape(theme.title)}</h1><p class="description">{escape(theme.description)}</p>'
        f"<p>{count_of(len(theme.offerings), 'offering')}</p></header>",
        "<main>",
    ]
    for number, group in enumerate(arrange(theme), start=1):
        if group.heading is None:
            parts.append('<section><div class="grid">')
        else:
            parts.append(
                f'<section aria-labelledby="group-{number}"><h2 id="group-{number}">'
                f'{escape(group.heading)}</h2><div class="grid">'
            )
        parts.extend(_html_offering(offering) for offering in group.offerings)
        parts.append("</div></section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_offering(offering: OfferingSheet) -> str:
    escape = html.escape
    count = len(offering.images)
    images = "".join(
        f'<img src="{display_copy(image).data_uri}" '
        f'alt="{escape(offering.name)}, picture {index} of {count}" loading="lazy">'
        for index, image in enumerate(offering.images, start=1)
    )
    listed = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts(offering))
    pictures = f'<div class="images">{images}</div>' if images else ""
    story = f'<p class="story">{escape(offering.story)}</p>' if offering.story.strip() else ""
    return (
        f'<article class="offering" id="sku-{escape(offering.sku)}">{pictures}'
        f"<h3>{escape(offering.name)}</h3>"
        f'<p class="sku">SKU {escape(offering.sku)}</p>'
        f'<p class="price">{escape(price_text(offering))}</p>'
        f'<p class="description">{escape(offering.description)}</p>'
        f"<dl>{listed}</dl>{_html_markets(offering)}{story}</article>"
    )


def _html_markets(offering: OfferingSheet) -> str:
    """Each destination market's requirements, under the market's code: what an importer checks before ordering."""
    if not offering.markets:
        return ""
    escape = html.escape
    markets = "".join(
        f'<dt>{escape(requirement.market)}</dt><dd data-market="{escape(requirement.market)}">'
        + "".join(f"<p>{escape(label)}: {escape(value)}</p>" for label, value in requirement_parts(requirement))
        + "</dd>"
        for requirement in offering.markets
    )
    return f'<section class="markets"><h4>Requirements by market</h4><dl>{markets}</dl></section>'


def render_csv(theme: Theme) -> str:
    """One row per offering in catalogue order, prices as plain decimals (38.50, never 3.85E+1). Buyers open this
    file in Excel: no text of a sheet can become a formula there (``shared.spreadsheet``)."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                group.heading or "",
                offering.sku,
                offering.name,
                offering.description,
                offering.materials,
                offering.colour,
                offering.size,
                offering.story,
                f"{offering.price:f}",
                offering.currency,
                offering.unit_weight_g,
                offering.min_order,
                offering.producer_count,
                offering.available_units,
                offering.hs_code or "",
                offering.origin_country or "",
                " | ".join(requirement_text(requirement) for requirement in offering.markets),
            ]
            for group in arrange(theme)
            for offering in group.offerings
        ),
    )


_PAGE_MARGIN_MM = 15
_IMAGE_BOX_MM = (55, 42)
_IMAGE_GAP_MM = 4


class _CataloguePdf(FPDF):
    def __init__(self, theme: Theme):
        super().__init__(format="A4")
        self.theme_title = theme.title
        self.text_family, self.printable = text_font(self)
        self.set_margins(_PAGE_MARGIN_MM, _PAGE_MARGIN_MM)
        self.set_auto_page_break(True, margin=_PAGE_MARGIN_MM + 5)
        self.set_title(self.printable(theme.title))
        self.set_creator("Bilum")
        self.set_lang("en")

    def footer(self):
        if self.page_no() > 1:
            self.set_y(-_PAGE_MARGIN_MM)
            self.use_font(8)
            self.cell(0, 5, self.printable(f"{self.theme_title} · page {self.page_no()}"), align="C")

    def use_font(self, size: float, bold: bool = False):
        self.set_font(self.text_family, "B" if bold else "", size)

    def text_block(self, text: str, size: float, height: float, bold: bool = False, align: str = "L"):
        self.use_font(size, bold)
        self.multi_cell(0, height, self.printable(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def keep_room(self, height: float):
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


def render_pdf(theme: Theme) -> bytes:
    """A printable catalogue: a title page, then one section (and bookmark) per group, every offering with its
    pictures, words and price."""
    pdf = _CataloguePdf(theme)
    groups = arrange(theme)
    pdf.add_page()
    pdf.set_y(70)
    pdf.text_block(theme.title, 28, 12, bold=True, align="C")
    pdf.ln(6)
    pdf.text_block(theme.description, 12, 6, align="C")
    pdf.ln(10)
    pdf.text_block(count_of(len(theme.offerings), "offering"), 11, 6, align="C")
    for group in groups:
        if group.heading is not None:
            pdf.text_block(group.heading, 11, 6, align="C")
    for group in groups:
        pdf.add_page()
        if group.heading is not None:
            pdf.start_section(pdf.printable(group.heading))
            pdf.text_block(group.heading, 18, 10, bold=True)
            pdf.ln(2)
        for offering in group.offerings:
            _pdf_offering(pdf, offering)
    return bytes(pdf.output())


def _pdf_offering(pdf: _CataloguePdf, offering: OfferingSheet) -> None:
    box_width, box_height = _IMAGE_BOX_MM
    pdf.keep_room(20 + (box_height if offering.images else 0))
    pdf.text_block(offering.name, 13, 7, bold=True)
    pdf.text_block(f"SKU {offering.sku}    {price_text(offering)}", 10, 5)
    per_row = max(1, int((pdf.epw + _IMAGE_GAP_MM) // (box_width + _IMAGE_GAP_MM)))
    for start in range(0, len(offering.images), per_row):
        pdf.keep_room(box_height + 2)
        top = pdf.get_y() + 1
        for column, image in enumerate(offering.images[start : start + per_row]):
            pdf.image(
                io.BytesIO(display_copy(image).data),
                x=pdf.l_margin + column * (box_width + _IMAGE_GAP_MM),
                y=top,
                w=box_width,
                h=box_height,
                keep_aspect_ratio=True,
                alt_text=pdf.printable(offering.name),
            )
        pdf.set_y(top + box_height + 2)
    pdf.text_block(offering.description, 10, 5)
    for label, value in facts(offering):
        pdf.text_block(f"{label}: {value}", 9, 4.5)
    if offering.markets:
        pdf.text_block("Requirements by market", 9, 4.5, bold=True)
        for requirement in offering.markets:
            pdf.text_block(requirement_text(requirement), 9, 4.5)
    if offering.story.strip():
        pdf.ln(1)
        pdf.text_block(offering.story, 9, 4.5)
    pdf.ln(3)
    pdf.set_draw_color(200, 190, 180)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(4)
