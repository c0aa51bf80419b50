"""A theme's catalogue as a web page and a CSV file, from the arrangement the PDFs use (``print_layouts``): a buyer who
prints the booklet and one who opens the CSV see the same groups in the same order."""

import html
from collections.abc import Callable

from services.catalogue.publishing import (
    CSV_COLUMNS,
    OfferingSheet,
    Theme,
    arrange,
    facts,
    price_range,
    price_text,
    requirement_parts,
    requirement_text,
)
from services.catalogue.wording import Wording
from shared.spreadsheet import csv_text

# Where a page served from a public link finds an offering's picture: (sku, position, size) -> its address; and a
# producer group's: (group id, size) -> its address.
ImageAddress = Callable[[str, int, str], str]
StoryAddress = Callable[[str, str], str]

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
.group img{width:100%;height:auto;border-radius:.25rem}
.contact{margin:2rem 0;padding:1rem;background:#fff;border:1px solid #e3ddd5;border-radius:.5rem}
""".strip()


def render_html(
    theme: Theme,
    image_address: ImageAddress | None = None,
    story_address: StoryAddress | None = None,
    extra_section: str = "",
) -> str:
    """One page in the theme's language. Downloaded, it is self-contained (pictures inline, nothing fetched, so it
    can be mailed or opened offline); served from a public link, ``image_address`` and ``story_address`` give each
    picture's address, so a phone on a weak connection loads the small copy, and ``extra_section`` (the quote form)
    closes the page."""
    escape, words = html.escape, theme.wording
    summary = words.plural("{count} offering", "{count} offerings", len(theme.offerings))
    if theme.offerings:
        summary += " · " + price_range(theme)
    image_policy = "img-src 'self'" if image_address else "img-src data:"
    form_policy = "; form-action 'self'" if extra_section else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(theme.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        f"content=\"default-src 'none'; {image_policy}; style-src 'unsafe-inline'{form_policy}\">",
        f"<title>{escape(theme.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{escape(theme.title)}</h1><p class="description">{escape(theme.description)}</p>'
        f"<p>{escape(summary)}</p></header>",
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
        parts.extend(_html_offering(offering, words, image_address) for offering in group.offerings)
        parts.append("</div></section>")
    parts += [_html_stories(theme, story_address), _html_contact(theme), extra_section, "</main>", "</body>", "</html>"]
    return "\n".join(part for part in parts if part) + "\n"


def _html_picture(image_address: ImageAddress | None, sku: str, position: int, picture, alt: str) -> str:
    escape = html.escape
    if image_address is None:
        return f'<img src="{picture.web_copy.data_uri}" alt="{escape(alt)}" loading="lazy">'
    small, web = image_address(sku, position, "small"), image_address(sku, position, "web")
    return _responsive_img(small, web, "14rem", alt)


def _responsive_img(small: str, web: str, shown_width: str, alt: str) -> str:
    """The small copy unless the screen shows the picture wider than it (``shown_width``, as the page's style lays
    it out) or denser; only the small one when that is all there is (a reader saving data)."""
    escape = html.escape
    if small == web:
        return f'<img src="{escape(small)}" alt="{escape(alt)}" loading="lazy">'
    return (
        f'<img src="{escape(small)}" srcset="{escape(small)} 320w, {escape(web)} 640w" '
        f'sizes="{shown_width}" alt="{escape(alt)}" loading="lazy">'
    )


def _html_offering(offering: OfferingSheet, words: Wording, image_address: ImageAddress | None) -> str:
    escape = html.escape
    count = len(offering.images)
    images = "".join(
        _html_picture(
            image_address,
            offering.sku,
            index - 1,
            picture,
            words("{name}, picture {index} of {count}", name=offering.name, index=index, count=count),
        )
        for index, picture in enumerate(offering.images, start=1)
    )
    listed = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts(offering, words))
    pictures = f'<div class="images">{images}</div>' if images else ""
    story = f'<p class="story">{escape(offering.story)}</p>' if offering.story.strip() else ""
    return (
        f'<article class="offering" id="sku-{escape(offering.sku)}">{pictures}'
        f"<h3>{escape(offering.name)}</h3>"
        f'<p class="sku">SKU {escape(offering.sku)}</p>'
        f'<p class="price">{escape(price_text(offering, words))}</p>'
        f'<p class="description">{escape(offering.description)}</p>'
        f"<dl>{listed}</dl>{_html_markets(offering, words)}{story}</article>"
    )


def _html_markets(offering: OfferingSheet, words: Wording) -> str:
    """Each destination market's requirements, under the market's code: what an importer checks before ordering."""
    if not offering.markets:
        return ""
    escape = html.escape
    markets = "".join(
        f'<dt>{escape(requirement.market)}</dt><dd data-market="{escape(requirement.market)}">'
        + "".join(
            f"<p>{escape(words('{label}: {value}', label=label, value=value))}</p>"
            for label, value in requirement_parts(requirement, words)
        )
        + "</dd>"
        for requirement in offering.markets
    )
    heading = escape(words("Requirements by market"))
    return f'<section class="markets"><h4>{heading}</h4><dl>{markets}</dl></section>'


def _story_picture(story, story_address: StoryAddress | None) -> str:
    escape = html.escape
    if story.picture is None:
        return ""
    if story_address is None:
        return f'<img src="{story.picture.web_copy.data_uri}" alt="{escape(story.name)}" loading="lazy">'
    small, web = story_address(story.group_id, "small"), story_address(story.group_id, "web")
    return _responsive_img(small, web, "(max-width: 40rem) 90vw, 20rem", story.name)


def _html_stories(theme: Theme, story_address: StoryAddress | None) -> str:
    """The producers behind the catalogue, group by group, each with the group's picture."""
    if not theme.stories:
        return ""
    escape, words = html.escape, theme.wording
    stories = "".join(
        '<article class="group">'
        + _story_picture(story, story_address)
        + f"<h3>{escape(story.name)}</h3>"
        + f'<p class="sku">{escape(story.region)} · '
        + escape(words.plural("{count} producer", "{count} producers", story.producer_count))
        + f'</p><p class="story">{escape(story.story)}</p></article>'
        for story in theme.stories
    )
    heading = escape(words("Who makes them"))
    return f'<section class="stories"><h2>{heading}</h2><div class="grid">{stories}</div></section>'


def _html_contact(theme: Theme) -> str:
    if not theme.how_to_order.strip() and theme.contact is None:
        return ""
    escape, words = html.escape, theme.wording
    lines = [f'<p class="description">{escape(theme.how_to_order)}</p>'] if theme.how_to_order.strip() else []
    if theme.contact is not None:
        contact = theme.contact
        lines.append(f"<p><strong>{escape(contact.name)}</strong></p>")
        lines.append(f'<p><a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a></p>')
        lines += [f"<p>{escape(value)}</p>" for value in (contact.phone, contact.website) if value]
    heading = escape(words("How to order"))
    return f'<section class="contact"><h2>{heading}</h2>{"".join(lines)}</section>'


def render_csv(theme: Theme) -> str:
    """One row per offering in catalogue order, prices as plain decimals (38.50, never 3.85E+1). Buyers open this
    file in Excel: no text of a sheet can become a formula there (``shared.spreadsheet``)."""
    words = theme.wording
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
                " | ".join(requirement_text(requirement, words) for requirement in offering.markets),
            ]
            for group in arrange(theme)
            for offering in group.offerings
        ),
    )
