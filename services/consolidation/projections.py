"""What consolidation knows of other services: orders' destinations and cancellations, passed lots waiting for a
pickup, offerings' weights and volumes, producers' places and access."""

from sqlalchemy import update

from services.consolidation.store import offerings, order_destinations, producers, ready_lots
from shared.errors import NotYetKnown
from shared.events import Event
from shared.store import UnitOfWork, insert_new, merge, upsert


class OrderUnknown(NotYetKnown):
    """A cancellation arrived before its order: the message waits for ``order.placed``."""


def record_order(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    upsert(
        uow.session,
        order_destinations,
        {"order_id": payload["order_id"]},
        {
            "buyer_name": payload["buyer"]["name"],
            "buyer_organisation_id": payload["buyer"].get("organisation_id"),
            "destination": payload["destination"],
            "due_date": payload["due_date"],
        },
    )


def record_cancellation(uow: UnitOfWork, event: Event) -> None:
    """Lots of a cancelled order are never planned; a shipment already planned keeps them."""
    changed = uow.session.execute(
        update(order_destinations)
        .where(order_destinations.c.order_id == event.payload["order_id"])
        .values(cancelled=True)
    ).rowcount
    if not changed:
        raise OrderUnknown(f"order {event.payload['order_id']} is not known here yet")


def record_passed_lot(uow: UnitOfWork, event: Event) -> None:
    """A lot that passed becomes a pickup demand, once: a repeated fact about it, even one arriving at the same
    moment, changes nothing."""
    payload = event.payload
    if not payload["passed"]:
        return
    insert_new(
        uow.session,
        ready_lots,
        dict(
            lot_id=payload["lot_id"],
            order_id=payload["order_id"],
            line_id=payload["line_id"],
            producer_id=payload["producer_id"],
            offering_id=payload["offering_id"],
            quantity=payload["quantity"],
            passed_at=event.occurred_at,
        ),
    )


def record_offering(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    upsert(
        uow.session,
        offerings,
        {"offering_id": payload["offering_id"]},
        {
            "sku": payload["sku"],
            "name": payload["name"],
            "unit_weight_g": payload["unit_weight_g"],
            "unit_volume_cm3": payload["unit_volume_cm3"],
            "organisation_id": payload["organisation_id"],
        },
    )


def record_producer(uow: UnitOfWork, event: Event) -> None:
    """Producer events are snapshots: the newest one wins, whatever order they arrive in, even at the same moment."""
    payload = event.payload
    merge(
        uow.session,
        producers,
        {
            "producer_id": payload["producer_id"],
            "name": payload["name"],
            "village": payload["village"],
            "latitude": payload["latitude"],
            "longitude": payload["longitude"],
            "remoteness": payload["remoteness"],
            "closed_months": sorted(set(payload["closed_months"])),
            "service_weekdays": sorted(set(payload["service_weekdays"])),
            "updated_at": event.occurred_at,
        },
        keys=("producer_id",),
        newer="updated_at",
    )
