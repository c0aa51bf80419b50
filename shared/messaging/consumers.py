"""Queue consumers and RPC entrypoints that survive a broker connection lost under them."""

import logging
from functools import partial

from amqp.exceptions import ChannelError
from amqp.exceptions import ConnectionError as AmqpConnectionError
from nameko.messaging import Consumer, QueueConsumer
from nameko.rpc import Rpc, RpcConsumer

from shared.errors import Unavailable
from shared.store import database_unreachable

log = logging.getLogger(__name__)

# What an ack or requeue raises when the broker connection went away under it: a socket error, or the amqp library's
# own. nameko only tolerates the latter; the former, raised in a worker's result handler, kills the whole container.
_LOST_CONNECTION = (OSError, AmqpConnectionError, ChannelError)


class TolerantQueueConsumer(QueueConsumer):
    """A queue consumer that survives acking on a connection the broker has reset: the broker already took the
    message back and delivers it again (an event handler's inbox absorbs the copy)."""

    def on_iteration(self):
        """Before each read: a worker whose ack failed on a reset connection marks it lost before this loop reads
        from it, and kombu then quietly opens a new connection for the read, one that carries none of these
        consumers: the service would wait on it for ever while its queues fill. A connection error raised here
        makes the loop connect again and consume from every queue."""
        if not all(_connected(consumer) for consumer in self._consumers.values()):
            raise ConnectionResetError("a worker found the broker connection lost: consuming again on a new one")
        super().on_iteration()

    def ack_message(self, message):
        try:
            super().ack_message(message)
        except _LOST_CONNECTION as error:
            log.warning(
                "ack on a lost broker connection: the message will be delivered again", extra={"error": repr(error)}
            )

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except _LOST_CONNECTION as error:
            log.warning(
                "requeue on a lost broker connection: the broker takes the message back itself",
                extra={"error": repr(error)},
            )


def _connected(consumer) -> bool:
    connection = getattr(consumer.channel, "connection", None)
    return bool(connection is not None and getattr(connection, "connected", True))


class DeadLetteringQueueConsumer(TolerantQueueConsumer):
    """A queue consumer that parks a message it cannot even decode instead of dying on it."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._park_undecodable, provider)
        return consumers

    def _park_undecodable(self, provider, message, error):
        provider.park_undecodable(message, error)


class _TolerantRpcConsumer(RpcConsumer):
    queue_consumer = TolerantQueueConsumer()


class ResilientRpc(Rpc):
    """nameko's RPC entrypoint, except that a reply it cannot send (the broker connection went away while the
    worker ran) is logged instead of killing the whole service. The request is acknowledged all the same: the work
    was done, and the caller, which never hears back, asks again after its deadline. A call that failed because the
    service's database is away answers ``Unavailable``, which callers know to retry, not the driver's error."""

    rpc_consumer = _TolerantRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        if exc_info is not None and database_unreachable(exc_info[1]):
            unavailable = Unavailable("the service's database cannot be reached for now: try again shortly")
            exc_info = (Unavailable, unavailable, exc_info[2])
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception:
            log.exception("could not send an RPC reply", extra={"method": worker_ctx.entrypoint.method_name})
            self.rpc_consumer.queue_consumer.ack_message(message)
            return result, exc_info


rpc = ResilientRpc.decorator


class ResilientConsumer(Consumer):
    """nameko's ``consume`` on a queue consumer that survives acking on a reset connection."""

    queue_consumer = TolerantQueueConsumer()


consume = ResilientConsumer.decorator
