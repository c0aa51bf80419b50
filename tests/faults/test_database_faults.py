"""Database faults (issue 24): the services and the gateway on a PostgreSQL server of the scenario's own, which is
restarted (fast shutdown), crashed (``kill -9`` of every server process, then crash recovery) or cut off for 60 s
behind a TCP proxy while buyers keep ordering and producers keep answering. Each ends with the suite's audit
(nothing lost, nothing doubled, no service dead by itself), and the gateway, probed all along, answers 503 in the
documented error shape while the database is away and 200 again by itself once it is back."""

import subprocess
import sys
import time

import eventlet
import pytest

from tests.faults.databases import PrivatePostgres
from tests.faults.gateway_probe import PASSWORD, GatewayProbe
from tests.faults.platform import REPO, TcpProxy, _python_env
from tests.faults.scenario import Scenario, assert_clean
from tests.faults.traffic import ORG

ORDERS = 100
RATE = 4.0
PROBE_USER = "probe-aggregator"


@pytest.fixture
def postgres(run_dir, teardown):
    server = PrivatePostgres(run_dir)
    teardown.callback(server.close)
    server.init()
    return server


def _stack(make_stack, broker, database_url: str):
    """The services and the gateway on ``database_url``, with a user the probe signs in as."""
    stack = make_stack(
        broker, settings={"BILUM_DATABASE_URL": database_url, "BILUM_SIGN_IN_PER_MINUTE": "600"}, with_gateway=True
    )
    made = subprocess.run(
        [sys.executable, "-m", "bilum.cli", "users", "create", PROBE_USER, "--role", "aggregator"]
        + ["--organisation", ORG, "--password-stdin"],
        input=PASSWORD + "\n",
        env=_python_env(stack.env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr[-2000:]
    return stack


def _probe(stack) -> GatewayProbe:
    probe = GatewayProbe(stack.env["BILUM_GATEWAY_URL"], PROBE_USER)
    probe.start()
    return probe


def _assert_gateway_rode_it_out(report: dict) -> None:
    assert not report["misshapen_during"], report["misshapen_during"][:10]
    assert any(report["during"].get(kind, {}).get("503") for kind in ("sign-in", "orders")), report["during"]
    assert all(seconds is not None and seconds <= 30 for seconds in report["recovered_after_s"].values()), report


def _down_and_back(name: str, make_stack, broker, postgres, take_down, pause_s: float) -> dict:
    """The flow runs; 15 s in, ``take_down`` stops the server, which starts again ``pause_s`` later; the summary,
    with how long the database was away, how long its start took and what the gateway answered meanwhile."""
    stack = _stack(make_stack, broker, postgres.url)
    scenario = Scenario(name, stack, postgres.url)
    probe = _probe(stack)
    scenario.begin(ORDERS, RATE)
    scenario.sleep_until(15)
    down = time.monotonic()
    take_down()
    eventlet.sleep(pause_s)
    start_s = postgres.start()
    up = time.monotonic()
    eventlet.sleep(10)
    scenario.faults_over()
    probe.stop()
    gateway = probe.report(down, up)
    summary = scenario.finish(
        recovered=postgres.starts - 1, database_down_s=round(up - down, 1), start_s=round(start_s, 1), gateway=gateway
    )
    _assert_gateway_rode_it_out(gateway)
    return summary


def test_database_restarted_mid_run_with_a_fast_shutdown(main_broker, make_stack, postgres):
    summary = _down_and_back("database-restart", make_stack, main_broker, postgres, postgres.stop_fast, 5)
    assert_clean(summary)


def test_database_killed_with_kill_9_recovers_from_its_log(main_broker, make_stack, postgres):
    summary = _down_and_back("database-kill-9", make_stack, main_broker, postgres, postgres.kill_9, 3)
    log = postgres.log_path.read_text(errors="replace")
    assert "database system was interrupted" in log or "automatic recovery in progress" in log, log[-2000:]
    assert_clean(summary)


def test_database_unreachable_for_60_s_while_buyers_keep_ordering(main_broker, make_stack, postgres, run_dir, teardown):
    proxy = TcpProxy(postgres.port, run_dir, "database")
    proxy.start()
    teardown.callback(proxy.stop)
    stack = _stack(make_stack, main_broker, postgres.url.replace(f":{postgres.port}/", f":{proxy.port}/"))
    scenario = Scenario("database-unreachable", stack, postgres.url, ship=False, lots=False)
    probe = _probe(stack)
    scenario.begin(ORDERS, 1.4)
    scenario.sleep_until(10)
    proxy.outage(True)
    down = time.monotonic()
    eventlet.sleep(60)
    proxy.outage(False)
    up = time.monotonic()
    eventlet.sleep(10)
    scenario.faults_over()
    probe.stop()
    gateway = probe.report(down, up)
    summary = scenario.finish(recovered=1, outage_s=round(up - down, 1), gateway=gateway)
    _assert_gateway_rode_it_out(gateway)
    assert summary["buyer_retries"] > 0, "no order met the outage: nothing was tested"
    assert_clean(summary)
