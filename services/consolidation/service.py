"""The consolidation service: combines passed lots into shipments and tracks them to delivery."""
from nameko.rpc import rpc

from services.consolidation import app
from services.consolidation.store import inbox, outbox
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase, reliable_handler


class ConsolidationService:
    name = "consolidation"

    db = ServiceDatabase(outbox, inbox)

    @reliable_handler("orders", "order.placed")
    def on_order_placed(self, event):
        self.db.handle_once(event, app.record_destination)

    @reliable_handler("aggregation", "lot.inspected")
    def on_lot_inspected(self, event):
        self.db.handle_once(event, app.record_passed_lot)

    @rpc(expected_exceptions=EXPECTED)
    def plan_shipments(self):
        with self.db.transaction() as session:
            return app.plan_shipments(self.db, session)

    @rpc(expected_exceptions=EXPECTED)
    def update_status(self, shipment_id, body):
        with self.db.transaction() as session:
            return app.update_status(self.db, session, shipment_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_shipment(self, shipment_id):
        with self.db.transaction() as session:
            return app.get_shipment(session, shipment_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_shipments(self, query):
        with self.db.transaction() as session:
            return app.list_shipments(session, query)

    @rpc
    def shipment_counts(self):
        with self.db.transaction() as session:
            return app.shipment_counts(session)
