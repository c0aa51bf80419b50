"""How fast settlement answers with a real history, on PostgreSQL: the statement of a producer with 10,000 journal
entries (its first and last page of 200 entries as JSON, one month of it, and all of it as CSV), and a payout batch
drafted over 10,000 producers (the balances of all of them, the lines written and the batch read back).

The database is one of its own on the local server (``--postgres``, trust auth as the tests use it), migrated like
the service's, filled with plain INSERTs, and dropped at the end. Prints the median and the slowest of the runs.

Run: python bench/settlement.py [--entries 10000] [--producers 10000] [--runs 7]
"""

import argparse
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg2
from sqlalchemy import delete

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.settlement import payouts, statements  # noqa: E402
from services.settlement.store import inbox, journal, offerings, outbox, payout_batches, payout_lines, producers, quotas  # noqa: E402
from shared import migrations  # noqa: E402
from shared.store import Database, make_engine  # noqa: E402

ORG = "bench-coop"
RATE = Decimal("21.00")
STATEMENT_TARGET_S, DRAFT_TARGET_S = 0.050, 2.0


def _database(admin_url: str, name: str, create: bool) -> None:
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'{"CREATE" if create else "DROP"} DATABASE "{name}"' + ("" if create else " WITH (FORCE)"))
    connection.close()


def _seed(database: Database, entries: int, producer_count: int) -> str:
    """One producer with ``entries`` entries over a year (lots earned, advances, payments sent and confirmed), and
    ``producer_count`` producers each owed one lot."""
    now = datetime.now(timezone.utc)
    busy = "prd_busy"
    with database.transaction() as uow:
        session = uow.session
        session.execute(
            offerings.insert().values(
                offering_id="off_bench",
                organisation_id=ORG,
                sku="BLM-BENCH",
                name="Bench bilum",
                currency="USD",
                producer_price=RATE,
                premium_per_unit=0,
                updated_at=now,
            )
        )
        ids = [busy] + [f"prd_{n:05d}" for n in range(producer_count)]
        session.execute(
            producers.insert(),
            [
                {
                    "producer_id": producer_id,
                    "organisation_id": ORG,
                    "name": f"Weaver {producer_id}",
                    "mobile": f"+6757{n:07d}",
                    "languages": ["tpi", "en"],
                    "updated_at": now,
                }
                for n, producer_id in enumerate(ids)
            ],
        )
        session.execute(
            quotas.insert(),
            [
                {
                    "quota_id": f"q_{producer_id}",
                    "organisation_id": ORG,
                    "order_id": "ord_bench",
                    "line_id": "lin_bench",
                    "offering_id": "off_bench",
                    "producer_id": producer_id,
                    "currency": "USD",
                    "rate": RATE,
                    "premium_per_unit": 0,
                    "quantity": 10,
                    "status": "delivered",
                    "offered_at": now,
                    "updated_at": now,
                }
                for producer_id in ids
            ],
        )
        kinds = ("earning", "earning", "advance", "payout_sent", "payout_confirmed")
        rows = [
            {
                "cause": f"bench:{uuid.uuid4()}",
                "organisation_id": ORG,
                "producer_id": busy,
                "currency": "USD",
                "kind": kinds[n % len(kinds)],
                "amount": Decimal("105.00"),
                "quota_id": f"q_{busy}",
                "order_id": "ord_bench",
                "lot_id": f"lot_{n:06d}",
                "units": 5,
                "rate": RATE,
                "reason": "bench",
                "recorded_by": "bench",
                "recorded_at": now - timedelta(minutes=52 * (entries - n)),
            }
            for n in range(entries)
        ]
        rows += [
            {
                "cause": f"earning:lot_{producer_id}",
                "organisation_id": ORG,
                "producer_id": producer_id,
                "currency": "USD",
                "kind": "earning",
                "amount": Decimal("210.00"),
                "quota_id": f"q_{producer_id}",
                "order_id": "ord_bench",
                "lot_id": f"lot_{producer_id}",
                "units": 10,
                "rate": RATE,
                "reason": None,
                "recorded_by": "platform",
                "recorded_at": now - timedelta(days=3),
            }
            for producer_id in ids[1:]
        ]
        session.execute(journal.insert(), rows)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return busy


def _timed(runs: int, work) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def _line(what: str, seconds: list[float], target: float) -> str:
    median = statistics.median(seconds)
    verdict = "within" if median <= target else "OVER"
    return (
        f"{what:<58} median {median * 1000:8.1f} ms   slowest {max(seconds) * 1000:8.1f} ms   "
        f"target {target * 1000:,.0f} ms: {verdict}"
    )


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    arguments.add_argument("--entries", type=int, default=10_000)
    arguments.add_argument("--producers", type=int, default=10_000)
    arguments.add_argument("--runs", type=int, default=7)
    options = arguments.parse_args()
    name = f"bilum_bench_settlement_{uuid.uuid4().hex[:8]}"
    _database(options.postgres, name, create=True)
    url = options.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://") + f"/{name}"
    try:
        migrations.upgrade("settlement", url)
        database = Database("settlement", outbox, inbox, engine=make_engine("settlement", url))
        started = time.perf_counter()
        busy = _seed(database, options.entries, options.producers)
        print(
            f"seeded {options.entries:,} entries of one producer and {options.producers:,} producers owed "
            f"in {time.perf_counter() - started:.1f} s"
        )

        def statement(query):
            with database.transaction() as uow:
                document = statements.statement(uow, ORG, busy, query)
            assert document.get("accounts") or document.get("data"), document

        month = (datetime.now(timezone.utc) - timedelta(days=30)).date().isoformat()
        last = -(-options.entries // 200)
        results = [
            _line(
                f"statement of {options.entries:,} entries, first page (JSON)",
                _timed(options.runs, lambda: statement({})),
                STATEMENT_TARGET_S,
            ),
            _line(
                f"statement of {options.entries:,} entries, last page (JSON)",
                _timed(options.runs, lambda: statement({"page": last})),
                STATEMENT_TARGET_S,
            ),
            _line(
                "statement of its last month (JSON)",
                _timed(options.runs, lambda: statement({"from": month})),
                STATEMENT_TARGET_S,
            ),
            _line(
                f"statement of {options.entries:,} entries, all of it (CSV)",
                _timed(3, lambda: statement({"format": "csv"})),
                1.0,
            ),
        ]

        def draft():
            with database.transaction() as uow:
                batch = payouts.draft_batch(uow, ORG, "bench", {"currency": "USD"})
            assert len(batch["lines"]) == options.producers, len(batch["lines"])

        drafts = []
        for _ in range(max(3, options.runs // 2)):
            drafts += _timed(1, draft)
            with database.transaction() as uow:
                uow.session.execute(delete(payout_lines))
                uow.session.execute(delete(payout_batches))
        results.append(_line(f"payout batch drafted over {options.producers:,} producers owed", drafts, DRAFT_TARGET_S))
        print("\n".join(results))
        database.engine.dispose()
    finally:
        _database(options.postgres, name, create=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
