"""Dead letters: a copy of every message another service could not handle, and an alert to the organisation it
concerns (to every aggregator when it concerns none in particular)."""

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import buyer_notices, domain
from services.notification.projections import organisation_of_offering
from services.notification.queueing import enqueue_all
from services.notification.store import dead_letters, offerings, order_lines, recipients
from shared.store import UnitOfWork, insert_new


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _organisation_of_message(session: Session, body) -> str | None:
    """Whose business a dead letter is, from what its payload names: an organisation, a producer, an offering, or
    the order it is correlated with."""
    if not isinstance(body, dict):
        return None
    payload = body["payload"] if isinstance(body.get("payload"), dict) else {}
    if payload.get("organisation_id"):
        return payload["organisation_id"]
    if payload.get("offering_id"):
        found = organisation_of_offering(session, payload["offering_id"])
        if found:
            return found
    if payload.get("producer_id"):
        found = session.execute(
            select(recipients.c.organisation_id).where(recipients.c.recipient_id == payload["producer_id"])
        ).scalar()
        if found:
            return found
    order_id = payload.get("order_id") or body.get("correlation_id")
    return session.execute(
        select(offerings.c.organisation_id)
        .join(order_lines, order_lines.c.offering_id == offerings.c.offering_id)
        .where(order_lines.c.order_id == order_id)
        .limit(1)
    ).scalar()


def record_dead_letter(uow: UnitOfWork, body, headers: dict) -> None:
    """A copy of every dead-lettered message; the same copy delivered twice is recorded once."""
    session = uow.session
    queue = str(headers.get("x-bilum-queue", ""))
    parked_at = str(headers.get("x-bilum-dead-lettered-at", ""))
    letter_key = hashlib.sha256(json.dumps([queue, parked_at, body], sort_keys=True, default=str).encode()).hexdigest()
    try:
        parked = datetime.fromisoformat(parked_at).astimezone(timezone.utc)
    except ValueError:
        parked = _now()
    insert_new(
        session,
        dead_letters,
        dict(
            letter_key=letter_key,
            service=str(headers.get("x-bilum-service", "unknown")),
            queue=queue,
            event_type=str(headers.get("x-bilum-event-type", "unknown")),
            reason=str(headers.get("x-bilum-reason", "")),
            organisation_id=_organisation_of_message(session, body),
            parked_at=parked,
        ),
    )


def alert_dead_letters(uow: UnitOfWork, now: datetime) -> list[str]:
    """One message per organisation and service for the letters seen since the last; letters that concern no
    organisation in particular go to every aggregator."""
    session = uow.session
    rows = session.execute(
        select(dead_letters)
        .where(dead_letters.c.alerted.is_(False))
        .order_by(dead_letters.c.id)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    everyone = (
        session.execute(select(recipients.c.recipient_id).where(recipients.c.kind == domain.AGGREGATOR)).scalars().all()
    )
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row.organisation_id, row.service), []).append(row.id)
    notices = [
        buyer_notices.dead_letters(organisation_id, service, len(ids), ids[0])
        for (owner, service), ids in sorted(groups.items(), key=lambda item: item[1][0])
        for organisation_id in ([owner] if owner else everyone)
    ]
    session.execute(update(dead_letters).where(dead_letters.c.id.in_([row.id for row in rows])).values(alerted=True))
    return enqueue_all(session, notices, now)
