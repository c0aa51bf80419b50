"""Quotas end to end on the real broker and PostgreSQL: offers, partial acceptance, declines, expiry, repeated
reallocation, shortfall, widening, cancellation and the delivery promise; the order ledger follows every step.

Catalogue, orders, aggregation and the gateway run as nameko containers in this process for the whole module."""

import uuid
from datetime import date, timedelta

from bilum.waiting import eventually
from shared.weeks import monday_of


def _sku() -> str:
    return f"BAG-{uuid.uuid4().hex[:6].upper()}"


def test_a_partial_acceptance_gives_the_rest_to_other_producers(network):
    sku = _sku()
    offering = network.offering(sku)
    producers = network.producers(offering, [10, 10, 10], min_lot=3)
    order = network.order(sku, 60)
    offered = eventually(lambda: network.quotas(order["id"], "offered"), "the offers")
    assert sorted(q["quantity"] for q in offered) == [20, 20, 20] and {q["producer_id"] for q in offered} == set(
        producers
    )

    first = offered[0]
    assert (
        "quantity"
        in network.call("POST", f"/quotas/{first['id']}/accept", 422, json={"quantity": 2})["error"]["fields"]
    ), "below the minimum lot"
    network.call("POST", f"/quotas/{first['id']}/accept", 422, json={"quantity": 21})
    accepted = network.call("POST", f"/quotas/{first['id']}/accept", json={"quantity": 12})
    assert (accepted["status"], accepted["quantity"], accepted["offered_quantity"]) == ("accepted", 12, 20)

    # The other two are on the line already (their offers wait for an answer): nobody holds two quotas for one
    # line, so the 8 units wait for one of them to take them on, and they are no shortfall meanwhile.
    assert [q for q in network.quotas(order["id"]) if q["reallocated"]] == []
    assert network.line(order["id"])["shortfall"] == 0
    second = offered[1]
    network.call("POST", f"/quotas/{second['id']}/accept", json={})
    top_up = eventually(
        lambda: network.call("GET", f"/quotas/{second['id']}")["top_up"],
        "the 8 units offered to a producer working on the line, as a top-up",
    )
    assert top_up["quantity"] == 8
    assert (
        "quantity"
        in network.call("POST", f"/quotas/{second['id']}/accept", 422, json={"quantity": 9})["error"]["fields"]
    ), "more than the top-up"
    grown = network.call("POST", f"/quotas/{second['id']}/accept", json={"quantity": 5})
    assert (grown["status"], grown["quantity"], grown["top_up"]) == ("accepted", 25, None)

    third = offered[2]
    network.call("POST", f"/quotas/{third['id']}/accept", json={})
    last = eventually(
        lambda: network.call("GET", f"/quotas/{third['id']}")["top_up"],
        "the 3 units the second producer did not take, to the third",
    )
    assert last["quantity"] == 3
    network.call("POST", f"/quotas/{third['id']}/decline", json={"reason": "no more wool"})
    after = network.call("GET", f"/quotas/{third['id']}")
    assert (after["status"], after["quantity"], after["top_up"]) == ("accepted", 20, None), "the quota stands"
    assert len(network.quotas(order["id"])) == 3, "a producer was asked to take a second quota for the line"
    line = network.settled(order["id"], allocated=57, accepted=57)
    assert line["ordered"] == 60
    network.call("POST", f"/quotas/{first['id']}/accept", json={})
    assert network.call("POST", f"/quotas/{first['id']}/decline", 409)["error"]["code"] == "conflict"


def test_declines_are_reallocated_until_capacity_runs_out_then_the_shortfall_is_reported_and_the_search_widened(
    network,
):
    sku = _sku()
    offering = network.offering(sku)
    network.producers(offering, [5, 5], weeks=2)
    order = network.order(sku, 20)
    for quota in eventually(lambda: network.quotas(order["id"], "offered"), "the offers"):
        declined = network.call("POST", f"/quotas/{quota['id']}/decline", json={"reason": "no wool this month"})
        assert declined["reason"] == "no wool this month"
    line = network.settled(order["id"], allocated=0, shortfall=20)
    assert line["accepted"] == 0
    assert network.quotas(order["id"], "offered") == [], "a producer who declined was asked again"

    widened = network.call("POST", f"/order-lines/{line['line_id']}/widen", json={"ask_again": True})
    assert (widened["covered"], widened["ask_again"]) == (20, True)
    network.settled(order["id"], allocated=20, shortfall=0)
    late = (date.today() - timedelta(days=1)).isoformat()
    assert (
        "needed_by"
        in network.call("POST", f"/order-lines/{line['line_id']}/widen", 422, json={"needed_by": late})["error"][
            "fields"
        ]
    )
    network.call("POST", "/order-lines/lin_nothing/widen", 404, json={})


