"""Routes of settlement: piece rates, advances and write-offs, payout batches, statements, and the mobile-money
provider's callback.

Only the organisation's aggregators (and admins) see its producers' money or act on it; a producer sees her own
statement and balance only. Every money action is recorded with who did it (the caller's username)."""

import base64

from marshmallow import EXCLUDE, Schema, fields, validate
from nameko.exceptions import RemoteError
from werkzeug.wrappers import Response

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, PRODUCER
from services.gateway.http import PUBLIC, HttpError, api, call, json_response, read_json, read_query

MANAGERS = frozenset({ADMIN, AGGREGATOR})
EARNERS = frozenset({ADMIN, AGGREGATOR, PRODUCER})

# Refusals of the provider's callback that the shared error mapping does not know.
_CALLBACK_STATUS = {"CallbackRefused": (401, "unauthenticated")}


class OrganisationQuery(Schema):
    """An admin names the organisation it acts for; anyone else acts for their own."""

    organisation_id = fields.String(validate=validate.Length(min=1, max=64))


class RateQuery(schemas.PageQuery):
    producer_id = fields.String(validate=validate.Length(min=1, max=64))
    offering_id = fields.String(validate=validate.Length(min=1, max=64))


class AdvanceQuery(schemas.PageQuery):
    producer_id = fields.String(validate=validate.Length(min=1, max=64))
    quota_id = fields.String(validate=validate.Length(min=1, max=64))
    outstanding = fields.Boolean()


class BatchQuery(OrganisationQuery, schemas.PageQuery):
    status = fields.String(validate=validate.OneOf(("draft", "approved", "sending", "done")))


class StatementQuery(schemas.PageQuery):
    currency = fields.String(validate=validate.Length(equal=3))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "pdf")))


class CallbackQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    signature = fields.String(load_default="", validate=validate.Length(max=128))


def _wire(query: dict) -> dict:
    """A loaded query as settlement reads it again (dates as text, ``from`` by its name)."""
    wire = {key: value for key, value in query.items() if key != "from_"}
    if "from_" in query:
        wire["from"] = query["from_"].isoformat()
    if "to" in query:
        wire["to"] = query["to"].isoformat()
    return wire


