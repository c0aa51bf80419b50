"""SMS replies as actions: a producer answers an offer with YES, NO or DONE, and the aggregation service acts on it.
A top-up of an accepted quota is answered the same way, with the quota's own code: the aggregation service knows a
pending top-up is what YES and NO are about, and the acknowledgement says what she makes now.

The SMS provider calls us back with each message a producer sends: a JSON body ``{"message_id", "from", "text"}``
signed with the secret shared with the provider (HMAC-SHA256, in hex, of ``"{timestamp}.{body}"``; the gateway
passes the ``X-Sms-Timestamp`` and ``X-Sms-Signature`` headers). An unsigned, forged or stale callback is refused
and nothing happens. Each provider message id is handled once: a retried callback gets the first outcome back.

Only the producer who holds a quota can answer it: the sender's number must be that producer's. Every message is
answered by SMS in the sender's language: the confirmation, what was wrong and how to do it right, or the commands.
``BAL`` asks the settlement service for her balance (``balance.requested``); she is answered when it reports.
The aggregation call and the record of the message commit together; when aggregation does not answer in time,
nothing is recorded and the provider's retry of the callback tries again.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import domain, replies, sms
from services.notification.channels import verify_inbound
from services.notification.preferences import SMS
from services.notification.projections import product_name, quota_of
from services.notification.queueing import addressee, enqueue
from services.notification.schemas import InboundSms
from services.notification.store import inbound_messages, quotas, recipients
from shared.errors import InvalidInput, ServiceError, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import Database, UnitOfWork, insert_new

DECLINE_REASON = "declined by SMS"


class SignatureRefused(ServiceError):
    """The callback is not our SMS provider's: unsigned, forged, or outside the replay window."""


class ActionsUnavailable(ServiceError):
    """The aggregation service did not answer in time: nothing was recorded, the provider may call again."""


class ActionRefused(Exception):
    """The aggregation service refused the answer (``error_type`` is InvalidInput, NotFound or Conflict)."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


class QuotaDesk(Protocol):
    """The aggregation service's quota commands, raising ``ActionRefused`` or ``ActionsUnavailable``."""

    def accept(self, quota_id: str, quantity: int | None) -> dict: ...

    def decline(self, quota_id: str, reason: str) -> dict: ...

    def report(self, quota_id: str, quantity: int, client_ref: str) -> dict: ...


def authenticate(secret: str | None, timestamp: str | None, body: str, signature: str | None, now: datetime) -> None:
    """Without a configured secret no callback can be trusted, so every one is refused."""
    if not (secret and timestamp and signature and verify_inbound(secret, timestamp, body, signature, now)):
        raise SignatureRefused("the SMS callback's signature is missing, wrong or too old")


def read(body: str) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("inbound SMS refused", {"_schema": ["the body is not JSON"]}) from None
    return load_or_refuse(InboundSms(), data, "inbound SMS")


def _view(row, duplicate: bool) -> dict:
    return {"message_id": row.message_id, "outcome": row.outcome, "reply_id": row.reply_id, "duplicate": duplicate}


def _producer(session: Session, mobile: str) -> domain.Recipient | None:
    """The producer with this number; when a number moved from one producer to another, the newest snapshot."""
    producer_id = session.execute(
        select(recipients.c.recipient_id)
        .where(recipients.c.kind == domain.PRODUCER, recipients.c.mobile == mobile)
        .order_by(recipients.c.snapshot_at.desc())
        .limit(1)
    ).scalar()
    return addressee(session, producer_id).recipient if producer_id else None


