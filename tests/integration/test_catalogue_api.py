"""The catalogue over HTTP: every endpoint, good and bad input, on the real broker and PostgreSQL.

The catalogue and the gateway run as nameko containers in this process for the whole module; events from the
aggregation service are dispatched onto the bus the way aggregation would publish them."""

import base64
import io
import os
import struct
import subprocess
import sys
import zlib
from datetime import date, timedelta

import pypdf
import pytest
import requests
from nameko.standalone.events import event_dispatcher

from bilum.waiting import eventually
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from shared import migrations
from shared.events import new_event
from shared.weeks import iso_week, monday_of
from tests.integration.auth import admin_key
from tests.integration.helpers import running

ORG, OTHER_ORG = "highland-weavers", "coastal-carvers"


def _png(colour=(200, 40, 40)) -> bytes:
    raw = b"".join(b"\x00" + bytes(colour) * 4 for _ in range(4))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


IMAGE = _png()


@pytest.fixture(scope="module")
def api(module_platform):
    migrations.upgrade("catalogue")
    with running(CatalogueService), running(GatewayService):
        yield Client(module_platform["BILUM_GATEWAY_URL"] + "/api/v1")


class Client:
    def __init__(self, base: str):
        self.base = base
        self.headers = admin_key()

    def __call__(self, method: str, path: str, expect: int, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, self.base + path, timeout=30, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:2000]}"
        return response.json() if response.headers.get("Content-Type", "").startswith("application/json") else response


def _producer(n: int, **overrides) -> dict:
    return {
        "organisation_id": ORG,
        "name": f"Weaver {n}",
        "village": "Kama",
        "district": "Goroka",
        "region": "Eastern Highlands",
        "country": "PG",
        "latitude": -6.07,
        "longitude": 145.41,
        "remoteness": "all_season_road",
        "mobile": f"+6757100{n:04d}",
        "languages": ["tpi", "en"],
        **overrides,
    }


def _offering(sku: str, **overrides) -> dict:
    return {
        "organisation_id": ORG,
        "sku": sku,
        "name": f"Bilum {sku}",
        "description": "Hand-looped bag",
        "unit_price": "38.50",
        "producer_price": "21.00",
        "currency": "USD",
        "unit_weight_g": 350,
        "unit_volume_cm3": 4000,
        "min_order": 10,
        "attributes": {"materials": "wool", "colour": "red", "size": "40 x 45 cm", "story": "Goroka weavers"},
        "images": [{"content_type": "image/png", "data": base64.b64encode(IMAGE).decode()}],
        "quality_standard": {
            "aql": {"critical": 0.65, "major": 2.5, "minor": 4.0},
            "inspection_level": "II",
            "criteria": [{"name": "loose loops", "defect_class": "major"}],
            "rejected_lot_action": "rework",
            "min_pass_rate": 0.8,
        },
        **overrides,
    }


def _weeks(count: int, start: int = 1) -> list:
    first = monday_of(date.today()) + timedelta(weeks=start)
    return [first + timedelta(weeks=n) for n in range(count)]


@pytest.fixture(scope="module")
def bags(api):
    """One offering, three approved producers with six weeks of capacity, one producer not approved."""
    offering = api("POST", "/offerings", 201, json=_offering("BAG-RED"))
    producers = [api("POST", "/producers", 201, json=_producer(n)) for n in range(1, 5)]
    for producer in producers[:3]:
        api(
            "POST",
            f"/offerings/{offering['id']}/approvals",
            200,
            json={
                "producer_id": producer["id"],
                "stage": "sample",
                "status": "approved",
                "decided_on": date.today().isoformat(),
            },
        )
    for units, producer in zip((10, 20, 30, 40), producers):
        api(
            "POST",
            f"/producers/{producer['id']}/capacity",
            200,
            json={
                "offering_id": offering["id"],
                "lead_time_days": 0,
                "min_lot": 2,
                "weeks": [{"week": iso_week(week), "units": units} for week in _weeks(6)],
            },
        )
    return offering, producers


