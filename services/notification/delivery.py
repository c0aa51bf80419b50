"""The delivery log is also the queue of messages to send (``queueing`` stores them).

Rows that are due are claimed, planned by the recipient's preferences (channel, quiet hours, digest, fallback), sent
outside any transaction, and every attempt is recorded with its outcome. Claiming moves a row's next attempt a lease
into the future, with ``SKIP LOCKED`` so that replicas share the work; a process that dies between the send and the
record leaves the row to be taken again when the lease ends. The message may then go out twice, which is why each
carries its notification id as the reference that SMS providers and webhook subscribers de-duplicate on.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from prometheus_client import Counter
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.notification import domain, retries
from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.preferences import DEFER, DIGEST, SEND, plan_delivery
from services.notification.queueing import Addressee, addressees, enqueue_all
from services.notification.store import channel_failures, deliveries, delivery_attempts
from services.notification.transports import Transports
from shared.events import new_event
from shared.store import Database, insert_new

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 50

ATTEMPTS = Counter(
    "bilum_notification_attempts_total",
    "Attempts to deliver a notification, by outcome",
    ["channel", "transport", "outcome"],
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class _Job:
    notification_id: str
    recipient_id: str
    channel: str
    address: str
    transport: str
    sender: Channel
    message: Outgoing
    max_failures: int


def _failures_of(session: Session, recipient_ids) -> dict[str, dict[str, int]]:
    """Per recipient, the consecutive failures of each channel, in one query."""
    failures: dict[str, dict[str, int]] = {}
    for recipient_id, channel, consecutive in session.execute(
        select(channel_failures.c.recipient_id, channel_failures.c.channel, channel_failures.c.consecutive).where(
            channel_failures.c.recipient_id.in_(set(recipient_ids))
        )
    ):
        failures.setdefault(recipient_id, {})[channel] = consecutive
    return failures


def _count_failure(session: Session, recipient_id: str, channel: str, now: datetime) -> int:
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


def _outgoing(row) -> Outgoing:
    return Outgoing(
        reference=row.notification_id,
        kind=row.template,
        subject=row.subject,
        text=row.body,
        sms_text=row.sms_text,
        data=row.data or {},
    )


def _settle(session: Session, row, **changes) -> None:
    session.execute(update(deliveries).where(deliveries.c.notification_id == row.notification_id).values(**changes))


def _lease_all(session: Session, jobs: list[_Job], now: datetime) -> None:
    """Move the next attempt of the rows about to be sent a lease into the future, in one batch of updates."""
    if not jobs:
        return
    session.execute(
        update(deliveries)
        .where(deliveries.c.notification_id == bindparam("b_id"))
        .values(
            next_attempt_at=now + LEASE,
            channel=bindparam("b_channel"),
            address=bindparam("b_address"),
            transport=bindparam("b_transport"),
        ),
        [
            {
                "b_id": job.notification_id,
                "b_channel": job.channel,
                "b_address": job.address,
                "b_transport": job.transport,
            }
            for job in jobs
        ],
    )


def _plan(
    session: Session,
    transports: Transports,
    policy: retries.RetryPolicy,
    row,
    now: datetime,
    created: list,
    known: dict[str, Addressee],
    failures_by_recipient: dict,
) -> _Job | None:
    """Decide what becomes of one due row: a job when it is to be sent now (the caller leases it), else the row's
    new state. ``known`` and ``failures_by_recipient`` are the recipients and channel failures of the rows due."""
    if row.forced_channel:
        # One channel only: no fallback, so its failures count only towards the attempts.
        transport, sender = transports.for_channel(row.forced_channel)
        return _Job(
            row.notification_id,
            row.recipient_id,
            row.forced_channel,
            row.address,
            transport,
            sender,
            _outgoing(row),
            max_failures=policy.max_attempts + 1,
        )
    found = known.get(row.recipient_id)
    if found is None:
        _settle(session, row, status=domain.FAILED, next_attempt_at=None, last_error="recipient no longer known")
        return None
    failures = retries.failures_for(
        failures_by_recipient.get(row.recipient_id, {}), row.given_up_channels or (), found.preferences.max_failures
    )
    plan = plan_delivery(found.preferences, found.recipient.contact, row.template, now, failures, row.deadline)
    if plan.action == SEND:
        transport, sender = transports.for_channel(plan.channel, found.webhook_secret)
        return _Job(
            row.notification_id,
            row.recipient_id,
            plan.channel,
            plan.address,
            transport,
            sender,
            _outgoing(row),
            found.preferences.max_failures,
        )
    if plan.action == DEFER:
        _settle(
            session,
            row,
            status=domain.DEFERRED,
            next_attempt_at=plan.send_at,
            channel=plan.channel,
            address=plan.address,
        )
        return None
    if plan.action == DIGEST:
        _settle(session, row, status=domain.DIGEST, next_attempt_at=None)
        return None
    log.warning(
        "recipient unreachable", extra={"recipient_id": row.recipient_id, "kind": row.template, "reason": plan.reason}
    )
    if found.recipient.kind == domain.PRODUCER and row.ref:
        created.extend(
            enqueue_all(
                session, domain.unreachable(row.notification_id, found.recipient, row.ref, row.correlation_id), now
            )
        )
    _settle(session, row, status=domain.UNREACHABLE, next_attempt_at=None, last_error=plan.reason)
    return None


def claim(
    db: Database, transports: Transports, policy: retries.RetryPolicy, now: datetime, ids: list[str] | None = None
) -> tuple[list[_Job], list[str]]:
    """The due rows (of ``ids`` only, when given) planned: those to send now, and the ids of messages created on the
    way (an aggregator told that a producer cannot be reached)."""
    created: list[str] = []
    with db.transaction() as uow:
        session = uow.session
        query = select(deliveries).where(deliveries.c.status.in_(domain.WAITING), deliveries.c.next_attempt_at <= now)
        if ids is not None:
            query = query.where(deliveries.c.notification_id.in_(ids))
        rows = session.execute(
            query.order_by(deliveries.c.next_attempt_at).limit(BATCH).with_for_update(skip_locked=True)
        ).all()
        recipient_ids = {row.recipient_id for row in rows}
        known, failures = addressees(session, recipient_ids), _failures_of(session, recipient_ids)
        jobs = [job for row in rows if (job := _plan(session, transports, policy, row, now, created, known, failures))]
        _lease_all(session, jobs, now)
    return jobs, created


def _record_failure(
    db: Database, job: _Job, delivery: Delivery, policy: retries.RetryPolicy, rng: random.Random
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
        failures = _count_failure(session, job.recipient_id, job.channel, now)
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
    db: Database, outcomes: list[tuple[_Job, Delivery]], policy: retries.RetryPolicy, rng: random.Random
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
        session.execute(
            update(deliveries)
            .where(deliveries.c.notification_id == bindparam("b_id"))
            .values(
                status=domain.SENT,
                attempts=bindparam("b_attempts"),
                sent_at=bindparam("b_sent_at"),
                next_attempt_at=None,
                last_error=None,
                provider_id=bindparam("b_provider_id"),
            ),
            [
                {
                    "b_id": job.notification_id,
                    "b_attempts": rows[job.notification_id].attempts + 1,
                    "b_sent_at": delivery.attempted_at,
                    "b_provider_id": delivery.provider_id,
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


def send_due(
    db: Database, transports: Transports, policy: retries.RetryPolicy, rng: random.Random, ids: list[str] | None = None
) -> int:
    """Send what is due now (of ``ids`` only, when given), following a fallback to the next channel at once, until
    nothing is due; the number of attempts made."""
    attempts = 0
    ids = list(ids) if ids is not None else None
    while True:
        jobs, created = claim(db, transports, policy, _now(), ids)
        if ids is not None:
            ids.extend(created)
        if not jobs and not created:
            return attempts
        outcomes = [(job, job.sender.send(job.address, job.message)) for job in jobs]
        record_all(db, outcomes, policy, rng)
        attempts += len(jobs)
        if ids is not None and len(ids) <= BATCH and not created and all(delivery.ok for _, delivery in outcomes):
            # The one look covered every id asked for, all went out and nothing new came of it: a second look
            # would find nothing.
            return attempts
