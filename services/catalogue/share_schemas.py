"""Inputs of a catalogue's public link: making a link, what its page, PDFs and pictures are asked for, a buyer's
request for a quote (the page's form, or the same fields as JSON), and the organisation's list of those requests."""

from babel import Locale
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.catalogue.wording import CATALOGUE_LANGUAGES
from shared.bounds import MAX_QUANTITY

MAX_QUOTE_ITEMS = 500
MAX_MESSAGE_CHARS = 2000
NO_WAY_TO_ANSWER = "tell us how to answer you: an e-mail address or a phone number"
NOTHING_ASKED = "ask for at least one unit of one offering"
# What a buyer types between the digits of a phone number; the number is kept as E.164 without them.
_PHONE_SEPARATORS = str.maketrans("", "", " -.()")
# Codes Babel knows as territories that ISO 3166-1 does not assign to a country.
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
COUNTRIES = tuple(
    sorted(
        code
        for code in map(str, Locale("en").territories)
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )
)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _language(**kwargs):
    return fields.String(
        validate=validate.OneOf(CATALOGUE_LANGUAGES, error=f"one of {', '.join(CATALOGUE_LANGUAGES)}"), **kwargs
    )


class ShareLinkInput(_Strict):
    """The link opens the catalogue in ``language`` (a reader can switch) until ``expires_in_days`` have passed."""

    language = _language(load_default="en")
    expires_in_days = fields.Integer(strict=True, load_default=90, validate=validate.Range(min=1, max=365))


class PageQuery(_Strict):
    language = _language(load_default=None)


class QuotedItemInput(_Strict):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_QUANTITY))


class QuoteRequestInput(_Strict):
    """Who asks, how to answer them (an e-mail address or a phone number, at least one), how many of which of the
    catalogue's offerings, and what else they want to say. Blank optional fields count as not given, as a form
    sends them."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    company = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\+[1-9][0-9]{6,14}$", error="an international number (E.164), e.g. +81312345678"),
    )
    country = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(COUNTRIES, error="an ISO 3166 country code of two letters, e.g. JP"),
    )
    language = _language(load_default=None)
    items = fields.List(fields.Nested(QuotedItemInput), required=True, validate=validate.Length(max=MAX_QUOTE_ITEMS))
    message = fields.String(load_default="", validate=validate.Length(max=MAX_MESSAGE_CHARS))

    @pre_load
    def tidy(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        tidied = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
        for key in ("email", "phone", "country", "language"):
            if tidied.get(key) == "":
                del tidied[key]
        if isinstance(tidied.get("phone"), str):
            tidied["phone"] = tidied["phone"].translate(_PHONE_SEPARATORS)
        if isinstance(tidied.get("country"), str):
            tidied["country"] = tidied["country"].upper()
        return tidied

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def answerable_and_asking(self, data, original_data, **kwargs):
        """Every problem at once, so a buyer fixes the form in one go; a way to answer that is given but mistyped
        is its own field's problem."""
        errors: dict[str, list[str]] = {}
        given = isinstance(original_data, dict) and any(
            str(original_data.get(key) or "").strip() for key in ("email", "phone")
        )
        if not given:
            errors["email"] = [NO_WAY_TO_ANSWER]
        # An item whose own fields were refused comes here without them.
        items = [item for item in data.get("items") or () if isinstance(item, dict)]
        skus = [item["sku"] for item in items if "sku" in item]
        twice = sorted({sku for sku in skus if skus.count(sku) > 1})
        if twice:
            errors["items"] = [f"{sku} is given twice" for sku in twice]
        elif "items" in data and not any(item.get("quantity", 0) >= 1 for item in items):
            errors["items"] = [NOTHING_ASKED]
        if errors:
            raise ValidationError(errors)


class QuoteRequestSearch(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    organisation_id = fields.String(validate=validate.Length(min=1, max=64))
    catalogue = fields.String(validate=validate.Length(min=1, max=64))
