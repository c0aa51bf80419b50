"""Pictures over HTTP on the real broker and PostgreSQL: a phone's camera photo uploaded as it is, read back in the
three sizes, and what the gateway refuses (too large, not an image type, not a whole image); producer groups with
their story and picture, each organisation's own."""

import base64
import functools
import io
import uuid

import numpy as np
import pytest
import requests
from PIL import Image

from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from shared import migrations
from tests.integration.auth import admin_key, key_of_new_user
from tests.integration.helpers import running

MIB = 1024 * 1024
_EXIF_ORIENTATION = 0x0112


@pytest.fixture(scope="module")
def gateway(module_platform):
    migrations.upgrade("catalogue")
    with running(CatalogueService), running(GatewayService):
        yield module_platform["BILUM_GATEWAY_URL"] + "/api/v1"


@pytest.fixture(scope="module")
def weavers(gateway):
    """An organisation's aggregator, another organisation's, and an offering of the first with no image yet."""
    organisation = f"weavers-{uuid.uuid4().hex[:6]}"
    aggregator, other = key_of_new_user("aggregator", organisation), key_of_new_user("aggregator", "other-co-op")
    offering = requests.post(
        gateway + "/offerings",
        headers=aggregator,
        timeout=30,
        json={
            "sku": f"PIC-{uuid.uuid4().hex[:6].upper()}",
            "name": "Bilum bag",
            "description": "Hand-looped",
            "unit_price": "38.50",
            "producer_price": "21.00",
            "currency": "USD",
            "unit_weight_g": 350,
            "unit_volume_cm3": 4000,
        },
    )
    assert offering.status_code == 201, offering.text
    return {"aggregator": aggregator, "other": other, "offering": offering.json()["id"], "organisation": organisation}


@functools.cache
def camera_jpeg() -> bytes:
    """A phone's photo: 12 megapixels of grainy light, stored sideways with the EXIF tag that turns it upright."""
    rng = np.random.default_rng(7)
    rows, columns = np.mgrid[0:3000, 0:4000].astype(np.float32)
    light = np.dstack([120 + 100 * columns / 4000, 90 + 80 * rows / 3000, 60 + 60 * rows * columns / 12e6])
    grain = rng.normal(0, 18, (3000, 4000, 1)).astype(np.float32)
    photo = Image.fromarray((light + grain).clip(0, 255).astype(np.uint8), "RGB")
    exif = Image.Exif()
    exif[_EXIF_ORIENTATION] = 6
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def _put(url: str, data: bytes, content_type: str, headers: dict) -> requests.Response:
    return requests.put(url, data=data, headers={**headers, "Content-Type": content_type}, timeout=60)


def _error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    return response.json()["error"]


