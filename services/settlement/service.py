"""The settlement service: what every producer earned (piece rates x passed units), advances against her quotas,
payouts drafted, approved by a second person and sent by mobile money or cash, and her statement. Its journal is
append-only: balances are derived from it."""

from services.settlement import (
    advances,
    payout_sending,
    payout_views,
    payouts,
    projections,
    rates,
    settings,
    statements,
    views,
)
from services.settlement.payout_sending import CallbackRefused
from services.settlement.store import inbox, outbox
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
    money_figures = rpc_use_case(views.money_figures)
    premium_fund = rpc_use_case(views.premium_fund)
