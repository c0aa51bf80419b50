"""The offerings orders can be placed for: catalogue's published offerings, projected here."""

from sqlalchemy import select

from services.orders import domain
from services.orders.store import offerings
from shared.events import Event
from shared.store import UnitOfWork, upsert


def record_offering(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    upsert(
        uow.session,
        offerings,
        {"offering_id": payload["offering_id"]},
        {key: payload[key] for key in ("sku", "name", "unit_price", "currency", "min_order", "organisation_id")},
    )


def of_organisation(organisation_id: str | None) -> list:
    """Conditions that keep an organisation's caller to its own offerings: others' are as if unknown."""
    return [] if organisation_id is None else [offerings.c.organisation_id == organisation_id]


def published(session, skus, organisation_id: str | None = None) -> dict:
    """The published offerings of these SKUs the caller may order, by SKU."""
    return {
        row.sku: row
        for row in session.execute(
            select(offerings).where(offerings.c.sku.in_(skus), *of_organisation(organisation_id))
        )
    }


def terms(row) -> domain.OfferingTerms:
    return domain.OfferingTerms(organisation_id=row.organisation_id, min_order=row.min_order, currency=row.currency)
