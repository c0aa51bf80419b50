"""Orders: the rules an order is accepted by, the per-line quantity ledger and the order status it implies. Plain
Python."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

from shared.bounds import MAX_AMOUNT
from shared.errors import InvalidInput, NotFound
from shared.money import to_minor

STATUSES = ("placed", "allocated", "in_production", "shipped", "delivered", "cancelled")
CANCELLABLE = ("placed", "allocated", "in_production")

LEDGER_STAGES = ("allocated", "accepted", "produced", "passed", "shipped", "delivered")


@dataclass
class LineLedger:
    """Where every unit of one order line is: each stage counts units that reached it."""

    ordered: int
    allocated: int = 0
    accepted: int = 0
    produced: int = 0
    passed: int = 0
    shipped: int = 0
    delivered: int = 0
    # Units no capacity is left for (the latest allocation's figure): not a stage, nothing more of them is coming.
    short: int = 0

    def add(self, stage: str, units: int) -> None:
        if stage not in LEDGER_STAGES:
            raise ValueError(f"unknown ledger stage {stage!r}")
        value = getattr(self, stage) + units
        if value < 0:
            raise ValueError(f"{stage} would fall below zero ({value})")
        setattr(self, stage, value)

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @property
    def complete(self) -> bool:
        """Every unit delivered, but for those known short."""
        return self.delivered >= self.ordered - self.short


def derive_status(lines: list[LineLedger]) -> str:
    """The furthest stage the order as a whole has reached; delivered when every line is delivered, but for units
    no capacity is left for (the order then ends short, and says by how much per line)."""
    if not lines:
        raise ValueError("an order has at least one line")
    if all(line.complete for line in lines):
        return "delivered"
    if any(line.shipped for line in lines):
        return "shipped"
    if any(line.accepted for line in lines):
        return "in_production"
    if any(line.allocated for line in lines):
        return "allocated"
    return "placed"


def order_total(lines: list[tuple[int, Decimal]]) -> Decimal:
    """Sum of quantity x unit price, exact."""
    return sum((Decimal(quantity) * price for quantity, price in lines), Decimal("0.00"))


_LINE_STAGES = {
    "quota.offered": ("allocated", +1),
    "quota.declined": ("allocated", -1),
    "quota.expired": ("allocated", -1),
    "lot.reported": ("produced", +1),
    "lot.inspected": ("passed", +1),
}


def ledger_movements(event_type: str, payload: dict) -> list[tuple[str, str, str, int]]:
    """The ``(order_id, line_id, stage, units)`` a fact moves on the ledger.

    A partly accepted quota gives the rest back; a released quota takes back what it held; a replaced lot leaves
    the line (its units are made again elsewhere); a failed lot has not passed. A shipment counts as shipped when it
    leaves and as delivered when it arrives."""
    line: tuple[str, str] = (payload.get("order_id", ""), payload.get("line_id", ""))
    if event_type == "quota.accepted":
        return [(*line, "accepted", payload["quantity"]), (*line, "allocated", -payload["declined_quantity"])]
    if event_type == "quota.top_up_offered":
        return [(*line, "allocated", payload["top_up"])]
    if event_type == "quota.topped_up":
        return [(*line, "accepted", payload["added"]), (*line, "allocated", -payload["declined_quantity"])]
    if event_type == "quota.released":
        taken_back = [(*line, "allocated", -payload["quantity"])]
        if payload["status_before"] == "accepted":
            taken_back.append((*line, "accepted", -payload["quantity"]))
        return taken_back
    if event_type == "lot.replaced":
        return [(*line, stage, -payload["quantity"]) for stage in ("allocated", "accepted", "produced")]
    if event_type in _LINE_STAGES:
        if event_type == "lot.inspected" and not payload["passed"]:
            return []
        stage, sign = _LINE_STAGES[event_type]
        return [(*line, stage, sign * payload["quantity"])]
    if event_type == "shipment.status_changed":
        if payload["status"] != "in_transit":
            return []
        stage = "shipped"
    elif event_type == "shipment.delivered":
        stage = "delivered"
    else:
        raise ValueError(f"{event_type} does not move the ledger")
    return [(lot["order_id"], lot["line_id"], stage, lot["quantity"]) for lot in payload["lots"]]


ONE_ORGANISATION = "an order goes to one organisation's offerings"


def order_organisation(line_organisations: list[str | None]) -> tuple[str | None, dict]:
    """The organisation an order goes to, from its lines' offerings in line order, or the field errors of the lines
    that disagree with the first line's: one order is one aggregator's business (its quotas, lots and shipments are
    that organisation's), so a buyer splits a basket across organisations into one order each."""
    if not line_organisations:
        raise ValueError("an order has at least one line")
    first = line_organisations[0]
    disagreeing = {
        str(position): {"sku": [f"{ONE_ORGANISATION}: this line's offering is another's than line 0's"]}
        for position, organisation in enumerate(line_organisations)
        if organisation != first
    }
    if disagreeing:
        return None, disagreeing
    return first, {}


@dataclass(frozen=True)
class OfferingTerms:
    """What accepting an order needs of one published offering."""

    organisation_id: str | None
    min_order: int
    currency: str


@dataclass(frozen=True)
class Acceptance:
    """An accepted order's organisation and currency, both the same for every line."""

    organisation_id: str | None
    currency: str


def accept_order(
    lines: list[dict], due_date: date, today: date, known: dict[str, OfferingTerms], scoped: bool = False
) -> Acceptance:
    """Refuse an order that breaks a rule, with the field errors the buyer can correct, else say whose it is.

    ``lines`` are the order's ``{"sku", "quantity"}`` in order; ``known`` the published offerings of those SKUs the
    caller may order. ``scoped`` (an aggregator ordering its own offerings): an SKU that is not known is not found,
    rather than a field error, so another organisation's offerings are as if unknown."""
    if due_date <= today:
        raise InvalidInput("order refused", {"due_date": ["must be after today"]})
    skus = [line["sku"] for line in lines]
    duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
    if duplicates:
        raise InvalidInput("order refused", {"lines": [f"each sku once per order: {', '.join(duplicates)}"]})
    unknown = {
        str(i): {"sku": ["no published offering has this sku"]} for i, sku in enumerate(skus) if sku not in known
    }
    if unknown and scoped:
        raise NotFound(
            "no published offering of the organisation has sku "
            + ", ".join(sorted({sku for sku in skus if sku not in known}))
        )
    if unknown:
        raise InvalidInput("order refused", {"lines": unknown})
    organisation, mixed = order_organisation([known[sku].organisation_id for sku in skus])
    if mixed:
        raise InvalidInput(f"order refused: {ONE_ORGANISATION}", {"lines": mixed})
    too_few = {
        str(i): {"quantity": [f"the minimum order of {line['sku']} is {known[line['sku']].min_order}"]}
        for i, line in enumerate(lines)
        if line["quantity"] < known[line["sku"]].min_order
    }
    if too_few:
        raise InvalidInput("order refused", {"lines": too_few})
    currencies = {known[sku].currency for sku in skus}
    if len(currencies) > 1:
        raise InvalidInput("order refused", {"lines": ["all lines of an order are priced in one currency"]})
    return Acceptance(organisation_id=organisation, currency=currencies.pop())


# An exchange rate covers at most a year of days, both ends included (a leap year's too).
MAX_RATE_DAYS = 366
# More than any currency is worth in another (a dollar is about a million Iranian rials), and at most 8 decimals:
# what the rates' column holds.
MAX_RATE = Decimal("100000000")
RATE_UNIT = Decimal("0.00000001")


@dataclass(frozen=True)
class RecordedRate:
    """One unit of the offerings' currency is worth ``rate`` of the order's on every day from ``valid_from`` to
    ``valid_until``, as an aggregator recorded it at ``recorded_at``."""

    rate_id: str
    rate: Decimal
    valid_from: date
    valid_until: date
    recorded_at: datetime


def rate_problem(rate: Decimal) -> str | None:
    """Why a rate cannot be recorded, or None."""
    if not 0 < rate <= MAX_RATE:
        return f"more than 0 and at most {MAX_RATE:,}"
    if rate != rate.quantize(RATE_UNIT):
        return "at most 8 decimals"
    return None


def rate_period_problem(valid_from: date, valid_until: date) -> str | None:
    """Why a rate cannot cover these days, or None: they run forward, a year at most."""
    if valid_until < valid_from:
        return "on or after valid_from"
    if (valid_until - valid_from).days + 1 > MAX_RATE_DAYS:
        return f"at most {MAX_RATE_DAYS} days from valid_from, both included"
    return None


def rate_on(recorded: Iterable[RecordedRate], day: date) -> RecordedRate | None:
    """The rate for ``day``: of the recordings covering it, the latest recorded. Rates are never edited, so a
    correction is a new recording, and it supersedes the earlier one on the days both cover."""
    covering = [rate for rate in recorded if rate.valid_from <= day <= rate.valid_until]
    return max(covering, key=lambda rate: (rate.recorded_at, rate.rate_id), default=None)


def converted_prices(prices: list[Decimal], rate: Decimal, currency: str) -> list[Decimal]:
    """Unit prices in the offerings' currency as the buyer pays them in ``currency``: each converted, then rounded
    half up to that currency's minor unit (a yen has no cents), so every line amount and the total are payable."""
    converted = [to_minor(price * rate, currency) for price in prices]
    if any(price > MAX_AMOUNT for price in converted):
        raise InvalidInput(
            "order refused", {"currency": [f"a unit price converted to {currency} is over {MAX_AMOUNT:,}"]}
        )
    return converted


def plain(number: Decimal) -> Decimal:
    """``number`` without trailing zeros, never in exponent form: a rate as it was written (155.32, not
    155.32000000 or 1.5532E+2)."""
    return Decimal(format(number.normalize(), "f"))


@dataclass(frozen=True)
class OrderOutcome:
    """What OTIF needs of one order: the date it was promised for (the promised date, else the buyer's due date), the
    day its last unit arrived (None while a line is short), its status, and whether it ended short of capacity."""

    promised_on: date
    delivered_on: date | None
    status: str
    short: bool = False


def otif(outcomes: list[OrderOutcome], today: date) -> dict:
    """On time in full: of the orders that are due (delivered, or past their promised date), the share delivered in
    full on every line no later than promised (one delivered short of capacity is not in full). Cancelled orders
    and orders not yet due do not count either way."""
    due = [o for o in outcomes if o.status != "cancelled" and (o.delivered_on is not None or o.promised_on < today)]
    hits = sum(1 for o in due if o.delivered_on is not None and o.delivered_on <= o.promised_on and not o.short)
    return {"due": len(due), "on_time_in_full": hits, "rate": round(hits / len(due), 4) if due else None}


def fill_rate(ordered: int, delivered: int) -> float | None:
    """Units delivered over units ordered; None while nothing is ordered."""
    return round(delivered / ordered, 4) if ordered else None


def body_fingerprint(body) -> str:
    """What a retry with the same Idempotency-Key must repeat: the body's JSON, whatever its keys' order or spacing."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
