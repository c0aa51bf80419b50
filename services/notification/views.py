"""The delivery log as the API shows it: every message with every attempt, newest first; and per quota of an order,
whether its offer reached the producer."""

from sqlalchemy import select

from services.notification import domain
from services.notification.delivery_outcomes import NOT_DELIVERED
from services.notification.provider_reports import DELIVERED
from services.notification.schemas import LogQuery
from services.notification.store import deliveries, delivery_attempts, recipients
from shared.errors import load_or_refuse
from shared.store import UnitOfWork, page_of, paged


def _handset(row) -> dict | None:
    """What the SMS provider reported of her phone, for a message sent through one that reports."""
    if row.handset_status is None:
        return None
    return {
        "status": row.handset_status,
        "detail": row.handset_detail,
        "reported_at": row.handset_reported_at.isoformat() if row.handset_reported_at else None,
    }


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
        "handset": _handset(row),
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


OFFER_TEMPLATES = ("quota_offered",)


def _offer_state(row) -> str:
    """Whether an offer reached her: ``delivered`` (her phone confirmed it, or a channel that has no reports took
    it), ``not_delivered`` (her phone never got it, or no channel could reach her), else ``pending``."""
    if row.status in (domain.FAILED, domain.UNREACHABLE):
        return "not_delivered"
    if row.status != domain.SENT:
        return "pending"
    if row.handset_status in NOT_DELIVERED:
        return "not_delivered"
    return "delivered" if row.handset_status in (DELIVERED, None) else "pending"


def offer_deliveries(uow: UnitOfWork, order_id: str) -> dict:
    """Per quota of an order, whether its offer reached the producer: the aggregator's answer to "was she told?"."""
    rows = uow.session.execute(
        select(deliveries)
        .where(deliveries.c.correlation_id == order_id, deliveries.c.template.in_(OFFER_TEMPLATES))
        .order_by(deliveries.c.created_at)
    ).all()
    offers: dict[str, dict] = {}
    for row in rows:
        if not row.ref:
            continue
        offers[row.ref] = {
            "ref": row.ref,
            "state": _offer_state(row),
            "channel": row.channel,
            "transport": row.transport,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "handset": _handset(row),
            "last_error": row.last_error,
        }
    return {"order_id": order_id, "items": list(offers.values())}
