"""No over-commitment with two aggregation processes at once: sixty orders placed together over the same producers
never promise any producer more than its weekly capacity, in allocation or in the catalogue's commitments."""

import os
import subprocess
import sys
import uuid

import eventlet
import requests
from sqlalchemy import func, select

from bilum.ports import free_port
from bilum.waiting import eventually
from services.aggregation import domain
from services.aggregation.store import capacity_weeks, quota_weeks, quotas
from services.aggregation.store import inbox as aggregation_inbox
from services.aggregation.store import outbox as aggregation_outbox
from services.catalogue.service import CatalogueService
from services.catalogue.store import capacity_weeks as catalogue_weeks
from services.catalogue.store import inbox as catalogue_inbox
from services.catalogue.store import outbox as catalogue_outbox
from services.gateway.service import GatewayService
from services.orders.service import OrdersService
from shared import migrations
from shared.store import Database
from tests.integration.fulfilment import Network
from tests.integration.helpers import running

ORDERS, UNITS_PER_ORDER = 60, 5
WEEKLY = [10, 8, 6, 6, 5, 5]
WEEKS = 2


def _start_allocators(platform, tmp_path, count=2):
    processes = []
    ports = [free_port() for _ in range(count)]
    for n, port in enumerate(ports):
        env = {**os.environ, **platform, "BILUM_AGGREGATION_OPS_PORT": str(port)}
        log = open(tmp_path / f"aggregation-{n}.log", "w")
        processes.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "bilum.cli", "run", "aggregation"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )

    def ready(port):
        try:
            return requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).ok
        except requests.RequestException:
            return False

    eventually(lambda: all(ready(port) for port in ports), "both aggregation processes", timeout_s=60)
    return processes


def test_two_aggregation_processes_never_overcommit_a_producer_under_sixty_concurrent_orders(platform, tmp_path):
    for service in ("catalogue", "orders", "aggregation"):
        migrations.upgrade(service)
    allocators = _start_allocators(platform, tmp_path)
    try:
        with running(CatalogueService), running(OrdersService), running(GatewayService):
            network = Network(platform["BILUM_GATEWAY_URL"])
            sku = f"BAG-{uuid.uuid4().hex[:6].upper()}"
            # Quotas of any size, so that every unit of capacity can be promised and over-promising would show.
            offering = network.offering(sku, min_quota=1)
            network.producers(offering, WEEKLY, weeks=WEEKS)
            capacity = sum(WEEKLY) * WEEKS

            pool = eventlet.GreenPool(20)
            orders = list(pool.imap(lambda _: network.order(sku, UNITS_PER_ORDER), range(ORDERS)))
            assert len({order["id"] for order in orders}) == ORDERS

            def allocated():
                lines = [network.line(order["id"]) for order in orders]
                return lines if sum(line["allocated"] for line in lines) >= capacity else None

            lines = eventually(allocated, "every unit of capacity to be offered", timeout_s=120)
            assert sum(line["allocated"] for line in lines) == capacity, "more offered than the producers can make"
            assert all(line["allocated"] + line["shortfall"] == UNITS_PER_ORDER for line in lines)

            offered = [quota for order in orders for quota in network.quotas(order["id"], "offered")]
            list(pool.imap(lambda quota: network.call("POST", f"/quotas/{quota['id']}/accept"), offered))
            eventually(
                lambda: sum(network.line(order["id"])["accepted"] for order in orders) == capacity,
                "every acceptance to reach the ledger",
                timeout_s=60,
            )

            aggregation = Database("aggregation", aggregation_outbox, aggregation_inbox)
            with aggregation.transaction() as uow:
                declared = {
                    (row.producer_id, row.week_start): row.units for row in uow.session.execute(select(capacity_weeks))
                }
                held = uow.session.execute(
                    select(quota_weeks.c.producer_id, quota_weeks.c.week_start, func.sum(quota_weeks.c.units))
                    .join(quotas, quotas.c.quota_id == quota_weeks.c.quota_id)
                    .where(quotas.c.status.in_(domain.OPEN_QUOTA_STATES))
                    .group_by(quota_weeks.c.producer_id, quota_weeks.c.week_start)
                ).all()
            aggregation.engine.dispose()
            assert sum(units for _, _, units in held) == capacity
            for producer_id, week, units in held:
                assert units <= declared[(producer_id, week)], f"{producer_id} promised {units} in {week}"

            catalogue = Database("catalogue", catalogue_outbox, catalogue_inbox)

            def committed():
                with catalogue.transaction() as uow:
                    rows = uow.session.execute(select(catalogue_weeks)).all()
                return rows if sum(row.committed for row in rows) == capacity else None

            rows = eventually(committed, "the catalogue to count every commitment")
            catalogue.engine.dispose()
            assert all(row.committed <= row.units for row in rows)
    finally:
        for process, log in allocators:
            process.terminate()
            process.wait(timeout=60)
            log.close()
    allocations = [
        (tmp_path / f"aggregation-{n}.log").read_text().count('"message": "line allocated"') for n in range(2)
    ]
    assert sum(allocations) >= ORDERS and min(allocations) > 0, f"both processes allocated: {allocations}"
