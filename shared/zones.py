"""The time zone of a place, from its country and region: a producer's deadlines are shown in her own time, and she
rarely says which zone she lives in. CLDR (through Babel) lists each country's zones; a country with one zone is
answered from there, a country with several needs its regions told apart, which ``REGIONAL_ZONES`` does for the
countries Bilum works in. A zone is named in the reader's language the same way on a page and in an SMS."""

from babel.core import get_global
from babel.dates import get_timezone, get_timezone_location

from shared.translations import NC_, translations

UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT"})
# Zones named by their country where the CLDR city would be long and less familiar.
ZONE_PLACES = {
    # Translators: Papua New Guinea, in a time zone: "09:30 PNG time". Keep it short: it goes in SMS.
    "Pacific/Port_Moresby": NC_("time zone place", "PNG")
}
# Translators: the zone after a deadline, e.g. "09:30 PNG time"; {place} is a country or city. Keep it short: it goes
# in SMS.
ZONE_WORDING = NC_("time zone", "{place} time")

# Countries that span several zones: words naming a region (as people write it, any case) and that region's zone,
# then the zone of the rest of the country. Papua New Guinea keeps UTC+10 everywhere but in Bougainville (UTC+11).
REGIONAL_ZONES: dict[str, tuple[dict[str, str], str]] = {
    "PG": (
        {
            "bougainville": "Pacific/Bougainville",
            "arob": "Pacific/Bougainville",
            "north solomons": "Pacific/Bougainville",
        },
        "Pacific/Port_Moresby",
    )
}


def zone_of(country: str | None, region: str | None = None) -> str | None:
    """The IANA zone of ``region`` of ``country`` (ISO 3166 alpha-2), or None where that cannot be told: an unknown
    country, or one of several zones whose regions are not listed here."""
    country = (country or "").upper()
    if country in REGIONAL_ZONES:
        regions, rest = REGIONAL_ZONES[country]
        words = f" {_plain(region or '')} "
        return next((zone for name, zone in regions.items() if f" {name} " in words), rest)
    zones = get_global("territory_zones").get(country, ())
    return zones[0] if len(zones) == 1 else None


def _plain(text: str) -> str:
    """Lower case words only: "Autonomous Region of Bougainville (AROB)" reads "autonomous region of bougainville
    arob"."""
    return " ".join("".join(letter if letter.isalnum() else " " for letter in text.casefold()).split())


def zone_label(zone: str, language: str) -> str:
    """The zone in words its reader knows, in her language: "PNG taim", "heure de Tokyo", "UTC"."""
    if zone in UTC_ZONES:
        return "UTC"
    words = translations("bilum", language)
    if zone in ZONE_PLACES:
        place = words.pgettext("time zone place", ZONE_PLACES[zone])
    else:
        place = get_timezone_location(get_timezone(zone), locale=language, return_city=True)
    return words.pgettext("time zone", ZONE_WORDING).format(place=place)
