"""Catalogue rules that hold whatever the storage. Plain Python."""
from decimal import Decimal


def pricing_problems(unit_price: Decimal, producer_price: Decimal) -> dict:
    """The aggregator's margin pays for pooling, quality control and freight: the producer's price is below the
    buyer's."""
    if producer_price >= unit_price:
        return {"producer_price": [f"must be below the unit price {unit_price}"]}
    return {}


def contact_problems(mobile: str | None, email: str | None) -> dict:
    """A producer nobody can reach cannot be offered a quota."""
    if not mobile and not email:
        return {"mobile": ["a mobile number or an email is needed to reach the producer"]}
    return {}
