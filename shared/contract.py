"""The event contract's declarations: every fact a service publishes, with its version and marshmallow schema, and
the vocabulary those facts share. Declarations only (data): the envelope and the checks live in ``shared.events``.
"""

from dataclasses import dataclass
from decimal import Decimal

from marshmallow import Schema, fields, validate

from shared.incoterms import INCOTERMS, TRANSPORT_MODES

REMOTENESS = ("all_season_road", "seasonal_road", "air_or_boat")
# The life of a shipment: planned -> picked_up -> at_hub -> in_transit -> delivered, or exception (with a reason) from
# any of them but delivered.
SHIPMENT_STATUSES = ("planned", "picked_up", "at_hub", "in_transit", "delivered", "exception")
DEFECT_CLASSES = ("critical", "major", "minor")
INSPECTION_LEVELS = ("I", "II", "III", "S-1", "S-2", "S-3", "S-4")
REJECTED_LOT_ACTIONS = ("ask", "rework", "replace")
CAPACITY_ENTRIES_PER_EVENT = 500
# What an accepted quota becomes as its lots move on (see QuotaProgressedV1).
QUOTA_PROGRESS = ("accepted", "in_production", "produced", "passed", "shipped", "delivered", "closed_short")


def _id():
    return fields.String(required=True, validate=validate.Length(min=1, max=64))


def _units():
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


def _positive_units():
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def _currency():
    return fields.String(required=True, validate=validate.Length(equal=3))


def _money():
    return fields.Decimal(required=True, as_string=True, places=2, validate=validate.Range(min=0))


class DestinationSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    country = fields.String(required=True, validate=validate.Length(equal=2))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class ProducerRegisteredV1(Schema):
    """A snapshot of the producer: ``producer.updated`` carries the same fields, replacing the previous snapshot."""

    producer_id = _id()
    organisation_id = _id()
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    village = fields.String(required=True)
    district = fields.String(required=True)
    region = fields.String(required=True)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    remoteness = fields.String(required=True, validate=validate.OneOf(REMOTENESS))
    closed_months = fields.List(fields.Integer(validate=validate.Range(min=1, max=12)), load_default=list)
    service_weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)), load_default=list)
    mobile = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    webhook_url = fields.String(load_default=None, allow_none=True)
    languages = fields.List(fields.String(), required=True)
    approved_offerings = fields.List(_id(), load_default=list)


class QualityStandardSchema(Schema):
    """How an offering's lots are inspected: ISO 2859-1 AQL per defect class, inspection level, what to look for."""

    aql = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DEFECT_CLASSES)),
        values=fields.Float(validate=validate.Range(min=0, min_inclusive=False)),
        required=True,
    )
    inspection_level = fields.String(required=True, validate=validate.OneOf(INSPECTION_LEVELS))
    criteria = fields.List(fields.Dict(), required=True)
    rejected_lot_action = fields.String(required=True, validate=validate.OneOf(REJECTED_LOT_ACTIONS))
    min_pass_rate = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    reduced_inspection = fields.Boolean(load_default=False)


class MarketRequirementSchema(Schema):
    """What a destination market asks of the goods (``market``: an ISO country code, or EU)."""

    market = fields.String(required=True, validate=validate.Length(equal=2))
    packaging = fields.String(required=True, validate=validate.Length(min=1, max=500))
    labelling = fields.String(required=True, validate=validate.Length(min=1, max=500))
    certifications = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)


class OfferingPublishedV1(Schema):
    offering_id = _id()
    organisation_id = _id()
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True)
    unit_price = _money()
    producer_price = _money()
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    unit_weight_g = _positive_units()
    unit_volume_cm3 = _positive_units()
    min_order = _positive_units()
    quality_standard = fields.Nested(QualityStandardSchema, required=True)
    # The smallest quota worth offering (absent from a publisher that predates it: no floor but the producers' lots).
    min_quota = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    # A fair-trade premium per unit, paid to the organisation's premium fund, not to the producer (none when absent).
    fair_trade_premium = fields.Decimal(
        load_default=Decimal(0), as_string=True, places=2, validate=validate.Range(min=0)
    )
    # For export documents and producers' instructions (absent from a publisher that predates them).
    hs_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9]{6,10}$"))
    origin_country = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=2))
    markets = fields.List(fields.Nested(MarketRequirementSchema), load_default=list)


class QuotedItemSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True)
    quantity = _positive_units()


class QuoteRequestedV1(Schema):
    """A buyer asked for a quote from a public catalogue; the organisation that published it answers."""

    request_id = _id()
    organisation_id = _id()
    catalogue = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    company = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # At least one way to answer (the publisher refuses a request with neither).
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=2))
    language = fields.String(required=True, validate=validate.Length(min=2, max=8))
    items = fields.List(fields.Nested(QuotedItemSchema), required=True)
    message = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)


class OfferingWithdrawnV1(Schema):
    offering_id = _id()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CapacityEntrySchema(Schema):
    """Units a producer can make of an offering in one ISO week (``week_start`` is its Monday)."""

    producer_id = _id()
    offering_id = _id()
    week_start = fields.Date(required=True)
    units = _units()
    lead_time_days = _units()
    min_lot = _positive_units()


class CapacityDeclaredV1(Schema):
    """Each entry replaces the previous declaration for its producer, offering and week."""

    entries = fields.List(
        fields.Nested(CapacityEntrySchema),
        required=True,
        validate=validate.Length(min=1, max=CAPACITY_ENTRIES_PER_EVENT),
    )


class OrderLineSchema(Schema):
    """``unit_price``: in the order's currency (absent from a publisher that predates it: read it with ``.get``)."""

    line_id = _id()
    offering_id = _id()
    sku = fields.String(required=True)
    quantity = _positive_units()
    unit_price = fields.Decimal(allow_none=True, as_string=True, validate=validate.Range(min=0))


class TradeTermsSchema(Schema):
    """The Incoterms 2020 rule, its named place, and how the goods travel."""

    incoterm = fields.String(required=True, validate=validate.OneOf(tuple(INCOTERMS)))
    named_place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    transport_mode = fields.String(required=True, validate=validate.OneOf(TRANSPORT_MODES))


class ExchangeRateSchema(Schema):
    """One ``base_currency`` (the offerings') is worth ``rate`` of ``quote_currency`` (the order's), as the
    aggregator recorded it for ``rate_date``."""

    rate_id = _id()
    base_currency = _currency()
    quote_currency = _currency()
    rate = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0, min_inclusive=False))
    rate_date = fields.Date(required=True)


class BuyerSchema(Schema):
    """``organisation_id``: the buyer's organisation when a signed-in buyer placed the order."""

    buyer_id = _id()
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    organisation_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))


class OrderPlacedV1(Schema):
    """``promised_date``: the earliest delivery the capacity calendars allowed at placement (None when allocation
    could not be asked). ``organisation_id``: the aggregator organisation whose offerings the order is for. Both
    organisation fields are optional (absent from a publisher that predates them): read them with ``.get``, so that
    an event is the same on both sides of the bus."""

    order_id = _id()
    organisation_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    buyer = fields.Nested(BuyerSchema, required=True)
    destination = fields.Nested(DestinationSchema, required=True)
    due_date = fields.Date(required=True)
    promised_date = fields.Date(required=True, allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True, validate=validate.Length(min=1))
    # The money and the terms of the sale (absent from a publisher that predates them: read them with ``.get``): the
    # order's currency, its Incoterm, and the exchange rate its prices were converted at (None when it is in the
    # offerings' currency).
    currency = fields.String(allow_none=True, validate=validate.Length(equal=3))
    trade_terms = fields.Nested(TradeTermsSchema, allow_none=True)
    exchange_rate = fields.Nested(ExchangeRateSchema, allow_none=True)


class OrderStatusChangedV1(Schema):
    order_id = _id()
    previous_status = fields.String(required=True)
    status = fields.String(required=True)


class QuotaWeekSchema(Schema):
    week_start = fields.Date(required=True)
    units = _positive_units()


class QuotaShareSchema(Schema):
    """Which producer makes how many units of which order line."""

    quota_id = _id()
    order_id = _id()
    line_id = _id()
    offering_id = _id()
    producer_id = _id()
    quantity = _positive_units()


