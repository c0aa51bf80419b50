"""The dashboard and the lists behind it with a year of history: 200 organisations, 50,000 orders, a million quotas
and lots, measured in one run on this machine.

Builds the history in a PostgreSQL database of its own (``bilum_bench_dashboard``, a schema per service, the
services' migrations first; ``bench/dashboard_data.py`` says what it holds), starts every service on it and a
RabbitMQ vhost of its own, makes an admin and an aggregator for a few organisations of different sizes, then asks,
one request at a time as a person clicking would: the dashboard; the first page of orders, quotas and lots and a
page filtered by status; an order and what the dashboard's drill-down asks with it (its quotas, lots, shipments
and offers; ``drill_down`` is those five asked at once, as the page does, until the last answer). It starts asking
once the services have counted everyone's figures (a minute after they start, ``shared.everyones_figures``); each
kind is asked ``--requests`` times by each role, the kinds taking turns, after a warm-up. Prints per kind and role:
count, p50, p99 and max, and the machine's load; exits 1 when a p99 is over ``--budget-ms`` or an answer was not 2xx.

The database stays for the next run: ``--reuse`` measures it again without rebuilding (its history is as of the day
it was built), ``--drop`` removes it afterwards.

    python bench/dashboard.py [--requests 100] [--budget-ms 300] [--reuse] [--drop] [--json]
"""

import argparse
import json
import math
import os
import random
import secrets
import shutil
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg2  # noqa: E402
import requests  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import dashboard_data  # noqa: E402
from bench.pipeline import BROKER, broker_vhost  # noqa: E402
from bench.scratch import ADMIN_URL  # noqa: E402
from bilum.ports import free_port  # noqa: E402
from shared import config  # noqa: E402
from shared.config import SERVICES  # noqa: E402
from shared.everyones_figures import TICK_S  # noqa: E402

DATABASE = "bilum_bench_dashboard"
# The run sets these itself: a broker, port or database this shell names would mix the run with another platform.
MADE_BY_THE_RUN = ("AMQP_URI", "BILUM_OPS_PORT", "BILUM_DATABASE_URL", *(f"BILUM_{s.upper()}_DB" for s in SERVICES))
# The aggregators measured: the organisations with the most, the median and the fewest orders.
AGGREGATORS = 3
DRILL_DOWN = ("order", "order_quotas", "order_lots", "order_shipments", "order_offers")


def _control():
    admin = make_url(ADMIN_URL)
    connection = psycopg2.connect(
        host=admin.host, port=admin.port or 5432, user=admin.username, password=admin.password, dbname=admin.database
    )
    connection.autocommit = True
    return connection


def database_url() -> str:
    return make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)


def prepare(args, url: str) -> dict:
    """The database with its history: the one there when ``--reuse`` finds it complete, else built anew. Either
    way the services' migrations run first, so a new index is measured on the history already built."""
    from shared import migrations

    found = dashboard_data.existing_counts(url) if args.reuse else None
    if found is None:
        control = _control()
        try:
            control.cursor().execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            control.cursor().execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            control.close()
    started = time.monotonic()
    migrations.upgrade_all()
    print(f"migrations: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    if found is not None:
        print("reusing the history built before", file=sys.stderr, flush=True)
        return found
    print(f"building {args.orders} orders of {args.organisations} organisations...", file=sys.stderr, flush=True)
    started = time.monotonic()
    t0 = datetime.now(timezone.utc).replace(microsecond=0)
    built = dashboard_data.build(
        url, args.organisations, args.orders, args.seed, t0, say=lambda line: print(line, file=sys.stderr, flush=True)
    )
    print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return built


@contextmanager
def platform(url: str):
    """Every service on the database and a vhost of their own, on free ports; the gateway's URL."""
    from bilum.supervisor import Supervisor

    vhost = f"bilum-bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    os.environ.update(
        {
            "AMQP_URI": f"amqp://guest:guest@{BROKER}/{quote(vhost, safe='')}",
            "BILUM_DATABASE_URL": url,
            "BILUM_GATEWAY_PORT": str(port),
            "BILUM_GATEWAY_URL": f"http://127.0.0.1:{port}",
            "BILUM_JWT_SECRET": secrets.token_urlsafe(32),
            **{f"BILUM_{service.upper()}_OPS_PORT": str(free_port()) for service in SERVICES},
        }
    )
    broker_vhost(vhost, create=True)
    supervisor = Supervisor(log_dir=config.var_dir() / "log")
    try:
        supervisor.start()
        yield config.gateway_url()
    finally:
        supervisor.stop()
        broker_vhost(vhost, create=False)


