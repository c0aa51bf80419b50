"""Throughput of the order pipeline against the raw broker, measured in one run on this machine.

Starts every service on a PostgreSQL database and a RabbitMQ vhost of its own, publishes one offering made by 20
approved producers, then places orders over the HTTP API at a steady rate. Each order line is split across the 20
producers, so one order makes order.placed, 20 quota.offered, order.allocated, order.status_changed, the offers'
SMS and 20 notification.sent (43 bus messages). It reports orders per second sustained, bus messages per second,
and the latency from
order.placed to the order's last quota.offered (p50, p99); then, on the same broker, a plain pika publisher and
consumer moving messages of the same size (raw broker throughput).

    python bench/pipeline.py [--rate 20] [--seconds 30] [--json]
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pika  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from shared.weeks import iso_week  # noqa: E402

PRODUCERS = 20
# order.placed, a quota.offered per producer, order.allocated, order.status_changed (allocated), and a
# notification.sent per producer told of the offer.
MESSAGES_PER_ORDER = 1 + PRODUCERS + 1 + 1 + PRODUCERS
MANAGEMENT = os.environ.get("BILUM_BENCH_RABBIT_MANAGEMENT", "http://127.0.0.1:15672")
BROKER = os.environ.get("BILUM_BENCH_AMQP_HOST", "127.0.0.1:5672")
GUEST = ("guest", "guest")


def broker_vhost(name: str, create: bool) -> None:
    """Make (or drop) a vhost of the machine's RabbitMQ for one run, with guest allowed on it."""
    url = f"{MANAGEMENT}/api/vhosts/{quote(name, safe='')}"
    if create:
        requests.put(url, auth=GUEST, timeout=10).raise_for_status()
        requests.put(
            f"{MANAGEMENT}/api/permissions/{quote(name, safe='')}/guest",
            auth=GUEST,
            timeout=10,
            json={"configure": ".*", "write": ".*", "read": ".*"},
        ).raise_for_status()
    else:
        requests.delete(url, auth=GUEST, timeout=10)


def _credentials() -> tuple[dict, dict]:
    """API-key headers of an admin, who seeds the catalogue, and of a buyer, who places the orders; both made in the
    run's own database, since every API route but sign-in needs credentials."""
    from bilum import users

    keys = []
    for role, organisation in (("admin", None), ("buyer", "bench-buyers")):
        username = f"bench-{role}-{uuid.uuid4().hex[:8]}"
        users.create(username, uuid.uuid4().hex, role, organisation)
        keys.append({"X-API-Key": users.api_key(username, "pipeline bench")})
    return keys[0], keys[1]


