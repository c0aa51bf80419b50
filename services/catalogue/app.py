"""Use cases of the catalogue service, each inside the caller's transaction."""
import base64
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from sqlalchemy import Integer, case, func, literal, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from services.catalogue import capacity_csv, domain, publishing, readiness
from services.catalogue.schemas import (
    MAX_IMAGES, ApprovalInput, AvailabilityQuery, CapacityInput, OfferingInput, OfferingSearch, ProducerInput,
    ProducerSearch, ProducerUpdate, ThemeInput, WithdrawInput,
)
from services.catalogue.store import (
    approvals, capacity_profiles, capacity_weeks, commitments, offering_images, offerings, producers, released_quotas,
    themes,
)
from services.catalogue.store import readiness as readiness_table
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import CAPACITY_ENTRIES_PER_EVENT, Event, new_event
from shared.ids import new_id
from shared.store import Database, insert_new, page_of, paged, upsert
from shared.weeks import iso_week, order_by

PRODUCER_FIELDS = ("organisation_id", "name", "village", "district", "region", "country", "latitude", "longitude",
                   "remoteness", "closed_months", "service_weekdays", "mobile", "email", "webhook_url", "languages")
PUBLISHED, WITHDRAWN = "published", "withdrawn"
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _today() -> date:
    return _now().date()


# Producers -----------------------------------------------------------------------------------------------------------

def _producer_row(session: Session, producer_id: str, lock: bool = False):
    query = select(producers).where(producers.c.producer_id == producer_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"producer {producer_id} not found")
    return row


def _approved_offerings(session: Session, producer_id: str) -> list:
    return list(session.execute(select(approvals.c.offering_id).where(
        approvals.c.producer_id == producer_id, approvals.c.status == "approved")
        .order_by(approvals.c.offering_id)).scalars())


def _emit_producer(db: Database, session: Session, producer_id: str, event_type: str) -> None:
    """Producer events carry the whole snapshot, so a consumer that missed one still ends up right."""
    row = _producer_row(session, producer_id)
    payload = {key: getattr(row, key) for key in PRODUCER_FIELDS}
    db.emit(session, new_event(event_type, {"producer_id": producer_id, **payload,
                                            "approved_offerings": _approved_offerings(session, producer_id)},
                               correlation_id=producer_id))


def _refuse_duplicate_mobile(session: Session, mobile: str | None, producer_id: str | None = None) -> None:
    if not mobile:
        return
    owner = session.execute(select(producers.c.producer_id).where(producers.c.mobile == mobile)).scalar()
    if owner and owner != producer_id:
        raise Conflict(f"a producer with mobile {mobile} is already registered")


def register_producer(db: Database, session: Session, body: dict) -> dict:
    data = load_or_refuse(ProducerInput(), body, "producer")
    problems = domain.producer_problems(data)
    if problems:
        raise InvalidInput("producer refused", problems)
    _refuse_duplicate_mobile(session, data["mobile"])
    producer_id = new_id("prd")
    now = _now()
    session.execute(producers.insert().values(producer_id=producer_id, registered_at=now, updated_at=now, **data))
    _emit_producer(db, session, producer_id, "producer.registered")
    return get_producer(session, producer_id)


def update_producer(db: Database, session: Session, producer_id: str, body: dict) -> dict:
    changes = load_or_refuse(ProducerUpdate(), body, "producer", partial=True)
    if not changes:
        raise InvalidInput("nothing to change", {"_schema": ["send at least one field"]})
    current = _producer_row(session, producer_id, lock=True)
    merged = {**{key: getattr(current, key) for key in PRODUCER_FIELDS}, **changes}
    problems = domain.producer_problems(merged)
    if problems:
        raise InvalidInput("producer refused", problems)
    _refuse_duplicate_mobile(session, merged["mobile"], producer_id)
    session.execute(update(producers).where(producers.c.producer_id == producer_id)
                    .values(**changes, updated_at=_now()))
    _emit_producer(db, session, producer_id, "producer.updated")
    return get_producer(session, producer_id)


def _readiness_view(row) -> dict | None:
    if row is None:
        return None
    return {"scores": row.scores, "assessed_at": row.assessed_at.isoformat()}


def _producer_view(row, approved: dict, assessed: dict) -> dict:
    return {"id": row.producer_id, **{key: getattr(row, key) for key in PRODUCER_FIELDS},
            "registered_at": row.registered_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "approvals": approved.get(row.producer_id, []),
            "readiness": _readiness_view(assessed.get(row.producer_id))}


