"""Producers: registering and updating them (each change published as a whole snapshot), finding them, and
their export-readiness self-assessment."""

from datetime import datetime, timezone

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from services.catalogue import domain, readiness
from services.catalogue.availability import available_by_producer
from services.catalogue.schemas import ProducerInput, ProducerSearch, ProducerUpdate
from services.catalogue.store import approvals, producers
from services.catalogue.store import readiness as readiness_table
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork, page_of, paged, upsert


def _now() -> datetime:
    return datetime.now(timezone.utc)


PRODUCER_FIELDS = (
    "organisation_id",
    "name",
    "village",
    "district",
    "region",
    "country",
    "latitude",
    "longitude",
    "remoteness",
    "closed_months",
    "service_weekdays",
    "mobile",
    "email",
    "webhook_url",
    "languages",
)


def producer_row(session: Session, producer_id: str, lock: bool = False):
    query = select(producers).where(producers.c.producer_id == producer_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"producer {producer_id} not found")
    return row


def _approved_offerings(session: Session, producer_id: str) -> list:
    return list(
        session.execute(
            select(approvals.c.offering_id)
            .where(approvals.c.producer_id == producer_id, approvals.c.status == "approved")
            .order_by(approvals.c.offering_id)
        ).scalars()
    )


def emit_producer(uow: UnitOfWork, producer_id: str, event_type: str) -> None:
    """Producer events carry the whole snapshot, so a consumer that missed one still ends up right."""
    session = uow.session
    row = producer_row(session, producer_id)
    payload = {key: getattr(row, key) for key in PRODUCER_FIELDS}
    uow.emit(
        new_event(
            event_type,
            {"producer_id": producer_id, **payload, "approved_offerings": _approved_offerings(session, producer_id)},
            correlation_id=producer_id,
        )
    )


def _refuse_duplicate_mobile(session: Session, mobile: str | None, producer_id: str | None = None) -> None:
    if not mobile:
        return
    owner = session.execute(select(producers.c.producer_id).where(producers.c.mobile == mobile)).scalar()
    if owner and owner != producer_id:
        raise Conflict(f"a producer with mobile {mobile} is already registered")


def register_producer(uow: UnitOfWork, body: dict) -> dict:
    session = uow.session
    data = load_or_refuse(ProducerInput(), body, "producer")
    problems = domain.producer_problems(data)
    if problems:
        raise InvalidInput("producer refused", problems)
    _refuse_duplicate_mobile(session, data["mobile"])
    producer_id = new_id("prd")
    now = _now()
    session.execute(producers.insert().values(producer_id=producer_id, registered_at=now, updated_at=now, **data))
    emit_producer(uow, producer_id, "producer.registered")
    return get_producer(uow, producer_id)


def update_producer(uow: UnitOfWork, producer_id: str, body: dict) -> dict:
    session = uow.session
    changes = load_or_refuse(ProducerUpdate(), body, "producer", partial=True)
    if not changes:
        raise InvalidInput("nothing to change", {"_schema": ["send at least one field"]})
    current = producer_row(session, producer_id, lock=True)
    merged = {**{key: getattr(current, key) for key in PRODUCER_FIELDS}, **changes}
    problems = domain.producer_problems(merged)
    if problems:
        raise InvalidInput("producer refused", problems)
    _refuse_duplicate_mobile(session, merged["mobile"], producer_id)
    session.execute(
        update(producers).where(producers.c.producer_id == producer_id).values(**changes, updated_at=_now())
    )
    emit_producer(uow, producer_id, "producer.updated")
    return get_producer(uow, producer_id)


def _readiness_view(row) -> dict | None:
    if row is None:
        return None
    return {"scores": row.scores, "assessed_at": row.assessed_at.isoformat()}


def _producer_view(row, approved: dict, assessed: dict) -> dict:
    return {
        "id": row.producer_id,
        **{key: getattr(row, key) for key in PRODUCER_FIELDS},
        "registered_at": row.registered_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "approvals": approved.get(row.producer_id, []),
        "readiness": _readiness_view(assessed.get(row.producer_id)),
    }


