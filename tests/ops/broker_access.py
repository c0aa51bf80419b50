"""What each Bilum service does on the broker, read from its nameko class instead of being written down twice.

nameko declares a queue for every entrypoint that consumes (event handlers, RPC, plain consumers) and, for a service
with an RpcProxy, a reply queue; the outbox relay publishes to the service's events exchange; the reliable handler
republishes a failed message to its own queue through the default exchange and parks poison messages in the
dead-letter exchange. deploy/rabbitmq/definitions.json must grant each service's user exactly this: the paper check is
tests/ops/test_rabbitmq.py, the real one tests/integration/test_broker_permissions.py.

The queues come from nameko's own extensions (their ``setup`` builds the kombu objects nameko declares), so a name
that nameko changes, or a handler someone adds, changes what the tests demand.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from kombu import Queue
from nameko.containers import ServiceContainer
from nameko.events import EventDispatcher, EventHandler
from nameko.messaging import Consumer, Publisher
from nameko.rpc import Rpc, RpcProxy
from nameko.standalone.events import get_event_exchange

from shared.messaging import DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, ServiceDatabase
from shared.messaging.handlers import ReliableEventHandler

SERVICE_CLASSES = {
    "catalogue": "services.catalogue.service:CatalogueService",
    "orders": "services.orders.service:OrdersService",
    "aggregation": "services.aggregation.service:AggregationService",
    "consolidation": "services.consolidation.service:ConsolidationService",
    "notification": "services.notification.service:NotificationService",
    "settlement": "services.settlement.service:SettlementService",
    "gateway": "services.gateway.service:GatewayService",
}
RPC_EXCHANGE = "nameko-rpc"
# RabbitMQ checks permissions on the default exchange under this name.
DEFAULT_EXCHANGE = "amq.default"


@dataclass(frozen=True)
class Needs:
    """Resource names a user must be allowed, per permission; RPC routing keys per topic permission."""

    configure: frozenset[str]
    write: frozenset[str]
    read: frozenset[str]
    rpc_publish_keys: frozenset[str]
    rpc_bind_keys: frozenset[str]


@dataclass(frozen=True)
class BrokerAccess:
    service: str
    consumed: tuple[Queue, ...]
    sources: frozenset[str]
    publishes_events: bool
    retries_and_parks: bool
    rpc_methods: tuple[str, ...]
    calls: frozenset[str]
    reply_routing_key: str | None

    @property
    def events_exchange(self) -> str:
        return get_event_exchange(self.service, {}).name

    def needs(self, rpc_methods_of: dict[str, tuple[str, ...]], reply_key: str) -> Needs:
        """``rpc_methods_of``: the methods each service serves; ``reply_key``: a reply queue's routing key (a UUID)."""
        configure, write, read = set(), set(), set()
        for queue in self.consumed:
            configure |= {queue.name, queue.exchange.name}
            write.add(queue.name)  # queue.bind
            read |= {queue.name, queue.exchange.name}  # basic.consume; queue.bind
        if self.publishes_events:
            configure.add(self.events_exchange)
            write.add(self.events_exchange)
        if self.retries_and_parks:
            configure |= {DEAD_LETTER_EXCHANGE.name, DEAD_LETTER_QUEUE.name}
            write |= {DEAD_LETTER_EXCHANGE.name, DEAD_LETTER_QUEUE.name, DEFAULT_EXCHANGE}
            read.add(DEAD_LETTER_EXCHANGE.name)
        if self.rpc_methods or self.calls:
            write.add(RPC_EXCHANGE)  # replies and calls
        publish_keys = {f"{target}.{method}" for target in self.calls for method in rpc_methods_of[target]}
        bind_keys = {f"{self.service}.*"} if self.rpc_methods else set()
        if self.rpc_methods:
            publish_keys.add(reply_key)
        if self.calls:
            bind_keys.add(reply_key)
        return Needs(
            frozenset(configure), frozenset(write), frozenset(read), frozenset(publish_keys), frozenset(bind_keys)
        )


def service_class(service: str):
    module, _, name = SERVICE_CLASSES[service].partition(":")
    return getattr(importlib.import_module(module), name)


def broker_access(service: str) -> BrokerAccess:
    container = ServiceContainer(service_class(service), {"AMQP_URI": "amqp://unused@localhost/bilum"})
    consumed: dict[str, Queue] = {}
    sources, rpc_methods, reply_listeners = set(), [], {}
    retries_and_parks = False
    for entrypoint in container.entrypoints:
        if isinstance(entrypoint, EventHandler):
            if not isinstance(entrypoint, ReliableEventHandler):
                raise NotImplementedError(f"{service}: a plain nameko event handler loses failed messages")
            entrypoint.setup()
            consumed[entrypoint.queue.name] = entrypoint.queue
            sources.add(entrypoint.source_service)
            retries_and_parks = True
        elif isinstance(entrypoint, Rpc):
            entrypoint.rpc_consumer.setup()
            queue = entrypoint.rpc_consumer.queue
            consumed[queue.name] = queue
            rpc_methods.append(entrypoint.method_name)
        elif isinstance(entrypoint, Consumer):
            consumed[entrypoint.queue.name] = entrypoint.queue
    publishes_events = False
    calls = set()
    for dependency in container.dependencies:
        if isinstance(dependency, RpcProxy):
            calls.add(dependency.target_service)
            reply_listeners[id(dependency.rpc_reply_listener)] = dependency.rpc_reply_listener
        elif isinstance(dependency, (ServiceDatabase, EventDispatcher)):
            publishes_events = True
        elif isinstance(dependency, Publisher):
            raise NotImplementedError(f"{service}: model what {type(dependency).__name__} publishes")
    reply_key = None
    for listener in reply_listeners.values():
        listener.setup()
        consumed[listener.queue.name] = listener.queue
        reply_key = listener.routing_key
    return BrokerAccess(
        service=service,
        consumed=tuple(consumed.values()),
        sources=frozenset(sources),
        publishes_events=publishes_events,
        retries_and_parks=retries_and_parks,
        rpc_methods=tuple(sorted(rpc_methods)),
        calls=frozenset(calls),
        reply_routing_key=reply_key,
    )


def all_broker_access() -> dict[str, BrokerAccess]:
    return {service: broker_access(service) for service in SERVICE_CLASSES}
