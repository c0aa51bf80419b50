"""Routes of settlement: piece rates and the advance cap, advances, write-offs and corrections, statements, what a
producer is owed, and the premium fund (payouts are in ``routes_payouts``).

Only the organisation's aggregators (and admins) see its producers' money or act on it; a producer sees her own
statement and balance only. Every money action is recorded with who did it (the caller's username)."""

import base64

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway import access, schemas
from services.gateway.auth import ADMIN, AGGREGATOR, PRODUCER
from services.gateway.http import HttpError, api, call, json_response, read_json, read_query

MANAGERS = frozenset({ADMIN, AGGREGATOR})
EARNERS = frozenset({ADMIN, AGGREGATOR, PRODUCER})


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


class StatementQuery(schemas.PageQuery):
    currency = fields.String(validate=validate.Length(equal=3))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "pdf")))


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
