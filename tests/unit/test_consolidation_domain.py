import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from services.consolidation import domain, freight, manifests, planner, plans
from services.consolidation.domain import Access, Hub, Offering, Order, Producer, ReadyLot, Vehicle
from shared.errors import Conflict

MONDAY = date(2026, 11, 23)
MONDAY_NOON_IN_PNG = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
BRISBANE_A = {"name": "Store A", "city": "Brisbane", "country": "AU", "latitude": -27.47, "longitude": 153.02}
BRISBANE_B = {"name": "Store B", "city": " brisbane", "country": "au", "latitude": -27.40, "longitude": 153.08}
TOKYO = {"name": "Shop", "city": "Tokyo", "country": "JP", "latitude": 35.64, "longitude": 139.70}
GOROKA = Hub("hub_goroka", "Goroka collection hub", -6.0819, 145.3855, 12, "Pacific/Port_Moresby")
LAE = Hub("hub_lae", "Lae port hub", -6.7330, 146.9960, 24, "Pacific/Port_Moresby")
TRUCK = Vehicle(
    "veh_truck", "Highlands truck", "pickup", "road", 3000, Decimal("18"), Decimal("2.40"), Decimal("90.00"), 40
)
AIRCRAFT = Vehicle(
    "veh_air", "Light aircraft", "pickup", "air", 500, Decimal("3"), Decimal("6.50"), Decimal("350.00"), 220
)
CONTAINER = Vehicle(
    "veh_box",
    "20-foot sea container",
    "line_haul",
    "water",
    21000,
    Decimal("33"),
    Decimal("0.75"),
    Decimal("1200.00"),
    28,
)
BAG = Offering("off_bag", "BLM-BAG-M", "Bilum bag", 350, 4000)
ROAD = Access("all_season_road")
SEASONAL = Access("seasonal_road", closed_months=(1, 2, 3))
FLIGHTS = Access("air_or_boat", service_weekdays=(1, 4))


def _producer(producer_id: str, latitude: float, longitude: float, access: Access = ROAD) -> Producer:
    return Producer(producer_id, f"Weaver {producer_id}", "Kama", latitude, longitude, access)


PRODUCERS = {
    producer.producer_id: producer
    for producer in (
        _producer("prd_kama", -6.065, 145.41),
        _producer("prd_lufa", -6.324, 145.301),
        _producer("prd_hagen", -5.83, 144.295),
        _producer("prd_gembogl", -5.88, 144.97, SEASONAL),
        _producer("prd_menyamya", -7.21, 146.02, FLIGHTS),
    )
}


def _situation(
    lots,
    orders,
    now=MONDAY_NOON_IN_PNG,
    forced=False,
    vehicles=(TRUCK, AIRCRAFT, CONTAINER),
    threshold="0.8",
    hubs=(GOROKA, LAE),
    producers=None,
    offerings=None,
) -> plans.Situation:
    return plans.Situation(
        now=now,
        lots=list(lots),
        orders=orders,
        offerings=offerings if offerings is not None else {BAG.offering_id: BAG},
        producers=producers if producers is not None else PRODUCERS,
        hubs=list(hubs),
        vehicles=list(vehicles),
        fill_threshold=Decimal(threshold),
        forced=forced,
        time_limit_s=1.0,
        max_iterations=200,
    )


def _lot(lot_id, order_id, producer_id, quantity=20, line_id=None) -> ReadyLot:
    return ReadyLot(lot_id, order_id, line_id or f"{order_id}-l1", producer_id, BAG.offering_id, quantity)


def _order(order_id, destination=BRISBANE_A, due_in_days=90, cancelled=False) -> Order:
    return Order(order_id, f"Buyer of {order_id}", destination, MONDAY + timedelta(days=due_in_days), cancelled)


# Freight shares -------------------------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=Decimal("1000000"), places=2)
weights = st.dictionaries(
    st.text(min_size=1, max_size=4), st.fractions(min_value=0, max_value=10_000), min_size=1, max_size=12
)


