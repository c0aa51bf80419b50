"""The fault suite of issue 10: each scenario drives at least a hundred orders through the real services (separate
processes on the real broker and database) while something breaks, then proves nothing accepted was lost and no
effect was applied twice. Sizes: 2.5 orders a second is what the pipeline sustains on this machine; a hundred-odd
orders of one or two lines (two or three producers a line) make about four hundred quotas a scenario and keep
the seven scenarios within twelve minutes."""
import time

import eventlet

from tests.faults.platform import SERVICES, wait_for
from tests.faults.scenario import Scenario, assert_clean

ORDERS = 100
RATE = 2.5


def _mid_handler(broker, service: str) -> bool:
    """The broker shows the service holding deliveries it has not acknowledged yet: a handler is at work."""
    return any(unacked for name, (_, unacked) in broker.queues().items()
               if f"--{service}." in name or name == f"rpc-{service}")


def test_kill_9_of_each_service_mid_handler_then_restarted(main_broker, make_stack, database):
    stack = make_stack(main_broker)
    scenario = Scenario("kill-9", stack, database)
    scenario.begin(ORDERS, RATE)
    kills = {}
    scenario.sleep_until(6)
    for service in SERVICES:
        caught = False
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not caught:
            caught = _mid_handler(main_broker, service)
            if not caught:
                eventlet.sleep(0.2)
        stack.services[service].kill()
        eventlet.sleep(3)
        restart_s = stack.restart(service)
        kills[service] = {"holding_unacked_deliveries": caught, "restart_s": round(restart_s, 1)}
    scenario.faults_over()
    summary = scenario.finish(recovered=sum(1 for service in SERVICES if stack.services[service].alive()),
                              kills=kills)
    assert summary["recovered"] == len(SERVICES)
    assert_clean(summary)
