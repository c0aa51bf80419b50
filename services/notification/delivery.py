"""The delivery log is also the queue of messages to send.

A notice becomes a row under its unique key (a duplicate is dropped there), rendered in the recipient's language.
Rows that are due are claimed, planned by the recipient's preferences (channel, quiet hours, digest, fallback), sent
outside any transaction, and every attempt is recorded with its outcome. Claiming moves a row's next attempt a lease
into the future, with ``SKIP LOCKED`` so that replicas share the work; a process that dies between the send and the
record leaves the row to be taken again when the lease ends. The message may then go out twice, which is why each
carries its notification id as the reference that SMS providers and webhook subscribers de-duplicate on.
"""
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import domain, templates
from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.preferences import DEFER, DIGEST, SEND, Contact, Preferences, plan_delivery
from services.notification.schemas import LogQuery
from services.notification.store import channel_failures, deliveries, delivery_attempts, recipients
from services.notification.transports import Transports
from shared.errors import load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import Database, insert_new, page_of, paged

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 50

ATTEMPTS = Counter("bilum_notification_attempts_total", "Attempts to deliver a notification, by outcome",
                   ["channel", "transport", "outcome"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Addressee:
    recipient: domain.Recipient
    preferences: Preferences
    webhook_secret: str | None


def addressee(session: Session, recipient_id: str) -> Addressee | None:
    row = session.execute(select(recipients).where(recipients.c.recipient_id == recipient_id)).one_or_none()
    if row is None:
        return None
    # A webhook is only ever sent signed: without a secret the URL is no address.
    contact = Contact(mobile=row.mobile, email=row.email,
                      webhook_url=row.webhook_url if row.webhook_secret else None)
    recipient = domain.Recipient(row.recipient_id, row.kind, row.name, tuple(row.languages or ()), contact,
                                 row.organisation_id, row.timezone)
    return Addressee(recipient, domain.preferences_of(row.kind, row.preferences, row.timezone), row.webhook_secret)


def _json_safe(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def enqueue(session: Session, notice: domain.Notice, recipient: domain.Recipient | None, now: datetime,
            forced: tuple[str, str] | None = None) -> str | None:
    """Store a notice, rendered for its recipient, to be sent; None when the same notice was stored before.

    ``forced`` is ``(channel, address)`` for a message that must go one way only: the answer to an SMS goes back to
    the number it came from, even from a number no recipient has."""
    values = dict(notice.values)
    if "name" in templates.FIELDS[notice.kind]:
        values["name"] = recipient.name
    languages = recipient.languages if recipient else ()
    rendered = templates.render(notice.kind, languages, zone=recipient.timezone if recipient else None, **values)
    notification_id = new_id("ntf")
    channel, address = forced or (None, None)
    created = insert_new(session, deliveries, dict(
        notification_id=notification_id, dedupe_key=notice.key, recipient_id=notice.recipient_id,
        correlation_id=notice.correlation_id, template=notice.kind, ref=notice.ref, language=rendered.language,
        subject=rendered.subject, body=rendered.text, sms_text=rendered.sms_text,
        data=_json_safe({**notice.values, "recipient_id": notice.recipient_id,
                         "correlation_id": notice.correlation_id}),
        forced_channel=channel, channel=channel, address=address, status=domain.PENDING, attempts=0,
        next_attempt_at=now, deadline=notice.deadline, given_up_channels=[], created_at=now))
    if not created:
        log.info("notice already stored", extra={"kind": notice.kind, "recipient_id": notice.recipient_id,
                                                 "key": notice.key})
        return None
    return notification_id


def enqueue_all(session: Session, notices: Iterable[domain.Notice], now: datetime) -> list[str]:
    """Notices for aggregators without a contact are dropped (nobody to tell); a producer or buyer not known here
    yet is an error, so that the event is tried again once their own event has arrived."""
    created = []
    for notice in notices:
        found = addressee(session, notice.recipient_id)
        if found is None:
            if notice.kind.startswith("aggregator_"):
                log.warning("no contact for this organisation: message dropped",
                            extra={"organisation_id": notice.recipient_id, "kind": notice.kind})
                continue
            raise LookupError(f"recipient {notice.recipient_id} is not known here yet")
        notification_id = enqueue(session, notice, found.recipient, now)
        if notification_id:
            created.append(notification_id)
    return created


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


def _consecutive_failures(session: Session, recipient_id: str) -> dict[str, int]:
    return dict(session.execute(select(channel_failures.c.channel, channel_failures.c.consecutive)
                                .where(channel_failures.c.recipient_id == recipient_id)).all())


def _count_failure(session: Session, recipient_id: str, channel: str, now: datetime) -> int:
    if not insert_new(session, channel_failures, dict(recipient_id=recipient_id, channel=channel, consecutive=1,
                                                      updated_at=now)):
        session.execute(update(channel_failures).where(channel_failures.c.recipient_id == recipient_id,
                                                       channel_failures.c.channel == channel)
                        .values(consecutive=channel_failures.c.consecutive + 1, updated_at=now))
    return session.execute(select(channel_failures.c.consecutive).where(
        channel_failures.c.recipient_id == recipient_id, channel_failures.c.channel == channel)).scalar_one()


def _reset_failures(session: Session, recipient_id: str, channel: str, now: datetime) -> None:
    session.execute(update(channel_failures).where(channel_failures.c.recipient_id == recipient_id,
                                                   channel_failures.c.channel == channel)
                    .values(consecutive=0, updated_at=now))


def _outgoing(row) -> Outgoing:
    return Outgoing(reference=row.notification_id, kind=row.template, subject=row.subject, text=row.body,
                    sms_text=row.sms_text, data=row.data or {})


def _settle(session: Session, row, **changes) -> None:
    session.execute(update(deliveries).where(deliveries.c.notification_id == row.notification_id).values(**changes))


def _lease(session: Session, row, now: datetime, job: _Job) -> _Job:
    _settle(session, row, next_attempt_at=now + LEASE, channel=job.channel, address=job.address,
            transport=job.transport)
    return job


def _plan(session: Session, transports: Transports, policy: domain.RetryPolicy, row, now: datetime,
          created: list) -> _Job | None:
    """Decide what becomes of one due row: a job when it is to be sent now, else the row's new state."""
    if row.forced_channel:
        # One channel only: no fallback, so its failures count only towards the attempts.
        transport, sender = transports.for_channel(row.forced_channel)
        return _lease(session, row, now, _Job(row.notification_id, row.recipient_id, row.forced_channel,
                                              row.address, transport, sender, _outgoing(row),
                                              max_failures=policy.max_attempts + 1))
    found = addressee(session, row.recipient_id)
    if found is None:
        return _settle(session, row, status=domain.FAILED, next_attempt_at=None,
                       last_error="recipient no longer known")
    failures = domain.failures_for(_consecutive_failures(session, row.recipient_id), row.given_up_channels or (),
                                   found.preferences.max_failures)
    plan = plan_delivery(found.preferences, found.recipient.contact, row.template, now, failures, row.deadline)
    if plan.action == SEND:
        transport, sender = transports.for_channel(plan.channel, found.webhook_secret)
        return _lease(session, row, now, _Job(row.notification_id, row.recipient_id, plan.channel, plan.address,
                                              transport, sender, _outgoing(row), found.preferences.max_failures))
    if plan.action == DEFER:
        return _settle(session, row, status=domain.DEFERRED, next_attempt_at=plan.send_at, channel=plan.channel,
                       address=plan.address)
    if plan.action == DIGEST:
        return _settle(session, row, status=domain.DIGEST, next_attempt_at=None)
    log.warning("recipient unreachable", extra={"recipient_id": row.recipient_id, "kind": row.template,
                                                "reason": plan.reason})
    if found.recipient.kind == domain.PRODUCER and row.ref:
        created.extend(enqueue_all(session, domain.unreachable(row.notification_id, found.recipient, row.ref,
                                                               row.correlation_id), now))
    return _settle(session, row, status=domain.UNREACHABLE, next_attempt_at=None, last_error=plan.reason)


def claim(db: Database, transports: Transports, policy: domain.RetryPolicy, now: datetime,
          ids: list[str] | None = None) -> tuple[list[_Job], list[str]]:
    """The due rows (of ``ids`` only, when given) planned: those to send now, and the ids of messages created on the
    way (an aggregator told that a producer cannot be reached)."""
    created: list[str] = []
    with db.transaction() as session:
        query = select(deliveries).where(deliveries.c.status.in_(domain.WAITING),
                                         deliveries.c.next_attempt_at <= now)
        if ids is not None:
            query = query.where(deliveries.c.notification_id.in_(ids))
        rows = session.execute(query.order_by(deliveries.c.next_attempt_at).limit(BATCH)
                               .with_for_update(skip_locked=True)).all()
        jobs = [job for row in rows if (job := _plan(session, transports, policy, row, now, created))]
    return jobs, created


def record(db: Database, job: _Job, delivery: Delivery, policy: domain.RetryPolicy, rng: random.Random) -> None:
    now = delivery.attempted_at
    outcome = "sent" if delivery.ok else ("retryable" if delivery.retryable else "refused")
    ATTEMPTS.labels(job.channel, job.transport, outcome).inc()
    with db.transaction() as session:
        row = session.execute(select(deliveries).where(deliveries.c.notification_id == job.notification_id)
                              .with_for_update()).one()
        attempts = row.attempts + 1
        session.execute(delivery_attempts.insert().values(
            notification_id=job.notification_id, number=attempts, channel=job.channel, transport=job.transport,
            address=job.address, ok=delivery.ok, error=delivery.error, provider_id=delivery.provider_id,
            attempted_at=now))
        if delivery.ok:
            session.execute(update(deliveries).where(deliveries.c.notification_id == job.notification_id).values(
                status=domain.SENT, attempts=attempts, sent_at=now, next_attempt_at=None, last_error=None,
                provider_id=delivery.provider_id))
            _reset_failures(session, job.recipient_id, job.channel, now)
            db.emit(session, new_event("notification.sent", {
                "notification_id": job.notification_id, "recipient_id": job.recipient_id, "channel": job.channel,
                "transport": job.transport, "address": job.address, "template": row.template},
                correlation_id=row.correlation_id))
            return
        failures = _count_failure(session, job.recipient_id, job.channel, now)
        step = domain.after_failure(policy, attempts, delivery.retryable, failures, job.max_failures, now, rng)
        status = domain.FAILED if step.give_up_channel and row.forced_channel else step.status
        given_up = list(row.given_up_channels or ()) + ([job.channel] if step.give_up_channel else [])
        session.execute(update(deliveries).where(deliveries.c.notification_id == job.notification_id).values(
            status=status, attempts=attempts, next_attempt_at=step.at if status != domain.FAILED else None,
            last_error=delivery.error, given_up_channels=given_up))
    log.warning("delivery attempt failed", extra={"notification_id": job.notification_id, "channel": job.channel,
                                                  "transport": job.transport, "attempt": attempts,
                                                  "error": delivery.error, "status": status})


def send_due(db: Database, transports: Transports, policy: domain.RetryPolicy, rng: random.Random,
             ids: list[str] | None = None) -> int:
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
        for job in jobs:
            record(db, job, job.sender.send(job.address, job.message), policy, rng)
        attempts += len(jobs)


def view(row, attempts: list) -> dict:
    return {"id": row.notification_id, "recipient_id": row.recipient_id, "correlation_id": row.correlation_id,
            "template": row.template, "ref": row.ref, "language": row.language, "channel": row.channel,
            "transport": row.transport, "address": row.address, "subject": row.subject,
            "text": row.sms_text if row.channel == "sms" else row.body, "data": row.data or {},
            "status": row.status, "attempts": attempts, "last_error": row.last_error,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
            "created_at": row.created_at.isoformat(), "sent_at": row.sent_at.isoformat() if row.sent_at else None}


def delivery_log(session: Session, query: dict) -> dict:
    """Every message with every attempt, newest first."""
    filters = load_or_refuse(LogQuery(), query, "query")
    page, page_size = filters.pop("page"), filters.pop("page_size")
    organisation_id = filters.pop("organisation_id", None)
    conditions = [deliveries.c[name] == value for name, value in filters.items()]
    if organisation_id is not None:
        conditions.append(deliveries.c.recipient_id.in_(select(recipients.c.recipient_id)
                                                         .where(recipients.c.organisation_id == organisation_id)))
    rows, total = page_of(session, deliveries, conditions,
                          (deliveries.c.created_at.desc(), deliveries.c.notification_id), page, page_size)
    attempts: dict[str, list] = {}
    for attempt in session.execute(select(delivery_attempts).where(
            delivery_attempts.c.notification_id.in_([row.notification_id for row in rows]))
            .order_by(delivery_attempts.c.number)):
        attempts.setdefault(attempt.notification_id, []).append({
            "number": attempt.number, "channel": attempt.channel, "transport": attempt.transport,
            "address": attempt.address, "ok": attempt.ok, "error": attempt.error,
            "provider_id": attempt.provider_id, "attempted_at": attempt.attempted_at.isoformat()})
    return paged([view(row, attempts.get(row.notification_id, [])) for row in rows], page, page_size, total)
