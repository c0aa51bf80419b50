"""Money as ``Decimal`` in the minor unit of its currency (ISO 4217 precision from the CLDR data Babel carries: PGK
and AUD have 2 decimals, JPY none), never float."""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

CURRENCIES = frozenset(list_currencies())


@cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: 0.01 PGK, 1 JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the currency's minor unit: what can really be paid."""
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def is_in_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` is payable as given, with no fraction of the minor unit."""
    return Decimal(amount) == to_minor(amount, currency)


def show(amount: Decimal, currency: str) -> str:
    """``PGK 240.00``, ``JPY 1,200``: how a statement line or an SMS writes an amount."""
    return f"{currency} {to_minor(amount, currency):,}"
