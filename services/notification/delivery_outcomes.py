"""What became of each attempt to deliver: a sent message is done; a failed one is tried again later, on another
channel, or given up (and the organisation told of a producer it cannot reach), by the retry policy."""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timezone

from prometheus_client import Counter
from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from services.notification import domain, retries
from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.provider_reports import EXPIRED, FAILED, PENDING
from services.notification.store import channel_failures, deliveries, delivery_attempts
from shared.events import new_event
from shared.store import Database, insert_new

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


ATTEMPTS = Counter(
    "bilum_notification_attempts_total",
    "Attempts to deliver a notification, by outcome",
    ["channel", "transport", "outcome"],
)


@dataclass(frozen=True)
class Job:
    """One message claimed to be sent, with everything needed to send it and to record the outcome."""

    notification_id: str
    recipient_id: str
    channel: str
    address: str
    transport: str
    sender: Channel
    message: Outgoing
    max_failures: int


def count_failure(session: Session, recipient_id: str, channel: str, now: datetime) -> int:
    if not insert_new(
        session, channel_failures, dict(recipient_id=recipient_id, channel=channel, consecutive=1, updated_at=now)
    ):
        session.execute(
            update(channel_failures)
            .where(channel_failures.c.recipient_id == recipient_id, channel_failures.c.channel == channel)
            .values(consecutive=channel_failures.c.consecutive + 1, updated_at=now)
        )
    return session.execute(
        select(channel_failures.c.consecutive).where(
            channel_failures.c.recipient_id == recipient_id, channel_failures.c.channel == channel
        )
    ).scalar_one()


NOT_DELIVERED = (FAILED, EXPIRED)


def try_another_channel(session: Session, row, status: str, detail: str, now: datetime) -> None:
    """The provider reports that the message did not reach her phone: the channel failed. A reply to her own SMS has
    nowhere else to go; anything else is planned again without this channel (or, with none left, her organisation is
    told she cannot be reached)."""
    count_failure(session, row.recipient_id, row.channel, now)
    error = f"not delivered to the phone ({status}{': ' + detail if detail else ''})"[:300]
    if row.forced_channel:
        changes: dict = {"status": domain.FAILED, "next_attempt_at": None}
    else:
        given_up = list(row.given_up_channels or ()) + [row.channel]
        changes = {"status": domain.RETRYING, "next_attempt_at": now, "given_up_channels": given_up}
    session.execute(
        update(deliveries)
        .where(deliveries.c.notification_id == row.notification_id)
        .values(last_error=error, **changes)
    )
    log.warning(
        "message not delivered to the phone",
        extra={
            "notification_id": row.notification_id,
            "correlation_id": row.correlation_id,
            "channel": row.channel,
            "status": status,
            "next": changes["status"],
        },
    )


def _apply_early_failures(session: Session, notification_ids: list[str], now: datetime) -> None:
    """Messages just recorded as sent whose failure report arrived before that record: on to the next channel."""
    for row in session.execute(
        select(deliveries).where(
            deliveries.c.notification_id.in_(notification_ids),
            deliveries.c.status == domain.SENT,
            deliveries.c.handset_status.in_(NOT_DELIVERED),
        )
    ):
        try_another_channel(session, row, row.handset_status, row.handset_detail or "", now)


def settle(session: Session, row, **changes) -> None:
    session.execute(update(deliveries).where(deliveries.c.notification_id == row.notification_id).values(**changes))


def _record_failure(
    db: Database, job: Job, delivery: Delivery, policy: retries.RetryPolicy, rng: random.Random
) -> None:
    """A failed attempt: counted against the channel, and retried later, on another channel, or given up."""
    now = delivery.attempted_at
    ATTEMPTS.labels(job.channel, job.transport, "retryable" if delivery.retryable else "refused").inc()
    with db.transaction() as uow:
        session = uow.session
        row = session.execute(
            select(deliveries).where(deliveries.c.notification_id == job.notification_id).with_for_update()
        ).one()
        attempts = row.attempts + 1
        session.execute(
            delivery_attempts.insert().values(
                notification_id=job.notification_id,
                number=attempts,
                channel=job.channel,
                transport=job.transport,
                address=job.address,
                ok=False,
                error=delivery.error,
                provider_id=delivery.provider_id,
                attempted_at=now,
            )
        )
        failures = count_failure(session, job.recipient_id, job.channel, now)
        step = retries.after_failure(policy, attempts, delivery.retryable, failures, job.max_failures, now, rng)
        status = domain.FAILED if step.give_up_channel and row.forced_channel else step.status
        given_up = list(row.given_up_channels or ()) + ([job.channel] if step.give_up_channel else [])
        session.execute(
            update(deliveries)
            .where(deliveries.c.notification_id == job.notification_id)
            .values(
                status=status,
                attempts=attempts,
                next_attempt_at=step.at if status != domain.FAILED else None,
                last_error=delivery.error,
                given_up_channels=given_up,
            )
        )
    log.warning(
        "delivery attempt failed",
        extra={
            "notification_id": job.notification_id,
            "channel": job.channel,
            "transport": job.transport,
            "attempt": attempts,
            "error": delivery.error,
            "status": status,
        },
    )


