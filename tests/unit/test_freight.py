"""A shipment's freight shared per leg to its order lines, producers and lots: pickup (the lots' parts of their pickup
routes, exact) and main (the line-haul, by weight x distance), each to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.consolidation import freight

CENT = Decimal("0.01")

cents = st.decimals(min_value=0, max_value=Decimal("100000"), places=2)
carried_lots = st.lists(
    st.tuples(
        st.sampled_from(["o1", "o2", "o3"]),
        st.sampled_from(["l1", "l2"]),
        st.sampled_from(["p1", "p2", "p3", "p4"]),
        st.decimals(min_value=Decimal("0.1"), max_value=Decimal("900"), places=3),
        st.decimals(min_value=0, max_value=Decimal("6000"), places=3),
        cents,
    ),
    min_size=1,
    max_size=25,
)


def _carried(rows) -> list[freight.CarriedLot]:
    return [
        freight.CarriedLot(f"lot{n}", order, line, producer, weight, distance, route_share)
        for n, (order, line, producer, weight, distance, route_share) in enumerate(rows)
    ]


def _whole_cents(amount: Decimal) -> bool:
    return amount >= 0 and amount == amount.quantize(CENT)


@given(cents, st.decimals(min_value=0, max_value=Decimal("20000"), places=3), carried_lots)
def test_each_leg_adds_up_to_its_cost_in_whole_cents_for_lines_producers_and_lots(line_haul_cost, km, rows):
    carried = _carried(rows)
    pickup_cost = sum((lot.route_share for lot in carried), Decimal(0))
    shares = freight.shipment_shares(line_haul_cost, km, carried)
    for parties in (shares.lines, shares.producers):
        assert sum(legs.pickup for legs in parties.values()) == pickup_cost
        assert sum(legs.main for legs in parties.values()) == line_haul_cost
        assert all(_whole_cents(legs.pickup) and _whole_cents(legs.main) for legs in parties.values())
    assert sum(shares.lots.values()) == line_haul_cost + pickup_cost
    assert all(_whole_cents(share) for share in shares.lots.values())
    for (order_id, line_id), legs in shares.lines.items():
        own = [lot for lot in carried if (lot.order_id, lot.line_id) == (order_id, line_id)]
        assert legs.pickup == sum((lot.route_share for lot in own), Decimal(0))
        assert sum(shares.lots[lot.lot_id] for lot in own) == legs.total


def test_a_line_pays_its_lots_route_shares_and_its_weight_s_part_of_the_line_haul():
    lots = [
        freight.CarriedLot("a", "o1", "l1", "p1", Decimal("10"), Decimal("2600"), Decimal("30.00")),
        freight.CarriedLot("b", "o1", "l1", "p2", Decimal("30"), Decimal("2550"), Decimal("45.50")),
        freight.CarriedLot("c", "o2", "l1", "p1", Decimal("60"), Decimal("2600"), Decimal("20.01")),
    ]
    shares = freight.shipment_shares(Decimal("1000.00"), Decimal("2500"), lots)
    assert shares.lines == {
        ("o1", "l1"): freight.LegShares(Decimal("75.50"), Decimal("400.00")),
        ("o2", "l1"): freight.LegShares(Decimal("20.01"), Decimal("600.00")),
    }
    assert shares.producers == {
        "p1": freight.LegShares(Decimal("50.01"), Decimal("700.00")),
        "p2": freight.LegShares(Decimal("45.50"), Decimal("300.00")),
    }
    # The line's 475.50 shared by kg x km: 26,000 and 76,500, the last cent to the larger remainder.
    assert shares.lots == {"a": Decimal("120.61"), "b": Decimal("354.89"), "c": Decimal("620.01")}


def test_the_line_haul_is_shared_by_what_it_carries_not_by_how_far_the_lots_came_to_the_hub():
    lots = [
        freight.CarriedLot("near", "o1", "l1", "p1", Decimal("10"), Decimal("1001"), Decimal("5.00")),
        freight.CarriedLot("far", "o2", "l1", "p2", Decimal("10"), Decimal("1300"), Decimal("80.00")),
    ]
    shares = freight.shipment_shares(Decimal("100.01"), Decimal("1000"), lots)
    assert shares.lines[("o1", "l1")] == freight.LegShares(Decimal("5.00"), Decimal("50.01"))
    assert shares.lines[("o2", "l1")] == freight.LegShares(Decimal("80.00"), Decimal("50.00"))


@pytest.mark.parametrize("route_share", [Decimal("-0.01"), Decimal("1.005")])
def test_a_route_share_that_is_not_whole_cents_is_refused(route_share):
    lot = freight.CarriedLot("a", "o1", "l1", "p1", Decimal("10"), Decimal("100"), route_share)
    with pytest.raises(ValueError, match="pickup route"):
        freight.shipment_shares(Decimal("10.00"), Decimal("50"), [lot])
