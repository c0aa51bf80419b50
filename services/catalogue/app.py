"""Use cases of the catalogue service, each inside the caller's transaction."""
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalogue import domain
from services.catalogue.schemas import CapacityInput, OfferingInput, ProducerInput
from services.catalogue.store import capacities, offerings, producers
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import Database, page_of, paged, upsert



def register_producer(db: Database, session: Session, body: dict) -> dict:
    data = load_or_refuse(ProducerInput(), body, "producer")
    problems = domain.contact_problems(data["mobile"], data["email"])
    if problems:
        raise InvalidInput("producer refused", problems)
    if data["mobile"] and session.execute(select(producers.c.producer_id)
                                          .where(producers.c.mobile == data["mobile"])).scalar():
        raise Conflict(f"a producer with mobile {data['mobile']} is already registered")
    producer_id = new_id("prd")
    session.execute(producers.insert().values(producer_id=producer_id, registered_at=datetime.now(timezone.utc),
                                              **data))
    db.emit(session, new_event("producer.registered", {"producer_id": producer_id, **data},
                               correlation_id=producer_id))
    return get_producer(session, producer_id)


def _producer_view(row, capacity: dict) -> dict:
    return {"id": row.producer_id, "organisation_id": row.organisation_id, "name": row.name,
            "village": row.village, "district": row.district, "region": row.region, "country": row.country,
            "latitude": row.latitude, "longitude": row.longitude, "remoteness": row.remoteness,
            "mobile": row.mobile, "email": row.email, "languages": row.languages,
            "registered_at": row.registered_at.isoformat(), "capacity": capacity}


def _capacities_of(session: Session, producer_ids) -> dict:
    result = {}
    for row in session.execute(select(capacities).where(capacities.c.producer_id.in_(producer_ids))):
        result.setdefault(row.producer_id, {})[row.offering_id] = row.units
    return result


def get_producer(session: Session, producer_id: str) -> dict:
    row = session.execute(select(producers).where(producers.c.producer_id == producer_id)).one_or_none()
    if row is None:
        raise NotFound(f"producer {producer_id} not found")
    return _producer_view(row, _capacities_of(session, [producer_id]).get(producer_id, {}))


def list_producers(session: Session, page: int, page_size: int) -> dict:
    rows, total = page_of(session, producers, [], (producers.c.registered_at, producers.c.producer_id),
                          page, page_size)
    capacity = _capacities_of(session, [row.producer_id for row in rows])
    return paged([_producer_view(row, capacity.get(row.producer_id, {})) for row in rows], page, page_size, total)


def publish_offering(db: Database, session: Session, body: dict) -> dict:
    data = load_or_refuse(OfferingInput(), body, "offering")
    problems = domain.pricing_problems(data["unit_price"], data["producer_price"])
    if problems:
        raise InvalidInput("offering refused", problems)
    if session.execute(select(offerings.c.offering_id).where(offerings.c.sku == data["sku"])).scalar():
        raise Conflict(f"an offering with sku {data['sku']} is already published")
    offering_id = new_id("off")
    session.execute(offerings.insert().values(offering_id=offering_id, published_at=datetime.now(timezone.utc),
                                              **data))
    db.emit(session, new_event("offering.published", {
        "offering_id": offering_id, **{key: data[key] for key in (
            "organisation_id", "sku", "name", "unit_price", "producer_price", "currency", "unit_weight_g",
            "unit_volume_cm3")}}, correlation_id=offering_id))
    return get_offering(session, offering_id)


def _offering_view(row) -> dict:
    return {"id": row.offering_id, "organisation_id": row.organisation_id, "sku": row.sku, "name": row.name,
            "description": row.description, "unit_price": str(row.unit_price),
            "producer_price": str(row.producer_price), "currency": row.currency,
            "unit_weight_g": row.unit_weight_g, "unit_volume_cm3": row.unit_volume_cm3,
            "attributes": row.attributes, "published_at": row.published_at.isoformat()}


def get_offering(session: Session, offering_id: str) -> dict:
    row = session.execute(select(offerings).where(offerings.c.offering_id == offering_id)).one_or_none()
    if row is None:
        raise NotFound(f"offering {offering_id} not found")
    return _offering_view(row)


def list_offerings(session: Session) -> list:
    return [_offering_view(row) for row in session.execute(select(offerings).order_by(offerings.c.sku))]


def declare_capacity(db: Database, session: Session, producer_id: str, body: dict) -> dict:
    data = load_or_refuse(CapacityInput(), body, "capacity")
    get_producer(session, producer_id)
    get_offering(session, data["offering_id"])
    upsert(session, capacities, {"producer_id": producer_id, "offering_id": data["offering_id"]},
           {"units": data["units"], "declared_at": datetime.now(timezone.utc)})
    db.emit(session, new_event("capacity.declared", {"producer_id": producer_id, **data},
                               correlation_id=producer_id))
    return get_producer(session, producer_id)


def producer_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(producers)).scalar_one()
