"""Storing what is to be said: a notice becomes a row of the delivery log under its unique key (a duplicate is
dropped there), rendered in its recipient's language, waiting to be sent (``delivery``).

The rows are stored in the caller's unit of work, so a message exists only if the fact it tells was handled."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notification import domain, templates
from services.notification.preferences import Contact, Preferences
from services.notification.store import deliveries, recipients
from shared.errors import NotYetKnown
from shared.ids import new_id
from shared.store import insert_new, insert_new_all

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Addressee:
    recipient: domain.Recipient
    preferences: Preferences
    webhook_secret: str | None


def addressee(session: Session, recipient_id: str) -> Addressee | None:
    row = session.execute(select(recipients).where(recipients.c.recipient_id == recipient_id)).one_or_none()
    return None if row is None else _addressee_of(row)


def addressees(session: Session, recipient_ids) -> dict[str, Addressee]:
    """``addressee`` of many recipients in one query; those not known are left out."""
    return {
        row.recipient_id: _addressee_of(row)
        for row in session.execute(select(recipients).where(recipients.c.recipient_id.in_(set(recipient_ids))))
    }


def _addressee_of(row) -> Addressee:
    # A webhook is only ever sent signed: without a secret the URL is no address.
    contact = Contact(mobile=row.mobile, email=row.email, webhook_url=row.webhook_url if row.webhook_secret else None)
    recipient = domain.Recipient(
        row.recipient_id, row.kind, row.name, tuple(row.languages or ()), contact, row.organisation_id, row.timezone
    )
    return Addressee(recipient, domain.preferences_of(row.kind, row.preferences, row.timezone), row.webhook_secret)


def _json_safe(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def _delivery_row(
    notice: domain.Notice, recipient: domain.Recipient | None, now: datetime, forced: tuple[str, str] | None = None
) -> dict:
    """The delivery log row of a notice, rendered for its recipient."""
    values = dict(notice.values)
    if "name" in templates.FIELDS[notice.kind]:
        values["name"] = recipient.name
    languages = recipient.languages if recipient else ()
    rendered = templates.render(notice.kind, languages, zone=recipient.timezone if recipient else None, **values)
    channel, address = forced or (None, None)
    return dict(
        notification_id=new_id("ntf"),
        dedupe_key=notice.key,
        recipient_id=notice.recipient_id,
        correlation_id=notice.correlation_id,
        template=notice.kind,
        ref=notice.ref,
        language=rendered.language,
        subject=rendered.subject,
        body=rendered.text,
        sms_text=rendered.sms_text,
        data=_json_safe(
            {**notice.values, "recipient_id": notice.recipient_id, "correlation_id": notice.correlation_id}
        ),
        forced_channel=channel,
        channel=channel,
        address=address,
        status=domain.PENDING,
        attempts=0,
        next_attempt_at=now,
        deadline=notice.deadline,
        given_up_channels=[],
        created_at=now,
    )


def _already_stored(notice: domain.Notice) -> None:
    log.info(
        "notice already stored", extra={"kind": notice.kind, "recipient_id": notice.recipient_id, "key": notice.key}
    )


def enqueue(
    session: Session,
    notice: domain.Notice,
    recipient: domain.Recipient | None,
    now: datetime,
    forced: tuple[str, str] | None = None,
) -> str | None:
    """Store a notice, rendered for its recipient, to be sent; None when the same notice was stored before.

    ``forced`` is ``(channel, address)`` for a message that must go one way only: the answer to an SMS goes back to
    the number it came from, even from a number no recipient has."""
    row = _delivery_row(notice, recipient, now, forced)
    if not insert_new(session, deliveries, row):
        _already_stored(notice)
        return None
    return row["notification_id"]


def enqueue_all(session: Session, notices: Iterable[domain.Notice], now: datetime) -> list[str]:
    """Notices for aggregators without a contact are dropped (nobody to tell); a producer or buyer not known here
    yet is an error, so that the event is tried again once their own event has arrived. The recipients are looked
    up, and the notices stored, in one statement each."""
    notices = list(notices)
    known = addressees(session, {notice.recipient_id for notice in notices})
    rows = []
    for notice in notices:
        found = known.get(notice.recipient_id)
        if found is None:
            if notice.kind.startswith("aggregator_"):
                log.warning(
                    "no contact for this organisation: message dropped",
                    extra={"organisation_id": notice.recipient_id, "kind": notice.kind},
                )
                continue
            raise NotYetKnown(f"recipient {notice.recipient_id} is not known here yet")
        rows.append((notice, _delivery_row(notice, found.recipient, now)))
    created = set(insert_new_all(session, deliveries, [row for _, row in rows], deliveries.c.notification_id))
    for notice, row in rows:
        if row["notification_id"] not in created:
            _already_stored(notice)
    return [row["notification_id"] for _, row in rows if row["notification_id"] in created]