def _views(session: Session, rows) -> list:
    ids = [row.producer_id for row in rows]
    approved, assessed = {}, {}
    for row in session.execute(select(approvals).where(approvals.c.producer_id.in_(ids))
                               .order_by(approvals.c.offering_id)):
        approved.setdefault(row.producer_id, []).append({
            "offering_id": row.offering_id, "stage": row.stage, "status": row.status,
            "decided_on": row.decided_on.isoformat() if row.decided_on else None, "note": row.note})
    for row in session.execute(select(readiness_table).where(readiness_table.c.producer_id.in_(ids))):
        assessed[row.producer_id] = row
    return [_producer_view(row, approved, assessed) for row in rows]


def get_producer(session: Session, producer_id: str) -> dict:
    return _views(session, [_producer_row(session, producer_id)])[0]


class _Element(ColumnElement):
    """``array[index]`` (0-based) on PostgreSQL's integer arrays, and on SQLite's JSON arrays alike."""
    inherit_cache = True
    type = Integer()

    def __init__(self, array, index):
        self.array, self.index = array, index


@compiles(_Element)
def _element_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.array, **kw)})[({compiler.process(element.index, **kw)}) + 1]"


@compiles(_Element, "sqlite")
def _element_sqlite(element, compiler, **kw):
    return (f"json_extract({compiler.process(element.array, **kw)}, "
            f"'$[' || ({compiler.process(element.index, **kw)}) || ']')")


def _clamped(expression, upper):
    return case((expression < 0, 0), (expression > upper, upper), else_=expression)


def _free_units(needed_by: date):
    """Units a producer can still make of an offering by ``needed_by``, ordering today, from its profile.

    The weeks that count are those made by ``needed_by`` (``made``: the first k weeks) less those whose order-by
    day has passed (``closed``: the first j weeks): ``cumulative_free[k] - cumulative_free[j]``, at most 0 when
    k <= j (the cumulative sums never fall). Reading the array is most of the cost."""
    profile = capacity_profiles.c
    since_first = literal(needed_by.toordinal() - EPOCH_ORDINAL - 6) - profile.first_day
    made = _clamped(case((since_first < 0, 0), else_=since_first / 7 + 1), profile.weeks)
    overdue = literal(_today().toordinal() - EPOCH_ORDINAL - 6) + profile.lead_time_days - profile.first_day
    closed = _clamped(case((overdue <= 0, 0), else_=(overdue + 6) / 7), profile.weeks)
    return _Element(profile.cumulative_free, made) - _Element(profile.cumulative_free, closed)


def _available_by_producer(session: Session, offering_id: str, needed_by: date, producer_ids=None) -> dict:
    """Units each approved producer can still make of the offering by ``needed_by``, ordering today."""
    profile = capacity_profiles.c
    query = select(profile.producer_id, _free_units(needed_by)).where(profile.offering_id == offering_id,
                                                                     profile.approved)
    if producer_ids is not None:
        query = query.where(profile.producer_id.in_(producer_ids))
    return {producer_id: int(units) for producer_id, units in session.execute(query) if units > 0}


def _most_available(session: Session, offering_id: str, needed_by: date, limit: int) -> tuple[list, int, int]:
    """The ``limit`` producers with most units by ``needed_by`` (ties by id), the units of all of them and how many
    can contribute: ranked in the database, so that only the first few travel."""
    profile = capacity_profiles.c
    able = (select(profile.producer_id, _free_units(needed_by).label("free"))
            .where(profile.offering_id == offering_id, profile.approved).cte("able").prefix_with("MATERIALIZED"))
    rows = session.execute(
        select(able.c.producer_id, able.c.free, func.sum(able.c.free).over(), func.count().over())
        .where(able.c.free > 0).order_by(able.c.free.desc(), able.c.producer_id).limit(limit)).all()
    if not rows:
        return [], 0, 0
    return [(producer_id, int(free)) for producer_id, free, _, _ in rows], int(rows[0][2]), int(rows[0][3])


