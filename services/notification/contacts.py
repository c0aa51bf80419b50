"""Contacts of organisations (the recipients of aggregator messages) and every recipient's preferences: the RPCs
behind the gateway's contact and preferences pages."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import domain
from services.notification.schemas import ContactInput, PreferencesInput
from services.notification.store import recipients
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.store import UnitOfWork, merge


def _preferences_view(row) -> dict:
    stored = row.preferences or {}
    preferences = domain.preferences_of(row.kind, stored, row.timezone)
    return {
        "channels": list(preferences.channels),
        "quiet_hours": stored.get("quiet_hours"),
        "digest_kinds": sorted(preferences.digest_kinds),
        "max_failures": preferences.max_failures,
        "chosen": bool(stored),
    }


def _contact_view(row) -> dict:
    return {
        "organisation_id": row.recipient_id,
        "name": row.name,
        "email": row.email,
        "mobile": row.mobile,
        "webhook_url": row.webhook_url,
        "webhook_secret_set": bool(row.webhook_secret),
        "languages": row.languages,
        "timezone": row.timezone,
        "preferences": _preferences_view(row),
    }


def _recipient_row(session: Session, recipient_id: str):
    row = session.execute(select(recipients).where(recipients.c.recipient_id == recipient_id)).one_or_none()
    if row is None:
        raise NotFound(f"recipient {recipient_id} not found")
    return row


def set_contact(uow: UnitOfWork, organisation_id: str, body: dict) -> dict:
    """The organisation is the recipient of aggregator messages; its id is the recipient id."""
    session = uow.session
    data = load_or_refuse(ContactInput(), body, "contact")
    kind = session.execute(select(recipients.c.kind).where(recipients.c.recipient_id == organisation_id)).scalar()
    if kind is not None and kind != domain.AGGREGATOR:
        raise Conflict(f"{organisation_id} is a {kind}, not an organisation")
    merge(
        session,
        recipients,
        dict(
            recipient_id=organisation_id,
            kind=domain.AGGREGATOR,
            organisation_id=organisation_id,
            name=data["name"],
            email=data["email"],
            mobile=data["mobile"],
            webhook_url=data["webhook_url"],
            webhook_secret=data["webhook_secret"],
            languages=data["languages"] or ["en"],
            timezone=data["timezone"],
            preferences=data["preferences"],
        ),
        keys=("recipient_id",),
    )
    return get_contact(uow, organisation_id)


def get_contact(uow: UnitOfWork, organisation_id: str) -> dict:
    row = _recipient_row(uow.session, organisation_id)
    if row.kind != domain.AGGREGATOR:
        raise NotFound(f"organisation {organisation_id} has no contact")
    return _contact_view(row)


def set_preferences(uow: UnitOfWork, recipient_id: str, body: dict) -> dict:
    session = uow.session
    row = _recipient_row(session, recipient_id)
    data = load_or_refuse(PreferencesInput(), body, "preferences")
    secret = data.pop("webhook_secret") or row.webhook_secret
    if "webhook" in data["channels"] and not secret:
        raise InvalidInput(
            "preferences refused", {"webhook_secret": ["a webhook needs a secret of at least 16 characters to sign it"]}
        )
    zone = data.pop("timezone")
    session.execute(
        update(recipients)
        .where(recipients.c.recipient_id == recipient_id)
        .values(preferences=data, timezone=zone, webhook_secret=secret)
    )
    return get_preferences(uow, recipient_id)


def get_preferences(uow: UnitOfWork, recipient_id: str) -> dict:
    row = _recipient_row(uow.session, recipient_id)
    return {
        "recipient_id": row.recipient_id,
        "kind": row.kind,
        "organisation_id": row.organisation_id,
        "timezone": row.timezone,
        "webhook_secret_set": bool(row.webhook_secret),
        **_preferences_view(row),
    }
