"""What buyers and organisations are told about their orders and shipments: pure decisions, like ``domain``'s for
producers, on the models ``domain`` defines."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.notification.domain import Notice, Order, ShipmentDue, ShippedLot


def order_placed(event_id: str, order: Order, units: int) -> list[Notice]:
    """With a promise when allocation could give one; without, the buyer hears the date later."""
    if order.promised_date is None:
        return [
            Notice(
                order.buyer_id, "order_received", event_id, order.order_id, {"order_id": order.order_id, "units": units}
            )
        ]
    return [
        Notice(
            order.buyer_id,
            "order_confirmed",
            event_id,
            order.order_id,
            {"order_id": order.order_id, "units": units, "promised_by": order.promised_date},
        )
    ]


def shortfall(
    event_id: str, order: Order, aggregator_id: str | None, ordered: int, short: int, product: str
) -> list[Notice]:
    values = {"order_id": order.order_id, "ordered": ordered, "short": short, "product": product}
    notices = [Notice(order.buyer_id, "order_shortfall", event_id, order.order_id, values)]
    if aggregator_id:
        notices.append(Notice(aggregator_id, "aggregator_shortfall", event_id, order.order_id, values))
    return notices


def _units_per_order(lots: Iterable[ShippedLot]) -> dict[str, int]:
    units: dict[str, int] = {}
    for lot in lots:
        units[lot.order_id] = units.get(lot.order_id, 0) + lot.quantity
    return units


def orders_shipped(event_id: str, lots: Iterable[ShippedLot], orders: Mapping[str, Order]) -> list[Notice]:
    """Each buyer hears about the units of its own orders in the shipment, expected by the date it was promised
    (the due date when there was no promise)."""
    return [
        Notice(
            orders[order_id].buyer_id,
            "order_shipped",
            f"{event_id}/{order_id}",
            order_id,
            {
                "order_id": order_id,
                "units": units,
                "expected_on": orders[order_id].promised_date or orders[order_id].due_date,
            },
        )
        for order_id, units in sorted(_units_per_order(lots).items())
    ]


def orders_delivered(event_id: str, lots: Iterable[ShippedLot], orders: Mapping[str, Order]) -> list[Notice]:
    return [
        Notice(
            orders[order_id].buyer_id,
            "order_delivered",
            f"{event_id}/{order_id}",
            order_id,
            {"order_id": order_id, "units": units},
        )
        for order_id, units in sorted(_units_per_order(lots).items())
    ]


# Aggregators ---------------------------------------------------------------------------------------------------------


def late_shipments(due: Iterable[ShipmentDue], today: date) -> list[Notice]:
    """A shipment still on its way after an order in it was due: told once, to each organisation concerned."""
    return [
        Notice(
            item.organisation_id,
            "aggregator_shipment_late",
            item.shipment_id,
            item.shipment_id,
            {"shipment_id": item.shipment_id, "due_on": item.due_on},
        )
        for item in due
        if item.due_on < today
    ]


def dead_letters(organisation_id: str, service: str, count: int, first_letter: int) -> Notice:
    return Notice(
        organisation_id,
        "aggregator_dead_letters",
        f"{service}/{first_letter}",
        f"dead-letters/{service}",
        {"service": service, "count": count},
    )


def digest(recipient_id: str, day: date, items: list[str]) -> Notice:
    return Notice(recipient_id, "daily_digest", day.isoformat(), recipient_id, {"day": day, "items": items})


def digest_day(now: datetime, timezone: str | None, digest_hour: int) -> date | None:
    """The recipient's local day once its digest hour has come, else None."""
    local = now.astimezone(ZoneInfo(timezone or "UTC"))
    return local.date() if local.hour >= digest_hour else None


# Preferences --------------------------------------------------------------------------------------------------------
