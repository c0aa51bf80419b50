"""The gateway under load: a few hundred people using the platform at once, measured in one run on this machine.

Runs the demonstration (``bilum demo --serve``) on a PostgreSQL database (``--sqlite``: the services' own files), a
RabbitMQ vhost and ports of its own, and makes a user for each client through the API. Each client, in a keep-alive
session of its own, signs in and does what its role does, pausing between requests (``--think-s`` on average):
aggregators read the dashboard, orders, quotas and lots; buyers read their orders and place some; producers read
their quotas and lots; now and then one signs in again. A 429 is waited out as its Retry-After says, then asked again.
Prints per kind of request: count, throughput, p50 and p99 of the answers but 429s, and the count of each status
class, 429 apart. Exits 1 if any answer was 5xx, a 429 came without Retry-After, or a request went unanswered.

    python bench/gateway_load.py [--clients 300] [--seconds 120] [--think-s 1.0] [--sqlite] [--json]
"""

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.pipeline import broker_vhost  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402
from bilum import demo_data, demo_slate, users  # noqa: E402
from bilum.demo_http import Api  # noqa: E402
from bilum.ports import free_port  # noqa: E402
from shared import config  # noqa: E402
from shared.config import SERVICES  # noqa: E402

# What `bilum demo --serve` says once the demonstration is done and the services stay up.
SERVING = "The services keep running"
# Of every ten clients: one aggregator, four buyers, five producers.
ROLE_SHARES = {"aggregator": 0.1, "buyer": 0.4}
# What each role asks for, with weights: a method of ``Client``, else a list read with GET (its first page).
ACTIONS = {
    "aggregator": {"dashboard": 3, "orders": 2, "quotas": 2, "lots": 2, "order": 1},
    "buyer": {"orders": 6, "order": 6, "place_order": 1},
    "producer": {"quotas": 5, "lots": 3},
}
# What each request is counted as: its status class, a 429 with or without Retry-After, or no answer at all.
COUNTS = ("2xx", "3xx", "4xx", "429", "429_without_retry_after", "5xx", "unanswered")
# About once in this many actions a client's session has ended and it signs in again.
SIGN_IN_AGAIN = 200
# The run sets these itself: a broker, port or database this shell names would mix the run with another platform.
MADE_BY_THE_RUN = ("AMQP_URI", "BILUM_OPS_PORT", "BILUM_DATABASE_URL", *(f"BILUM_{s.upper()}_DB" for s in SERVICES))
MIN_ORDER = {offering["sku"]: offering.get("min_order", 1) for offering in demo_data.OFFERINGS}


@dataclass
class Person:
    """A client's user, as ``POST /api/v1/users`` takes it."""

    username: str
    password: str
    role: str
    organisation_id: str
    producer_id: str | None = None


@dataclass
class Tally:
    """What one kind of request got: latencies of the answers but 429s, a count of each of COUNTS, the refusals."""

    latencies: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.latencies += other.latencies
        self.counts.update(other.counts)
        self.refusals.update(other.refusals)


def _forward(stream, serving: threading.Event) -> None:
    """The demo's progress, shown as it comes; the pipe is drained to the end so the demo never blocks on it."""
    for line in stream:
        print(f"  | {line.rstrip()}", file=sys.stderr, flush=True)
        if SERVING in line:
            serving.set()


