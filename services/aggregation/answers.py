"""What allocation answers through the API: quotas, lots with their inspections, a producer's inspection history,
an offering's capacity and an organisation's allocation settings, as the OpenAPI document describes them (examples:
``answers.examples.json``)."""

from marshmallow import Schema

from services.aggregation.domain import LOT_FAILED, LOT_PASSED, LOT_REPLACED, LOT_REPORTED, LOT_REWORK, QUOTA_STATES
from services.aggregation.quality_switching import DISCONTINUED
from services.aggregation.sampling_tables import SEVERITIES
from shared.answer_fields import Page, count, day, flag, listing, moment, nested, number, one_of, text, texts
from shared.contract import DEFECT_CLASSES

LOT_STATES = (LOT_REPORTED, LOT_PASSED, LOT_FAILED, LOT_REWORK, LOT_REPLACED)


class TopUp(Schema):
    """More units offered on a quota she has taken on, waiting for her answer."""

    quantity = count()
    offered_at = moment()
    respond_by = moment()


class MarketRequirement(Schema):
    market = text("ISO 3166 alpha-2, or EU")
    packaging = text()
    labelling = text()
    certifications = texts()


class QuotaView(Schema):
    id = text()
    ref = text("the short reference a producer answers by SMS")
    organisation_id = text("the offering's organisation", nullable=True)
    order_id = text()
    line_id = text()
    offering_id = text()
    producer_id = text()
    quantity = count("units she makes (what she accepted, once she answered)")
    offered_quantity = count()
    status = one_of(QUOTA_STATES)
    reason = text("why it was declined, expired or released", nullable=True)
    reallocated = flag("offered again after another producer turned it down")
    offered_at = moment()
    respond_by = moment("the offer lapses then if she has not answered")
    answered_at = moment(nullable=True)
    reported = count("units reported in lots")
    passed = count("units of her lots that passed inspection")
    left_to_report = count()
    finished = flag()
    top_up = nested(TopUp, nullable=True)
    requirements = nested(MarketRequirement, "what the order's market asks of the goods", nullable=True)


class QuotaPage(Page):
    items = listing(QuotaView)


class PlanView(Schema):
    """The ISO 2859-1 sampling plan of one defect class."""

    defect_class = one_of(DEFECT_CLASSES)
    aql = number()
    code_letter = text()
    plan_letter = text()
    sample_size = count()
    accept = count("the lot passes with this many defects or fewer")
    reject = count("the lot fails with this many defects or more")
    severity = one_of(SEVERITIES)
    full_inspection = flag("every unit is inspected: the sample would be the whole lot")


class ClassVerdict(Schema):
    defect_class = one_of(DEFECT_CLASSES)
    aql = number()
    code_letter = text()
    sample_size = count()
    accept = count()
    reject = count()
    defects = count("found in the sample")


class Finding(Schema):
    criterion = text()
    defect_class = one_of(DEFECT_CLASSES)
    count = count()


class InspectionView(Schema):
    attempt = count("1 for the first inspection, more after rework")
    inspector = text()
    severity = one_of(SEVERITIES)
    classes = listing(ClassVerdict)
    findings = listing(Finding)
    passed = flag()
    inspected_at = moment()


class LotView(Schema):
    id = text()
    organisation_id = text("the offering's organisation", nullable=True)
    quota_id = text()
    order_id = text()
    line_id = text()
    offering_id = text()
    producer_id = text()
    quantity = count()
    status = one_of(LOT_STATES)
    attempt = count()
    reported_at = moment()
    disposition_reason = text("why a rejected lot is reworked or replaced", nullable=True)
    photos = count()
    plan = listing(PlanView, "the plans its inspection goes by, while it waits for one (else null)", nullable=True)
    inspections = listing(InspectionView)


class LotPage(Page):
    items = listing(LotView)


class SwitchRecord(Schema):
    lot_id = text()
    accepted = flag()
    severity_before = one_of((*SEVERITIES, DISCONTINUED))
    severity_after = one_of((*SEVERITIES, DISCONTINUED))
    switching_score = count()
    reason = text("why the severity changed, empty if it did not")


class InspectionHistory(Schema):
    producer_id = text()
    offering_id = text()
    severity = one_of((*SEVERITIES, DISCONTINUED), "how strictly her next lot is inspected")
    switching_score = count()
    pass_rate = number("share of her lots passed at their first inspection", nullable=True)
    history = listing(SwitchRecord)


class ProducerCapacity(Schema):
    producer_id = text()
    declared = count()
    free = count()
    committed = count("held by open quotas")


class OfferingCapacity(Schema):
    offering_id = text()
    producers = listing(ProducerCapacity, "each approved producer with capacity in the weeks still open to orders")
    declared = count()
    committed = count()
    free = count()


class AllocationSettings(Schema):
    organisation_id = text()
    fairness_window_weeks = count("how far back allocation looks to spread work among the producers")


class WidenedLine(Schema):
    line_id = text()
    order_id = text()
    needed_by = day()
    ask_again = flag("producers who turned the line down are asked again")
    covered = count()
    ordered = count()
    shortfall = count()
