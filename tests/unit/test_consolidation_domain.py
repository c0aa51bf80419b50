import pytest

from services.consolidation.domain import ReadyLot, combine, next_status
from shared.errors import Conflict

BRISBANE_A = {"name": "Store A", "city": "Brisbane", "country": "AU", "latitude": -27.4, "longitude": 153.0}
BRISBANE_B = {"name": "Store B", "city": " brisbane", "country": "au", "latitude": -27.5, "longitude": 153.1}
TOKYO = {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7}


def test_lots_of_different_buyers_in_one_city_share_a_shipment():
    lots = [ReadyLot("l1", "o1", "x", 5), ReadyLot("l2", "o2", "y", 7), ReadyLot("l3", "o3", "z", 1)]
    groups = combine(lots, {"o1": BRISBANE_A, "o2": BRISBANE_B, "o3": TOKYO})
    assert [(destination["city"], [lot.lot_id for lot in group]) for destination, group in groups] == [
        ("Brisbane", ["l1", "l2"]), ("Tokyo", ["l3"])]


def test_lots_of_an_order_whose_destination_is_unknown_wait():
    assert combine([ReadyLot("l1", "o9", "x", 5)], {}) == []


def test_a_shipment_moves_forward_one_step_at_a_time():
    assert next_status("planned", "in_transit") is True
    assert next_status("in_transit", "in_transit") is False
    with pytest.raises(Conflict):
        next_status("planned", "delivered")
    with pytest.raises(Conflict):
        next_status("delivered", "in_transit")
