"""Issue 24: production runs RabbitMQ as three nodes with quorum queues, and the services are given every node's
address. Here the test runs such a cluster itself (tests/faults/cluster.py) and, while buyers order and everyone
works, kills the node that leads the queues with ``kill -9`` (a machine crash), brings it back, then stops a second
node gracefully (SIGTERM, as Kubernetes stops a pod) and keeps it down: the platform must finish its work on the two
nodes left, a majority, which is where production stands while a node is replaced. Nothing may be lost or doubled.

The killed node comes back before the second one stops: a quorum queue needs a majority of its three members, so one
node left of three would stop every queue (a wait the services would sit out, not a test of failover).

The figures: seconds until every service consumed again on a running node (an upper bound: each look is a
rabbitmqctl call of a few seconds), messages the broker redelivered (its own counters) and the copies the services'
inboxes absorbed (their ``bilum_messages_duplicate`` metric), in var/fault-reports/cluster-node-loss.json."""

import signal
import time

import requests
from kombu import Connection, Exchange, Queue

from bilum.dead_letters import list_dead_letters
from bilum.ports import free_port
from shared.messaging import make_publisher, park
from shared.messaging.relay import ConfirmedBatchPublisher
from tests.faults.audit import update_summary
from tests.faults.cluster import PrivateCluster
from tests.faults.platform import SERVICES
from tests.faults.scenario import Scenario, assert_clean
from tests.faults.test_faults import ORDERS, RATE

NAME = "cluster-node-loss"
KILL_AT_S = 10
DOWN_FOR_S = 15
STOP_AT_S = 40
BACK_WITHIN_S = 60


def _services_queue(name: str) -> bool:
    """Not a reply queue of the test's own RPC clients."""
    return "standalone_rpc_proxy" not in name


def _back_after(scenario: Scenario, cluster: PrivateCluster, fault_at: float) -> dict:
    """Seconds from the fault until each service had a consumer on every one of its queues on a running node."""
    offset = time.monotonic() - fault_at
    back = scenario.reconnected(cluster, SERVICES, BACK_WITHIN_S)
    return {service: round(seconds + offset, 1) for service, seconds in back.items()}


