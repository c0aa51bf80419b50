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
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.notification import domain, templates
from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.preferences import DEFER, DIGEST, SEND, Contact, Preferences, plan_delivery
from services.notification.schemas import LogQuery
from services.notification.store import channel_failures, deliveries, delivery_attempts, recipients
from services.notification.transports import Transports
from shared.errors import NotYetKnown, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import Database, insert_new, insert_new_all, page_of, paged

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
    return None if row is None else _addressee_of(row)


def addressees(session: Session, recipient_ids) -> dict[str, Addressee]:
    """``addressee`` of many recipients in one query; those not known are left out."""
    return {row.recipient_id: _addressee_of(row) for row in session.execute(
        select(recipients).where(recipients.c.recipient_id.in_(set(recipient_ids))))}


def _addressee_of(row) -> Addressee:
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


def _delivery_row(notice: domain.Notice, recipient: domain.Recipient | None, now: datetime,
                  forced: tuple[str, str] | None = None) -> dict:
    """The delivery log row of a notice, rendered for its recipient."""
    values = dict(notice.values)
    if "name" in templates.FIELDS[notice.kind]:
        values["name"] = recipient.name
    languages = recipient.languages if recipient else ()
    rendered = templates.render(notice.kind, languages, zone=recipient.timezone if recipient else None, **values)
    channel, address = forced or (None, None)
    return dict(
        notification_id=new_id("ntf"), dedupe_key=notice.key, recipient_id=notice.recipient_id,
        correlation_id=notice.correlation_id, template=notice.kind, ref=notice.ref, language=rendered.language,
        subject=rendered.subject, body=rendered.text, sms_text=rendered.sms_text,
        data=_json_safe({**notice.values, "recipient_id": notice.recipient_id,
                         "correlation_id": notice.correlation_id}),
        forced_channel=channel, channel=channel, address=address, status=domain.PENDING, attempts=0,
        next_attempt_at=now, deadline=notice.deadline, given_up_channels=[], created_at=now)


def _already_stored(notice: domain.Notice) -> None:
    log.info("notice already stored", extra={"kind": notice.kind, "recipient_id": notice.recipient_id,
                                             "key": notice.key})


def enqueue(session: Session, notice: domain.Notice, recipient: domain.Recipient | None, now: datetime,
            forced: tuple[str, str] | None = None) -> str | None:
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
                log.warning("no contact for this organisation: message dropped",
                            extra={"organisation_id": notice.recipient_id, "kind": notice.kind})
                continue
            raise NotYetKnown(f"recipient {notice.recipient_id} is not known here yet")
        rows.append((notice, _delivery_row(notice, found.recipient, now)))
    created = set(insert_new_all(session, deliveries, [row for _, row in rows], deliveries.c.notification_id))
    for notice, row in rows:
        if row["notification_id"] not in created:
            _already_stored(notice)
    return [row["notification_id"] for _, row in rows if row["notification_id"] in created]


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
            select(channel_failures.c.recipient_id, channel_failures.c.channel, channel_failures.c.consecutive)
            .where(channel_failures.c.recipient_id.in_(set(recipient_ids)))):
        failures.setdefault(recipient_id, {})[channel] = consecutive
    return failures


def _count_failure(session: Session, recipient_id: str, channel: str, now: datetime) -> int:
    if not insert_new(session, channel_failures, dict(recipient_id=recipient_id, channel=channel, consecutive=1,
                                                      updated_at=now)):
        session.execute(update(channel_failures).where(channel_failures.c.recipient_id == recipient_id,
                                                       channel_failures.c.channel == channel)
                        .values(consecutive=channel_failures.c.consecutive + 1, updated_at=now))
    return session.execute(select(channel_failures.c.consecutive).where(
        channel_failures.c.recipient_id == recipient_id, channel_failures.c.channel == channel)).scalar_one()


def _outgoing(row) -> Outgoing:
    return Outgoing(reference=row.notification_id, kind=row.template, subject=row.subject, text=row.body,
                    sms_text=row.sms_text, data=row.data or {})


def _settle(session: Session, row, **changes) -> None:
    session.execute(update(deliveries).where(deliveries.c.notification_id == row.notification_id).values(**changes))


def _lease_all(session: Session, jobs: list[_Job], now: datetime) -> None:
    """Move the next attempt of the rows about to be sent a lease into the future, in one batch of updates."""
    if not jobs:
        return
    session.execute(update(deliveries).where(deliveries.c.notification_id == bindparam("b_id")).values(
        next_attempt_at=now + LEASE, channel=bindparam("b_channel"), address=bindparam("b_address"),
        transport=bindparam("b_transport")),
        [{"b_id": job.notification_id, "b_channel": job.channel, "b_address": job.address,
          "b_transport": job.transport} for job in jobs])