def _people(url: str) -> list[dict]:
    """An admin, and an aggregator of each organisation measured, each with an API key and sample orders."""
    from bilum import users

    connection = dashboard_data.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT organisation_id, count(*) FROM orders.orders GROUP BY organisation_id ORDER BY 2 DESC, 1"
            )
            ranked = [row[0] for row in cursor.fetchall()]
            chosen = [ranked[0], ranked[len(ranked) // 2], ranked[-1]][:AGGREGATORS]
            people = []
            for role, organisation in [("admin", None)] + [("aggregator", org) for org in chosen]:
                username = f"bench-{role}-{uuid.uuid4().hex[:8]}"
                users.create(username, secrets.token_urlsafe(16), role, organisation)
                condition, values = ("WHERE organisation_id = %s", (organisation,)) if organisation else ("", ())
                cursor.execute(f"SELECT order_id FROM orders.orders {condition} ORDER BY random() LIMIT 200", values)
                people.append(
                    {
                        "role": role,
                        "organisation_id": organisation,
                        "headers": {"X-API-Key": users.api_key(username, "dashboard bench")},
                        "orders": [row[0] for row in cursor.fetchall()],
                    }
                )
    finally:
        connection.close()
    return people


def _requests(order_id: str) -> dict[str, str]:
    """Every kind of request measured, as a path of the API; the drill-down's with the order it opens."""
    drill = f"?order_id={quote(order_id)}&page_size=100"
    return {
        "dashboard": "/dashboard",
        "orders": "/orders",
        "orders_by_status": "/orders?status=in_production",
        "quotas": "/quotas",
        "quotas_by_status": "/quotas?status=accepted",
        "lots": "/lots",
        "lots_by_status": "/lots?status=reported",
        "order": f"/orders/{quote(order_id)}",
        "order_quotas": f"/quotas{drill}",
        "order_lots": f"/lots{drill}",
        "order_shipments": f"/shipments{drill}",
        "order_offers": f"/orders/{quote(order_id)}/offers",
    }


class Measure:
    """Latencies per (kind, role), and what did not answer 2xx."""

    def __init__(self, api: str):
        self.api = api
        self.latencies: dict[tuple[str, str], list[float]] = {}
        self.refusals: list[str] = []
        self.sessions: dict[str, requests.Session] = {}

    def get(self, person: dict, path: str) -> float:
        session = self.sessions.setdefault(person["headers"]["X-API-Key"], requests.Session())
        started = time.perf_counter()
        response = session.get(self.api + path, headers=person["headers"], timeout=60)
        elapsed = time.perf_counter() - started
        if not response.ok:
            self.refusals.append(f"{response.status_code} GET {path}: {response.text[:160]}")
        return elapsed

    def record(self, kind: str, role: str, elapsed: float) -> None:
        self.latencies.setdefault((kind, role), []).append(elapsed)

    def drill_down(self, person: dict, paths: dict, pool: ThreadPoolExecutor) -> float:
        """The five requests of an order's drill-down at once, as the page sends them: until the last answer."""
        started = time.perf_counter()
        list(pool.map(lambda kind: self.get(person, paths[kind]), DRILL_DOWN))
        return time.perf_counter() - started


def drive(gateway: str, people: list[dict], rounds: int, warm_up: int, seed: int) -> Measure:
    """``rounds`` of every kind for every role, the kinds taking turns; each aggregator in turn for its role."""
    measure = Measure(gateway + "/api/v1")
    chance = random.Random(seed)
    aggregators = [person for person in people if person["role"] == "aggregator"]
    roles = {"admin": [person for person in people if person["role"] == "admin"], "aggregator": aggregators}
    with ThreadPoolExecutor(max_workers=len(DRILL_DOWN)) as pool:
        for round_number in range(warm_up + rounds):
            for role, persons in roles.items():
                person = persons[round_number % len(persons)]
                paths = _requests(chance.choice(person["orders"]))
                for kind, path in paths.items():
                    elapsed = measure.get(person, path)
                    if round_number >= warm_up:
                        measure.record(kind, role, elapsed)
                elapsed = measure.drill_down(person, paths, pool)
                if round_number >= warm_up:
                    measure.record("drill_down", role, elapsed)
    return measure


def _ms(value: float) -> float:
    return round(value * 1000, 1)


def _percentile(ordered: list[float], share: float) -> float:
    """By nearest rank: of 100 answers, the 99th percentile is the second slowest."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(measure: Measure, budget_ms: float) -> list[dict]:
    rows = []
    for (kind, role), latencies in measure.latencies.items():
        ordered = sorted(latencies)
        p99 = _ms(_percentile(ordered, 0.99))
        rows.append(
            {
                "kind": kind,
                "role": role,
                "count": len(ordered),
                "p50_ms": _ms(_percentile(ordered, 0.5)),
                "p99_ms": p99,
                "max_ms": _ms(ordered[-1]),
                "over_budget": p99 > budget_ms,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100, help="of each kind, by each role")
    parser.add_argument("--warm-up", type=int, default=3, help="rounds asked first and not counted")
    parser.add_argument("--budget-ms", type=float, default=300.0, help="the p99 each kind must keep under")
    parser.add_argument("--seed", type=int, default=1, help="of the history (and of the orders opened)")
    parser.add_argument("--reuse", action="store_true", help="measure the database built before, if complete")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    args = parser.parse_args()

    url = database_url()
    # The services' logs stay there for a look afterwards (the next run empties it).
    var_dir = config.var_dir() / "dashboard-bench"
    shutil.rmtree(var_dir, ignore_errors=True)
    for name in MADE_BY_THE_RUN:
        os.environ.pop(name, None)
    os.environ["BILUM_VAR_DIR"] = str(var_dir)
    os.environ["BILUM_DATABASE_URL"] = url
    try:
        built = prepare(args, url)
        with platform(url) as gateway:
            started = time.monotonic()
            people = _people(url)
            # As an admin would find them: the services count everyone's figures a minute after they start.
            wait_s = TICK_S + 30 - (time.monotonic() - started)
            print(f"waiting {wait_s:.0f} s for everyone's figures to be counted...", file=sys.stderr, flush=True)
            time.sleep(max(0.0, wait_s))
            print(f"measuring {args.requests} rounds...", file=sys.stderr, flush=True)
            started, load_before = time.monotonic(), os.getloadavg()[0]
            measure = drive(gateway, people, args.requests, args.warm_up, args.seed)
            seconds, load_after = time.monotonic() - started, os.getloadavg()[0]
    finally:
        if args.drop:
            control = _control()
            control.cursor().execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            control.close()
    rows = figures(measure, args.budget_ms)
    failed = any(row["over_budget"] for row in rows) or bool(measure.refusals)
    machine = {"cores": os.cpu_count(), "load_before": load_before, "load_after": load_after, "seconds": seconds}
    if args.json:
        print(json.dumps({"rows": rows, "data": built, "refusals": measure.refusals[:20], "machine": machine}))
    else:
        _table(rows, built, measure.refusals, args, machine)
    return 1 if failed else 0


def _table(rows: list[dict], built: dict, refusals: list[str], args, machine: dict) -> None:
    print(", ".join(f"{table} {count:,}" for table, count in built.items()))
    columns = ("count", "p50_ms", "p99_ms", "max_ms")
    print(f"{'kind':<18}{'role':<12}" + "".join(f"{column:>9}" for column in columns))
    for row in sorted(rows, key=lambda row: (row["kind"], row["role"])):
        flag = "  over budget" if row["over_budget"] else ""
        print(f"{row['kind']:<18}{row['role']:<12}" + "".join(f"{row[column]:>9}" for column in columns) + flag)
    print(
        f"budget: p99 under {args.budget_ms:g} ms; {args.requests} rounds in {machine['seconds']:.0f} s on "
        f"{machine['cores']} cores, load average {machine['load_before']:.1f} before and {machine['load_after']:.1f} "
        "after (other work on the machine slows every figure)"
    )
    for refusal in refusals[:20]:
        print(f"  {refusal}")


if __name__ == "__main__":
    sys.exit(main())
