"""Routes of the trade with buyers: the organisation's trade terms, the documents issued for an order (pro-forma,
commercial invoice, packing list, credit note) as JSON or PDF, payments received, buyers' accounts and receivables,
and claims.

A buyer sees its own organisation's documents, accounts and claims only, and files claims on its orders; the
organisation's aggregators (and admins) see theirs, record payments and decide claims. Another tenant's answers 404."""

import base64

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, BUYER
from services.gateway.http import HttpError, api, call, json_response, read_json, read_query
from services.gateway.routes_settlement import MANAGERS, OrganisationQuery

TRADERS = frozenset({ADMIN, AGGREGATOR, BUYER})
CLAIMANTS = frozenset({ADMIN, BUYER})
T = "settlement.trade_schemas."
# A claim carries its photos (base64): more than the API's usual body limit.
MAX_CLAIM_BYTES = 12 * 1024 * 1024


class DocumentQuery(schemas.PageQuery):
    order_id = fields.String(validate=validate.Length(min=1, max=64))
    kind = fields.String(validate=validate.OneOf(("proforma", "invoice", "credit_note", "packing_list")))


class DocumentFileQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "pdf")))
    language = fields.String(load_default="en", validate=validate.OneOf(("en", "fr")))


class AccountQuery(schemas.PageQuery):
    order_id = fields.String(validate=validate.Length(min=1, max=64))


def _file(document: dict, disposition: str = "attachment") -> Response:
    return Response(
        base64.b64decode(document["data"]),
        content_type=document["content_type"],
        headers={"Content-Disposition": f'{disposition}; filename="{document.get("filename", "photo")}"'},
    )


class TradeRoutes:
    """Mixed into the gateway, whose ``settlement`` RPC proxy they call; ``_acting_for`` is the settlement routes'."""

    @api(
        "GET",
        "/api/v1/trade-terms",
        roles=MANAGERS,
        query=OrganisationQuery,
        tag="trade",
        summary="The organisation's trade terms: deposit, payment and claim periods, tax",
        answer=T + "TradeTermsView",
    )
    def get_trade_terms(self, request, principal):
        return json_response(call(self.settlement, "get_trade_terms", self._acting_for(principal, request)))

    @api(
        "PUT",
        "/api/v1/trade-terms",
        roles=MANAGERS,
        query=OrganisationQuery,
        body=T + "TradeTermsInput",
        tag="trade",
        summary="Set the organisation's trade terms (documents issued from now on follow them)",
        answer=T + "TradeTermsView",
    )
    def set_trade_terms(self, request, principal):
        organisation_id = self._acting_for(principal, request)
        body = read_json(request)
        return json_response(call(self.settlement, "set_trade_terms", organisation_id, principal.username, body))

    @api(
        "GET",
        "/api/v1/documents",
        roles=TRADERS,
        query=DocumentQuery,
        tag="trade",
        summary="Trade documents issued: pro-formas, invoices, packing lists, credit notes",
        answer=T + "DocumentPage",
    )
    def list_documents(self, request, principal):
        query = read_query(request, DocumentQuery())
        return json_response(call(self.settlement, "list_documents", access.list_filters(principal), query))

    @api(
        "GET",
        "/api/v1/documents/{document_id}",
        roles=TRADERS,
        query=DocumentFileQuery,
        answer_type=("application/json", "application/pdf"),
        tag="trade",
        summary="One trade document, as JSON or as a PDF in English or French",
        answer=T + "DocumentView",
    )
    def get_document(self, request, principal, document_id):
        query = read_query(request, DocumentFileQuery())
        document = call(
            self.settlement,
            "get_document",
            access.list_filters(principal),
            document_id,
            query["format"],
            query["language"],
        )
        return json_response(document) if query["format"] == "json" else _file(document)

    @api(
        "POST",
        "/api/v1/orders/{order_id}/receipts",
        roles=MANAGERS,
        body=T + "ReceiptInput",
        status=201,
        tag="trade",
        summary="Record a payment received from the order's buyer",
        answer=T + "AccountView",
    )
    def record_receipt(self, request, principal, order_id):
        scope, body = access.list_filters(principal), read_json(request)
        return json_response(call(self.settlement, "record_receipt", scope, principal.username, order_id, body), 201)

    @api(
        "GET",
        "/api/v1/buyer-accounts",
        roles=TRADERS,
        query=AccountQuery,
        tag="trade",
        summary="Per order: ordered, deposit asked, invoiced, credited, received, outstanding, overdue",
        answer=T + "AccountPage",
    )
    def list_buyer_accounts(self, request, principal):
        query = read_query(request, AccountQuery())
        return json_response(call(self.settlement, "list_buyer_accounts", access.list_filters(principal), query))

    @api(
        "GET",
        "/api/v1/receivables",
        roles=MANAGERS,
        tag="trade",
        summary="What buyers owe on invoices, per currency, by age",
        answer=T + "ReceivablesView",
    )
    def receivables(self, request, principal):
        return json_response(call(self.settlement, "receivables", access.list_filters(principal)))

    @api(
        "POST",
        "/api/v1/orders/{order_id}/claims",
        roles=CLAIMANTS,
        body=T + "ClaimInput",
        status=201,
        tag="trade",
        summary="Claim damaged or missing units of delivered lines, with photos and a reason",
        answer=T + "ClaimView",
    )
    def file_claim(self, request, principal, order_id):
        scope, body = access.list_filters(principal), read_json(request, MAX_CLAIM_BYTES)
        return json_response(call(self.settlement, "file_claim", scope, principal.username, order_id, body), 201)

    @api(
        "GET",
        "/api/v1/claims",
        roles=TRADERS,
        query=AccountQuery,
        tag="trade",
        summary="Claims, newest first",
        answer=T + "ClaimPage",
    )
    def list_claims(self, request, principal):
        query = read_query(request, AccountQuery())
        return json_response(call(self.settlement, "list_claims", access.list_filters(principal), query))

    @api(
        "GET",
        "/api/v1/claims/{claim_id}",
        roles=TRADERS,
        tag="trade",
        summary="One claim, with the lots it concerns",
        answer=T + "ClaimView",
    )
    def get_claim(self, request, principal, claim_id):
        return json_response(call(self.settlement, "get_claim", access.list_filters(principal), claim_id))

    @api(
        "GET",
        "/api/v1/claims/{claim_id}/photos/{position}",
        roles=TRADERS,
        answer_type=("image/jpeg", "image/png", "image/webp"),
        tag="trade",
        summary="A photo of a claim",
    )
    def claim_photo(self, request, principal, claim_id, position):
        if not position.isdigit():
            raise HttpError(404, "not_found", f"claim {claim_id} has no photo {position}")
        photo = call(self.settlement, "claim_photo", access.list_filters(principal), claim_id, int(position))
        return _file(photo, "inline")

    @api(
        "POST",
        "/api/v1/claims/{claim_id}/decision",
        roles=MANAGERS,
        body=T + "DecisionInput",
        tag="trade",
        summary="Accept a claim (in whole or part, with a credit note) or reject it, with a reason",
        answer=T + "ClaimView",
    )
    def decide_claim(self, request, principal, claim_id):
        scope, body = access.list_filters(principal), read_json(request)
        return json_response(call(self.settlement, "decide_claim", scope, principal.username, claim_id, body))
