"""A producer's quota carries what the order's destination market asks of packaging, labels and certificates, as the
offering published them."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregation import allocating, domain, projections, views
from shared.events import new_event
from tests.payloads import capacity_declared, next_weeks, offering_published, producer_registered

AU = {
    "market": "AU",
    "packaging": "20 bags to a new carton",
    "labelling": "Made in Papua New Guinea",
    "certifications": ["DAFF packing declaration"],
}
EU = {
    "market": "EU",
    "packaging": "Cartons of 15 kg at most",
    "labelling": "Origin and the importer's EU address",
    "certifications": [],
}


def _order_placed(order_id: str, country: str, offering_id: str = "off_1"):
    return new_event(
        "order.placed",
        {
            "order_id": order_id,
            "buyer": {"buyer_id": "byr_1", "name": "B", "email": "b@example.org"},
            "destination": {"name": "W", "city": "C", "country": country, "latitude": 0.0, "longitude": 0.0},
            "due_date": date(2099, 1, 1),
            "promised_date": None,
            "lines": [{"line_id": f"lin_{order_id}", "offering_id": offering_id, "sku": "BAG", "quantity": 10}],
        },
        correlation_id=order_id,
    )


def _quotas(db, order_id: str, country: str, offering_id: str = "off_1") -> list:
    db.handle(
        "aggregation.on_order_placed",
        _order_placed(order_id, country, offering_id),
        lambda uow, event: allocating.allocate_orders(uow, [event]),
    )
    return db(views.list_quotas, {"order_id": order_id})["items"]


@pytest.fixture
def db(service_db):
    db = service_db("aggregation")
    for offering_id, markets in (("off_1", [AU, EU]), ("off_2", [])):
        db(projections.record_offering, offering_published(offering_id, offering_id.upper(), markets=markets))
        db(projections.record_producer, producer_registered(f"prd_{offering_id}", [offering_id]))
        db(projections.record_capacity, capacity_declared(offering_id, {f"prd_{offering_id}": 50}, next_weeks(2)))
    return db


@pytest.mark.parametrize(
    "country, expected",
    [("AU", AU), ("DE", EU), ("JP", None)],
    ids=["its own market", "an EU member state", "a market the offering does not name"],
)
def test_a_quota_carries_the_requirements_of_its_orders_destination(db, country, expected):
    [quota] = _quotas(db, "ord_1", country)
    assert quota["requirements"] == expected
    assert db(views.get_quota, quota["id"])["requirements"] == expected


def test_two_orders_of_one_offering_to_different_markets_each_get_their_own(db):
    [to_brisbane] = _quotas(db, "ord_au", "AU")
    [to_tokyo] = _quotas(db, "ord_jp", "JP")
    assert to_brisbane["requirements"]["market"] == "AU"
    assert to_tokyo["requirements"] is None


def test_an_offering_that_names_no_market_gives_no_requirements(db):
    [quota] = _quotas(db, "ord_1", "AU", offering_id="off_2")
    assert quota["requirements"] is None


def test_an_offering_published_again_with_new_requirements_shows_the_new_ones(db):
    [quota] = _quotas(db, "ord_1", "AU")
    changed = {**AU, "labelling": "Made in Papua New Guinea; importer's name"}
    db(projections.record_offering, offering_published("off_1", "OFF_1", markets=[changed]))
    assert db(views.get_quota, quota["id"])["requirements"] == changed


@given(
    st.lists(st.sampled_from(["AU", "JP", "EU", "DE", "FR", "NZ"]), unique=True),
    st.sampled_from(["AU", "JP", "DE", "FR", "NZ", "PG", "GR", None]),
)
def test_the_requirements_are_the_countrys_own_else_the_eus_for_a_member_else_none(markets, country):
    entries = [
        {"market": market, "packaging": f"p {market}", "labelling": "l", "certifications": []} for market in markets
    ]
    found = domain.market_requirements(entries, country)
    if country in markets:
        assert found["market"] == country
    elif country in domain.EU_MEMBERS and "EU" in markets:
        assert found["market"] == "EU"
    else:
        assert found is None