def test_a_camera_photo_is_uploaded_as_it_is_and_read_back_small_for_a_phone(gateway, weavers):
    photo = camera_jpeg()
    assert 4 * MIB < len(photo) <= 8 * MIB
    images = f"{gateway}/offerings/{weavers['offering']}/images"
    uploaded = _put(f"{images}/0", photo, "image/jpeg", weavers["aggregator"])
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["images"] == [f"/api/v1/offerings/{weavers['offering']}/images/0"]
    copies = {}
    for size in ("print", "web", "small"):
        response = requests.get(f"{images}/0", params={"size": size}, headers=weavers["other"], timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
        copies[size] = response.content
    sides = {size: Image.open(io.BytesIO(data)).size for size, data in copies.items()}
    assert sides == {"print": (1200, 1600), "web": (480, 640), "small": (240, 320)}, "upright, as the camera said"
    assert len(copies["small"]) * 10 < len(copies["print"]) < len(photo) / 2
    default = requests.get(f"{images}/0", headers=weavers["other"], timeout=30)
    assert default.content == copies["web"]
    assert _error(requests.get(f"{images}/0", params={"size": "huge"}, headers=weavers["other"], timeout=30), 422)


def test_what_is_not_a_whole_picture_of_a_sane_size_is_refused_and_nothing_changes(gateway, weavers):
    images = f"{gateway}/offerings/{weavers['offering']}/images"
    small = io.BytesIO()
    Image.new("RGB", (50, 40), (200, 30, 30)).save(small, "PNG")
    assert _put(f"{images}/0", small.getvalue(), "image/png", weavers["aggregator"]).status_code == 200
    before = requests.get(f"{images}/0", params={"size": "print"}, headers=weavers["aggregator"], timeout=30)
    too_large = _put(f"{images}/0", b"\xff\xd8" + b"\x00" * (8 * MIB), "image/jpeg", weavers["aggregator"])
    assert _error(too_large, 413)["code"] == "too_large"
    for content_type in ("image/gif", "application/json", "text/plain"):
        unsupported = _error(_put(f"{images}/0", camera_jpeg()[:1000], content_type, weavers["aggregator"]), 415)
        assert unsupported["code"] == "unsupported_media_type" and "image/jpeg or image/png" in unsupported["message"]
    truncated = _error(_put(f"{images}/0", camera_jpeg()[: 2 * MIB], "image/jpeg", weavers["aggregator"]), 422)
    assert "not a whole image/jpeg image" in truncated["fields"]["data"][0]
    wrong_type = _error(_put(f"{images}/0", camera_jpeg()[:4000], "image/png", weavers["aggregator"]), 422)
    assert "not a whole image/png image" in wrong_type["fields"]["data"][0]
    huge = io.BytesIO()
    Image.new("L", (7000, 7000)).save(huge, "PNG")
    assert (
        "pixels"
        in _error(_put(f"{images}/0", huge.getvalue(), "image/png", weavers["aggregator"]), 422)["fields"]["data"][0]
    )
    gap = _error(_put(f"{images}/2", small.getvalue(), "image/png", weavers["aggregator"]), 422)
    assert "the next one goes at position 1" in gap["fields"]["position"][0]
    after = requests.get(f"{images}/0", params={"size": "print"}, headers=weavers["aggregator"], timeout=30)
    assert after.content == before.content
    assert requests.get(f"{images}/1", headers=weavers["aggregator"], timeout=30).status_code == 404
    elsewhere = _put(f"{images}/1", small.getvalue(), "image/png", weavers["other"])
    assert _error(elsewhere, 404)["code"] == "not_found", "another organisation's offering is answered as missing"


def test_a_producer_group_is_saved_pictured_and_read_by_its_own_organisation_only(gateway, weavers):
    picture = io.BytesIO()
    Image.new("RGB", (2000, 1000), (40, 110, 50)).save(picture, "JPEG")
    body = {
        "name": "Kabiufa weavers",
        "region": "Eastern Highlands",
        "story": "Women of Kabiufa loop bilums after garden work and meet each month to share out orders.",
        "translations": {"fr": {"story": "Les femmes de Kabiufa tissent des bilums après le travail au jardin."}},
        "picture": {"content_type": "image/jpeg", "data": base64.b64encode(picture.getvalue()).decode()},
    }
    made = requests.post(gateway + "/producer-groups", json=body, headers=weavers["aggregator"], timeout=30)
    assert made.status_code == 201, made.text
    group = made.json()
    assert group["organisation_id"] == weavers["organisation"] and set(group["picture"]) == {"print", "web", "small"}
    small = requests.get(
        f"{gateway}/producer-groups/{group['id']}/picture",
        params={"size": "small"},
        headers=weavers["aggregator"],
        timeout=30,
    )
    assert Image.open(io.BytesIO(small.content)).size == (320, 160)
    replaced = _put(
        f"{gateway}/producer-groups/{group['id']}/picture", camera_jpeg(), "image/jpeg", weavers["aggregator"]
    )
    assert replaced.status_code == 200, replaced.text
    web = requests.get(f"{gateway}/producer-groups/{group['id']}/picture", headers=weavers["aggregator"], timeout=30)
    assert Image.open(io.BytesIO(web.content)).size == (480, 640)
    listed = requests.get(gateway + "/producer-groups", headers=weavers["aggregator"], timeout=30).json()["items"]
    assert [item["id"] for item in listed] == [group["id"]]
    assert requests.get(gateway + "/producer-groups", headers=weavers["other"], timeout=30).json()["items"] == []
    admin = requests.get(
        gateway + "/producer-groups",
        params={"organisation_id": weavers["organisation"]},
        headers=admin_key(),
        timeout=30,
    )
    assert [item["id"] for item in admin.json()["items"]] == [group["id"]]
    stolen = requests.get(f"{gateway}/producer-groups/{group['id']}/picture", headers=weavers["other"], timeout=30)
    assert _error(stolen, 404)["code"] == "not_found"
    taken = {**body, "group_id": group["id"], "name": "Taken over"}
    assert _error(requests.post(gateway + "/producer-groups", json=taken, headers=weavers["other"], timeout=30), 404)
    phone = {**body, "story": "To order, call our chairwoman on +675 7000 0123."}
    refused = _error(
        requests.post(gateway + "/producer-groups", json=phone, headers=weavers["aggregator"], timeout=30), 422
    )
    assert "leave out phone numbers and e-mail addresses" in refused["fields"]["story"][0]
    after = requests.get(gateway + "/producer-groups", headers=weavers["aggregator"], timeout=30).json()["items"]
    assert [(item["id"], item["name"], item["story"]) for item in after] == [(group["id"], body["name"], body["story"])]
