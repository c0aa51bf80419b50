"""Themed catalogues: the offering sheets a theme picks, and how it arranges them (by colour, price band or
capacity).

A theme (a trade fair, a niche market, one buyer) picks offerings and arranges them the way its reader shops: by
colour, by price band or by how many can be made. The three formats share one arrangement so that a buyer who
prints the PDF and one who opens the CSV see the same groups in the same order.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from services.catalogue.pictures import Picture
from services.catalogue.wording import CATALOGUE_LANGUAGES, Wording

ARRANGEMENTS = ("colour", "price", "capacity", "none")
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
    images: list[Picture]
    # For export documents (absent from an offering published before they were asked for).
    hs_code: str | None = None
    origin_country: str | None = None
    markets: tuple[MarketRequirement, ...] = ()

    def __post_init__(self):
        if not isinstance(self.price, Decimal):
            raise TypeError(f"{self.sku}: the price is a Decimal, not {type(self.price).__name__}")


@dataclass(frozen=True)
class Contact:
    """Whom a buyer writes to about a catalogue: the publishing organisation, never a producer."""

    name: str
    email: str
    phone: str = ""
    website: str = ""


@dataclass(frozen=True)
class GroupStory:
    """A group of producers as a booklet introduces them: who they are, where, in a picture and their own words."""

    name: str
    region: str
    story: str
    producer_count: int
    picture: Picture | None = None
    group_id: str = ""


@dataclass(frozen=True)
class Theme:
    """A catalogue as its reader gets it: every text already in ``language`` (English where none was given)."""

    name: str
    title: str
    description: str
    arrange_by: str
    offerings: list[OfferingSheet]
    language: str = "en"
    how_to_order: str = ""
    contact: Contact | None = None
    stories: tuple[GroupStory, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.arrange_by not in ARRANGEMENTS:
            raise ValueError(f"arrange_by is one of {', '.join(ARRANGEMENTS)}, not {self.arrange_by!r}")
        if self.language not in CATALOGUE_LANGUAGES:
            raise ValueError(f"a catalogue is in {', '.join(CATALOGUE_LANGUAGES)}, not {self.language!r}")

    @property
    def wording(self) -> Wording:
        return Wording(self.language)


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
    words = theme.wording
    if theme.arrange_by == "colour":
        return _by_colour(theme.offerings, words)
    if theme.arrange_by == "price":
        return _by_price(theme.offerings, words)
    if theme.arrange_by == "capacity":
        return _by_capacity(theme.offerings, words)
    return [Group(None, tuple(theme.offerings))]


def _by_colour(offerings, words: Wording) -> list[Group]:
    groups: dict[str, list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (o.name.casefold(), o.sku)):
        groups.setdefault(offering.colour.strip().casefold(), []).append(offering)
    order = sorted(groups, key=lambda colour: (colour == "", colour))
    return [
        Group(
            _capitalised(groups[colour][0].colour.strip()) if colour else words("Colour not given"),
            tuple(groups[colour]),
        )
        for colour in order
    ]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_price(offerings, words: Wording) -> list[Group]:
    groups: dict[tuple[str, Decimal, Decimal], list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (o.currency, o.price, o.name.casefold(), o.sku)):
        groups.setdefault((offering.currency, *_one_two_five_band(offering.price)), []).append(offering)
    return [
        Group(_price_heading(words, currency, lower, upper), tuple(members))
        for (currency, lower, upper), members in sorted(groups.items(), key=lambda item: item[0][:2])
    ]


def _by_capacity(offerings, words: Wording) -> list[Group]:
    groups: dict[tuple[Decimal, Decimal], list[OfferingSheet]] = {}
    for offering in sorted(offerings, key=lambda o: (-o.available_units, o.name.casefold(), o.sku)):
        groups.setdefault(_one_two_five_band(Decimal(offering.available_units)), []).append(offering)
    return [
        Group(_capacity_heading(words, lower, upper), tuple(members))
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


def _price_heading(words: Wording, currency: str, lower: Decimal, upper: Decimal) -> str:
    if lower == 0:
        return words("{currency} under {upper}", currency=currency, upper=words.number(upper))
    return words(
        "{currency} {lower} to under {upper}", currency=currency, lower=words.number(lower), upper=words.number(upper)
    )


def _capacity_heading(words: Wording, lower: Decimal, upper: Decimal) -> str:
    if lower == 0:
        return words("None available now")
    if lower == 1:
        return words("1 unit available")
    return words("{lower} to {upper} units available", lower=words.number(lower), upper=words.number(upper - 1))


def price_text(offering: OfferingSheet, words: Wording) -> str:
    return words.money(offering.price, offering.currency)


def price_range(theme: Theme) -> str:
    """The theme's prices at a glance, per currency: "USD 9.80 to USD 38.50"."""
    words, texts = theme.wording, []
    for currency in sorted({offering.currency for offering in theme.offerings}):
        prices = [offering.price for offering in theme.offerings if offering.currency == currency]
        low, high = words.money(min(prices), currency), words.money(max(prices), currency)
        texts.append(low if low == high else words("{low} to {high}", low=low, high=high))
    return "; ".join(texts)


def facts(offering: OfferingSheet, words: Wording) -> list[tuple[str, str]]:
    """The attributes a buyer compares, in the order a sheet lists them; empty ones are left out."""
    facts = [
        (words("Materials"), offering.materials),
        (words("Colour"), offering.colour),
        (words("Size"), offering.size),
        (words("Minimum order"), words.plural("{count} unit", "{count} units", offering.min_order)),
        (words("Available"), words.plural("{count} unit", "{count} units", offering.available_units)),
        (words("Made by"), words.plural("{count} producer", "{count} producers", offering.producer_count)),
        (words("Unit weight"), words("{weight} g", weight=words.number(offering.unit_weight_g))),
        (words("HS code"), offering.hs_code or ""),
        (words("Country of origin"), offering.origin_country or ""),
    ]
    return [(label, value) for label, value in facts if value.strip()]


def requirement_parts(requirement: MarketRequirement, words: Wording) -> list[tuple[str, str]]:
    """A market's requirements as labelled parts, certificates left out when none is asked for."""
    parts = [(words("Packaging"), requirement.packaging), (words("Labelling"), requirement.labelling)]
    if requirement.certifications:
        parts.append((words("Certificates"), ", ".join(requirement.certifications)))
    return parts


def requirement_text(requirement: MarketRequirement, words: Wording) -> str:
    """One market on one line: "AU: Packaging: ...; Labelling: ...; Certificates: ..."."""
    return f"{requirement.market}: " + "; ".join(
        words("{label}: {value}", label=label, value=value) for label, value in requirement_parts(requirement, words)
    )
