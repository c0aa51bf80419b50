"""The messaging rules, proved on the real broker and database: outbox, idempotent inbox, dead letters."""

import io
import json
import logging
import socket
import uuid
from contextlib import redirect_stdout
from datetime import date, datetime, timezone

import eventlet
import pytest
from kombu import Connection, Consumer, Exchange, Queue
from nameko.exceptions import RemoteError
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy.exc import OperationalError

from bilum.cli import main as bilum
from bilum.waiting import eventually
from shared import metrics, migrations
from shared.errors import NotYetKnown
from shared.events import new_event
from shared.messaging import OutboxRelay, batch_handler, reliable_handler, rpc
from shared.messaging.consumers import TolerantQueueConsumer
from shared.store import Database
from tests.faults.platform import TcpProxy
from tests.integration.helpers import dead_letters, management, running
from tests.payloads import offering_published

received = []


class Listener:
    name = "listener"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        received.append(event)


def _status_event(order_id="ord_1"):
    return new_event(
        "order.status_changed",
        {"order_id": order_id, "previous_status": "placed", "status": "allocated"},
        correlation_id=order_id,
    )


@pytest.fixture
def orders_database(platform):
    migrations.upgrade("orders")
    from services.orders.store import inbox, outbox

    database = Database("orders", outbox, inbox)
    yield database
    database.engine.dispose()


def test_the_outbox_keeps_an_event_through_a_broker_outage_and_publishes_it_once_the_relay_runs(
    platform, orders_database
):
    received.clear()
    event = _status_event()
    with running(Listener):
        with orders_database.transaction() as uow:
            uow.emit(event)
        assert orders_database.outbox_backlog()[0] == 1

        unreachable = OutboxRelay(orders_database, "amqp://guest:guest@127.0.0.1:1/")
        with pytest.raises(Exception):
            unreachable.publish_pending()
        assert orders_database.outbox_backlog()[0] == 1
        assert received == []

        assert OutboxRelay(orders_database, platform["AMQP_URI"]).publish_pending() == 1
        eventually(lambda: received, what="the listener to receive the relayed event")
    assert [e.event_id for e in received] == [event.event_id]
    assert received[0].payload["status"] == "allocated"
    assert orders_database.outbox_backlog()[0] == 0


def _dispatch(amqp_uri, source, message):
    event_dispatcher({"AMQP_URI": amqp_uri})(source, message["event_type"], message)


def test_an_event_delivered_twice_has_one_effect(platform):
    from services.orders.service import OrdersService

    migrations.upgrade("orders")
    offering = offering_published("off_dup", "DUP-1")
    with running(OrdersService) as container:
        from nameko.testing.services import entrypoint_hook

        _dispatch(platform["AMQP_URI"], "catalogue", offering.to_message())
        body = {
            "buyer": {"name": "B", "email": "b@example.org"},
            "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
            "due_date": date(2099, 1, 1).isoformat(),
            "lines": [{"sku": "DUP-1", "quantity": 40}],
            "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
        }

        def placed():
            try:
                with entrypoint_hook(container, "place_order") as place_order:
                    return place_order(body)
            except Exception:
                return None

        order = eventually(placed, what="orders to know the offering")
        line = order["lines"][0]
        offered = new_event(
            "quota.offered",
            {
                "quota_id": "qta_1",
                "ref": "ABCD23",
                "order_id": order["id"],
                "line_id": line["line_id"],
                "offering_id": "off_dup",
                "producer_id": "prd_1",
                "quantity": 25,
                "respond_by": datetime(2099, 1, 1, tzinfo=timezone.utc),
                "reallocated": False,
                "weeks": [{"week_start": date(2098, 12, 1), "units": 25}],
            },
            correlation_id=order["id"],
        )
        duplicates_before = metrics.MESSAGES_DUPLICATE.labels("orders", "quota.offered")._value.get()
        message = offered.to_message()
        _dispatch(platform["AMQP_URI"], "aggregation", message)
        _dispatch(platform["AMQP_URI"], "aggregation", message)

        def both_handled():
            return metrics.MESSAGES_DUPLICATE.labels("orders", "quota.offered")._value.get() == duplicates_before + 1

        eventually(both_handled, what="the duplicate to be seen")
        with entrypoint_hook(container, "get_order") as get_order:
            assert get_order(order["id"])["lines"][0]["allocated"] == 25


