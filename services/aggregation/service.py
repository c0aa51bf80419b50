"""The aggregation service: splits order lines across producers, and runs quotas, lots and inspections."""

from datetime import datetime, timezone

from services.aggregation import (
    allocating,
    lots,
    metrics,
    projections,
    promise,
    quotas,
    settings,
    standing,
    trends,
    views,
)
from services.aggregation.store import inbox, outbox
from shared import everyones_figures
from shared.messaging import ServiceDatabase, every, on_event, on_events, rpc_use_case
from shared.store import Database


def expire_lapsed_offers(database: Database) -> None:
    """Lapsed offers are reallocated in small batches, each in its own transaction; then the quota gauges are set."""
    while True:
        with database.transaction() as uow:
            if not quotas.expire(uow, datetime.now(timezone.utc)):
                for state, count in views.quota_counts(uow).items():
                    metrics.QUOTAS_BY_STATE.labels("aggregation", state).set(count)
                return


class AggregationService:
    name = "aggregation"

    db = ServiceDatabase(outbox, inbox)

    on_offering_published = on_event("catalogue", "offering.published", projections.record_offering)
    on_offering_withdrawn = on_event("catalogue", "offering.withdrawn", projections.record_withdrawal)
    on_producer_registered = on_event("catalogue", "producer.registered", projections.record_producer)
    on_producer_updated = on_event("catalogue", "producer.updated", projections.record_producer)
    on_capacity_declared = on_event("catalogue", "capacity.declared", projections.record_capacity)
    on_piece_rate_set = on_event("settlement", "piece_rate.set", projections.record_piece_rate)
    on_order_placed = on_events("orders", "order.placed", allocating.allocate_orders)
    on_order_cancelled = on_event("orders", "order.cancelled", allocating.cancel_order)
    on_shipment_status_changed = on_event("consolidation", "shipment.status_changed", projections.record_shipment)
    on_shipment_delivered = on_event("consolidation", "shipment.delivered", projections.record_shipment)

    @every(lambda: settings.load().expiry_interval_s)
    def expire_quotas(self):
        expire_lapsed_offers(self.db)

    @every(lambda: everyones_figures.TICK_S)
    def recount_everyones_figures(self):
        """Everyone's dashboard figures, counted again while someone looks at them."""
        views.EVERYONES.recount(self.db)
        views.EVERYONES_FULFILMENT.recount(self.db)

    accept_quota = rpc_use_case(quotas.accept)
    decline_quota = rpc_use_case(quotas.decline)
    widen_search = rpc_use_case(quotas.widen_search)
    delivery_promise = rpc_use_case(promise.delivery_promise)
    allocation_settings = rpc_use_case(standing.settings_view)
    set_allocation_settings = rpc_use_case(standing.save_settings)
    report_lot = rpc_use_case(lots.report_lot)
    record_inspection = rpc_use_case(lots.record_inspection)
    decide_rejected_lot = rpc_use_case(lots.decide_rejected_lot)
    resubmit_lot = rpc_use_case(lots.resubmit_lot)
    get_quota = rpc_use_case(views.get_quota)
    list_quotas = rpc_use_case(views.list_quotas)
    get_lot = rpc_use_case(views.get_lot)
    list_lots = rpc_use_case(views.list_lots)
    inspection_history = rpc_use_case(views.inspection_history)
    capacity = rpc_use_case(views.capacity_view)
    quota_counts = rpc_use_case(views.quota_counts, expected_exceptions=())
    fulfilment_figures = rpc_use_case(views.fulfilment_figures, expected_exceptions=())
    weekly_trends = rpc_use_case(trends.weekly_trends)