def record_all(
    db: Database, outcomes: list[tuple[Job, Delivery]], policy: retries.RetryPolicy, rng: random.Random
) -> None:
    """Record the outcome of each attempt: the sent ones together in one transaction of a few statements (a burst
    of offers is twenty messages at once), each failed one in its own."""
    for job, delivery in outcomes:
        if not delivery.ok:
            _record_failure(db, job, delivery, policy, rng)
    sent = [(job, delivery) for job, delivery in outcomes if delivery.ok]
    if not sent:
        return
    with db.transaction() as uow:
        session = uow.session
        rows = {
            row.notification_id: row
            for row in session.execute(
                select(
                    deliveries.c.notification_id,
                    deliveries.c.attempts,
                    deliveries.c.template,
                    deliveries.c.correlation_id,
                )
                .where(deliveries.c.notification_id.in_([job.notification_id for job, _ in sent]))
                .order_by(deliveries.c.notification_id)
                .with_for_update()
            )
        }
        session.execute(
            delivery_attempts.insert(),
            [
                dict(
                    notification_id=job.notification_id,
                    number=rows[job.notification_id].attempts + 1,
                    channel=job.channel,
                    transport=job.transport,
                    address=job.address,
                    ok=True,
                    error=None,
                    provider_id=delivery.provider_id,
                    attempted_at=delivery.attempted_at,
                )
                for job, delivery in sent
            ],
        )
        sent_at = bindparam("b_sent_at", type_=deliveries.c.sent_at.type)
        reported_since_sent = deliveries.c.handset_reported_at >= sent_at
        session.execute(
            update(deliveries)
            .where(deliveries.c.notification_id == bindparam("b_id"))
            .values(
                status=domain.SENT,
                attempts=bindparam("b_attempts"),
                sent_at=sent_at,
                next_attempt_at=None,
                last_error=None,
                provider_id=bindparam("b_provider_id"),
                # A report that arrived before this record (Kannel's come within milliseconds) is kept.
                handset_status=case(
                    (reported_since_sent, deliveries.c.handset_status), else_=bindparam("b_handset_status")
                ),
                handset_detail=case((reported_since_sent, deliveries.c.handset_detail), else_=None),
                handset_reported_at=case((reported_since_sent, deliveries.c.handset_reported_at), else_=None),
            ),
            [
                {
                    "b_id": job.notification_id,
                    "b_attempts": rows[job.notification_id].attempts + 1,
                    "b_sent_at": delivery.attempted_at,
                    "b_provider_id": delivery.provider_id,
                    "b_handset_status": PENDING if job.sender.reports_delivery else None,
                }
                for job, delivery in sent
            ],
        )
        session.execute(
            update(channel_failures)
            .where(
                channel_failures.c.recipient_id == bindparam("b_recipient"),
                channel_failures.c.channel == bindparam("b_channel"),
                channel_failures.c.consecutive != 0,
            )
            .values(consecutive=0, updated_at=bindparam("b_now")),
            [
                {"b_recipient": recipient_id, "b_channel": channel, "b_now": now}
                for recipient_id, channel, now in sorted(
                    {(job.recipient_id, job.channel, delivery.attempted_at) for job, delivery in sent}
                )
            ],
        )
        _apply_early_failures(session, sorted(rows), _now())
        uow.emit_all(
            [
                new_event(
                    "notification.sent",
                    {
                        "notification_id": job.notification_id,
                        "recipient_id": job.recipient_id,
                        "channel": job.channel,
                        "transport": job.transport,
                        "address": job.address,
                        "template": rows[job.notification_id].template,
                    },
                    correlation_id=rows[job.notification_id].correlation_id,
                )
                for job, _ in sent
            ]
        )
    for job, _ in sent:
        ATTEMPTS.labels(job.channel, job.transport, "sent").inc()
