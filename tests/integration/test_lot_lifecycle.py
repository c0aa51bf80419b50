"""Lots end to end on the real broker and PostgreSQL: reported against accepted quotas, inspected by the offering's
ISO 2859-1 plans, rejected lots reworked or replaced, switching to tightened inspection; the ledger follows."""

import uuid

import pytest

from bilum.waiting import eventually
from services.aggregation import quality
from tests.integration.fulfilment import ORG


@pytest.fixture
def accepted(network):
    """An order of 200 split between three producers, every quota accepted."""
    sku = f"BAG-{uuid.uuid4().hex[:6].upper()}"
    offering = network.offering(sku)
    network.producers(offering, [30, 30, 30], weeks=4)
    order = network.order(sku, 200)
    quotas = eventually(
        lambda: (lambda qs: qs if sum(q["quantity"] for q in qs) == 200 else None)(
            network.quotas(order["id"], "offered")
        ),
        "the offers",
    )
    for quota in quotas:
        network.call("POST", f"/quotas/{quota['id']}/accept")
    network.settled(order["id"], accepted=200)
    return offering, order, quotas


def _inspect(network, lot: dict, defects: dict, organisation: str = ORG, expect: int = 201) -> dict:
    findings = [
        {"criterion": f"{name} problem", "defect_class": name, "count": count} for name, count in defects.items()
    ]
    return network.call(
        "POST",
        f"/lots/{lot['id']}/inspections",
        expect,
        json={"inspector": "QC", "organisation_id": organisation, "findings": findings},
    )


def _plan(lot: dict, defect_class: str) -> dict:
    return next(plan for plan in lot["plan"] if plan["defect_class"] == defect_class)


def test_a_lot_is_given_its_iso_plan_and_passes_within_the_acceptance_numbers(network, accepted):
    offering, order, quotas = accepted
    lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 60})
    expected = quality.sampling_plan(60, 2.5, "II", "normal")
    major = _plan(lot, "major")
    assert (major["code_letter"], major["sample_size"], major["accept"], major["reject"]) == (
        expected.code_letter,
        expected.sample_size,
        expected.accept,
        expected.reject,
    )
    assert {plan["defect_class"] for plan in lot["plan"]} == {"major", "minor"}
    again = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 5, "client_ref": "sms/m1"})
    retried = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 5, "client_ref": "sms/m1"})
    assert retried["id"] == again["id"], "a retried report made a second lot"
    inspected = _inspect(network, lot, {"major": major["accept"], "minor": 0})
    assert inspected["status"] == "passed" and inspected["plan"] is None
    assert inspected["inspections"][0]["classes"][0]["sample_size"] == expected.sample_size
    network.settled(order["id"], produced=65, passed=60)
    _inspect(network, lot, {"major": 0}, expect=409)


def test_bad_inspections_and_lots_are_refused_with_a_clear_error(network, accepted):
    offering, order, quotas = accepted
    lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 40})
    sample = _plan(lot, "major")["sample_size"]
    too_many = _inspect(network, lot, {"major": sample + 1}, expect=422)
    assert "findings" in too_many["error"]["fields"]
    assert (
        "another organisation"
        in _inspect(network, lot, {"major": 0}, organisation="coastal-carvers", expect=409)["error"]["message"]
    )
    assert "findings" in _inspect(network, lot, {"critical": 1}, expect=422)["error"]["fields"], "no critical AQL"
    remaining = quotas[0]["quantity"] - 40
    assert (
        "quantity"
        in network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 422, json={"quantity": remaining + 1})["error"][
            "fields"
        ]
    )
    assert network.call("GET", f"/lots/{lot['id']}")["status"] == "reported", "a refusal changed the lot"
    network.call("GET", "/lots/lot_nothing", 404)


def test_a_rejected_lot_is_reworked_and_inspected_again_on_tightened_inspection(network, accepted):
    offering, order, quotas = accepted
    lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 50})
    major = _plan(lot, "major")
    failed = _inspect(network, lot, {"major": major["reject"], "minor": 0})
    assert failed["status"] == "failed"
    network.call("POST", f"/lots/{lot['id']}/resubmit", 409)
    reworked = network.call("POST", f"/lots/{lot['id']}/decision", json={"action": "rework", "reason": "loose loops"})
    assert reworked["status"] == "rework"
    again = network.call("POST", f"/lots/{lot['id']}/resubmit")
    assert again["attempt"] == 2 and {plan["severity"] for plan in again["plan"]} == {"tightened"}
    tightened = quality.sampling_plan(50, 2.5, "II", "tightened")
    assert (_plan(again, "major")["sample_size"], _plan(again, "major")["accept"]) == (
        tightened.sample_size,
        tightened.accept,
    )
    passed = _inspect(network, again, {"major": 0, "minor": 0})
    assert passed["status"] == "passed" and [i["passed"] for i in passed["inspections"]] == [False, True]
    network.settled(order["id"], produced=50, passed=50, accepted=200, allocated=200)