@settings(max_examples=60)
@given(amounts, weights)
def test_shares_add_up_to_the_cost_to_the_cent_and_none_is_a_cent_from_its_exact_value(total, parties):
    shares = freight.share_cost(total, parties)
    assert sum(shares.values()) == total
    assert all(share == share.quantize(Decimal("0.01")) and share >= 0 for share in shares.values())
    whole = sum(parties.values())
    for key, share in shares.items():
        exact = Fraction(total) * parties[key] / whole if whole else Fraction(total) / len(parties)
        assert abs(Fraction(share) - exact) < Fraction(1, 100)


@settings(max_examples=60)
@given(amounts, weights)
def test_a_party_that_weighs_more_never_pays_less(total, parties):
    shares = freight.share_cost(total, parties)
    for a in parties:
        for b in parties:
            if parties[a] > parties[b]:
                assert shares[a] >= shares[b]


def test_the_cents_left_over_go_to_the_largest_remainders():
    assert freight.share_cost(Decimal("1.00"), {"a": 1, "b": 1, "c": 1}) == {
        "a": Decimal("0.34"),
        "b": Decimal("0.33"),
        "c": Decimal("0.33"),
    }
    assert freight.share_cost(Decimal("0.10"), {"a": 1, "b": 2}) == {"a": Decimal("0.03"), "b": Decimal("0.07")}


def test_a_lot_made_at_the_hub_still_pays_for_its_weight():
    assert freight.freight_weight(Decimal("5"), Decimal("0")) == 5
    with pytest.raises(ValueError):
        freight.share_cost(Decimal("1.005"), {"a": 1})
    with pytest.raises(ValueError):
        freight.share_cost(Decimal("1.00"), {})


# Access, dispatch and vehicles ----------------------------------------------------------------------------------------


def test_a_seasonal_road_is_closed_in_its_months_and_reopens_after():
    assert domain.closed_reason(SEASONAL, date(2027, 2, 10)) == "the road is closed in February"
    assert domain.closed_reason(SEASONAL, date(2027, 4, 1)) is None
    assert domain.next_open_day(SEASONAL, date(2027, 1, 15)) == date(2027, 4, 1)


def test_a_producer_reached_by_air_is_collected_on_its_service_days_only():
    assert domain.closed_reason(FLIGHTS, MONDAY) == "the flight or boat calls on Tuesday and Friday only"
    assert domain.closed_reason(FLIGHTS, MONDAY + timedelta(days=1)) is None
    assert domain.next_open_day(FLIGHTS, MONDAY + timedelta(days=2)) == MONDAY + timedelta(days=4)
    assert domain.modes_reaching(FLIGHTS) == ("air", "water")
    assert domain.modes_reaching(SEASONAL) == ("road",)


def test_a_producer_never_open_has_no_next_pickup_day():
    assert domain.next_open_day(Access("seasonal_road", closed_months=tuple(range(1, 13))), MONDAY) is None


def test_a_load_leaves_when_full_enough_when_due_or_when_asked():
    threshold = Decimal("0.8")
    assert domain.dispatch_reason(Decimal("0.85"), threshold, MONDAY, None, forced=False) == "full"
    assert domain.dispatch_reason(Decimal("0.10"), threshold, MONDAY, MONDAY, forced=False) == "due"
    assert domain.dispatch_reason(Decimal("0.10"), threshold, MONDAY, MONDAY - timedelta(days=3), False) == "due"
    assert domain.dispatch_reason(Decimal("0.10"), threshold, MONDAY, MONDAY + timedelta(days=1), False) is None
    assert domain.dispatch_reason(Decimal("0.10"), threshold, MONDAY, None, forced=False) is None
    assert domain.dispatch_reason(Decimal("0.10"), threshold, MONDAY, None, forced=True) == "requested"


