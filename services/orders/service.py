"""The orders service: buyer orders and the quantity ledger kept from everyone's events."""
import logging
from datetime import datetime, timezone

from nameko.rpc import RpcProxy
from sqlalchemy.exc import IntegrityError

from services.orders import app, domain
from services.orders.store import inbox, outbox
from shared.errors import EXPECTED
from shared.messaging import NoAnswer, ServiceDatabase, ask, batch_handler, reliable_handler, rpc

log = logging.getLogger(__name__)

# A promise is worth a short wait, not a failed order: past this the order is placed without one.
PROMISE_TIMEOUT_S = 3.0


class OrdersService:
    name = "orders"

    db = ServiceDatabase(outbox, inbox)
    aggregation = RpcProxy("aggregation")

    @rpc(expected_exceptions=EXPECTED)
    def place_order(self, body, idempotency_key=None, buyer_organisation_id=None, organisation_id=None):
        """``buyer_organisation_id`` and ``organisation_id`` come from the caller's credentials, never from the
        body: the buyer's organisation is recorded, and an aggregator's order is held to its own offerings."""
        today = datetime.now(timezone.utc).date()
        try:
            # One transaction for the whole placement, the promise's short wait included (it reads nothing locked
            # and writes nothing before the answer): a transaction less per order.
            with self.db.transaction() as session:
                lines = app.lines_to_promise(session, body, organisation_id)
                promised = self._promise(lines) if lines else None
                order_id = app.place_order(self.db, session, body, idempotency_key, today, promised,
                                           buyer_organisation_id, organisation_id)
                return app.get_order(session, order_id)
        except IntegrityError:
            if not idempotency_key:
                raise
            with self.db.transaction() as session:
                return app.get_order(session, app.find_by_idempotency_key(
                    session, idempotency_key, domain.body_fingerprint(body), buyer_organisation_id, organisation_id))

    def _promise(self, lines):
        try:
            return ask(self.aggregation, "delivery_promise", lines, timeout_s=PROMISE_TIMEOUT_S)
        except NoAnswer as silence:
            log.warning("order placed without a delivery promise", extra={"reason": str(silence)})
            return None

    @rpc(expected_exceptions=EXPECTED)
    def cancel_order(self, order_id, body):
        with self.db.transaction() as session:
            return app.cancel_order(self.db, session, order_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_order(self, order_id):
        with self.db.transaction() as session:
            return app.get_order(session, order_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_orders(self, page=1, page_size=20, status=None, organisation_id=None, buyer_organisation_id=None):
        with self.db.transaction() as session:
            return app.list_orders(session, page, page_size, status, organisation_id, buyer_organisation_id)

    @rpc
    def summary(self, organisation_id=None):
        with self.db.transaction() as session:
            return app.summary(session, organisation_id)

    @reliable_handler("catalogue", "offering.published")
    def on_offering_published(self, event):
        self.db.handle_once(event, app.record_offering)

    @batch_handler("aggregation", "order.allocated")
    def on_order_allocated(self, events):
        self.db.handle_batch(events, app.record_shortfalls)

    @reliable_handler("aggregation", "order.shortfall")
    def on_order_shortfall(self, event):
        self.db.handle_once(event, app.record_shortfall)

    @batch_handler("aggregation", "quota.offered")
    def on_quota_offered(self, events):
        self.db.handle_batch(events, lambda session, fresh: app.apply_all_to_ledger(self.db, session, fresh))

    @reliable_handler("aggregation", "quota.declined")
    def on_quota_declined(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "quota.accepted")
    def on_quota_accepted(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "quota.top_up_offered")
    def on_quota_top_up_offered(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "quota.topped_up")
    def on_quota_topped_up(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "quota.expired")
    def on_quota_expired(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "quota.released")
    def on_quota_released(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "lot.replaced")
    def on_lot_replaced(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "lot.reported")
    def on_lot_reported(self, event):
        self._ledger(event)

    @reliable_handler("aggregation", "lot.inspected")
    def on_lot_inspected(self, event):
        self._ledger(event)

    @reliable_handler("consolidation", "shipment.status_changed")
    def on_shipment_status_changed(self, event):
        self._ledger(event)

    @reliable_handler("consolidation", "shipment.delivered")
    def on_shipment_delivered(self, event):
        self._ledger(event)

    def _ledger(self, event):
        self.db.handle_once(event, lambda session, event: app.apply_to_ledger(self.db, session, event))
