"""Routes of exchange rates: what an organisation's offerings' currency is worth in the currencies its buyers order
in, as its aggregators record them (never fetched from outside). Orders in another currency are converted at them.

Only the organisation's aggregators (and admins, naming the organisation) record and read them; the organisation is
the caller's, never the body's, and who recorded each is the caller's username."""

from marshmallow import fields, validate

from services.gateway import schemas
from services.gateway.auth import ADMIN
from services.gateway.http import api, call, json_response, read_json, read_query
from services.gateway.routes_settlement import MANAGERS, OrganisationQuery


class ExchangeRateQuery(OrganisationQuery, schemas.PageQuery):
    base_currency = fields.String(validate=validate.Length(equal=3))
    quote_currency = fields.String(validate=validate.Length(equal=3))


class ExchangeRateRoutes:
    """Mixed into the gateway, whose ``orders`` RPC proxy they call; ``_acting_for`` is the settlement routes'."""

    @api(
        "POST",
        "/api/v1/exchange-rates",
        roles=MANAGERS,
        query=OrganisationQuery,
        body="orders.ExchangeRateInput",
        status=201,
        tag="orders",
        summary="Record what one unit of the offerings' currency is worth in another, for a day or a range of days "
        "(a later recording supersedes an earlier one on the days both cover)",
        answer="orders.ExchangeRateView",
    )
    def record_exchange_rate(self, request, principal):
        organisation_id = self._acting_for(principal, request)
        body = read_json(request)
        return json_response(call(self.orders, "record_exchange_rate", organisation_id, principal.username, body), 201)

    @api(
        "GET",
        "/api/v1/exchange-rates",
        roles=MANAGERS,
        query=ExchangeRateQuery,
        tag="orders",
        summary="The organisation's recorded exchange rates, newest first",
        answer="orders.ExchangeRatePage",
    )
    def list_exchange_rates(self, request, principal):
        query = read_query(request, ExchangeRateQuery())
        named = query.pop("organisation_id", None)
        organisation_id = named if principal.role == ADMIN else principal.organisation_id
        return json_response(call(self.orders, "list_exchange_rates", organisation_id, query))