class SettlementRoutes:
    """Mixed into the gateway, whose ``settlement`` RPC proxy they call."""

    @staticmethod
    def _acting_for(principal, request) -> str:
        """The organisation a money action is for: an aggregator's own; an admin names one."""
        if principal.role != ADMIN:
            return principal.organisation_id
        named = read_query(request, OrganisationQuery()).get("organisation_id")
        if not named:
            raise HttpError(422, "invalid_input", "an admin names the organisation: ?organisation_id=")
        return named

    @staticmethod
    def _earner(principal, producer_id: str) -> str | None:
        """Whose money the caller may see: a producer her own only (any other answers 404, as if it did not
        exist); staff their organisation's."""
        if principal.role == PRODUCER:
            if principal.producer_id != producer_id:
                raise HttpError(404, "not_found", f"no producer {producer_id}")
            return "*"
        return access.staff_of(principal)

    @api(
        "GET",
        "/api/v1/piece-rates",
        roles=MANAGERS,
        query=RateQuery,
        tag="money",
        summary="Piece rates in force",
        answer="settlement.RatePage",
    )
    def list_rates(self, request, principal):
        query = read_query(request, RateQuery())
        return json_response(call(self.settlement, "list_rates", access.staff_of(principal), query))

    @api(
        "POST",
        "/api/v1/piece-rates",
        roles=MANAGERS,
        body="settlement.RateInput",
        status=201,
        tag="money",
        summary="Set what a producer earns per passed unit of an offering, from now on",
        answer="settlement.RateView",
    )
    def set_rate(self, request, principal):
        rate = call(self.settlement, "set_rate", access.staff_of(principal), principal.username, read_json(request))
        return json_response(rate, 201)

    @api(
        "GET",
        "/api/v1/settlement-terms",
        roles=MANAGERS,
        query=OrganisationQuery,
        tag="money",
        summary="The organisation's advance cap",
        answer="settlement.TermsView",
    )
    def get_terms(self, request, principal):
        return json_response(call(self.settlement, "get_terms", self._acting_for(principal, request)))

    @api(
        "PUT",
        "/api/v1/settlement-terms",
        roles=MANAGERS,
        query=OrganisationQuery,
        body="settlement.TermsInput",
        tag="money",
        summary="Set the share of a quota's value that may be advanced",
        answer="settlement.TermsView",
    )
    def set_terms(self, request, principal):
        organisation_id = self._acting_for(principal, request)
        terms = call(self.settlement, "set_terms", organisation_id, principal.username, read_json(request))
        return json_response(terms)

    @api(
        "POST",
        "/api/v1/advances",
        roles=MANAGERS,
        body="settlement.AdvanceInput",
        status=201,
        tag="money",
        summary="Record cash or materials advanced against an accepted quota",
        answer="settlement.AdvanceView",
    )
    def record_advance(self, request, principal):
        staff = access.staff_of(principal)
        return json_response(
            call(self.settlement, "record_advance", staff, principal.username, read_json(request)), 201
        )

    @api(
        "GET",
        "/api/v1/advances",
        roles=MANAGERS,
        query=AdvanceQuery,
        tag="money",
        summary="Advances and what is owed",
        answer="settlement.AdvancePage",
    )
    def list_advances(self, request, principal):
        query = read_query(request, AdvanceQuery())
        return json_response(call(self.settlement, "list_advances", access.staff_of(principal), query))

    @api(
        "POST",
        "/api/v1/write-offs",
        roles=MANAGERS,
        body="settlement.WriteOffInput",
        status=201,
        tag="money",
        summary="Write off what an advance left owed, with a reason",
        answer="settlement.AdvanceView",
    )
    def write_off(self, request, principal):
        staff = access.staff_of(principal)
        return json_response(call(self.settlement, "write_off", staff, principal.username, read_json(request)), 201)

    @api(
        "POST",
        "/api/v1/corrections",
        roles=MANAGERS,
        body="settlement.CorrectionInput",
        status=201,
        tag="money",
        summary="Correct a producer's earnings with a new entry and a reason",
        answer="settlement.BalanceView",
    )
    def record_correction(self, request, principal):
        staff = access.staff_of(principal)
        body = read_json(request)
        return json_response(call(self.settlement, "record_correction", staff, principal.username, body), 201)

    @api(
        "GET",
        "/api/v1/producers/{producer_id}/statement",
        roles=EARNERS,
        query=StatementQuery,
        answer_type=("application/json", "application/pdf", "text/csv"),
        tag="money",
        summary="A producer's statement: opening balance, entries, closing balance, in her language",
        answer="settlement.StatementView",
    )
    def producer_statement(self, request, principal, producer_id):
        query = _wire(read_query(request, StatementQuery()))
        viewer = self._earner(principal, producer_id)
        document = call(self.settlement, "statement", viewer, producer_id, query)
        if query["format"] == "json":
            return json_response(document)
        return Response(
            base64.b64decode(document["data"]),
            content_type=document["content_type"],
            headers={"Content-Disposition": f'attachment; filename="{document["filename"]}"'},
        )

    @api(
        "GET",
        "/api/v1/producers/{producer_id}/money",
        roles=EARNERS,
        tag="money",
        summary="A producer's balance per currency and her last payments",
        answer="settlement.MoneyView",
    )
    def producer_money(self, request, principal, producer_id):
        viewer = self._earner(principal, producer_id)
        return json_response(call(self.settlement, "producer_money", viewer, producer_id))

    @api(
        "GET",
        "/api/v1/producer-accounts",
        roles=MANAGERS,
        tag="money",
        summary="Every producer's account: earned, advanced, written off, paid, balance, and the lots earned from",
        answer="settlement.ProducerAccounts",
    )
    def producer_accounts(self, request, principal):
        return json_response({"items": call(self.settlement, "accounts", access.staff_of(principal))})

    @api(
        "GET",
        "/api/v1/premium-fund",
        roles=MANAGERS,
        tag="money",
        summary="The fair-trade premium fund: per currency and offering, the units that passed and their premium",
        answer="settlement.PremiumFunds",
    )
    def premium_fund(self, request, principal):
        return json_response(call(self.settlement, "premium_fund", access.staff_of(principal)))

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