def _refresh_profiles(session: Session, pairs) -> None:
    """Rebuild the profile of each (producer, offering) from its weeks, its approval and its lead time."""
    for producer_id, offering_id in sorted(set(pairs)):
        weeks = session.execute(select(capacity_weeks).where(
            capacity_weeks.c.producer_id == producer_id, capacity_weeks.c.offering_id == offering_id)
            .order_by(capacity_weeks.c.week_start)).all()
        key = {"producer_id": producer_id, "offering_id": offering_id}
        if not weeks:
            session.execute(capacity_profiles.delete().where(
                capacity_profiles.c.producer_id == producer_id, capacity_profiles.c.offering_id == offering_id))
            continue
        first = weeks[0].week_start
        free = [0] * ((weeks[-1].week_start - first).days // 7 + 1)
        for week in weeks:
            free[(week.week_start - first).days // 7] = max(0, week.units - week.committed)
        approved = session.execute(select(approvals.c.status).where(
            approvals.c.producer_id == producer_id, approvals.c.offering_id == offering_id)).scalar()
        upsert(session, capacity_profiles, key, {
            "approved": domain.approved(approved or ""), "lead_time_days": weeks[-1].lead_time_days,
            "first_day": first.toordinal() - EPOCH_ORDINAL, "weeks": len(free),
            "cumulative_free": list(accumulate(free, initial=0))})


def search_producers(session: Session, query: dict) -> dict:
    filters = load_or_refuse(ProducerSearch(), query, "query")
    conditions = [producers.c[key] == filters[key]
                  for key in ("organisation_id", "region", "district", "remoteness") if key in filters]
    if "q" in filters:
        pattern = f"%{filters['q'].lower()}%"
        conditions.append(or_(func.lower(producers.c.name).like(pattern),
                              func.lower(producers.c.village).like(pattern)))
    if "offering_id" in filters:
        conditions.append(producers.c.producer_id.in_(select(approvals.c.producer_id).where(
            approvals.c.offering_id == filters["offering_id"], approvals.c.status == "approved")))
    if "available_by" in filters:
        available = _available_by_producer(session, filters["offering_id"], filters["available_by"])
        conditions.append(producers.c.producer_id.in_(
            [producer_id for producer_id, units in available.items() if units >= filters["min_available"]]))
    rows, total = page_of(session, producers, conditions, (producers.c.registered_at, producers.c.producer_id),
                          filters["page"], filters["page_size"])
    return paged(_views(session, rows), filters["page"], filters["page_size"], total)


def _producers_of(organisation_id: str | None) -> list:
    return [producers.c.organisation_id == organisation_id] if organisation_id else []


def producer_count(session: Session, organisation_id: str | None = None) -> int:
    return session.execute(select(func.count()).select_from(producers)
                           .where(*_producers_of(organisation_id))).scalar_one()


def producer_regions(session: Session, organisation_id: str | None = None) -> list:
    """Where an organisation's producers are, region by region: how many, how remote, and the middle of them (for a
    map drawn without map tiles)."""
    rows = session.execute(
        select(producers.c.country, producers.c.region, func.count(), func.avg(producers.c.latitude),
               func.avg(producers.c.longitude),
               func.sum(case((producers.c.remoteness == "all_season_road", 0), else_=1)))
        .where(*_producers_of(organisation_id))
        .group_by(producers.c.country, producers.c.region).order_by(producers.c.country, producers.c.region)).all()
    return [{"country": country, "region": region, "producers": int(count), "latitude": round(float(lat), 4),
             "longitude": round(float(lon), 4), "hard_to_reach": int(remote)}
            for country, region, count, lat, lon, remote in rows]


def producer_names(session: Session, producer_ids: list) -> dict:
    return dict(session.execute(select(producers.c.producer_id, producers.c.name)
                                .where(producers.c.producer_id.in_(producer_ids))).all())


def submit_readiness(session: Session, producer_id: str, body: dict) -> dict:
    """A producer's answers to the self-analysis checklist; the aggregator sees the scores with the producer."""
    _producer_row(session, producer_id)
    answers = readiness.load_answers(body)
    scores = readiness.score(answers)
    upsert(session, readiness_table, {"producer_id": producer_id},
           {"answers": {str(number): answer for number, answer in sorted(answers.items())}, "scores": scores,
            "assessed_at": _now()})
    return get_readiness(session, producer_id)


def get_readiness(session: Session, producer_id: str) -> dict:
    _producer_row(session, producer_id)
    row = session.execute(select(readiness_table).where(readiness_table.c.producer_id == producer_id)).one_or_none()
    if row is None:
        raise NotFound(f"producer {producer_id} has not filled in the readiness checklist")
    return {"producer_id": producer_id, "answers": row.answers, **_readiness_view(row)}


# Offerings -----------------------------------------------------------------------------------------------------------

def _offering_row(session: Session, offering_id: str, lock: bool = False):
    query = select(offerings).where(offerings.c.offering_id == offering_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"offering {offering_id} not found")
    return row


def publish_offering(db: Database, session: Session, body: dict) -> dict:
    data = load_or_refuse(OfferingInput(), body, "offering")
    problems = domain.pricing_problems(data["unit_price"], data["producer_price"])
    if problems:
        raise InvalidInput("offering refused", problems)
    if session.execute(select(offerings.c.offering_id).where(offerings.c.sku == data["sku"])).scalar():
        raise Conflict(f"an offering with sku {data['sku']} is already published")
    offering_id = new_id("off")
    images = data.pop("images")
    now = _now()
    session.execute(offerings.insert().values(offering_id=offering_id, status=PUBLISHED, published_at=now,
                                              updated_at=now, **data))
    for position, image in enumerate(images):
        session.execute(offering_images.insert().values(offering_id=offering_id, position=position,
                                                        content_type=image["content_type"],
                                                        data=base64.b64decode(image["data"])))
    db.emit(session, new_event("offering.published", {
        "offering_id": offering_id, **{key: data[key] for key in (
            "organisation_id", "sku", "name", "unit_price", "producer_price", "currency", "unit_weight_g",
            "unit_volume_cm3", "min_order", "min_quota", "quality_standard")}}, correlation_id=offering_id))
    return get_offering(session, offering_id, staff_of=data["organisation_id"])


def withdraw_offering(db: Database, session: Session, offering_id: str, body: dict) -> dict:
    data = load_or_refuse(WithdrawInput(), body, "withdrawal")
    row = _offering_row(session, offering_id, lock=True)
    if row.status == WITHDRAWN:
        raise Conflict(f"offering {offering_id} is already withdrawn")
    session.execute(update(offerings).where(offerings.c.offering_id == offering_id)
                    .values(status=WITHDRAWN, withdrawn_reason=data["reason"], updated_at=_now()))
    db.emit(session, new_event("offering.withdrawn", {"offering_id": offering_id, "reason": data["reason"]},
                               correlation_id=offering_id))
    return get_offering(session, offering_id, staff_of=row.organisation_id)


def _image_counts(session: Session, offering_ids) -> dict:
    return dict(session.execute(select(offering_images.c.offering_id, func.count())
                                .where(offering_images.c.offering_id.in_(offering_ids))
                                .group_by(offering_images.c.offering_id)).all())


def _approved_counts(session: Session, offering_ids) -> dict:
    return dict(session.execute(select(approvals.c.offering_id, func.count())
                                .where(approvals.c.offering_id.in_(offering_ids), approvals.c.status == "approved")
                                .group_by(approvals.c.offering_id)).all())


def _offering_views(session: Session, rows, staff_of: str | None) -> list:
    """``staff_of``: the organisation whose staff is looking (``domain.EVERY_ORGANISATION`` for an admin), None for
    anyone else: only its staff see what its producers are paid."""
    ids = [row.offering_id for row in rows]
    images, approved = _image_counts(session, ids), _approved_counts(session, ids)
    return [{
        "id": row.offering_id, "organisation_id": row.organisation_id, "sku": row.sku, "name": row.name,
        "description": row.description, "unit_price": str(row.unit_price),
        **({"producer_price": str(row.producer_price)}
           if domain.shows_producer_price(staff_of, row.organisation_id) else {}),
        "currency": row.currency, "unit_weight_g": row.unit_weight_g, "unit_volume_cm3": row.unit_volume_cm3,
        "attributes": row.attributes, "quality_standard": row.quality_standard, "min_order": row.min_order,
        "min_quota": row.min_quota,
        "status": row.status, "withdrawn_reason": row.withdrawn_reason,
        "images": [f"/api/v1/offerings/{row.offering_id}/images/{n}" for n in range(images.get(row.offering_id, 0))],
        "approved_producers": approved.get(row.offering_id, 0),
        "published_at": row.published_at.isoformat(), "updated_at": row.updated_at.isoformat(),
    } for row in rows]


def get_offering(session: Session, offering_id: str, staff_of: str | None = None) -> dict:
    return _offering_views(session, [_offering_row(session, offering_id)], staff_of)[0]


def get_offering_image(session: Session, offering_id: str, position: int) -> dict:
    if not 0 <= position < MAX_IMAGES:
        raise NotFound(f"offering {offering_id} has no image {position}: positions run from 0 to {MAX_IMAGES - 1}")
    row = session.execute(select(offering_images).where(offering_images.c.offering_id == offering_id,
                                                        offering_images.c.position == position)).one_or_none()
    if row is None:
        raise NotFound(f"offering {offering_id} has no image {position}")
    return {"content_type": row.content_type, "data": base64.b64encode(row.data).decode()}


def _attribute_matches(rows, key: str, wanted: str | None):
    if wanted is None:
        return rows
    return [row for row in rows if wanted.lower() in (row.attributes.get(key) or "").lower()]


def _offering_rows(session: Session, filters: dict):
    conditions = []
    if filters.get("status", PUBLISHED) != "all":
        conditions.append(offerings.c.status == filters.get("status", PUBLISHED))
    if filters.get("organisation_id"):
        conditions.append(offerings.c.organisation_id == filters["organisation_id"])
    if filters.get("offering_ids") is not None:
        conditions.append(offerings.c.offering_id.in_(filters["offering_ids"]))
    if filters.get("min_price") is not None:
        conditions.append(offerings.c.unit_price >= filters["min_price"])
    if filters.get("max_price") is not None:
        conditions.append(offerings.c.unit_price <= filters["max_price"])
    if filters.get("q"):
        pattern = f"%{filters['q'].lower()}%"
        conditions.append(or_(func.lower(offerings.c.name).like(pattern),
                              func.lower(offerings.c.description).like(pattern),
                              func.lower(offerings.c.sku).like(pattern)))
    if filters.get("region") or filters.get("remoteness"):
        makers = select(approvals.c.offering_id).join(producers, producers.c.producer_id == approvals.c.producer_id) \
            .where(approvals.c.status == "approved")
        if filters.get("region"):
            makers = makers.where(producers.c.region == filters["region"])
        if filters.get("remoteness"):
            makers = makers.where(producers.c.remoteness == filters["remoteness"])
        conditions.append(offerings.c.offering_id.in_(makers))
    rows = session.execute(select(offerings).where(*conditions).order_by(offerings.c.sku)).all()
    rows = _attribute_matches(_attribute_matches(rows, "colour", filters.get("colour")),
                              "materials", filters.get("materials"))
    if filters.get("available_by"):
        rows = [row for row in rows if sum(_available_by_producer(
            session, row.offering_id, filters["available_by"]).values()) >= (filters.get("min_available") or 1)]
    return rows


def search_offerings(session: Session, query: dict, staff_of: str | None = None) -> dict:
    filters = load_or_refuse(OfferingSearch(), query, "query")
    return {"items": _offering_views(session, _offering_rows(session, filters), staff_of)}


def set_approval(db: Database, session: Session, offering_id: str, body: dict) -> dict:
    """Samples and prototypes are judged before a producer may make an offering; only ``approved`` gets quotas."""
    data = load_or_refuse(ApprovalInput(), body, "approval")
    _offering_row(session, offering_id)
    producer = _producer_row(session, data["producer_id"], lock=True)
    offering = _offering_row(session, offering_id)
    if producer.organisation_id != offering.organisation_id:
        raise InvalidInput("approval refused", {"producer_id": [
            "the producer belongs to another organisation than the offering"]})
    upsert(session, approvals, {"offering_id": offering_id, "producer_id": data["producer_id"]},
           {"stage": data["stage"], "status": data["status"], "decided_on": data["decided_on"],
            "note": data["note"], "updated_at": _now()})
    _refresh_profiles(session, [(data["producer_id"], offering_id)])
    _emit_producer(db, session, data["producer_id"], "producer.updated")
    return get_producer(session, data["producer_id"])


# Capacity ------------------------------------------------------------------------------------------------------------

def _committed(session: Session, producer_id: str, offering_id: str, week_start: date) -> int:
    return int(session.execute(select(func.coalesce(func.sum(commitments.c.units), 0)).where(
        commitments.c.producer_id == producer_id, commitments.c.offering_id == offering_id,
        commitments.c.week_start == week_start)).scalar_one())


def _apply_entries(db: Database, session: Session, entries: list, correlation_id: str) -> None:
    """Write every entry, refusing all of them if one would go below what producers already committed to.

    Lead time and minimum lot belong to a producer and offering: the newest terms apply to all its weeks, and the
    weeks whose terms changed are announced again so that allocation sees the same calendar."""
    now = _now()
    too_low = []
    _lock_producers(session, {entry["producer_id"] for entry in entries})
    terms = {(e["producer_id"], e["offering_id"]): (e["lead_time_days"], e["min_lot"]) for e in entries}
    declared = {(e["producer_id"], e["offering_id"], e["week_start"]) for e in entries}
    for entry in entries:
        committed = _committed(session, entry["producer_id"], entry["offering_id"], entry["week_start"])
        if entry["units"] < committed:
            too_low.append(entry | {"committed": committed})
            continue
        upsert(session, capacity_weeks, {key: entry[key] for key in ("producer_id", "offering_id", "week_start")},
               {"units": entry["units"], "committed": committed, "lead_time_days": entry["lead_time_days"],
                "min_lot": entry["min_lot"], "order_by": order_by(entry["week_start"], entry["lead_time_days"]),
                "declared_at": now})
    if too_low:
        raise Conflict("capacity below what is already committed: " + "; ".join(
            f"{e['producer_id']} week {iso_week(e['week_start'])}: {e['units']} < {e['committed']} committed"
            for e in too_low[:10]))
    announced = list(entries)
    for (producer_id, offering_id), (lead_time_days, min_lot) in terms.items():
        for week in session.execute(select(capacity_weeks).where(
                capacity_weeks.c.producer_id == producer_id, capacity_weeks.c.offering_id == offering_id,
                (capacity_weeks.c.lead_time_days != lead_time_days) | (capacity_weeks.c.min_lot != min_lot))).all():
            if (producer_id, offering_id, week.week_start) in declared:
                continue
            session.execute(update(capacity_weeks).where(
                capacity_weeks.c.producer_id == producer_id, capacity_weeks.c.offering_id == offering_id,
                capacity_weeks.c.week_start == week.week_start).values(
                lead_time_days=lead_time_days, min_lot=min_lot, order_by=order_by(week.week_start, lead_time_days)))
            announced.append({"producer_id": producer_id, "offering_id": offering_id, "week_start": week.week_start,
                              "units": week.units, "lead_time_days": lead_time_days, "min_lot": min_lot})
    _refresh_profiles(session, terms)
    for start in range(0, len(announced), CAPACITY_ENTRIES_PER_EVENT):
        db.emit(session, new_event("capacity.declared",
                                   {"entries": announced[start:start + CAPACITY_ENTRIES_PER_EVENT]},
                                   correlation_id=correlation_id))


def declare_capacity(db: Database, session: Session, producer_id: str, body: dict) -> dict:
    """A producer makes her own organisation's offerings only: another organisation's is answered as unknown."""
    data = load_or_refuse(CapacityInput(), body, "capacity")
    producer = _producer_row(session, producer_id, lock=True)
    offering = _offering_row(session, data["offering_id"])
    if offering.organisation_id != producer.organisation_id:
        raise NotFound(f"offering {data['offering_id']} not found")
    if offering.status != PUBLISHED:
        raise Conflict(f"offering {data['offering_id']} is withdrawn")
    entries = [{"producer_id": producer_id, "offering_id": data["offering_id"], "week_start": week["week"],
                "units": week["units"], "lead_time_days": data["lead_time_days"], "min_lot": data["min_lot"]}
               for week in data["weeks"]]
    _apply_entries(db, session, entries, producer_id)
    return capacity_calendar(session, producer_id, data["offering_id"])


def import_capacity(db: Database, session: Session, text: str, organisation_id: str | None = None) -> dict:
    """All or nothing: every row is checked first, and one bad row means nothing is imported. With
    ``organisation_id`` (an aggregator's upload), another organisation's producers and offerings are refused in the
    same words as unknown ones: a file cannot tell what exists elsewhere."""
    own = [] if organisation_id is None else [offerings.c.organisation_id == organisation_id]
    skus = dict(session.execute(select(offerings.c.sku, offerings.c.offering_id)
                                .where(offerings.c.status == PUBLISHED, *own)).all())

    def catalogue_problems(rows):
        mine = [] if organisation_id is None else [producers.c.organisation_id == organisation_id]
        known = set(session.execute(select(producers.c.producer_id).where(
            producers.c.producer_id.in_({row.producer_id for row in rows}), *mine)).scalars())
        return capacity_csv.unknown_rows(rows, known, skus) + _terms_disagree(rows)

    try:
        rows = capacity_csv.parse_capacity_csv(text, check_rows=catalogue_problems)
    except capacity_csv.CapacityCsvRejected as rejected:
        raise InvalidInput("capacity file refused; nothing was imported", _row_errors(rejected.errors)) from None
    entries = [{"producer_id": row.producer_id, "offering_id": skus[row.sku], "week_start": row.week_start,
                "units": row.units, "lead_time_days": row.lead_time_days, "min_lot": row.min_lot} for row in rows]
    import_id = new_id("imp")
    _apply_entries(db, session, entries, import_id)
    return {"import_id": import_id, "rows": len(rows), "producers": len({row.producer_id for row in rows})}


def _terms_disagree(rows) -> list:
    """Lead time and minimum lot are a producer's terms for an offering, the same every week."""
    first = {}
    problems = []
    for row in rows:
        key = (row.producer_id, row.sku)
        earlier = first.setdefault(key, row)
        if (row.lead_time_days, row.min_lot) != (earlier.lead_time_days, earlier.min_lot):
            problems.append((row.row_number, f"lead_time_days and min_lot must be those of row "
                                             f"{earlier.row_number} for the same producer and sku"))
    return problems


def _row_errors(errors) -> dict:
    by_row = {}
    for row_number, reason in errors:
        by_row.setdefault("file" if row_number is None else f"row {row_number}", []).append(reason)
    return by_row


def capacity_calendar(session: Session, producer_id: str, offering_id: str | None = None) -> dict:
    _producer_row(session, producer_id)
    query = select(capacity_weeks).where(capacity_weeks.c.producer_id == producer_id)
    if offering_id:
        query = query.where(capacity_weeks.c.offering_id == offering_id)
    weeks = [{"offering_id": row.offering_id, "week": iso_week(row.week_start),
              "week_start": row.week_start.isoformat(), "declared": row.units, "committed": row.committed,
              "available": max(0, row.units - row.committed), "lead_time_days": row.lead_time_days,
              "min_lot": row.min_lot, "order_by": row.order_by.isoformat()}
             for row in session.execute(query.order_by(capacity_weeks.c.offering_id, capacity_weeks.c.week_start))]
    return {"producer_id": producer_id, "weeks": weeks}


def availability(session: Session, offering_id: str, query: dict) -> dict:
    """Who can make N units of this offering by date D, and how many each, ordering today."""
    wanted = load_or_refuse(AvailabilityQuery(), query, "query")
    offering = _offering_row(session, offering_id)
    if offering.status != PUBLISHED:
        raise Conflict(f"offering {offering_id} is withdrawn")
    ranked, total, able = _most_available(session, offering_id, wanted["by"], wanted["limit"])
    answer = domain.who_can_make(wanted["quantity"], ranked, total, able)
    names = dict(session.execute(select(producers.c.producer_id, producers.c.name).where(
        producers.c.producer_id.in_([p["producer_id"] for p in answer["producers"]]))).all())
    for producer in answer["producers"]:
        producer["name"] = names[producer["producer_id"]]
    return {"offering_id": offering_id, "by": wanted["by"].isoformat(), **answer}


def _lock_producers(session: Session, producer_ids) -> None:
    """Changes to one producer's capacity take turns, so each rebuilt profile sees the others' changes; in a fixed
    order, so that two changes cannot deadlock."""
    session.execute(select(producers.c.producer_id).where(producers.c.producer_id.in_(sorted(producer_ids)))
                    .order_by(producers.c.producer_id).with_for_update())


def record_commitment(session: Session, event: Event) -> None:
    """An accepted quota (or one grown by a top-up) takes its weeks' units off what the producer can still offer.
    An accepted quota's weeks only ever grow, so each week keeps the larger figure: the acceptance and a top-up count
    once each, in whatever order they arrive."""
    payload = event.payload
    _lock_producers(session, [payload["producer_id"]])
    if session.execute(select(released_quotas.c.quota_id)
                       .where(released_quotas.c.quota_id == payload["quota_id"])).scalar():
        return
    known = dict(session.execute(select(commitments.c.week_start, commitments.c.units)
                                 .where(commitments.c.quota_id == payload["quota_id"])).all())
    for week in payload["weeks"]:
        grown = week["units"] - known.get(week["week_start"], 0)
        if grown <= 0:
            continue
        if week["week_start"] in known:
            session.execute(update(commitments).where(commitments.c.quota_id == payload["quota_id"],
                                                      commitments.c.week_start == week["week_start"])
                            .values(units=week["units"]))
        else:
            session.execute(commitments.insert().values(
                quota_id=payload["quota_id"], week_start=week["week_start"], producer_id=payload["producer_id"],
                offering_id=payload["offering_id"], units=week["units"]))
        session.execute(update(capacity_weeks).where(
            capacity_weeks.c.producer_id == payload["producer_id"],
            capacity_weeks.c.offering_id == payload["offering_id"],
            capacity_weeks.c.week_start == week["week_start"])
            .values(committed=capacity_weeks.c.committed + grown))
    _refresh_profiles(session, [(payload["producer_id"], payload["offering_id"])])


def release_commitment(session: Session, event: Event, reason: str) -> None:
    """A declined, expired or cancelled quota gives its units back; remembered so a late acceptance cannot retake
    them."""
    quota_id = event.payload["quota_id"]
    _lock_producers(session, [event.payload["producer_id"]])
    if session.execute(select(released_quotas.c.quota_id).where(released_quotas.c.quota_id == quota_id)).scalar():
        return
    session.execute(released_quotas.insert().values(quota_id=quota_id, reason=reason, released_at=_now()))
    for row in session.execute(select(commitments).where(commitments.c.quota_id == quota_id)).all():
        session.execute(update(capacity_weeks).where(
            capacity_weeks.c.producer_id == row.producer_id, capacity_weeks.c.offering_id == row.offering_id,
            capacity_weeks.c.week_start == row.week_start)
            .values(committed=capacity_weeks.c.committed - row.units))
    session.execute(commitments.delete().where(commitments.c.quota_id == quota_id))
    _refresh_profiles(session, [(event.payload["producer_id"], event.payload["offering_id"])])


# Themed catalogues ---------------------------------------------------------------------------------------------------

def save_theme(session: Session, body: dict) -> dict:
    """A new name makes a catalogue; the name of one of the organisation's own catalogues changes it. Names are shared
    by every organisation (they are the catalogues' addresses), so another organisation's name is refused."""
    data = load_or_refuse(ThemeInput(), body, "theme")
    name = data["name"]
    values = {"organisation_id": data["organisation_id"], "title": data["title"], "description": data["description"],
              "arrange_by": data["arrange_by"], "selection": ThemeInput().dump(data)["selection"],
              "updated_at": _now()}
    if not insert_new(session, themes, {"name": name, **values}):
        owner = session.execute(select(themes.c.organisation_id).where(themes.c.name == name)
                                .with_for_update()).scalar_one()
        if owner != data["organisation_id"]:
            raise Conflict(f"the catalogue name {name} is taken by another organisation: choose another name")
        session.execute(update(themes).where(themes.c.name == name).values(**values))
    return get_theme(session, name)


def _theme_row(session: Session, name: str):
    row = session.execute(select(themes).where(themes.c.name == name)).one_or_none()
    if row is None:
        raise NotFound(f"catalogue theme {name} not found")
    return row


def _theme_offerings(session: Session, row) -> list:
    selection = ThemeInput().load({"name": row.name, "organisation_id": row.organisation_id, "title": row.title,
                                   "selection": row.selection})["selection"]
    return _offering_rows(session, {**selection, "organisation_id": row.organisation_id})


def get_theme(session: Session, name: str) -> dict:
    row = _theme_row(session, name)
    return {"name": row.name, "organisation_id": row.organisation_id, "title": row.title,
            "description": row.description, "arrange_by": row.arrange_by, "selection": row.selection,
            "offerings": [offering.sku for offering in _theme_offerings(session, row)],
            "updated_at": row.updated_at.isoformat()}


def list_themes(session: Session) -> dict:
    return {"items": [get_theme(session, name) for name in
                      session.execute(select(themes.c.name).order_by(themes.c.name)).scalars()]}


def theme_sheet(session: Session, name: str) -> publishing.Theme:
    """The theme as the publisher renders it: every figure read from this one database now."""
    row = _theme_row(session, name)
    rows = _theme_offerings(session, row)
    ids = [offering.offering_id for offering in rows]
    images = {}
    for image in session.execute(select(offering_images).where(offering_images.c.offering_id.in_(ids))
                                 .order_by(offering_images.c.position)):
        images.setdefault(image.offering_id, []).append(publishing.Image(image.content_type, image.data))
    makers = _approved_counts(session, ids)
    horizon = _today() + timedelta(weeks=26)
    sheets = []
    for offering in rows:
        attributes = offering.attributes
        sheets.append(publishing.OfferingSheet(
            sku=offering.sku, name=offering.name, description=offering.description,
            materials=attributes.get("materials") or "", colour=attributes.get("colour") or "",
            size=attributes.get("size") or "", story=attributes.get("story") or "", price=offering.unit_price,
            currency=offering.currency, unit_weight_g=offering.unit_weight_g, min_order=offering.min_order,
            producer_count=makers.get(offering.offering_id, 0),
            available_units=sum(_available_by_producer(session, offering.offering_id, horizon).values()),
            images=images.get(offering.offering_id, [])))
    return publishing.Theme(name=row.name, title=row.title, description=row.description,
                            arrange_by=row.arrange_by, offerings=sheets)


EXPORTERS = {
    "html": (publishing.render_html, "text/html; charset=utf-8"),
    "pdf": (publishing.render_pdf, "application/pdf"),
    "csv": (publishing.render_csv, "text/csv; charset=utf-8"),
}


def export_theme(session: Session, name: str, export_format: str) -> tuple[bytes, str]:
    if export_format not in EXPORTERS:
        raise InvalidInput("unknown format", {"format": [f"one of {', '.join(EXPORTERS)}"]})
    render, content_type = EXPORTERS[export_format]
    document = render(theme_sheet(session, name))
    return (document.encode() if isinstance(document, str) else document), content_type
