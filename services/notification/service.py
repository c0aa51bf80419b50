"""The notification service: tells producers, buyers and aggregators what concerns them, on the channels each chose,
and turns producers' SMS replies into actions on their quotas.

Handlers store the messages an event calls for in the same transaction as the inbox entry, then send them once that
has committed; a timer sends what is left (retries after a backoff, messages held by quiet hours, anything a crash
interrupted), another sends reminders, late-shipment alerts, daily digests and dead-letter alerts."""

import logging
import random
from collections.abc import Callable
from datetime import datetime, timezone

import eventlet
from kombu import Queue
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy

from services.notification import (
    buyers,
    contacts,
    dead_letter_alerts,
    delivery,
    inbound,
    money_notices,
    producers,
    projections,
    provider_callbacks,
    quote_notices,
    retries,
    settings,
    sweeps,
    views,
)
from services.notification.aggregation_desk import AggregationDesk
from services.notification.store import inbox, outbox
from services.notification.transports import Transports
from shared.errors import EXPECTED
from shared.messaging import (
    DEAD_LETTER_EXCHANGE,
    ServiceDatabase,
    batch_handler,
    consume,
    every,
    on_event,
    reliable_handler,
    rpc,
    rpc_use_case,
)

log = logging.getLogger(__name__)

# Our own copy of every dead letter: the fanout exchange gives each bound queue one, and `bilum dlq` keeps its own.
DEAD_LETTER_COPIES = Queue("notification.dead-letters", exchange=DEAD_LETTER_EXCHANGE, durable=True)
DEAD_LETTER_PAUSE_S = 1.0

_RANDOM = random.SystemRandom()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Channels(DependencyProvider):
    """The transports of every channel, configured from the settings when the service starts."""

    def setup(self):
        self.transports = Transports(settings.load())

    def get_dependency(self, worker_ctx):
        return self.transports


class DeadLetterHeaders(DependencyProvider):
    """What the dead-lettering handler wrote on the message: its queue, service, event type and reason."""

    def get_dependency(self, worker_ctx):
        return {key: value for key, value in worker_ctx.data.items() if key.startswith("x-bilum-")}


def on_event_notifying(source_service: str, event_type: str, effect: Callable) -> Callable:
    """``on_event`` for an effect that stores notices: their ids, once its unit of work has committed, are sent."""

    def handle(self, event):
        self._send(self.db.handle_once(event, effect))

    handle.__name__ = handle.__qualname__ = f"on_{event_type.replace('.', '_')}"
    return reliable_handler(source_service, event_type)(handle)


def on_events_notifying(source_service: str, event_type: str, effect: Callable) -> Callable:
    """``on_events`` for an effect that stores notices, sent once its unit of work has committed."""

    def handle(self, events):
        self._send(self.db.handle_batch(events, effect))

    handle.__name__ = handle.__qualname__ = f"on_{event_type.replace('.', '_')}"
    return batch_handler(source_service, event_type)(handle)


