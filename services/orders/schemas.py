"""Inputs of the orders service's RPC API, and the exchange rates' answers as the API document describes them."""

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from services.orders.domain import rate_period_problem, rate_problem
from shared.bounds import MAX_QUANTITY
from shared.contract import DestinationSchema
from shared.incoterms import INCOTERMS, TRANSPORT_MODES, fit_problem
from shared.money import CURRENCIES

MAX_LINES = 1000


def _currency(**kwargs):
    return fields.String(
        validate=validate.OneOf(sorted(CURRENCIES), error="an ISO 4217 currency code, e.g. JPY"), **kwargs
    )


def _not_blank(text: str) -> None:
    if not text.strip():
        raise ValidationError("must not be blank")


class BuyerInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)


class LineInput(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class TradeTermsInput(Schema):
    """The Incoterms 2020 rule of the sale, the place it names (``CIF Brisbane``) and how the goods travel."""

    incoterm = fields.String(
        required=True, validate=validate.OneOf(tuple(INCOTERMS), error="an Incoterms 2020 rule: {choices}")
    )
    named_place = fields.String(required=True, validate=[validate.Length(min=1, max=200), _not_blank])
    transport_mode = fields.String(
        required=True, validate=validate.OneOf(TRANSPORT_MODES, error="a transport mode: {choices}")
    )

    @validates_schema
    def _term_fits_the_transport(self, data, **kwargs):
        problem = fit_problem(data["incoterm"], data["transport_mode"])
        if problem:
            raise ValidationError(problem, "incoterm")

    @post_load
    def _trimmed(self, data, **kwargs):
        return {**data, "named_place": data["named_place"].strip()}


class PlaceOrderInput(Schema):
    """``currency``: what the buyer pays in (the offerings' currency when absent); another needs an exchange rate
    the organisation recorded for the day of placing."""

    buyer = fields.Nested(BuyerInput, required=True)
    destination = fields.Nested(DestinationSchema, required=True)
    due_date = fields.Date(required=True)
    lines = fields.List(fields.Nested(LineInput), required=True, validate=validate.Length(min=1, max=MAX_LINES))
    trade_terms = fields.Nested(TradeTermsInput, required=True)
    currency = _currency(load_default=None)


class CancelInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ExchangeRateInput(Schema):
    """One ``base_currency`` (the offerings') is worth ``rate`` of ``quote_currency`` on every day from
    ``valid_from`` to ``valid_until`` (UTC days, both included; ``valid_from`` alone when absent). The organisation
    is the caller's."""

    class Meta:
        unknown = RAISE

    base_currency = _currency(required=True)
    quote_currency = _currency(required=True)
    rate = fields.Decimal(required=True, as_string=True, allow_nan=False)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(load_default=None)

    @validates_schema
    def _a_rate_between_two_currencies_for_a_year_at_most(self, data, **kwargs):
        errors = {}
        if data["base_currency"] == data["quote_currency"]:
            errors["quote_currency"] = ["another currency than base_currency"]
        if problem := rate_problem(data["rate"]):
            errors["rate"] = [problem]
        if problem := rate_period_problem(data["valid_from"], data["valid_until"] or data["valid_from"]):
            errors["valid_until"] = [problem]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _one_day_unless_told(self, data, **kwargs):
        return {**data, "valid_until": data["valid_until"] or data["valid_from"]}


class ExchangeRateQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    base_currency = _currency()
    quote_currency = _currency()


class ExchangeRateView(Schema):
    rate_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    base_currency = fields.String(required=True)
    quote_currency = fields.String(required=True)
    rate = fields.String(required=True, metadata={"description": "one base_currency in quote_currency: 155.32"})
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)


class ExchangeRatePage(Schema):
    items = fields.List(fields.Nested(ExchangeRateView), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)