def test_the_latest_dispatch_is_the_due_date_less_handling_and_line_haul():
    days = domain.transit_days(LAE, CONTAINER, Decimal("2400"))
    assert days == 5  # 24 h at the hub and 2400 km at 28 km/h: 109.7 h
    assert domain.latest_dispatch(date(2027, 2, 10), days) == date(2027, 2, 5)
    assert domain.latest_dispatch(None, days) is None


def test_volume_counts_as_weight_when_it_fills_a_vehicle_first():
    assert TRUCK.chargeable_kg(Decimal("100"), Decimal("9")) == Decimal("1500")
    assert TRUCK.chargeable_kg(Decimal("100"), Decimal("0.1")) == Decimal("100")
    assert CONTAINER.fill(Decimal("2100"), Decimal("16.5")) == Decimal("0.5")
    assert TRUCK.trip_cost(Decimal("100.004")) == Decimal("330.01")


# Tracking -------------------------------------------------------------------------------------------------------------


def test_a_shipment_moves_forward_and_may_skip_pickup_and_hub_reports():
    assert domain.check_transition("planned", "picked_up") is True
    assert domain.check_transition("planned", "in_transit") is True
    assert domain.check_transition("at_hub", "in_transit") is True
    assert domain.check_transition("in_transit", "delivered") is True
    assert domain.check_transition("in_transit", "in_transit") is False


@pytest.mark.parametrize(
    "current, requested, before, message",
    [
        ("planned", "delivered", None, "in transit before it is delivered"),
        ("at_hub", "picked_up", None, "moves forward"),
        ("delivered", "in_transit", None, "tracking is closed"),
        ("delivered", "exception", None, "tracking is closed"),
        ("exception", "at_hub", "at_hub", "moves forward"),
        ("exception", "delivered", "at_hub", "in transit before it is delivered"),
    ],
)
def test_a_shipment_never_goes_back_nor_skips_transit(current, requested, before, message):
    with pytest.raises(Conflict, match=message):
        domain.check_transition(current, requested, before)


def test_an_exception_can_happen_at_any_step_but_delivery_and_the_shipment_resumes_after_it():
    for status in ("planned", "picked_up", "at_hub", "in_transit"):
        assert domain.check_transition(status, "exception") is True
    assert domain.check_transition("exception", "in_transit", "at_hub") is True
    assert domain.check_transition("exception", "delivered", "in_transit") is True
    assert domain.check_transition("exception", "exception", "planned") is False
    with pytest.raises(ValueError):
        domain.check_transition("planned", "lost")


def test_buyers_in_one_city_share_the_line_haul():
    assert domain.destination_key(BRISBANE_A) == domain.destination_key(BRISBANE_B)
    assert domain.destination_key(BRISBANE_A) != domain.destination_key(TOKYO)
    assert domain.line_haul_destination(BRISBANE_B)["name"] == "brisbane, AU"


# Planning -------------------------------------------------------------------------------------------------------------


def test_lots_of_two_buyers_in_one_city_share_a_shipment_and_another_city_gets_its_own():
    orders = {"o1": _order("o1", BRISBANE_A), "o2": _order("o2", BRISBANE_B), "o3": _order("o3", TOKYO)}
    lots = [_lot("lot1", "o1", "prd_kama"), _lot("lot2", "o2", "prd_lufa"), _lot("lot3", "o3", "prd_hagen")]
    plan = planner.plan(_situation(lots, orders, forced=True))
    assert plan.waiting == []
    by_city = {shipment.destination["city"]: shipment for shipment in plan.shipments}
    assert sorted(lot.lot.lot_id for lot in by_city["Brisbane"].lots) == ["lot1", "lot2"]
    assert [lot.lot.lot_id for lot in by_city["Tokyo"].lots] == ["lot3"]
    assert {shipment.hub.hub_id for shipment in plan.shipments} == {"hub_goroka"}
    assert {shipment.dispatch_reason for shipment in plan.shipments} == {"requested"}
    assert len(plan.routes) == 1, "one truck run collects for both cities"
    assert sorted(plan.routes[0].stops) == ["prd_hagen", "prd_kama", "prd_lufa"]


