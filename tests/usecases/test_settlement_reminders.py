"""The hourly reminder looks only at orders that may be overdue (``may_be_overdue``, one query), never at every sale:
for any deposit, invoices, credit notes and receipts, every order whose account is overdue is among them, and the
reminders sent are exactly one per order overdue."""

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.settlement import buyer_accounts
from services.settlement.trade_store import documents, receipts, reminders, sales

TODAY = date(2027, 5, 20)
ORDERS = 4

money = st.integers(0, 2000).map(lambda units: Decimal(units) * 5)
days = st.integers(-40, 40)  # due, days after today
order = st.fixed_dictionaries(
    {
        "deposit": st.one_of(st.none(), st.tuples(money, days)),  # the pro forma's amount due and due day
        "invoices": st.lists(st.tuples(money, days), max_size=3),
        "credited": st.lists(st.integers(0, 2), max_size=2),  # credit notes on the invoice at that position
        "received": st.lists(money, max_size=3),
    }
)


@pytest.fixture
def settlement_db(service_db):
    return service_db("settlement")


def _document(order_id: str, kind: str, number: str, total: Decimal, due_in: int | None, **more) -> dict:
    return {
        "document_id": f"doc_{uuid.uuid4().hex[:12]}",
        "organisation_id": "org_goroka",
        "number": number,
        "kind": kind,
        "cause": f"{kind}:{number}",
        "order_id": order_id,
        "currency": "PGK",
        "goods": total,
        "freight": 0,
        "tax_rate": 0,
        "tax": 0,
        "total": total,
        "due_on": TODAY + timedelta(days=due_in) if due_in is not None else None,
        "content": {},
        "issued_by": "bilum",
        "issued_at": datetime(2027, 1, 1, tzinfo=timezone.utc),
        "amount_due": None,
        "corrects": None,
        **more,
    }


def _write(db, orders: list[dict]) -> None:
    with db.database.transaction() as uow:
        for table in (reminders, receipts, documents, sales):
            uow.session.execute(table.delete())
        for n, history in enumerate(orders):
            order_id = f"ord_{n}"
            uow.session.execute(
                sales.insert().values(
                    order_id=order_id,
                    organisation_id="org_goroka",
                    buyer_id="byr_sc",
                    buyer_name="Southern Cross",
                    destination={"city": "Brisbane", "country": "AU"},
                    currency="PGK",
                    trade_terms={"payment_days": 30},
                    due_date=TODAY,
                    placed_at=datetime(2027, 1, 1, tzinfo=timezone.utc),
                )
            )
            rows = []
            if history["deposit"] is not None:
                amount_due, due_in = history["deposit"]
                rows.append(_document(order_id, "proforma", f"PF-{n}", amount_due * 2, due_in, amount_due=amount_due))
            for k, (total, due_in) in enumerate(history["invoices"]):
                rows.append(_document(order_id, "invoice", f"INV-{n}-{k}", total, due_in))
            for k, position in enumerate(history["credited"]):
                if position < len(history["invoices"]):
                    credit = history["invoices"][position][0] / 2
                    rows.append(
                        _document(order_id, "credit_note", f"CN-{n}-{k}", credit, None, corrects=f"INV-{n}-{position}")
                    )
            if rows:
                uow.session.execute(documents.insert(), rows)
            for k, amount in enumerate(history["received"]):
                uow.session.execute(
                    receipts.insert().values(
                        receipt_id=f"rcp_{n}_{k}",
                        organisation_id="org_goroka",
                        order_id=order_id,
                        kind="payment",
                        currency="PGK",
                        amount=amount,
                        reference=f"TT {n}-{k}",
                        received_on=TODAY - timedelta(days=1),
                        recorded_by="anna",
                        recorded_at=datetime(2027, 1, 1, tzinfo=timezone.utc),
                    )
                )


def _overdue(db) -> set[str]:
    """The orders whose account, looked at one by one, is overdue."""
    with db.database.transaction() as uow:
        return {
            sale.order_id
            for sale in uow.session.execute(select(sales)).all()
            if Decimal(buyer_accounts.account(uow.session, sale, TODAY)["overdue"]) > 0
        }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(order, min_size=1, max_size=ORDERS))
def test_every_overdue_order_is_among_those_that_may_be_and_is_reminded_once(settlement_db, orders):
    _write(settlement_db, orders)
    overdue = _overdue(settlement_db)
    with settlement_db.database.transaction() as uow:
        candidates = set(uow.session.execute(buyer_accounts.may_be_overdue(TODAY)).scalars())
    assert overdue <= candidates
    assert settlement_db(buyer_accounts.send_reminders, TODAY) == len(overdue)
    assert settlement_db(buyer_accounts.send_reminders, TODAY) == 0, "once a week"


def test_an_order_paid_in_full_is_not_looked_at(settlement_db):
    paid = {
        "deposit": (Decimal(100), -30),
        "invoices": [(Decimal(500), -10)],
        "credited": [],
        "received": [Decimal(500)],
    }
    owing = {**paid, "received": [Decimal(450)]}
    _write(settlement_db, [paid, owing])
    with settlement_db.database.transaction() as uow:
        assert list(uow.session.execute(buyer_accounts.may_be_overdue(TODAY)).scalars()) == ["ord_1"]
    assert _overdue(settlement_db) == {"ord_1"}


def test_an_invoice_past_due_before_the_deposit_is_due_is_overdue_since_the_invoices_day(settlement_db):
    early_invoice = {"deposit": (Decimal(300), 10), "invoices": [(Decimal(200), -5)], "credited": [], "received": []}
    _write(settlement_db, [early_invoice])
    with settlement_db.database.transaction() as uow:
        sale = uow.session.execute(select(sales)).one()
        state = buyer_accounts.account(uow.session, sale, TODAY)
    assert (state["overdue"], state["overdue_since"]) == ("200.00", (TODAY - timedelta(days=5)).isoformat())
    assert settlement_db(buyer_accounts.send_reminders, TODAY) == 1
    [reminder] = settlement_db.emitted("payment.overdue")
    assert reminder["payload"]["days_overdue"] == 5
