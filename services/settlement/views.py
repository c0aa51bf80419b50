"""Reads of a producer's money: her balances (for her page and her ``BAL`` message), each producer's account for the
organisation, and the fair-trade premium fund (the dashboard's money figures: ``dashboard_money``)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from services.settlement import domain, journal
from services.settlement.store import journal as entries
from services.settlement.store import producers, quotas
from shared.errors import NotFound
from shared.events import Event, new_event
from shared.money import to_minor
from shared.store import UnitOfWork


def _money(amount: Decimal, currency: str) -> str:
    return str(to_minor(amount, currency))


def _last_payments(session, producer_id: str, currency: str, limit: int) -> list:
    return session.execute(
        select(entries.c.amount, entries.c.recorded_at, entries.c.reason)
        .where(
            entries.c.producer_id == producer_id,
            entries.c.currency == currency,
            entries.c.kind == domain.PAYOUT_CONFIRMED,
        )
        .order_by(entries.c.entry_id.desc())
        .limit(limit)
    ).all()


def balances_of(session, producer_id: str, payments: int = 1) -> list[dict]:
    """Per currency she has money in: balance, the four totals, and her last confirmed payments."""
    currencies = sorted(
        set(session.execute(select(entries.c.currency).where(entries.c.producer_id == producer_id)).scalars())
    )
    accounts = []
    for currency in currencies:
        totals = journal.totals(session, producer_id, currency)
        paid = _last_payments(session, producer_id, currency, payments)
        accounts.append(
            {
                "currency": currency,
                "balance": _money(totals.balance, currency),
                "earned": _money(totals.earned, currency),
                "advanced": _money(totals.advanced, currency),
                "written_off": _money(totals.written_off, currency),
                "paid": _money(totals.paid, currency),
                "last_payments": [
                    {"amount": _money(Decimal(p.amount), currency), "confirmed_at": p.recorded_at.isoformat()}
                    for p in paid
                ],
            }
        )
    return accounts


def producer_money(uow: UnitOfWork, staff_of: str | None, producer_id: str) -> dict:
    """Her balances and last five payments, for her page (the gateway lets her see only her own)."""
    producer = uow.session.execute(select(producers).where(producers.c.producer_id == producer_id)).first()
    if producer is None or not domain.may_handle(staff_of, producer.organisation_id):
        raise NotFound(f"producer {producer_id} not found")
    return {"producer_id": producer_id, "accounts": balances_of(uow.session, producer_id, payments=5)}


def report_balance(uow: UnitOfWork, event: Event) -> None:
    """Answer her ``BAL``: notification words it in her language."""
    producer_id = event.payload["producer_id"]
    balances = [
        {
            "currency": account["currency"],
            "balance": Decimal(account["balance"]),
            "earned": Decimal(account["earned"]),
            "last_payment": (
                {
                    "amount": Decimal(account["last_payments"][0]["amount"]),
                    "confirmed_at": datetime.fromisoformat(account["last_payments"][0]["confirmed_at"]),
                }
                if account["last_payments"]
                else None
            ),
        }
        for account in balances_of(uow.session, producer_id)
    ]
    payload = {"request_id": event.payload["request_id"], "producer_id": producer_id, "balances": balances}
    uow.emit(new_event("balance.reported", payload, correlation_id=event.correlation_id))


def accounts(uow: UnitOfWork, staff_of: str | None) -> list[dict]:
    """Every producer's account with the lots she earned from: what ``bilum demo`` reports, and the aggregator's
    overview."""
    session = uow.session
    conditions = [entries.c.kind != domain.PREMIUM]
    if staff_of != domain.ANY_ORGANISATION:
        conditions.append(entries.c.organisation_id == staff_of)
    pairs = session.execute(
        select(entries.c.producer_id, entries.c.currency)
        .where(*conditions)
        .distinct()
        .order_by(entries.c.producer_id, entries.c.currency)
    ).all()
    earned_lots = session.execute(
        select(entries, quotas.c.line_id)
        .join(quotas, quotas.c.quota_id == entries.c.quota_id)
        .where(entries.c.kind == domain.EARNING, *conditions)
        .order_by(entries.c.entry_id)
    ).all()
    lots: dict[tuple, list] = {}
    for row in earned_lots:
        lots.setdefault((row.producer_id, row.currency), []).append(
            {
                "lot_id": row.lot_id,
                "order_id": row.order_id,
                "line_id": row.line_id,
                "passed": row.units,
                "rate": _money(Decimal(row.rate), row.currency),
                "amount": _money(Decimal(row.amount), row.currency),
            }
        )
    result = []
    for producer_id, currency in pairs:
        totals = journal.totals(session, producer_id, currency)
        result.append(
            {
                "producer_id": producer_id,
                "currency": currency,
                "earned": _money(totals.earned, currency),
                "advanced": _money(totals.advanced, currency),
                "written_off": _money(totals.written_off, currency),
                "paid": _money(totals.paid, currency),
                "balance": _money(totals.balance, currency),
                "lots": lots.get((producer_id, currency), []),
            }
        )
    return result


def premium_fund(uow: UnitOfWork, staff_of: str | None) -> dict:
    """The organisation's fair-trade premium fund, apart from what producers earn: per currency and offering, the
    units that passed and the premium they brought."""
    conditions = [entries.c.kind == domain.PREMIUM]
    if staff_of != domain.ANY_ORGANISATION:
        conditions.append(entries.c.organisation_id == staff_of)
    rows = uow.session.execute(
        select(entries.c.currency, quotas.c.offering_id, func.sum(entries.c.units), func.sum(entries.c.amount))
        .join(quotas, quotas.c.quota_id == entries.c.quota_id)
        .where(*conditions)
        .group_by(entries.c.currency, quotas.c.offering_id)
        .order_by(entries.c.currency, quotas.c.offering_id)
    ).all()
    funds: dict[str, dict] = {}
    for currency, offering_id, units, amount in rows:
        fund = funds.setdefault(currency, {"currency": currency, "total": Decimal(0), "offerings": []})
        fund["total"] += Decimal(amount)
        fund["offerings"].append({"offering_id": offering_id, "units": int(units), "amount": _money(amount, currency)})
    return {"items": [{**fund, "total": _money(fund["total"], fund["currency"])} for fund in funds.values()]}
