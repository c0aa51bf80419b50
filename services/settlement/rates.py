"""Piece rates: what a producer earns per passed unit of an offering. An aggregator sets them; until she does, the
offering's producer price is the rate. A rate is never changed: a new one is in force from the moment it is set."""

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, func, select

from services.settlement import domain
from services.settlement.schemas import RateFilter, RateInput
from services.settlement.store import offerings, piece_rates, producers
from shared.errors import InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.money import is_in_minor_units, to_minor
from shared.store import UnitOfWork, paged


def rate_in_force(session, producer_id: str, offering, at: datetime) -> Decimal:
    """The rate set last before ``at`` for her and this offering, else the offering's producer price."""
    rate = session.execute(
        select(piece_rates.c.rate)
        .where(
            piece_rates.c.producer_id == producer_id,
            piece_rates.c.offering_id == offering.offering_id,
            piece_rates.c.set_at <= at,
        )
        .order_by(piece_rates.c.set_at.desc(), piece_rates.c.rate_id.desc())
        .limit(1)
    ).scalar()
    return Decimal(rate if rate is not None else offering.producer_price)


def _owned(session, table, key, value, staff_of: str | None, what: str):
    row = session.execute(select(table).where(key == value)).first()
    if row is None or not domain.may_handle(staff_of, row.organisation_id):
        raise NotFound(f"{what} {value} not found")
    return row


def set_rate(uow: UnitOfWork, staff_of: str | None, who: str, body: dict) -> dict:
    data = load_or_refuse(RateInput(), body, "piece rate")
    session = uow.session
    producer = _owned(session, producers, producers.c.producer_id, data["producer_id"], staff_of, "producer")
    offering = _owned(session, offerings, offerings.c.offering_id, data["offering_id"], staff_of, "offering")
    if producer.organisation_id != offering.organisation_id:
        raise InvalidInput("piece rate refused", {"offering_id": ["an offering of the producer's organisation"]})
    currency = data.get("currency") or offering.currency
    if currency != offering.currency:
        raise InvalidInput("piece rate refused", {"currency": [f"the offering is priced in {offering.currency}"]})
    if not is_in_minor_units(data["rate"], currency):
        raise InvalidInput("piece rate refused", {"rate": [f"a whole amount of {currency}'s smallest unit"]})
    row = {
        "rate_id": new_id("rate"),
        "organisation_id": offering.organisation_id,
        "producer_id": producer.producer_id,
        "offering_id": offering.offering_id,
        "rate": data["rate"],
        "currency": currency,
        "set_by": who,
        "set_at": datetime.now(timezone.utc),
    }
    session.execute(piece_rates.insert().values(**row))
    event = {key: row[key] for key in row if key != "set_by"}
    uow.emit(new_event("piece_rate.set", event, correlation_id=row["rate_id"]))
    return _rate_view(row, source="set")


def _rate_view(row, source: str) -> dict:
    return {
        "producer_id": row["producer_id"],
        "offering_id": row["offering_id"],
        "rate": str(to_minor(row["rate"], row["currency"])),
        "currency": row["currency"],
        "source": source,
        "set_by": row.get("set_by"),
        "set_at": row["set_at"].isoformat() if row.get("set_at") else None,
    }


def list_rates(uow: UnitOfWork, staff_of: str | None, query: dict | None = None) -> dict:
    """The rate in force now for every producer and offering of the organisation that can meet: set, or the
    offering's producer price."""
    data = load_or_refuse(RateFilter(), query, "rate query")
    session = uow.session
    pairs = select(producers.c.producer_id, offerings).join(
        offerings, offerings.c.organisation_id == producers.c.organisation_id
    )
    if staff_of != domain.ANY_ORGANISATION:
        pairs = pairs.where(producers.c.organisation_id == staff_of)
    for name, column in (("producer_id", producers.c.producer_id), ("offering_id", offerings.c.offering_id)):
        if name in data:
            pairs = pairs.where(column == data[name])
    total = session.execute(select(func.count()).select_from(pairs.subquery())).scalar_one()
    rows = session.execute(
        pairs.order_by(producers.c.producer_id, offerings.c.offering_id)
        .limit(data["page_size"])
        .offset((data["page"] - 1) * data["page_size"])
    ).all()
    latest = _latest_rates(session, [(row.producer_id, row.offering_id) for row in rows])
    items = []
    for row in rows:
        rate = latest.get((row.producer_id, row.offering_id))
        if rate is not None:
            items.append(_rate_view(rate._asdict(), source="set"))
        else:
            default = {"producer_id": row.producer_id, "offering_id": row.offering_id}
            default.update(rate=row.producer_price, currency=row.currency)
            items.append(_rate_view(default, source="producer_price"))
    return paged(items, data["page"], data["page_size"], total)


def _latest_rates(session, pairs: list[tuple[str, str]]) -> dict:
    if not pairs:
        return {}
    newest = (
        select(piece_rates.c.producer_id, piece_rates.c.offering_id, func.max(piece_rates.c.set_at).label("set_at"))
        .where(piece_rates.c.producer_id.in_({producer for producer, _ in pairs}))
        .group_by(piece_rates.c.producer_id, piece_rates.c.offering_id)
        .subquery()
    )
    rows = session.execute(
        select(piece_rates).join(
            newest,
            and_(
                newest.c.producer_id == piece_rates.c.producer_id,
                newest.c.offering_id == piece_rates.c.offering_id,
                newest.c.set_at == piece_rates.c.set_at,
            ),
        )
    ).all()
    return {(row.producer_id, row.offering_id): row for row in rows}