def _plan(session: Session, transports: Transports, policy: domain.RetryPolicy, row, now: datetime,
          created: list, known: dict[str, Addressee], failures_by_recipient: dict) -> _Job | None:
    """Decide what becomes of one due row: a job when it is to be sent now (the caller leases it), else the row's
    new state. ``known`` and ``failures_by_recipient`` are the recipients and channel failures of the rows due."""
    if row.forced_channel:
        # One channel only: no fallback, so its failures count only towards the attempts.
        transport, sender = transports.for_channel(row.forced_channel)
        return _Job(row.notification_id, row.recipient_id, row.forced_channel, row.address, transport, sender,
                    _outgoing(row), max_failures=policy.max_attempts + 1)
    found = known.get(row.recipient_id)
    if found is None:
        return _settle(session, row, status=domain.FAILED, next_attempt_at=None,
                       last_error="recipient no longer known")
    failures = domain.failures_for(failures_by_recipient.get(row.recipient_id, {}), row.given_up_channels or (),
                                   found.preferences.max_failures)
    plan = plan_delivery(found.preferences, found.recipient.contact, row.template, now, failures, row.deadline)
    if plan.action == SEND:
        transport, sender = transports.for_channel(plan.channel, found.webhook_secret)
        return _Job(row.notification_id, row.recipient_id, plan.channel, plan.address, transport, sender,
                    _outgoing(row), found.preferences.max_failures)
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
        recipient_ids = {row.recipient_id for row in rows}
        known, failures = addressees(session, recipient_ids), _failures_of(session, recipient_ids)
        jobs = [job for row in rows
                if (job := _plan(session, transports, policy, row, now, created, known, failures))]
        _lease_all(session, jobs, now)
    return jobs, created


def _record_failure(db: Database, job: _Job, delivery: Delivery, policy: domain.RetryPolicy,
                    rng: random.Random) -> None:
    """A failed attempt: counted against the channel, and retried later, on another channel, or given up."""
    now = delivery.attempted_at
    ATTEMPTS.labels(job.channel, job.transport, "retryable" if delivery.retryable else "refused").inc()
    with db.transaction() as session:
        row = session.execute(select(deliveries).where(deliveries.c.notification_id == job.notification_id)
                              .with_for_update()).one()
        attempts = row.attempts + 1
        session.execute(delivery_attempts.insert().values(
            notification_id=job.notification_id, number=attempts, channel=job.channel, transport=job.transport,
            address=job.address, ok=False, error=delivery.error, provider_id=delivery.provider_id,
            attempted_at=now))
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


def record_all(db: Database, outcomes: list[tuple[_Job, Delivery]], policy: domain.RetryPolicy,
               rng: random.Random) -> None:
    """Record the outcome of each attempt: the sent ones together in one transaction of a few statements (a burst
    of offers is twenty messages at once), each failed one in its own."""
    for job, delivery in outcomes:
        if not delivery.ok:
            _record_failure(db, job, delivery, policy, rng)
    sent = [(job, delivery) for job, delivery in outcomes if delivery.ok]
    if not sent:
        return
    with db.transaction() as session:
        rows = {row.notification_id: row for row in session.execute(
            select(deliveries.c.notification_id, deliveries.c.attempts, deliveries.c.template,
                   deliveries.c.correlation_id)
            .where(deliveries.c.notification_id.in_([job.notification_id for job, _ in sent]))
            .order_by(deliveries.c.notification_id).with_for_update())}
        session.execute(delivery_attempts.insert(), [dict(
            notification_id=job.notification_id, number=rows[job.notification_id].attempts + 1, channel=job.channel,
            transport=job.transport, address=job.address, ok=True, error=None, provider_id=delivery.provider_id,
            attempted_at=delivery.attempted_at) for job, delivery in sent])
        session.execute(update(deliveries).where(deliveries.c.notification_id == bindparam("b_id")).values(
            status=domain.SENT, attempts=bindparam("b_attempts"), sent_at=bindparam("b_sent_at"),
            next_attempt_at=None, last_error=None, provider_id=bindparam("b_provider_id")),
            [{"b_id": job.notification_id, "b_attempts": rows[job.notification_id].attempts + 1,
              "b_sent_at": delivery.attempted_at, "b_provider_id": delivery.provider_id} for job, delivery in sent])
        session.execute(update(channel_failures).where(
            channel_failures.c.recipient_id == bindparam("b_recipient"),
            channel_failures.c.channel == bindparam("b_channel"), channel_failures.c.consecutive != 0)
            .values(consecutive=0, updated_at=bindparam("b_now")),
            [{"b_recipient": recipient_id, "b_channel": channel, "b_now": now}
             for recipient_id, channel, now in sorted({(job.recipient_id, job.channel, delivery.attempted_at)
                                                      for job, delivery in sent})])
        db.emit_all(session, [new_event("notification.sent", {
            "notification_id": job.notification_id, "recipient_id": job.recipient_id, "channel": job.channel,
            "transport": job.transport, "address": job.address, "template": rows[job.notification_id].template},
            correlation_id=rows[job.notification_id].correlation_id) for job, _ in sent])
    for job, _ in sent:
        ATTEMPTS.labels(job.channel, job.transport, "sent").inc()


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
        outcomes = [(job, job.sender.send(job.address, job.message)) for job in jobs]
        record_all(db, outcomes, policy, rng)
        attempts += len(jobs)
        if ids is not None and len(ids) <= BATCH and not created and all(delivery.ok for _, delivery in outcomes):
            # The one look covered every id asked for, all went out and nothing new came of it: a second look
            # would find nothing.
            return attempts


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
