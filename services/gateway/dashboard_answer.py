"""What the fulfilment dashboard answers, as the OpenAPI document describes it (example:
``dashboard_answer.examples.json``). The gateway composes it from every service's figures (``routes_dashboard``), so
its schema lives here; the figures' definitions are in docs/api.md."""

from marshmallow import Schema, fields

from shared.answer_fields import DECIMAL_TEXT, amount, count, day, listing, moment, nested, number, text

RATE = "a share from 0 to 1, to four places"
NO_RATE = RATE + "; null while there is nothing to measure"


def _rate(description: str = NO_RATE) -> fields.Float:
    return number(description, nullable=True)


class OrdersByStatus(Schema):
    placed = count()
    allocated = count()
    in_production = count()
    shipped = count()
    delivered = count()
    cancelled = count()


class OrderCounts(Schema):
    total = count("every order, cancelled ones included")
    by_status = nested(OrdersByStatus)


class Units(Schema):
    """Units of the orders not cancelled, by the furthest stage each reached."""

    ordered = count()
    allocated = count()
    accepted = count()
    produced = count()
    passed = count("passed QC")
    shipped = count()
    delivered = count()


class Otif(Schema):
    due = count("orders delivered, or past their promised date (cancelled ones left out)")
    on_time_in_full = count("of them, delivered in full no later than promised")
    rate = _rate()


class ShortLine(Schema):
    order_id = text()
    line_id = text()
    sku = text()
    ordered = count()
    shortfall = count("units no producer has capacity left for")
    due_date = day()


class Shortfalls(Schema):
    lines = count("lines of live orders short of capacity")
    units = count()
    items = listing(ShortLine, "the largest shortfalls first, 20 at most")


class QuotaCounts(Schema):
    offered = count("waiting for the producer's answer")
    accepted = count()
    in_production = count()
    produced = count()
    passed = count()
    shipped = count()
    delivered = count()
    closed_short = count()
    declined = count()
    expired = count("not answered in time")
    released = count("given back when the order was cancelled")


class OpenQuotaAges(Schema):
    """Offers waiting for an answer, by how long they have waited."""

    under_1d = count()
    one_to_three_days = fields.Integer(required=True, data_key="1d_to_3d")  # a key that is not a name
    three_to_seven_days = fields.Integer(required=True, data_key="3d_to_7d")
    over_7d = count()


class PassRate(Schema):
    producer_id = text()
    name = text("as the catalogue knows her", nullable=True)
    inspected = count("lots inspected a first time")
    passed = count("of them, passed at that first inspection")
    rate = number(RATE)


class OfferingCapacity(Schema):
    offering_id = text()
    sku = text()
    declared = count("units declared from this week on")
    allocated = count("of them, held by open quotas")
    utilisation = _rate()


class Capacity(Schema):
    declared = count()
    allocated = count()
    utilisation = _rate()
    offerings = listing(OfferingCapacity)


class ProducerShare(Schema):
    producer_id = text()
    name = text(nullable=True)
    offered = count("units offered to her over the window")
    declared = count("units she declared over the window")
    share_of_work = _rate()
    share_of_capacity = _rate()


class WorkShares(Schema):
    window_weeks = count("the organisation's fairness window")
    since = day()
    offered = count()
    declared = count()
    producers = listing(ProducerShare, "least served first; everyone's (an admin's): the 100 least served")


class ShipmentCounts(Schema):
    planned = count()
    picked_up = count()
    at_hub = count()
    in_transit = count()
    delivered = count()
    exception = count()


class Region(Schema):
    country = text("ISO 3166 alpha-2")
    region = text()
    producers = count()
    latitude = number("the middle of its producers")
    longitude = number()
    hard_to_reach = count("producers without an all-season road")


class RecentOrder(Schema):
    id = text()
    buyer = text()
    status = text()
    due_date = day()
    promised_date = day(nullable=True)
    ordered = count()
    delivered = count()


class OwedByAge(Schema):
    age = text("how long ago the work was earned: 0-7 days, 8-30 days, 31-60 days, over 60 days")
    amount = amount()


class DaysToPayment(Schema):
    payments = count()
    median = number("days from a lot passing QC to its payment", nullable=True)
    p90 = number(nullable=True)


class AdvancesOutstanding(Schema):
    advances = count()
    outstanding = count("not yet recovered from her earnings")
    amount = amount()


class MoneyOwed(Schema):
    currency = text()
    owed = amount("owed to producers, not yet paid")
    owed_by_age = listing(OwedByAge)
    days_to_payment = nested(DaysToPayment)
    advances_outstanding = nested(AdvancesOutstanding)


def _late(days: str) -> fields.String:
    """An amount whose key is a range of days (``"1-30"``), not a name."""
    return fields.String(
        required=True, validate=DECIMAL_TEXT, data_key=days, metadata={"description": f"{days} days late"}
    )


class ReceivableBuckets(Schema):
    current = amount("not yet due")
    up_to_30_days_late = _late("1-30")
    up_to_60_days_late = _late("31-60")
    up_to_90_days_late = _late("61-90")
    over_90 = amount("over 90 days late")


class Receivable(Schema):
    currency = text()
    total = amount("invoiced to buyers, not yet paid")
    buckets = nested(ReceivableBuckets)


class TrendWeek(Schema):
    """One ISO week (Monday to Sunday, UTC). Counts are 0 in a week where nothing happened; a rate is null where it
    has nothing to measure, so a chart shows a gap and not a fall."""

    week_start = day("its Monday")
    week = text("its ISO label, e.g. 2026-W11")
    orders = count("orders placed that week, cancelled ones included")
    units = count("units ordered that week (cancelled orders left out)")
    fill_rate = _rate("of the week's units, the share delivered so far; null while it has none")
    orders_due = count("orders whose on-time-in-full outcome was settled that week (see otif)")
    otif = _rate(
        "of those, the share delivered in full no later than promised; an order counts in the week it was "
        "delivered when that was by its promise, else in the week after its promised day; null while none"
    )
    lots_inspected = count("lots inspected for the first time that week")
    first_time_pass_rate = _rate("of those, the share that passed their first inspection; null while none")
    quotas_accepted = count("quotas producers accepted that week")
    days_to_accept = number("the mean days from offer to acceptance over those; null while none", nullable=True)


class DashboardAnswer(Schema):
    generated_at = moment(
        "when the figures were counted: now, or for everyone's figures over a long history (an admin's), when the "
        "oldest of them were last counted in the background (every one to five minutes)"
    )
    organisation_id = text("the organisation whose figures these are; null for everyone's (an admin)", nullable=True)
    orders = nested(OrderCounts)
    units = nested(Units)
    fill_rate = _rate("units delivered over units ordered, cancelled orders left out")
    otif = nested(Otif)
    shortfalls = nested(Shortfalls)
    quotas = nested(QuotaCounts)
    open_quota_ages = nested(OpenQuotaAges)
    qc_pass_rates = listing(
        PassRate, "each producer's first-time pass rate; everyone's (an admin's): the 100 lowest, lowest first"
    )
    capacity = nested(Capacity)
    work_shares = nested(WorkShares)
    shipments = nested(ShipmentCounts)
    producers = count()
    regions = listing(Region)
    recent_orders = listing(RecentOrder, "the latest ten")
    money = listing(MoneyOwed, "per currency")
    receivables = listing(Receivable, "per currency")
    trends = listing(TrendWeek, "the last twelve weeks, oldest first, the current one last")
