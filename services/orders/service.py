"""The orders service: buyer orders and the quantity ledger kept from everyone's events."""

import logging

from nameko.rpc import RpcProxy
from sqlalchemy.exc import IntegrityError

from services.orders import cancelling, exchange_rates, ledger, offerings, placing, settings, trends, views
from services.orders.store import inbox, outbox
from shared import everyones_figures
from shared.errors import EXPECTED
from shared.messaging import NoAnswer, ServiceDatabase, ask, every, on_event, on_events, rpc, rpc_use_case

log = logging.getLogger(__name__)


class OrdersService:
    name = "orders"

    db = ServiceDatabase(outbox, inbox)
    aggregation = RpcProxy("aggregation")

    @rpc(expected_exceptions=EXPECTED)
    def place_order(self, body, idempotency_key=None, buyer_organisation_id=None, organisation_id=None):
        """``buyer_organisation_id`` and ``organisation_id`` come from the caller's credentials, never from the
        body: the buyer's organisation is recorded, and an aggregator's order is held to its own offerings.

        One transaction for the whole placement, the promise's short wait included (it reads nothing locked and
        writes nothing before the answer): a transaction less per order. A concurrent retry with the same key that
        lost the race to the unique key answers the order the other placed."""
        try:
            with self.db.transaction() as uow:
                return placing.place_and_show(
                    uow, body, idempotency_key, buyer_organisation_id, organisation_id, promise=self._promise
                )
        except IntegrityError:
            if not idempotency_key:
                raise
            with self.db.transaction() as uow:
                return placing.show_replayed(uow, body, idempotency_key, buyer_organisation_id, organisation_id)

    def _promise(self, lines):
        try:
            return ask(self.aggregation, "delivery_promise", lines, timeout_s=settings.load().promise_timeout_s)
        except NoAnswer as silence:
            log.warning("order placed without a delivery promise", extra={"reason": str(silence)})
            return None

    cancel_order = rpc_use_case(cancelling.cancel_order)
    get_order = rpc_use_case(views.get_order)
    list_orders = rpc_use_case(views.list_orders)
    summary = rpc_use_case(views.summary, expected_exceptions=())

    @every(lambda: everyones_figures.TICK_S)
    def recount_everyones_figures(self):
        """Everyone's dashboard figures, counted again while someone looks at them."""
        views.EVERYONES.recount(self.db)

    weekly_trends = rpc_use_case(trends.weekly_trends)
    record_exchange_rate = rpc_use_case(exchange_rates.record_exchange_rate)
    list_exchange_rates = rpc_use_case(exchange_rates.list_exchange_rates)

    on_offering_published = on_event("catalogue", "offering.published", offerings.record_offering)
    on_order_allocated = on_events("aggregation", "order.allocated", ledger.record_shortfalls)
    on_order_shortfall = on_event("aggregation", "order.shortfall", ledger.record_shortfall)
    on_quota_offered = on_events("aggregation", "quota.offered", ledger.apply_all_to_ledger)
    on_quota_declined = on_event("aggregation", "quota.declined", ledger.apply_to_ledger)
    on_quota_accepted = on_event("aggregation", "quota.accepted", ledger.apply_to_ledger)
    on_quota_top_up_offered = on_event("aggregation", "quota.top_up_offered", ledger.apply_to_ledger)
    on_quota_topped_up = on_event("aggregation", "quota.topped_up", ledger.apply_to_ledger)
    on_quota_expired = on_event("aggregation", "quota.expired", ledger.apply_to_ledger)
    on_quota_released = on_event("aggregation", "quota.released", ledger.apply_to_ledger)
    on_lot_replaced = on_event("aggregation", "lot.replaced", ledger.apply_to_ledger)
    on_lot_reported = on_event("aggregation", "lot.reported", ledger.apply_to_ledger)
    on_lot_inspected = on_event("aggregation", "lot.inspected", ledger.apply_to_ledger)
    on_shipment_status_changed = on_event("consolidation", "shipment.status_changed", ledger.apply_to_ledger)
    on_shipment_delivered = on_event("consolidation", "shipment.delivered", ledger.apply_to_ledger)
