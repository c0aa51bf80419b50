"""The notification service: tells producers, buyers and aggregators what concerns them, on the channels each chose,
and turns producers' SMS replies into actions on their quotas.

Handlers store the messages an event calls for in the same transaction as the inbox entry, then send them once that
has committed; a timer sends what is left (retries after a backoff, messages held by quiet hours, anything a crash
interrupted), another sends reminders, late-shipment alerts, daily digests and dead-letter alerts."""
import logging
import os
import random
from datetime import datetime, timezone

import eventlet
from kombu import Queue
from nameko.exceptions import RemoteError
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.timer import Timer

from services.notification import app, delivery, domain, inbound, settings
from services.notification.store import inbox, outbox
from services.notification.transports import Transports
from shared.errors import EXPECTED
from shared.messaging import (
    DEAD_LETTER_EXCHANGE, NoAnswer, ServiceDatabase, ask, batch_handler, consume, reliable_handler, rpc,
)

log = logging.getLogger(__name__)

# Our own copy of every dead letter: the fanout exchange gives each bound queue one, and `bilum dlq` keeps its own.
DEAD_LETTER_COPIES = Queue("notification.dead-letters", exchange=DEAD_LETTER_EXCHANGE, durable=True)
DEAD_LETTER_PAUSE_S = 1.0

_RANDOM = random.SystemRandom()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SettingTimer(Timer):
    """A timer whose interval is read from the environment when the service starts, not when it is imported."""

    def __init__(self, variable: str, default_s: float, **kwargs):
        self.variable = variable
        self.default_s = default_s
        super().__init__(interval=default_s, **kwargs)

    def setup(self):
        self.interval = float(os.environ.get(self.variable, self.default_s))


setting_timer = SettingTimer.decorator


class Channels(DependencyProvider):
    """The transports of every channel, configured from the environment when the service starts."""

    def setup(self):
        self.transports = Transports(settings.load())

    def get_dependency(self, worker_ctx):
        return self.transports


class DeadLetterHeaders(DependencyProvider):
    """What the dead-lettering handler wrote on the message: its queue, service, event type and reason."""

    def get_dependency(self, worker_ctx):
        return {key: value for key, value in worker_ctx.data.items() if key.startswith("x-bilum-")}


class AggregationDesk:
    """The aggregation service's quota commands, each bounded by a deadline (an RPC without one waits forever)."""

    def __init__(self, proxy, timeout_s: float):
        self.proxy = proxy
        self.timeout_s = timeout_s

    def accept(self, quota_id: str, quantity: int | None) -> dict:
        return self._call("accept_quota", quota_id, {"quantity": quantity})

    def decline(self, quota_id: str, reason: str) -> dict:
        return self._call("decline_quota", quota_id, {"reason": reason})

    def report(self, quota_id: str, quantity: int, client_ref: str) -> dict:
        return self._call("report_lot", quota_id, {"quantity": quantity, "client_ref": client_ref})

    def _call(self, method: str, *args) -> dict:
        try:
            return ask(self.proxy, method, *args, timeout_s=self.timeout_s)
        except NoAnswer as silence:
            raise inbound.ActionsUnavailable(str(silence)) from None
        except RemoteError as error:
            if error.exc_type in ("InvalidInput", "NotFound", "Conflict"):
                raise inbound.ActionRefused(error.exc_type, error.value) from None
            raise


