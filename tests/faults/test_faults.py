"""The fault suite of issue 10: each scenario drives at least a hundred orders through the real services (separate
processes on the real broker and database) while something breaks, then proves nothing accepted was lost and no
effect was applied twice. Sizes: a hundred orders of one or two lines (two or three producers a line), placed at four
a second, make about three hundred quotas, lots and inspections a scenario and keep the eight scenarios within
about a quarter of an hour on two cores."""

import secrets
import signal
import time
from datetime import datetime, timezone
from decimal import Decimal

import eventlet

from bilum.momo_sandbox_process import start
from bilum.ports import free_port
from bilum.waiting import eventually
from tests.faults.audit import Audit, dead_letters, update_summary
from tests.faults.bus import Duplicator, Poisoner, mark_of
from tests.faults.platform import SERVICES, PrivateBroker, TcpProxy
from tests.faults.scenario import MAX_ATTEMPTS, Scenario, assert_clean
from tests.faults.traffic import cancel

ORDERS = 100
RATE = 4.0
DUPLICATION_SEED = 20261123
POISON_WAIT_S = 20


def _mid_handler(broker, service: str) -> bool:
    """The broker shows the service holding deliveries it has not acknowledged yet: a handler is at work."""
    return any(
        unacked for name, (_, unacked) in broker.queues().items() if f"--{service}." in name or name == f"rpc-{service}"
    )


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
    summary = scenario.finish(recovered=sum(1 for service in SERVICES if stack.services[service].alive()), kills=kills)
    assert summary["recovered"] == len(SERVICES)
    assert_clean(summary)


def test_broker_restarted_mid_run_and_the_services_reconnect_by_themselves(make_stack, database, run_dir, teardown):
    broker = PrivateBroker(run_dir / "broker")
    broker.start()
    teardown.callback(broker.stop)
    stack = make_stack(broker)
    scenario = Scenario("broker-restart", stack, database, ship=False)
    scenario.begin(ORDERS, RATE)
    scenario.sleep_until(12)
    broker.stop()
    eventlet.sleep(3)
    broker.start()
    back = scenario.reconnected(broker, SERVICES, 30)
    scenario.faults_over()
    summary = scenario.finish(recovered=len(back), reconnect_s=back, broker_starts=broker.starts)
    assert set(back) == set(SERVICES), f"not back within 30 s: {set(SERVICES) - set(back)}"
    assert_clean(summary)


def test_broker_unreachable_for_60_s_while_buyers_keep_ordering(main_broker, make_stack, database, run_dir, teardown):
    proxy = TcpProxy(main_broker.port, run_dir, "all-services")
    proxy.start()
    teardown.callback(proxy.stop)
    stack = make_stack(main_broker, {service: main_broker.uri_through(proxy.port) for service in SERVICES})
    scenario = Scenario("broker-unreachable", stack, database, ship=False, lots=False)
    scenario.begin(ORDERS, 1.4)
    scenario.sleep_until(8)
    before = main_broker.consumer_connections()
    proxy.outage(True)
    cut = time.monotonic()
    backlog = []
    while time.monotonic() - cut < 60:
        backlog.append(scenario.audit.outbox_backlog())
        eventlet.sleep(2)
    proxy.outage(False)
    restored_at = datetime.now(timezone.utc)
    restored = time.monotonic()

    def drained():
        return not any(
            scenario.audit.rows(f"SELECT 1 FROM {service}.outbox WHERE occurred_at < :t LIMIT 1", t=restored_at)
            for service in SERVICES
        )

    eventually(drained, "the outbox backlog of the outage to drain", 60, 0.5)
    drain_s = time.monotonic() - restored
    back = scenario.reconnected(main_broker, SERVICES, 30, replacing=before)
    scenario.faults_over()
    summary = scenario.finish(
        recovered=len(back),
        reconnect_s=back,
        outage_s=60,
        max_outbox_backlog=max(backlog),
        outbox_drained_s=round(drain_s, 1),
    )
    assert max(backlog) > 0, "the outage built no outbox backlog: nothing was tested"
    assert drain_s <= 60
    assert_clean(summary)


def test_every_event_delivered_two_or_three_times_in_shuffled_order(main_broker, make_stack, database):
    stack = make_stack(main_broker)
    duplicator = Duplicator(main_broker.amqp_uri, seed=DUPLICATION_SEED)
    duplicator.start()
    scenario = Scenario("duplicates", stack, database)
    try:
        scenario.begin(ORDERS, RATE)
        scenario.placing.wait()
        scenario.buyers.wait()
        scenario.audit.wait_quiet(main_broker, True, True, 240)
    finally:
        duplicator.stop()
    scenario.faults_over()
    summary = scenario.finish(
        recovered=duplicator.copies,
        seed=DUPLICATION_SEED,
        events_captured=duplicator.captured,
        copies_published=duplicator.copies,
        copies_by_type=duplicator.by_type,
    )
    assert duplicator.copies > duplicator.captured > 1000
    assert_clean(summary)


