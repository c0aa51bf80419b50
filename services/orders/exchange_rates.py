"""Exchange rates an aggregator records for orders in another currency than its offerings': kept here, never fetched
from outside, never edited (a correction is a later recording that supersedes the earlier one for the days both
cover)."""

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders import domain
from services.orders.schemas import ExchangeRateInput, ExchangeRateQuery
from services.orders.store import exchange_rates
from shared.errors import load_or_refuse
from shared.ids import new_id
from shared.store import UnitOfWork, page_of, paged


def record_exchange_rate(uow: UnitOfWork, organisation_id: str, recorded_by: str, body: dict) -> dict:
    """``organisation_id`` and ``recorded_by`` come from the caller's credentials, never from the body."""
    data = load_or_refuse(ExchangeRateInput(), body, "exchange rate")
    row = {
        "rate_id": new_id("fx"),
        "organisation_id": organisation_id,
        **data,
        "recorded_by": recorded_by,
        "recorded_at": datetime.now(timezone.utc),
    }
    uow.session.execute(exchange_rates.insert().values(**row))
    return _view(row)


def list_exchange_rates(uow: UnitOfWork, organisation_id: str | None, query: dict | None = None) -> dict:
    """A page of the organisation's recorded rates (every organisation's for ``None``: an admin), newest first."""
    data = load_or_refuse(ExchangeRateQuery(), query, "exchange rate query")
    conditions = [exchange_rates.c[name] == data[name] for name in ("base_currency", "quote_currency") if name in data]
    if organisation_id is not None:
        conditions.append(exchange_rates.c.organisation_id == organisation_id)
    rows, total = page_of(
        uow.session,
        exchange_rates,
        conditions,
        (exchange_rates.c.recorded_at.desc(), exchange_rates.c.rate_id.desc()),
        data["page"],
        data["page_size"],
    )
    return paged([_view(row._asdict()) for row in rows], data["page"], data["page_size"], total)


def rate_for(
    session: Session, organisation_id: str | None, base_currency: str, quote_currency: str, day: date
) -> domain.RecordedRate | None:
    """The rate of the organisation's offerings' currency in the order's on ``day``, or None when none is recorded."""
    covering = session.execute(
        select(exchange_rates).where(
            exchange_rates.c.organisation_id == organisation_id,
            exchange_rates.c.base_currency == base_currency,
            exchange_rates.c.quote_currency == quote_currency,
            exchange_rates.c.valid_from <= day,
            exchange_rates.c.valid_until >= day,
        )
    )
    return domain.rate_on(
        (
            domain.RecordedRate(row.rate_id, row.rate, row.valid_from, row.valid_until, row.recorded_at)
            for row in covering
        ),
        day,
    )


def _view(row: dict) -> dict:
    return {
        "rate_id": row["rate_id"],
        "organisation_id": row["organisation_id"],
        "base_currency": row["base_currency"],
        "quote_currency": row["quote_currency"],
        "rate": str(domain.plain(row["rate"])),
        "valid_from": row["valid_from"].isoformat(),
        "valid_until": row["valid_until"].isoformat(),
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"].isoformat(),
    }
