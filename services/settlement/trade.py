"""The rules of the trade documents an organisation issues to its buyers, in plain Python: line amounts and totals
to the minor unit of the order's currency, which freight legs the buyer is invoiced under the order's Incoterm, tax,
the deposit a pro-forma asks for, the units a credit note gives back, and how a document is numbered.

An order's commitment is its pro-forma; what ships is invoiced per shipment (goods, the buyer's legs of the freight,
tax); what will never ship (a shortfall, units replaced and never made again, a cancellation) is credited against
the pro-forma, and an accepted claim against the invoice that billed the units. So, once an order is finished, its
pro-forma net of credit notes is what was delivered, and its invoices net of credit notes what the buyer owes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.incoterms import INCOTERMS, LEGS, buyer_pays
from shared.money import to_minor

PROFORMA = "proforma"
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PACKING_LIST = "packing_list"
PREFIXES = {PROFORMA: "PF", INVOICE: "INV", CREDIT_NOTE: "CN", PACKING_LIST: "PL"}

AGE_BUCKETS = ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90"))
OLDEST_BUCKET = "over_90"


@dataclass(frozen=True)
class Line:
    line_id: str
    offering: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class FreightShare:
    leg: str
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[tuple[Line, Decimal], ...]
    goods: Decimal
    freight: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


def number(kind: str, year: int, sequence: int) -> str:
    """``INV-2026-00042``: the kind, the year and the organisation's sequence for that kind and year."""
    if sequence < 1:
        raise ValueError("a document sequence starts at 1")
    return f"{PREFIXES[kind]}-{year}-{sequence:05d}"


def line_amount(line: Line, currency: str) -> Decimal:
    return to_minor(Decimal(line.quantity) * line.unit_price, currency)


def convert(amount: Decimal, from_currency: str, to_currency: str, rate: dict | None) -> Decimal:
    """An amount in the order's currency. ``rate`` is the order's (one base currency is worth ``rate`` of the
    quote currency); an amount in the base currency is converted at it, one already in the order's currency is not,
    and any other currency has no rate the order agreed to."""
    if from_currency == to_currency:
        return to_minor(amount, to_currency)
    if rate and rate["base_currency"] == from_currency and rate["quote_currency"] == to_currency:
        return to_minor(Decimal(amount) * Decimal(rate["rate"]), to_currency)
    raise ValueError(f"no agreed rate converts {from_currency} into {to_currency}")


def billed_freight(incoterm: str, shares: Iterable[FreightShare]) -> tuple[Decimal, Decimal]:
    """The freight the buyer is invoiced under the term, and what the organisation carries."""
    billed = carried = Decimal(0)
    for share in shares:
        if share.leg not in LEGS:
            raise ValueError(f"unknown freight leg {share.leg!r}")
        if buyer_pays(incoterm, share.leg):
            billed += share.amount
        else:
            carried += share.amount
    return billed, carried


def totals(currency: str, lines: Iterable[Line], freight: Decimal, tax_rate: Decimal) -> Totals:
    """Goods line by line to the minor unit, then freight, then tax on both, rounded once."""
    priced = tuple((line, line_amount(line, currency)) for line in lines)
    goods = sum((amount for _, amount in priced), Decimal(0))
    freight = to_minor(freight, currency)
    tax = to_minor((goods + freight) * tax_rate, currency)
    return Totals(currency, priced, goods, freight, tax_rate, tax, goods + freight + tax)


def deposit(total: Decimal, share: Decimal, currency: str) -> Decimal:
    return to_minor(total * share, currency)


def unshipped(ordered: int, shipped: int, credited: int) -> int:
    """Units of a line that will never ship and are not yet credited against the pro-forma."""
    return max(0, ordered - shipped - credited)


def line_finished(ordered: int, delivered: int, shortfall: int) -> bool:
    """Every unit of the line is delivered or known to be short."""
    return delivered + shortfall >= ordered


def claimable(delivered: int, claimed: int) -> int:
    """Units of a line still open to a claim: delivered, less those already claimed (open or accepted)."""
    return max(0, delivered - claimed)


def claim_window_open(delivered_on: date, today: date, window_days: int) -> bool:
    return 0 <= (today - delivered_on).days <= window_days


def spread_over_invoices(units: int, billed: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Which invoices the claimed units were billed on: the latest invoices of the line first (the units a buyer
    claims arrived last), each giving back at most what it billed."""
    taken = []
    for invoice, quantity in reversed(billed):
        if units <= 0:
            break
        part = min(units, quantity)
        taken.append((invoice, part))
        units -= part
    if units > 0:
        raise ValueError("more units claimed than were invoiced")
    return taken


def age_bucket(due_on: date, today: date) -> str:
    """How late an amount is: current (not yet due), 1-30, 31-60, 61-90 or over 90 days past its due date."""
    late = (today - due_on).days
    for limit, name in AGE_BUCKETS:
        if late <= limit:
            return name
    return OLDEST_BUCKET


def outstanding_by_invoice(invoices: list[tuple[date, Decimal]], paid: Decimal) -> list[tuple[date, Decimal]]:
    """What is left of each invoice (due date, amount) once ``paid`` (receipts and credits) is applied to the
    oldest due first."""
    left = []
    for due_on, amount in sorted(invoices, key=lambda item: item[0]):
        applied = min(amount, max(paid, Decimal(0)))
        paid -= applied
        left.append((due_on, amount - applied))
    return left


def terms_text(incoterm: str, named_place: str, transport_mode: str) -> dict:
    """What a document says about the term: which legs the buyer is invoiced, and the seller's extra duties."""
    term = INCOTERMS[incoterm]
    return {
        "incoterm": incoterm,
        "name": term.name,
        "named_place": named_place,
        "transport_mode": transport_mode,
        "buyer_legs": list(term.buyer_legs),
        "seller_legs": [leg for leg in LEGS if leg not in term.buyer_legs],
        "seller_insures": term.seller_insures,
        "seller_clears_import": term.seller_clears_import,
    }
