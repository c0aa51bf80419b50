"""The demonstration's own pictures and producer groups: drawn the same every time, big enough for print, whole
images the catalogue accepts, each carrying its licence, no two alike; and groups whose stories the catalogue would
publish."""

import io
import re

import numpy as np
import pytest
from PIL import Image

from bilum import demo_pictures
from bilum.demo_catalogue_data import GROUPS
from bilum.demo_data import OFFERINGS, ORGANISATION, PRODUCERS
from services.catalogue import pictures
from services.catalogue.group_schemas import GroupInput, contact_details_in
from services.catalogue.language_schemas import TRANSLATED_LANGUAGES

_EXIF_COPYRIGHT = 0x8298
# One weavers' scene and one growers' scene: every group's is drawn the same way from its own seed.
SAMPLE_GROUPS = ("Western Highlands", "Jiwaka")


@pytest.fixture(scope="module")
def offering_pictures() -> dict:
    return {offering["sku"]: demo_pictures.offering_pictures(offering["sku"]) for offering in OFFERINGS}


@pytest.fixture(scope="module")
def group_pictures() -> dict:
    return {region: demo_pictures.group_picture(region) for region in SAMPLE_GROUPS}


def _opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_the_same_call_draws_the_same_bytes(offering_pictures, group_pictures):
    assert demo_pictures.offering_pictures("BLM-BAG-S") == offering_pictures["BLM-BAG-S"]
    assert demo_pictures.group_picture("Jiwaka") == group_pictures["Jiwaka"]


def test_every_offering_has_one_or_two_square_pictures_sharp_enough_for_print(offering_pictures):
    for sku, drawn in offering_pictures.items():
        assert 1 <= len(drawn) <= 2, sku
        for content_type, data in drawn:
            width, height = pictures.Image(content_type, data).size
            assert min(width, height) >= 1200 and max(width, height) / min(width, height) <= 1.25, (sku, width)


def test_group_pictures_are_photo_like_jpegs_kept_whole_as_the_print_copy(group_pictures):
    for region, (content_type, data) in group_pictures.items():
        assert content_type == "image/jpeg"
        image = pictures.Image(content_type, data)
        assert image.size == (1600, 1067)
        copies = pictures.picture_copies(image)
        assert copies.print_copy.data == data, "the licence stays in the copy a booklet prints"
        assert max(copies.small_copy.size) == 320 and len(copies.small_copy.data) * 8 < len(data)
        pixels = np.asarray(_opened(data).convert("L"), np.float32)
        assert pixels.std() > 25, f"{region}: light and shade, not a flat colour"
        assert np.abs(np.diff(pixels, axis=1)).mean() > 1.5, f"{region}: a photograph's grain"


def test_every_picture_states_its_licence(offering_pictures, group_pictures):
    drawn = [picture for pictures_of in offering_pictures.values() for picture in pictures_of]
    for _, data in [*drawn, *group_pictures.values()]:
        with _opened(data) as picture:
            assert b"CC0 1.0" in picture.info["comment"] and b"Bilum project" in picture.info["comment"]
            assert "CC0 1.0" in picture.getexif()[_EXIF_COPYRIGHT]
    assert "CC0 1.0" in demo_pictures.__doc__ and "CC0 1.0" in demo_pictures.LICENCE


def test_no_two_pictures_are_alike(offering_pictures, group_pictures):
    drawn = [data for pictures_of in offering_pictures.values() for _, data in pictures_of]
    drawn += [data for _, data in group_pictures.values()]
    thumbnails = [np.asarray(_opened(data).convert("RGB").resize((64, 64)), np.float32) for data in drawn]
    for first in range(len(thumbnails)):
        for second in range(first + 1, len(thumbnails)):
            assert np.abs(thumbnails[first] - thumbnails[second]).mean() > 20, (first, second)


def test_pictures_are_drawn_only_for_what_the_demonstration_has():
    assert set(demo_pictures.OFFERING_DRAWINGS) == {offering["sku"] for offering in OFFERINGS}
    assert set(demo_pictures.GROUP_SCENES) == {group["region"] for group in GROUPS}
    with pytest.raises(KeyError, match="only BLM-BAG-M"):
        demo_pictures.offering_pictures("NOPE")
    with pytest.raises(KeyError, match="no group picture for Nowhere"):
        demo_pictures.group_picture("Nowhere")


def test_each_region_of_the_demonstrations_producers_has_one_group_the_catalogue_accepts():
    assert sorted(group["region"] for group in GROUPS) == sorted({p["region"] for p in PRODUCERS})
    for group in GROUPS:
        loaded = GroupInput().load({**group, "organisation_id": ORGANISATION["id"]})
        assert set(loaded["translations"]) == set(TRANSLATED_LANGUAGES)
        texts = [group["story"], *(texts["story"] for texts in group["translations"].values())]
        assert all(contact_details_in(text) == [] for text in texts), group["region"]
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", group["story"])) <= 4, group["region"]
        assert 2 <= group["translations"]["ja"]["story"].count("。") <= 4, group["region"]
        surnames = {producer["name"].split()[1] for producer in PRODUCERS if len(producer["name"].split()) == 2}
        assert not [name for name in surnames if re.search(rf"\b{name}\b", " ".join(texts))], "no one is named"