def _act(
    uow: UnitOfWork, desk: QuotaDesk, producer: domain.Recipient, message_id: str, text: str
) -> tuple[str, str | None, str | None, domain.Notice | None]:
    """The outcome, the action and the quota reference understood, and the answer to send now (none for ``BAL``:
    settlement's report is the answer)."""
    session = uow.session
    key = f"sms/{message_id}"

    def answer(
        kind: str, values: dict | None = None, ref: str | None = None, correlation_id: str = producer.recipient_id
    ) -> domain.Notice:
        return domain.Notice(producer.recipient_id, kind, key, correlation_id, values or {}, ref=ref)

    try:
        reply = sms.parse_reply(text)
    except sms.ReplyError as error:
        return f"refused:{error.reason}", None, None, answer(error.template)
    if reply.action == sms.HELP:
        return "help", sms.HELP, None, answer("sms_help")
    if reply.action == sms.BALANCE:
        request = {"request_id": new_id("bal"), "producer_id": producer.recipient_id}
        uow.emit(new_event("balance.requested", request, correlation_id=producer.recipient_id))
        return "balance_requested", sms.BALANCE, None, None
    row = session.execute(
        select(quotas).where(quotas.c.ref == reply.quota_ref, quotas.c.producer_id == producer.recipient_id)
    ).one_or_none()
    if row is None:
        return "unknown_ref", reply.action, reply.quota_ref, answer("sms_error_bad_ref")
    quota = quota_of(row)
    product = product_name(session, quota.offering_id)
    actions: dict[str, Callable[[], dict]] = {
        sms.ACCEPT: lambda: desk.accept(quota.quota_id, reply.quantity),
        sms.DECLINE: lambda: desk.decline(quota.quota_id, DECLINE_REASON),
        sms.READY: lambda: desk.report(quota.quota_id, reply.quantity, key),
    }
    try:
        answered = actions[reply.action]()
    except ActionRefused as refused:
        kind, values = replies.refusal_reply(refused.error_type, reply.quantity, quota, product)
        return (
            f"refused:{refused.error_type}",
            reply.action,
            quota.ref,
            answer(kind, values, quota.ref, quota.order_id),
        )
    outcome = {sms.ACCEPT: "accepted", sms.DECLINE: "declined", sms.READY: "reported"}[reply.action]
    kind, values = replies.acknowledgement(reply.action, reply.quantity, quota, answered, product)
    return outcome, reply.action, quota.ref, answer(kind, values, quota.ref, quota.order_id)


def handle(uow: UnitOfWork, desk: QuotaDesk, message: dict, now: datetime) -> tuple[dict, list[str]]:
    """Act on one inbound SMS and store its answer; the result, and the ids of answers to send after commit."""
    session = uow.session
    claimed = insert_new(
        session,
        inbound_messages,
        dict(
            message_id=message["message_id"],
            sender=message["sender"],
            text=message["text"],
            received_at=now,
            outcome="received",
        ),
    )
    if not claimed:
        row = session.execute(
            select(inbound_messages).where(inbound_messages.c.message_id == message["message_id"])
        ).one()
        return _view(row, duplicate=True), []
    number = replies.normalise_mobile(message["sender"])
    producer = _producer(session, number)
    if producer is None:
        outcome, action, ref = "unknown_sender", None, None
        notice = domain.Notice(number, "sms_reply_unknown", f"sms/{message['message_id']}", number)
    else:
        outcome, action, ref, notice = _act(uow, desk, producer, message["message_id"], message["text"])
    reply_id = enqueue(session, notice, producer, now, forced=(SMS, number)) if notice else None
    session.execute(
        update(inbound_messages)
        .where(inbound_messages.c.message_id == message["message_id"])
        .values(
            producer_id=producer.recipient_id if producer else None,
            action=action,
            ref=ref,
            outcome=outcome,
            reply_id=reply_id,
        )
    )
    row = session.execute(select(inbound_messages).where(inbound_messages.c.message_id == message["message_id"])).one()
    return _view(row, duplicate=False), [reply_id] if reply_id else []


def receive(
    db: Database,
    desk: QuotaDesk,
    secret: str | None,
    body: str,
    timestamp: str | None,
    signature: str | None,
    now: datetime,
) -> tuple[dict, list[str]]:
    """An SMS provider's callback: authenticated, read, and handled in one unit of work (the aggregation call
    included, so that a callback aggregation did not answer leaves nothing behind for the provider's retry)."""
    authenticate(secret, timestamp, body, signature, now)
    message = read(body)
    with db.transaction() as uow:
        return handle(uow, desk, message, now)
