"""Pooled offerings: publishing, withdrawing, finding them, and approving producers to make them."""

import base64
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from services.catalogue import domain
from services.catalogue.availability import available_by_producer, refresh_profiles
from services.catalogue.group_schemas import PictureQuery, uploaded_image
from services.catalogue.pictures import Image, picture_copies
from services.catalogue.producers import emit_producer, get_producer, producer_row
from services.catalogue.schemas import MAX_IMAGES, ApprovalInput, OfferingInput, OfferingSearch, WithdrawInput
from services.catalogue.store import approvals, offering_images, offerings, producers
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork, upsert


def _now() -> datetime:
    return datetime.now(timezone.utc)


def offering_row(session: Session, offering_id: str, lock: bool = False):
    query = select(offerings).where(offerings.c.offering_id == offering_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"offering {offering_id} not found")
    return row


def _image_columns(image: Image) -> dict:
    """The copies of an image, made once here so that no catalogue resizes it again."""
    copies = picture_copies(image)
    return {
        "content_type": image.content_type,
        "data": copies.print_copy.data,
        "web_data": copies.web_copy.data,
        "small_data": copies.small_copy.data,
    }


def _uploaded(image: dict, position: int) -> dict:
    """An image of an offering's JSON body, checked whole (not only its first bytes) and resized."""
    try:
        return _image_columns(Image(image["content_type"], base64.b64decode(image["data"])))
    except ValueError as error:
        raise InvalidInput("offering refused", {"images": {position: {"data": [str(error)]}}}) from None


def publish_offering(uow: UnitOfWork, body: dict) -> dict:
    session = uow.session
    data = load_or_refuse(OfferingInput(), body, "offering")
    data.setdefault("fair_trade_premium", Decimal(0))
    problems = domain.pricing_problems(data["unit_price"], data["producer_price"], data["fair_trade_premium"])
    if problems:
        raise InvalidInput("offering refused", problems)
    if session.execute(select(offerings.c.offering_id).where(offerings.c.sku == data["sku"])).scalar():
        raise Conflict(f"an offering with sku {data['sku']} is already published")
    offering_id = new_id("off")
    images = [_uploaded(image, position) for position, image in enumerate(data.pop("images"))]
    now = _now()
    session.execute(
        offerings.insert().values(
            offering_id=offering_id, status=domain.PUBLISHED, published_at=now, updated_at=now, **data
        )
    )
    for position, image in enumerate(images):
        session.execute(offering_images.insert().values(offering_id=offering_id, position=position, **image))
    uow.emit(
        new_event(
            "offering.published",
            {
                "offering_id": offering_id,
                **{
                    key: data[key]
                    for key in (
                        "organisation_id",
                        "sku",
                        "name",
                        "unit_price",
                        "producer_price",
                        "currency",
                        "unit_weight_g",
                        "unit_volume_cm3",
                        "min_order",
                        "min_quota",
                        "fair_trade_premium",
                        "quality_standard",
                        "hs_code",
                        "origin_country",
                        "markets",
                    )
                },
            },
            correlation_id=offering_id,
        )
    )
    return get_offering(uow, offering_id, staff_of=data["organisation_id"])


def withdraw_offering(uow: UnitOfWork, offering_id: str, body: dict) -> dict:
    session = uow.session
    data = load_or_refuse(WithdrawInput(), body, "withdrawal")
    row = offering_row(session, offering_id, lock=True)
    if row.status == domain.WITHDRAWN:
        raise Conflict(f"offering {offering_id} is already withdrawn")
    session.execute(
        update(offerings)
        .where(offerings.c.offering_id == offering_id)
        .values(status=domain.WITHDRAWN, withdrawn_reason=data["reason"], updated_at=_now())
    )
    uow.emit(
        new_event(
            "offering.withdrawn", {"offering_id": offering_id, "reason": data["reason"]}, correlation_id=offering_id
        )
    )
    return get_offering(uow, offering_id, staff_of=row.organisation_id)


def _image_counts(session: Session, offering_ids) -> dict:
    return dict(
        session.execute(
            select(offering_images.c.offering_id, func.count())
            .where(offering_images.c.offering_id.in_(offering_ids))
            .group_by(offering_images.c.offering_id)
        ).all()
    )


def approved_counts(session: Session, offering_ids) -> dict:
    return dict(
        session.execute(
            select(approvals.c.offering_id, func.count())
            .where(approvals.c.offering_id.in_(offering_ids), approvals.c.status == "approved")
            .group_by(approvals.c.offering_id)
        ).all()
    )


