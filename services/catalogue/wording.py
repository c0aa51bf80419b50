"""A catalogue's words, numbers, money and dates in the reader's language: the labels come from the ``catalogue``
gettext domain, the numbers from Babel's locale data (a French importer reads 3 838,50 USD, a Japanese one
3,838.50 USD)."""

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from shared.translations import translations

# The languages a catalogue is written in: its buyers' languages.
CATALOGUE_LANGUAGES = ("en", "fr", "ja")


class Wording:
    def __init__(self, language: str = "en"):
        if language not in CATALOGUE_LANGUAGES:
            raise ValueError(f"a catalogue is in {', '.join(CATALOGUE_LANGUAGES)}, not {language!r}")
        self.language = language
        self.locale = Locale.parse(language)
        self._messages = translations("catalogue", language)

    def __call__(self, message: str, **values) -> str:
        """``message`` in this language, its ``{placeholders}`` filled."""
        return self._messages.gettext(message).format(**values)

    def plural(self, singular: str, plural: str, count: int, **values) -> str:
        """The form of the message this language uses for ``count``; ``{count}`` is the number as it is written."""
        return self._messages.ngettext(singular, plural, count).format(count=self.number(count), **values)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        """The amount with its currency's own minor unit (no cents for yen) and its ISO code, in this language's
        order: an importer must never wonder which dollar."""
        amount_text = format_currency(amount, currency, format="#,##0.00", locale=self.locale, currency_digits=True)
        return self._messages.gettext("{currency} {amount}").format(currency=currency, amount=amount_text)

    def date(self, day: date) -> str:
        return format_date(day, "long", locale=self.locale)
