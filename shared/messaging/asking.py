"""Asking another service, with a deadline."""

import logging

import eventlet
from nameko.exceptions import UnknownService

from shared import config

log = logging.getLogger(__name__)


class NoAnswer(RuntimeError):
    """The service asked did not answer within the deadline, or is not running."""


def ask(proxy, method: str, *args, timeout_s: float | None = None):
    """An RPC to another service that gives up after a deadline (nameko's own calls wait for ever). The service's
    own refusals come back as nameko's ``RemoteError``."""
    deadline_s = timeout_s if timeout_s is not None else config.messaging().rpc_timeout_s
    try:
        reply = getattr(proxy, method).call_async(*args)
        with eventlet.Timeout(deadline_s):
            return reply.result()
    except eventlet.Timeout:
        raise NoAnswer(f"{proxy.service_name} did not answer {method} within {deadline_s:g} s") from None
    except UnknownService:
        raise NoAnswer(f"{proxy.service_name} is not running") from None
