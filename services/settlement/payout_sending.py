"""Mobile-money lines on their way: sent to the provider, and their results learnt by callback or by asking.

A call to the provider never happens inside a use case's transaction of many lines: each line is locked, sent and
recorded on its own, so a slow provider holds one row, and two replicas never send the same line at once. The
reference of an attempt is the provider's idempotency key: sending it again after a timeout or a crash is safe,
the provider answers that it has it already. A callback is never believed on its word (the provider does not sign
it): its address must carry this deployment's signature, and the result is then asked of the provider itself."""

import hashlib
import hmac
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from marshmallow import ValidationError
from sqlalchemy import or_, select, update

from services.settlement import domain, payouts
from services.settlement.momo import (
    MomoDisbursements,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
    TransferStatus,
    parse_callback,
)
from services.settlement.settings import CallbackSettings, Settings
from services.settlement.store import payout_lines
from shared.errors import InvalidInput, NotFound, ServiceError
from shared.store import Database, UnitOfWork

log = logging.getLogger(__name__)

SEND_BATCH = 50


class CallbackRefused(ServiceError):
    """A callback whose address this deployment did not sign: forged, or meant for another deployment."""


def provider(settings: Settings) -> MomoDisbursements | None:
    momo = settings.momo
    if momo is None:
        return None
    return MomoDisbursements(
        momo.url, momo.api_user, momo.api_key, momo.subscription_key, momo.target_environment, momo.timeout_s
    )


def callback_signature(secret: str, reference_id: str) -> str:
    return hmac.new(secret.encode(), reference_id.encode(), hashlib.sha256).hexdigest()


def callback_address(callbacks: CallbackSettings | None, reference_id: str) -> str | None:
    if callbacks is None:
        return None
    signature = callback_signature(callbacks.secret, reference_id)
    return f"{callbacks.url}/api/v1/payouts/callbacks/momo/{quote(reference_id)}?signature={signature}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _locked_line(uow: UnitOfWork, line_id: str):
    """The line, locked for this transaction; None when another replica holds it (it is busy with it)."""
    query = select(payout_lines).where(payout_lines.c.line_id == line_id).with_for_update(skip_locked=True)
    return uow.session.execute(query).first()


def send_waiting(database: Database, settings: Settings) -> int:
    """Send the lines waiting for the provider; how many it accepted (or may have: a timeout is asked about later)."""
    client = provider(settings)
    if client is None:
        return 0
    with database.transaction() as uow:
        waiting = list(
            uow.session.execute(
                select(payout_lines.c.line_id)
                .where(
                    payout_lines.c.status == "sending",
                    payout_lines.c.method == domain.MOBILE_MONEY,
                    payout_lines.c.submitted_at.is_(None),
                )
                .order_by(payout_lines.c.updated_at)
                .limit(SEND_BATCH)
            ).scalars()
        )
    sent = 0
    for line_id in waiting:
        with database.transaction() as uow:
            line = _locked_line(uow, line_id)
            if line is None or line.status != "sending" or line.submitted_at is not None:
                continue
            sent += _send(uow, client, settings, line)
    return sent


def _send(uow: UnitOfWork, client: MomoDisbursements, settings: Settings, line) -> int:
    try:
        client.transfer(
            line.reference_id,
            line.amount,
            line.currency,
            line.msisdn,
            external_id=line.line_id,
            payer_message=f"Bilum payout {line.line_id}",
            payee_note=f"Payment for your lots, {line.currency} {line.amount}",
            callback_url=callback_address(settings.callbacks, line.reference_id),
        )
    except ProviderUnavailable as error:
        log.warning("mobile-money provider unavailable; the line is sent again later", extra={"error": str(error)})
        return 0
    except ProviderRefused as error:
        payouts.fail(uow, line, f"refused by the provider: {error}")
        return 0
    except ProviderTimeout:
        log.warning("no answer from the mobile-money provider; its status will be asked", extra={"line": line.line_id})
    uow.session.execute(update(payout_lines).where(payout_lines.c.line_id == line.line_id).values(submitted_at=_now()))
    return 1


def check_submitted(database: Database, settings: Settings) -> int:
    """Ask the provider about lines it has not reported on for a while; how many results it had."""
    client = provider(settings)
    if client is None:
        return 0
    due = _now() - timedelta(seconds=settings.status_check_after_s)
    with database.transaction() as uow:
        lines = uow.session.execute(
            select(payout_lines.c.line_id, payout_lines.c.reference_id)
            .where(
                payout_lines.c.status == "sending",
                payout_lines.c.method == domain.MOBILE_MONEY,
                payout_lines.c.submitted_at < due,
                or_(payout_lines.c.checked_at.is_(None), payout_lines.c.checked_at < due),
            )
            .limit(SEND_BATCH)
        ).all()
    known = 0
    for line_id, reference_id in lines:
        try:
            status = client.status(reference_id)
        except (ProviderUnavailable, ProviderTimeout, ProviderRefused) as error:
            log.warning("could not ask the provider about a payment", extra={"line": line_id, "error": str(error)})
            continue
        with database.transaction() as uow:
            known += apply_status(uow, status)
    return known


def apply_status(uow: UnitOfWork, status: TransferStatus) -> int:
    """Record what the provider says of one attempt, once: a repeated or late report changes nothing."""
    line = uow.session.execute(
        select(payout_lines).where(payout_lines.c.reference_id == status.reference_id).with_for_update()
    ).first()
    if line is None or line.status != "sending":
        return 0
    if status.state == "successful":
        payouts.confirm(uow, line, status.transaction_id or status.reference_id)
        return 1
    if status.state == "failed":
        payouts.fail(uow, line, status.reason or "the provider reported a failure")
        return 1
    values = {"checked_at": _now()}
    if status.state == "unknown":
        # The provider never received it (the request was lost before it arrived): send it again, same reference.
        values["submitted_at"] = None
    uow.session.execute(update(payout_lines).where(payout_lines.c.line_id == line.line_id).values(**values))
    return 0


def receive_callback(database: Database, settings: Settings, reference_id: str, signature: str, body) -> dict:
    """A callback tells that an attempt has a result; which result is asked of the provider, never taken from the
    body. A forged address (401), an unknown reference (404) or a malformed body (422) changes nothing."""
    callbacks, client = settings.callbacks, provider(settings)
    expected = callback_signature(callbacks.secret, reference_id) if callbacks else None
    if expected is None or not hmac.compare_digest(expected, signature or ""):
        raise CallbackRefused("the callback's address is not signed by this deployment")
    try:
        reported = parse_callback(body if isinstance(body, dict) else {})
    except ValidationError as error:
        raise InvalidInput("payout callback refused", error.messages) from None
    with database.transaction() as uow:
        line = uow.session.execute(
            select(payout_lines.c.line_id, payout_lines.c.status).where(payout_lines.c.reference_id == reference_id)
        ).first()
    if line is None:
        raise NotFound(f"no payment with reference {reference_id}")
    if line.status != "sending" or client is None:
        return {"line_id": line.line_id, "status": line.status}
    try:
        status = client.status(reference_id)
    except (ProviderUnavailable, ProviderTimeout, ProviderRefused):
        # The status check of the payout timer will learn the result.
        return {"line_id": line.line_id, "status": line.status, "reported": reported.state}
    with database.transaction() as uow:
        apply_status(uow, status)
        current = uow.session.execute(
            select(payout_lines.c.status).where(payout_lines.c.line_id == line.line_id)
        ).scalar_one()
    return {"line_id": line.line_id, "status": current}
