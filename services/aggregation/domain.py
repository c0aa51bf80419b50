"""Quotas and lots: the states a producer's share of an order moves through. Plain Python."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from services.aggregation import quality
from services.aggregation.quality import SamplingPlan
from shared.errors import Conflict, InvalidInput

QUOTA_OFFERED, QUOTA_ACCEPTED, QUOTA_DECLINED = "offered", "accepted", "declined"
QUOTA_EXPIRED, QUOTA_RELEASED = "expired", "released"
# An accepted quota moves on with its lots (QUOTA_PROGRESS in the event contract).
QUOTA_IN_PRODUCTION, QUOTA_PRODUCED, QUOTA_PASSED = "in_production", "produced", "passed"
QUOTA_SHIPPED, QUOTA_DELIVERED, QUOTA_CLOSED_SHORT = "shipped", "delivered", "closed_short"
QUOTA_STATES = (
    QUOTA_OFFERED,
    QUOTA_ACCEPTED,
    QUOTA_IN_PRODUCTION,
    QUOTA_PRODUCED,
    QUOTA_PASSED,
    QUOTA_SHIPPED,
    QUOTA_DELIVERED,
    QUOTA_CLOSED_SHORT,
    QUOTA_DECLINED,
    QUOTA_EXPIRED,
    QUOTA_RELEASED,
)
# She still has units to make or to have inspected: cancelling the order releases these, and only these are topped up.
WORKING_STATES = (QUOTA_ACCEPTED, QUOTA_IN_PRODUCTION, QUOTA_PRODUCED)
OPEN_QUOTA_STATES = (QUOTA_OFFERED, *WORKING_STATES)
# A quota that counts towards its line: offered, being made, or made.
COVERING_STATES = (*OPEN_QUOTA_STATES, QUOTA_PASSED, QUOTA_SHIPPED, QUOTA_DELIVERED, QUOTA_CLOSED_SHORT)
# Taken on by the producer: a top-up waiting on such a quota is hers to answer, whatever its lots have reached.
TAKEN_ON_STATES = tuple(state for state in COVERING_STATES if state != QUOTA_OFFERED)
FINISHED_STATES = (QUOTA_DELIVERED, QUOTA_CLOSED_SHORT, QUOTA_DECLINED, QUOTA_EXPIRED, QUOTA_RELEASED)
# A producer that declined a line, or let its offer lapse, is not asked again for that line unless the search is
# widened to include them.
TURNED_DOWN_STATES = (QUOTA_DECLINED, QUOTA_EXPIRED)
LOT_REPORTED, LOT_PASSED, LOT_FAILED = "reported", "passed", "failed"
LOT_REWORK, LOT_REPLACED = "rework", "replaced"


def respond_by(offered_at: datetime, response_window: timedelta, due_date: date) -> datetime:
    """When a producer must answer an offer: the response window after it is made, but no later than the start of
    the order's due date (UTC)."""
    return min(offered_at + response_window, datetime.combine(due_date, time.min, tzinfo=timezone.utc))


def answer_quota(status: str, answer: str) -> bool:
    """Whether answering changes the quota; answering the same way twice is a harmless repeat (a quota already
    taken on and moving along counts as accepted)."""
    if answer == "accept" and status in COVERING_STATES and status != QUOTA_OFFERED:
        return False
    if answer == "decline" and status == QUOTA_DECLINED:
        return False
    if status != QUOTA_OFFERED:
        raise Conflict(f"the quota is already {status}")
    return True


def accepted_part(offered: int, wanted: int | None, min_lot: int) -> int:
    """How many units a producer takes on: all by default, or part, but never less than its minimum lot."""
    if wanted is None:
        return offered
    if wanted > offered:
        raise InvalidInput("acceptance refused", {"quantity": [f"the quota offers {offered} units"]})
    if wanted < min(min_lot, offered):
        raise InvalidInput("acceptance refused", {"quantity": [f"at least the minimum lot of {min_lot} units"]})
    return wanted


def trim_weeks(weeks: list, keep: int) -> list:
    """``keep`` units of ``[(week_start, units)]``, earliest weeks first: the weeks a new quota or top-up takes of a
    producer's free weeks, and those a partly accepted quota keeps (the latest are given back). Units made early wait
    for the shipment, units made late miss it."""
    kept = []
    for week_start, units in sorted(weeks):
        if keep == 0:
            break
        taken = min(units, keep)
        kept.append((week_start, taken))
        keep -= taken
    return kept


def earliest_completion(quantity: int, free_by_week: dict) -> date | None:
    """The Monday of the week by whose end ``quantity`` units can be made, filling the earliest weeks first; None
    when the calendars do not hold that many."""
    made = 0
    for week_start in sorted(free_by_week):
        made += free_by_week[week_start]
        if made >= quantity:
            return week_start
    return None


