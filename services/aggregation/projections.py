"""What allocation keeps of other services' facts: the catalogue's offerings, producers (with the offerings they are
approved for) and capacity calendars, settlement's piece rates, and consolidation's shipments of lots."""

from datetime import datetime, timezone

from sqlalchemy import func, select, update

from services.aggregation import progress
from services.aggregation.store import (
    approved_producers,
    capacity_weeks,
    lots,
    offerings,
    piece_rates,
    producer_snapshots,
)
from shared.events import Event
from shared.store import UnitOfWork, merge, upsert

# Where a shipment is once it has left the producers: their lots count as shipped.
_COLLECTED = ("picked_up", "at_hub", "in_transit")


def record_offering(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    upsert(
        uow.session,
        offerings,
        {"offering_id": payload["offering_id"]},
        {
            "sku": payload["sku"],
            "name": payload["name"],
            "organisation_id": payload["organisation_id"],
            "quality_standard": payload["quality_standard"],
            "withdrawn": False,
            "min_quota": payload.get("min_quota", 1),
            "producer_price": payload["producer_price"],
            "markets": payload.get("markets", []),
        },
    )


def record_piece_rate(uow: UnitOfWork, event: Event) -> None:
    """The newest rate set wins, whatever order the facts arrive in."""
    payload = event.payload
    merge(
        uow.session,
        piece_rates,
        {
            "producer_id": payload["producer_id"],
            "offering_id": payload["offering_id"],
            "rate": payload["rate"],
            "set_at": payload["set_at"],
        },
        keys=("producer_id", "offering_id"),
        newer="set_at",
    )


def record_withdrawal(uow: UnitOfWork, event: Event) -> None:
    """A withdrawn offering gets no new quotas; quotas already offered stand."""
    uow.session.execute(
        update(offerings).where(offerings.c.offering_id == event.payload["offering_id"]).values(withdrawn=True)
    )


def record_producer(uow: UnitOfWork, event: Event) -> None:
    """Producer events are snapshots: the newest one wins, whatever order they arrive in, even at the same moment
    (the snapshot row stays locked while its approvals are replaced)."""
    payload, session = event.payload, uow.session
    newest = merge(
        session,
        producer_snapshots,
        {
            "producer_id": payload["producer_id"],
            "organisation_id": payload["organisation_id"],
            "updated_at": event.occurred_at,
        },
        keys=("producer_id",),
        newer="updated_at",
    )
    if not newest:
        return
    session.execute(approved_producers.delete().where(approved_producers.c.producer_id == payload["producer_id"]))
    for offering_id in sorted(set(payload["approved_offerings"])):
        session.execute(approved_producers.insert().values(producer_id=payload["producer_id"], offering_id=offering_id))


def record_capacity(uow: UnitOfWork, event: Event) -> None:
    """The newest declaration of each producer, offering and week wins, whatever order the events arrive in."""
    for entry in event.payload["entries"]:
        merge(
            uow.session,
            capacity_weeks,
            {
                **{
                    name: entry[name]
                    for name in ("producer_id", "offering_id", "week_start", "units", "lead_time_days", "min_lot")
                },
                "declared_at": event.occurred_at,
            },
            keys=("producer_id", "offering_id", "week_start"),
            newer="declared_at",
        )


def record_shipment(uow: UnitOfWork, event: Event) -> None:
    """A shipment was collected or delivered: its lots, and their quotas, move on. Late or repeated facts keep the
    first moment each lot was collected or delivered."""
    payload, session = event.payload, uow.session
    status = "delivered" if event.event_type == "shipment.delivered" else payload["status"]
    if status != "delivered" and status not in _COLLECTED:
        return
    moment = payload.get("at") or event.occurred_at or datetime.now(timezone.utc)
    lot_ids = sorted({lot["lot_id"] for lot in payload["lots"]})
    values = {"shipped_at": func.coalesce(lots.c.shipped_at, moment)}
    if status == "delivered":
        values["delivered_at"] = func.coalesce(lots.c.delivered_at, moment)
    session.execute(update(lots).where(lots.c.lot_id.in_(lot_ids)).values(**values))
    for quota_id in sorted(set(session.execute(select(lots.c.quota_id).where(lots.c.lot_id.in_(lot_ids))).scalars())):
        progress.advance(uow, quota_id)