class NotificationService:
    name = "notification"

    db = ServiceDatabase(outbox, inbox)
    channels = Channels()
    aggregation = RpcProxy("aggregation")
    dead_letter_headers = DeadLetterHeaders()

    # Facts about the parties -----------------------------------------------------------------------------------------

    @reliable_handler("catalogue", "producer.registered")
    def on_producer_registered(self, event):
        self._handle(event, app.record_producer)

    @reliable_handler("catalogue", "producer.updated")
    def on_producer_updated(self, event):
        self._handle(event, app.record_producer)

    @reliable_handler("catalogue", "offering.published")
    def on_offering_published(self, event):
        self._handle(event, app.record_offering)

    @batch_handler("orders", "order.placed")
    def on_order_placed(self, events):
        self._send(self.db.handle_batch(events, app.orders_placed) or [])

    # Quotas and lots -------------------------------------------------------------------------------------------------

    @batch_handler("aggregation", "quota.offered")
    def on_quota_offered(self, events):
        self._send(self.db.handle_batch(events, app.quotas_offered) or [])

    @reliable_handler("aggregation", "quota.accepted")
    def on_quota_accepted(self, event):
        self._handle(event, lambda session, event: app.quota_answered(session, event, domain.ACCEPTED))

    @reliable_handler("aggregation", "quota.declined")
    def on_quota_declined(self, event):
        self._handle(event, lambda session, event: app.quota_answered(session, event, domain.DECLINED))

    @reliable_handler("aggregation", "quota.expired")
    def on_quota_expired(self, event):
        self._handle(event, lambda session, event: app.work_taken_away(session, event, domain.EXPIRED))

    @reliable_handler("aggregation", "quota.released")
    def on_quota_released(self, event):
        self._handle(event, lambda session, event: app.work_taken_away(session, event, domain.RELEASED))

    @reliable_handler("aggregation", "quota.top_up_offered")
    def on_quota_top_up_offered(self, event):
        self._handle(event, app.top_up_offered)

    @reliable_handler("aggregation", "quota.topped_up")
    def on_quota_topped_up(self, event):
        self._handle(event, app.top_up_answered)

    @reliable_handler("aggregation", "order.shortfall")
    def on_order_shortfall(self, event):
        self._handle(event, app.order_shortfall)

    @reliable_handler("aggregation", "lot.inspected")
    def on_lot_inspected(self, event):
        self._handle(event, app.lot_inspected)

    @reliable_handler("aggregation", "lot.rework_requested")
    def on_lot_rework_requested(self, event):
        self._handle(event, app.rework_requested)

    @reliable_handler("aggregation", "lot.replaced")
    def on_lot_replaced(self, event):
        self._handle(event, app.lot_replaced)

    # Shipments -------------------------------------------------------------------------------------------------------

    @reliable_handler("consolidation", "shipment.planned")
    def on_shipment_planned(self, event):
        self._handle(event, app.shipment_planned)

    @reliable_handler("consolidation", "shipment.status_changed")
    def on_shipment_status_changed(self, event):
        self._handle(event, app.shipment_status_changed)

    @reliable_handler("consolidation", "shipment.delivered")
    def on_shipment_delivered(self, event):
        self._handle(event, app.shipment_delivered)

    @consume(DEAD_LETTER_COPIES, requeue_on_error=True)
    def on_dead_letter(self, body):
        try:
            with self.db.transaction() as session:
                app.record_dead_letter(session, body, self.dead_letter_headers)
        except Exception:
            # Requeued at once, the copy would come straight back: without a pause a database outage spins.
            eventlet.sleep(DEAD_LETTER_PAUSE_S)
            raise

    # Timers ----------------------------------------------------------------------------------------------------------

    @setting_timer("BILUM_NOTIFY_TICK_S", 2.0)
    def send_waiting(self):
        """Retries whose backoff is over, messages held by quiet hours, and any a crash left unsent."""
        delivery.send_due(self.db, self.channels, self._policy(), _RANDOM)

    @setting_timer("BILUM_NOTIFY_SWEEP_S", 60.0)
    def sweep(self):
        now = _now()
        config = self.channels.settings
        created = []
        for job in (lambda session: app.send_reminders(session, now, config.reminder_lead),
                    lambda session: app.alert_late_shipments(session, now),
                    lambda session: app.send_digests(session, now, config.digest_hour),
                    lambda session: app.alert_dead_letters(session, now)):
            with self.db.transaction() as session:
                created.extend(job(session))
        self._send(created)

    # API -------------------------------------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def delivery_log(self, query):
        with self.db.transaction() as session:
            return delivery.delivery_log(session, query)

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused, inbound.ActionsUnavailable))
    def receive_sms(self, body, timestamp=None, signature=None):
        """``body`` is the callback's raw text, exactly as signed."""
        config = self.channels.settings
        inbound.authenticate(config.sms_inbound_secret, timestamp, body, signature, _now())
        message = inbound.read(body)
        desk = AggregationDesk(self.aggregation, config.action_timeout_s)
        with self.db.transaction() as session:
            result, replies = inbound.handle(session, desk, message, _now())
        self._send(replies)
        return result

    @rpc(expected_exceptions=EXPECTED)
    def set_contact(self, organisation_id, body):
        with self.db.transaction() as session:
            return app.set_contact(session, organisation_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_contact(self, organisation_id):
        with self.db.transaction() as session:
            return app.get_contact(session, organisation_id)

    @rpc(expected_exceptions=EXPECTED)
    def set_preferences(self, recipient_id, body):
        with self.db.transaction() as session:
            return app.set_preferences(session, recipient_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_preferences(self, recipient_id):
        with self.db.transaction() as session:
            return app.get_preferences(session, recipient_id)

    # -----------------------------------------------------------------------------------------------------------------

    def _policy(self) -> domain.RetryPolicy:
        config = self.channels.settings
        return domain.RetryPolicy(config.max_attempts, config.retry_base_s, config.retry_cap_s)

    def _handle(self, event, use_case):
        self._send(self.db.handle_once(event, use_case) or [])

    def _send(self, notification_ids):
        """The messages are stored: a failure to send them now is the delivery timer's to retry, not the event's."""
        if not notification_ids:
            return
        try:
            delivery.send_due(self.db, self.channels, self._policy(), _RANDOM, notification_ids)
        except Exception:
            log.exception("sending failed; the delivery timer will try again",
                          extra={"notifications": len(notification_ids)})