class NotificationService:
    name = "notification"

    db = ServiceDatabase(outbox, inbox)
    channels = Channels()
    aggregation = RpcProxy("aggregation")
    dead_letter_headers = DeadLetterHeaders()

    # Facts about the parties
    on_producer_registered = on_event("catalogue", "producer.registered", projections.record_producer)
    on_producer_updated = on_event("catalogue", "producer.updated", projections.record_producer)
    on_offering_published = on_event("catalogue", "offering.published", projections.record_offering)
    on_order_placed = on_events_notifying("orders", "order.placed", buyers.orders_placed)

    # Quotas and lots
    on_quota_offered = on_events_notifying("aggregation", "quota.offered", producers.quotas_offered)
    on_quota_accepted = on_event("aggregation", "quota.accepted", producers.quota_accepted)
    on_quota_declined = on_event("aggregation", "quota.declined", producers.quota_declined)
    on_quota_expired = on_event_notifying("aggregation", "quota.expired", producers.quota_expired)
    on_quota_released = on_event_notifying("aggregation", "quota.released", producers.quota_released)
    on_quota_top_up_offered = on_event_notifying("aggregation", "quota.top_up_offered", producers.top_up_offered)
    on_quota_topped_up = on_event_notifying("aggregation", "quota.topped_up", producers.top_up_answered)
    on_order_shortfall = on_event_notifying("aggregation", "order.shortfall", buyers.order_shortfall)
    on_lot_inspected = on_event_notifying("aggregation", "lot.inspected", producers.lot_inspected)
    on_lot_rework_requested = on_event_notifying("aggregation", "lot.rework_requested", producers.rework_requested)
    on_lot_replaced = on_event_notifying("aggregation", "lot.replaced", producers.lot_replaced)

    # Shipments
    on_shipment_planned = on_event_notifying("consolidation", "shipment.planned", producers.shipment_planned)
    on_shipment_status_changed = on_event_notifying(
        "consolidation", "shipment.status_changed", buyers.shipment_status_changed
    )
    on_shipment_delivered = on_event_notifying("consolidation", "shipment.delivered", buyers.shipment_delivered)
    on_advance_recorded = on_event_notifying("settlement", "advance.recorded", money_notices.advance_recorded)
    on_payout_confirmed = on_event_notifying("settlement", "payout.confirmed", money_notices.payout_confirmed)
    on_balance_reported = on_event_notifying("settlement", "balance.reported", money_notices.balance_reported)

    # Buyers' trade documents, payments and claims
    on_document_issued = on_event_notifying("settlement", "document.issued", buyers.document_issued)
    on_payment_overdue = on_event_notifying("settlement", "payment.overdue", buyers.payment_overdue)
    on_claim_decided = on_event_notifying("settlement", "claim.decided", buyers.claim_decided)

    # Organisations' catalogues
    on_quote_requested = on_event_notifying("catalogue", "quote.requested", quote_notices.quote_requested)

    @consume(DEAD_LETTER_COPIES, requeue_on_error=True)
    def on_dead_letter(self, body):
        try:
            with self.db.transaction() as uow:
                dead_letter_alerts.record_dead_letter(uow, body, self.dead_letter_headers)
        except Exception:
            # Requeued at once, the copy would come straight back: without a pause a database outage spins.
            eventlet.sleep(DEAD_LETTER_PAUSE_S)
            raise

    # Timers

    @every(lambda: settings.load().tick_s)
    def send_waiting(self):
        """Retries whose backoff is over, messages held by quiet hours, and any a crash left unsent."""
        delivery.send_due(self.db, self.channels, self._policy(), _RANDOM)

    @every(lambda: settings.load().sweep_s)
    def sweep(self):
        config = self.channels.settings
        self._send(sweeps.sweep(self.db, _now(), config.reminder_lead, config.digest_hour))

    # API
    delivery_log = rpc_use_case(views.delivery_log)
    set_contact = rpc_use_case(contacts.set_contact)
    get_contact = rpc_use_case(contacts.get_contact)
    set_preferences = rpc_use_case(contacts.set_preferences)
    get_preferences = rpc_use_case(contacts.get_preferences)

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused, inbound.ActionsUnavailable))
    def receive_sms(self, body, timestamp=None, signature=None):
        """``body`` is the callback's raw text, exactly as signed."""
        config = self.channels.settings
        desk = AggregationDesk(self.aggregation, config.action_timeout_s)
        return self._answered(
            inbound.receive(self.db, desk, config.sms_inbound_secret, body, timestamp, signature, _now())
        )

    offer_deliveries = rpc_use_case(views.offer_deliveries)

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused, inbound.ActionsUnavailable))
    def receive_kannel_sms(self, params, source_address=None):
        """Kannel's sms-service callback: its query parameters, and the address it came from."""
        config = self.channels.settings
        desk = AggregationDesk(self.aggregation, config.action_timeout_s)
        return self._answered(
            provider_callbacks.message_from_kannel(self.db, desk, config, params, source_address, _now())
        )

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused))
    def kannel_report(self, params, source_address=None):
        """Kannel's call of a message's ``dlr-url``."""
        return provider_callbacks.report_from_kannel(self.db, self.channels.settings, params, source_address, _now())

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused, inbound.ActionsUnavailable))
    def receive_twilio_sms(self, path, params, signature=None):
        """Twilio's incoming-message webhook: the path it called below the callback URL, its form, its signature."""
        config = self.channels.settings
        desk = AggregationDesk(self.aggregation, config.action_timeout_s)
        return self._answered(
            provider_callbacks.message_from_twilio(self.db, desk, config, path, params, signature, _now())
        )

    @rpc(expected_exceptions=(*EXPECTED, inbound.SignatureRefused))
    def twilio_report(self, path, params, signature=None):
        """Twilio's status callback for a message we sent."""
        return provider_callbacks.report_from_twilio(self.db, self.channels.settings, path, params, signature, _now())

    # -----------------------------------------------------------------------------------------------------------------

    def _policy(self) -> retries.RetryPolicy:
        config = self.channels.settings
        return retries.RetryPolicy(config.max_attempts, config.retry_base_s, config.retry_cap_s)

    def _answered(self, result_and_replies: tuple[dict, list[str]]) -> dict:
        result, replies = result_and_replies
        self._send(replies)
        return result

    def _send(self, notification_ids):
        """The messages are stored: a failure to send them now is the delivery timer's to retry, not the event's."""
        if not notification_ids:
            return
        try:
            delivery.send_due(self.db, self.channels, self._policy(), _RANDOM, notification_ids)
        except Exception:
            log.exception(
                "sending failed; the delivery timer will try again", extra={"notifications": len(notification_ids)}
            )
