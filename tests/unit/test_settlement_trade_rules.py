"""The rules of trade documents: totals to the minor unit, Incoterms 2020 and the freight legs they bill, credit
notes, claims, ageing and numbering."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.settlement import trade
from shared.incoterms import INCOTERMS, TRANSPORT_MODES, buyer_pays, fit_problem
from shared.money import is_in_minor_units

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)
lines = st.lists(st.tuples(st.integers(1, 10_000), prices), min_size=1, max_size=20)


@pytest.mark.parametrize("code", ["FAS", "FOB", "CFR", "CIF"])
def test_the_sea_terms_fit_sea_and_inland_waterway_only(code):
    assert fit_problem(code, "sea") is None
    assert fit_problem(code, "inland_waterway") is None
    assert "sea and inland waterway" in fit_problem(code, "air")


@pytest.mark.parametrize("code", ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP"])
def test_the_any_mode_terms_fit_every_mode(code):
    assert all(fit_problem(code, mode) is None for mode in TRANSPORT_MODES)


def test_an_unknown_term_or_mode_is_named():
    assert "Incoterms 2020" in fit_problem("DAT", "sea")
    assert "transport mode" in fit_problem("FCA", "camel")


@pytest.mark.parametrize(
    "code, pickup, main",
    [("EXW", True, True), ("FCA", False, True), ("FOB", False, True), ("CIF", False, False), ("DDP", False, False)],
)
def test_who_pays_each_leg(code, pickup, main):
    assert (buyer_pays(code, "pickup"), buyer_pays(code, "main")) == (pickup, main)


def test_billed_and_carried_freight_make_the_whole():
    shares = [trade.FreightShare("pickup", Decimal("12.30")), trade.FreightShare("main", Decimal("40.00"))]
    assert trade.billed_freight("FCA", shares) == (Decimal("40.00"), Decimal("12.30"))
    assert trade.billed_freight("EXW", shares) == (Decimal("52.30"), Decimal(0))


@given(lines, st.decimals(min_value=0, max_value=Decimal("5000"), places=2), st.sampled_from(["PGK", "JPY", "AUD"]))
def test_totals_are_whole_minor_units_and_add_up(items, freight, currency):
    priced = [trade.Line(f"ln_{i}", "x", quantity, price) for i, (quantity, price) in enumerate(items)]
    totals = trade.totals(currency, priced, freight, Decimal("0.1"))
    for amount in (totals.goods, totals.freight, totals.tax, totals.total):
        assert is_in_minor_units(amount, currency)
    assert totals.goods == sum(amount for _, amount in totals.lines)
    assert totals.total == totals.goods + totals.freight + totals.tax
    assert abs(totals.tax - (totals.goods + totals.freight) * Decimal("0.1")) <= Decimal("0.5")


@given(
    st.lists(st.tuples(st.integers(1, 500), st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=10), prices
)
def test_crediting_what_never_shipped_brings_the_pro_forma_to_what_was_delivered(quantities, price):
    """An order finished (every unit delivered or short): its pro-forma less the credit notes is the value delivered,
    however the credits were split."""
    proforma = credited = delivered = Decimal(0)
    for ordered, shipped, early_credit in quantities:
        shipped = min(shipped, ordered)
        early_credit = min(early_credit, ordered - shipped)
        line = trade.Line("ln", "x", ordered, price)
        proforma += trade.line_amount(line, "PGK")
        for units in (early_credit, trade.unshipped(ordered, shipped, early_credit)):
            credited += trade.line_amount(trade.Line("ln", "x", units, price), "PGK")
        delivered += trade.line_amount(trade.Line("ln", "x", shipped, price), "PGK")
    assert proforma - credited == delivered


def test_claimed_units_come_back_from_the_latest_invoices_first():
    billed = [("INV-1", 5), ("INV-2", 3)]
    assert trade.spread_over_invoices(4, billed) == [("INV-2", 3), ("INV-1", 1)]
    with pytest.raises(ValueError):
        trade.spread_over_invoices(9, billed)


@given(st.integers(0, 100), st.lists(st.integers(0, 40), min_size=1, max_size=5))
def test_a_claim_never_spreads_more_units_than_it_claims(units, quantities):
    billed = [(f"INV-{i}", q) for i, q in enumerate(quantities)]
    if units > sum(quantities):
        with pytest.raises(ValueError):
            trade.spread_over_invoices(units, billed)
        return
    spread = trade.spread_over_invoices(units, billed)
    assert sum(part for _, part in spread) == units
    assert all(part <= dict(billed)[invoice] for invoice, part in spread)


def test_the_claim_window_counts_days_after_delivery():
    delivered = date(2026, 11, 1)
    assert trade.claim_window_open(delivered, delivered + timedelta(days=30), 30)
    assert not trade.claim_window_open(delivered, delivered + timedelta(days=31), 30)
    assert trade.claimable(10, 4) == 6 and trade.claimable(3, 5) == 0


def test_receipts_pay_the_oldest_invoice_first_and_age_what_is_left():
    first, second = date(2026, 9, 1), date(2026, 10, 1)
    left = trade.outstanding_by_invoice([(second, Decimal(50)), (first, Decimal(100))], Decimal(120))
    assert left == [(first, Decimal(0)), (second, Decimal(30))]
    today = date(2026, 11, 15)
    assert [trade.age_bucket(day, today) for day in (today, date(2026, 11, 1), first, date(2026, 7, 1))] == [
        "current",
        "1-30",
        "61-90",
        "over_90",
    ]


def test_a_number_names_kind_year_and_sequence():
    assert trade.number("invoice", 2026, 42) == "INV-2026-00042"
    assert trade.number("credit_note", 2027, 1) == "CN-2027-00001"
    with pytest.raises(ValueError):
        trade.number("proforma", 2026, 0)


def test_every_incoterm_says_its_seller_duties():
    text = trade.terms_text("CIP", "Lae", "air")
    assert text["seller_insures"] and text["buyer_legs"] == [] and text["seller_legs"] == ["pickup", "main"]
    assert INCOTERMS["DDP"].seller_clears_import
