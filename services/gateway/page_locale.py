"""What a page needs to speak its reader's language: the languages the pages are written in, which one a reader
gets, and the locale data her page formats dates, numbers and money with.

Browsers know no Tok Pisin (``Intl`` has no ``tpi``), so month and weekday names, patterns and separators come from
Babel's CLDR data and are written into the page; the browser's ``Intl`` only does the zone arithmetic. Plain Python:
no I/O beyond reading Babel's data."""

import re
from functools import lru_cache

from babel import Locale
from babel.dates import get_period_names

from shared.zones import zone_label

LANGUAGES = ("en", "fr", "tpi")
DEFAULT_LANGUAGE = "en"
# A weekday written short (EEE) is widened: a reader in a village knows "Fraide", not "Fra".
_SHORT_WEEKDAY = re.compile(r"(?<!E)E{1,3}(?!E)")


def first_written(tags) -> str:
    """The first of a reader's languages the pages are written in (``fr-FR`` counts as ``fr``), else English."""
    for tag in tags or ():
        primary = str(tag).replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def language_names() -> list[dict]:
    """Each language named in itself, as a reader looks for her own."""
    return [{"code": code, "name": _own_name(code)} for code in LANGUAGES]


def _own_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def profile(languages, zone: str | None, shown_in: str | None) -> dict:
    """A reader's page settings: her language (the first of hers the pages are written in), the languages offered,
    her time zone (UTC when none is known) named in ``shown_in`` (the page's language) or her own."""
    language = first_written(languages)
    zone = zone or "UTC"
    return {
        "language": language,
        "languages": language_names(),
        "time_zone": zone,
        "zone_name": zone_label(zone, shown_in or language),
    }


@lru_cache(maxsize=None)
def locale_data(language: str) -> dict:
    """Names, patterns (CLDR's letters: y M d E h H m a) and separators for the page's own formatting."""
    locale = Locale.parse(language)
    periods = get_period_names(width="abbreviated", context="format", locale=locale)
    symbols = locale.number_symbols["latn"]
    return {
        "months": [locale.months["format"]["wide"][month] for month in range(1, 13)],
        "weekdays": [locale.days["format"]["wide"][day] for day in range(7)],
        "periods": [periods["am"], periods["pm"]],
        "date": locale.date_formats["long"].pattern,
        "weekday_date": _SHORT_WEEKDAY.sub("EEEE", locale.date_formats["full"].pattern),
        "time": locale.time_formats["short"].pattern,
        "date_time": locale.datetime_formats["full"],
        "decimal": symbols["decimal"],
        "group": symbols["group"],
        "currency_first": locale.currency_formats["standard"].pattern.startswith("¤"),
        "percent": _percent_pattern(locale),
    }


def _percent_pattern(locale: Locale) -> str:
    """Where a percentage's digits go and the sign around them, the language's way: "{0}%", "{0}\u00a0%" in French."""
    positive = locale.percent_formats[None].pattern.split(";")[0]
    return re.sub(r"[#0,.]+", "{0}", positive, count=1).replace("%", locale.number_symbols["latn"]["percentSign"])