def _seconds_until(check, since: float, timeout_s: float) -> float | None:
    """Seconds from ``since`` until ``check`` held (polled for at most ``timeout_s``), or None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return round(time.monotonic() - since, 1)
        time.sleep(1)
    return None


def _duplicates_absorbed(stack) -> int:
    """Events the services' inboxes skipped because they had handled them already (``bilum_messages_duplicate``):
    the copies a lost acknowledgement or an unconfirmed publication made."""
    total = 0.0
    for process in stack.services.values():
        metrics = requests.get(f"http://127.0.0.1:{process.ops_port}/metrics", timeout=5).text
        total += sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("bilum_messages_duplicate_total")
        )
    return int(total)


def _replies_lost(stack) -> dict:
    """RPC answers a service could not send (the broker refused them while a reply queue had no leader); the caller
    asked again after its deadline."""
    lost = {
        service: process.log_path.read_text(errors="replace").count('"message": "could not send an RPC reply"')
        for service, process in stack.services.items()
    }
    return {service: count for service, count in lost.items() if count}


def test_a_three_node_cluster_loses_the_queue_leader_to_kill_9_then_a_second_node_gracefully(
    make_stack, database, run_dir, teardown
):
    cluster = PrivateCluster(run_dir / "cluster")
    teardown.callback(cluster.stop)
    started = time.monotonic()
    cluster.start()
    cluster_formed_s = time.monotonic() - started
    stack = make_stack(cluster)
    scenario = Scenario(NAME, stack, database, ship=False)
    scenario.begin(ORDERS, RATE)
    # Which node leads is settled once the services have declared their queues; asked now, so that the kill
    # waits only for the node's own figures (each rabbitmqctl takes seconds on a loaded machine).
    killed, led_by_killed = cluster.main_leader(_services_queue)

    scenario.sleep_until(KILL_AT_S)
    duplicates_before = _duplicates_absorbed(stack)
    killed_at = cluster.kill_9(killed)
    killed_exit = killed.process.returncode
    back_after_kill = _back_after(scenario, cluster, killed_at)
    leaders_moved_s = _seconds_until(lambda: killed.node not in cluster.leaders(), killed_at, BACK_WITHIN_S)
    leaders_after_kill = dict(cluster.leaders(_services_queue))

    scenario.sleep_until(KILL_AT_S + DOWN_FOR_S)
    rejoined_s = cluster.start_node(killed)

    scenario.sleep_until(STOP_AT_S)
    # The node the clients moved to from the killed one: stopping it makes them move again, to the node that came
    # back from the crash, which so proves it serves again.
    connections = cluster.connections()
    stopped = max((node for node in cluster.running_nodes() if node is not killed), key=lambda n: connections[n.node])
    led_by_stopped = cluster.leaders(_services_queue)[stopped.node]
    stop_asked_at = cluster.stop_node(stopped)
    stop_took_s = time.monotonic() - stop_asked_at
    stopped_exit = stopped.process.returncode
    back_after_stop = _back_after(scenario, cluster, stop_asked_at)
    scenario.faults_over()

    summary = scenario.finish(
        recovered=min(len(back_after_kill), len(back_after_stop)),
        cluster_formed_s=round(cluster_formed_s, 1),
        killed={
            "node": killed.node,
            "at_s": round(killed_at - scenario.started, 1),
            "queues_it_led": led_by_killed,
            "exit": killed_exit,
            "leaders_moved_within_s": leaders_moved_s,
            "leaders_after": leaders_after_kill,
            "services_back_s": back_after_kill,
            "rejoined_and_online_in_every_queue_s": round(rejoined_s, 1),
        },
        stopped={
            "node": stopped.node,
            "at_s": round(stop_asked_at - scenario.started, 1),
            "services_connections_it_held": connections[stopped.node],
            "queues_it_led": led_by_stopped,
            "stop_took_s": round(stop_took_s, 1),
            "exit": stopped_exit,
            "services_back_s": back_after_stop,
            "kept_down": True,
        },
    )
    running_at_end = cluster.cluster_running()
    redelivered = cluster.redelivered()
    passwords_logged = [
        service
        for service, process in stack.services.items()
        if ":guest@" in process.log_path.read_text(errors="replace")
    ]
    quorum = {queue["name"] for queue in cluster.quorum_queues()}
    services_queues = [name for name in cluster.queues() if name.startswith(("evt-", "rpc-"))]
    summary = update_summary(
        NAME,
        redelivered_by_the_broker={"before_the_faults": cluster.redelivered_at_faults[0], "in_all": redelivered},
        duplicates_absorbed_by_inboxes={"before_the_faults": duplicates_before, "in_all": _duplicates_absorbed(stack)},
        rpc_replies_lost=_replies_lost(stack),
        running_at_end=sorted(running_at_end),
    )
    assert killed_exit == -signal.SIGKILL, killed_exit
    assert led_by_killed > 0, "the killed node led no queue"
    assert leaders_moved_s is not None, f"{killed.node} still leads queues: {cluster.leaders()}"
    assert set(back_after_kill) == set(SERVICES), f"not back after the kill: {set(SERVICES) - set(back_after_kill)}"
    assert stopped is not killed and stopped_exit != -signal.SIGKILL, ("not a graceful stop", stopped_exit)
    assert set(back_after_stop) == set(SERVICES), f"not back after the stop: {set(SERVICES) - set(back_after_stop)}"
    assert running_at_end == {node.node for node in cluster.nodes if node is not stopped}, running_at_end
    assert services_queues and set(services_queues) <= quorum, set(services_queues) - quorum
    assert not passwords_logged, f"a broker password in the logs of {passwords_logged}"
    assert_clean(summary)


def test_a_list_of_addresses_reaches_the_broker_past_nodes_that_are_down(main_broker):
    """The form of AMQP_URI the services are given for a cluster, with its first two nodes away: the outbox relay,
    the dead-letter publisher and ``bilum dlq`` each reach the third (the cluster scenario never has two down)."""
    uri = ";".join([main_broker.uri_through(free_port()), main_broker.uri_through(free_port()), main_broker.amqp_uri])
    exchange = Exchange("probe.events", type="topic", durable=True)
    queue = Queue("probe-relayed", exchange=exchange, routing_key="probe.happened", durable=True)
    with Connection(main_broker.amqp_uri) as connection:
        queue(connection.channel()).declare()
        relay = ConfirmedBatchPublisher(uri, exchange)
        try:
            relay.publish_all([('{"probe": 1}', "probe.happened", "probe-1")])
        finally:
            relay.close()
        relayed = queue(connection.channel()).get(no_ack=True)
    park(
        make_publisher(uri),
        {"probe": 2},
        queue="probe-relayed",
        service="probe",
        event_type="probe.happened",
        reason="parked past two dead nodes",
        attempts=1,
    )
    letters = list_dead_letters(uri)
    assert relayed is not None and relayed.payload == {"probe": 1}
    assert [(letter.body, letter.reason) for letter in letters] == [({"probe": 2}, "parked past two dead nodes")]