def test_offers_that_lapse_are_reallocated_but_never_to_a_producer_that_let_one_lapse(network, monkeypatch):
    sku = _sku()
    offering = network.offering(sku, min_quota=1)
    slow, keen, silent = network.producers(offering, [6, 12, 6], weeks=1)
    monkeypatch.setenv("BILUM_QUOTA_RESPONSE_HOURS", str(3 / 3600))
    order = network.order(sku, 12)
    offers = {q["producer_id"]: q for q in eventually(lambda: network.quotas(order["id"], "offered"), "the offers")}
    assert {producer: q["quantity"] for producer, q in offers.items()} == {slow: 3, keen: 6, silent: 3}
    network.call("POST", f"/quotas/{offers[keen]['id']}/accept")

    line = network.settled(order["id"], accepted=6, allocated=6, shortfall=6)
    quotas = {q["producer_id"]: q for q in network.quotas(order["id"])}
    assert len(quotas) == 3, "the lapsed units went to the producer on the line as a top-up, not a second quota"
    assert (quotas[keen]["status"], quotas[keen]["quantity"], quotas[keen]["top_up"]) == ("accepted", 6, None), (
        "her top-up lapsed too, and her quota stands"
    )
    assert (quotas[slow]["status"], quotas[silent]["status"]) == ("expired", "expired")
    assert line["ordered"] == 12


def test_cancelling_an_order_releases_its_quotas_and_their_capacity(network):
    sku = _sku()
    offering = network.offering(sku)
    network.producers(offering, [10, 10], weeks=2)
    order = network.order(sku, 30)
    offered = eventually(lambda: network.quotas(order["id"], "offered"), "the offers")
    network.call("POST", f"/quotas/{offered[0]['id']}/accept")
    network.settled(order["id"], accepted=offered[0]["quantity"])
    by = (monday_of(date.today()) + timedelta(weeks=3) - timedelta(days=1)).isoformat()

    def available():
        return network.call("GET", f"/offerings/{offering}/availability", params={"quantity": 1, "by": by})[
            "total_available"
        ]

    eventually(lambda: available() == 40 - offered[0]["quantity"], "the catalogue to count the commitment")
    cancelled = network.call("POST", f"/orders/{order['id']}/cancel", json={"reason": "the buyer's shop closed"})
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "the buyer's shop closed"
    eventually(lambda: {q["status"] for q in network.quotas(order["id"])} == {"released"}, "every quota released")
    network.settled(order["id"], allocated=0, accepted=0)
    eventually(lambda: available() == 40, "the catalogue to give the capacity back")
    assert network.call("GET", f"/orders/{order['id']}")["status"] == "cancelled"
    network.call("POST", f"/orders/{order['id']}/cancel", json={"reason": "again"})
    assert "reason" in network.call("POST", f"/orders/{order['id']}/cancel", 422, json={})["error"]["fields"]


def test_an_order_is_promised_the_earliest_date_its_units_can_be_made_plus_transit(network):
    sku = _sku()
    offering = network.offering(sku)
    network.producers(offering, [10, 15], weeks=4)
    order = network.order(sku, 60, due_in_days=120)
    third_week_ends = monday_of(date.today()) + timedelta(weeks=3, days=6)
    assert order["promised_date"] == (third_week_ends + timedelta(days=21)).isoformat(), "25 a week: 3 weeks"
    beyond = network.order(sku, 1000, due_in_days=120)
    assert beyond["promised_date"] is None, "more than the calendars hold"
    refused = network.call(
        "POST",
        "/orders",
        422,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "buyer": {"name": "K", "email": "k@example.org"},
            "destination": {"name": "K", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
            "due_date": (date.today() + timedelta(days=60)).isoformat(),
            "lines": [{"sku": sku, "quantity": 0}],
            "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
        },
    )
    assert "lines" in refused["error"]["fields"]


def test_small_lines_take_turns_over_the_window_and_the_dashboard_shows_each_producers_share(network):
    """Lines of 10 over four producers of equal capacity, at least 5 a quota: each line reaches two producers,
    and the next line goes to the two who have had nothing yet, not to the same two again."""
    sku = _sku()
    offering = network.offering(sku, min_quota=5)
    producers = network.producers(offering, [10, 10, 10, 10], weeks=4)
    reached = []
    for _ in range(2):
        order = network.order(sku, 10)
        offers = eventually(lambda: network.quotas(order["id"], "offered"), "the offers")
        assert sorted(q["quantity"] for q in offers) == [5, 5], "no crumbs, and no more producers than worthwhile"
        reached += [q["producer_id"] for q in offers]
    assert sorted(reached) == sorted(producers), "the same producers won both small lines"


def test_an_organisation_sets_its_fairness_window(network):
    path = f"/organisations/{network.organisation_id}/allocation"
    assert network.call("GET", path)["fairness_window_weeks"] == 8, "the default"
    assert network.call("PUT", path, json={"fairness_window_weeks": 4}) == {
        "organisation_id": network.organisation_id,
        "fairness_window_weeks": 4,
    }
    assert network.call("GET", path)["fairness_window_weeks"] == 4
    refused = network.call("PUT", path, 422, json={"fairness_window_weeks": 0})["error"]
    assert "fairness_window_weeks" in refused["fields"]
    network.call("PUT", path, json={"fairness_window_weeks": 8})
