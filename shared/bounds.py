"""Upper bounds of numbers that come from outside: what the database's columns hold and any real order could need.
Beyond them an input is refused with a message, never passed on to overflow a column."""

from decimal import Decimal

MAX_QUANTITY = 1_000_000
MAX_AMOUNT = Decimal("1000000000")
MAX_UNIT_WEIGHT_G = 10_000_000
MAX_UNIT_VOLUME_CM3 = 100_000_000
