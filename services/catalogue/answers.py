"""What the catalogue answers about producers, offerings and capacity, as the OpenAPI document describes it.

The gateway names these on its routes (``answer="catalogue.answers.OfferingView"``); their examples are in
``answer_examples.json`` beside this module, keyed by the schema's name."""

from marshmallow import Schema, fields

from services.catalogue.language_schemas import OfferingTexts
from services.catalogue.schemas import APPROVAL_STAGES, APPROVAL_STATUSES
from shared.answer_fields import (
    Page,
    amount,
    count,
    day,
    flag,
    listing,
    mapping,
    moment,
    nested,
    number,
    one_of,
    text,
    texts,
)
from shared.contract import DEFECT_CLASSES, INSPECTION_LEVELS, REJECTED_LOT_ACTIONS, REMOTENESS


class ApprovalView(Schema):
    offering_id = text()
    stage = one_of(APPROVAL_STAGES)
    status = one_of(APPROVAL_STATUSES, "only an approved producer is offered quotas")
    decided_on = day(nullable=True)
    note = text(nullable=True)


class SectionScore(Schema):
    score = count("Yes answers in the section")
    max = count("questions in the section")
    eligible = flag("false where the section counts only once product readiness is above 6")
    band = text("the band the score falls in", nullable=True)
    advice = text("the guide's advice for that band, or why the section does not count yet", nullable=True)


class ReadinessScores(Schema):
    """The six sections of the APEC export-readiness self-analysis."""

    product_readiness = nested(SectionScore)
    viability = nested(SectionScore)
    facilitator = nested(SectionScore)
    catalogue = nested(SectionScore)
    public_policy = nested(SectionScore)
    export_ready = nested(SectionScore)


class ReadinessSummary(Schema):
    scores = nested(ReadinessScores)
    assessed_at = moment()


class ProducerView(Schema):
    id = text()
    organisation_id = text()
    name = text()
    village = text()
    district = text()
    region = text()
    country = text("ISO 3166 alpha-2")
    latitude = number()
    longitude = number()
    remoteness = one_of(REMOTENESS)
    closed_months = listing(fields.Integer(), "months (1 to 12) a seasonal road is closed")
    service_weekdays = listing(fields.Integer(), "weekdays (0 is Monday) a plane or boat calls")
    mobile = text("E.164", nullable=True)
    email = text(nullable=True)
    webhook_url = text(nullable=True)
    languages = texts("ISO 639 codes, the one she reads best first")
    registered_at = moment()
    updated_at = moment()
    approvals = listing(ApprovalView)
    readiness = nested(ReadinessSummary, "null until the checklist is answered", nullable=True)


class ProducerPage(Page):
    items = listing(ProducerView)


class ReadinessView(Schema):
    producer_id = text()
    answers = mapping(fields.Boolean(), 'the 44 answers by question number: {"1": true, ...}')
    scores = nested(ReadinessScores)
    assessed_at = moment()


class CapacityWeek(Schema):
    offering_id = text()
    week = text("ISO week, e.g. 2027-W03")
    week_start = day("its Monday")
    declared = count()
    committed = count("held by quotas she accepted")
    available = count()
    lead_time_days = count()
    min_lot = count()
    order_by = day("the last day an order can still count on this week")


class CapacityCalendar(Schema):
    producer_id = text()
    weeks = listing(CapacityWeek)


class CapacityImport(Schema):
    import_id = text()
    rows = count("rows imported")
    producers = count("producers whose calendars changed")


class Attributes(Schema):
    materials = text(nullable=True)
    colour = text(nullable=True)
    size = text(nullable=True)
    story = text(nullable=True)


class Criterion(Schema):
    name = text()
    defect_class = one_of(DEFECT_CLASSES)


class QualityStandard(Schema):
    aql = mapping(fields.Float(), "the acceptance quality limit of each defect class (critical, major, minor)")
    inspection_level = one_of(INSPECTION_LEVELS)
    criteria = listing(Criterion)
    rejected_lot_action = one_of(REJECTED_LOT_ACTIONS)
    min_pass_rate = number("the share of first inspections a producer must pass to keep her quotas")
    reduced_inspection = flag()


class MarketRequirement(Schema):
    market = text("ISO 3166 alpha-2, or EU")
    packaging = text()
    labelling = text()
    certifications = texts()


class OfferingView(Schema):
    id = text()
    organisation_id = text()
    sku = text()
    name = text()
    description = text()
    unit_price = amount("what a buyer pays a unit, e.g. 38.50")
    producer_price = amount("what a producer is paid a unit: shown to the organisation's staff only", required=False)
    currency = text("ISO 4217")
    fair_trade_premium = amount("per unit, within the unit price, for the premium fund")
    unit_weight_g = count()
    unit_volume_cm3 = count()
    attributes = nested(Attributes)
    quality_standard = nested(QualityStandard)
    min_order = count()
    min_quota = count("the smallest quota worth offering a producer")
    hs_code = text("Harmonized System code", nullable=True)
    origin_country = text(nullable=True)
    markets = listing(MarketRequirement)
    translations = mapping(OfferingTexts, "texts by language (fr, ja); a text left out is the English one")
    status = one_of(("published", "withdrawn"))
    withdrawn_reason = text(nullable=True)
    images = texts("the addresses of its images, in order")
    approved_producers = count()
    published_at = moment()
    updated_at = moment()


class OfferingList(Schema):
    items = listing(OfferingView)


class AvailableProducer(Schema):
    producer_id = text()
    name = text()
    available = count("units she can make by the date")


class Availability(Schema):
    offering_id = text()
    by = day()
    quantity = count()
    total_available = count()
    can_fulfil = flag()
    shortfall = count()
    producer_count = count("producers able to contribute")
    producers = listing(AvailableProducer, "the producers with most units available first, at most `limit`")
