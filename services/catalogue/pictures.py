"""Pictures of offerings and producer groups: checked once, and resized once, on upload, into the copies the
catalogues show (a print copy for the PDFs, a web copy, and a small one for a phone on a weak connection).

Camera originals would make a PDF of 200 offerings hundreds of megabytes and a phone page unusable over 2G; resizing
on every export would spend the same CPU on every download."""

import base64
import io
from dataclasses import dataclass

from PIL import Image as PillowImage
from PIL import ImageOps

IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
MAX_IMAGE_PIXELS = 6000 * 6000
# The longest side of each copy: print is a booklet's cover picture (135 mm at 300 dpi), web a catalogue card on a
# laptop, small the same card on a phone (what ``srcset`` offers it first).
COPY_SIDES_PX = {"print": 1600, "web": 640, "small": 320}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Image:
    content_type: str
    data: bytes

    def __post_init__(self):
        """The bytes must be what they claim, and of a sane size: they end up in a data URI and in the PDF, where a
        small file that unpacks to a gigapixel would exhaust the renderer's memory."""
        image_format = IMAGE_FORMATS.get(self.content_type)
        if image_format is None:
            raise ValueError(f"an image is {' or '.join(IMAGE_FORMATS)}, not {self.content_type!r}")
        try:
            with PillowImage.open(io.BytesIO(self.data), formats=[image_format]) as picture:
                width, height = picture.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValueError(f"a {width} x {height} image is over {MAX_IMAGE_PIXELS:,} pixels")
                picture.load()
        except (OSError, PillowImage.DecompressionBombError):
            raise ValueError(f"the data is not a whole {self.content_type} image") from None

    @property
    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"

    @property
    def size(self) -> tuple[int, int]:
        with PillowImage.open(io.BytesIO(self.data)) as picture:
            return picture.size


@dataclass(frozen=True)
class Picture:
    """One picture in the copies ``COPY_SIDES_PX`` names, all upright."""

    print_copy: Image
    web_copy: Image
    small_copy: Image

    def copy(self, size: str) -> Image:
        return {"print": self.print_copy, "web": self.web_copy, "small": self.small_copy}[size]


def resized(image: Image, longest_side_px: int) -> Image:
    """The picture at most ``longest_side_px`` a side, and upright, since the EXIF rotation a browser honours is not
    honoured in a PDF. A picture already small and upright is kept as it is."""
    with PillowImage.open(io.BytesIO(image.data)) as picture:
        if max(picture.size) <= longest_side_px and picture.getexif().get(_EXIF_ORIENTATION, 1) == 1:
            return image
        upright = ImageOps.exif_transpose(picture)
        upright.thumbnail((longest_side_px, longest_side_px))
        buffer = io.BytesIO()
        if image.content_type == "image/jpeg":
            upright.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        else:
            upright.save(buffer, "PNG", optimize=True)
    return Image(image.content_type, buffer.getvalue())


def picture_copies(image: Image) -> Picture:
    return Picture(*(resized(image, COPY_SIDES_PX[size]) for size in ("print", "web", "small")))