class QuotaAnsweredV1(QuotaShareSchema):
    """``weeks`` says which weeks of the producer's capacity calendar the quota uses; they add up to ``quantity``."""

    weeks = fields.List(fields.Nested(QuotaWeekSchema), required=True, validate=validate.Length(min=1))


class QuotaAcceptedV1(QuotaAnsweredV1):
    """``quantity`` is what the producer accepted; ``declined_quantity`` the rest of the offer, which goes back to
    allocation."""

    declined_quantity = _units()


class QuotaDeclinedV1(QuotaAnsweredV1):
    reason = fields.String(required=True, validate=validate.Length(max=500))


class QuotaReleasedV1(QuotaAnsweredV1):
    """An open quota given up by the platform (the order was cancelled): capacity is freed, the producer told."""

    status_before = fields.String(required=True, validate=validate.OneOf(("offered", "accepted")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class QuotaTopUpOfferedV1(QuotaAnsweredV1):
    """More units of the same line offered to a producer already working on it, as an increase of her quota (she
    never holds two quotas for one line). ``quantity`` and ``weeks`` are the quota as it stands; ``top_up`` the units
    asked for on top, in ``top_up_weeks``. She answers with the quota's own ``ref``, by ``respond_by``."""

    ref = fields.String(required=True, validate=validate.Length(min=4, max=12))
    top_up = _positive_units()
    top_up_weeks = fields.List(fields.Nested(QuotaWeekSchema), required=True, validate=validate.Length(min=1))
    respond_by = fields.AwareDateTime(required=True)


class QuotaToppedUpV1(QuotaAnsweredV1):
    """A top-up answered: ``added`` units joined the quota (now ``quantity`` in ``weeks``); ``declined_quantity``, the
    rest of the top-up, goes back to allocation. ``outcome`` is accepted (``added`` may be 0 only when it is not),
    declined, expired, or released (the order was cancelled)."""

    added = _units()
    declined_quantity = _units()
    outcome = fields.String(required=True, validate=validate.OneOf(("accepted", "declined", "expired", "released")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class QuotaProgressedV1(QuotaShareSchema):
    """An accepted quota moved on with its lots: in_production (a lot reported, units left to report), produced
    (every unit reported), passed (every unit passed inspection), shipped (picked up), delivered, or closed_short
    (finished with fewer good units than accepted; ``reason`` says why). ``passed`` counts its units that passed."""

    previous_status = fields.String(required=True, validate=validate.Length(min=1, max=16))
    status = fields.String(required=True, validate=validate.OneOf(QUOTA_PROGRESS))
    passed = _units()
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class OrderShortfallV1(Schema):
    order_id = _id()
    line_id = _id()
    offering_id = _id()
    ordered = _positive_units()
    covered = _units()
    shortfall = _positive_units()


class OrderCancelledV1(Schema):
    order_id = _id()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class QuotaOfferedV1(QuotaAnsweredV1):
    """``rate`` is what each passed unit earns her (the piece rate in force, else the offering's producer price), in
    the offering's currency; absent from a publisher that predates it."""

    ref = fields.String(required=True, validate=validate.Length(min=4, max=12))
    respond_by = fields.AwareDateTime(required=True)
    reallocated = fields.Boolean(required=True)
    rate = fields.Decimal(load_default=None, allow_none=True, as_string=True, places=2, validate=validate.Range(min=0))


class AllocatedLineSchema(Schema):
    line_id = _id()
    offering_id = _id()
    ordered = _positive_units()
    allocated = _units()
    shortfall = _units()


class OrderAllocatedV1(Schema):
    order_id = _id()
    lines = fields.List(fields.Nested(AllocatedLineSchema), required=True)


class LotReportedV1(QuotaShareSchema):
    lot_id = _id()


class ClassVerdictSchema(Schema):
    """One defect class's ISO 2859-1 plan and what the inspector found."""

    defect_class = fields.String(required=True, validate=validate.OneOf(DEFECT_CLASSES))
    aql = fields.Float(required=True)
    code_letter = fields.String(required=True)
    sample_size = _positive_units()
    accept = _units()
    reject = _positive_units()
    defects = _units()


class LotInspectedV1(LotReportedV1):
    """``attempt`` counts inspections of this lot (a reworked lot is inspected again, tightened)."""

    attempt = _positive_units()
    severity = fields.String(required=True, validate=validate.OneOf(("normal", "tightened", "reduced")))
    classes = fields.List(fields.Nested(ClassVerdictSchema), required=True, validate=validate.Length(min=1))
    passed = fields.Boolean(required=True)


class LotDispositionV1(LotReportedV1):
    """What happens to a rejected lot: ``lot.rework_requested`` (fixed and inspected again) or ``lot.replaced``
    (its quantity goes back to allocation like a declined quota)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ShippedLotSchema(Schema):
    lot_id = _id()
    order_id = _id()
    line_id = _id()
    quantity = _positive_units()


class ShipmentPickupSchema(Schema):
    """When a producer's lots are collected, and the hub they are taken to."""

    producer_id = _id()
    pickup_on = fields.Date(required=True)
    hub = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FreightShareSchema(Schema):
    """An order line's share of a shipment's freight, per leg: ``pickup`` (producers to the hub) and ``main``
    (the line-haul from the hub to the destination)."""

    order_id = _id()
    line_id = _id()
    pickup = _money()
    main = _money()


class ShipmentPlannedV1(Schema):
    """``pickups``: one per producer, so each can be told the day (a remote producer's is its next flight or boat).
    ``freight``: each order line's share of the cost, in ``freight_currency`` (absent from a publisher that predates
    them)."""

    shipment_id = _id()
    destination = fields.Nested(DestinationSchema, required=True)
    lots = fields.List(fields.Nested(ShippedLotSchema), required=True, validate=validate.Length(min=1))
    pickups = fields.List(fields.Nested(ShipmentPickupSchema), load_default=list)
    freight = fields.List(fields.Nested(FreightShareSchema), load_default=list)
    freight_currency = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=3))


class ShipmentStatusChangedV1(Schema):
    """``at`` is when it happened (reported late, it is earlier than ``occurred_at``); ``reason`` says what went
    wrong for an exception."""

    shipment_id = _id()
    previous_status = fields.String(required=True, validate=validate.OneOf(SHIPMENT_STATUSES))
    status = fields.String(required=True, validate=validate.OneOf(SHIPMENT_STATUSES))
    lots = fields.List(fields.Nested(ShippedLotSchema), required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    at = fields.AwareDateTime(load_default=None, allow_none=True)


class ShipmentDeliveredV1(Schema):
    shipment_id = _id()
    lots = fields.List(fields.Nested(ShippedLotSchema), required=True, validate=validate.Length(min=1))


class NotificationSentV1(Schema):
    notification_id = _id()
    recipient_id = _id()
    channel = fields.String(required=True, validate=validate.OneOf(("sms", "email", "webhook")))
    transport = fields.String(required=True)
    address = fields.String(required=True)
    template = fields.String(required=True)


class PieceRateSetV1(Schema):
    """What a producer earns per passed unit of an offering from ``set_at`` on (quotas offered before keep theirs)."""

    rate_id = _id()
    organisation_id = _id()
    producer_id = _id()
    offering_id = _id()
    rate = _money()
    currency = _currency()
    set_at = fields.AwareDateTime(required=True)


class AdvanceRecordedV1(Schema):
    """Pre-finance against an accepted quota, in cash or materials; ``balance`` is hers once it is recorded."""

    advance_id = _id()
    organisation_id = _id()
    producer_id = _id()
    quota_id = _id()
    order_id = _id()
    kind = fields.String(required=True, validate=validate.OneOf(("cash", "materials")))
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    amount = _money()
    currency = _currency()
    balance = fields.Decimal(required=True, as_string=True, places=2)


class PayoutConfirmedV1(Schema):
    """A payment reached the producer: ``lots`` are those whose earnings it settled, ``reference`` the provider's
    transaction id or the cash receipt number."""

    line_id = _id()
    batch_id = _id()
    organisation_id = _id()
    producer_id = _id()
    amount = _money()
    currency = _currency()
    method = fields.String(required=True, validate=validate.OneOf(("mobile_money", "cash")))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    lots = fields.List(_id(), required=True)


class BalanceRequestedV1(Schema):
    """A producer asked for her balance (``BAL`` by SMS)."""

    request_id = _id()
    producer_id = _id()


class LastPaymentSchema(Schema):
    amount = _money()
    confirmed_at = fields.AwareDateTime(required=True)


class CurrencyBalanceSchema(Schema):
    currency = _currency()
    balance = fields.Decimal(required=True, as_string=True, places=2)
    earned = fields.Decimal(required=True, as_string=True, places=2)
    last_payment = fields.Nested(LastPaymentSchema, required=True, allow_none=True)


class BalanceReportedV1(Schema):
    """The answer to a balance request: per currency she was ever paid in, her balance, what she earned, and her
    last confirmed payment; none when she has no money movement yet."""

    request_id = _id()
    producer_id = _id()
    balances = fields.List(fields.Nested(CurrencyBalanceSchema), required=True)


DOCUMENT_KINDS = ("proforma", "invoice", "credit_note", "packing_list")


class DocumentIssuedV1(Schema):
    """A trade document was issued to the buyer of an order; ``corrects`` names the document a credit note
    corrects, ``due_on`` when a pro-forma's deposit or an invoice is due."""

    document_id = _id()
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    organisation_id = _id()
    order_id = _id()
    currency = _currency()
    total = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0))
    amount_due = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=validate.Range(min=0))
    due_on = fields.Date(load_default=None, allow_none=True)
    corrects = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class PaymentOverdueV1(Schema):
    """An order's buyer owes money past its due date: a reminder is due."""

    order_id = _id()
    organisation_id = _id()
    currency = _currency()
    outstanding = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0, min_inclusive=False))
    due_on = fields.Date(required=True)
    days_overdue = _positive_units()
    documents = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True)


