"""Structured logs: one JSON object a line, carrying the correlation id (the order id) of the work at hand."""

import contextvars
import json
import logging
import re
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

from shared import config

_correlation_id = contextvars.ContextVar("correlation_id", default=None)

_STANDARD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# The password of every address in a message: AMQP_URI may name several nodes, and nameko hides only the first's.
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s;]*:)[^@\s;/]+@")


@contextmanager
def correlation(correlation_id):
    token = _correlation_id.set(correlation_id)
    try:
        yield
    finally:
        _correlation_id.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": _URL_PASSWORD.sub(r"\1********@", record.getMessage()),
        }
        correlation_id = getattr(record, "correlation_id", None) or _correlation_id.get()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(service: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.log_level())
    for noisy in ("kombu", "amqp", "nameko", "pika", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
