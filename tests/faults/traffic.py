"""The people of a fault scenario, all over RPC: an aggregator sets up a network (offerings, approved producers with
weekly capacity); buyers place orders with idempotency keys and retry until answered; producers accept most offers,
decline some and let some lapse, and report their lots; inspectors sample lots by their ISO 2859-1 plans (a few
fail and are reworked); a logistics clerk plans shipments and tracks them to delivery. Actors find their work in
the services' tables (as their screens would show it) and act only through the services' RPC methods."""

import hashlib
import itertools
import logging
import random
import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import eventlet
from eventlet.queue import LightQueue
from nameko.exceptions import RemoteError
from sqlalchemy import create_engine, text

from bilum.waiting import eventually
from shared.weeks import iso_week, monday_of
from tests.faults.platform import Rpc

log = logging.getLogger(__name__)

ORG = "fault-weavers"
SKUS = ("FLT-STRING", "FLT-LOOP", "FLT-MARKET")
PRODUCERS_PER_OFFERING = 6
WEEKLY_UNITS = 120
WEEKS = 6
MIN_LOT = 15
CITIES = (
    {"name": "Kiriko Tokyo", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
    {"name": "Reef Traders", "city": "Brisbane", "country": "AU", "latitude": -27.47, "longitude": 153.03},
)
# Answers that cannot apply any more (an offer lapsed while the producer was deciding, an order cancelled) are the
# ordinary refusals of a busy day, not failures.
REFUSALS = ("Conflict", "NotFound", "InvalidInput")
SHIPMENT_STEPS = ("picked_up", "at_hub", "in_transit", "delivered")


def fraction(key: str) -> float:
    """A stable number in [0, 1) for a key: which offers are declined or lapse does not depend on timing."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2**32


class Clients:
    """A few RPC clients shared by green threads, one call at a time each."""

    def __init__(self, amqp_uri: str, size: int, timeout_s: float):
        self.free = LightQueue()
        for _ in range(size):
            self.free.put(Rpc(amqp_uri, timeout_s))

    def call(self, service: str, method: str, *args):
        client = self.free.get()
        try:
            return client.call(service, method, *args)
        finally:
            self.free.put(client)

    def close(self) -> None:
        while not self.free.empty():
            self.free.get().close()


@dataclass
class Tally:
    """What the actors did, for the scenario's summary."""

    actions: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    transient: Counter = field(default_factory=Counter)
    seconds: defaultdict = field(default_factory=lambda: defaultdict(list))

    def latency(self) -> dict:
        """Per RPC method, the median and slowest seconds of the calls that succeeded."""
        return {
            method: {"p50": round(statistics.median(times), 2), "max": round(max(times), 2)}
            for method, times in sorted(self.seconds.items())
        }


def setup_network(
    rpc: Rpc, database_url: str, timeout_s: float = 90, weekly_units: int = WEEKLY_UNITS, weeks: int = WEEKS
) -> dict:
    """Offerings, each made by a few approved producers with weekly capacity; returns ``{sku: offering_id}`` once
    every service has heard of all of it."""
    first = monday_of(date.today()) + timedelta(weeks=1)
    offerings = {}
    producers = 0
    for sku in SKUS:
        offering_id = rpc.call(
            "catalogue",
            "publish_offering",
            {
                "organisation_id": ORG,
                "sku": sku,
                "name": f"Bilum {sku}",
                "description": "Hand-looped string bag",
                "unit_price": "30.00",
                "producer_price": "18.00",
                "currency": "USD",
                "unit_weight_g": 350,
                "unit_volume_cm3": 4000,
                "quality_standard": {"aql": {"major": 2.5, "minor": 4.0}, "rejected_lot_action": "rework"},
            },
        )["id"]
        offerings[sku] = offering_id
        for n in range(PRODUCERS_PER_OFFERING):
            number = uuid.uuid4().int % 10**7
            producer_id = rpc.call(
                "catalogue",
                "register_producer",
                {
                    "organisation_id": ORG,
                    "name": f"Weaver {sku[-4:]} {n}",
                    "village": "Kama",
                    "district": "Goroka",
                    "region": "Eastern Highlands",
                    "country": "PG",
                    "latitude": -6.07 + n / 100,
                    "longitude": 145.41,
                    "remoteness": "all_season_road",
                    "mobile": f"+6757{number:07d}",
                    "languages": ["en"],
                },
            )["id"]
            rpc.call(
                "catalogue",
                "set_approval",
                offering_id,
                {
                    "producer_id": producer_id,
                    "stage": "sample",
                    "status": "approved",
                    "decided_on": date.today().isoformat(),
                },
            )
            rpc.call(
                "catalogue",
                "declare_capacity",
                producer_id,
                {
                    "offering_id": offering_id,
                    "lead_time_days": 0,
                    "min_lot": MIN_LOT,
                    "weeks": [
                        {"week": iso_week(first + timedelta(weeks=k)), "units": weekly_units} for k in range(weeks)
                    ],
                },
            )
            producers += 1
    engine = create_engine(database_url)
    try:

        def everyone_knows():
            with engine.connect() as connection:
                figures = [
                    connection.execute(text(query)).scalar_one()
                    for query in (
                        "SELECT count(*) FROM orders.offerings",
                        "SELECT count(DISTINCT producer_id) FROM aggregation.capacity_weeks",
                        "SELECT count(*) FROM aggregation.approved_producers",
                        "SELECT count(*) FROM consolidation.producers",
                        "SELECT count(*) FROM consolidation.offerings",
                        "SELECT count(*) FROM notification.recipients WHERE kind = 'producer'",
                        "SELECT count(*) FROM notification.offerings",
                    )
                ]
            return figures == [len(SKUS), producers, producers, producers, len(SKUS), producers, len(SKUS)]

        eventually(everyone_knows, "every service to know the offerings and producers", timeout_s, 0.5)
    finally:
        engine.dispose()
    return offerings


class Buyers:
    """Orders of one or two lines, placed at a steady rate; each is retried with its idempotency key until the
    orders service answers, as a buyer's client would."""

    def __init__(self, clients: Clients, scenario: str, seed: int = 7):
        self.clients = clients
        self.scenario = scenario
        self.random = random.Random(seed)
        self.submitted: dict[str, dict] = {}
        self.accepted: dict[str, str] = {}
        self.refused: dict[str, str] = {}
        self.retries = 0
        self.pool = eventlet.GreenPool(12)
        self.numbers = itertools.count(1)

    def body(self) -> dict:
        skus = self.random.sample(SKUS, self.random.choice((1, 2)))
        destination = self.random.choice(CITIES)
        return {
            "buyer": {
                "name": f"Buyer {self.random.randint(1, 5)}",
                "email": f"buyer{self.random.randint(1, 5)}@example.org",
            },
            "destination": destination,
            "due_date": (date.today() + timedelta(days=90)).isoformat(),
            "lines": [{"sku": sku, "quantity": self.random.randrange(30, 46)} for sku in skus],
            "trade_terms": {"incoterm": "DAP", "named_place": destination["city"], "transport_mode": "air"},
        }

    def place(self, count: int, rate_per_s: float) -> None:
        """Submit ``count`` orders at ``rate_per_s``, without waiting for their answers."""
        started = time.monotonic()
        for n in range(count):
            eventlet.sleep(max(0.0, started + n / rate_per_s - time.monotonic()))
            key = f"{self.scenario}-{next(self.numbers)}-{uuid.uuid4().hex[:8]}"
            body = self.body()
            self.submitted[key] = body
            self.pool.spawn_n(self._place, key, body)

    def _place(self, key: str, body: dict, give_up_s: float = 400) -> None:
        deadline = time.monotonic() + give_up_s
        while time.monotonic() < deadline:
            try:
                self.accepted[key] = self.clients.call("orders", "place_order", body, key)["id"]
                return
            except RemoteError as error:
                if error.exc_type in REFUSALS:
                    self.refused[key] = f"{error.exc_type}: {error.value}"
                    return
            except Exception:
                pass
            self.retries += 1
            eventlet.sleep(1)

    def wait(self, timeout_s: float = 400) -> None:
        eventually(
            lambda: len(self.accepted) + len(self.refused) == len(self.submitted),
            f"every order to be answered ({len(self.submitted)} submitted)",
            timeout_s,
            0.5,
        )


class Actors:
    """Producers, inspectors and logistics, each a green thread polling for work and acting over RPC, until
    stopped."""

    def __init__(
        self,
        clients: Clients,
        database_url: str,
        ship: bool = True,
        report_lots: bool = True,
        mobile_money: bool = False,
    ):
        """``mobile_money``: the clerks pay through the provider; otherwise every line in cash."""
        self.clients = clients
        self.mobile_money = mobile_money
        self.engine = create_engine(database_url, pool_size=2)
        self.ship = ship
        self.report_lots = report_lots
        self.tally = Tally()
        self.stopped = threading.Event()
        self.done: set = set()
        self.threads = []
        # A pool per kind of action: producers answering offers are not held up behind inspectors or clerks.
        self.pools: defaultdict = defaultdict(lambda: eventlet.GreenPool(6))
        self.paused = False

    def start(self) -> None:
        loops = [self.answer_offers]
        if self.report_lots:
            loops += [self.report_finished_lots, self.inspect_lots, self.pay_producers]
        if self.ship:
            loops.append(self.plan_and_track)
        self.threads = [eventlet.spawn(self._loop, loop) for loop in loops]

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.wait()
        for pool in self.pools.values():
            pool.waitall()
        self.engine.dispose()

    def _loop(self, step) -> None:
        while not self.stopped.is_set():
            if not self.paused:
                try:
                    step()
                except Exception as error:
                    self.tally.transient[f"{step.__name__}: {type(error).__name__}"] += 1
            eventlet.sleep(0.5)

    def _rows(self, query: str) -> list:
        with self.engine.connect() as connection:
            return connection.execute(text(query)).all()

    def _act(self, key: str, name: str, service: str, method: str, *args) -> None:
        """One action, once it succeeded or was refused for good; a transient failure is tried again on the next
        round."""
        if key in self.done:
            return
        self.done.add(key)

        def act():
            started = time.monotonic()
            try:
                self.clients.call(service, method, *args)
                self.tally.actions[name] += 1
                self.tally.seconds[method].append(time.monotonic() - started)
            except RemoteError as error:
                if error.exc_type not in REFUSALS:
                    self.done.discard(key)
                    self.tally.transient[f"{name}: {error.exc_type}"] += 1
                    return
                self.tally.refused[f"{name}: {error.exc_type}"] += 1
            except Exception as error:
                self.done.discard(key)
                self.tally.transient[f"{name}: {type(error).__name__}"] += 1

        self.pools[method].spawn_n(act)

    def answer_offers(self) -> None:
        """Most offers are accepted; of first offers, one in twelve is declined and one in sixteen left to lapse;
        a reallocated offer is always taken (someone has to make the order)."""
        for quota_id, reallocated in self._rows(
            "SELECT quota_id, reallocated FROM aggregation.quotas WHERE status = 'offered' ORDER BY offered_at"
        ):
            share = fraction(quota_id)
            if not reallocated and share < 1 / 12:
                self._act(
                    ("answer", quota_id),
                    "quota declined",
                    "aggregation",
                    "decline_quota",
                    quota_id,
                    {"reason": "busy with the coffee harvest"},
                )
            elif not reallocated and share < 1 / 12 + 1 / 16:
                self.done.add(("answer", quota_id))
            else:
                self._act(("answer", quota_id), "quota accepted", "aggregation", "accept_quota", quota_id, {})
        # A top-up is asked of a producer already on the line, and answered with her quota (someone has to make it).
        for top_up_id, quota_id in self._rows(
            "SELECT top_up_id, quota_id FROM aggregation.top_ups WHERE status = 'offered' ORDER BY offered_at"
        ):
            self._act(("top-up", top_up_id), "top-up accepted", "aggregation", "accept_quota", quota_id, {})

    def report_finished_lots(self) -> None:
        """Every unit a quota has left to report, as one lot (a top-up taken on later makes another)."""
        for quota_id, quantity, reported in self._rows(
            "SELECT q.quota_id, q.quantity, (SELECT coalesce(sum(l.quantity), 0) FROM aggregation.lots l "
            "WHERE l.quota_id = q.quota_id) FROM aggregation.quotas q "
            "WHERE q.status IN ('accepted', 'in_production')"
        ):
            if quantity > reported:
                self._act(
                    ("lot", quota_id, reported),
                    "lot reported",
                    "aggregation",
                    "report_lot",
                    quota_id,
                    {"quantity": quantity - reported, "client_ref": f"fault-{quota_id}-{reported}"},
                )

    def inspect_lots(self) -> None:
        """Within the acceptance numbers, except about one first inspection in sixteen that finds major defects at
        the rejection number (the offering's standard sends it back for rework; the producer resubmits)."""
        for lot_id, attempt, status in self._rows(
            "SELECT lot_id, attempt, status FROM aggregation.lots WHERE status IN ('reported', 'rework')"
        ):
            if status == "rework":
                self._act(("resubmit", lot_id, attempt), "lot resubmitted", "aggregation", "resubmit_lot", lot_id)
                continue
            failing = attempt == 1 and fraction(lot_id) < 1 / 16
            key = ("inspect", lot_id, attempt)
            if key in self.done:
                continue
            if failing:
                self.pools["record_inspection"].spawn_n(self._inspect_failing, key, lot_id)
            else:
                self._act(
                    key,
                    "lot inspected",
                    "aggregation",
                    "record_inspection",
                    lot_id,
                    {"inspector": "Kumul QC team", "organisation_id": ORG, "findings": []},
                )

    def _inspect_failing(self, key, lot_id: str) -> None:
        self.done.add(key)
        try:
            plan = {item["defect_class"]: item for item in self.clients.call("aggregation", "get_lot", lot_id)["plan"]}
        except Exception as error:
            self.done.discard(key)
            self.tally.transient[f"lot plan: {type(error).__name__}"] += 1
            return
        major = plan["major"]
        self.done.discard(key)
        self._act(
            key,
            "lot failed",
            "aggregation",
            "record_inspection",
            lot_id,
            {
                "inspector": "Kumul QC team",
                "organisation_id": ORG,
                "findings": [
                    {
                        "criterion": "loose loops",
                        "defect_class": "major",
                        "count": min(major["reject"], major["sample_size"]),
                    }
                ],
            },
        )

    def pay_producers(self) -> None:
        """The co-operative's two clerks: one drafts a batch of what is owed when none waits for approval, the other
        approves and sends it; a cash line is closed with its receipt, a failed payment is tried again."""
        waiting = self._rows(
            "SELECT batch_id, status FROM settlement.payout_batches WHERE status IN ('draft', 'approved')"
        )
        if not waiting:
            cash = (
                []
                if self.mobile_money
                else [row[0] for row in self._rows("SELECT producer_id FROM settlement.producers")]
            )
            self._act(
                ("draft", int(time.monotonic() // 3)),
                "payout batch drafted",
                "settlement",
                "draft_batch",
                ORG,
                "clerk-a",
                {"currency": "USD", "cash": cash},
            )
        for batch_id, status in waiting:
            step, done = ("approve_batch", "approved") if status == "draft" else ("send_batch", "sent")
            self._act((step, batch_id), f"payout batch {done}", "settlement", step, ORG, "clerk-b", batch_id)
        for line_id, method, status, attempt in self._rows(
            "SELECT line_id, method, status, attempt FROM settlement.payout_lines WHERE status IN ('sending', 'failed')"
        ):
            if status == "failed":
                self._act(
                    ("retry", line_id, attempt), "payment retried", "settlement", "retry_line", ORG, "clerk-b", line_id
                )
            elif method == "cash":
                receipt = {"receipt_number": f"R-{line_id[-10:]}"}
                self._act(
                    ("cash", line_id), "cash paid", "settlement", "close_cash_line", ORG, "clerk-a", line_id, receipt
                )

    def plan_and_track(self) -> None:
        waiting = self._rows(
            "SELECT count(*) FROM consolidation.ready_lots r JOIN consolidation.order_destinations o "
            "ON o.order_id = r.order_id WHERE r.shipment_id IS NULL AND NOT o.cancelled"
        )[0][0]
        if waiting:
            try:
                self.clients.call("consolidation", "plan_shipments", {"dispatch": "now"})
                self.tally.actions["shipments planned"] += 1
            except Exception as error:
                self.tally.transient[f"plan: {type(error).__name__}"] += 1
        for shipment_id, status in self._rows(
            "SELECT shipment_id, status FROM consolidation.shipments WHERE status <> 'delivered'"
        ):
            if status in SHIPMENT_STEPS[:-1] or status == "planned":
                step = SHIPMENT_STEPS[SHIPMENT_STEPS.index(status) + 1] if status != "planned" else SHIPMENT_STEPS[0]
                self._act(
                    ("track", shipment_id, step),
                    f"shipment {step}",
                    "consolidation",
                    "track",
                    shipment_id,
                    {"status": step},
                )


def cancel(clients: Clients, order_id: str, reason: str):
    """A buyer's cancellation, retried through transient failures; the service's answer, or its refusal."""
    for _ in range(30):
        try:
            return clients.call("orders", "cancel_order", order_id, {"reason": reason})
        except RemoteError as error:
            if error.exc_type in REFUSALS:
                return error
        except Exception:
            pass
        eventlet.sleep(1)
    raise AssertionError(f"order {order_id} could not be cancelled in 30 tries")
