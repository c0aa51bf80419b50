"""The consolidation service: plans pickups from producers and combined shipments of passed lots, shares their
freight cost, and tracks them to delivery."""
from datetime import datetime, timezone

from eventlet import tpool
from nameko.timer import timer

from services.consolidation import app, views
from services.consolidation.settings import settings
from services.consolidation.store import inbox, outbox
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase, reliable_handler, rpc


class ConsolidationService:
    """Planning runs in a thread of its own (``tpool``): the route search releases the interpreter, so the service
    goes on answering and consuming while it searches."""
    name = "consolidation"

    db = ServiceDatabase(outbox, inbox)

    @reliable_handler("orders", "order.placed")
    def on_order_placed(self, event):
        self.db.handle_once(event, app.record_order)

    @reliable_handler("orders", "order.cancelled")
    def on_order_cancelled(self, event):
        self.db.handle_once(event, app.record_cancellation)

    @reliable_handler("aggregation", "lot.inspected")
    def on_lot_inspected(self, event):
        self.db.handle_once(event, app.record_passed_lot)

    @reliable_handler("catalogue", "offering.published")
    def on_offering_published(self, event):
        self.db.handle_once(event, app.record_offering)

    @reliable_handler("catalogue", "producer.registered")
    def on_producer_registered(self, event):
        self.db.handle_once(event, app.record_producer)

    @reliable_handler("catalogue", "producer.updated")
    def on_producer_updated(self, event):
        self.db.handle_once(event, app.record_producer)

    @timer(interval=settings().plan_interval_s)
    def plan_due_shipments(self):
        """Loads that filled up or must leave to arrive in time go without anyone asking."""
        with self.db.transaction() as session:
            app.plan_shipments(self.db, session, {"dispatch": "auto"}, datetime.now(timezone.utc), tpool.execute)
            app.count_late_shipments(session, datetime.now(timezone.utc).date())

    @rpc(expected_exceptions=EXPECTED)
    def plan_shipments(self, body=None):
        with self.db.transaction() as session:
            return app.plan_shipments(self.db, session, body, datetime.now(timezone.utc), tpool.execute)

    @rpc(expected_exceptions=EXPECTED)
    def track(self, shipment_id, body):
        with self.db.transaction() as session:
            return app.track(self.db, session, shipment_id, body, datetime.now(timezone.utc))

    @rpc(expected_exceptions=EXPECTED)
    def get_shipment(self, shipment_id, buyer_organisation_id=None):
        """With ``buyer_organisation_id``: that buyer's part, or not found when the shipment carries none of it."""
        with self.db.transaction() as session:
            return views.get_shipment(session, shipment_id, buyer_organisation_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_shipments(self, query):
        with self.db.transaction() as session:
            return views.list_shipments(session, query)

    @rpc(expected_exceptions=EXPECTED)
    def manifest(self, shipment_id, query):
        with self.db.transaction() as session:
            return views.manifest(session, shipment_id, query)

    @rpc(expected_exceptions=EXPECTED)
    def create_hub(self, body):
        with self.db.transaction() as session:
            return app.create_hub(session, body)

    @rpc(expected_exceptions=EXPECTED)
    def list_hubs(self, query):
        with self.db.transaction() as session:
            return app.list_hubs(session, query)

    @rpc(expected_exceptions=EXPECTED)
    def create_vehicle(self, body):
        with self.db.transaction() as session:
            return app.create_vehicle(session, body)

    @rpc(expected_exceptions=EXPECTED)
    def list_vehicles(self, query):
        with self.db.transaction() as session:
            return app.list_vehicles(session, query)

    @rpc
    def shipment_counts(self, organisation_id=None):
        with self.db.transaction() as session:
            return views.shipment_counts(session, organisation_id)
