"""The whole platform as separate processes on the real broker and PostgreSQL, driven over HTTP by ``bilum demo``."""
import json
import os
import subprocess
import sys

from bilum import demo_data
from tests.integration.helpers import dead_letters

STAGES = ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered")


def _bilum(env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "bilum.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_an_order_flows_from_placement_to_delivery_and_the_ledger_accounts_for_every_unit(platform_env):
    result = _bilum(platform_env, "demo", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    expected = {}
    for buyer in demo_data.BUYERS:
        for order in buyer["orders"]:
            expected[(buyer["name"], tuple(sorted((l["sku"], l["quantity"]) for l in order["lines"])))] = True
    assert len(report["orders"]) == len(expected)
    for order in report["orders"]:
        assert order["status"] == "delivered"
        key = (order["buyer"], tuple(sorted((line["offering"], line["ordered"]) for line in order["lines"])))
        assert key in expected
        for line in order["lines"]:
            assert [line[stage] for stage in STAGES] == [line["ordered"]] * len(STAGES), line
    assert "declined 0" not in result.stderr, "the demo's producers declined nothing: reallocation went untested"
    assert "declined units were reallocated" in result.stderr
    assert dead_letters(platform_env["AMQP_URI"]) == 0


def test_demo_and_up_stop_at_once_with_what_to_start_when_rabbitmq_is_down(platform_env):
    env = {**platform_env, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    for command in ("demo", "up"):
        result = _bilum(env, command, timeout=60)
        assert result.returncode == 2
        assert "RabbitMQ is not reachable" in result.stderr
        assert "rabbitmq-server" in result.stderr
        assert "Traceback" not in result.stderr
