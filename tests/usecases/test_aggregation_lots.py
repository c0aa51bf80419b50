"""Lots on a real database: reporting one against an accepted quota, inspecting it by its plan, and what a
rejection does."""

import pytest

from services.aggregation import lots, quotas
from shared.errors import Conflict
from tests.usecases.test_aggregation_allocating import place, with_capacity


@pytest.fixture
def db(service_db):
    db = service_db("aggregation")
    with_capacity(db, {"prd_a": 20})
    return db


@pytest.fixture
def quota_id(db):
    """prd_a's accepted quota of 20 units."""
    quota_id = place(db, 20)["prd_a"]["id"]
    db(quotas.accept, quota_id)
    return quota_id


def inspection(findings=(), organisation_id="org"):
    return {"inspector": "Kila", "organisation_id": organisation_id, "findings": list(findings)}


def test_a_reported_lot_waits_for_inspection_with_its_plan(db, quota_id):
    lot = db(lots.report_lot, quota_id, {"quantity": 20, "client_ref": "batch-1"})
    assert (lot["status"], lot["attempt"], lot["quantity"]) == ("reported", 1, 20)
    assert {plan["defect_class"] for plan in lot["plan"]} == {"major", "minor"}
    assert {plan["severity"] for plan in lot["plan"]} == {"normal"}
    [reported] = db.emitted("lot.reported")
    assert reported["payload"]["lot_id"] == lot["id"]
    [progressed] = db.emitted("quota.progressed")
    assert progressed["payload"]["status"] == "produced", "all the quota's units are reported"
    again = db(lots.report_lot, quota_id, {"quantity": 20, "client_ref": "batch-1"})
    assert again["id"] == lot["id"] and len(db.emitted("lot.reported")) == 1, "a retried report is the same lot"


def test_a_lot_without_defects_passes_and_its_quota_with_it(db, quota_id):
    lot = db(lots.report_lot, quota_id, {"quantity": 20})
    findings = [{"criterion": "weave", "defect_class": "major", "count": 0}]
    inspected = db(lots.record_inspection, lot["id"], inspection(findings))
    assert (inspected["status"], inspected["plan"]) == ("passed", None)
    assert [i["passed"] for i in inspected["inspections"]] == [True]
    [event] = db.emitted("lot.inspected")
    assert event["payload"]["passed"] is True and event["payload"]["severity"] == "normal"
    assert db.emitted("quota.progressed")[-1]["payload"]["status"] == "passed"
    with pytest.raises(Conflict):
        db(lots.record_inspection, lot["id"], inspection(findings))


def test_only_the_offerings_own_organisation_inspects_a_lot(db, quota_id):
    lot = db(lots.report_lot, quota_id, {"quantity": 20})
    with pytest.raises(Conflict, match="another organisation"):
        db(lots.record_inspection, lot["id"], inspection(organisation_id="org_other"))
    assert db.emitted("lot.inspected") == []


def test_a_rejected_lot_goes_back_for_rework_and_is_inspected_again_tightened(db, quota_id):
    lot = db(lots.report_lot, quota_id, {"quantity": 20})
    [major] = [plan for plan in lot["plan"] if plan["defect_class"] == "major"]
    failed = db(
        lots.record_inspection,
        lot["id"],
        inspection([{"criterion": "weave", "defect_class": "major", "count": major["reject"]}]),
    )
    assert failed["status"] == "rework", "the offering's standard says rework"
    [rework] = db.emitted("lot.rework_requested")
    assert rework["payload"]["lot_id"] == lot["id"]
    resubmitted = db(lots.resubmit_lot, lot["id"])
    assert (resubmitted["status"], resubmitted["attempt"]) == ("reported", 2)
    assert {plan["severity"] for plan in resubmitted["plan"]} == {"tightened"}


def test_a_lot_is_reported_only_against_an_accepted_quota(db):
    offered = place(db, 20)["prd_a"]["id"]
    with pytest.raises(Conflict):
        db(lots.report_lot, offered, {"quantity": 5})
