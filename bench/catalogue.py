"""How fast the catalogue answers "who can make N units of offering X by date D" on PostgreSQL.

10,000 producers x 5 offerings x 26 weeks of capacity (1.3 million calendar rows, every producer approved for every
offering, a tenth of the weeks partly committed) in a database of its own; then the availability use case, exactly as
the API runs it, for deadlines from 2 to 26 weeks out. Prints the median and the 95th percentile.

    python bench/catalogue.py [--producers 10000] [--weeks 26] [--queries 40] [--keep]
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402

OFFERINGS = 5
EPOCH = date(1970, 1, 1)


def _copy(cursor, table: str, columns: tuple, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY catalogue.{table} ({', '.join(columns)}) FROM STDIN", buffer)


def seed(url: str, producers: int, weeks: int, rng: random.Random) -> list:
    from shared.weeks import monday_of, order_by

    now = datetime.now(timezone.utc).isoformat()
    first_week = monday_of(date.today()) + timedelta(weeks=1)
    offering_ids = [f"off_bench_{n}" for n in range(OFFERINGS)]
    producer_ids = [f"prd_{n:06d}" for n in range(producers)]
    parts = make_url(url)
    connection = psycopg2.connect(host=parts.host, port=parts.port or 5432, user=parts.username, dbname=parts.database)
    with connection, connection.cursor() as cursor:
        _copy(
            cursor,
            "producers",
            (
                "producer_id",
                "organisation_id",
                "name",
                "village",
                "district",
                "region",
                "country",
                "latitude",
                "longitude",
                "remoteness",
                "closed_months",
                "service_weekdays",
                "mobile",
                "email",
                "webhook_url",
                "languages",
                "registered_at",
                "updated_at",
            ),
            (
                (
                    pid,
                    "org",
                    f"Producer {pid}",
                    "Village",
                    "District",
                    f"Region {n % 20}",
                    "PG",
                    -6.0,
                    145.0,
                    "all_season_road",
                    "[]",
                    "[]",
                    f"+6757{n:07d}",
                    None,
                    None,
                    '["tpi"]',
                    now,
                    now,
                )
                for n, pid in enumerate(producer_ids)
            ),
        )
        _copy(
            cursor,
            "offerings",
            (
                "offering_id",
                "organisation_id",
                "sku",
                "name",
                "description",
                "unit_price",
                "producer_price",
                "currency",
                "unit_weight_g",
                "unit_volume_cm3",
                "attributes",
                "quality_standard",
                "min_order",
                "status",
                "published_at",
                "updated_at",
            ),
            (
                (
                    oid,
                    "org",
                    f"SKU-{n}",
                    f"Offering {n}",
                    "",
                    "10.00",
                    "6.00",
                    "USD",
                    300,
                    2000,
                    "{}",
                    '{"aql": {"major": 2.5}}',
                    1,
                    "published",
                    now,
                    now,
                )
                for n, oid in enumerate(offering_ids)
            ),
        )
        _copy(
            cursor,
            "approvals",
            ("offering_id", "producer_id", "stage", "status", "decided_on", "updated_at"),
            ((oid, pid, "sample", "approved", date.today(), now) for oid in offering_ids for pid in producer_ids),
        )

        profiles = []

        def calendar():
            for oid in offering_ids:
                for pid in producer_ids:
                    lead_time = rng.choice((0, 7, 14, 21))
                    free = []
                    for n in range(weeks):
                        monday = first_week + timedelta(weeks=n)
                        units = rng.randint(0, 40)
                        committed = rng.randint(0, units) if rng.random() < 0.1 else 0
                        free.append(units - committed)
                        yield (pid, oid, monday, units, committed, lead_time, 1, order_by(monday, lead_time), now)
                    cumulative = ",".join(str(total) for total in accumulate(free, initial=0))
                    profiles.append((oid, pid, "t", lead_time, (first_week - EPOCH).days, weeks, f"{{{cumulative}}}"))

        _copy(
            cursor,
            "capacity_weeks",
            (
                "producer_id",
                "offering_id",
                "week_start",
                "units",
                "committed",
                "lead_time_days",
                "min_lot",
                "order_by",
                "declared_at",
            ),
            calendar(),
        )
        _copy(
            cursor,
            "capacity_profiles",
            ("offering_id", "producer_id", "approved", "lead_time_days", "first_day", "weeks", "cumulative_free"),
            profiles,
        )
        cursor.execute("ANALYZE")
    connection.close()
    return offering_ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--producers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="leave the benchmark database behind")
    args = parser.parse_args()

    with scratch_database(keep=args.keep) as (_, url):
        os.environ["BILUM_DATABASE_URL"] = url
        from services.catalogue import capacity
        from services.catalogue.store import inbox, outbox
        from shared import migrations
        from shared.store import Database

        migrations.upgrade("catalogue")
        started = time.perf_counter()
        offering_ids = seed(url, args.producers, args.weeks, random.Random(2026))
        rows = args.producers * OFFERINGS * args.weeks
        print(
            f"seeded {args.producers:,} producers x {OFFERINGS} offerings x {args.weeks} weeks = {rows:,} "
            f"calendar rows in {time.perf_counter() - started:.1f} s"
        )

        db = Database("catalogue", outbox, inbox)
        rng = random.Random(7)
        timings, answered = [], []
        for n in range(args.queries + 3):
            offering_id = rng.choice(offering_ids)
            by = date.today() + timedelta(weeks=rng.randint(2, args.weeks + 1))
            query = {"quantity": str(rng.randint(1_000, 200_000)), "by": by.isoformat()}
            with db.transaction() as uow:
                began = time.perf_counter()
                answer = capacity.availability(uow, offering_id, query)
                elapsed = time.perf_counter() - began
            if n >= 3:
                timings.append(elapsed * 1000)
                answered.append(answer["producer_count"])
        db.engine.dispose()
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"who can make N by D: {len(timings)} queries, median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"producers able per answer {min(answered):,}..{max(answered):,}"
        )
        print(f"target: median under 50 ms -> {'met' if median < 50 else 'NOT met'}")
        return 0 if median < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
