"""Buyers' accounts: the organisation's trade terms, payments received from buyers, each order's account (ordered,
deposit asked, invoiced, credited, received, outstanding, overdue), receivables by age, and a reminder to the buyer
for each week an order stays overdue.

What is owed by a date is the deposit once it is due, or the invoices due by then if they come to more (the deposit
pays towards them); receipts and credit notes on invoices pay it, the oldest due first."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import case, func, select

from services.settlement import documents, trade, trade_views
from services.settlement.trade_schemas import ReceiptInput, TradeTermsInput
from services.settlement.trade_store import documents as documents_table
from services.settlement.trade_store import receipts, reminders, sales, trade_terms
from shared.errors import InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.everyones_figures import EveryonesFigures
from shared.ids import new_id
from shared.money import is_in_minor_units
from shared.store import UnitOfWork, insert_new, merge, page_of, paged

ZERO = Decimal(0)


def set_trade_terms(uow: UnitOfWork, organisation_id: str, who: str, body: dict) -> dict:
    data = load_or_refuse(TradeTermsInput(), body, "trade terms")
    values = {**data, "organisation_id": organisation_id, "set_by": who, "set_at": datetime.now(timezone.utc)}
    merge(uow.session, trade_terms, values, keys=("organisation_id",))
    return get_trade_terms(uow, organisation_id)


def get_trade_terms(uow: UnitOfWork, organisation_id: str) -> dict:
    terms = documents.terms_of(uow.session, organisation_id)
    return {
        "organisation_id": organisation_id,
        **terms,
        "deposit_share": str(terms["deposit_share"]),
        "tax_rate": str(terms["tax_rate"]),
    }


def _sale_in_scope(session, scope: dict, order_id: str):
    sale = session.execute(select(sales).where(sales.c.order_id == order_id, *trade_views.scoped(sales, scope))).first()
    if sale is None or sale.trade_terms is None:
        raise NotFound(f"no order {order_id} with trade documents")
    return sale


def record_receipt(uow: UnitOfWork, scope: dict, who: str, order_id: str, body: dict) -> dict:
    """A payment from the buyer, as the organisation's bank shows it: never edited (a mistake is put right by the
    bank's own reversal, recorded as it happens)."""
    data = load_or_refuse(ReceiptInput(), body, "receipt")
    session = uow.session
    sale = _sale_in_scope(session, scope, order_id)
    if data["currency"] != sale.currency:
        raise InvalidInput("receipt refused", {"currency": [f"the order is in {sale.currency}"]})
    if not is_in_minor_units(data["amount"], sale.currency):
        raise InvalidInput("receipt refused", {"amount": [f"a whole amount of {sale.currency}'s smallest unit"]})
    session.execute(
        receipts.insert().values(
            receipt_id=new_id("rcp"),
            organisation_id=sale.organisation_id,
            order_id=order_id,
            recorded_by=who,
            recorded_at=datetime.now(timezone.utc),
            **data,
        )
    )
    return account(session, sale, datetime.now(timezone.utc).date())


def account(session, sale, today: date) -> dict:
    issued = documents.find(session, order_id=sale.order_id)
    proforma = next((row for row in issued if row.kind == trade.PROFORMA), None)
    invoices = [row for row in issued if row.kind == trade.INVOICE]
    invoice_numbers = {row.number for row in invoices}
    notes = [row for row in issued if row.kind == trade.CREDIT_NOTE]
    ordered = Decimal(proforma.total) if proforma else ZERO
    ordered -= sum((Decimal(row.total) for row in notes if proforma and row.corrects == proforma.number), ZERO)
    credited = sum((Decimal(row.total) for row in notes if row.corrects in invoice_numbers), ZERO)
    paid = session.execute(
        select(receipts).where(receipts.c.order_id == sale.order_id).order_by(receipts.c.received_on)
    ).all()
    received = sum((Decimal(row.amount) for row in paid), ZERO)
    invoiced = sum((Decimal(row.total) for row in invoices), ZERO)
    deposit = Decimal(proforma.amount_due) if proforma and proforma.amount_due is not None else ZERO
    overdue, since = _overdue(proforma, invoices, deposit, received + credited, today)

    def money(amount: Decimal) -> str:
        return trade_views.amount_text(amount, sale.currency)

    return {
        "order_id": sale.order_id,
        "organisation_id": sale.organisation_id,
        "buyer": sale.buyer_name,
        "currency": sale.currency,
        "ordered": money(ordered),
        "deposit_requested": money(deposit),
        "invoiced": money(invoiced),
        "credited": money(credited),
        "received": money(received),
        "outstanding": money(invoiced - credited - received),
        "overdue": money(overdue),
        "overdue_since": since.isoformat() if since else None,
        "documents": [row.number for row in issued],
        "receipts": [
            {
                "kind": row.kind,
                "amount": money(row.amount),
                "reference": row.reference,
                "received_on": row.received_on.isoformat(),
            }
            for row in paid
        ],
    }


