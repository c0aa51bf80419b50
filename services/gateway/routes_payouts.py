"""Routes of payouts: batches drafted by one aggregator and approved by another, their lines sent, retried or closed
with a cash receipt, and the mobile-money provider's callback (no credentials: its address is signed)."""

from marshmallow import EXCLUDE, Schema, fields, validate
from nameko.exceptions import RemoteError

from services.gateway import access, schemas
from services.gateway.http import PUBLIC, HttpError, api, call, json_response, read_json, read_query
from services.gateway.routes_settlement import MANAGERS, OrganisationQuery

# Refusals of the provider's callback that the shared error mapping does not know.
_CALLBACK_STATUS = {"CallbackRefused": (401, "unauthenticated")}


class BatchQuery(OrganisationQuery, schemas.PageQuery):
    status = fields.String(validate=validate.OneOf(("draft", "approved", "sending", "done")))


class CallbackQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    signature = fields.String(load_default="", validate=validate.Length(max=128))


class PayoutRoutes:
    """Mixed into the gateway, whose ``settlement`` RPC proxy they call; ``_acting_for`` is the settlement routes'."""

    @api(
        "POST",
        "/api/v1/payout-batches",
        roles=MANAGERS,
        query=OrganisationQuery,
        body="settlement.DraftInput",
        status=201,
        tag="money",
        summary="Draft a payout batch of what is owed (another person approves it)",
        answer="settlement.BatchView",
    )
    def draft_batch(self, request, principal):
        organisation_id = self._acting_for(principal, request)
        batch = call(self.settlement, "draft_batch", organisation_id, principal.username, read_json(request))
        return json_response(batch, 201)

    @api(
        "GET",
        "/api/v1/payout-batches",
        roles=MANAGERS,
        query=BatchQuery,
        tag="money",
        summary="Payout batches",
        answer="settlement.BatchPage",
    )
    def list_batches(self, request, principal):
        query = {key: value for key, value in read_query(request, BatchQuery()).items() if key != "organisation_id"}
        return json_response(call(self.settlement, "list_batches", access.staff_of(principal), query))

    @api(
        "GET",
        "/api/v1/payout-batches/{batch_id}",
        roles=MANAGERS,
        tag="money",
        summary="A payout batch with its lines and their status",
        answer="settlement.BatchView",
    )
    def get_batch(self, request, principal, batch_id):
        return json_response(call(self.settlement, "get_batch", access.staff_of(principal), batch_id))

    @api(
        "POST",
        "/api/v1/payout-batches/{batch_id}/approve",
        roles=MANAGERS,
        tag="money",
        summary="Approve a payout batch drafted by someone else",
        answer="settlement.BatchView",
    )
    def approve_batch(self, request, principal, batch_id):
        staff = access.staff_of(principal)
        return json_response(call(self.settlement, "approve_batch", staff, principal.username, batch_id))

    @api(
        "POST",
        "/api/v1/payout-batches/{batch_id}/send",
        roles=MANAGERS,
        tag="money",
        summary="Send an approved batch: mobile money to the provider, cash lines to be closed with receipts",
        answer="settlement.BatchView",
    )
    def send_batch(self, request, principal, batch_id):
        staff = access.staff_of(principal)
        return json_response(call(self.settlement, "send_batch", staff, principal.username, batch_id))

    @api(
        "POST",
        "/api/v1/payout-lines/{payout_line_id}/retry",
        roles=MANAGERS,
        tag="money",
        summary="Try a failed payment again (under a new reference)",
        answer="settlement.LineView",
    )
    def retry_line(self, request, principal, payout_line_id):
        staff = access.staff_of(principal)
        return json_response(call(self.settlement, "retry_line", staff, principal.username, payout_line_id))

    @api(
        "POST",
        "/api/v1/payout-lines/{payout_line_id}/cash-receipt",
        roles=MANAGERS,
        body="settlement.CashReceiptInput",
        tag="money",
        summary="Close a cash payment with its receipt number",
        answer="settlement.LineView",
    )
    def close_cash_line(self, request, principal, payout_line_id):
        staff = access.staff_of(principal)
        body = read_json(request)
        return json_response(call(self.settlement, "close_cash_line", staff, principal.username, payout_line_id, body))

    @api(
        "PUT",
        "/api/v1/payouts/callbacks/momo/{reference_id}",
        roles=PUBLIC,
        query=CallbackQuery,
        tag="money",
        summary="MTN MoMo's transfer callback (its address is signed by this deployment; the result is checked with "
        "the provider)",
        answer="settlement.CallbackAnswer",
    )
    def momo_callback(self, request, principal, reference_id):
        return self._callback(request, reference_id)

    @api(
        "POST",
        "/api/v1/payouts/callbacks/momo/{reference_id}",
        roles=PUBLIC,
        query=CallbackQuery,
        tag="money",
        summary="MTN MoMo's transfer callback, as some of its products send it (POST)",
        answer="settlement.CallbackAnswer",
    )
    def momo_callback_post(self, request, principal, reference_id):
        return self._callback(request, reference_id)

    def _callback(self, request, reference_id: str):
        signature = read_query(request, CallbackQuery())["signature"]
        body = read_json(request)
        try:
            result = call(self.settlement, "payout_callback", reference_id, signature, body)
        except RemoteError as error:
            if error.exc_type not in _CALLBACK_STATUS:
                raise
            status, code = _CALLBACK_STATUS[error.exc_type]
            raise HttpError(status, code, error.value) from None
        return json_response(result)
