"""The export data of an offering: how its input is checked, and how the catalogues print each market's
requirements (escaped, compact, left out when none is named)."""

import html
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.catalogue.exports import render_html
from services.catalogue.publishing import MarketRequirement, OfferingSheet, Theme, facts, requirement_text
from services.catalogue.schemas import MarketRequirementInput, OfferingInput
from services.catalogue.wording import Wording

BODY = {
    "organisation_id": "org",
    "sku": "BAG",
    "name": "Bilum bag",
    "description": "",
    "unit_price": "10.00",
    "producer_price": "6.00",
    "currency": "USD",
    "unit_weight_g": 300,
    "unit_volume_cm3": 2000,
}
MARKET_CODES = st.sampled_from(["AU", "JP", "EU", "NZ", "US", "DE"])


def _sheet(**export) -> OfferingSheet:
    return OfferingSheet(
        sku="BAG",
        name="Bilum bag",
        description="Looped by hand.",
        materials="wool",
        colour="red",
        size="40 cm",
        story="",
        price=Decimal("10.00"),
        currency="USD",
        unit_weight_g=300,
        min_order=10,
        producer_count=3,
        available_units=50,
        images=[],
        **export,
    )


def _page(sheet: OfferingSheet) -> str:
    return render_html(Theme(name="t", title="T", description="", arrange_by="none", offerings=[sheet]))


@given(st.lists(MARKET_CODES, max_size=6))
def test_markets_are_accepted_exactly_when_each_is_named_once(codes):
    body = {**BODY, "markets": [{"market": code, "packaging": "cartons", "labelling": "origin"} for code in codes]}
    try:
        loaded = OfferingInput().load(body)
    except ValidationError as error:
        assert len(set(codes)) < len(codes)
        assert "markets" in error.messages
    else:
        assert len(set(codes)) == len(codes)
        assert [entry["market"] for entry in loaded["markets"]] == codes
        assert all(entry["certifications"] == [] for entry in loaded["markets"])


def test_export_data_is_optional_and_a_national_hs_code_of_ten_digits_is_kept():
    loaded = OfferingInput().load(BODY)
    assert (loaded["hs_code"], loaded["origin_country"], loaded["markets"]) == (None, None, [])
    assert OfferingInput().load({**BODY, "hs_code": "4202221000"})["hs_code"] == "4202221000"


@pytest.mark.parametrize("code", ["", "4202 22", "42022210001", "HS4202"])
def test_an_hs_code_is_six_to_ten_digits(code):
    with pytest.raises(ValidationError) as refused:
        OfferingInput().load({**BODY, "hs_code": code})
    assert list(refused.value.messages) == ["hs_code"]


@pytest.mark.parametrize("country", ["pg", "P", "PNG", "P1"])
def test_a_market_and_an_origin_are_two_capital_letters(country):
    with pytest.raises(ValidationError) as refused:
        MarketRequirementInput().load({"market": country, "packaging": "p", "labelling": "l"})
    assert list(refused.value.messages) == ["market"]
    with pytest.raises(ValidationError) as refused:
        OfferingInput().load({**BODY, "origin_country": country})
    assert list(refused.value.messages) == ["origin_country"]


def test_hs_code_and_origin_are_facts_and_left_out_when_absent():
    english = Wording("en")
    assert ("HS code", "420222") in facts(_sheet(hs_code="420222", origin_country="PG"), english)
    assert ("Country of origin", "PG") in facts(_sheet(hs_code="420222", origin_country="PG"), english)
    assert {label for label, _ in facts(_sheet(), english)}.isdisjoint({"HS code", "Country of origin"})
    assert ("原産国", "PG") in facts(_sheet(hs_code="420222", origin_country="PG"), Wording("ja"))
    assert "Requirements by market" not in _page(_sheet())


def test_a_market_reads_on_one_line_and_certificates_only_when_asked_for():
    plain = MarketRequirement("JP", "polybag", "Japanese label")
    assert requirement_text(plain, Wording("en")) == "JP: Packaging: polybag; Labelling: Japanese label"
    assert requirement_text(plain, Wording("fr")) == "JP: Emballage\u00a0: polybag; Étiquetage\u00a0: Japanese label"
    certified = MarketRequirement("AU", "cartons", "origin", ("DAFF packing declaration", "SPARTECA"))
    assert requirement_text(certified, Wording("en")).endswith("; Certificates: DAFF packing declaration, SPARTECA")


@given(st.text(min_size=1, max_size=60).filter(str.strip), st.text(min_size=1, max_size=60).filter(str.strip))
def test_whatever_a_requirement_says_the_page_shows_it_escaped(packaging, certificate):
    page = _page(_sheet(markets=(MarketRequirement("AU", packaging, "label", (certificate,)),)))
    assert f"<p>Packaging: {html.escape(packaging)}</p>" in page
    assert f"<p>Certificates: {html.escape(certificate)}</p>" in page
    if "<" in packaging:
        assert f"Packaging: {packaging}</p>" not in page
