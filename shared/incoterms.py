"""Incoterms 2020: which terms fit which transport, and which legs of the freight the seller carries. Plain data and
rules, shared by orders (an order names its term) and settlement (its documents invoice the buyer's legs).

Bilum moves goods in two legs: ``pickup`` (pre-carriage from the producers to the hub, inside the country of
export) and ``main`` (the line-haul from the hub to the buyer's city). Under the E term the buyer bears all carriage,
so the organisation, which arranges it, invoices both legs; under the F terms the seller delivers to the buyer's
carrier at the named place and bears the pre-carriage only; under the C and D terms the seller pays the main carriage
too and the price covers it, so no freight is invoiced.
"""

from dataclasses import dataclass

TRANSPORT_MODES = ("sea", "inland_waterway", "air", "road", "rail", "multimodal")
WATER_MODES = frozenset(("sea", "inland_waterway"))
LEGS = ("pickup", "main")


@dataclass(frozen=True)
class Incoterm:
    code: str
    name: str
    water_only: bool
    buyer_legs: tuple[str, ...]
    seller_insures: bool = False
    seller_clears_import: bool = False


INCOTERMS = {
    term.code: term
    for term in (
        Incoterm("EXW", "Ex Works", False, LEGS),
        Incoterm("FCA", "Free Carrier", False, ("main",)),
        Incoterm("CPT", "Carriage Paid To", False, ()),
        Incoterm("CIP", "Carriage and Insurance Paid To", False, (), seller_insures=True),
        Incoterm("DAP", "Delivered at Place", False, ()),
        Incoterm("DPU", "Delivered at Place Unloaded", False, ()),
        Incoterm("DDP", "Delivered Duty Paid", False, (), seller_clears_import=True),
        Incoterm("FAS", "Free Alongside Ship", True, ("main",)),
        Incoterm("FOB", "Free on Board", True, ("main",)),
        Incoterm("CFR", "Cost and Freight", True, ()),
        Incoterm("CIF", "Cost, Insurance and Freight", True, (), seller_insures=True),
    )
}


def fit_problem(code: str, transport_mode: str) -> str | None:
    """Why the term cannot be used with this transport, or None when it can."""
    term = INCOTERMS.get(code)
    if term is None:
        return f"{code!r} is not an Incoterms 2020 rule; use one of {', '.join(INCOTERMS)}"
    if transport_mode not in TRANSPORT_MODES:
        return f"{transport_mode!r} is not a transport mode; use one of {', '.join(TRANSPORT_MODES)}"
    if term.water_only and transport_mode not in WATER_MODES:
        return f"{code} is for sea and inland waterway transport only; for {transport_mode} use FCA, CPT or CIP"
    return None


def buyer_pays(code: str, leg: str) -> bool:
    """Whether the buyer is invoiced for this leg of the freight under the term."""
    if leg not in LEGS:
        raise ValueError(f"unknown freight leg {leg!r}")
    return leg in INCOTERMS[code].buyer_legs
