"""Catalogue rules that hold whatever the storage. Plain Python."""

from decimal import Decimal


def pricing_problems(unit_price: Decimal, producer_price: Decimal, premium: Decimal = Decimal(0)) -> dict:
    """The aggregator's margin pays for pooling, quality control and freight: the producer's price, and the fair-trade
    premium the buyer pays on top of it for the organisation's fund, stay below the buyer's price."""
    if producer_price >= unit_price:
        return {"producer_price": [f"must be below the unit price {unit_price}"]}
    if producer_price + premium >= unit_price:
        return {"fair_trade_premium": [f"with the producer price, must stay below the unit price {unit_price}"]}
    return {}


# ``staff_of`` of a platform admin, who works for every organisation.
EVERY_ORGANISATION = "*"
# The smallest quota an offering's producers are offered unless the aggregator sets another. Every quota costs the
# same SMS, answer, lot, inspection and pickup whatever its size, and ISO 2859-1 samples two units of any lot up to
# eight, so below five units that cost outweighs the work and the inspection checks nearly all of it.
DEFAULT_MIN_QUOTA = 5


def shows_producer_price(staff_of: str | None, organisation_id: str) -> bool:
    """What producers are paid is their organisation's business: its staff (and the platform's admins) see it; buyers,
    producers and other organisations see the buyer's price only."""
    return staff_of is not None and staff_of in (EVERY_ORGANISATION, organisation_id)


def contact_problems(mobile: str | None, email: str | None) -> dict:
    """A producer nobody can reach cannot be offered a quota."""
    if not mobile and not email:
        return {"mobile": ["a mobile number or an email is needed to reach the producer"]}
    return {}


def access_problems(remoteness: str, closed_months: list, service_weekdays: list) -> dict:
    """Pickups are planned around access: a seasonal road is closed some months; air or boat runs on some days."""
    problems = {}
    if remoteness == "seasonal_road" and not closed_months:
        problems["closed_months"] = ["a seasonal road needs the months it is closed"]
    if remoteness != "seasonal_road" and closed_months:
        problems["closed_months"] = ["only a seasonal road has closed months"]
    if remoteness == "air_or_boat" and not service_weekdays:
        problems["service_weekdays"] = ["air or boat access needs the weekdays of the scheduled service"]
    if remoteness != "air_or_boat" and service_weekdays:
        problems["service_weekdays"] = ["only air or boat access has a scheduled service"]
    return problems


def producer_problems(data: dict) -> dict:
    return {
        **contact_problems(data["mobile"], data["email"]),
        **access_problems(data["remoteness"], data["closed_months"], data["service_weekdays"]),
    }


def who_can_make(quantity: int, ranked: list, total: int, able: int) -> dict:
    """Whether the producers able to contribute (``able`` of them, ``total`` units) cover the quantity, with the
    first of them, most units first: ``ranked`` is ``[(producer_id, units)]`` in that order."""
    return {
        "quantity": quantity,
        "total_available": total,
        "can_fulfil": total >= quantity,
        "shortfall": max(0, quantity - total),
        "producer_count": able,
        "producers": [{"producer_id": producer_id, "available": units} for producer_id, units in ranked],
    }


def approved(status: str) -> bool:
    return status == "approved"


# An offering is sold while published; once withdrawn no new quota is offered for it.
PUBLISHED, WITHDRAWN = "published", "withdrawn"
