"""The delivery log as the API shows it: every message with every attempt, newest first."""

from sqlalchemy import select

from services.notification.schemas import LogQuery
from services.notification.store import deliveries, delivery_attempts, recipients
from shared.errors import load_or_refuse
from shared.store import UnitOfWork, page_of, paged


def view(row, attempts: list) -> dict:
    return {
        "id": row.notification_id,
        "recipient_id": row.recipient_id,
        "correlation_id": row.correlation_id,
        "template": row.template,
        "ref": row.ref,
        "language": row.language,
        "channel": row.channel,
        "transport": row.transport,
        "address": row.address,
        "subject": row.subject,
        "text": row.sms_text if row.channel == "sms" else row.body,
        "data": row.data or {},
        "status": row.status,
        "attempts": attempts,
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


def delivery_log(uow: UnitOfWork, query: dict) -> dict:
    """Every message with every attempt, newest first."""
    session = uow.session
    filters = load_or_refuse(LogQuery(), query, "query")
    page, page_size = filters.pop("page"), filters.pop("page_size")
    organisation_id = filters.pop("organisation_id", None)
    conditions = [deliveries.c[name] == value for name, value in filters.items()]
    if organisation_id is not None:
        conditions.append(
            deliveries.c.recipient_id.in_(
                select(recipients.c.recipient_id).where(recipients.c.organisation_id == organisation_id)
            )
        )
    rows, total = page_of(
        session, deliveries, conditions, (deliveries.c.created_at.desc(), deliveries.c.notification_id), page, page_size
    )
    attempts: dict[str, list] = {}
    for attempt in session.execute(
        select(delivery_attempts)
        .where(delivery_attempts.c.notification_id.in_([row.notification_id for row in rows]))
        .order_by(delivery_attempts.c.number)
    ):
        attempts.setdefault(attempt.notification_id, []).append(
            {
                "number": attempt.number,
                "channel": attempt.channel,
                "transport": attempt.transport,
                "address": attempt.address,
                "ok": attempt.ok,
                "error": attempt.error,
                "provider_id": attempt.provider_id,
                "attempted_at": attempt.attempted_at.isoformat(),
            }
        )
    return paged([view(row, attempts.get(row.notification_id, [])) for row in rows], page, page_size, total)
