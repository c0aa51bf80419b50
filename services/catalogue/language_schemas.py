"""Inputs about a catalogue's languages and print: texts per language, whom to contact, what to export."""

from marshmallow import RAISE, Schema, fields, validate

from services.catalogue.wording import CATALOGUE_LANGUAGES

# English is the record's own text; these are the languages a text may be given in besides.
TRANSLATED_LANGUAGES = tuple(language for language in CATALOGUE_LANGUAGES if language != "en")
EXPORT_FORMATS = ("html", "pdf", "csv")
LAYOUTS = ("flyer", "leaflet", "booklet")
PAPERS = ("a4", "letter")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def translations_field(schema: type[Schema]) -> fields.Dict:
    """``{language: {field: text}}``: a field left out falls back to English, field by field."""
    return fields.Dict(
        keys=fields.String(
            validate=validate.OneOf(TRANSLATED_LANGUAGES, error=f"a language of {', '.join(TRANSLATED_LANGUAGES)}")
        ),
        values=fields.Nested(schema),
        load_default=dict,
    )


def _optional_text(max_length: int):
    return fields.String(validate=validate.Length(min=1, max=max_length))


class OfferingTexts(_Strict):
    name = _optional_text(200)
    description = _optional_text(5000)
    story = _optional_text(2000)
    materials = _optional_text(200)
    colour = _optional_text(50)
    size = _optional_text(100)


class ThemeTexts(_Strict):
    title = _optional_text(200)
    description = _optional_text(5000)
    how_to_order = _optional_text(2000)


class GroupTexts(_Strict):
    name = _optional_text(200)
    story = _optional_text(3000)


class ContactInput(_Strict):
    """The publishing organisation's desk, printed on the back of a booklet: never a producer's own number."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=200))
    phone = fields.String(load_default="", validate=validate.Regexp(r"^(\+[1-9][0-9 ]{6,20})?$", error="+ and digits"))
    website = fields.Url(load_default="", schemes={"https", "http"}, validate=validate.Length(max=300))


class ExportOptions(_Strict):
    """What a catalogue is exported as; ``layout`` and ``paper`` shape the PDF only."""

    format = fields.String(required=True, validate=validate.OneOf(EXPORT_FORMATS))
    language = fields.String(load_default="en", validate=validate.OneOf(CATALOGUE_LANGUAGES))
    layout = fields.String(load_default="booklet", validate=validate.OneOf(LAYOUTS))
    paper = fields.String(load_default="a4", validate=validate.OneOf(PAPERS))