def test_two_organisations_lots_never_share_a_shipment_or_a_pickup_route():
    basket = Offering("off_basket", "CST-BASKET", "Coast basket", 350, 4000, organisation_id="coastal-carvers")
    bag = Offering(BAG.offering_id, BAG.sku, BAG.name, BAG.unit_weight_g, BAG.unit_volume_cm3, "highland-weavers")
    orders = {"o1": _order("o1", BRISBANE_A), "o2": _order("o2", BRISBANE_B)}
    lots = [
        _lot("lot1", "o1", "prd_kama"),
        _lot("lot2", "o1", "prd_lufa"),
        ReadyLot("lot3", "o2", "o2-l1", "prd_kama", basket.offering_id, 20),
    ]
    plan = planner.plan(
        _situation(lots, orders, forced=True, offerings={bag.offering_id: bag, basket.offering_id: basket})
    )
    assert plan.waiting == []
    by_organisation = {shipment.organisation_id: shipment for shipment in plan.shipments}
    assert len(plan.shipments) == 2, "one city, one hub, one day: only the organisations tell them apart"
    assert sorted(lot.lot.lot_id for lot in by_organisation["highland-weavers"].lots) == ["lot1", "lot2"]
    assert [lot.lot.lot_id for lot in by_organisation["coastal-carvers"].lots] == ["lot3"]
    assert len(plan.routes) == 2, "the same producer is visited once per organisation"
    organisations_on_route = {}
    for shipment in plan.shipments:
        for lot in shipment.lots:
            organisations_on_route.setdefault(lot.route, set()).add(lot.offering.organisation_id)
    assert all(len(organisations) == 1 for organisations in organisations_on_route.values())
    for shipment in plan.shipments:
        own_routes = {lot.route for lot in shipment.lots}
        assert shipment.cost == shipment.line_haul_cost + sum(
            route.cost for route in plan.routes if route.number in own_routes
        ), "a shipment pays its routes whole"


def test_pickup_costs_are_shared_out_whole_and_a_shipment_costs_its_line_haul_and_pickups():
    orders = {"o1": _order("o1", BRISBANE_A), "o3": _order("o3", TOKYO)}
    lots = [_lot("lot1", "o1", "prd_kama", 40), _lot("lot2", "o1", "prd_hagen", 10), _lot("lot3", "o3", "prd_lufa")]
    plan = planner.plan(_situation(lots, orders, forced=True))
    assert sum(route.cost for route in plan.routes) == sum(shipment.pickup_cost for shipment in plan.shipments)
    for shipment in plan.shipments:
        assert shipment.line_haul_cost == CONTAINER.trip_cost(shipment.line_haul_km)
        assert shipment.cost == shipment.line_haul_cost + shipment.pickup_cost
        shares = freight.shipment_shares(shipment.line_haul_cost, shipment.line_haul_km, shipment.carried())
        assert sum(shares.lots.values()) == shipment.cost
        assert sum(legs.pickup for legs in shares.lines.values()) == shipment.pickup_cost
    brisbane = next(shipment for shipment in plan.shipments if shipment.destination["city"] == "Brisbane")
    assert brisbane.weight_kg == Decimal("17.5")
    assert Decimal("2000") < brisbane.line_haul_km < Decimal("3000")


def test_a_load_below_the_threshold_waits_and_says_why_until_an_order_in_it_is_due():
    orders = {"o1": _order("o1", due_in_days=60)}
    lots = [_lot("lot1", "o1", "prd_kama")]
    plan = planner.plan(_situation(lots, orders))
    assert plan.shipments == [] and plan.routes == []
    [waiting] = plan.waiting
    assert "0% full" in waiting.reason and "leaves at 80%" in waiting.reason
    assert "to arrive in time" in waiting.reason
    due = planner.plan(_situation(lots, {"o1": _order("o1", due_in_days=3)}))
    assert [shipment.dispatch_reason for shipment in due.shipments] == ["due"]


