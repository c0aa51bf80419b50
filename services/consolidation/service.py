"""The consolidation service: plans pickups from producers and combined shipments of passed lots, shares their
freight cost, and tracks them to delivery."""

from eventlet import tpool

from services.consolidation import fleet, manifest_documents, planning, projections, settings, tracking, views
from services.consolidation.store import inbox, outbox
from shared.messaging import ServiceDatabase, every, on_event, rpc_use_case


def plan_shipments(uow, body=None):
    """Planning runs in a thread of its own (``tpool``): the route search releases the interpreter, so the service
    goes on answering and consuming while it searches."""
    return planning.plan_shipments(uow, body, offload=tpool.execute)


class ConsolidationService:
    name = "consolidation"

    db = ServiceDatabase(outbox, inbox)

    on_order_placed = on_event("orders", "order.placed", projections.record_order)
    on_order_cancelled = on_event("orders", "order.cancelled", projections.record_cancellation)
    on_lot_inspected = on_event("aggregation", "lot.inspected", projections.record_passed_lot)
    on_offering_published = on_event("catalogue", "offering.published", projections.record_offering)
    on_producer_registered = on_event("catalogue", "producer.registered", projections.record_producer)
    on_producer_updated = on_event("catalogue", "producer.updated", projections.record_producer)

    @every(lambda: settings.load().plan_interval_s)
    def plan_due_shipments(self):
        """Loads that filled up or must leave to arrive in time go without anyone asking."""
        with self.db.transaction() as uow:
            planning.plan_due_shipments(uow, tpool.execute)

    plan_shipments = rpc_use_case(plan_shipments)
    track = rpc_use_case(tracking.track)
    get_shipment = rpc_use_case(views.get_shipment)
    list_shipments = rpc_use_case(views.list_shipments)
    manifest = rpc_use_case(manifest_documents.manifest)
    create_hub = rpc_use_case(fleet.create_hub)
    list_hubs = rpc_use_case(fleet.list_hubs)
    create_vehicle = rpc_use_case(fleet.create_vehicle)
    list_vehicles = rpc_use_case(fleet.list_vehicles)
    shipment_counts = rpc_use_case(views.shipment_counts, expected_exceptions=())