def test_a_producer_is_registered_with_access_and_contacts_and_bad_input_is_refused_field_by_field(api):
    created = api(
        "POST",
        "/producers",
        201,
        json=_producer(
            101, remoteness="seasonal_road", closed_months=[1, 2], webhook_url="https://coop.example.org/hook"
        ),
    )
    assert created["closed_months"] == [1, 2] and created["webhook_url"] == "https://coop.example.org/hook"
    assert api("GET", f"/producers/{created['id']}", 200)["name"] == "Weaver 101"

    refused = api("POST", "/producers", 422, json=_producer(102, mobile="0712", latitude=99, country="png"))
    assert set(refused["error"]["fields"]) == {"mobile", "latitude", "country"}
    seasonal = api("POST", "/producers", 422, json=_producer(103, remoteness="seasonal_road"))
    assert "closed_months" in seasonal["error"]["fields"]
    by_air = api("POST", "/producers", 422, json=_producer(104, remoteness="air_or_boat"))
    assert "service_weekdays" in by_air["error"]["fields"]
    unreachable = api("POST", "/producers", 422, json=_producer(105, mobile=None))
    assert "mobile" in unreachable["error"]["fields"]
    smuggled = api("POST", "/producers", 422, json=_producer(106, producer_id="prd_mine", registered_at="2020"))
    assert set(smuggled["error"]["fields"]) == {"producer_id", "registered_at"}
    assert api("POST", "/producers", 409, json=_producer(101))["error"]["code"] == "conflict"
    api("GET", "/producers/prd_nobody", 404)


def test_a_producer_changes_only_what_is_sent_and_cannot_move_organisation(api):
    producer = api("POST", "/producers", 201, json=_producer(110))
    changed = api("PATCH", f"/producers/{producer['id']}", 200, json={"mobile": "+67571009999", "languages": ["fr"]})
    assert (changed["mobile"], changed["languages"], changed["name"]) == ("+67571009999", ["fr"], "Weaver 110")
    assert (
        "organisation_id"
        in api("PATCH", f"/producers/{producer['id']}", 422, json={"organisation_id": OTHER_ORG})["error"]["fields"]
    )
    assert (
        "service_weekdays"
        in api("PATCH", f"/producers/{producer['id']}", 422, json={"remoteness": "air_or_boat"})["error"]["fields"]
    )
    api("PATCH", f"/producers/{producer['id']}", 422, json={})
    api("PATCH", "/producers/prd_nobody", 404, json={"name": "x"})


def test_the_readiness_checklist_is_scored_and_shown_with_the_producer(api):
    producer = api("POST", "/producers", 201, json=_producer(120))
    answers = {str(n): n <= 9 or n in (13, 24, 25, 40) for n in range(1, 45)}
    scored = api("PUT", f"/producers/{producer['id']}/readiness", 200, json=answers)
    scores = scored["scores"]
    assert scores["product_readiness"]["score"] == 9 and scores["product_readiness"]["max"] == 12
    assert scores["viability"]["score"] == 1
    assert scores["catalogue"]["score"] == 2 and scores["catalogue"]["eligible"] is True
    assert scores["export_ready"]["score"] == 1
    assert api("GET", f"/producers/{producer['id']}", 200)["readiness"]["scores"] == scores
    assert api("GET", f"/producers/{producer['id']}/readiness", 200)["answers"]["13"] is True

    missing = dict(answers)
    del missing["44"]
    assert "44" in str(api("PUT", f"/producers/{producer['id']}/readiness", 422, json=missing)["error"])
    api("GET", f"/producers/{api('POST', '/producers', 201, json=_producer(121))['id']}/readiness", 404)


def test_an_offering_is_published_with_its_standard_and_images_and_bad_input_is_refused(api):
    offering = api("POST", "/offerings", 201, json=_offering("BAG-TEST"))
    assert offering["quality_standard"]["aql"] == {"critical": 0.65, "major": 2.5, "minor": 4.0}
    assert offering["min_order"] == 10 and offering["status"] == "published"
    image = api("GET", offering["images"][0].removeprefix("/api/v1"), 200)
    assert image.content == IMAGE and image.headers["Content-Type"] == "image/png"
    api("GET", f"/offerings/{offering['id']}/images/5", 404)
    assert api("GET", f"/offerings/{offering['id']}", 200)["sku"] == "BAG-TEST"

    assert api("POST", "/offerings", 409, json=_offering("BAG-TEST"))["error"]["code"] == "conflict"
    cheap = api("POST", "/offerings", 422, json=_offering("BAG-X", producer_price="40.00"))
    assert "producer_price" in cheap["error"]["fields"]
    wrong_aql = api("POST", "/offerings", 422, json=_offering("BAG-Y", quality_standard={"aql": {"major": 3.0}}))
    assert "quality_standard" in wrong_aql["error"]["fields"]
    not_png = api(
        "POST",
        "/offerings",
        422,
        json=_offering(
            "BAG-Z", images=[{"content_type": "image/png", "data": base64.b64encode(b"GIF89a....").decode()}]
        ),
    )
    assert "images" in not_png["error"]["fields"]
    assert "status" in api("POST", "/offerings", 422, json=_offering("BAG-W", status="withdrawn"))["error"]["fields"]


