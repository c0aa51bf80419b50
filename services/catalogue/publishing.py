"""Themed catalogues: the offering sheets a theme picks, and how it arranges them (by colour, price band or
capacity).

A theme (a trade fair, a niche market, one buyer) picks offerings and arranges them the way its reader shops: by
colour, by price band or by how many can be made. The three formats share one arrangement so that a buyer who
prints the PDF and one who opens the CSV see the same groups in the same order.
"""

import base64
import io
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image as PillowImage
from PIL import ImageOps

ARRANGEMENTS = ("colour", "price", "capacity", "none")
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
MAX_IMAGE_PIXELS = 4096 * 4096
DISPLAY_SIDE_PX = 640
_EXIF_ORIENTATION = 0x0112
CSV_COLUMNS = (
    "group",
    "sku",
    "name",
    "description",
    "materials",
    "colour",
    "size",
    "story",
    "price",
    "currency",
    "unit_weight_g",
    "min_order",
    "producer_count",
    "available_units",
    "hs_code",
    "origin_country",
    "market_requirements",
)


@dataclass(frozen=True)
class Image:
    content_type: str
    data: bytes

    def __post_init__(self):
        """The bytes must be what they claim, and of a sane size: they end up in a data URI and in the PDF, where a
        small file that unpacks to a gigapixel would exhaust the renderer's memory."""
        image_format = IMAGE_FORMATS.get(self.content_type)
        if image_format is None:
            raise ValueError(f"an image is {' or '.join(IMAGE_FORMATS)}, not {self.content_type!r}")
        try:
            with PillowImage.open(io.BytesIO(self.data), formats=[image_format]) as picture:
                width, height = picture.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValueError(f"a {width} x {height} image is over {MAX_IMAGE_PIXELS:,} pixels")
                picture.load()
        except (OSError, PillowImage.DecompressionBombError):
            raise ValueError(f"the data is not a whole {self.content_type} image") from None

    @property
    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def display_copy(image: Image) -> Image:
    """The picture as both formats show it: at most 640 px a side, enough for a phone screen and for the PDF's
    55 mm box at about 300 dpi. Camera originals would make a 200-offering page hundreds of megabytes. A copy is
    also made upright, since the EXIF rotation a browser honours is not honoured in the PDF."""
    with PillowImage.open(io.BytesIO(image.data)) as picture:
        if max(picture.size) <= DISPLAY_SIDE_PX and picture.getexif().get(_EXIF_ORIENTATION, 1) == 1:
            return image
        upright = ImageOps.exif_transpose(picture)
        upright.thumbnail((DISPLAY_SIDE_PX, DISPLAY_SIDE_PX))
        buffer = io.BytesIO()
        if image.content_type == "image/jpeg":
            upright.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
        else:
            upright.save(buffer, "PNG", optimize=True)
    return Image(image.content_type, buffer.getvalue())


@dataclass(frozen=True)
class MarketRequirement:
    """What one destination market (a country code, or EU) asks of the goods, as an importer reads it."""

    market: str
    packaging: str
    labelling: str
    certifications: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferingSheet:
    sku: str
    name: str
    description: str
    materials: str
    colour: str
    size: str
    story: str
    price: Decimal
    currency: str
    unit_weight_g: int
    min_order: int
    producer_count: int
    available_units: int
    images: list[Image]
    # For export documents (absent from an offering published before they were asked for).
    hs_code: str | None = None
    origin_country: str | None = None
    markets: tuple[MarketRequirement, ...] = ()

    def __post_init__(self):
        if not isinstance(self.price, Decimal):
            raise TypeError(f"{self.sku}: the price is a Decimal, not {type(self.price).__name__}")


@dataclass(frozen=True)
class Theme:
    name: str
    title: str
    description: str
    arrange_by: str
    offerings: list[OfferingSheet]

    def __post_init__(self):
        if self.arrange_by not in ARRANGEMENTS:
            raise ValueError(f"arrange_by is one of {', '.join(ARRANGEMENTS)}, not {self.arrange_by!r}")


@dataclass(frozen=True)
class Group:
    heading: str | None  # None when the theme is not arranged: the curator's order is the whole catalogue
    offerings: tuple[OfferingSheet, ...]