def test_a_full_container_leaves_and_the_rest_waits_for_more():
    sack = Offering("off_coffee", "COF", "Coffee sack", 60_000, 90_000)
    producers = {f"prd{n}": _producer(f"prd{n}", -6.0 - n / 100, 145.4) for n in range(4)}
    lots = [ReadyLot(f"lot{n}", "o1", "o1-l1", f"prd{n % 4}", "off_coffee", 45) for n in range(8)]
    plan = planner.plan(_situation(lots, {"o1": _order("o1")}, producers=producers, offerings={"off_coffee": sack}))
    [shipment] = plan.shipments
    assert shipment.dispatch_reason == "full" and shipment.fill == Decimal("0.9")
    assert len(shipment.lots) == 7 and len(plan.waiting) == 1
    assert "13% full" in plan.waiting[0].reason
    for route in plan.routes:
        carried = sum(lot.weight_kg for lot in shipment.lots if lot.route == route.number)
        assert 0 < carried <= TRUCK.capacity_weight_kg
    assert {lot.lot.lot_id for lot in shipment.lots} | {plan.waiting[0].lot_id} == {f"lot{n}" for n in range(8)}


def test_a_producer_whose_flight_is_not_today_waits_and_is_booked_on_the_next_when_asked_to_ship_now():
    orders = {"o1": _order("o1")}
    lots = [_lot("lot1", "o1", "prd_menyamya"), _lot("lot2", "o1", "prd_kama")]
    waiting = planner.plan(_situation(lots, orders, threshold="0"))
    assert [item.lot_id for item in waiting.waiting] == ["lot1"]
    assert waiting.waiting[0].next_pickup_on == MONDAY + timedelta(days=1)
    assert "Tuesday and Friday" in waiting.waiting[0].reason
    assert [lot.lot.lot_id for shipment in waiting.shipments for lot in shipment.lots] == ["lot2"]

    now = planner.plan(_situation(lots, orders, forced=True))
    assert now.waiting == []
    menyamya = next(lot for shipment in now.shipments for lot in shipment.lots if lot.lot.lot_id == "lot1")
    assert menyamya.pickup_on == MONDAY + timedelta(days=1) and "Tuesday" in menyamya.pickup_note
    route = next(route for route in now.routes if route.number == menyamya.route)
    assert route.vehicle == AIRCRAFT and route.hub == LAE and route.pickup_on == MONDAY + timedelta(days=1)
    lae = next(shipment for shipment in now.shipments if shipment.hub == LAE)
    assert lae.dispatch_on == MONDAY + timedelta(days=1)
    assert lae.arrives_on == lae.dispatch_on + timedelta(days=domain.transit_days(LAE, CONTAINER, lae.line_haul_km))


def test_the_day_of_a_pickup_is_the_day_at_the_hub():
    lots = [_lot("lot1", "o1", "prd_menyamya")]
    monday_evening_utc = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)
    plan = planner.plan(_situation(lots, {"o1": _order("o1")}, now=monday_evening_utc, threshold="0"))
    assert plan.waiting == [], "it is Tuesday morning in Papua New Guinea: the flight calls"
    assert plan.shipments[0].lots[0].pickup_on == MONDAY + timedelta(days=1)
    assert LAE.local_day(monday_evening_utc) == MONDAY + timedelta(days=1)


def test_a_seasonal_road_closed_this_month_keeps_its_lots_waiting():
    lots = [_lot("lot1", "o1", "prd_gembogl")]
    plan = planner.plan(
        _situation(lots, {"o1": _order("o1")}, now=datetime(2027, 2, 1, 2, tzinfo=timezone.utc), threshold="0")
    )
    assert plan.shipments == []
    assert plan.waiting[0].reason.startswith("the road is closed in February")
    assert plan.waiting[0].next_pickup_on == date(2027, 4, 1)