def test_poison_messages_are_dead_lettered_within_the_retry_limit_while_healthy_orders_flow(
    main_broker, make_stack, database
):
    # The poison that makes a handler fail is a cancellation of an order that never comes. Such a cancellation
    # first waits for its order (it could have overtaken it); a short wait lets the scenario see it parked.
    stack = make_stack(main_broker, settings={"BILUM_WAIT_FOR_PRIOR_S": str(POISON_WAIT_S)})
    scenario = Scenario("poison", stack, database, ship=False)
    scenario.begin(ORDERS, RATE)
    poisoner = Poisoner(main_broker.amqp_uri)
    try:
        for seconds_in in (6, 14, 22, 30):
            scenario.sleep_until(seconds_in)
            poisoner.send_round()
    finally:
        poisoner.close()
    expected = {}
    for mark, (kind, exchange, routing_key) in poisoner.sent.items():
        expected[mark] = (kind, main_broker.bound_queues(exchange, routing_key))
    scenario.faults_over()
    summary = scenario.finish(
        recovered=None, expected_dead_letters=lambda letter: mark_of(letter) in expected, poison_sent=len(poisoner.sent)
    )
    parked = {}
    for letter in dead_letters(main_broker.amqp_uri):
        parked.setdefault(mark_of(letter), []).append(letter)
    kinds = {}
    for mark, (kind, queues) in expected.items():
        letters = parked.get(mark, [])
        assert sorted(letter.queue for letter in letters) == queues, (kind, mark, queues, letters)
        limit = MAX_ATTEMPTS if kind == "handler_fails" else 1
        assert all(letter.attempts == limit for letter in letters), (kind, [letter.attempts for letter in letters])
        kinds[kind] = kinds.get(kind, 0) + len(letters)
    summary = update_summary(
        "poison",
        recovered=sum(kinds.values()),
        dead_lettered_by_kind=kinds,
        healthy_orders_per_s=round(summary["orders"] / summary["placing_s"], 2),
    )
    assert_clean(summary)


def test_a_consumer_paused_30_s_and_dropped_broker_connections(main_broker, make_stack, database, run_dir, teardown):
    proxies = {service: TcpProxy(main_broker.port, run_dir, service) for service in ("orders", "notification")}
    for proxy in proxies.values():
        proxy.start()
        teardown.callback(proxy.stop)
    stack = make_stack(
        main_broker, {service: main_broker.uri_through(proxy.port) for service, proxy in proxies.items()}
    )
    scenario = Scenario("pause-and-drop", stack, database, ship=False)
    scenario.begin(ORDERS, RATE)
    scenario.sleep_until(8)
    aggregation = stack.services["aggregation"]
    aggregation.signal(signal.SIGSTOP)
    eventlet.sleep(30)
    waiting = sum(ready for name, (ready, _) in main_broker.queues().items() if "--aggregation." in name)
    aggregation.signal(signal.SIGCONT)
    resumed = time.monotonic()
    eventually(
        lambda: (
            not any(
                ready + unacked for name, (ready, unacked) in main_broker.queues().items() if "--aggregation." in name
            )
        ),
        "aggregation to work off its backlog",
        120,
        1,
    )
    caught_up_s = time.monotonic() - resumed
    drops = {}
    for service, proxy in proxies.items():
        before = main_broker.consumer_connections()
        for _ in range(2):
            proxy.drop()
            eventlet.sleep(1)
        drops[service] = scenario.reconnected(main_broker, [service], 30, replacing=before).get(service)
    scenario.faults_over()
    summary = scenario.finish(
        recovered=sum(1 for seconds in drops.values() if seconds is not None),
        paused_s=30,
        waiting_when_resumed=waiting,
        caught_up_s=round(caught_up_s, 1),
        reconnect_after_drop_s=drops,
    )
    assert all(seconds is not None for seconds in drops.values()), drops
    assert_clean(summary)


CANCEL_STAGES = {
    "placed": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'placed'",
    "allocated": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'allocated'",
    "accepted": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'in_production' AND NOT EXISTS "
    "(SELECT 1 FROM aggregation.lots l WHERE l.order_id = o.order_id)",
    "produced": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'in_production' AND EXISTS "
    "(SELECT 1 FROM aggregation.lots l WHERE l.order_id = o.order_id AND l.status = 'reported')",
    "passed": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'in_production' AND EXISTS "
    "(SELECT 1 FROM aggregation.lots l WHERE l.order_id = o.order_id AND l.status = 'passed') "
    "AND NOT EXISTS (SELECT 1 FROM consolidation.shipment_lots s WHERE s.order_id = o.order_id)",
    "shipped": "SELECT o.order_id FROM orders.orders o WHERE o.status = 'shipped'",
}
PER_STAGE = 4


