"""The service's database as a nameko dependency, and entrypoints that run a use case in one unit of work."""

import inspect
from collections.abc import Callable

from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from shared.errors import EXPECTED
from shared.messaging.consumers import rpc
from shared.messaging.handlers import batch_handler, reliable_handler
from shared.messaging.relay import OutboxRelay
from shared.store import Database


class ServiceDatabase(DependencyProvider):
    """The service's Database as a nameko dependency, with its outbox relay running beside the workers."""

    def __init__(self, outbox, inbox):
        self.outbox = outbox
        self.inbox = inbox

    def setup(self):
        service = self.container.service_name
        self.database = Database(service, self.outbox, self.inbox)
        self.relay = OutboxRelay(self.database, self.container.config[AMQP_URI_CONFIG_KEY])

    def start(self):
        self._relay_thread = self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        self.relay.stop()
        self._relay_thread.wait()
        self.database.engine.dispose()

    def kill(self):
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        return WorkerDatabase(self.database, f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}")


class WorkerDatabase:
    """The service's Database as one worker sees it: its inbox entries are named after the handler it runs, a name
    that is stable across restarts and replicas and distinct per handler."""

    def __init__(self, database: Database, consumer: str):
        self._database = database
        self.consumer = consumer

    def __getattr__(self, name):
        return getattr(self._database, name)

    def handle_once(self, event, effect):
        return self._database.handle_once(self.consumer, event, effect)

    def handle_batch(self, events, effect):
        return self._database.handle_batch(self.consumer, events, effect)


def _entrypoint(use_case: Callable, run: Callable) -> Callable:
    """A method that calls ``run(self, *args)``, named and signed like ``use_case`` without its unit of work, so nameko
    refuses a call with the wrong arguments before a worker starts."""

    def method(self, *args, **kwargs):
        return run(self, *args, **kwargs)

    parameters = list(inspect.signature(use_case).parameters.values())[1:]
    setattr(
        method,
        "__signature__",
        inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *parameters]),
    )
    method.__name__ = use_case.__name__
    method.__qualname__ = use_case.__qualname__
    method.__doc__ = use_case.__doc__
    return method


def rpc_use_case(use_case: Callable, *, expected_exceptions: tuple = EXPECTED) -> Callable:
    """An RPC entrypoint that runs ``use_case(uow, *args)`` in one transaction of the service's ``db``: a refusal
    (``expected_exceptions``) reaches the caller as such, and nothing it wrote stays behind."""

    def run(self, *args, **kwargs):
        with self.db.transaction() as uow:
            return use_case(uow, *args, **kwargs)

    return rpc(expected_exceptions=expected_exceptions)(_entrypoint(use_case, run))


def on_event(source_service: str, event_type: str, effect: Callable, **kwargs) -> Callable:
    """A reliable event handler that applies ``effect(uow, event)`` once per event, however often it is delivered."""

    def handle(self, event):
        return self.db.handle_once(event, effect)

    handle.__name__ = handle.__qualname__ = f"on_{event_type.replace('.', '_')}"
    return reliable_handler(source_service, event_type, **kwargs)(handle)


def on_events(source_service: str, event_type: str, effect: Callable, **kwargs) -> Callable:
    """A batching event handler that applies ``effect(uow, events)`` once to the events of a batch not handled yet."""

    def handle(self, events):
        return self.db.handle_batch(events, effect)

    handle.__name__ = handle.__qualname__ = f"on_{event_type.replace('.', '_')}"
    return batch_handler(source_service, event_type, **kwargs)(handle)