@contextmanager
def demo_platform(sqlite: bool, timeout_s: float = 900):
    """The gateway's URL once the demonstration is done; the services, database and vhost go afterwards, the logs stay
    (in the var directory's ``gateway-load``, emptied by the next run)."""
    vhost, var_dir = f"bilum-bench-{uuid.uuid4().hex[:8]}", config.var_dir() / "gateway-load"
    var_dir.mkdir(parents=True, exist_ok=True)
    with nullcontext((None, None)) if sqlite else scratch_database() as (_, url):
        for name in MADE_BY_THE_RUN:
            os.environ.pop(name, None)
        port = free_port()
        os.environ.update(
            {
                **({} if sqlite else {"BILUM_DATABASE_URL": url}),
                "BILUM_VAR_DIR": str(var_dir),
                "BILUM_DEMO_VHOST": vhost,
                "BILUM_GATEWAY_PORT": str(port),
                "BILUM_GATEWAY_URL": f"http://127.0.0.1:{port}",
                **{f"BILUM_{service.upper()}_OPS_PORT": str(free_port()) for service in SERVICES},
            }
        )
        serving = threading.Event()
        with open(var_dir / "demo-report.txt", "wb") as report:
            demo = subprocess.Popen(
                [sys.executable, "-m", "bilum.cli", "demo", "--serve"],
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=report,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        threading.Thread(target=_forward, args=(demo.stderr, serving), daemon=True).start()
        try:
            deadline = time.monotonic() + timeout_s
            while not serving.wait(0.5):
                if demo.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the demo did not get to serving (exit code {demo.poll()}): see above")
            # Where the demo keeps its files, SQLite databases included: the users are made there.
            os.environ["BILUM_VAR_DIR"] = str(var_dir / demo_slate.DIRECTORY)
            yield os.environ["BILUM_GATEWAY_URL"]
        finally:
            demo.send_signal(signal.SIGINT)
            try:
                demo.wait(90)
            except subprocess.TimeoutExpired:
                demo.kill()
                print(f"the demo did not stop: its services may still run (logs in {var_dir})", file=sys.stderr)
            broker_vhost(vhost, create=False)


def _roles(clients: int) -> list[str]:
    aggregators = max(1, round(clients * ROLE_SHARES["aggregator"]))
    buyers = max(1, round(clients * ROLE_SHARES["buyer"]))
    return ["aggregator"] * aggregators + ["buyer"] * buyers + ["producer"] * (clients - aggregators - buyers)


def make_people(gateway: str, clients: int) -> list[Person]:
    """A user of its own for each client, made by an admin through the API as an operator would."""
    admin_name = f"bench-admin-{uuid.uuid4().hex[:8]}"
    users.create(admin_name, secrets.token_urlsafe(16), "admin")
    admin = Api(gateway, {"X-API-Key": users.api_key(admin_name, "gateway load bench")})
    cooperative = demo_data.ORGANISATION["id"]
    producers = [item["id"] for item in admin.all_pages("/api/v1/producers", organisation_id=cooperative)]
    buyers = [demo_data.buyer_organisation(buyer) for buyer in demo_data.BUYERS]
    people = []
    for n, role in enumerate(_roles(clients)):
        organisation = buyers[n % len(buyers)] if role == "buyer" else cooperative
        producer = producers[n % len(producers)] if role == "producer" else None
        people.append(Person(f"bench-{role}-{n}", secrets.token_urlsafe(16), role, organisation, producer))
    bodies = [{key: value for key, value in asdict(person).items() if value} for person in people]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(partial(admin.post, "/api/v1/users"), bodies))
    return people


class Client(threading.Thread):
    """One person at a keyboard: one keep-alive session, one request at a time, a pause between requests."""

    def __init__(self, person: Person, gateway: str, start_at: float, deadline: float, think_s: float, seed: int):
        super().__init__(daemon=True)
        self.person, self.api = person, gateway + "/api/v1"
        self.start_at, self.deadline, self.think_s = start_at, deadline, think_s
        self.random = random.Random(seed)
        self.tallies: dict[str, Tally] = {}
        self.order_ids: list[str] = []
        self.http = requests.Session()

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        kinds, weights = zip(*ACTIONS[self.person.role].items())
        try:
            self.sign_in()
            while time.monotonic() < self.deadline:
                if self.random.randrange(SIGN_IN_AGAIN) == 0:
                    self.sign_in()
                else:
                    action = self.random.choices(kinds, weights)[0]
                    getattr(self, action, partial(self.read, action))()
                pause = self.random.expovariate(1 / self.think_s) if self.think_s > 0 else 0.0
                time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))
        except Exception as error:
            # An answer the client could not read: counted as unanswered, so the run fails and says why.
            stopped = self.tallies.setdefault("client", Tally())
            stopped.counts["unanswered"] += 1
            stopped.refusals[f"client stopped: {error!r}"[:200]] += 1
        finally:
            self.http.close()

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        tally = self.tallies.setdefault(kind, Tally())
        while time.monotonic() < self.deadline:
            started = time.perf_counter()
            try:
                response = self.http.request(method, self.api + path, timeout=60, **kwargs)
            except requests.RequestException as error:
                tally.counts["unanswered"] += 1
                tally.refusals[f"no answer: {type(error).__name__}"] += 1
                return None
            elapsed = time.perf_counter() - started
            if response.status_code == 429:
                wait = response.headers.get("Retry-After", "")
                tally.counts["429" if wait.isdigit() else "429_without_retry_after"] += 1
                if not wait.isdigit():
                    return None
                time.sleep(max(0.0, min(float(wait), self.deadline - time.monotonic())))
                continue
            tally.latencies.append(elapsed)
            tally.counts[f"{response.status_code // 100}xx"] += 1
            if response.status_code >= 400:
                tally.refusals[f"{response.status_code} {response.text[:120]}"] += 1
                return None
            return response
        return None

    def sign_in(self) -> None:
        answer = self.call(
            "sign_in", "POST", "/auth/token", json={"username": self.person.username, "password": self.person.password}
        )
        if answer is not None:
            self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def read(self, kind: str) -> None:
        answer = self.call(kind, "GET", f"/{kind}")
        if kind == "orders" and answer is not None:
            self.order_ids = [item["id"] for item in answer.json()["items"]] or self.order_ids

    def order(self) -> None:
        """One of the orders the client saw in its list or placed; the list first when it has seen none."""
        if not self.order_ids:
            return self.read("orders")
        self.call("order", "GET", f"/orders/{self.random.choice(self.order_ids)}")

    def place_order(self) -> None:
        """One of the buyer's demo orders again, a few minimum orders a line."""
        buyer = next(b for b in demo_data.BUYERS if demo_data.buyer_organisation(b) == self.person.organisation_id)
        template = self.random.choice(buyer["orders"])
        body = {
            "buyer": {"name": buyer["name"], "email": buyer["email"]},
            "destination": buyer["destination"],
            "due_date": (date.today() + timedelta(days=template["due_in_days"])).isoformat(),
            "lines": [
                {"sku": line["sku"], "quantity": MIN_ORDER[line["sku"]] * self.random.randint(1, 3)}
                for line in template["lines"]
            ],
            "trade_terms": template["trade_terms"],
        }
        answer = self.call("place_order", "POST", "/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        if answer is not None:
            self.order_ids.append(answer.json()["id"])


def _percentile(ordered: list, share: float) -> float | None:
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1) if ordered else None


