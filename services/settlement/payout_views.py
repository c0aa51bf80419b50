"""Reads of payout batches: a batch with its lines and their status, and the organisation's batches."""

from decimal import Decimal

from sqlalchemy import func, select

from services.settlement import domain
from services.settlement.schemas import BatchFilter
from services.settlement.store import payout_batches, payout_lines, producers
from shared.errors import NotFound, load_or_refuse
from shared.money import to_minor
from shared.store import UnitOfWork, paged


def line_view(session, line_id: str) -> dict:
    row = session.execute(
        select(payout_lines, producers.c.name)
        .join(producers, producers.c.producer_id == payout_lines.c.producer_id, isouter=True)
        .where(payout_lines.c.line_id == line_id)
    ).one()
    return _line_view(row)


def _line_view(row) -> dict:
    return {
        "line_id": row.line_id,
        "producer_id": row.producer_id,
        "producer_name": row.name,
        "amount": str(to_minor(row.amount, row.currency)),
        "currency": row.currency,
        "method": row.method,
        "msisdn": row.msisdn,
        "status": row.status,
        "attempt": row.attempt,
        "reference_id": row.reference_id,
        "provider_transaction_id": row.provider_transaction_id,
        "receipt_number": row.receipt_number,
        "failure_reason": row.failure_reason,
        "closed_by": row.closed_by,
        "updated_at": row.updated_at.isoformat(),
    }


def _batch_view(row, lines: list[dict] | None = None) -> dict:
    view = {
        "batch_id": row.batch_id,
        "organisation_id": row.organisation_id,
        "currency": row.currency,
        "status": row.status,
        "drafted_by": row.drafted_by,
        "drafted_at": row.drafted_at.isoformat(),
        "approved_by": row.approved_by,
        "approved_at": row.approved_at.isoformat() if row.approved_at else None,
        "sent_by": row.sent_by,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }
    if lines is not None:
        view["total"] = str(to_minor(sum((Decimal(line["amount"]) for line in lines), Decimal(0)), row.currency))
        view["lines"] = lines
    return view


def get_batch(uow: UnitOfWork, staff_of: str | None, batch_id: str) -> dict:
    batch = uow.session.execute(select(payout_batches).where(payout_batches.c.batch_id == batch_id)).first()
    if batch is None or not domain.may_handle(staff_of, batch.organisation_id):
        raise NotFound(f"payout batch {batch_id} not found")
    rows = uow.session.execute(
        select(payout_lines, producers.c.name)
        .join(producers, producers.c.producer_id == payout_lines.c.producer_id, isouter=True)
        .where(payout_lines.c.batch_id == batch_id)
        .order_by(payout_lines.c.producer_id)
    ).all()
    return _batch_view(batch, [_line_view(row) for row in rows])


def list_batches(uow: UnitOfWork, staff_of: str | None, query: dict | None = None) -> dict:
    data = load_or_refuse(BatchFilter(), query, "payout batch query")
    conditions = []
    if staff_of != domain.ANY_ORGANISATION:
        conditions.append(payout_batches.c.organisation_id == staff_of)
    if "status" in data:
        conditions.append(payout_batches.c.status == data["status"])
    session = uow.session
    total = session.execute(select(func.count()).select_from(payout_batches).where(*conditions)).scalar_one()
    rows = session.execute(
        select(payout_batches)
        .where(*conditions)
        .order_by(payout_batches.c.drafted_at.desc())
        .limit(data["page_size"])
        .offset((data["page"] - 1) * data["page_size"])
    ).all()
    return paged([_batch_view(row) for row in rows], data["page"], data["page_size"], total)
