"""Pictures of offerings and producer groups on SQLite: resized once on upload into three upright copies, replaced
in place, refused whole when bad; producer groups saved, listed and pictured, and their stories kept free of phone
numbers and e-mail addresses."""

import base64
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from services.catalogue import offerings, producer_groups
from services.catalogue.group_schemas import contact_details_in
from services.catalogue.pictures import MAX_IMAGE_PIXELS
from services.catalogue.store import offering_images
from services.catalogue.store import producer_groups as groups_table
from shared.errors import InvalidInput, NotFound
from tests.usecases.test_catalogue import OFFERING

GROUP = {
    "organisation_id": "org",
    "name": "Kabiufa weavers",
    "region": "Eastern Highlands",
    "story": "Women of Kabiufa loop bilums in the shade of the village's haus meri after garden work.",
}
_EXIF_ORIENTATION = 0x0112


def camera_jpeg(width: int = 3000, height: int = 2000, orientation: int = 6) -> bytes:
    """A photo as a phone stores it: landscape pixels, red above and blue below, with the EXIF tag that tells a
    viewer to turn it a quarter clockwise (so that, upright, red is on the right)."""
    photo = Image.new("RGB", (width, height), (30, 60, 200))
    photo.paste((210, 30, 30), (0, 0, width, height // 2))
    exif = Image.Exif()
    exif[_EXIF_ORIENTATION] = orientation
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


def png(width: int = 100, height: int = 80, colour=(20, 140, 60), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(data: bytes, content_type: str = "image/jpeg") -> dict:
    return {"content_type": content_type, "data": base64.b64encode(data).decode()}


def opened(picture: dict) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(picture["data"])))


@pytest.fixture
def catalogue(service_db):
    return service_db("catalogue")


def _rows(db, table) -> list:
    with db.database.engine.connect() as connection:
        return connection.execute(table.select()).all()


def test_an_image_published_with_an_offering_is_kept_in_three_upright_copies(catalogue):
    offering = catalogue(offerings.publish_offering, {**OFFERING, "images": [upload(camera_jpeg())]})
    assert offering["images"] == [f"/api/v1/offerings/{offering['id']}/images/0"]
    sides = {}
    for size in ("print", "web", "small"):
        copy = catalogue(offerings.get_offering_image, offering["id"], 0, size)
        assert copy["content_type"] == "image/jpeg"
        with opened(copy) as picture:
            width, height = picture.size
            assert height > width, "turned as the camera said"
            assert picture.getexif().get(_EXIF_ORIENTATION, 1) == 1
            right, left = picture.getpixel((width * 3 // 4, height // 2)), picture.getpixel((width // 4, height // 2))
            assert right[0] > 150 > right[2] and left[2] > 150 > left[0], "red on the right once upright"
        sides[size] = height
    assert sides == {"print": 1600, "web": 640, "small": 320}
    assert catalogue(offerings.get_offering_image, offering["id"], 0) == catalogue(
        offerings.get_offering_image, offering["id"], 0, "web"
    )
    [row] = _rows(catalogue, offering_images)
    assert len(row.small_data) * 4 < len(row.data), "the phone's copy is a fraction of the print one"


def test_another_size_is_refused(catalogue):
    offering = catalogue(offerings.publish_offering, {**OFFERING, "images": [upload(png(), "image/png")]})
    with pytest.raises(InvalidInput) as refused:
        catalogue(offerings.get_offering_image, offering["id"], 0, "huge")
    assert "size" in refused.value.fields


def test_an_image_is_replaced_in_place_or_added_after_the_last_and_never_leaves_a_gap(catalogue):
    offering = catalogue(offerings.publish_offering, {**OFFERING, "images": [upload(camera_jpeg())]})
    changed = catalogue(offerings.put_offering_image, offering["id"], 0, upload(png(), "image/png"))
    assert changed["images"] == offering["images"] and changed["updated_at"] > offering["updated_at"]
    assert catalogue(offerings.get_offering_image, offering["id"], 0, "print")["content_type"] == "image/png"
    added = catalogue(offerings.put_offering_image, offering["id"], 1, upload(camera_jpeg(orientation=1)))
    assert len(added["images"]) == 2
    for position, problem in ((3, "the next one goes at position 2"), (4, "at most 4 images"), (-1, "at most 4")):
        with pytest.raises(InvalidInput) as refused:
            catalogue(offerings.put_offering_image, offering["id"], position, upload(png(), "image/png"))
        assert problem in refused.value.fields["position"][0]
    assert [row.position for row in _rows(catalogue, offering_images)] == [0, 1]
    with pytest.raises(NotFound):
        catalogue(offerings.put_offering_image, "off_missing", 0, upload(png(), "image/png"))


@pytest.mark.parametrize(
    "content_type, data, problem",
    [
        ("image/jpeg", camera_jpeg()[:5000], "not a whole image/jpeg image"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a whole image/png image"),
        ("image/png", camera_jpeg(), "not a whole image/png image"),
        ("image/png", png(6001, 6001, 0, mode="L"), f"over {MAX_IMAGE_PIXELS:,} pixels"),
    ],
    ids=["truncated JPEG", "PNG header only", "JPEG sent as PNG", "too many pixels"],
)
def test_a_bad_image_is_refused_and_nothing_is_written(catalogue, content_type, data, problem):
    offering = catalogue(offerings.publish_offering, {**OFFERING, "images": [upload(png(), "image/png")]})
    before = _rows(catalogue, offering_images)
    with pytest.raises(InvalidInput) as refused:
        catalogue(offerings.put_offering_image, offering["id"], 0, upload(data, content_type))
    assert problem in refused.value.fields["data"][0]
    assert _rows(catalogue, offering_images) == before
    assert catalogue(offerings.get_offering, offering["id"])["updated_at"] == offering["updated_at"]
    if len(data) <= 200 * 1024:
        with pytest.raises(InvalidInput) as refused:
            catalogue(offerings.publish_offering, {**OFFERING, "sku": "BAG-2", "images": [upload(data, content_type)]})
        assert refused.value.fields["images"][0]["data"]
        assert catalogue(offerings.search_offerings, {"q": "BAG-2"})["items"] == []
        assert len(catalogue.emitted("offering.published")) == 1


def test_a_group_is_saved_listed_and_changed_by_its_name_or_its_id(catalogue):
    made = catalogue(producer_groups.save_group, {**GROUP, "translations": {"fr": {"name": "Tisseuses de Kabiufa"}}})
    assert made["picture"] is None and made["translations"] == {"fr": {"name": "Tisseuses de Kabiufa"}}
    again = catalogue(producer_groups.save_group, {**GROUP, "story": "A new story."})
    assert again["id"] == made["id"] and again["story"] == "A new story."
    renamed = catalogue(producer_groups.save_group, {**GROUP, "group_id": made["id"], "name": "Kabiufa bilum mothers"})
    assert renamed["id"] == made["id"] and renamed["name"] == "Kabiufa bilum mothers"
    other = catalogue(producer_groups.save_group, {**GROUP, "organisation_id": "other"})
    assert other["id"] != made["id"]
    with pytest.raises(NotFound):
        catalogue(producer_groups.save_group, {**GROUP, "organisation_id": "other", "group_id": made["id"]})
    listed = catalogue(producer_groups.list_groups, {"organisation_id": "org"})["items"]
    assert [(group["id"], group["name"]) for group in listed] == [(made["id"], "Kabiufa bilum mothers")]
    assert len(catalogue(producer_groups.list_groups, {})["items"]) == 2


def test_a_groups_picture_is_resized_once_and_kept_when_the_group_changes_without_one(catalogue):
    made = catalogue(producer_groups.save_group, {**GROUP, "picture": upload(camera_jpeg(orientation=1))})
    assert set(made["picture"]) == {"print", "web", "small"}
    with opened(catalogue(producer_groups.get_group_picture, made["id"], "small")) as small:
        assert small.size == (320, 213)
    catalogue(producer_groups.save_group, {**GROUP, "story": "Changed, picture kept."})
    with opened(catalogue(producer_groups.get_group_picture, made["id"])) as web:
        assert web.size == (640, 427)
    pictured = catalogue(producer_groups.set_group_picture, made["id"], upload(png(), "image/png"))
    assert pictured["updated_at"] > made["updated_at"]
    assert catalogue(producer_groups.get_group_picture, made["id"], "print")["content_type"] == "image/png"
    with pytest.raises(InvalidInput):
        catalogue(producer_groups.set_group_picture, made["id"], upload(b"GIF89a", "image/png"))
    assert _rows(catalogue, groups_table)[0].picture_type == "image/png"
    bare = catalogue(producer_groups.save_group, {**GROUP, "name": "No picture yet"})
    with pytest.raises(NotFound, match="has no picture"):
        catalogue(producer_groups.get_group_picture, bare["id"], "web")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"story": "Call our chairwoman on +675 7000 0123 to order."}, "story"),
        ({"story": "Orders: (675) 7000-0123."}, "story"),
        ({"story": "Write to weavers@example.org for a sample."}, "story"),
        ({"name": "Kama weavers 70000123"}, "name"),
        ({"translations": {"ja": {"story": "ご注文は ０７０００１２３ まで。"}}}, "translations.ja.story"),
        ({"translations": {"fr": {"story": "Écrivez à tisseuses ＠ example.org"}}}, "translations.fr.story"),
    ],
)
def test_a_story_with_a_phone_number_or_an_email_address_is_refused_and_nothing_written(catalogue, change, field):
    with pytest.raises(InvalidInput) as refused:
        catalogue(producer_groups.save_group, {**GROUP, **change})
    assert "leave out phone numbers and e-mail addresses" in refused.value.fields[field][0]
    assert catalogue(producer_groups.list_groups, {})["items"] == []


_DIGITS = st.text("0123456789", min_size=7, max_size=12)
_SEPARATORS = st.sampled_from(["", " ", "-", ".", ") "])


@given(_DIGITS, _SEPARATORS, st.booleans(), st.text(st.characters(categories=["L", "Zs"]), max_size=40))
def test_a_phone_number_however_it_is_written_is_found_in_any_text(digits, separator, plus, words):
    middle = len(digits) // 2
    number = ("+" if plus else "") + digits[:middle] + separator + digits[middle:]
    assert contact_details_in(f"{words} {number} {words}")


@given(st.text(st.characters(categories=["L", "Zs", "Po"], exclude_characters="@＠"), max_size=200))
def test_text_without_digits_or_at_signs_has_no_contact_details(text):
    assert contact_details_in(text) == []


def test_altitudes_years_and_dates_are_not_phone_numbers():
    story = "Grown at 1,500 to 1,900 m since 1975-2019; the cluster met on 12.03.2004 and sold 2,000 bags."
    assert contact_details_in(story) == []
