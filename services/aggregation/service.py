"""The aggregation service: splits order lines across producers, and runs quotas, lots and inspections."""
from datetime import datetime, timezone

from nameko.timer import timer

from services.aggregation import app, progress, standing
from services.aggregation.store import inbox, outbox
from shared import config, metrics
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase, batch_handler, reliable_handler, rpc


class AggregationService:
    name = "aggregation"

    db = ServiceDatabase(outbox, inbox)

    @reliable_handler("catalogue", "offering.published")
    def on_offering_published(self, event):
        self.db.handle_once(event, app.record_offering)

    @reliable_handler("catalogue", "offering.withdrawn")
    def on_offering_withdrawn(self, event):
        self.db.handle_once(event, app.record_withdrawal)

    @reliable_handler("catalogue", "producer.registered")
    def on_producer_registered(self, event):
        self.db.handle_once(event, app.record_producer)

    @reliable_handler("catalogue", "producer.updated")
    def on_producer_updated(self, event):
        self.db.handle_once(event, app.record_producer)

    @reliable_handler("catalogue", "capacity.declared")
    def on_capacity_declared(self, event):
        self.db.handle_once(event, app.record_capacity)

    @batch_handler("orders", "order.placed")
    def on_order_placed(self, events):
        self.db.handle_batch(events, lambda session, fresh: app.allocate_orders(self.db, session, fresh))

    @reliable_handler("orders", "order.cancelled")
    def on_order_cancelled(self, event):
        self.db.handle_once(event, lambda session, event: app.cancel_order(self.db, session, event))

    @reliable_handler("consolidation", "shipment.status_changed")
    def on_shipment_status_changed(self, event):
        self.db.handle_once(event, lambda session, event: progress.record_shipment(self.db, session, event))

    @reliable_handler("consolidation", "shipment.delivered")
    def on_shipment_delivered(self, event):
        self.db.handle_once(event, lambda session, event: progress.record_shipment(self.db, session, event))

    @timer(interval=config.expiry_interval_s())
    def expire_quotas(self):
        """Lapsed offers are reallocated in small batches, each in its own transaction."""
        while True:
            with self.db.transaction() as session:
                if not app.expire_quotas(self.db, session, datetime.now(timezone.utc)):
                    for state, count in app.quota_counts(session).items():
                        metrics.QUOTAS_BY_STATE.labels("aggregation", state).set(count)
                    return

    @rpc(expected_exceptions=EXPECTED)
    def accept_quota(self, quota_id, body=None):
        with self.db.transaction() as session:
            return app.accept_quota(self.db, session, quota_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def decline_quota(self, quota_id, body=None):
        with self.db.transaction() as session:
            return app.decline_quota(self.db, session, quota_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def widen_search(self, line_id, body, organisation_id=None):
        with self.db.transaction() as session:
            return app.widen_search(self.db, session, line_id, body, organisation_id)

    @rpc(expected_exceptions=EXPECTED)
    def delivery_promise(self, lines):
        with self.db.transaction() as session:
            return app.delivery_promise(session, lines, datetime.now(timezone.utc).date())

    @rpc(expected_exceptions=EXPECTED)
    def get_quota(self, quota_id):
        with self.db.transaction() as session:
            return app.get_quota(session, quota_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_quotas(self, query):
        with self.db.transaction() as session:
            return app.list_quotas(session, query)

    @rpc(expected_exceptions=EXPECTED)
    def allocation_settings(self, organisation_id):
        with self.db.transaction() as session:
            return standing.settings_view(session, organisation_id)

    @rpc(expected_exceptions=EXPECTED)
    def set_allocation_settings(self, organisation_id, body):
        with self.db.transaction() as session:
            return standing.save_settings(session, organisation_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def capacity(self, offering_id):
        with self.db.transaction() as session:
            return app.capacity_view(session, offering_id)

    @rpc
    def quota_counts(self, organisation_id=None):
        with self.db.transaction() as session:
            return app.quota_counts(session, organisation_id)

    @rpc
    def fulfilment_figures(self, organisation_id=None):
        with self.db.transaction() as session:
            return app.fulfilment_figures(session, organisation_id, datetime.now(timezone.utc))

    @rpc(expected_exceptions=EXPECTED)
    def report_lot(self, quota_id, body):
        with self.db.transaction() as session:
            return app.report_lot(self.db, session, quota_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def record_inspection(self, lot_id, body):
        with self.db.transaction() as session:
            return app.record_inspection(self.db, session, lot_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def decide_rejected_lot(self, lot_id, body):
        with self.db.transaction() as session:
            return app.decide_rejected_lot(self.db, session, lot_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def resubmit_lot(self, lot_id):
        with self.db.transaction() as session:
            return app.resubmit_lot(self.db, session, lot_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_lot(self, lot_id):
        with self.db.transaction() as session:
            return app.get_lot(session, lot_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_lots(self, query):
        with self.db.transaction() as session:
            return app.list_lots(session, query)

    @rpc(expected_exceptions=EXPECTED)
    def inspection_history(self, producer_id, offering_id):
        with self.db.transaction() as session:
            return app.inspection_history(session, producer_id, offering_id)