def test_approval_needs_a_date_and_the_same_organisation(api, bags):
    offering, producers = bags
    other = api("POST", "/producers", 201, json=_producer(130, organisation_id=OTHER_ORG))
    refused = api(
        "POST",
        f"/offerings/{offering['id']}/approvals",
        422,
        json={"producer_id": other["id"], "stage": "sample", "status": "approved", "decided_on": "2026-11-01"},
    )
    assert "producer_id" in refused["error"]["fields"]
    undated = api(
        "POST",
        f"/offerings/{offering['id']}/approvals",
        422,
        json={"producer_id": producers[3]["id"], "stage": "prototype", "status": "approved"},
    )
    assert "decided_on" in undated["error"]["fields"]
    approvals = api("GET", f"/producers/{producers[0]['id']}", 200)["approvals"]
    assert [(a["offering_id"], a["status"]) for a in approvals] == [(offering["id"], "approved")]


def test_the_capacity_calendar_is_declared_by_week_and_bad_weeks_are_refused(api, bags):
    offering, producers = bags
    calendar = api("GET", f"/producers/{producers[1]['id']}/capacity?offering_id={offering['id']}", 200)
    assert [week["declared"] for week in calendar["weeks"]] == [20] * 6
    assert {week["min_lot"] for week in calendar["weeks"]} == {2}
    bad = api(
        "POST",
        f"/producers/{producers[1]['id']}/capacity",
        422,
        json={
            "offering_id": offering["id"],
            "weeks": [{"week": "2026-W60", "units": 5}, {"week": "2027-W02", "units": -1}],
        },
    )
    assert "weeks" in bad["error"]["fields"]
    api(
        "POST",
        f"/producers/{producers[1]['id']}/capacity",
        404,
        json={"offering_id": "off_nothing", "weeks": [{"week": "2027-W02", "units": 5}]},
    )


def test_who_can_make_n_by_d_counts_only_approved_producers_and_weeks_made_in_time(api, bags):
    offering, producers = bags
    three_weeks = _weeks(3)[-1] + timedelta(days=6)
    answer = api("GET", f"/offerings/{offering['id']}/availability?quantity=150&by={three_weeks}", 200)
    assert [(p["producer_id"], p["available"]) for p in answer["producers"]] == [
        (producers[2]["id"], 90),
        (producers[1]["id"], 60),
        (producers[0]["id"], 30),
    ]
    assert (answer["total_available"], answer["can_fulfil"], answer["shortfall"]) == (180, True, 0)
    first = api("GET", f"/offerings/{offering['id']}/availability?quantity=150&by={three_weeks}&limit=2", 200)
    assert [p["producer_id"] for p in first["producers"]] == [producers[2]["id"], producers[1]["id"]]
    assert (first["producer_count"], first["total_available"]) == (3, 180), "the totals count those not listed"
    later = api(
        "GET", f"/offerings/{offering['id']}/availability?quantity=500&by={three_weeks + timedelta(days=21)}", 200
    )
    assert (later["total_available"], later["can_fulfil"], later["shortfall"]) == (360, False, 140)
    assert "by" in api("GET", f"/offerings/{offering['id']}/availability?quantity=5", 422)["error"]["fields"]
    api("GET", "/offerings/off_nothing/availability?quantity=5&by=2027-01-01", 404)


