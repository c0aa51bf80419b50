"""Unit tests for the demonstration scenario in bilum.demo_data."""

import copy
from collections import Counter
from decimal import Decimal

import pytest

from bilum import demo_data


def test_validate_scenario_passes():
    demo_data.validate_scenario()


def test_invariants_are_described():
    assert len(demo_data.INVARIANTS) >= 5
    assert all(isinstance(text, str) and text for text in demo_data.INVARIANTS)


def test_organisation():
    assert demo_data.ORGANISATION["id"] == "kumul-weavers"
    assert demo_data.ORGANISATION["country"] == "PG"
    assert demo_data.ORGANISATION["name"]


def test_scenario_size():
    producers = demo_data.PRODUCERS
    assert len(producers) >= 30
    assert len({(p["region"], p["district"]) for p in producers}) >= 5
    assert len({p["region"] for p in producers}) >= 3
    assert len(demo_data.OFFERINGS) >= 2
    assert len(demo_data.BUYERS) >= 2
    assert 500 <= demo_data.total_ordered() <= 10_000


def test_offerings_are_api_bodies():
    for offering in demo_data.OFFERINGS:
        assert offering["currency"] == "USD"
        assert Decimal(offering["unit_price"]) > Decimal(offering["producer_price"]) > 0
        assert set(offering["attributes"]) == {"materials", "colour", "size", "story"}


def test_producers_are_api_bodies_plus_capacity():
    for producer in demo_data.PRODUCERS:
        body = demo_data.producer_body(producer)
        assert "capacity" not in body
        assert set(body) | {"capacity"} == set(producer)
        assert producer["mobile"].startswith("+6757") and len(producer["mobile"]) == 12
        assert "tpi" in producer["languages"]
        # a producer typically makes one or two of the offerings
        assert 1 <= len(producer["capacity"]) <= 2
    # every remoteness class occurs in the demo
    assert {p["remoteness"] for p in demo_data.PRODUCERS} == set(demo_data.REMOTENESS)


def test_capacities_are_small_and_uneven():
    units = [u for p in demo_data.PRODUCERS for u in p["capacity"].values()]
    assert min(units) >= 5 and max(units) <= 120
    assert len(set(units)) > 10


def test_declining_producers_are_producers():
    names = {p["name"] for p in demo_data.PRODUCERS}
    assert len(demo_data.DECLINING_PRODUCERS) == 2
    assert set(demo_data.DECLINING_PRODUCERS) <= names


def test_buyers_and_orders():
    buyers = demo_data.BUYERS
    assert any(len(b["orders"]) >= 2 for b in buyers)
    cities = Counter((b["destination"]["city"], b["destination"]["country"]) for b in buyers)
    assert max(cities.values()) >= 2, "two buyers should share a destination city"
    big = [b for b in buyers if sum(line["quantity"] for o in b["orders"] for line in o["lines"]) >= 300]
    assert len(big) >= 2
    for _buyer, order in demo_data.all_orders():
        assert 45 <= order["due_in_days"] <= 120


def test_capacity_covers_orders_after_declines_but_for_the_short_sku():
    ordered = demo_data.ordered_by_sku()
    capacity = demo_data.capacity_by_sku(exclude=demo_data.DECLINING_PRODUCERS)
    for sku, quantity in ordered.items():
        if sku != demo_data.SHORT_SKU:
            assert capacity[sku] >= Decimal("1.2") * quantity
    assert demo_data.capacity_by_sku()[demo_data.SHORT_SKU] < ordered[demo_data.SHORT_SKU]


def test_a_short_sku_ordered_within_its_capacity_is_rejected(monkeypatch):
    monkeypatch.setattr(demo_data, "SHORT_SKU", "BLM-BAG-M")
    with pytest.raises(ValueError, match="BLM-BAG-M: ordered within its capacity"):
        demo_data.validate_scenario()


def _scaled_capacity(producers, sku, factor):
    broken = copy.deepcopy(producers)
    for producer in broken:
        if sku in producer["capacity"]:
            producer["capacity"][sku] = max(5, int(producer["capacity"][sku] * factor))
    return broken


def test_reduced_capacity_is_rejected(monkeypatch):
    monkeypatch.setattr(demo_data, "PRODUCERS", _scaled_capacity(demo_data.PRODUCERS, "BLM-BAG-M", 0.5))
    with pytest.raises(ValueError, match="BLM-BAG-M"):
        demo_data.validate_scenario()


def test_declines_count_against_capacity(monkeypatch):
    # Declaring the biggest bag makers as decliners must break the headroom.
    by_size = sorted(demo_data.PRODUCERS, key=lambda p: p["capacity"].get("BLM-BAG-M", 0), reverse=True)
    monkeypatch.setattr(demo_data, "DECLINING_PRODUCERS", [p["name"] for p in by_size[:3]])
    with pytest.raises(ValueError, match="120%"):
        demo_data.validate_scenario()


def test_oversized_order_is_rejected(monkeypatch):
    buyers = copy.deepcopy(demo_data.BUYERS)
    buyers[0]["orders"][0]["lines"].append({"sku": "COF-ARA-250", "quantity": 5000})
    monkeypatch.setattr(demo_data, "BUYERS", buyers)
    with pytest.raises(ValueError, match="COF-ARA-250"):
        demo_data.validate_scenario()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s["PRODUCERS"][1].update(name=s["PRODUCERS"][0]["name"]), "duplicate producer names"),
        (lambda s: s["PRODUCERS"][1].update(mobile=s["PRODUCERS"][0]["mobile"]), "duplicate producer mobiles"),
        (lambda s: s["PRODUCERS"][0]["capacity"].update({"NO-SUCH-SKU": 10}), "unknown sku"),
        (lambda s: s["PRODUCERS"][0].update(latitude=-33.8688, longitude=151.2093), "outside PNG"),
        (lambda s: s["PRODUCERS"][0].update(remoteness="by_canoe"), "remoteness"),
        (lambda s: s["OFFERINGS"][0].update(producer_price="99.00"), "unit_price > producer_price"),
        (lambda s: s["OFFERINGS"][0].update(producer_price="0"), "unit_price > producer_price"),
        (lambda s: s["BUYERS"][0]["orders"][0]["lines"][0].update(sku="NO-SUCH-SKU"), "unknown sku"),
        (lambda s: s["DECLINING_PRODUCERS"].append("Nobody Here"), "DECLINING_PRODUCERS"),
    ],
)
def test_broken_copies_are_rejected(monkeypatch, mutate, message):
    scenario = {
        name: copy.deepcopy(getattr(demo_data, name))
        for name in ("OFFERINGS", "PRODUCERS", "DECLINING_PRODUCERS", "BUYERS")
    }
    mutate(scenario)
    for name, value in scenario.items():
        monkeypatch.setattr(demo_data, name, value)
    with pytest.raises(ValueError, match=message):
        demo_data.validate_scenario()


def test_module_data_untouched_by_patching():
    # runs after the monkeypatching tests: the originals must still validate
    demo_data.validate_scenario()
