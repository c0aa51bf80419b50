"""What a page must show for a figure, a date or a deadline in a language, computed here by Babel (Python) from the
API's values: the page computes the same in the browser, with its own code and the browser's zone arithmetic."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from shared.translations import translations

NO_BREAK = "\u00a0"


def count(language: str, n: int) -> str:
    return format_decimal(n, locale=language)


def percent(language: str, digits: str) -> str:
    """A percentage from the digits the page computes it to ("87.5"), in the language's own pattern: "87,5 %"."""
    places = len(digits.partition(".")[2])
    pattern = Locale.parse(language).percent_formats[None].pattern
    if places:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * places)
    return format_percent(Decimal(digits) / 100, format=pattern, locale=language)


def counted(language: str, singular: str, plural: str, n, places: int = 0, **values) -> str:
    """A count in words: the form (of the ``bilum`` message) that the number as written takes in the language's plural
    rules (CLDR's, French "0,4 jour", English "1.0 days"), the number written with ``places`` decimals."""
    digits = Decimal(f"{n:.{places}f}")
    one = Locale.parse(language).plural_form(digits) == "one"
    words = translations("bilum", language).ngettext(singular, plural, 1 if one else 2)
    shown = format_decimal(digits, format="#,##0" + ("." + "0" * places if places else ""), locale=language)
    return words.format(count=shown, **values)


def money(language: str, currency: str, amount: str) -> str:
    """The amount with exactly the decimals the API gave (its currency's minor units), and the currency where the
    language puts it."""
    places = len(amount.partition(".")[2])
    digits = format_decimal(Decimal(amount), format="#,##0" + ("." + "0" * places if places else ""), locale=language)
    if Locale.parse(language).currency_formats["standard"].pattern.startswith("¤"):
        return f"{currency}{NO_BREAK}{digits}"
    return f"{digits}{NO_BREAK}{currency}"


def day(language: str, iso: str) -> str:
    return format_date(date.fromisoformat(iso), "long", locale=language)


def deadline(language: str, iso: str, zone: str, zone_name: str, at_zone: str = "{when}, {zone}") -> str:
    """The weekday in full, the date and the time in ``zone``, and the zone named."""
    locale = Locale.parse(language)
    local = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    day_pattern = locale.date_formats["full"].pattern
    if "EEEE" not in day_pattern:
        day_pattern = day_pattern.replace("EEE", "EEEE")
    when = (
        locale.datetime_formats["full"]
        .replace("{1}", format_date(local, day_pattern, locale=locale))
        .replace("{0}", format_time(local, "short", locale=locale))
    )
    return at_zone.format(when=when, zone=zone_name)