def test_commitments_from_accepted_quotas_reduce_availability_and_releases_restore_it(api, bags, module_platform):
    offering, producers = bags
    dispatch = event_dispatcher({"AMQP_URI": module_platform["AMQP_URI"]})
    week = _weeks(1)[0]
    by = (week + timedelta(days=6)).isoformat()

    def available():
        answer = api("GET", f"/offerings/{offering['id']}/availability?quantity=1&by={by}", 200)
        return {p["producer_id"]: p["available"] for p in answer["producers"]}

    before = available()[producers[2]["id"]]
    quota = {
        "quota_id": "qta_cat_1",
        "order_id": "ord_1",
        "line_id": "lin_1",
        "offering_id": offering["id"],
        "producer_id": producers[2]["id"],
        "quantity": 12,
        "weeks": [{"week_start": week, "units": 12}],
    }
    accepted = new_event("quota.accepted", {**quota, "declined_quantity": 0}, correlation_id="ord_1").to_message()
    dispatch("aggregation", "quota.accepted", accepted)
    dispatch("aggregation", "quota.accepted", accepted)
    eventually(lambda: available()[producers[2]["id"]] == before - 12, "the commitment to be counted once")
    shrink = api(
        "POST",
        f"/producers/{producers[2]['id']}/capacity",
        409,
        json={"offering_id": offering["id"], "weeks": [{"week": iso_week(week), "units": 5}]},
    )
    assert "committed" in shrink["error"]["message"]

    declined = new_event("quota.declined", {**quota, "reason": "busy"}, correlation_id="ord_1").to_message()
    dispatch("aggregation", "quota.declined", declined)
    eventually(lambda: available()[producers[2]["id"]] == before, "the release to give the units back")
    late = new_event("quota.accepted", {**quota, "declined_quantity": 0}, correlation_id="ord_1").to_message()
    dispatch("aggregation", "quota.accepted", late)
    probe = {**quota, "quota_id": "qta_cat_probe", "quantity": 1, "weeks": [{"week_start": week, "units": 1}]}
    dispatch(
        "aggregation",
        "quota.accepted",
        new_event("quota.accepted", {**probe, "declined_quantity": 0}, correlation_id="ord_2").to_message(),
    )
    eventually(lambda: available()[producers[2]["id"]] == before - 1, "the probe to land after the late acceptance")


def test_a_capacity_file_imports_whole_or_not_at_all(api, bags):
    offering, producers = bags
    week = iso_week(_weeks(1, start=10)[0])
    good = "producer_id,sku,week,units,lead_time_days,min_lot\n" + "".join(
        f"{producer['id']},BAG-RED,{week},{7 + n},3,1\n" for n, producer in enumerate(producers)
    )
    imported = api("POST", "/capacity/imports", 201, data=good.encode(), headers={"Content-Type": "text/csv"})
    assert (imported["rows"], imported["producers"]) == (4, 4)

    bad = (
        "producer_id,sku,week,units,lead_time_days,min_lot\n"
        f"{producers[0]['id']},BAG-RED,{week},50,3,1\n"
        f"prd_ghost,BAG-RED,{week},5,3,1\n"
        f"{producers[1]['id']},NO-SUCH,{week},5,3,1\n"
        f"{producers[2]['id']},BAG-RED,2026-W99,5,3,1\n"
    )
    refused = api("POST", "/capacity/imports", 422, data=bad.encode(), headers={"Content-Type": "text/csv"})
    assert set(refused["error"]["fields"]) == {"row 3", "row 4", "row 5"}
    calendar = api("GET", f"/producers/{producers[0]['id']}/capacity?offering_id={offering['id']}", 200)
    assert [w["declared"] for w in calendar["weeks"] if w["week"] == week] == [7], "the good row was not applied"


