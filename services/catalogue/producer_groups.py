"""Producer groups: a village's weavers, a growers' association, whose picture and story a booklet tells.

A group is an organisation's producers of one region; its picture is resized once, when it is set, into the copies the
catalogues show."""

import base64
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.catalogue.group_schemas import GroupInput, GroupSearch, PictureQuery, uploaded_image
from services.catalogue.pictures import Image, picture_copies
from services.catalogue.store import producer_groups, producers
from shared.errors import Conflict, NotFound, load_or_refuse
from shared.ids import new_id
from shared.store import UnitOfWork


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _group_row(session: Session, group_id: str, lock: bool = False):
    query = select(producer_groups).where(producer_groups.c.group_id == group_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"producer group {group_id} not found")
    return row


def _picture_columns(image: Image) -> dict:
    copies = picture_copies(image)
    return {
        "picture_type": image.content_type,
        "picture_print": copies.print_copy.data,
        "picture_web": copies.web_copy.data,
        "picture_small": copies.small_copy.data,
    }


def _producer_counts(session: Session, organisation_ids: set) -> dict:
    return {
        (organisation_id, region): count
        for organisation_id, region, count in session.execute(
            select(producers.c.organisation_id, producers.c.region, func.count())
            .where(producers.c.organisation_id.in_(organisation_ids))
            .group_by(producers.c.organisation_id, producers.c.region)
        )
    }


def _views(session: Session, rows) -> list:
    counts = _producer_counts(session, {row.organisation_id for row in rows})
    return [
        {
            "id": row.group_id,
            "organisation_id": row.organisation_id,
            "name": row.name,
            "region": row.region,
            "story": row.story,
            "translations": row.translations,
            "producer_count": counts.get((row.organisation_id, row.region), 0),
            "picture": (
                {
                    size: f"/api/v1/producer-groups/{row.group_id}/picture?size={size}"
                    for size in ("print", "web", "small")
                }
                if row.picture_type
                else None
            ),
            "updated_at": row.updated_at.isoformat(),
        }
        for row in rows
    ]


def _own_group(session: Session, data: dict):
    """The group the input changes, locked, or None for a new one; another organisation's is answered as missing."""
    if data["group_id"] is not None:
        row = _group_row(session, data["group_id"], lock=True)
        if row.organisation_id != data["organisation_id"]:
            raise NotFound(f"producer group {data['group_id']} not found")
        if row.name != data["name"] and _named(session, data) is not None:
            raise Conflict(f"the organisation already has a group named {data['name']!r}: choose another name")
        return row
    return _named(session, data)


def _named(session: Session, data: dict):
    return session.execute(
        select(producer_groups)
        .where(producer_groups.c.organisation_id == data["organisation_id"], producer_groups.c.name == data["name"])
        .with_for_update()
    ).first()


def save_group(uow: UnitOfWork, body: dict) -> dict:
    """Create a group, or change one of the organisation's own: a picture left out keeps the group's picture."""
    session = uow.session
    data = load_or_refuse(GroupInput(), body, "producer group")
    values = {
        "name": data["name"],
        "region": data["region"],
        "story": data["story"],
        "translations": data["translations"],
        "updated_at": _now(),
        **(_picture_columns(data["picture"]) if data["picture"] is not None else {}),
    }
    row = _own_group(session, data)
    if row is None:
        group_id = new_id("grp")
        session.execute(
            producer_groups.insert().values(group_id=group_id, organisation_id=data["organisation_id"], **values)
        )
    else:
        group_id = row.group_id
        session.execute(update(producer_groups).where(producer_groups.c.group_id == group_id).values(**values))
    return get_group(uow, group_id)


def get_group(uow: UnitOfWork, group_id: str) -> dict:
    session = uow.session
    return _views(session, [_group_row(session, group_id)])[0]


def list_groups(uow: UnitOfWork, query: dict) -> dict:
    """The groups of ``organisation_id`` when the query names one (a co-operative's staff always do), else all."""
    session = uow.session
    filters = load_or_refuse(GroupSearch(), query, "query")
    statement = select(producer_groups).order_by(producer_groups.c.name, producer_groups.c.group_id)
    if "organisation_id" in filters:
        statement = statement.where(producer_groups.c.organisation_id == filters["organisation_id"])
    return {"items": _views(session, session.execute(statement).all())}


def set_group_picture(uow: UnitOfWork, group_id: str, upload: dict) -> dict:
    session = uow.session
    image = uploaded_image(upload, "picture")
    _group_row(session, group_id, lock=True)
    session.execute(
        update(producer_groups)
        .where(producer_groups.c.group_id == group_id)
        .values(updated_at=_now(), **_picture_columns(image))
    )
    return get_group(uow, group_id)


def get_group_picture(uow: UnitOfWork, group_id: str, size: str = "web") -> dict:
    session = uow.session
    copy = load_or_refuse(PictureQuery(), {"size": size}, "query")["size"]
    row = _group_row(session, group_id)
    if row.picture_type is None:
        raise NotFound(f"producer group {group_id} has no picture")
    data = {"print": row.picture_print, "web": row.picture_web, "small": row.picture_small}[copy]
    return {"content_type": row.picture_type, "data": base64.b64encode(data).decode()}
