"""How a message writes its values in the reader's language. Plain Python.

Dates and times are written with Babel's names of months and days, in the patterns each language's catalogue gives
(CLDR pattern syntax), in the recipient's zone. A deadline names its zone wherever it is shown, in the SMS too ("by
1 Oct 09:30 PNG time"): a producer must not answer an hour late, nor a buyer abroad wonder whose evening it is. Other
times name it in the full text only (an SMS to the recipient's own zone leaves it out). Without a zone, times are in
UTC and say so. Numbers are left as digits: a producer answers with the number as she read it, and "1,500" would be two
numbers to the reply parser.
"""

import gettext
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, tokenize_pattern, untokenize_pattern

from shared.translations import NC_
from shared.zones import UTC_ZONES, zone_label

# The values that are deadlines.
DEADLINES = frozenset({"respond_by"})
FORMATS = {
    # Translators: a date in an email, as a CLDR pattern: EEEE the day of the week, d the day, MMMM the month, MMM its
    # short name, y the year, text between 'quotes' as it is
    # (https://unicode.org/reports/tr35/tr35-dates.html#Date_Field_Symbol_Table).
    "date": NC_("date", "EEEE d MMMM y"),
    # Translators: a date in an SMS, as a CLDR pattern (see "date"): short.
    "date in an SMS": NC_("date in an SMS", "d MMM"),
    # Translators: a date and time in an email, as a CLDR pattern (see "date"; HH the hour, 0 to 23, mm the minutes).
    # The zone follows it.
    "date and time": NC_("date and time", "EEEE d MMMM y, HH:mm"),
    # Translators: a date and time in an SMS, as a CLDR pattern (see "date and time"): short. The zone follows it.
    "date and time in an SMS": NC_("date and time in an SMS", "d MMM HH:mm"),
    # Translators: how a date writes the first day of a month, in place of the pattern's d (French: 1er).
    "first day of a month": NC_("first day of a month", "1"),
}


@dataclass(frozen=True)
class _Deadline:
    moment: datetime


class ValueFormatter(string.Formatter):
    """``{when}`` is the long form of a date or time, ``{when:short}`` the SMS form; ``{items}`` a list as lines,
    ``{items:count}`` its length. ``zone`` is the recipient's, None where it is not known."""

    def __init__(self, language: str, catalogue: gettext.NullTranslations, zone: ZoneInfo | None):
        super().__init__()
        self.locale = Locale.parse(language)
        self.catalogue = catalogue
        self.zone = zone

    def get_value(self, key, args, kwargs):
        value = super().get_value(key, args, kwargs)
        return _Deadline(value) if key in DEADLINES and isinstance(value, datetime) else value

    def format_field(self, value, format_spec: str) -> str:
        if format_spec not in ("", "short", "count"):
            raise ValueError(f"unknown format {format_spec!r}")
        short = format_spec == "short"
        if isinstance(value, _Deadline):
            return self._moment(value.moment, short, named=True)
        if isinstance(value, datetime):
            return self._moment(value, short, named=False)
        if isinstance(value, date):
            return format_date(value, self._pattern("date in an SMS" if short else "date", value.day), self.locale)
        if isinstance(value, (list, tuple)):
            return str(len(value)) if format_spec == "count" else "\n".join(f"- {item}" for item in value)
        return str(value)

    def _moment(self, moment: datetime, short: bool, named: bool) -> str:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("times must be timezone-aware")
        zone = self.zone or ZoneInfo("UTC")
        local = moment.astimezone(zone)
        pattern = self._pattern("date and time in an SMS" if short else "date and time", local.day)
        written = format_datetime(local, pattern, tzinfo=zone, locale=self.locale)
        if zone.key in UTC_ZONES:
            return f"{written} UTC"
        if named:
            written = f"{written} {zone_label(zone.key, str(self.locale))}"
        return written if short else f"{written} ({_offset_label(local.utcoffset())})"

    def _pattern(self, name: str, day: int) -> str:
        pattern = self._translated(name, FORMATS[name])
        if day != 1:
            return pattern
        first = self._translated("first day of a month", FORMATS["first day of a month"])
        return untokenize_pattern(
            [("chars", first) if token == ("field", ("d", 1)) else token for token in tokenize_pattern(pattern)]
        )

    def _translated(self, context: str, message: str) -> str:
        return self.catalogue.pgettext(context, message)


def _offset_label(offset: timedelta | None) -> str:
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