def test_producers_and_offerings_are_searched_by_attribute_place_remoteness_and_capacity(api, bags):
    offering, producers = bags
    api(
        "POST",
        "/offerings",
        201,
        json=_offering(
            "MAT-BLUE",
            name="Pandanus mat",
            unit_price="120.00",
            producer_price="70.00",
            attributes={"colour": "blue", "materials": "pandanus"},
        ),
    )
    assert [o["sku"] for o in api("GET", "/offerings?colour=blue", 200)["items"]] == ["MAT-BLUE"]
    assert "MAT-BLUE" not in [o["sku"] for o in api("GET", "/offerings?max_price=50", 200)["items"]]
    assert [o["sku"] for o in api("GET", "/offerings?q=pandanus&max_price=100", 200)["items"]] == []
    assert [o["sku"] for o in api("GET", "/offerings?q=pandanus&min_price=100", 200)["items"]] == ["MAT-BLUE"]
    assert [o["sku"] for o in api("GET", "/offerings?materials=pandanus", 200)["items"]] == ["MAT-BLUE"]
    by = (_weeks(2)[-1] + timedelta(days=6)).isoformat()
    with_capacity = api("GET", f"/offerings?available_by={by}&min_available=100", 200)["items"]
    assert [o["sku"] for o in with_capacity] == ["BAG-RED"]
    assert api("GET", "/offerings?min_price=abc", 422)["error"]["fields"]["min_price"]

    found = api("GET", f"/producers?offering_id={offering['id']}&available_by={by}&min_available=40", 200)
    assert {p["id"] for p in found["items"]} == {producers[1]["id"], producers[2]["id"]}
    assert api("GET", "/producers?remoteness=air_or_boat&region=Eastern Highlands", 200)["total"] == 0
    assert api("GET", "/producers?q=weaver 10&page_size=100", 200)["total"] >= 1
    assert "available_by" in api("GET", f"/producers?available_by={by}", 422)["error"]["fields"]
    assert "page_size" in api("GET", "/producers?page_size=1000", 422)["error"]["fields"]


def test_a_themed_catalogue_is_published_as_html_pdf_and_csv_from_the_one_database(
    api, bags, module_platform, tmp_path
):
    api(
        "POST",
        "/offerings",
        201,
        json=_offering(
            "BAG-GOLD", name="Golden bilum", unit_price="55.00", attributes={"colour": "gold", "materials": "bush rope"}
        ),
    )
    theme = api(
        "POST",
        "/catalogues",
        201,
        json={
            "name": "goroka-show",
            "organisation_id": ORG,
            "title": "Goroka Show 2027",
            "description": "Bags for the show",
            "arrange_by": "colour",
            "selection": {"max_price": "60.00"},
        },
    )
    assert set(theme["offerings"]) >= {"BAG-RED", "BAG-GOLD"} and "MAT-BLUE" not in theme["offerings"]
    assert [t["name"] for t in api("GET", "/catalogues", 200)["items"]] == ["goroka-show"]

    pdf = api("GET", "/catalogues/goroka-show/export?format=pdf", 200)
    assert pdf.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for sku in theme["offerings"]:
        assert sku in text
    assert "Golden bilum" in text
    html = api("GET", "/catalogues/goroka-show/export?format=html", 200).text
    assert "Goroka Show 2027" in html and "data:image/png;base64," in html
    csv_text = api("GET", "/catalogues/goroka-show/export?format=csv", 200).text
    assert "BAG-GOLD" in csv_text and "55.00" in csv_text
    api("GET", "/catalogues/goroka-show/export?format=docx", 400)
    api("GET", "/catalogues/nothing/export?format=pdf", 404)
    assert (
        "arrange_by"
        in api(
            "POST", "/catalogues", 422, json={"name": "x", "organisation_id": ORG, "title": "X", "arrange_by": "size"}
        )["error"]["fields"]
    )

    output = tmp_path / "show.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bilum.cli",
            "catalogue",
            "export",
            "--theme",
            "goroka-show",
            "--format",
            "pdf",
            "--output",
            str(output),
        ],
        env={**os.environ, **module_platform},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Golden bilum" in "".join(page.extract_text() for page in pypdf.PdfReader(output).pages)


def test_a_withdrawn_offering_leaves_the_catalogue(api):
    offering = api("POST", "/offerings", 201, json=_offering("BAG-OLD"))
    withdrawn = api("POST", f"/offerings/{offering['id']}/withdraw", 200, json={"reason": "pattern retired"})
    assert withdrawn["status"] == "withdrawn"
    assert "BAG-OLD" not in [o["sku"] for o in api("GET", "/offerings", 200)["items"]]
    assert "BAG-OLD" in [o["sku"] for o in api("GET", "/offerings?status=withdrawn", 200)["items"]]
    api("POST", f"/offerings/{offering['id']}/withdraw", 409, json={"reason": "again"})
    api("POST", f"/offerings/{offering['id']}/withdraw", 422, json={})
    api("GET", f"/offerings/{offering['id']}/availability?quantity=1&by=2027-06-01", 409)