def arrange(theme: Theme) -> list[Group]:
    """The theme's groups in reading order.

    colour: alphabetical, offerings without a colour last; price: bands of 1-2-5 steps per currency, cheapest first;
    capacity: the same bands of available units, largest first, since a bulk buyer looks first at what can be made
    in quantity; none: the offerings in the order given.
    """
    if theme.arrange_by == "colour":
        return _by_colour(theme.offerings)
    if theme.arrange_by == "price":
        return _by_price(theme.offerings)
    if theme.arrange_by == "capacity":
        return _by_capacity(theme.offerings)
    return [Group(None, tuple(theme.offerings))]


def _by_colour(offerings) -> list[Group]:
    groups: dict[str, list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (o.name.casefold(), o.sku)):
        groups.setdefault(offering.colour.strip().casefold(), []).append(offering)
    order = sorted(groups, key=lambda colour: (colour == "", colour))
    return [
        Group(_capitalised(groups[colour][0].colour.strip()) if colour else "Colour not given", tuple(groups[colour]))
        for colour in order
    ]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_price(offerings) -> list[Group]:
    groups: dict[tuple[str, Decimal, Decimal], list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (o.currency, o.price, o.name.casefold(), o.sku)):
        groups.setdefault((offering.currency, *_one_two_five_band(offering.price)), []).append(offering)
    return [
        Group(_price_heading(currency, lower, upper), tuple(members))
        for (currency, lower, upper), members in sorted(groups.items(), key=lambda item: item[0][:2])
    ]


def _by_capacity(offerings) -> list[Group]:
    groups: dict[tuple[Decimal, Decimal], list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (-o.available_units, o.name.casefold(), o.sku)):
        groups.setdefault(_one_two_five_band(Decimal(offering.available_units)), []).append(offering)
    return [
        Group(_capacity_heading(lower, upper), tuple(members))
        for (lower, upper), members in sorted(groups.items(), key=lambda item: -item[0][0])
    ]


def _one_two_five_band(value: Decimal) -> tuple[Decimal, Decimal]:
    """Bands that read well whatever the currency or scale: under 1, 1-2, 2-5, 5-10, 10-20, ..."""
    if value < 1:
        return Decimal(0), Decimal(1)
    power = Decimal(10) ** value.adjusted()
    if value < 2 * power:
        return power, 2 * power
    if value < 5 * power:
        return 2 * power, 5 * power
    return 5 * power, 10 * power


def _number(value: Decimal) -> str:
    return f"{value:,f}"


def _price_heading(currency: str, lower: Decimal, upper: Decimal) -> str:
    if lower == 0:
        return f"{currency} under {_number(upper)}"
    return f"{currency} {_number(lower)} to under {_number(upper)}"


def _capacity_heading(lower: Decimal, upper: Decimal) -> str:
    if lower == 0:
        return "None available now"
    if lower == 1:
        return "1 unit available"
    return f"{_number(lower)} to {_number(upper - 1)} units available"


def count_of(number: int, thing: str) -> str:
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


def price_text(offering: OfferingSheet) -> str:
    return f"{offering.currency} {offering.price:,f}"


def facts(offering: OfferingSheet) -> list[tuple[str, str]]:
    """The attributes a buyer compares, in the order a sheet lists them; empty ones are left out."""
    facts = [
        ("Materials", offering.materials),
        ("Colour", offering.colour),
        ("Size", offering.size),
        ("Minimum order", f"{offering.min_order:,} units"),
        ("Available", f"{offering.available_units:,} units"),
        ("Made by", count_of(offering.producer_count, "producer")),
        ("Unit weight", f"{offering.unit_weight_g:,} g"),
        ("HS code", offering.hs_code or ""),
        ("Country of origin", offering.origin_country or ""),
    ]
    return [(label, value) for label, value in facts if value.strip()]


def requirement_parts(requirement: MarketRequirement) -> list[tuple[str, str]]:
    """A market's requirements as labelled parts, certificates left out when none is asked for."""
    parts = [("Packaging", requirement.packaging), ("Labelling", requirement.labelling)]
    if requirement.certifications:
        parts.append(("Certificates", ", ".join(requirement.certifications)))
    return parts


def requirement_text(requirement: MarketRequirement) -> str:
    """One market on one line: "AU: Packaging: ...; Labelling: ...; Certificates: ..."."""
    return f"{requirement.market}: " + "; ".join(f"{label}: {value}" for label, value in requirement_parts(requirement))
