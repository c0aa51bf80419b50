"""One of the processes of the numbering test: handles ``order.placed`` for a range of orders, each issuing its
pro-forma, retrying as a redelivered message would when it lost a race. ``python -m tests.integration.document_issuer
FIRST LAST START_AT`` with ``BILUM_DATABASE_URL`` set; starts at the epoch second given, with its twin."""

import sys
import time
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy.exc import DBAPIError, IntegrityError

from services.settlement import trade_projections
from services.settlement.store import inbox, outbox
from shared.events import Event
from shared.store import Database

PLACED_AT = datetime(2026, 11, 2, tzinfo=timezone.utc)


def placed(n: int) -> Event:
    return Event(
        "order.placed",
        {
            "order_id": f"ord_{n}",
            "organisation_id": "org_highlands",
            "buyer": {"buyer_id": "byr_1", "name": "Kiriko", "email": "k@example.jp", "organisation_id": "org_shop"},
            "destination": {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
            "due_date": date(2027, 3, 1),
            "promised_date": None,
            "lines": [
                {
                    "line_id": f"ln_{n}",
                    "offering_id": "off_bag",
                    "sku": "BAG",
                    "quantity": 3,
                    "unit_price": Decimal("38.50"),
                }
            ],
            "currency": "PGK",
            "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
            "exchange_rate": None,
        },
        correlation_id=f"ord_{n}",
        event_id=f"00000000-0000-4000-8000-{n:012d}",
        occurred_at=PLACED_AT,
    )


def main(first: int, last: int, start_at: float) -> None:
    database = Database("settlement", outbox, inbox)
    time.sleep(max(0.0, start_at - time.time()))
    for n in range(first, last + 1):
        for _ in range(20):
            try:
                database.handle_once("settlement.on_order_placed", placed(n), trade_projections.record_sale)
                break
            except (IntegrityError, DBAPIError):
                time.sleep(0.01)
        else:
            raise SystemExit(f"order {n} could not be handled")
    database.engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
