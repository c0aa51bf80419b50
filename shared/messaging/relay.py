"""The outbox relay: events a transaction recorded are published after it commits, confirmed by the broker."""

import logging
import threading
import time
from typing import Any

import eventlet
from amqp import Message
from kombu import Connection, Exchange
from nameko.constants import PERSISTENT
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from shared import config, metrics
from shared.store import Database

log = logging.getLogger(__name__)


class BatchNotConfirmed(RuntimeError):
    """The broker did not confirm every message of a batch: none of it counts as published."""


class ConfirmedBatchPublisher:
    """Publishes a batch of persistent messages, then waits once for the broker's confirms of all of them.

    Waiting for each confirm in turn (nameko's ``Publisher``) costs a round trip to the broker per message, which
    caps a relay at a few hundred events a second; confirms of a whole batch arrive together. A batch counts as
    published only when every message in it is confirmed: a nack, a timeout or a lost connection raises, and the
    connection is dropped, to be opened afresh for the next batch.
    """

    def __init__(self, amqp_uri: str, exchange: Exchange, confirm_timeout_s: float = 30.0):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.confirm_timeout_s = confirm_timeout_s
        self._connection: Any = None
        self._channel: Any = None
        self._published = 0
        self._unconfirmed: set[int] = set()
        self._nacked = False

    def _open(self) -> None:
        connection = Connection(self.amqp_uri, connect_timeout=5)
        # One try at each address AMQP_URI names (a cluster's nodes, separated by ';'); a single one is tried twice.
        connection.ensure_connection(max_retries=max(1, len(connection.alt) - 1))
        channel = connection.channel()
        self.exchange(channel).declare()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._connection, self._channel = connection, channel
        self._published = 0
        self._unconfirmed = set()
        self._nacked = False

    def _settled(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {pending for pending in self._unconfirmed if pending > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_ack(self, tag, multiple):
        self._settled(tag, multiple)

    def _on_nack(self, tag, multiple):
        self._nacked = True
        self._settled(tag, multiple)

    def publish_all(self, messages: list[tuple[str, str, str]]) -> None:
        """``messages`` are ``(JSON text, routing_key, message_id)``, published as they are (the outbox keeps the
        JSON a consumer decodes); returns once the broker confirmed every one."""
        if not messages:
            return
        try:
            if self._connection is None:
                self._open()
            with eventlet.Timeout(
                self.confirm_timeout_s,
                BatchNotConfirmed(f"no confirm of {len(messages)} messages within {self.confirm_timeout_s:g} s"),
            ):
                for body, routing_key, message_id in messages:
                    self._channel.basic_publish(
                        Message(
                            body.encode("utf-8"),
                            content_type="application/json",
                            content_encoding="utf-8",
                            delivery_mode=PERSISTENT,
                            priority=0,
                            message_id=message_id,
                            headers={},
                        ),
                        exchange=self.exchange.name,
                        routing_key=routing_key,
                    )
                    self._published += 1
                    self._unconfirmed.add(self._published)
                while self._unconfirmed:
                    self._connection.drain_events(timeout=self.confirm_timeout_s)
            if self._nacked:
                raise BatchNotConfirmed("the broker refused (nacked) a message of the batch")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.debug("closing the relay's broker connection failed", exc_info=True)


class OutboxRelay:
    """Publishes a service's committed outbox rows to its events exchange, where nameko's event handlers listen.

    A row is deleted only after the broker confirmed it, so a crash publishes it again (the inbox absorbs the
    duplicate) and a broker outage only delays. Replicas share the work: rows are taken with SKIP LOCKED. Rows go
    out a batch at a time with one wait for the confirms of the whole batch, and are deleted in one statement.
    """

    def __init__(self, database: Database, amqp_uri: str, batch: int | None = None, interval_s: float | None = None):
        settings = config.messaging()
        self.database = database
        self.exchange = get_event_exchange(database.service, {})
        self.publisher = ConfirmedBatchPublisher(amqp_uri, self.exchange)
        self.batch = batch or settings.relay_batch
        self.interval_s = interval_s if interval_s is not None else settings.relay_interval_s
        self._wake = threading.Event()
        self._stopped = threading.Event()
        database.after_commit_hooks.append(self._wake.set)

    def publish_pending(self) -> int:
        outbox = self.database.outbox
        with self.database.transaction() as uow:
            rows = uow.session.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.body)
                .order_by(outbox.c.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            self.publisher.publish_all([(row.body, row.event_type, row.event_id) for row in rows])
            uow.session.execute(outbox.delete().where(outbox.c.id.in_([row.id for row in rows])))
            for row in rows:
                metrics.EVENTS_PUBLISHED.labels(self.database.service, row.event_type).inc()
        return len(rows)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.publisher.close()

    def _run(self) -> None:
        failures = 0
        last_gauge = 0.0
        while not self._stopped.is_set():
            try:
                published = self.publish_pending()
                failures = 0
            except Exception as error:
                failures += 1
                published = 0
                log.warning(
                    "outbox relay could not publish; will retry", extra={"error": str(error), "failures": failures}
                )
            now = time.monotonic()
            if now - last_gauge > 1.0:
                self._update_gauges()
                last_gauge = now
            if published >= self.batch:
                continue
            delay = self.interval_s if not failures else min(5.0, 0.5 * 2 ** min(failures, 4))
            self._wake.wait(delay)
            self._wake.clear()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def _update_gauges(self) -> None:
        try:
            backlog, oldest = self.database.outbox_backlog()
        except Exception:
            log.warning("outbox backlog unreadable", exc_info=True)
            return
        metrics.OUTBOX_BACKLOG.labels(self.database.service).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self.database.service).set(oldest)