attempts = []
mended = {"yes": False}


class Flaky:
    name = "flaky"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        attempts.append(event.event_id)
        if not mended["yes"]:
            raise RuntimeError("the ledger is on fire")


def _dlq_list():
    out = io.StringIO()
    with redirect_stdout(out):
        assert bilum(["dlq", "list", "--json"]) == 0
    return json.loads(out.getvalue())


def test_a_handler_that_always_raises_ends_in_the_dead_letter_queue_and_can_be_replayed(platform):
    attempts.clear()
    mended["yes"] = False
    event = _status_event("ord_fire")
    with running(Flaky):
        _dispatch(platform["AMQP_URI"], "orders", event.to_message())
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 1, what="the message to be dead-lettered")
        assert attempts == [event.event_id] * 3

        letters = _dlq_list()
        assert len(letters) == 1
        assert letters[0]["queue"] == "evt-orders-order.status_changed--flaky.on_status_changed"
        assert "the ledger is on fire" in letters[0]["reason"]
        assert letters[0]["attempts"] == 3
        assert letters[0]["body"]["event_id"] == event.event_id
        assert dead_letters(platform["AMQP_URI"]) == 1

        mended["yes"] = True
        assert bilum(["dlq", "replay", "--all"]) == 0
        eventually(lambda: len(attempts) == 4, what="the replayed message to be handled")
        assert _dlq_list() == []


def test_messages_that_break_the_contract_are_dead_lettered_at_once_with_the_reason(platform):
    attempts.clear()
    mended["yes"] = True
    broken = _status_event("ord_poison").to_message()
    broken["payload"]["status"] = None
    exchange = Exchange("orders.events", type="topic", durable=True)
    with running(Flaky):
        _dispatch(platform["AMQP_URI"], "orders", broken)
        with Connection(platform["AMQP_URI"]) as connection:
            connection.Producer().publish(
                b"{not json",
                exchange=exchange,
                routing_key="order.status_changed",
                content_type="application/json",
                content_encoding="utf-8",
            )
        healthy = _status_event("ord_fine")
        _dispatch(platform["AMQP_URI"], "orders", healthy.to_message())
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 2, what="both poison messages to be dead-lettered")
        eventually(lambda: attempts == [healthy.event_id], what="healthy traffic to carry on")
    reasons = sorted(letter["reason"] for letter in _dlq_list())
    assert "payload invalid" in reasons[0]
    assert "undecodable" in reasons[1]


batches = []
handled = []


class Batcher:
    name = "batcher"

    @batch_handler("orders", "order.status_changed")
    def on_status_changed(self, events):
        batches.append([event.event_id for event in events])
        eventlet.sleep(0.1)  # long enough for the next messages to queue up behind this batch
        if any(event.correlation_id == "ord_bad" for event in events):
            raise RuntimeError("one bad order spoils its batch")
        handled.extend(event.event_id for event in events)


def test_a_batch_handler_takes_queued_events_together_and_a_bad_one_alone_to_the_dead_letters(platform):
    batches.clear()
    handled.clear()
    good = [_status_event(f"ord_{n}") for n in range(30)]
    bad = _status_event("ord_bad")
    with running(Batcher):
        for event in good[:15] + [bad] + good[15:]:
            _dispatch(platform["AMQP_URI"], "orders", event.to_message())
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 1, what="the bad event to be dead-lettered")
        eventually(lambda: len(handled) == len(good), what="every good event to be handled")
    assert sorted(handled) == sorted(event.event_id for event in good)
    assert max(len(batch) for batch in batches) > 1, "queued events were handled one by one"
    assert [batch for batch in batches if bad.event_id in batch and len(batch) == 1] == [[bad.event_id]] * 3
    assert _dlq_list()[0]["body"]["event_id"] == bad.event_id


tries = []
known = {"yes": False}


class Patient:
    name = "patient"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        tries.append(event.event_id)
        if not known["yes"]:
            raise NotYetKnown(f"order {event.correlation_id} is not known here yet")


