"""The messaging rules, proved on the real broker and database: outbox, idempotent inbox, dead letters."""
import io
import json
from contextlib import redirect_stdout
from datetime import date, datetime, timezone

import eventlet
import pytest
from kombu import Connection, Exchange
from nameko.standalone.events import event_dispatcher

from bilum.cli import main as bilum
from shared import metrics, migrations
from shared.events import new_event
from shared.messaging import OutboxRelay, batch_handler, reliable_handler
from shared.store import Database
from bilum.demo import eventually
from tests.integration.helpers import dead_letters, running
from tests.payloads import offering_published

received = []


class Listener:
    name = "listener"

    @reliable_handler("orders", "order.status_changed")
    def on_status_changed(self, event):
        received.append(event)


def _status_event(order_id="ord_1"):
    return new_event("order.status_changed", {"order_id": order_id, "previous_status": "placed",
                                              "status": "allocated"}, correlation_id=order_id)


@pytest.fixture
def orders_database(platform):
    migrations.upgrade("orders")
    from services.orders.store import inbox, outbox

    database = Database("orders", outbox, inbox)
    yield database
    database.engine.dispose()


def test_the_outbox_keeps_an_event_through_a_broker_outage_and_publishes_it_once_the_relay_runs(
        platform, orders_database):
    received.clear()
    event = _status_event()
    with running(Listener):
        with orders_database.transaction() as session:
            orders_database.emit(session, event)
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
        body = {"buyer": {"name": "B", "email": "b@example.org"},
                "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
                "due_date": date(2099, 1, 1).isoformat(), "lines": [{"sku": "DUP-1", "quantity": 40}]}

        def placed():
            try:
                with entrypoint_hook(container, "place_order") as place_order:
                    return place_order(body)
            except Exception:
                return None

        order = eventually(placed, what="orders to know the offering")
        line = order["lines"][0]
        offered = new_event("quota.offered", {
            "quota_id": "qta_1", "ref": "ABCD23", "order_id": order["id"], "line_id": line["line_id"],
            "offering_id": "off_dup", "producer_id": "prd_1", "quantity": 25,
            "respond_by": datetime(2099, 1, 1, tzinfo=timezone.utc), "reallocated": False,
            "weeks": [{"week_start": date(2098, 12, 1), "units": 25}]}, correlation_id=order["id"])
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
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 1,
                   what="the message to be dead-lettered")
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
            connection.Producer().publish(b"{not json", exchange=exchange, routing_key="order.status_changed",
                                          content_type="application/json", content_encoding="utf-8")
        healthy = _status_event("ord_fine")
        _dispatch(platform["AMQP_URI"], "orders", healthy.to_message())
        eventually(lambda: dead_letters(platform["AMQP_URI"]) == 2,
                   what="both poison messages to be dead-lettered")
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
