"""Reliable messaging for nameko services: what a service's ``service.py`` is made of.

- ``ServiceDatabase``: the service's database as a dependency, with its outbox relay (``relay``).
- ``rpc_use_case``, ``on_event``, ``on_events``: entrypoints that run one use case in one unit of work; ``rpc``,
  ``reliable_handler``, ``batch_handler`` and ``consume`` for the few that need more (``consumers``, ``handlers``).
- ``every``: a timer whose interval is a setting, read at start-up (``timers``).
- ``ask``: an RPC to another service with a deadline (``asking``).
- dead letters: where a message that cannot be handled waits, with its reason (``deadletters``).
"""

from shared.messaging.asking import NoAnswer, ask
from shared.messaging.consumers import consume, rpc
from shared.messaging.database import ServiceDatabase, on_event, on_events, rpc_use_case
from shared.messaging.deadletters import DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, make_publisher, park
from shared.messaging.handlers import batch_handler, reliable_handler
from shared.messaging.relay import OutboxRelay
from shared.messaging.timers import every

__all__ = [
    "DEAD_LETTER_EXCHANGE",
    "DEAD_LETTER_QUEUE",
    "NoAnswer",
    "OutboxRelay",
    "ServiceDatabase",
    "ask",
    "batch_handler",
    "consume",
    "every",
    "make_publisher",
    "on_event",
    "on_events",
    "park",
    "reliable_handler",
    "rpc",
    "rpc_use_case",
]