def test_lots_wait_with_a_reason_when_something_they_need_is_missing():
    orders = {"o1": _order("o1"), "o2": _order("o2", cancelled=True)}
    lots = [
        _lot("lot1", "o9", "prd_kama"),
        _lot("lot2", "o2", "prd_kama"),
        _lot("lot3", "o1", "prd_nobody"),
        ReadyLot("lot4", "o1", "o1-l1", "prd_kama", "off_unknown", 5),
        _lot("lot5", "o1", "prd_menyamya"),
    ]
    plan = planner.plan(_situation(lots, orders, forced=True, vehicles=(TRUCK, CONTAINER)))
    reasons = {item.lot_id: item.reason for item in plan.waiting}
    assert reasons == {
        "lot1": "its order is not known here yet",
        "lot2": "its order was cancelled",
        "lot3": "its producer is not known here yet",
        "lot4": "its offering is not known here yet",
        "lot5": "no pickup vehicle goes by air or water, the only way to reach its producer",
    }
    assert plan.shipments == []
    no_hub = planner.plan(_situation([_lot("lot1", "o1", "prd_kama")], orders, forced=True, hubs=()))
    assert no_hub.waiting[0].reason == "there is no collection hub"


def test_a_producer_with_more_than_a_truckload_is_visited_more_than_once():
    sack = Offering("off_big", "BIG", "Sack", 25_000, 30_000)
    lots = [ReadyLot(f"lot{n}", "o1", "o1-l1", "prd_kama", "off_big", 40) for n in range(4)]
    plan = planner.plan(_situation(lots, {"o1": _order("o1")}, forced=True, offerings={"off_big": sack}))
    [shipment] = plan.shipments
    assert len(plan.routes) == 2, "4,000 kg from one producer: two runs of a 3,000 kg truck"
    assert all(route.stops == ["prd_kama"] for route in plan.routes)
    assert sorted(sum(1 for lot in shipment.lots if lot.route == route.number) for route in plan.routes) == [1, 3]


# Manifests ------------------------------------------------------------------------------------------------------------


def _manifest(order_id=None) -> manifests.Manifest:
    lines = [
        manifests.ManifestLine(
            "lot_a",
            "ord_1",
            "=Kiriko",
            "line_1",
            "BLM-M",
            "Bilum bag",
            "prd_1",
            "Māria Kewa",
            "Kama",
            20,
            Decimal("7.000"),
            Decimal("0.080000"),
            MONDAY,
            Decimal("12.34"),
        ),
        manifests.ManifestLine(
            "lot_b",
            "ord_2",
            "Harbour Lane",
            "line_2",
            "BLM-S",
            "Small bag",
            "prd_2",
            "Rose Yamo",
            "Faniufa",
            10,
            Decimal("1.800"),
            Decimal("0.018000"),
            None,
            Decimal("0.66"),
        ),
    ]
    return manifests.Manifest(
        "shp_1",
        "planned",
        "Goroka collection hub",
        "Brisbane, AU",
        "20-foot sea container",
        MONDAY,
        MONDAY + timedelta(days=6),
        "USD",
        lines,
        order_id,
    )


def test_the_csv_manifest_has_a_row_per_lot_and_defuses_formulas():
    rows = list(csv.DictReader(io.StringIO(manifests.render_csv(_manifest()))))
    assert [row["lot_id"] for row in rows] == ["lot_a", "lot_b"]
    assert rows[0]["buyer"] == "'=Kiriko" and rows[0]["producer"] == "Māria Kewa"
    assert rows[0]["weight_kg"] == "7.000" and rows[1]["pickup_on"] == "" and rows[1]["freight_share"] == "0.66"


def test_the_pdf_manifest_lists_every_lot_and_the_totals():
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(manifests.render_pdf(_manifest()))).pages)
    for expected in ("Manifest of shipment shp_1", "lot_a", "lot_b", "Māria Kewa", "Total", "8.800", "13.00"):
        assert expected in text
    buyer = manifests.render_pdf(_manifest("ord_1"))
    assert "Manifest of order ord_1" in PdfReader(io.BytesIO(buyer)).pages[0].extract_text()
