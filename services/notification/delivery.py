"""The delivery log is also the queue of messages to send (``queueing`` stores them).

Rows that are due are claimed, planned by the recipient's preferences (channel, quiet hours, digest, fallback), sent
outside any transaction, and every attempt is recorded with its outcome. Claiming moves a row's next attempt a lease
into the future, with ``SKIP LOCKED`` so that replicas share the work; a process that dies between the send and the
record leaves the row to be taken again when the lease ends. The message may then go out twice, which is why each
carries its notification id as the reference that SMS providers and webhook subscribers de-duplicate on.
"""

import logging
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.notification import domain, retries
from services.notification.channels import Outgoing
from services.notification.delivery_outcomes import Job, record_all, settle
from services.notification.preferences import DEFER, DIGEST, SEND, plan_delivery
from services.notification.queueing import Addressee, addressees, enqueue_all
from services.notification.store import channel_failures, deliveries
from services.notification.transports import Transports
from shared.store import Database

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 50


def _now() -> datetime:
    return datetime.now(timezone.utc)


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


def _outgoing(row) -> Outgoing:
    return Outgoing(
        reference=row.notification_id,
        kind=row.template,
        subject=row.subject,
        text=row.body,
        sms_text=row.sms_text,
        data=row.data or {},
    )


def _lease_all(session: Session, jobs: list[Job], now: datetime) -> None:
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
) -> Job | None:
    """Decide what becomes of one due row: a job when it is to be sent now (the caller leases it), else the row's
    new state. ``known`` and ``failures_by_recipient`` are the recipients and channel failures of the rows due."""
    if row.forced_channel:
        # One channel only: no fallback, so its failures count only towards the attempts.
        transport, sender = transports.for_channel(row.forced_channel)
        return Job(
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
        settle(session, row, status=domain.FAILED, next_attempt_at=None, last_error="recipient no longer known")
        return None
    failures = retries.failures_for(
        failures_by_recipient.get(row.recipient_id, {}), row.given_up_channels or (), found.preferences.max_failures
    )
    plan = plan_delivery(found.preferences, found.recipient.contact, row.template, now, failures, row.deadline)
    if plan.action == SEND:
        transport, sender = transports.for_channel(plan.channel, found.webhook_secret)
        return Job(
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
        settle(
            session,
            row,
            status=domain.DEFERRED,
            next_attempt_at=plan.send_at,
            channel=plan.channel,
            address=plan.address,
        )
        return None
    if plan.action == DIGEST:
        settle(session, row, status=domain.DIGEST, next_attempt_at=None)
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
    settle(session, row, status=domain.UNREACHABLE, next_attempt_at=None, last_error=plan.reason)
    return None


def claim(
    db: Database, transports: Transports, policy: retries.RetryPolicy, now: datetime, ids: list[str] | None = None
) -> tuple[list[Job], list[str]]:
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
