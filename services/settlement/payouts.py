"""Payout batches: an aggregator drafts what is owed, a second person approves it, then its lines are sent. A line's
amount leaves her balance when it is sent and comes back if the payment fails; a confirmed line settles her oldest
unsettled earnings and she is told which lots it paid for."""

import uuid
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.settlement import domain, journal, payout_views, settings
from services.settlement.metrics import PAYOUT_RESULTS
from services.settlement.schemas import CashReceiptInput, DraftInput
from services.settlement.store import OPEN_LINE, payout_batches, payout_lines, producers
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _refuse(rule: domain.RuleBroken):
    return Conflict(str(rule))


def draft_batch(uow: UnitOfWork, organisation_id: str, who: str, body: dict) -> dict:
    data = load_or_refuse(DraftInput(), body, "payout batch")
    session, currency = uow.session, data["currency"]
    members = {
        row.producer_id: row
        for row in session.execute(
            select(producers.c.producer_id, producers.c.name, producers.c.mobile).where(
                producers.c.organisation_id == organisation_id
            )
        )
    }
    chosen = set(data["producer_ids"]) if "producer_ids" in data else None
    strangers = sorted((chosen or set()) - members.keys())
    if strangers:
        raise InvalidInput("payout batch refused", {"producer_ids": [f"not producers of yours: {strangers}"]})
    in_flight = set(
        session.execute(
            select(payout_lines.c.producer_id).where(
                payout_lines.c.organisation_id == organisation_id,
                payout_lines.c.currency == currency,
                payout_lines.c.status.in_(OPEN_LINE),
            )
        ).scalars()
    )
    owed = domain.payout_amounts(journal.balances(session, organisation_id, currency), in_flight, chosen)
    if not owed:
        raise Conflict(f"nothing is owed in {currency} to anyone not already in a payout batch")
    cash = set(data["cash"])
    unreachable = sorted(p for p in owed if p not in cash and not members[p].mobile)
    if unreachable:
        names = ", ".join(f"{members[p].name} ({p})" for p in unreachable)
        raise InvalidInput(
            "payout batch refused",
            {"cash": [f"no mobile number for mobile money: {names}; pay them in cash or add their number"]},
        )
    batch_id, now = new_id("pay"), _now()
    session.execute(
        payout_batches.insert().values(
            batch_id=batch_id,
            organisation_id=organisation_id,
            currency=currency,
            status="draft",
            drafted_by=who,
            drafted_at=now,
        )
    )
    lines = [
        {
            "line_id": new_id("pl"),
            "batch_id": batch_id,
            "organisation_id": organisation_id,
            "producer_id": producer_id,
            "currency": currency,
            "amount": amount,
            "method": domain.CASH if producer_id in cash else domain.MOBILE_MONEY,
            "msisdn": None if producer_id in cash else members[producer_id].mobile,
            "status": "draft",
            "attempt": 0,
            "updated_at": now,
        }
        for producer_id, amount in owed.items()
    ]
    try:
        session.execute(payout_lines.insert(), lines)
    except IntegrityError:
        raise Conflict(
            "another payout batch was drafted at the same moment for some of these producers: see the open batches"
        ) from None
    return payout_views.get_batch(uow, organisation_id, batch_id)


def _batch(uow: UnitOfWork, staff_of: str | None, batch_id: str, lock: bool = False):
    query = select(payout_batches).where(payout_batches.c.batch_id == batch_id)
    row = uow.session.execute(query.with_for_update() if lock else query).first()
    if row is None or not domain.may_handle(staff_of, row.organisation_id):
        raise NotFound(f"payout batch {batch_id} not found")
    return row


def approve_batch(uow: UnitOfWork, staff_of: str | None, who: str, batch_id: str) -> dict:
    """Four eyes: the person who drafted the batch cannot approve it."""
    batch = _batch(uow, staff_of, batch_id, lock=True)
    if batch.status != "draft":
        raise Conflict(f"payout batch {batch_id} is {batch.status}, not a draft")
    try:
        domain.may_approve(batch.drafted_by, who)
    except domain.RuleBroken as rule:
        raise _refuse(rule) from None
    session = uow.session
    session.execute(
        update(payout_batches)
        .where(payout_batches.c.batch_id == batch_id)
        .values(status="approved", approved_by=who, approved_at=_now())
    )
    session.execute(
        update(payout_lines)
        .where(payout_lines.c.batch_id == batch_id, payout_lines.c.status == "draft")
        .values(status="approved", updated_at=_now())
    )
    return payout_views.get_batch(uow, staff_of, batch_id)


def send_batch(uow: UnitOfWork, staff_of: str | None, who: str, batch_id: str) -> dict:
    """Each line's amount leaves her balance now; mobile-money lines go to the provider from the payout timer, cash
    lines wait for the aggregator's receipt. A line whose producer is no longer owed its amount is dropped."""
    batch = _batch(uow, staff_of, batch_id, lock=True)
    if batch.status != "approved":
        raise Conflict(f"payout batch {batch_id} is {batch.status}; only an approved batch is sent")
    session = uow.session
    lines = session.execute(
        select(payout_lines).where(payout_lines.c.batch_id == batch_id, payout_lines.c.status == "approved")
    ).all()
    if any(line.method == domain.MOBILE_MONEY for line in lines) and settings.load().momo is None:
        raise Conflict("no mobile-money provider is configured (BILUM_MOMO_URL): pay this batch's lines in cash")
    for line in lines:
        if journal.balance_of(uow, line.producer_id, line.currency) < Decimal(line.amount):
            _set_line(session, line, "dropped", failure_reason="her balance fell below this amount before it was sent")
        else:
            start_attempt(session, line, who)
    session.execute(
        update(payout_batches)
        .where(payout_batches.c.batch_id == batch_id)
        .values(status="sending", sent_by=who, sent_at=_now())
    )
    close_batch_if_done(session, batch_id)
    return payout_views.get_batch(uow, staff_of, batch_id)