def _seed(api: str, admin: dict) -> str:
    def post(path, body):
        response = requests.post(api + path, json=body, headers=admin, timeout=30)
        response.raise_for_status()
        return response.json()

    offering = post(
        "/offerings",
        {
            "organisation_id": "bench",
            "sku": "BENCH-1",
            "name": "Bench bag",
            "description": "",
            "unit_price": "10.00",
            "producer_price": "6.00",
            "currency": "USD",
            "unit_weight_g": 300,
            "unit_volume_cm3": 2000,
        },
    )["id"]
    first = date.today() + timedelta(days=7 - date.today().weekday())
    for n in range(PRODUCERS):
        producer = post(
            "/producers",
            {
                "organisation_id": "bench",
                "name": f"Bench producer {n}",
                "village": "V",
                "district": "D",
                "region": "R",
                "country": "PG",
                "latitude": -6.0,
                "longitude": 145.0,
                "remoteness": "all_season_road",
                "mobile": f"+6757{n:07d}",
                "languages": ["en"],
            },
        )["id"]
        post(
            f"/offerings/{offering}/approvals",
            {"producer_id": producer, "stage": "sample", "status": "approved", "decided_on": date.today().isoformat()},
        )
        post(
            f"/producers/{producer}/capacity",
            {
                "offering_id": offering,
                "weeks": [{"week": iso_week(first + timedelta(weeks=k)), "units": 1_000_000} for k in range(4)],
            },
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = requests.get(f"{api}/offerings/{offering}/capacity", headers=admin, timeout=10)
        if response.ok and len(response.json()["producers"]) == PRODUCERS:
            return offering
        time.sleep(0.3)
    raise RuntimeError("allocation never learnt the producers' capacity")


def _drive(api: str, rate: float, seconds: float, buyer: dict) -> list:
    """Orders at a steady rate from a pool of clients; the ids placed."""
    body = {
        "buyer": {"name": "Bench buyer", "email": "bench@example.org"},
        "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
        "due_date": (date.today() + timedelta(days=120)).isoformat(),
        "lines": [{"sku": "BENCH-1", "quantity": 20 * PRODUCERS}],
        "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
    }
    placed, lock = [], threading.Lock()

    def place():
        response = requests.post(
            f"{api}/orders", json=body, timeout=60, headers={**buyer, "Idempotency-Key": str(uuid.uuid4())}
        )
        response.raise_for_status()
        with lock:
            placed.append(response.json()["id"])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(int(rate * seconds)):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            pool.submit(place)
    return placed


def _settled(url: str, orders: list, timeout_s: float = 300) -> list:
    """Per order, seconds from placement to its last quota offered, once every order has its 20 offers."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT o.order_id, o.placed_at, max(q.offered_at), count(q.quota_id) "
                        "FROM orders.orders o JOIN aggregation.quotas q ON q.order_id = o.order_id "
                        "GROUP BY o.order_id, o.placed_at"
                    )
                ).all()
                sent = connection.execute(
                    text(
                        "SELECT count(*) FROM notification.deliveries WHERE template = 'quota_offered' "
                        "AND status = 'sent'"
                    )
                ).scalar_one()
            complete = [row for row in rows if row[3] >= PRODUCERS]
            if len(complete) >= len(orders) and sent >= len(orders) * PRODUCERS:
                return [(row[2] - row[1]).total_seconds() for row in complete]
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(complete)} of {len(orders)} orders offered, {sent} SMS sent")
            time.sleep(0.5)
    finally:
        engine.dispose()


def _raw_broker(vhost: str, messages: int, size: int) -> float:
    """Messages per second through the broker alone: one pika publisher with confirms, one consumer."""
    parameters = pika.URLParameters(f"amqp://guest:guest@{BROKER}/{quote(vhost, safe='')}")
    queue = f"bench-raw-{uuid.uuid4().hex[:8]}"
    body = b"x" * size
    received = threading.Event()

    def consume():
        connection = pika.BlockingConnection(parameters)
        channel = connection.channel()
        channel.basic_qos(prefetch_count=200)
        count = 0
        for method, _, _ in channel.consume(queue):
            channel.basic_ack(method.delivery_tag)
            count += 1
            if count == messages:
                break
        channel.cancel()
        connection.close()
        received.set()

    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    channel.confirm_delivery()
    consumer = threading.Thread(target=consume)
    started = time.perf_counter()
    consumer.start()
    for _ in range(messages):
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    received.wait()
    elapsed = time.perf_counter() - started
    channel.queue_delete(queue)
    connection.close()
    return messages / elapsed


def _run(args, vhost: str, name: str, url: str) -> tuple[dict, list]:
    """The whole platform on its own vhost and database, driven, then the raw broker on the same vhost."""
    os.environ.update(
        {
            "AMQP_URI": f"amqp://guest:guest@{BROKER}/{quote(vhost, safe='')}",
            "BILUM_DATABASE_URL": url,
            "BILUM_VAR_DIR": f"/tmp/{name}",
            "BILUM_SMS_INBOUND_SECRET": uuid.uuid4().hex,
        }
    )
    from bilum.supervisor import Supervisor
    from shared import config, migrations

    supervisor = Supervisor()
    try:
        migrations.upgrade_all()
        admin, buyer = _credentials()
        supervisor.start()
        api = config.gateway_url() + "/api/v1"
        _seed(api, admin)
        started = time.monotonic()
        orders = _drive(api, args.rate, args.seconds, buyer)
        latencies = sorted(_settled(url, orders))
        elapsed = time.monotonic() - started
        with requests.Session() as http:
            message_size = len(
                json.dumps(http.get(f"{api}/quotas", params={"page_size": 1}, headers=admin).json()["items"][0])
            )
    finally:
        supervisor.stop()
    messages = len(orders) * MESSAGES_PER_ORDER
    raw = _raw_broker(vhost, 20_000, max(message_size, 512))
    return {
        "orders_per_s": round(len(orders) / elapsed, 2),
        "messages_per_s": round(messages / elapsed, 1),
        "raw_broker_messages_per_s": round(raw, 1),
        "ratio_to_raw_broker": round(messages / elapsed / raw, 3),
        "p50_latency_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_latency_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
    }, orders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="orders per second offered")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    args = parser.parse_args()

    vhost = f"bilum-bench-{uuid.uuid4().hex[:8]}"
    with scratch_database() as (name, url):
        broker_vhost(vhost, create=True)
        try:
            figures, orders = _run(args, vhost, name, url)
        finally:
            broker_vhost(vhost, create=False)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>28}: {value}")
        print(
            f"{len(orders)} orders offered at {args.rate:g}/s for {args.seconds:g} s; "
            f"{len(orders) * MESSAGES_PER_ORDER} bus messages ({MESSAGES_PER_ORDER} per order)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