class ClaimDecidedV1(Schema):
    """The aggregator answered a buyer's claim: ``accepted_units`` of ``claimed_units`` (0 when rejected)."""

    claim_id = _id()
    order_id = _id()
    organisation_id = _id()
    decision = fields.String(required=True, validate=validate.OneOf(("accepted", "partly_accepted", "rejected")))
    claimed_units = _positive_units()
    accepted_units = _units()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    credit_note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    version: int
    source: str
    schema: type
    description: str


CONTRACT = {
    (spec.event_type, spec.version): spec
    for spec in (
        EventSpec(
            "producer.registered",
            1,
            "catalogue",
            ProducerRegisteredV1,
            "A producer joined an aggregator's network, with location and contact channels.",
        ),
        EventSpec(
            "producer.updated",
            1,
            "catalogue",
            ProducerRegisteredV1,
            "A producer's details or approvals changed; the payload is the whole new snapshot.",
        ),
        EventSpec(
            "offering.published",
            1,
            "catalogue",
            OfferingPublishedV1,
            "A pooled offering: one product many producers make to one standard.",
        ),
        EventSpec(
            "offering.withdrawn",
            1,
            "catalogue",
            OfferingWithdrawnV1,
            "An offering is no longer sold; no new quotas are offered for it.",
        ),
        EventSpec(
            "quote.requested",
            1,
            "catalogue",
            QuoteRequestedV1,
            "A buyer asked for a quote through a catalogue's public link; its organisation is told.",
        ),
        EventSpec(
            "capacity.declared",
            1,
            "catalogue",
            CapacityDeclaredV1,
            "Producers' weekly capacity calendars for offerings (each entry replaces its week).",
        ),
        EventSpec("order.placed", 1, "orders", OrderPlacedV1, "A buyer placed a bulk order."),
        EventSpec(
            "order.status_changed",
            1,
            "orders",
            OrderStatusChangedV1,
            "An order moved along placed, allocated, in_production, shipped, delivered.",
        ),
        EventSpec(
            "quota.offered", 1, "aggregation", QuotaOfferedV1, "A producer was offered a share of an order line."
        ),
        EventSpec(
            "order.cancelled",
            1,
            "orders",
            OrderCancelledV1,
            "The buyer or aggregator cancelled an order; its open quotas are released.",
        ),
        EventSpec(
            "quota.accepted",
            1,
            "aggregation",
            QuotaAcceptedV1,
            "A producer accepted its quota, in full or in part; the rest goes back to allocation.",
        ),
        EventSpec(
            "quota.declined",
            1,
            "aggregation",
            QuotaDeclinedV1,
            "A producer declined, with a reason; the quantity goes back to allocation.",
        ),
        EventSpec(
            "quota.expired",
            1,
            "aggregation",
            QuotaAnsweredV1,
            "A quota was not answered by its deadline; the quantity goes back to allocation.",
        ),
        EventSpec(
            "quota.released",
            1,
            "aggregation",
            QuotaReleasedV1,
            "An open quota was given up because its order was cancelled; the capacity is free again.",
        ),
        EventSpec(
            "quota.top_up_offered",
            1,
            "aggregation",
            QuotaTopUpOfferedV1,
            "A producer already on a line was asked to make more of it, as an increase of her quota.",
        ),
        EventSpec(
            "quota.topped_up",
            1,
            "aggregation",
            QuotaToppedUpV1,
            "A top-up was answered (accepted in full or part, declined, lapsed or released).",
        ),
        EventSpec(
            "quota.progressed",
            1,
            "aggregation",
            QuotaProgressedV1,
            "An accepted quota moved on as its lots did: in production, produced, passed, shipped, delivered, "
            "or closed short.",
        ),
        EventSpec(
            "order.shortfall",
            1,
            "aggregation",
            OrderShortfallV1,
            "No eligible capacity is left for part of an order line.",
        ),
        EventSpec(
            "order.allocated",
            1,
            "aggregation",
            OrderAllocatedV1,
            "Every line of an order was split across producers; shortfall is what capacity could not cover.",
        ),
        EventSpec("lot.reported", 1, "aggregation", LotReportedV1, "A producer finished a lot against a quota."),
        EventSpec(
            "lot.inspected",
            1,
            "aggregation",
            LotInspectedV1,
            "An inspector sampled a lot by its ISO 2859-1 plans; passed says whether it is accepted.",
        ),
        EventSpec(
            "lot.rework_requested",
            1,
            "aggregation",
            LotDispositionV1,
            "A rejected lot goes back to its producer to be fixed and inspected again.",
        ),
        EventSpec(
            "lot.replaced",
            1,
            "aggregation",
            LotDispositionV1,
            "A rejected lot's quantity goes back to allocation to be made by others.",
        ),
        EventSpec(
            "shipment.planned",
            1,
            "consolidation",
            ShipmentPlannedV1,
            "Passed lots bound for one destination were combined into a shipment.",
        ),
        EventSpec(
            "shipment.status_changed",
            1,
            "consolidation",
            ShipmentStatusChangedV1,
            "A shipment moved along planned, picked_up, at_hub, in_transit, delivered, or hit an exception.",
        ),
        EventSpec("shipment.delivered", 1, "consolidation", ShipmentDeliveredV1, "A shipment reached its destination."),
        EventSpec(
            "notification.sent",
            1,
            "notification",
            NotificationSentV1,
            "A message went out to a recipient on one of its channels.",
        ),
        EventSpec(
            "balance.requested", 1, "notification", BalanceRequestedV1, "A producer asked for her balance by SMS."
        ),
        EventSpec(
            "piece_rate.set",
            1,
            "settlement",
            PieceRateSetV1,
            "An aggregator set what a producer earns per passed unit of an offering.",
        ),
        EventSpec(
            "advance.recorded",
            1,
            "settlement",
            AdvanceRecordedV1,
            "Cash or materials were advanced to a producer against an accepted quota.",
        ),
        EventSpec(
            "payout.confirmed",
            1,
            "settlement",
            PayoutConfirmedV1,
            "A payment to a producer was confirmed, naming the lots whose earnings it settled.",
        ),
        EventSpec(
            "balance.reported",
            1,
            "settlement",
            BalanceReportedV1,
            "A producer's balance, earnings and last payment, answering her request.",
        ),
        EventSpec(
            "document.issued",
            1,
            "settlement",
            DocumentIssuedV1,
            "A pro-forma, commercial invoice, packing list or credit note was issued to an order's buyer.",
        ),
        EventSpec(
            "payment.overdue", 1, "settlement", PaymentOverdueV1, "A buyer owes money on an order past its due date."
        ),
        EventSpec(
            "claim.decided",
            1,
            "settlement",
            ClaimDecidedV1,
            "An aggregator accepted (in whole or part) or rejected a buyer's claim, with a reason.",
        ),
    )
}
