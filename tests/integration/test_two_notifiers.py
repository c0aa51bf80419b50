"""Two notification processes at once: every offer is told once, however often its event arrives and whichever
process takes it, and each process sends from the one delivery log."""

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import requests
from nameko.standalone.events import event_dispatcher
from sqlalchemy import func, select

from bilum.ports import free_port
from bilum.waiting import eventually
from services.notification.store import deliveries, inbox, outbox, recipients
from shared import migrations
from shared.events import new_event
from shared.store import Database
from tests.payloads import offering_published, producer_registered

OFFERS = 40


def _offer(n: int, producer_id: str):
    return new_event(
        "quota.offered",
        {
            "quota_id": f"qta_{n}",
            "ref": f"RF{n:04d}",
            "order_id": f"ord_{n}",
            "line_id": f"lin_{n}",
            "offering_id": "off_two",
            "producer_id": producer_id,
            "quantity": 5,
            "reallocated": False,
            "respond_by": datetime.now(timezone.utc) + timedelta(hours=48),
            "weeks": [{"week_start": date.today() + timedelta(days=7), "units": 5}],
        },
        correlation_id=f"ord_{n}",
    )


def _consumed(port: int, event_type: str) -> float:
    """Messages of one type a process handled (duplicates included), from its own metrics."""
    for line in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text.splitlines():
        if line.startswith("bilum_messages_consumed_total{") and f'event_type="{event_type}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_notification_processes_tell_each_producer_of_each_offer_exactly_once(platform, tmp_path):
    migrations.upgrade("notification")
    ports = [free_port(), free_port()]
    processes = []
    for n, port in enumerate(ports):
        log = open(tmp_path / f"notification-{n}.log", "w")
        processes.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "bilum.cli", "run", "notification"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={
                        **os.environ,
                        **platform,
                        "BILUM_NOTIFICATION_OPS_PORT": str(port),
                        "BILUM_NOTIFY_TICK_S": "0.3",
                    },
                ),
                log,
            )
        )

    def ready(port):
        try:
            return requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).ok
        except requests.RequestException:
            return False

    database = Database("notification", outbox, inbox)
    try:
        eventually(lambda: all(ready(port) for port in ports), "both notification processes", timeout_s=60)
        dispatch = event_dispatcher({"AMQP_URI": platform["AMQP_URI"]})
        producers = [producer_registered(f"prd_two_{n}", ["off_two"]) for n in range(4)]
        for event in [offering_published("off_two", "TWO-1"), *producers]:
            dispatch("catalogue", event.event_type, event.to_message())

        def known():
            with database.transaction() as uow:
                return uow.session.execute(select(func.count()).select_from(recipients)).scalar_one() == 4

        eventually(known, "both processes to know the producers")
        offers = [_offer(n, f"prd_two_{n % 4}") for n in range(OFFERS)]
        for message in [offer.to_message() for offer in offers] * 3:
            dispatch("aggregation", "quota.offered", message)

        def told():
            with database.transaction() as uow:
                rows = uow.session.execute(
                    select(deliveries.c.ref, deliveries.c.status).where(deliveries.c.template == "quota_offered")
                ).all()
            return rows if len(rows) >= OFFERS and all(status == "sent" for _, status in rows) else None

        rows = eventually(told, "every offer to be sent", timeout_s=90)
        assert sorted(ref for ref, _ in rows) == sorted(f"RF{n:04d}" for n in range(OFFERS)), "an offer told twice"
        # A batch's messages count as consumed once its worker has finished, a moment after its sends.
        eventually(
            lambda: sum(_consumed(port, "quota.offered") for port in ports) >= 3 * OFFERS,
            "every copy of every offer to be counted",
            timeout_s=10,
        )
        handled = [_consumed(port, "quota.offered") for port in ports]
        assert sum(handled) == 3 * OFFERS and min(handled) > 0, f"both processes took offers: {handled}"
    finally:
        database.engine.dispose()
        for process, log in processes:
            process.terminate()
            process.wait(timeout=60)
            log.close()
