"""Least privilege on the real broker: the permissions, topic permissions, policies and default queue type of
deploy/rabbitmq/definitions.json, applied to a vhost and users of this test's own, let each service do exactly what
its nameko class does (tests/ops/broker_access.py) and refuse it the other services' exchanges and queues.

Each service's own work is done with the objects the services use (nameko's kombu queues, Bilum's publishers and
``park``), so a declaration nameko makes that the permissions forget fails here, not in production.
"""

import json
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import amqp
import pytest
from kombu import Connection
from nameko.amqp.publish import Publisher
from nameko.rpc import get_rpc_exchange
from nameko.standalone.events import get_event_exchange

from shared.messaging import DEAD_LETTER_QUEUE, make_publisher, park
from tests.integration.helpers import management
from tests.ops.broker_access import SERVICE_CLASSES, all_broker_access

DEFINITIONS = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"
BROKER = os.environ.get("BILUM_TEST_AMQP_HOST", "guest:guest@127.0.0.1:5672").rsplit("@", 1)[1]
SERVICES = tuple(SERVICE_CLASSES)
OPERATOR = "bilum"
PROBE_EVENT = "probe.happened"


class Broker:
    """A vhost and users made from the definitions, renamed so that runs and real installations never meet."""

    def __init__(self, definitions: dict):
        self.prefix = f"bilum-perm-{uuid.uuid4().hex[:8]}"
        self.vhost = self.prefix
        self.definitions = definitions
        self.passwords = {p["user"]: uuid.uuid4().hex for p in definitions["permissions"]}
        self.created_users: list[str] = []

    def user(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def uri(self, name: str) -> str:
        return f"amqp://{self.user(name)}:{self.passwords[name]}@{BROKER}/{quote(self.vhost, safe='')}"

    def connect(self, name: str) -> amqp.Connection:
        connection = amqp.Connection(
            host=BROKER,
            userid=self.user(name),
            password=self.passwords[name],
            virtual_host=self.vhost,
            connect_timeout=5,
        )
        try:
            connection.connect()
        except OSError as error:
            pytest.fail(
                f"RabbitMQ is unreachable at {BROKER} ({error}): start it (`rabbitmq-server -detached`).", pytrace=False
            )
        return connection

    def create(self):
        vhost = quote(self.vhost, safe="")
        (entry,) = self.definitions["vhosts"]
        queue_type = entry["metadata"]["default_queue_type"]
        # "defaultqueuetype" is what RabbitMQ before 3.11 reads, "default_queue_type" what later ones do
        management(
            "PUT",
            f"/vhosts/{vhost}",
            json={
                "description": entry["metadata"]["description"],
                "default_queue_type": queue_type,
                "defaultqueuetype": queue_type,
            },
        )
        assert management("GET", f"/vhosts/{vhost}").json()["default_queue_type"] == queue_type
        for name, password in self.passwords.items():
            management("PUT", f"/users/{quote(self.user(name), safe='')}", json={"password": password, "tags": ""})
            self.created_users.append(self.user(name))
        for permission in self.definitions["permissions"]:
            management(
                "PUT",
                f"/permissions/{vhost}/{quote(self.user(permission['user']), safe='')}",
                json={key: permission[key] for key in ("configure", "write", "read")},
            )
        for topic in self.definitions["topic_permissions"]:
            management(
                "PUT",
                f"/topic-permissions/{vhost}/{quote(self.user(topic['user']), safe='')}",
                json={key: topic[key] for key in ("exchange", "write", "read")},
            )
        for policy in self.definitions["policies"]:
            management(
                "PUT",
                f"/policies/{vhost}/{quote(policy['name'], safe='')}",
                json={key: policy[key] for key in ("pattern", "definition", "priority", "apply-to")},
            )

    def delete(self):
        management("DELETE", f"/vhosts/{quote(self.vhost, safe='')}", allow_missing=True)
        for user in self.created_users:
            management("DELETE", f"/users/{quote(user, safe='')}", allow_missing=True)


@pytest.fixture(scope="module")
def access():
    return all_broker_access()


@pytest.fixture(scope="module")
def broker():
    broker = Broker(json.loads(DEFINITIONS.read_text()))
    try:
        broker.create()
        yield broker
    finally:
        broker.delete()


def _ignore(message) -> None:
    """A consumer callback for consumers that are cancelled (or refused) before any delivery."""


def _attempt(failures: list, what: str, action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except amqp.exceptions.AMQPError as error:
        failures.append(f"{what}: {error}")


def _declare_and_consume(connection, queue):
    channel = connection.channel()
    queue(channel).declare()  # nameko's QueueConsumer declares the exchange, the queue and the binding
    tag = channel.basic_consume(queue.name, callback=_ignore)
    channel.basic_cancel(tag)
    channel.close()


def _publish_as_the_service(broker, service, service_access, rpc_methods_of) -> list[str]:
    """The outbox relay, the reliable handler's retry and park, an RPC answer and the service's RPC calls."""
    failures = []
    uri = broker.uri(service)
    body = {"event_type": PROBE_EVENT, "service": service}
    if service_access.publishes_events:
        exchange = get_event_exchange(service, {})
        _attempt(
            failures,
            f"publish to {exchange.name}",
            make_publisher(uri).publish,
            body,
            exchange=exchange,
            routing_key=PROBE_EVENT,
            declare=[exchange],
        )
    if service_access.retries_and_parks:
        own_queue = next(q.name for q in service_access.consumed if q.name.startswith("evt-"))
        _attempt(
            failures,
            "republish a retry to its own queue",
            make_publisher(uri).publish,
            body,
            exchange="",
            routing_key=own_queue,
        )
        _attempt(
            failures,
            "park a message",
            park,
            make_publisher(uri),
            body,
            queue=own_queue,
            service=service,
            event_type=PROBE_EVENT,
            reason="permission probe",
            attempts=1,
        )
    if service_access.rpc_methods:
        _attempt(
            failures,
            "answer an RPC",
            Publisher(uri).publish,
            {"result": None, "error": None},
            exchange=get_rpc_exchange({}),
            routing_key=str(uuid.uuid4()),
        )
    for target in sorted(service_access.calls):
        method = rpc_methods_of[target][0]
        _attempt(
            failures,
            f"call {target}.{method}",
            Publisher(uri).publish,
            {"args": [], "kwargs": {}},
            exchange=get_rpc_exchange({}),
            routing_key=f"{target}.{method}",
            reply_to=service_access.reply_routing_key,
        )
    return failures


def _own_work(broker, access) -> dict[str, list[str]]:
    """Everything each service does on the broker, as its user; what was refused, per service. Every queue is
    declared before anything is published, as when the platform has started."""
    failures = {service: [] for service in SERVICES}
    for service, service_access in access.items():
        connection = Connection(broker.uri(service), connect_timeout=5)
        try:
            for queue in service_access.consumed:
                _attempt(
                    failures[service], f"declare and consume {queue.name}", _declare_and_consume, connection, queue
                )
        finally:
            connection.release()
    rpc_methods_of = {service: service_access.rpc_methods for service, service_access in access.items()}
    for service, service_access in access.items():
        failures[service] += _publish_as_the_service(broker, service, service_access, rpc_methods_of)
    return failures


@pytest.fixture(scope="module")
def own_work(broker, access):
    return _own_work(broker, access)


def test_every_service_user_can_do_its_services_own_work(own_work):
    refused = {service: failures for service, failures in own_work.items() if failures}
    assert not refused, json.dumps(refused, indent=2)


def _refused(connection, operation) -> bool:
    channel = connection.channel()
    try:
        operation(channel)
    except amqp.exceptions.AccessRefused:
        return True
    channel.close()
    return False


def _publish(exchange: str, routing_key: str):
    def operation(channel):
        channel.confirm_select()
        channel.basic_publish_confirm(amqp.Message(b"{}"), exchange=exchange, routing_key=routing_key)

    return operation


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_user_cannot_publish_to_or_consume_from_another_service(service, broker, access, own_work):
    connection = broker.connect(service)
    allowed = []
    try:
        own_queue = access[service].consumed[0].name
        for other in SERVICES:
            if other == service:
                continue
            exchange = get_event_exchange(other, {}).name
            checks = {
                f"publish to {exchange}": _publish(exchange, PROBE_EVENT),
                f"declare rpc-{other}": lambda ch, q=f"rpc-{other}": ch.queue_declare(q, durable=True),
            }
            if other not in access[service].sources:
                checks[f"bind {own_queue} to {exchange}"] = lambda ch, x=exchange: ch.queue_bind(own_queue, x, "#")
            for queue in access[other].consumed:
                if queue.name != DEAD_LETTER_QUEUE.name:
                    checks[f"consume {queue.name}"] = lambda ch, q=queue.name: ch.basic_consume(q, callback=_ignore)
            if other not in access[service].calls and access[other].rpc_methods:
                method = access[other].rpc_methods[0]
                checks[f"call {other}.{method}"] = _publish("nameko-rpc", f"{other}.{method}")
            checks[f"hear {other}'s RPCs"] = lambda ch, o=other: ch.queue_bind(own_queue, "nameko-rpc", f"{o}.*")
            allowed += [what for what, operation in checks.items() if not _refused(connection, operation)]
    finally:
        connection.close()
    assert not allowed, f"{service} was allowed to: {allowed}"


def test_the_operator_reads_the_dead_letters_and_nothing_else(broker, access, own_work):
    connection = broker.connect(OPERATOR)
    try:
        channel = connection.channel()
        channel.queue_declare(DEAD_LETTER_QUEUE.name, durable=True, auto_delete=False)  # as `bilum dlq` does
        parked = channel.basic_get(DEAD_LETTER_QUEUE.name, no_ack=False)
        assert parked is not None and parked.headers["x-bilum-reason"] == "permission probe"
        channel.close()
        for service, service_access in access.items():
            if service_access.publishes_events:
                assert _refused(connection, _publish(get_event_exchange(service, {}).name, PROBE_EVENT)), service
            for queue in service_access.consumed:
                assert _refused(connection, lambda ch, q=queue.name: ch.basic_consume(q, callback=_ignore)), queue.name
    finally:
        connection.close()


def _deliveries_until_gone(channel, queue: str, body: str, limit: int) -> int:
    """Publish one message and reject it back to its queue until the broker stops delivering it."""
    channel.queue_purge(queue)
    channel.confirm_select()  # enqueued before the first get
    channel.basic_publish_confirm(amqp.Message(body), exchange="", routing_key=queue)
    deliveries = 0
    while (message := channel.basic_get(queue, no_ack=False)) is not None:
        deliveries += 1
        channel.basic_reject(message.delivery_tag, requeue=True)
        assert deliveries <= 3 * limit, f"the delivery limit never applied to {queue}"
    return deliveries


def _policy(broker, name: str) -> dict:
    (policy,) = [p for p in broker.definitions["policies"] if p["name"] == name]
    return policy["definition"]


def test_an_event_redelivered_past_the_limit_is_dead_lettered(broker, access, own_work):
    service = "aggregation"
    queue = next(q.name for q in access[service].consumed if q.name.startswith("evt-"))
    limit = _policy(broker, "bilum-events")["delivery-limit"]
    marker = uuid.uuid4().hex
    connection = broker.connect(service)
    try:
        assert _deliveries_until_gone(connection.channel(), queue, marker, limit) == limit + 1
    finally:
        connection.close()
    operator = broker.connect(OPERATOR)
    try:
        channel = operator.channel()
        letters = []
        while (message := channel.basic_get(DEAD_LETTER_QUEUE.name, no_ack=False)) is not None:
            letters.append(message)
        (letter,) = [m for m in letters if m.body == marker]
        assert letter.headers["x-death"][0]["queue"] == queue
        assert letter.headers["x-death"][0]["reason"] == "delivery_limit"
    finally:
        operator.close()


def test_an_rpc_request_that_keeps_coming_back_is_dropped_after_the_limit(broker, own_work):
    limit = _policy(broker, "bilum-rpc")["delivery-limit"]
    connection = broker.connect("catalogue")
    try:
        assert _deliveries_until_gone(connection.channel(), "rpc-catalogue", "{}", limit) == limit + 1
    finally:
        connection.close()


def test_every_queue_the_services_declare_is_a_quorum_queue(broker, access, own_work):
    queues = {q["name"]: q for q in management("GET", f"/queues/{quote(broker.vhost, safe='')}").json()}
    declared = {q.name for a in access.values() for q in a.consumed}
    assert declared <= set(queues)
    assert {name: queues[name]["type"] for name in declared} == {name: "quorum" for name in declared}