def _offering_views(session: Session, rows, staff_of: str | None) -> list:
    """``staff_of``: the organisation whose staff is looking (``domain.EVERY_ORGANISATION`` for an admin), None for
    anyone else: only its staff see what its producers are paid."""
    ids = [row.offering_id for row in rows]
    images, approved = _image_counts(session, ids), approved_counts(session, ids)
    return [
        {
            "id": row.offering_id,
            "organisation_id": row.organisation_id,
            "sku": row.sku,
            "name": row.name,
            "description": row.description,
            "unit_price": str(row.unit_price),
            **(
                {"producer_price": str(row.producer_price)}
                if domain.shows_producer_price(staff_of, row.organisation_id)
                else {}
            ),
            "currency": row.currency,
            "fair_trade_premium": str(row.fair_trade_premium),
            "unit_weight_g": row.unit_weight_g,
            "unit_volume_cm3": row.unit_volume_cm3,
            "attributes": row.attributes,
            "quality_standard": row.quality_standard,
            "min_order": row.min_order,
            "min_quota": row.min_quota,
            "hs_code": row.hs_code,
            "origin_country": row.origin_country,
            "markets": row.markets,
            "translations": row.translations,
            "status": row.status,
            "withdrawn_reason": row.withdrawn_reason,
            "images": [
                f"/api/v1/offerings/{row.offering_id}/images/{n}" for n in range(images.get(row.offering_id, 0))
            ],
            "approved_producers": approved.get(row.offering_id, 0),
            "published_at": row.published_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
        for row in rows
    ]


def get_offering(uow: UnitOfWork, offering_id: str, staff_of: str | None = None) -> dict:
    """``staff_of``: the organisation of the staff asking ("*" for an admin); they alone see producer prices."""
    session = uow.session
    return _offering_views(session, [offering_row(session, offering_id)], staff_of)[0]


def put_offering_image(uow: UnitOfWork, offering_id: str, position: int, upload: dict) -> dict:
    """Replace the offering's image at ``position``, or add one just after its last: images have no gaps, since
    catalogues show them in order and a phone asks for them by number."""
    session = uow.session
    image = uploaded_image(upload, "image")
    row = offering_row(session, offering_id, lock=True)
    count = _image_counts(session, [offering_id]).get(offering_id, 0)
    if not 0 <= position < MAX_IMAGES:
        raise InvalidInput(
            "image refused",
            {"position": [f"an offering has at most {MAX_IMAGES} images, at positions 0 to {MAX_IMAGES - 1}"]},
        )
    if position > count:
        raise InvalidInput(
            "image refused", {"position": [f"the offering has {count} images: the next one goes at position {count}"]}
        )
    upsert(session, offering_images, {"offering_id": offering_id, "position": position}, _image_columns(image))
    session.execute(update(offerings).where(offerings.c.offering_id == offering_id).values(updated_at=_now()))
    return get_offering(uow, offering_id, staff_of=row.organisation_id)


def get_offering_image(uow: UnitOfWork, offering_id: str, position: int, size: str = "web") -> dict:
    """One copy of an image (``pictures.COPY_SIDES_PX``): the web one unless the caller asks for another."""
    session = uow.session
    copy = load_or_refuse(PictureQuery(), {"size": size}, "query")["size"]
    if not 0 <= position < MAX_IMAGES:
        raise NotFound(f"offering {offering_id} has no image {position}: positions run from 0 to {MAX_IMAGES - 1}")
    row = session.execute(
        select(offering_images).where(
            offering_images.c.offering_id == offering_id, offering_images.c.position == position
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"offering {offering_id} has no image {position}")
    data = {"print": row.data, "web": row.web_data, "small": row.small_data}[copy]
    return {"content_type": row.content_type, "data": base64.b64encode(data).decode()}


def _attribute_matches(rows, key: str, wanted: str | None):
    if wanted is None:
        return rows
    return [row for row in rows if wanted.lower() in (row.attributes.get(key) or "").lower()]


def offering_rows(session: Session, filters: dict):
    conditions = []
    if filters.get("status", domain.PUBLISHED) != "all":
        conditions.append(offerings.c.status == filters.get("status", domain.PUBLISHED))
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
        conditions.append(
            or_(
                func.lower(offerings.c.name).like(pattern),
                func.lower(offerings.c.description).like(pattern),
                func.lower(offerings.c.sku).like(pattern),
            )
        )
    if filters.get("region") or filters.get("remoteness"):
        makers = (
            select(approvals.c.offering_id)
            .join(producers, producers.c.producer_id == approvals.c.producer_id)
            .where(approvals.c.status == "approved")
        )
        if filters.get("region"):
            makers = makers.where(producers.c.region == filters["region"])
        if filters.get("remoteness"):
            makers = makers.where(producers.c.remoteness == filters["remoteness"])
        conditions.append(offerings.c.offering_id.in_(makers))
    rows = session.execute(select(offerings).where(*conditions).order_by(offerings.c.sku)).all()
    rows = _attribute_matches(
        _attribute_matches(rows, "colour", filters.get("colour")), "materials", filters.get("materials")
    )
    if filters.get("available_by"):
        rows = [
            row
            for row in rows
            if sum(available_by_producer(session, row.offering_id, filters["available_by"]).values())
            >= (filters.get("min_available") or 1)
        ]
    return rows


def search_offerings(uow: UnitOfWork, query: dict, staff_of: str | None = None) -> dict:
    session = uow.session
    filters = load_or_refuse(OfferingSearch(), query, "query")
    return {"items": _offering_views(session, offering_rows(session, filters), staff_of)}


def set_approval(uow: UnitOfWork, offering_id: str, body: dict) -> dict:
    """Samples and prototypes are judged before a producer may make an offering; only ``approved`` gets quotas."""
    session = uow.session
    data = load_or_refuse(ApprovalInput(), body, "approval")
    offering_row(session, offering_id)
    producer = producer_row(session, data["producer_id"], lock=True)
    offering = offering_row(session, offering_id)
    if producer.organisation_id != offering.organisation_id:
        raise InvalidInput(
            "approval refused", {"producer_id": ["the producer belongs to another organisation than the offering"]}
        )
    upsert(
        session,
        approvals,
        {"offering_id": offering_id, "producer_id": data["producer_id"]},
        {
            "stage": data["stage"],
            "status": data["status"],
            "decided_on": data["decided_on"],
            "note": data["note"],
            "updated_at": _now(),
        },
    )
    refresh_profiles(session, [(data["producer_id"], offering_id)])
    emit_producer(uow, data["producer_id"], "producer.updated")
    return get_producer(uow, data["producer_id"])