def _views(session: Session, rows) -> list:
    ids = [row.producer_id for row in rows]
    approved, assessed = {}, {}
    for row in session.execute(
        select(approvals).where(approvals.c.producer_id.in_(ids)).order_by(approvals.c.offering_id)
    ):
        approved.setdefault(row.producer_id, []).append(
            {
                "offering_id": row.offering_id,
                "stage": row.stage,
                "status": row.status,
                "decided_on": row.decided_on.isoformat() if row.decided_on else None,
                "note": row.note,
            }
        )
    for row in session.execute(select(readiness_table).where(readiness_table.c.producer_id.in_(ids))):
        assessed[row.producer_id] = row
    return [_producer_view(row, approved, assessed) for row in rows]


def get_producer(uow: UnitOfWork, producer_id: str) -> dict:
    session = uow.session
    return _views(session, [producer_row(session, producer_id)])[0]


def search_producers(uow: UnitOfWork, query: dict) -> dict:
    session = uow.session
    filters = load_or_refuse(ProducerSearch(), query, "query")
    conditions = [
        producers.c[key] == filters[key]
        for key in ("organisation_id", "region", "district", "remoteness")
        if key in filters
    ]
    if "q" in filters:
        pattern = f"%{filters['q'].lower()}%"
        conditions.append(
            or_(func.lower(producers.c.name).like(pattern), func.lower(producers.c.village).like(pattern))
        )
    if "offering_id" in filters:
        conditions.append(
            producers.c.producer_id.in_(
                select(approvals.c.producer_id).where(
                    approvals.c.offering_id == filters["offering_id"], approvals.c.status == "approved"
                )
            )
        )
    if "available_by" in filters:
        available = available_by_producer(session, filters["offering_id"], filters["available_by"])
        conditions.append(
            producers.c.producer_id.in_(
                [producer_id for producer_id, units in available.items() if units >= filters["min_available"]]
            )
        )
    rows, total = page_of(
        session,
        producers,
        conditions,
        (producers.c.registered_at, producers.c.producer_id),
        filters["page"],
        filters["page_size"],
    )
    return paged(_views(session, rows), filters["page"], filters["page_size"], total)


def _producers_of(organisation_id: str | None) -> list:
    return [producers.c.organisation_id == organisation_id] if organisation_id else []


def producer_count(uow: UnitOfWork, organisation_id: str | None = None) -> int:
    session = uow.session
    return session.execute(
        select(func.count()).select_from(producers).where(*_producers_of(organisation_id))
    ).scalar_one()


def producer_regions(uow: UnitOfWork, organisation_id: str | None = None) -> list:
    """Where an organisation's producers are, region by region: how many, how remote, and the middle of them (for a
    map drawn without map tiles)."""
    session = uow.session
    rows = session.execute(
        select(
            producers.c.country,
            producers.c.region,
            func.count(),
            func.avg(producers.c.latitude),
            func.avg(producers.c.longitude),
            func.sum(case((producers.c.remoteness == "all_season_road", 0), else_=1)),
        )
        .where(*_producers_of(organisation_id))
        .group_by(producers.c.country, producers.c.region)
        .order_by(producers.c.country, producers.c.region)
    ).all()
    return [
        {
            "country": country,
            "region": region,
            "producers": int(count),
            "latitude": round(float(lat), 4),
            "longitude": round(float(lon), 4),
            "hard_to_reach": int(remote),
        }
        for country, region, count, lat, lon, remote in rows
    ]


def producer_names(uow: UnitOfWork, producer_ids: list) -> dict:
    session = uow.session
    return dict(
        session.execute(
            select(producers.c.producer_id, producers.c.name).where(producers.c.producer_id.in_(producer_ids))
        ).all()
    )


def submit_readiness(uow: UnitOfWork, producer_id: str, body: dict) -> dict:
    """A producer's answers to the self-analysis checklist; the aggregator sees the scores with the producer."""
    session = uow.session
    producer_row(session, producer_id)
    answers = readiness.load_answers(body)
    scores = readiness.score(answers)
    upsert(
        session,
        readiness_table,
        {"producer_id": producer_id},
        {
            "answers": {str(number): answer for number, answer in sorted(answers.items())},
            "scores": scores,
            "assessed_at": _now(),
        },
    )
    return get_readiness(uow, producer_id)


def get_readiness(uow: UnitOfWork, producer_id: str) -> dict:
    session = uow.session
    producer_row(session, producer_id)
    row = session.execute(select(readiness_table).where(readiness_table.c.producer_id == producer_id)).one_or_none()
    if row is None:
        raise NotFound(f"producer {producer_id} has not filled in the readiness checklist")
    return {"producer_id": producer_id, "answers": row.answers, **_readiness_view(row)}