def figures(per_client: list[dict[str, Tally]], seconds: float) -> dict:
    tallies: dict[str, Tally] = {"all": Tally()}
    for client in per_client:
        for kind, tally in client.items():
            tallies.setdefault(kind, Tally()).add(tally)
            tallies["all"].add(tally)
    rows = {}
    for kind, tally in sorted(tallies.items(), key=lambda item: (item[0] == "all", item[0])):
        ordered, count = sorted(tally.latencies), sum(tally.counts.values())
        rows[kind] = {"count": count, "per_s": round(count / seconds, 1)}
        rows[kind] |= {"p50_ms": _percentile(ordered, 0.5), "p99_ms": _percentile(ordered, 0.99)}
        rows[kind] |= {name: tally.counts[name] for name in COUNTS}
    return {"kinds": rows, "refusals": dict(tallies["all"].refusals.most_common(10))}


def drive(gateway: str, people: list[Person], seconds: float, think_s: float, ramp_s: float) -> list[dict]:
    """Every client for ``seconds``, their starts spread over ``ramp_s``; what each one's requests got, by kind."""
    started = time.monotonic()
    clients = [
        Client(person, gateway, started + ramp_s * n / len(people), started + seconds, think_s, seed=n)
        for n, person in enumerate(people)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return [client.tallies for client in clients]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300, help="people using the platform at once (at least 3)")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long they use it")
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause between a client's requests (0: none)")
    parser.add_argument("--ramp-s", type=float, default=10.0, help="the clients' starts are spread over this")
    parser.add_argument("--sqlite", action="store_true", help="the services' SQLite files, not a PostgreSQL database")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    args = parser.parse_args()
    if args.clients < 3:
        parser.error("--clients must be at least 3: an aggregator, a buyer and a producer")
    with demo_platform(args.sqlite) as gateway:
        print(f"making {args.clients} users, then driving them for {args.seconds:g} s...", file=sys.stderr, flush=True)
        people = make_people(gateway, args.clients)
        cpu_s = time.process_time()
        tallies = drive(gateway, people, args.seconds, args.think_s, args.ramp_s)
        cpu_s = time.process_time() - cpu_s
    result = figures(tallies, args.seconds) | {"client_cpu_s": round(cpu_s, 1)}
    result["settings"] = {key: value for key, value in vars(args).items() if key != "json"}
    every = result["kinds"]["all"]
    failed = every["5xx"] or every["429_without_retry_after"] or every["unanswered"]
    if args.json:
        print(json.dumps(result))
    else:
        _table(result, args)
    if failed:
        print("FAILED: 5xx answers, 429s without Retry-After or unanswered requests (above)", file=sys.stderr)
    return 1 if failed else 0


def _table(result: dict, args) -> None:
    columns = ("count", "per_s", "p50_ms", "p99_ms", "2xx", "4xx", "429", "5xx", "unanswered")
    print(f"{'kind':<12}" + "".join(f"{column:>11}" for column in columns))
    for kind, row in result["kinds"].items():
        print(f"{kind:<12}" + "".join(f"{row[column]:>11}" for column in columns))
    roles = ", ".join(f"{count} {role}" for role, count in Counter(_roles(args.clients)).items())
    print(f"{roles}; {args.seconds:g} s, {args.think_s:g} s mean pause; load generator CPU {result['client_cpu_s']} s")
    for refusal, count in result["refusals"].items():
        print(f"  {count} x {refusal}")


if __name__ == "__main__":
    sys.exit(main())