def _overdue(proforma, invoices: list, deposit: Decimal, paid: Decimal, today: date) -> tuple[Decimal, date | None]:
    """What is owed and past due today, and since when: the deposit once due, or the invoices due if more."""
    due_invoices = [(row.due_on, Decimal(row.total)) for row in invoices if row.due_on and row.due_on < today]
    required = sum((amount for _, amount in due_invoices), ZERO)
    deposit_due = proforma is not None and proforma.due_on and proforma.due_on < today and deposit > 0
    if deposit_due and deposit > required:
        required, since = deposit, proforma.due_on
    else:
        left = trade.outstanding_by_invoice(due_invoices, paid)
        since = next((due_on for due_on, amount in left if amount > 0), None)
    overdue = max(ZERO, required - paid)
    return overdue, since if overdue > 0 else None


def accounts(uow: UnitOfWork, scope: dict, query: dict | None = None) -> dict:
    query = query or {}
    page, page_size = int(query.get("page", 1)), int(query.get("page_size", 50))
    conditions = [sales.c.trade_terms.is_not(None), *trade_views.scoped(sales, scope)]
    if query.get("order_id"):
        conditions.append(sales.c.order_id == query["order_id"])
    rows, total = page_of(uow.session, sales, conditions, (sales.c.placed_at.desc(), sales.c.order_id), page, page_size)
    today = datetime.now(timezone.utc).date()
    return paged([account(uow.session, row, today) for row in rows], page, page_size, total)


def receivables(uow: UnitOfWork, scope: dict, today: date | None = None) -> dict:
    """What buyers owe on invoices, per currency, by how late it is: the dashboard's ageing. A caller's own are
    counted now; everyone's (an admin's), kept once costly (``EVERYONES``)."""
    if not scope and today is None:
        return EVERYONES.answer("receivables", uow)
    return _receivables(uow, scope, today)


def _receivables(uow: UnitOfWork, scope: dict, today: date | None = None) -> dict:
    """Counted by the
    database, as ``trade.outstanding_by_invoice`` and ``trade.age_bucket`` do for one order: each order's receipts
    and credit notes pay its invoices the oldest due first, and what is left of each invoice is aged by its due
    date."""
    today = today or datetime.now(timezone.utc).date()
    session = uow.session
    priced = [sales.c.trade_terms.is_not(None), *trade_views.scoped(sales, scope)]

    def of_the_orders(column) -> list:
        """A caller's own orders only (everyone's need no narrowing: the sales joined at the end keep those priced)."""
        return [column.in_(select(sales.c.order_id).where(*priced))] if scope else []

    invoice = documents_table.alias("invoice")
    invoices = (
        select(
            invoice.c.order_id,
            invoice.c.due_on,
            invoice.c.total,
            (
                func.sum(invoice.c.total).over(
                    partition_by=invoice.c.order_id,
                    order_by=(invoice.c.due_on, invoice.c.issued_at, invoice.c.number),
                    rows=(None, 0),
                )
                - invoice.c.total
            ).label("earlier"),
        )
        .where(invoice.c.kind == trade.INVOICE, *of_the_orders(invoice.c.order_id))
        .subquery()
    )
    credit = documents_table.alias("credit")
    paid = (
        select(credit.c.order_id, credit.c.total.label("amount"))
        .join(
            invoice,
            (invoice.c.order_id == credit.c.order_id)
            & (invoice.c.number == credit.c.corrects)
            & (invoice.c.kind == trade.INVOICE),
        )
        .where(credit.c.corrects.is_not(None), *of_the_orders(credit.c.order_id))
        .union_all(select(receipts.c.order_id, receipts.c.amount).where(*of_the_orders(receipts.c.order_id)))
        .subquery()
    )
    paid_by_order = (
        select(paid.c.order_id, func.sum(paid.c.amount).label("amount")).group_by(paid.c.order_id).subquery()
    )
    paid_now = func.coalesce(paid_by_order.c.amount, 0) - invoices.c.earlier
    applied = case((paid_now <= 0, 0), (paid_now >= invoices.c.total, invoices.c.total), else_=paid_now)
    each = (
        select(sales.c.currency, invoices.c.due_on, (invoices.c.total - applied).label("left"))
        .select_from(
            invoices.join(sales, sales.c.order_id == invoices.c.order_id).outerjoin(
                paid_by_order, paid_by_order.c.order_id == invoices.c.order_id
            )
        )
        .where(*priced)
        .subquery()
    )
    bucket = case(
        *[(each.c.due_on >= today - timedelta(days=limit), name) for limit, name in trade.AGE_BUCKETS],
        else_=trade.OLDEST_BUCKET,
    )
    per_currency: dict[str, dict[str, Decimal]] = {}
    for currency, name, amount in session.execute(
        select(each.c.currency, bucket, func.sum(each.c.left)).where(each.c.left > 0).group_by(each.c.currency, bucket)
    ):
        per_currency.setdefault(currency, {})[name] = Decimal(amount)
    names = [name for _, name in trade.AGE_BUCKETS] + [trade.OLDEST_BUCKET]
    return {
        "currencies": [
            {
                "currency": currency,
                "total": trade_views.amount_text(sum(buckets.values(), ZERO), currency),
                "buckets": {name: trade_views.amount_text(buckets.get(name, ZERO), currency) for name in names},
            }
            for currency, buckets in sorted(per_currency.items())
        ]
    }


