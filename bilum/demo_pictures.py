"""The demonstration's pictures: product pictures of each offering and one photo-like picture per producer group,
for the catalogues' cards and booklet covers.

Licence: every picture is drawn by the Bilum project's own code (this module, ``bilum.demo_products`` and
``bilum.demo_scenes``), deterministically from a seed; no photograph, file or network resource is read, and the only
letters are Pillow's built-in Aileron font, itself CC0. The pictures are released under CC0 1.0 Universal, like the
rest of the demonstration data; each carries that statement in its JPEG comment and EXIF copyright."""

import io
import zlib
from typing import Callable

import numpy as np
from PIL import Image

from bilum import demo_products
from bilum.demo_scenes import scene

LICENCE = (
    "Drawn by the Bilum project's code for its demonstration; no photograph or outside file was used. "
    "Released under CC0 1.0 Universal (public domain dedication): "
    "https://creativecommons.org/publicdomain/zero/1.0/"
)
_EXIF_DESCRIPTION, _EXIF_ARTIST, _EXIF_COPYRIGHT = 0x010E, 0x013B, 0x8298

Drawing = Callable[[np.random.Generator], Image.Image]
# The offering's pictures in their catalogue order: the product first, then a closer look.
OFFERING_DRAWINGS: dict[str, tuple[tuple[str, Drawing], ...]] = {
    "BLM-BAG-M": (
        ("Highlands bilum carry bag, medium, with its long strap", demo_products.carry_bag),
        ("The looping of the carry bag's zig-zag and diamond bands, close up", demo_products.carry_bag_detail),
    ),
    "BLM-BAG-S": (("Bilum shoulder bag, small, in bright stripes", demo_products.shoulder_bag),),
    "COF-ARA-250": (
        ("Highland arabica coffee, 250 g bag, with roasted beans", demo_products.coffee_bag),
        ("Medium-roast Highland arabica beans, close up", demo_products.roasted_beans),
    ),
}
# Each producer group's place, by its region (``bilum.demo_catalogue_data``): a weavers' or a growers' scene, its
# light, and whether it is seen mirrored (so that no two look alike).
GROUP_SCENES = {
    "Eastern Highlands": ("growers", "morning", False),
    "Western Highlands": ("weavers", "noon", False),
    "Enga": ("weavers", "afternoon", True),
    "Jiwaka": ("growers", "afternoon", True),
    "Simbu": ("growers", "noon", False),
    "Morobe": ("weavers", "morning", True),
}


def _seed(*names: object) -> int:
    """The same seed on every machine and every run (``hash`` of a string is not)."""
    return zlib.crc32("/".join(str(name) for name in names).encode())


def _jpeg(picture: Image.Image, description: str, quality: int) -> tuple[str, bytes]:
    exif = Image.Exif()
    exif[_EXIF_DESCRIPTION] = description
    exif[_EXIF_ARTIST] = "Bilum project"
    exif[_EXIF_COPYRIGHT] = "CC0 1.0 Universal, no rights reserved"
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True, comment=LICENCE.encode(), exif=exif)
    return "image/jpeg", buffer.getvalue()


def offering_pictures(sku: str) -> list[tuple[str, bytes]]:
    """The pictures of a demonstration offering, as (content type, bytes), product first."""
    if sku not in OFFERING_DRAWINGS:
        raise KeyError(f"the demonstration draws no pictures for {sku}: only {', '.join(OFFERING_DRAWINGS)}")
    return [
        _jpeg(draw(np.random.default_rng(_seed(sku, number))), description, quality=90)
        for number, (description, draw) in enumerate(OFFERING_DRAWINGS[sku])
    ]


def group_picture(region: str) -> tuple[str, bytes]:
    """The photo-like picture of the demonstration's producer group of ``region``."""
    if region not in GROUP_SCENES:
        raise KeyError(f"the demonstration draws no group picture for {region}: only {', '.join(GROUP_SCENES)}")
    kind, light, mirrored = GROUP_SCENES[region]
    description = f"The place of the producer group of {region}: a {kind}' scene in the {light} light"
    return _jpeg(scene(kind, _seed(region), light, mirrored), description, quality=86)
