"""The dashboard's money, per currency: what producers are owed by age of the earnings not yet paid, days from a lot
passing to its payment (median, 90th percentile), and advances outstanding. Counted by the database: a year of
journal entries is never loaded, only the few rows each figure comes down to.

One organisation's figures are counted per request; everyone's too while that is cheap, then kept between requests
(``EVERYONES``): over every organisation's year they take seconds to count."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import case, func, select, tuple_

from services.settlement import domain, journal
from services.settlement.store import advances, settlements
from services.settlement.store import journal as entries
from shared.everyones_figures import TICK_S, EveryonesFigures
from shared.money import to_minor
from shared.store import UnitOfWork, is_postgres

AGE_BUCKETS = ((7, "0-7 days"), (30, "8-30 days"), (60, "31-60 days"), (None, "over 60 days"))


def _money(amount: Decimal, currency: str) -> str:
    return str(to_minor(amount, currency))


def money_figures(uow: UnitOfWork, staff_of: str | None) -> dict:
    """One organisation's money figures (its staff's), counted now; everyone's (an admin's), kept once costly
    (``EVERYONES``)."""
    if staff_of == domain.ANY_ORGANISATION:
        return EVERYONES.answer("money_figures", uow)
    return _money_figures(uow, staff_of)


def _money_figures(uow: UnitOfWork, staff_of: str | None) -> dict:
    session, now = uow.session, datetime.now(timezone.utc)
    scope = [] if staff_of == domain.ANY_ORGANISATION else [entries.c.organisation_id == staff_of]
    # A caller's own: each producer and currency with an entry in its organisation's journal (a few hundred at
    # most), named to the database so that it looks each up by index; everyone's: every producer (None).
    pairs = session.execute(select(entries.c.producer_id, entries.c.currency).where(*scope).distinct()).all()
    currencies = sorted({currency for _, currency in pairs})
    owed = _owed_by_age(session, pairs if scope else None, now)
    days = _days_to_payment(session, scope)
    outstanding = _outstanding(session, staff_of)
    figures = []
    for currency in currencies:
        by_age = {label: owed.get((currency, label), Decimal(0)) for _, label in AGE_BUCKETS}
        figures.append(
            {
                "currency": currency,
                "owed_by_age": [{"age": label, "amount": _money(amount, currency)} for label, amount in by_age.items()],
                "owed": _money(sum(by_age.values(), Decimal(0)), currency),
                "days_to_payment": days.get(currency, {"payments": 0, "median": None, "p90": None}),
                "advances_outstanding": outstanding.get(
                    currency, {"advances": 0, "outstanding": 0, "amount": _money(Decimal(0), currency)}
                ),
            }
        )
    return {"currencies": figures}


def _owed_by_age(session, pairs: list | None, now: datetime) -> dict[tuple[str, str], Decimal]:
    """Per currency and age, what producers are owed: each producer's balance, when positive, is her latest earnings
    (the newest first, as the journal recorded them), aged by when each was earned. ``pairs``: the producers and
    currencies counted (each with her whole balance in it), None for all."""
    if pairs == []:
        return {}
    in_scope = [] if pairs is None else [tuple_(entries.c.producer_id, entries.c.currency).in_(pairs)]
    balances = (
        select(entries.c.producer_id, entries.c.currency, journal.sum_effect().label("balance"))
        .where(*in_scope)
        .group_by(entries.c.producer_id, entries.c.currency)
        .subquery()
    )
    # What she earned after each earning: all she earned, less her earnings up to it, summed in the order of an index
    # of her earnings (no sort).
    hers = (entries.c.producer_id, entries.c.currency)
    each = (
        select(
            entries.c.producer_id,
            entries.c.currency,
            entries.c.recorded_at,
            entries.c.amount,
            (
                func.sum(entries.c.amount).over(partition_by=hers)
                - func.sum(entries.c.amount).over(partition_by=hers, order_by=entries.c.entry_id, rows=(None, 0))
            ).label("newer"),
        )
        .where(*in_scope, entries.c.kind == domain.EARNING)
        .subquery()
    )
    earnings = (
        select(each.c.currency, each.c.recorded_at, each.c.amount, (balances.c.balance - each.c.newer).label("left"))
        .join(balances, (balances.c.producer_id == each.c.producer_id) & (balances.c.currency == each.c.currency))
        .where(balances.c.balance > 0)
        .subquery()
    )
    part = case((earnings.c.left >= earnings.c.amount, earnings.c.amount), else_=earnings.c.left)
    # The first bucket whose limit holds ``(now - earned).days``.
    age = case(
        *[(earnings.c.recorded_at > now - timedelta(days=limit + 1), label) for limit, label in AGE_BUCKETS if limit],
        else_=AGE_BUCKETS[-1][1],
    )
    return {
        (currency, label): Decimal(amount)
        for currency, label, amount in session.execute(
            select(earnings.c.currency, age, func.sum(part))
            .where(earnings.c.left > 0)
            .group_by(earnings.c.currency, age)
        )
    }


def _days_to_payment(session, scope: list) -> dict[str, dict]:
    """Per currency, for every earning a confirmed payment settled, days from the lot passing to the payment: how
    many, their median and 90th percentile (``statistics``' inclusive method). The database ranks them and hands
    over only the few the median and the percentile fall between."""
    paying = entries.alias("paying")
    if is_postgres(session.get_bind()):
        delay = paying.c.recorded_at - entries.c.recorded_at
    else:
        delay = func.julianday(paying.c.recorded_at) - func.julianday(entries.c.recorded_at)
    ranked = (
        select(
            entries.c.currency,
            entries.c.recorded_at.label("passed_at"),
            paying.c.recorded_at.label("paid_at"),
            func.row_number().over(partition_by=entries.c.currency, order_by=delay).label("rank"),
            func.count().over(partition_by=entries.c.currency).label("n"),
        )
        .join(settlements, settlements.c.earning_entry_id == entries.c.entry_id)
        .join(paying, paying.c.entry_id == settlements.c.settling_entry_id)
        # Only earnings and upward corrections are ever settled: the kinds an organisation's index is searched by.
        .where(
            *scope, entries.c.kind.in_((domain.EARNING, domain.CORRECTION)), paying.c.kind == domain.PAYOUT_CONFIRMED
        )
        .subquery()
    )
    n, tenth = ranked.c.n, (9 * (ranked.c.n - 1)) // 10
    # 1-based ranks: the middle one or two, and the two the 90th percentile lies between.
    wanted = ((n + 1) // 2, n // 2, n // 2 + 1, tenth + 1, tenth + 2)
    found: dict[str, dict[int, float]] = {}
    counts: dict[str, int] = {}
    for currency, count, rank, passed_at, paid_at in session.execute(
        select(ranked.c.currency, ranked.c.n, ranked.c.rank, ranked.c.passed_at, ranked.c.paid_at).where(
            ranked.c.rank.in_(wanted)
        )
    ):
        counts[currency] = count
        found.setdefault(currency, {})[rank] = (paid_at - passed_at).total_seconds() / 86400
    return {currency: _median_and_p90(counts[currency], days) for currency, days in found.items()}


def _median_and_p90(count: int, days: dict[int, float]) -> dict:
    """``statistics.median`` and the last of ``statistics.quantiles(n=10, method="inclusive")`` of ``count`` values,
    from the values at the ranks they need (1-based)."""
    if count % 2:
        median = days[(count + 1) // 2]
    else:
        median = (days[count // 2] + days[count // 2 + 1]) / 2
    if count == 1:
        p90 = days[1]
    else:
        j, delta = divmod(9 * (count - 1), 10)
        p90 = (days[j + 1] * (10 - delta) + days[j + 2] * delta) / 10
    return {"payments": count, "median": round(median, 1), "p90": round(p90, 1)}


def _outstanding(session, staff_of: str | None) -> dict[str, dict]:
    """Per currency: the advances made, how many are not yet recovered in full (by recoveries and write-offs), and
    what is left of them, as ``journal.owed_advances`` says of each."""
    mine = [] if staff_of == domain.ANY_ORGANISATION else [advances.c.organisation_id == staff_of]
    back = (
        select(entries.c.advance_id, func.sum(entries.c.amount).label("amount"))
        .where(
            entries.c.advance_id.in_(select(advances.c.advance_id).where(*mine)),
            entries.c.kind.in_((domain.RECOVERY, domain.WRITE_OFF)),
        )
        .group_by(entries.c.advance_id)
        .subquery()
    )
    left = advances.c.amount - func.coalesce(back.c.amount, 0)
    return {
        currency: {"advances": count, "outstanding": int(owing), "amount": _money(Decimal(amount), currency)}
        for currency, count, owing, amount in session.execute(
            select(
                advances.c.currency,
                func.count(),
                func.coalesce(func.sum(case((left > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(case((left > 0, left), else_=0)), 0),
            )
            .select_from(advances.outerjoin(back, back.c.advance_id == advances.c.advance_id))
            .where(*mine)
            .group_by(advances.c.currency)
        )
    }


# Everyone's money, kept between requests and counted again every five minutes: a year of every producer's payments
# takes seconds to rank (see shared.everyones_figures).
EVERYONES = EveryonesFigures(
    {"money_figures": lambda uow: _money_figures(uow, domain.ANY_ORGANISATION)}, recount_every_s=5 * TICK_S
)
