"""Themes: offerings arranged for a catalogue, and their export as a PDF, a web page or a spreadsheet."""

import base64
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.catalogue import exports, publishing
from services.catalogue.availability import available_by_producer
from services.catalogue.offerings import approved_counts, offering_rows
from services.catalogue.schemas import ThemeInput
from services.catalogue.store import offering_images, themes
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.store import UnitOfWork, insert_new


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _today() -> date:
    return _now().date()


def save_theme(uow: UnitOfWork, body: dict) -> dict:
    """A new name makes a catalogue; the name of one of the organisation's own catalogues changes it. Names are shared
    by every organisation (they are the catalogues' addresses), so another organisation's name is refused."""
    session = uow.session
    data = load_or_refuse(ThemeInput(), body, "theme")
    name = data["name"]
    values = {
        "organisation_id": data["organisation_id"],
        "title": data["title"],
        "description": data["description"],
        "arrange_by": data["arrange_by"],
        "selection": ThemeInput().dump(data)["selection"],
        "updated_at": _now(),
    }
    if not insert_new(session, themes, {"name": name, **values}):
        owner = session.execute(
            select(themes.c.organisation_id).where(themes.c.name == name).with_for_update()
        ).scalar_one()
        if owner != data["organisation_id"]:
            raise Conflict(f"the catalogue name {name} is taken by another organisation: choose another name")
        session.execute(update(themes).where(themes.c.name == name).values(**values))
    return get_theme(uow, name)


def _theme_row(session: Session, name: str):
    row = session.execute(select(themes).where(themes.c.name == name)).one_or_none()
    if row is None:
        raise NotFound(f"catalogue theme {name} not found")
    return row


def _theme_offerings(session: Session, row) -> list:
    selection = ThemeInput().load(
        {"name": row.name, "organisation_id": row.organisation_id, "title": row.title, "selection": row.selection}
    )["selection"]
    return offering_rows(session, {**selection, "organisation_id": row.organisation_id})


def get_theme(uow: UnitOfWork, name: str) -> dict:
    session = uow.session
    row = _theme_row(session, name)
    return {
        "name": row.name,
        "organisation_id": row.organisation_id,
        "title": row.title,
        "description": row.description,
        "arrange_by": row.arrange_by,
        "selection": row.selection,
        "offerings": [offering.sku for offering in _theme_offerings(session, row)],
        "updated_at": row.updated_at.isoformat(),
    }


def list_themes(uow: UnitOfWork) -> dict:
    session = uow.session
    return {
        "items": [
            get_theme(uow, name) for name in session.execute(select(themes.c.name).order_by(themes.c.name)).scalars()
        ]
    }


def theme_sheet(uow: UnitOfWork, name: str) -> publishing.Theme:
    """The theme as the publisher renders it: every figure read from this one database now."""
    session = uow.session
    row = _theme_row(session, name)
    rows = _theme_offerings(session, row)
    ids = [offering.offering_id for offering in rows]
    images = {}
    for image in session.execute(
        select(offering_images).where(offering_images.c.offering_id.in_(ids)).order_by(offering_images.c.position)
    ):
        images.setdefault(image.offering_id, []).append(publishing.Image(image.content_type, image.data))
    makers = approved_counts(session, ids)
    horizon = _today() + timedelta(weeks=26)
    sheets = []
    for offering in rows:
        attributes = offering.attributes
        sheets.append(
            publishing.OfferingSheet(
                sku=offering.sku,
                name=offering.name,
                description=offering.description,
                materials=attributes.get("materials") or "",
                colour=attributes.get("colour") or "",
                size=attributes.get("size") or "",
                story=attributes.get("story") or "",
                price=offering.unit_price,
                currency=offering.currency,
                unit_weight_g=offering.unit_weight_g,
                min_order=offering.min_order,
                producer_count=makers.get(offering.offering_id, 0),
                available_units=sum(available_by_producer(session, offering.offering_id, horizon).values()),
                images=images.get(offering.offering_id, []),
                hs_code=offering.hs_code,
                origin_country=offering.origin_country,
                markets=tuple(
                    publishing.MarketRequirement(
                        market=entry["market"],
                        packaging=entry["packaging"],
                        labelling=entry["labelling"],
                        certifications=tuple(entry["certifications"]),
                    )
                    for entry in offering.markets
                ),
            )
        )
    return publishing.Theme(
        name=row.name, title=row.title, description=row.description, arrange_by=row.arrange_by, offerings=sheets
    )


EXPORTERS = {
    "html": (exports.render_html, "text/html; charset=utf-8"),
    "pdf": (exports.render_pdf, "application/pdf"),
    "csv": (exports.render_csv, "text/csv; charset=utf-8"),
}


def export_theme(uow: UnitOfWork, name: str, export_format: str) -> dict:
    """The theme as a document; its bytes travel as base64 text, since bytes do not survive JSON."""
    if export_format not in EXPORTERS:
        raise InvalidInput("unknown format", {"format": [f"one of {', '.join(EXPORTERS)}"]})
    render, content_type = EXPORTERS[export_format]
    document = render(theme_sheet(uow, name))
    data = document.encode() if isinstance(document, str) else document
    return {"content_type": content_type, "data": base64.b64encode(data).decode()}