def test_orders_cancelled_at_every_stage_release_capacity_and_quotas_and_tell_the_producers(
    main_broker, make_stack, database
):
    stack = make_stack(main_broker)
    scenario = Scenario("compensation", stack, database)
    scenario.begin(ORDERS, RATE)
    cancelled = {stage: [] for stage in CANCEL_STAGES}
    refused = {stage: 0 for stage in CANCEL_STAGES}
    done = set()
    killed = False
    while not scenario.placing.dead or any(
        len(cancelled[stage]) + refused[stage] < PER_STAGE for stage in CANCEL_STAGES
    ):
        if scenario.elapsed() > 110:
            break
        if not killed and scenario.elapsed() > 20:
            stack.services["aggregation"].kill()
            eventlet.sleep(3)
            stack.restart("aggregation")
            killed = True
        for stage, query in CANCEL_STAGES.items():
            if len(cancelled[stage]) + refused[stage] >= PER_STAGE:
                continue
            for (order_id,) in scenario.audit.rows(query + " LIMIT 2"):
                if order_id in done:
                    continue
                done.add(order_id)
                answer = cancel(scenario.clients, order_id, f"cancelled by the buyer at stage {stage}")
                if isinstance(answer, dict) and answer["status"] == "cancelled":
                    cancelled[stage].append(order_id)
                else:
                    refused[stage] += 1
        eventlet.sleep(0.3)
    scenario.faults_over()
    summary = scenario.finish(
        recovered=int(killed),
        quiet_timeout_s=120,
        cancelled_by_stage={stage: len(ids) for stage, ids in cancelled.items()},
        cancellation_refused_by_stage=refused,
    )
    released = Audit(database)
    try:
        rows = released.rows(
            "SELECT q.status, count(*) FROM aggregation.quotas q JOIN orders.orders o "
            "ON o.order_id = q.order_id WHERE o.status = 'cancelled' GROUP BY q.status"
        )
    finally:
        released.close()
    assert dict(rows).get("released", 0) > 0, rows
    assert all(cancelled[stage] for stage in ("placed", "allocated", "accepted")), cancelled
    assert not cancelled["shipped"], "a shipped order was cancelled"
    assert summary["settled_after_faults_s"] <= 120
    assert_clean(summary)


def test_payouts_while_the_provider_times_out_answers_late_and_repeats_callbacks(
    main_broker, make_stack, database, run_dir, teardown
):
    """The clerks pay by mobile money all along; the provider settles each transfer late (2 s), loses the answer
    to some transfers it received (the client times out after 1 s), refuses others outright (503), and calls back
    three times for each; settlement is killed once mid-run. Every lot is paid exactly once all the same."""
    sandbox = start(directory=run_dir / "momo", callback_repeats=3, settle_after=2.0)
    teardown.callback(sandbox.stop)
    gateway_port = free_port()
    gateway = f"http://127.0.0.1:{gateway_port}"
    settings = {
        "BILUM_GATEWAY_PORT": str(gateway_port),
        "BILUM_GATEWAY_URL": gateway,
        "BILUM_MOMO_URL": sandbox.url,
        "BILUM_MOMO_API_USER": sandbox.api_user,
        "BILUM_MOMO_API_KEY": sandbox.api_key,
        "BILUM_MOMO_SUBSCRIPTION_KEY": sandbox.subscription_key,
        "BILUM_MOMO_TIMEOUT_S": "1",
        "BILUM_PAYOUT_CALLBACK_URL": gateway,
        "BILUM_PAYOUT_CALLBACK_SECRET": secrets.token_urlsafe(32),
        "BILUM_PAYOUT_INTERVAL_S": "0.5",
        "BILUM_PAYOUT_STATUS_CHECK_S": "3",
    }
    stack = make_stack(main_broker, settings=settings, with_gateway=True)
    scenario = Scenario("payouts", stack, database, mobile_money=True)
    scenario.begin(ORDERS, RATE)
    scenario.sleep_until(10)
    lost, refused = 0, 0
    killed = False
    while scenario.elapsed() < 70:
        sandbox.slow_next(2.5, count=2)
        lost += 2
        eventlet.sleep(4)
        sandbox.fail_next(503, count=2)
        refused += 2
        eventlet.sleep(4)
        if not killed and scenario.elapsed() > 40:
            stack.services["settlement"].kill()
            eventlet.sleep(2)
            stack.restart("settlement")
            killed = True
    scenario.faults_over()
    summary = scenario.finish(recovered=int(killed), quiet_timeout_s=240)
    transfers = sandbox.transfers()
    callbacks = [record for record in sandbox.records() if record.get("direction") == "callback"]
    successful = [transfer for transfer in transfers if transfer["status"] == "SUCCESSFUL"]
    summary = update_summary(
        "payouts",
        provider={
            "transfers": len(transfers),
            "successful": len(successful),
            "answers_lost": lost,
            "refused_503": refused,
            "callbacks": len(callbacks),
            "callbacks_answered_200": sum(1 for record in callbacks if record["answer"] == 200),
        },
    )
    assert summary["money"]["payout_lines"].get("confirmed", 0) >= 10, summary["money"]
    assert len({transfer["referenceId"] for transfer in transfers}) == len(transfers)
    paid = sum((Decimal(transfer["amount"]) for transfer in successful), Decimal(0))
    assert paid == Decimal(summary["money"]["paid"]), (paid, summary["money"])
    assert_clean(summary)
