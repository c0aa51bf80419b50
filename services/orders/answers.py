"""What the orders service answers through the API: an order with its lines' ledger, and pages of them, as the
OpenAPI document describes it (examples: ``answers.examples.json``; exchange rates are in ``schemas``)."""

from marshmallow import Schema

from services.orders.domain import STATUSES
from shared.answer_fields import Page, amount, count, day, listing, moment, nested, one_of, text
from shared.contract import DestinationSchema
from shared.incoterms import INCOTERMS, TRANSPORT_MODES


class Buyer(Schema):
    id = text()
    name = text()
    email = text()
    organisation_id = text("the buyer's organisation, when a buyer's user placed it", nullable=True)


class TradeTerms(Schema):
    incoterm = one_of(INCOTERMS, "the Incoterms 2020 rule")
    named_place = text()
    transport_mode = one_of(TRANSPORT_MODES)


class OrderRate(Schema):
    """The organisation's exchange rate the order was priced at, when the buyer pays in another currency."""

    rate_id = text()
    base_currency = text("the offerings' currency")
    quote_currency = text("the order's currency")
    rate = amount("one base_currency in quote_currency, e.g. 3.4712")
    rate_date = day()


class LineLedger(Schema):
    """Where the line's units are: each stage counts the units that reached it."""

    line_id = text()
    offering = text("the offering's SKU")
    offering_id = text()
    unit_price = amount("in the order's currency")
    ordered = count()
    allocated = count()
    accepted = count()
    produced = count()
    passed = count()
    shipped = count()
    delivered = count()
    shortfall = count("units no producer could take on")


class OrderView(Schema):
    id = text()
    status = one_of(STATUSES)
    organisation_id = text("the aggregator organisation whose offerings it orders")
    buyer = nested(Buyer)
    destination = nested(DestinationSchema)
    due_date = day()
    promised_date = day("when the producers' capacity lets it arrive; null until known", nullable=True)
    cancel_reason = text(nullable=True)
    currency = text("ISO 4217")
    total = amount()
    trade_terms = nested(TradeTerms, "null for an order placed before orders named their terms", nullable=True)
    exchange_rate = nested(OrderRate, "null for an order in its offerings' currency", nullable=True)
    placed_at = moment()
    updated_at = moment()
    lines = listing(LineLedger)


class OrderPage(Page):
    items = listing(OrderView)
