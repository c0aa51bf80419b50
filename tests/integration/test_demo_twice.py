"""``bilum demo`` run twice on one machine, as ``make demo`` runs it: SQLite under its var directory and a RabbitMQ
vhost of its own. The second run must start from a clean slate rather than find the first run's quotas holding
every producer's capacity; the var directory is the test's own and so is the vhost, which the test removes."""

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

from bilum.ports import free_port
from shared.config import SERVICES
from shared.messaging import DEAD_LETTER_QUEUE
from tests.integration import helpers

QUOTA_FIELDS = {"quota_id", "order_id", "line_id", "producer_id", "quantity", "status"}


def _environment(var_dir: str, vhost: str) -> dict:
    """Nothing inherited that points the demo elsewhere (a broker, a database, ports): it picks its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BILUM_") and key != "AMQP_URI"}
    gateway_port = free_port()
    env.update(
        BILUM_VAR_DIR=var_dir,
        BILUM_DEMO_VHOST=vhost,
        BILUM_RABBIT_MANAGEMENT=helpers.MANAGEMENT_URL,
        BILUM_GATEWAY_PORT=str(gateway_port),
        BILUM_GATEWAY_URL=f"http://127.0.0.1:{gateway_port}",
    )
    for service in SERVICES:
        env[f"BILUM_{service.upper()}_OPS_PORT"] = str(free_port())
    return env


def _demo(env: dict) -> tuple[dict, str]:
    result = subprocess.run(
        [sys.executable, "-m", "bilum.cli", "demo", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def _park_a_stale_dead_letter(vhost: str) -> None:
    """What a run that went wrong leaves on the broker: the next run must not inherit it."""
    name = quote(vhost, safe="")
    helpers.management("PUT", f"/queues/{name}/{quote(DEAD_LETTER_QUEUE.name, safe='')}", json={"durable": True})
    routed = helpers.management(
        "POST",
        f"/exchanges/{name}/amq.default/publish",
        json={"properties": {}, "routing_key": DEAD_LETTER_QUEUE.name, "payload": "{}", "payload_encoding": "string"},
    )
    assert routed.json()["routed"]


def test_a_second_demo_starts_from_a_clean_slate_and_lists_the_quotas_of_its_orders(tmp_path):
    vhost = f"bilum-test-{uuid.uuid4().hex[:10]}-demo"
    env = _environment(str(tmp_path), vhost)
    try:
        first, _ = _demo(env)
        _park_a_stale_dead_letter(vhost)
        second, log = _demo(env)
        assert helpers.dead_letters(f"amqp:///{quote(vhost, safe='')}") == 0
    finally:
        helpers.management("DELETE", f"/vhosts/{quote(vhost, safe='')}", allow_missing=True)

    [slate] = [line for line in log.splitlines() if line.startswith("Starting from a clean slate")]
    assert "removed the previous demo's data in" in slate and f"{tmp_path / 'demo'} and RabbitMQ vhost {vhost}" in slate
    orders = {order["id"] for order in second["orders"]}
    assert len(orders) == len(first["orders"]) == 4
    assert not orders & {order["id"] for order in first["orders"]}
    assert all(order["status"] == "delivered" for order in second["orders"])

    quotas = second["quotas"]
    assert quotas, "the demo's orders got no quota"
    for quota in quotas:
        assert set(quota) == QUOTA_FIELDS, quota
        assert quota["order_id"] in orders, quota
        assert isinstance(quota["quantity"], int) and quota["status"], quota
    assert len({quota["quota_id"] for quota in quotas}) == len(quotas)
    smallest = min(quota["quantity"] for quota in quotas)
    assert f"Quotas offered: {len(quotas)}, the smallest of {smallest} units" in log