def test_a_rejected_lot_is_replaced_by_another_producer_and_the_ledger_stays_right(network, accepted):
    offering, order, quotas = accepted
    lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 30})
    _inspect(network, lot, {"major": _plan(lot, "major")["reject"], "minor": 0})
    replaced = network.call("POST", f"/lots/{lot['id']}/decision", json={"action": "replace", "reason": "wrong colour"})
    assert replaced["status"] == "replaced"
    network.call("POST", f"/lots/{lot['id']}/decision", 409, json={"action": "rework", "reason": "changed mind"})
    top_ups = eventually(
        lambda: [q for q in network.quotas(order["id"]) if q["top_up"]],
        "the replaced units offered as a top-up to a producer already on the line",
    )
    assert [q["top_up"]["quantity"] for q in top_ups] == [30], "one producer could take them all"
    assert quotas[0]["producer_id"] not in {q["producer_id"] for q in top_ups}
    assert len(network.quotas(order["id"])) == 3, "a producer was offered a second quota for the line"
    line = network.settled(order["id"], allocated=200, accepted=170, produced=0, passed=0)
    assert line["shortfall"] == 0
    grown = network.call("POST", f"/quotas/{top_ups[0]['id']}/accept")
    assert grown["quantity"] == top_ups[0]["quantity"] + 30
    network.settled(order["id"], allocated=200, accepted=200)
    replaced_quota = network.call("GET", f"/quotas/{quotas[0]['id']}")
    assert (replaced_quota["reported"], replaced_quota["left_to_report"]) == (30, replaced_quota["quantity"] - 30)


def test_two_rejections_in_five_lots_switch_the_producer_to_tightened_inspection(network, accepted):
    offering, order, quotas = accepted
    producer = quotas[0]["producer_id"]
    for defects in ("pass", "fail", "pass", "fail"):
        lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 12})
        assert {plan["severity"] for plan in lot["plan"]} == {"normal"}
        count = _plan(lot, "major")["reject"] if defects == "fail" else 0
        _inspect(network, lot, {"major": count, "minor": 0})
    history = network.call("GET", f"/producers/{producer}/inspections", params={"offering_id": offering})
    assert history["severity"] == "tightened"
    assert [line["accepted"] for line in history["history"]] == [True, False, True, False]
    assert history["history"][-1]["severity_after"] == "tightened" and history["pass_rate"] == 0.5
    lot = network.call("POST", f"/quotas/{quotas[0]['id']}/lots", 201, json={"quantity": 12})
    assert {plan["severity"] for plan in lot["plan"]} == {"tightened"}


def test_a_quota_moves_on_with_its_lots_and_stops_asking_for_a_lot_once_all_is_reported(network, accepted):
    offering, order, quotas = accepted
    quota = quotas[0]
    units = network.call("GET", f"/quotas/{quota['id']}")["quantity"]
    fresh = network.call("GET", f"/quotas/{quota['id']}")
    assert (fresh["status"], fresh["left_to_report"], fresh["reported"]) == ("accepted", units, 0)

    first = network.call("POST", f"/quotas/{quota['id']}/lots", 201, json={"quantity": units - 10})
    making = network.call("GET", f"/quotas/{quota['id']}")
    assert (making["status"], making["left_to_report"], making["reported"]) == ("in_production", 10, units - 10)
    last = network.call("POST", f"/quotas/{quota['id']}/lots", 201, json={"quantity": 10})
    made = network.call("GET", f"/quotas/{quota['id']}")
    assert (made["status"], made["left_to_report"]) == ("produced", 0)
    assert (
        network.call("POST", f"/quotas/{quota['id']}/lots", 409, json={"quantity": 1})["error"]["code"] == "conflict"
    ), "a lot was taken for a quota with nothing left to make"

    for lot in (first, last):
        _inspect(network, lot, {"major": 0, "minor": 0})
    passed = network.call("GET", f"/quotas/{quota['id']}")
    assert (passed["status"], passed["passed"], passed["finished"]) == ("passed", units, False)
    still_open = network.call("GET", "/quotas", params={"order_id": order["id"], "finished": "false"})["items"]
    assert quota["id"] in {q["id"] for q in still_open}
    assert network.call("GET", "/quotas", params={"order_id": order["id"], "finished": "true"})["items"] == []