# Everyone's receivables, kept between requests: over every organisation's invoices they take too long to count per
# request (see shared.everyones_figures); the service's timer counts them again.
EVERYONES = EveryonesFigures({"receivables": lambda uow: _receivables(uow, {})})


def may_be_overdue(today: date):
    """SQL: the orders that may owe something past due ``today``, for ``account`` to tell: those with a deposit or an
    invoice past its due date that have received less than the larger of the deposit and all they were invoiced
    (what ``_overdue`` asks is never more, and credits only lower it). A year's orders, most of them paid, are not
    each looked at."""
    proforma, invoice = documents_table.c.kind == trade.PROFORMA, documents_table.c.kind == trade.INVOICE
    late = documents_table.c.due_on < today
    asked = (
        select(
            documents_table.c.order_id,
            func.sum(case((proforma, func.coalesce(documents_table.c.amount_due, 0)), else_=0)).label("deposit"),
            func.sum(case((invoice, documents_table.c.total), else_=0)).label("invoiced"),
            func.max(
                case((invoice & late, 1), (proforma & late & (documents_table.c.amount_due > 0), 1), else_=0)
            ).label("late"),
        )
        .where(proforma | invoice)
        .group_by(documents_table.c.order_id)
        .subquery()
    )
    received = (
        select(receipts.c.order_id, func.sum(receipts.c.amount).label("amount"))
        .group_by(receipts.c.order_id)
        .subquery()
    )
    most = case((asked.c.deposit > asked.c.invoiced, asked.c.deposit), else_=asked.c.invoiced)
    return (
        select(asked.c.order_id)
        .outerjoin(received, received.c.order_id == asked.c.order_id)
        .where(asked.c.late == 1, func.coalesce(received.c.amount, 0) < most)
    )


def send_reminders(uow: UnitOfWork, today: date | None = None) -> int:
    """``payment.overdue`` for each order overdue, once per week it stays so; how many were sent."""
    today = today or datetime.now(timezone.utc).date()
    session = uow.session
    sent = 0
    for sale in session.execute(
        select(sales).where(
            sales.c.trade_terms.is_not(None), sales.c.cancelled.is_(None), sales.c.order_id.in_(may_be_overdue(today))
        )
    ):
        state = account(session, sale, today)
        overdue = Decimal(state["overdue"])
        if overdue <= 0:
            continue
        days = (today - date.fromisoformat(state["overdue_since"])).days
        if not insert_new(
            session,
            reminders,
            {"order_id": sale.order_id, "week": (days - 1) // 7, "sent_at": datetime.now(timezone.utc)},
        ):
            continue
        uow.emit(
            new_event(
                "payment.overdue",
                {
                    "order_id": sale.order_id,
                    "organisation_id": sale.organisation_id,
                    "currency": sale.currency,
                    "outstanding": overdue,
                    "due_on": date.fromisoformat(state["overdue_since"]),
                    "days_overdue": days,
                    "documents": state["documents"],
                },
                correlation_id=sale.order_id,
            )
        )
        sent += 1
    return sent
