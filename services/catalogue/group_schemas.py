"""Inputs about pictures and producer groups: an uploaded picture, which copy of a picture to read, a group's texts.

A group's story is printed in public catalogues, so it may not carry a way to reach a producer directly: the
co-operative's desk (a theme's contact) is whom a buyer writes to."""

import base64
import binascii
import re
from typing import cast

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.catalogue.language_schemas import GroupTexts, translations_field
from services.catalogue.pictures import COPY_SIDES_PX, IMAGE_FORMATS, Image
from services.catalogue.schemas import Strict, _text
from shared.errors import load_or_refuse

# A phone's camera photo: the copies are made from it once, and it is not kept.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# Seven digits or more, at most two spaces, dots, dashes or brackets between them: a phone number in any of the ways one
# is written (+675 7000 0123, (675) 7000-0123, ０７０００１２３).
_PHONE = re.compile(r"\+?\(?\d(?:[ .\-()]{0,2}\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+\s*[@＠]\s*[\w-]+(?:\.[\w-]+)+")
# ...but a date (12.03.2004) or a span of years (1975-2019) is history, not a number to call.
_DATE_OR_YEARS = re.compile(r"(?:\d{1,2}[./-]\d{1,2}[./-]|(?:19|20)\d\d ?- ?)(?:19|20)\d\d")


class PictureUpload(Strict):
    """A picture as it arrives: its bytes as base64 text. Loads as a checked ``pictures.Image``."""

    content_type = fields.String(required=True, validate=validate.OneOf(tuple(IMAGE_FORMATS)))
    data = fields.String(required=True)

    @post_load
    def image(self, data, **kwargs) -> Image:
        try:
            raw = base64.b64decode(data["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("not base64", "data") from None
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ValidationError(f"a picture is at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB", "data")
        try:
            return Image(data["content_type"], raw)
        except ValueError as error:
            raise ValidationError(str(error), "data") from None


def uploaded_image(upload: dict, what: str) -> Image:
    """The picture of an upload, checked whole; refused (InvalidInput) as ``what`` otherwise."""
    return cast(Image, load_or_refuse(PictureUpload(), upload, what))


class PictureQuery(Schema):
    """Which copy of a picture (an offering's or a group's): a phone on a weak connection asks for the small one."""

    size = fields.String(load_default="web", validate=validate.OneOf(tuple(COPY_SIDES_PX)))


def contact_details_in(text: str) -> list[str]:
    """What in ``text`` looks like a phone number or an e-mail address."""
    found = [match.group().strip() for pattern in (_EMAIL, _PHONE) for match in pattern.finditer(text)]
    return [item for item in found if not _DATE_OR_YEARS.fullmatch(item)]


def _refuse_contact_details(texts: dict, where: str) -> dict:
    problems = {}
    for name, text in texts.items():
        found = contact_details_in(text or "")
        if found:
            problems[f"{where}{name}"] = [
                f"a group's texts are printed in public catalogues: leave out phone numbers and e-mail addresses "
                f"({', '.join(repr(item) for item in found)} looks like one); buyers write to the co-operative"
            ]
    return problems


class GroupInput(Strict):
    """A group to create, or to change: the one ``group_id`` names, else the organisation's group of that name."""

    group_id = _text(64, load_default=None)
    organisation_id = _text(64, required=True)
    name = _text(200, required=True)
    region = _text(200, required=True)
    story = _text(3000, required=True)
    translations = translations_field(GroupTexts)
    picture = fields.Nested(PictureUpload, load_default=None)

    @validates_schema
    def no_contact_details(self, data, **kwargs):
        problems = _refuse_contact_details({name: data.get(name) for name in ("name", "story")}, "")
        for language, texts in (data.get("translations") or {}).items():
            problems |= _refuse_contact_details(texts, f"translations.{language}.")
        if problems:
            raise ValidationError(problems)


class GroupSearch(Schema):
    organisation_id = _text(64)