def test_an_event_that_overtook_the_fact_it_needs_waits_for_it_beyond_the_retry_budget(platform, caplog):
    caplog.set_level(logging.WARNING, logger="nameko.containers")
    tries.clear()
    known["yes"] = False
    event = _status_event("ord_early")
    waits_before = metrics.MESSAGES_WAITING.labels("patient", "order.status_changed")._value.get()
    with running(Patient):
        _dispatch(platform["AMQP_URI"], "orders", event.to_message())
        eventually(
            lambda: len(tries) > 2 * int(platform["BILUM_MAX_ATTEMPTS"]),
            what="the event to be tried more often than a failing one may be",
        )
        assert dead_letters(platform["AMQP_URI"]) == 0
        known["yes"] = True
        handled_at = len(tries) + 1
        eventually(lambda: len(tries) >= handled_at, what="the event to be handled once its fact arrived")
        eventlet.sleep(0.5)
        assert len(tries) == handled_at, "the event was tried again after it was handled"
    assert set(tries) == {event.event_id}
    assert dead_letters(platform["AMQP_URI"]) == 0
    assert metrics.MESSAGES_WAITING.labels("patient", "order.status_changed")._value.get() >= waits_before + 7
    waits_logged = [record.levelname for record in caplog.records if "not known here yet" in record.getMessage()]
    assert waits_logged and set(waits_logged) == {"WARNING"}, "a wait is logged as expected, not as an error"


def test_an_event_whose_fact_never_arrives_is_dead_lettered_once_the_wait_is_over(platform, monkeypatch):
    monkeypatch.setenv("BILUM_WAIT_FOR_PRIOR_S", "0.5")
    tries.clear()
    known["yes"] = False
    event = _status_event("ord_never")
    with running(Patient):
        _dispatch(platform["AMQP_URI"], "orders", event.to_message())
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 1, what="the event to be dead-lettered")
    letters = _dlq_list()
    assert [letter["body"]["event_id"] for letter in letters] == [event.event_id]
    assert "order ord_never is not known here yet" in letters[0]["reason"]
    assert letters[0]["attempts"] == int(platform["BILUM_MAX_ATTEMPTS"])
    assert len(tries) > int(platform["BILUM_MAX_ATTEMPTS"])


slow_runs = []


class Slow:
    name = "slow"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        slow_runs.append(event.event_id)
        eventlet.sleep(1.5)


def test_a_worker_that_acks_after_its_broker_connection_was_reset_leaves_the_service_running(
    platform, monkeypatch, tmp_path
):
    """The broker takes back an unacknowledged message when the connection dies; the ack of the worker that was
    handling it then fails, and must not take the service down with it."""
    proxy = TcpProxy(5672, tmp_path, "slow")
    proxy.start()
    try:
        monkeypatch.setenv("AMQP_URI", platform["AMQP_URI"].replace("127.0.0.1:5672", f"127.0.0.1:{proxy.port}"))
        slow_runs.clear()
        event = _status_event("ord_slow")
        with running(Slow) as container:
            _dispatch(platform["AMQP_URI"], "orders", event.to_message())
            eventually(lambda: slow_runs, what="the handler to start")
            proxy.drop()
            eventually(
                lambda: len(slow_runs) == 2, what="the message to be delivered again after the reset", timeout_s=30
            )
            eventlet.sleep(2)
            assert not container._died.ready(), "the service died acking on a reset connection"
            queue = "evt-orders-order.status_changed--slow.on_status_changed"
            vhost = platform["AMQP_URI"].rsplit("/", 1)[1]
            eventually(lambda: not _queue_depth(vhost, queue), what="the second delivery to be acknowledged")
        assert slow_runs == [event.event_id] * 2
        assert dead_letters(platform["AMQP_URI"]) == 0
    finally:
        proxy.stop()