def check_lot(quota_status: str, quota_quantity: int, reported_so_far: int, quantity: int) -> None:
    if quota_status not in (QUOTA_ACCEPTED, QUOTA_IN_PRODUCTION):
        raise Conflict(
            f"lots are reported against an accepted quota with units left to make; this one is "
            f"{quota_status.replace('_', ' ')}"
        )
    if reported_so_far + quantity > quota_quantity:
        raise InvalidInput(
            "lot refused", {"quantity": [f"the quota has {quota_quantity - reported_so_far} units left to report"]}
        )


@dataclass(frozen=True)
class LotState:
    """What quota progress needs of a lot: its units, its inspection status, and how far its shipment went."""

    quantity: int
    status: str
    shipped: bool = False
    delivered: bool = False


@dataclass(frozen=True)
class Progress:
    status: str
    passed: int
    reason: str | None = None


def quota_progress(quantity: int, quota_lots: list[LotState]) -> Progress:
    """Where an accepted quota of ``quantity`` units stands, from its lots.

    Units of a replaced lot are made by others, so she has nothing left to make for them; a quota whose lots are all
    delivered but hold fewer good units than she accepted is closed short, with the reason."""
    passed = sum(lot.quantity for lot in quota_lots if lot.status == LOT_PASSED)
    if not quota_lots:
        return Progress(QUOTA_ACCEPTED, 0)
    if sum(lot.quantity for lot in quota_lots) < quantity:
        return Progress(QUOTA_IN_PRODUCTION, passed)
    if any(lot.status not in (LOT_PASSED, LOT_REPLACED) for lot in quota_lots):
        return Progress(QUOTA_PRODUCED, passed)
    good = [lot for lot in quota_lots if lot.status == LOT_PASSED]
    short = quantity - passed
    reason = f"{short} of {quantity} units failed inspection and were made by others" if short else None
    if all(lot.delivered for lot in good):
        return Progress(QUOTA_CLOSED_SHORT if short else QUOTA_DELIVERED, passed, reason)
    if all(lot.shipped or lot.delivered for lot in good):
        return Progress(QUOTA_SHIPPED, passed, reason)
    return Progress(QUOTA_PASSED, passed, reason)


def inspection_severity(severity: str, attempt: int) -> str:
    """The severity a lot is inspected at: the producer's current one, but tightened for a reworked lot (inspected
    again) and for a producer whose inspection was discontinued."""
    if attempt > 1 or severity == quality.DISCONTINUED:
        return quality.TIGHTENED
    return severity


def lot_plans(quantity: int, standard: Mapping, severity: str) -> dict[str, SamplingPlan]:
    """The ISO 2859-1 plan for each defect class of the offering's ``standard`` (its ``aql`` and
    ``inspection_level``). Table 1 starts at lots of two: a single-unit lot is inspected in full, with the smallest
    lot's acceptance numbers."""
    if quantity > 1:
        return quality.inspection_plans(quantity, standard["aql"], standard["inspection_level"], severity)
    plans = quality.inspection_plans(2, standard["aql"], standard["inspection_level"], severity)
    return {name: replace(plan, lot_size=1, sample_size=1, full_inspection=True) for name, plan in plans.items()}


def defects_by_class(findings: list, plans: dict) -> dict:
    """Defective units found per class of the lot's plans, from the inspector's findings per criterion."""
    unplanned = sorted({finding["defect_class"] for finding in findings} - set(plans))
    if unplanned:
        raise InvalidInput(
            "inspection refused",
            {"findings": [f"the offering's standard has no AQL for {', '.join(unplanned)} defects"]},
        )
    found = {name: 0 for name in plans}
    for finding in findings:
        found[finding["defect_class"]] += finding["count"]
    return found


# Bounds, in hours, of the ages an aggregator chases open offers by: under a day, one to three days, three to seven,
# and older.
QUOTA_AGE_BUCKETS = (("under_1d", 24), ("1d_to_3d", 72), ("3d_to_7d", 168), ("over_7d", None))


def quota_ages(offered_at: list[datetime], now: datetime) -> dict:
    """How long the offers still waiting for a producer's answer have waited, counted per bucket."""
    counts = {name: 0 for name, _ in QUOTA_AGE_BUCKETS}
    for moment in offered_at:
        hours = (now - moment).total_seconds() / 3600
        counts[next(name for name, bound in QUOTA_AGE_BUCKETS if bound is None or hours < bound)] += 1
    return counts


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide, so a page shows "no data" and not 0 %."""
    return round(part / whole, 4) if whole else None


# The member states of the European Union (ISO 3166 alpha-2; Greece is GR), whose orders an offering's "EU" market
# covers unless it names the country itself.
EU_MEMBERS = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


def market_requirements(markets: list[dict], destination_country: str | None) -> dict | None:
    """What the order's destination asks of the goods she makes: the entry of its country, else the EU's for a
    member state, else none (an offering that names nothing for that market)."""
    by_market = {entry["market"]: entry for entry in markets}
    if destination_country in by_market:
        return by_market[destination_country]
    if destination_country in EU_MEMBERS:
        return by_market.get("EU")
    return None
