"""Combining passed lots into shipments, and the life of a shipment. Plain Python."""
from dataclasses import dataclass

from shared.errors import Conflict

STATUS_FLOW = ("planned", "in_transit", "delivered")


@dataclass(frozen=True)
class ReadyLot:
    lot_id: str
    order_id: str
    line_id: str
    quantity: int


def destination_key(destination: dict) -> tuple:
    """Lots for buyers in one city share the line-haul; the last mile is the buyer's own address."""
    return destination["country"].upper(), destination["city"].strip().casefold()


def combine(lots: list[ReadyLot], destinations: dict) -> list[tuple[dict, list[ReadyLot]]]:
    """Group lots whose orders go to the same city. Lots of orders with no known destination wait."""
    groups: dict[tuple, tuple[dict, list]] = {}
    for lot in sorted(lots, key=lambda lot: (lot.order_id, lot.lot_id)):
        destination = destinations.get(lot.order_id)
        if destination is None:
            continue
        key = destination_key(destination)
        if key not in groups:
            groups[key] = ({"name": f"{destination['city']}, {destination['country']}",
                            "city": destination["city"], "country": destination["country"],
                            "latitude": destination["latitude"], "longitude": destination["longitude"]}, [])
        groups[key][1].append(lot)
    return [groups[key] for key in sorted(groups)]


def next_status(current: str, requested: str) -> bool:
    """Whether moving to ``requested`` changes the shipment; repeating the current status is a harmless no-op."""
    if requested not in STATUS_FLOW:
        raise ValueError(f"unknown shipment status {requested!r}")
    if requested == current:
        return False
    if STATUS_FLOW.index(requested) != STATUS_FLOW.index(current) + 1:
        raise Conflict(f"a shipment goes {' -> '.join(STATUS_FLOW)}; this one is {current}")
    return True