def test_a_consumer_whose_connection_a_worker_found_reset_connects_again_instead_of_idling(platform, tmp_path):
    """A worker's ack can be the first to meet a reset connection. kombu then takes the connection for lost and
    quietly opens a new one at the consumer loop's next read, a connection without the service's consumers: the
    service idled for minutes with its queues full (the fault suite's dropped-connections scenario). The queue
    consumer must raise a connection error before that read, so that its loop connects again and consumes."""
    proxy = TcpProxy(5672, tmp_path, "acks")
    proxy.start()
    queue = Queue(f"acks-{uuid.uuid4().hex[:10]}", durable=False, auto_delete=True)
    try:
        with Connection(platform["AMQP_URI"].replace("127.0.0.1:5672", f"127.0.0.1:{proxy.port}")) as connection:
            delivered = []
            consumer = Consumer(
                connection.channel(), queues=[queue], callbacks=[lambda _body, message: delivered.append(message)]
            )
            consumer.consume()
            _publish(platform["AMQP_URI"], queue, 1)
            connection.drain_events(timeout=10)
            proxy.drop()
            queue_consumer = TolerantQueueConsumer()
            queue_consumer._consumers = {"handler": consumer}
            eventually(lambda: _ack_fails(queue_consumer, delivered[0]), what="the ack to meet the reset", timeout_s=5)

            with pytest.raises(ConnectionResetError):
                queue_consumer.on_iteration()
            _publish(platform["AMQP_URI"], queue, 2)
            with pytest.raises(socket.timeout):
                connection.drain_events(timeout=2)
            assert len(delivered) == 1, "kombu's quiet new connection was expected to carry no consumer"
    finally:
        proxy.stop()


def _publish(amqp_uri: str, queue: Queue, body: int) -> None:
    with Connection(amqp_uri) as connection:
        connection.Producer().publish(body, routing_key=queue.name, declare=[queue])


def _ack_fails(queue_consumer, message) -> bool:
    queue_consumer.ack_message(message)
    return not message.channel.connection.connected


def _queue_depth(vhost: str, queue: str) -> int:
    return management("GET", f"/queues/{vhost}/{queue}").json().get("messages", 0)


class Desk:
    name = "desk"

    @rpc
    def slow_answer(self, seconds):
        eventlet.sleep(seconds)
        return "done"


def test_a_reply_that_cannot_be_sent_during_a_broker_outage_leaves_the_service_running(platform, monkeypatch, tmp_path):
    proxy = TcpProxy(5672, tmp_path, "desk")
    proxy.start()
    try:
        monkeypatch.setenv("AMQP_URI", platform["AMQP_URI"].replace("127.0.0.1:5672", f"127.0.0.1:{proxy.port}"))
        with running(Desk) as container, ClusterRpcProxy({"AMQP_URI": platform["AMQP_URI"]}, timeout=30) as caller:
            assert caller.desk.slow_answer(0) == "done"
            caller.desk.slow_answer.call_async(1.5)
            eventlet.sleep(0.5)
            proxy.outage(True)
            eventlet.sleep(15)
            assert not container._died.ready(), "the service died on a reply it could not send"
            proxy.outage(False)
            answered = eventually(lambda: _answer_or_none(caller), what="the service to answer again", timeout_s=60)
            assert answered == "done"
    finally:
        proxy.stop()


def _answer_or_none(caller):
    try:
        return caller.desk.slow_answer(0)
    except Exception:
        return None


def _connection_lost() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


database_away = {"yes": True}
outage_tries = []


class DatabaseBound:
    name = "database_bound"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        outage_tries.append(event.event_id)
        if database_away["yes"]:
            raise _connection_lost()

    @rpc
    def read(self):
        if database_away["yes"]:
            raise _connection_lost()
        return "read"


def test_while_the_database_is_away_an_event_waits_without_spending_retries_and_a_call_answers_unavailable(platform):
    outage_tries.clear()
    database_away["yes"] = True
    event = _status_event("ord_outage")
    with running(DatabaseBound), ClusterRpcProxy({"AMQP_URI": platform["AMQP_URI"]}, timeout=30) as caller:
        with pytest.raises(RemoteError) as refused:
            caller.database_bound.read()
        assert refused.value.exc_type == "Unavailable"
        assert "database cannot be reached" in refused.value.value
        _dispatch(platform["AMQP_URI"], "orders", event.to_message())
        eventually(
            lambda: len(outage_tries) > 2 * int(platform["BILUM_MAX_ATTEMPTS"]),
            what="the event to be tried more often than a failing one may be",
        )
        assert dead_letters(platform["AMQP_URI"]) == 0
        database_away["yes"] = False
        assert caller.database_bound.read() == "read"
        handled_at = len(outage_tries) + 1
        eventually(lambda: len(outage_tries) >= handled_at, what="the event to be handled once the database is back")
        eventlet.sleep(0.5)
        assert len(outage_tries) == handled_at, "the event was tried again after it was handled"
    assert dead_letters(platform["AMQP_URI"]) == 0
