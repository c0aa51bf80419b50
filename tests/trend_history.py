"""A history spread over weeks, written straight into the orders' and aggregation's tables: the platform stamps what
happens with the present time, so weeks gone by can only be seeded. Shared by the trends' use-case tests (SQLite) and
their PostgreSQL twin."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from services.aggregation import store as aggregation_store
from services.orders import store as orders_store

ORGANISATION = "highland-weavers"
OTHER = "coastal-carvers"


def add_order(
    db,
    *,
    placed_at: datetime,
    promised_on: date,
    status: str = "in_production",
    updated_at: datetime | None = None,
    lines: tuple = ((100, 0, 0),),
    organisation_id: str = ORGANISATION,
    promised: bool = True,
) -> str:
    """An order and its lines, each ``(ordered, delivered, shortfall)``; ``promised=False``: allocation gave no
    promise, so the buyer's due date stands for it."""
    order_id = f"ord_{uuid.uuid4().hex[:12]}"
    with db.database.transaction() as uow:
        uow.session.execute(
            orders_store.orders.insert().values(
                order_id=order_id,
                buyer_id="buy_kiriko",
                buyer_name="Kiriko Trading",
                organisation_id=organisation_id,
                destination={"name": "Kiriko Tokyo", "city": "Tokyo", "country": "JP"},
                due_date=promised_on if not promised else promised_on + timedelta(days=14),
                promised_date=promised_on if promised else None,
                status=status,
                currency="USD",
                total=Decimal("30.00") * sum(ordered for ordered, _, _ in lines),
                placed_at=placed_at,
                updated_at=updated_at or placed_at,
            )
        )
        uow.session.execute(
            orders_store.order_lines.insert(),
            [
                {
                    "line_id": f"lin_{uuid.uuid4().hex[:12]}",
                    "order_id": order_id,
                    "position": position,
                    "offering_id": "off_bilum",
                    "sku": f"BIL-{position}",
                    "quantity": ordered,
                    "unit_price": Decimal("30.00"),
                    "delivered": delivered,
                    "shortfall": shortfall,
                }
                for position, (ordered, delivered, shortfall) in enumerate(lines)
            ],
        )
    return order_id


def add_offerings(db) -> None:
    """One offering of each organisation, as the catalogue published them to aggregation."""
    with db.database.transaction() as uow:
        uow.session.execute(
            aggregation_store.offerings.insert(),
            [
                {
                    "offering_id": f"off_{organisation_id}",
                    "sku": f"BIL-{organisation_id[:4].upper()}",
                    "name": "Bilum bag",
                    "organisation_id": organisation_id,
                    "quality_standard": {"aql": {"major": 2.5}},
                    "withdrawn": False,
                }
                for organisation_id in (ORGANISATION, OTHER)
            ],
        )


def add_quota(
    db, *, offered_at: datetime, answered_at: datetime | None, status: str, organisation_id: str = ORGANISATION
) -> str:
    quota_id = f"quo_{uuid.uuid4().hex[:12]}"
    with db.database.transaction() as uow:
        uow.session.execute(
            aggregation_store.quotas.insert().values(
                quota_id=quota_id,
                ref=uuid.uuid4().hex[:8].upper(),
                order_id="ord_1",
                line_id="lin_1",
                offering_id=f"off_{organisation_id}",
                producer_id="prd_kama",
                quantity=30,
                offered_quantity=30,
                status=status,
                reallocated=False,
                offered_at=offered_at,
                respond_by=offered_at + timedelta(hours=48),
                answered_at=answered_at,
            )
        )
    return quota_id


def add_inspection(
    db, *, inspected_at: datetime, passed: bool, attempt: int = 1, lot_id: str = "", organisation_id: str = ORGANISATION
) -> str:
    lot_id = lot_id or f"lot_{uuid.uuid4().hex[:12]}"
    with db.database.transaction() as uow:
        uow.session.execute(
            aggregation_store.inspections.insert().values(
                lot_id=lot_id,
                attempt=attempt,
                producer_id="prd_kama",
                offering_id=f"off_{organisation_id}",
                inspector="QC Goroka",
                severity="normal",
                classes=[],
                findings=[],
                passed=passed,
                inspected_at=inspected_at,
            )
        )
    return lot_id