def _set_line(session, line, status: str, **values) -> None:
    domain.move_line(line.status, status)
    session.execute(
        update(payout_lines)
        .where(payout_lines.c.line_id == line.line_id)
        .values(status=status, updated_at=_now(), **values)
    )


def _entry(line, attempt: int, kind: str, **values) -> dict:
    return dict(
        organisation_id=line.organisation_id,
        producer_id=line.producer_id,
        currency=line.currency,
        kind=kind,
        amount=Decimal(line.amount),
        payout_line_id=line.line_id,
        **values,
    )


def start_attempt(session, line, who: str) -> None:
    """An attempt has its own reference (the provider's idempotency key) and takes the amount from her balance."""
    attempt = line.attempt + 1
    _set_line(
        session,
        line,
        "sending",
        attempt=attempt,
        reference_id=str(uuid.uuid4()) if line.method == domain.MOBILE_MONEY else None,
        submitted_at=None,
        checked_at=None,
        failure_reason=None,
    )
    journal.append(
        session, f"payout_sent:{line.line_id}:{attempt}", recorded_by=who, **_entry(line, attempt, domain.PAYOUT_SENT)
    )


def retry_line(uow: UnitOfWork, staff_of: str | None, who: str, line_id: str) -> dict:
    line = _line(uow, staff_of, line_id)
    if line.status != "failed":
        raise Conflict(f"payout line {line_id} is {line.status}; only a failed line is tried again")
    if journal.balance_of(uow, line.producer_id, line.currency) < Decimal(line.amount):
        raise Conflict("her balance is now below this line's amount: draft a new batch instead")
    if line.method == domain.MOBILE_MONEY:
        # Her number as it is now: a payment that failed on a wrong number is tried again once it is corrected.
        mobile = uow.session.execute(
            select(producers.c.mobile).where(producers.c.producer_id == line.producer_id)
        ).scalar()
        if not mobile:
            raise Conflict("she has no mobile number any more: pay her in cash in a new batch")
        uow.session.execute(update(payout_lines).where(payout_lines.c.line_id == line_id).values(msisdn=mobile))
    start_attempt(uow.session, line, who)
    return payout_views.line_view(uow.session, line_id)


def close_cash_line(uow: UnitOfWork, staff_of: str | None, who: str, line_id: str, body: dict) -> dict:
    data = load_or_refuse(CashReceiptInput(), body, "cash receipt")
    line = _line(uow, staff_of, line_id)
    if line.method != domain.CASH:
        raise Conflict(f"payout line {line_id} is paid by mobile money: its provider confirms it")
    if line.status != "sending":
        raise Conflict(f"payout line {line_id} is {line.status}; a receipt closes a line that was sent")
    confirm(uow, line, data["receipt_number"], who)
    return payout_views.line_view(uow.session, line_id)


def _line(uow: UnitOfWork, staff_of: str | None, line_id: str):
    row = uow.session.execute(select(payout_lines).where(payout_lines.c.line_id == line_id).with_for_update()).first()
    if row is None or not domain.may_handle(staff_of, row.organisation_id):
        raise NotFound(f"payout line {line_id} not found")
    return row


def confirm(uow: UnitOfWork, line, reference: str, who: str = journal.SYSTEM) -> None:
    """The payment reached her: it settles her oldest unsettled earnings, and she is told for which lots."""
    session = uow.session
    values = {"receipt_number": reference} if line.method == domain.CASH else {"provider_transaction_id": reference}
    _set_line(session, line, "confirmed", closed_by=who, **values)
    PAYOUT_RESULTS.labels("settlement", line.method, "confirmed").inc()
    entry_id = journal.append(
        session,
        f"payout_confirmed:{line.line_id}:{line.attempt}",
        recorded_by=who,
        reason=reference,
        **_entry(line, line.attempt, domain.PAYOUT_CONFIRMED),
    )
    if entry_id is None:
        return
    parts = domain.settle(Decimal(line.amount), journal.unsettled_earnings(session, line.producer_id, line.currency))
    journal.record_settlement(session, entry_id, parts)
    payload = {
        "line_id": line.line_id,
        "batch_id": line.batch_id,
        "organisation_id": line.organisation_id,
        "producer_id": line.producer_id,
        "amount": Decimal(line.amount),
        "currency": line.currency,
        "method": line.method,
        "reference": reference,
        "lots": journal.lots_settled_by(session, entry_id),
    }
    uow.emit(new_event("payout.confirmed", payload, correlation_id=line.batch_id))
    close_batch_if_done(session, line.batch_id)


def fail(uow: UnitOfWork, line, reason: str) -> None:
    """The payment did not reach her: its amount is back on her balance, and the line can be tried again."""
    session = uow.session
    _set_line(session, line, "failed", failure_reason=reason[:500])
    PAYOUT_RESULTS.labels("settlement", line.method, "failed").inc()
    journal.append(
        session,
        f"payout_reversed:{line.line_id}:{line.attempt}",
        reason=reason[:500],
        **_entry(line, line.attempt, domain.PAYOUT_REVERSED),
    )


def close_batch_if_done(session, batch_id: str) -> None:
    left = session.execute(
        select(func.count())
        .select_from(payout_lines)
        .where(payout_lines.c.batch_id == batch_id, payout_lines.c.status.not_in(domain.FINAL_LINE))
    ).scalar_one()
    if not left:
        session.execute(
            update(payout_batches)
            .where(payout_batches.c.batch_id == batch_id, payout_batches.c.status == "sending")
            .values(status="done")
        )
