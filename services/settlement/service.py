"""The settlement service: what every producer earned (piece rates x passed units), advances against her quotas,
payouts drafted, approved by a second person and sent by mobile money or cash, and her statement; and the trade with
buyers: pro-formas, invoices, packing lists and credit notes, payments received, claims. Its journal and its
documents are append-only: balances and accounts are derived from them."""

from services.settlement import (
    advances,
    buyer_accounts,
    claim_views,
    claims,
    dashboard_money,
    payout_sending,
    payout_views,
    payouts,
    projections,
    rates,
    settings,
    statements,
    trade_projections,
    trade_views,
    views,
)
from services.settlement.payout_sending import CallbackRefused
from services.settlement.store import inbox, outbox
from shared import everyones_figures
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase, every, on_event, rpc, rpc_use_case


class SettlementService:
    name = "settlement"

    db = ServiceDatabase(outbox, inbox)

    on_producer_registered = on_event("catalogue", "producer.registered", projections.record_producer)
    on_producer_updated = on_event("catalogue", "producer.updated", projections.record_producer)
    on_offering_published = on_event("catalogue", "offering.published", projections.record_offering)
    on_quota_offered = on_event("aggregation", "quota.offered", projections.record_offer)
    on_quota_accepted = on_event("aggregation", "quota.accepted", projections.record_acceptance)
    on_quota_topped_up = on_event("aggregation", "quota.topped_up", projections.record_top_up)
    on_quota_declined = on_event("aggregation", "quota.declined", projections.record_end)
    on_quota_expired = on_event("aggregation", "quota.expired", projections.record_end)
    on_quota_released = on_event("aggregation", "quota.released", projections.record_end)
    on_quota_progressed = on_event("aggregation", "quota.progressed", projections.record_progress)
    on_lot_inspected = on_event("aggregation", "lot.inspected", projections.record_inspection)
    on_balance_requested = on_event("notification", "balance.requested", views.report_balance)
    on_order_placed = on_event("orders", "order.placed", trade_projections.record_sale)
    on_order_cancelled = on_event("orders", "order.cancelled", trade_projections.record_cancellation)
    on_order_allocated = on_event("aggregation", "order.allocated", trade_projections.record_allocation)
    on_order_shortfall = on_event("aggregation", "order.shortfall", trade_projections.record_shortfall)
    on_lot_replaced = on_event("aggregation", "lot.replaced", trade_projections.record_replacement)
    on_shipment_planned = on_event("consolidation", "shipment.planned", trade_projections.record_shipment)
    on_shipment_status_changed = on_event(
        "consolidation", "shipment.status_changed", trade_projections.record_shipment_status
    )
    on_shipment_delivered = on_event("consolidation", "shipment.delivered", trade_projections.record_delivery)

    @every(lambda: settings.load().payout_interval_s)
    def send_payouts(self):
        """Payments waiting go to the provider; those it has not reported on for a while are asked about."""
        config = settings.load()
        payout_sending.send_waiting(self.db, config)
        payout_sending.check_submitted(self.db, config)

    @rpc(expected_exceptions=(*EXPECTED, CallbackRefused))
    def payout_callback(self, reference_id, signature, body):
        """The provider's report on one transfer, as the gateway received it."""
        return payout_sending.receive_callback(self.db, settings.load(), reference_id, signature, body)

    @every(lambda: everyones_figures.TICK_S)
    def recount_everyones_figures(self):
        """Everyone's dashboard money and receivables, counted again while someone looks at them."""
        dashboard_money.EVERYONES.recount(self.db)
        buyer_accounts.EVERYONES.recount(self.db)

    @every(lambda: settings.load().reminder_interval_s)
    def remind_buyers(self):
        """Buyers whose payments are overdue are reminded, once a week each."""
        with self.db.transaction() as uow:
            buyer_accounts.send_reminders(uow)

    set_rate = rpc_use_case(rates.set_rate)
    list_rates = rpc_use_case(rates.list_rates)
    set_terms = rpc_use_case(advances.set_terms)
    get_terms = rpc_use_case(advances.get_terms)
    record_advance = rpc_use_case(advances.record_advance)
    list_advances = rpc_use_case(advances.list_advances)
    write_off = rpc_use_case(advances.write_off)
    record_correction = rpc_use_case(advances.record_correction)
    draft_batch = rpc_use_case(payouts.draft_batch)
    approve_batch = rpc_use_case(payouts.approve_batch)
    send_batch = rpc_use_case(payouts.send_batch)
    get_batch = rpc_use_case(payout_views.get_batch)
    list_batches = rpc_use_case(payout_views.list_batches)
    retry_line = rpc_use_case(payouts.retry_line)
    close_cash_line = rpc_use_case(payouts.close_cash_line)
    statement = rpc_use_case(statements.statement)
    producer_money = rpc_use_case(views.producer_money)
    accounts = rpc_use_case(views.accounts)
    money_figures = rpc_use_case(dashboard_money.money_figures)
    premium_fund = rpc_use_case(views.premium_fund)
    set_trade_terms = rpc_use_case(buyer_accounts.set_trade_terms)
    get_trade_terms = rpc_use_case(buyer_accounts.get_trade_terms)
    record_receipt = rpc_use_case(buyer_accounts.record_receipt)
    list_buyer_accounts = rpc_use_case(buyer_accounts.accounts)
    receivables = rpc_use_case(buyer_accounts.receivables)
    list_documents = rpc_use_case(trade_views.list_documents)
    get_document = rpc_use_case(trade_views.get_document)
    file_claim = rpc_use_case(claims.file_claim)
    decide_claim = rpc_use_case(claims.decide_claim)
    get_claim = rpc_use_case(claim_views.get_claim)
    list_claims = rpc_use_case(claim_views.list_claims)
    claim_photo = rpc_use_case(claim_views.claim_photo)
