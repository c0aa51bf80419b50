"""Themes: offerings arranged for a catalogue, and their export as a PDF, a web page or a spreadsheet."""

import base64
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.catalogue import exports, print_layouts, publishing
from services.catalogue.availability import available_by_producer
from services.catalogue.language_schemas import ExportOptions
from services.catalogue.offerings import approved_counts, offering_rows
from services.catalogue.pictures import Image, Picture
from services.catalogue.schemas import ThemeInput
from services.catalogue.store import approvals, offering_images, producer_groups, producers, themes
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
        "how_to_order": data["how_to_order"],
        "contact": data["contact"] or {},
        "translations": data["translations"],
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
        "how_to_order": row.how_to_order,
        "contact": row.contact or None,
        "translations": row.translations,
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


def _in_language(row, language: str, name: str) -> str:
    """The field in ``language`` where one was given, else the English text: the reader is never told which."""
    return (row.translations.get(language) or {}).get(name) or getattr(row, name)


def _offering_pictures(session: Session, ids: list[str]) -> dict[str, list[Picture]]:
    pictures: dict[str, list[Picture]] = {}
    for image in session.execute(
        select(offering_images).where(offering_images.c.offering_id.in_(ids)).order_by(offering_images.c.position)
    ):
        pictures.setdefault(image.offering_id, []).append(
            Picture(
                Image(image.content_type, image.data),
                Image(image.content_type, image.web_data),
                Image(image.content_type, image.small_data),
            )
        )
    return pictures


def _makers_by_region(session: Session, ids: list[str]) -> dict[str, int]:
    """How many producers approved for these offerings each region has."""
    return dict(
        session.execute(
            select(producers.c.region, func.count(func.distinct(producers.c.producer_id)))
            .join(approvals, approvals.c.producer_id == producers.c.producer_id)
            .where(approvals.c.offering_id.in_(ids), approvals.c.status == "approved")
            .group_by(producers.c.region)
        ).all()
    )


def _told(organisation_id: str, regions):
    return (producer_groups.c.organisation_id == organisation_id, producer_groups.c.region.in_(list(regions)))


def story_group_ids(uow: UnitOfWork, name: str) -> set[str]:
    """The producer groups whose stories the theme tells (see ``_stories``), without reading their pictures."""
    session = uow.session
    row = _theme_row(session, name)
    ids = [offering.offering_id for offering in _theme_offerings(session, row)]
    regions = _makers_by_region(session, ids)
    return set(
        session.execute(select(producer_groups.c.group_id).where(*_told(row.organisation_id, regions))).scalars()
    )


def _stories(session: Session, organisation_id: str, ids: list[str], language: str) -> tuple:
    """The organisation's producer groups whose region has producers approved for the theme's offerings, with how
    many of them there are: the people a booklet introduces."""
    makers = _makers_by_region(session, ids)
    rows = session.execute(
        select(producer_groups).where(*_told(organisation_id, makers)).order_by(producer_groups.c.name)
    )
    return tuple(
        publishing.GroupStory(
            name=_in_language(row, language, "name"),
            region=row.region,
            story=_in_language(row, language, "story"),
            producer_count=makers[row.region],
            group_id=row.group_id,
            picture=(
                Picture(
                    Image(row.picture_type, row.picture_print),
                    Image(row.picture_type, row.picture_web),
                    Image(row.picture_type, row.picture_small),
                )
                if row.picture_type
                else None
            ),
        )
        for row in rows
    )


def theme_sheet(uow: UnitOfWork, name: str, language: str = "en") -> publishing.Theme:
    """The theme as the publisher renders it in ``language``: every figure read from this one database now."""
    session = uow.session
    row = _theme_row(session, name)
    rows = _theme_offerings(session, row)
    ids = [offering.offering_id for offering in rows]
    pictures = _offering_pictures(session, ids)
    makers = approved_counts(session, ids)
    horizon = _today() + timedelta(weeks=26)
    sheets = []
    for offering in rows:
        attributes = offering.attributes
        texts = offering.translations.get(language) or {}
        sheets.append(
            publishing.OfferingSheet(
                sku=offering.sku,
                name=texts.get("name") or offering.name,
                description=texts.get("description") or offering.description,
                materials=texts.get("materials") or attributes.get("materials") or "",
                colour=texts.get("colour") or attributes.get("colour") or "",
                size=texts.get("size") or attributes.get("size") or "",
                story=texts.get("story") or attributes.get("story") or "",
                price=offering.unit_price,
                currency=offering.currency,
                unit_weight_g=offering.unit_weight_g,
                min_order=offering.min_order,
                producer_count=makers.get(offering.offering_id, 0),
                available_units=sum(available_by_producer(session, offering.offering_id, horizon).values()),
                images=pictures.get(offering.offering_id, []),
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
    contact = row.contact or None
    return publishing.Theme(
        name=row.name,
        title=_in_language(row, language, "title"),
        description=_in_language(row, language, "description"),
        arrange_by=row.arrange_by,
        offerings=sheets,
        language=language,
        how_to_order=_in_language(row, language, "how_to_order"),
        contact=publishing.Contact(**contact) if contact else None,
        stories=_stories(session, row.organisation_id, ids, language),
    )


CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def render(sheet: publishing.Theme, options: dict) -> bytes:
    """The document ``options`` (loaded by ``ExportOptions``) asks for; a layout that cannot hold the theme is
    refused (a flyer with more offerings than a page can show legibly)."""
    if options["format"] == "html":
        return exports.render_html(sheet).encode()
    if options["format"] == "csv":
        return exports.render_csv(sheet).encode()
    try:
        return print_layouts.render_pdf(sheet, layout=options["layout"], paper=options["paper"])
    except print_layouts.LayoutTooSmall as error:
        raise InvalidInput("this catalogue cannot be printed so", {"layout": [str(error)]}) from None


def export_theme(uow: UnitOfWork, name: str, query: dict) -> dict:
    """The theme as a document; its bytes travel as base64 text, since bytes do not survive JSON."""
    options = load_or_refuse(ExportOptions(), query, "export")
    sheet = theme_sheet(uow, name, options["language"])
    suffix = f"-{options['layout']}" if options["format"] == "pdf" else ""
    return {
        "content_type": CONTENT_TYPES[options["format"]],
        "filename": f"{name}{suffix}-{options['language']}.{options['format']}",
        "data": base64.b64encode(render(sheet, options)).decode(),
    }
