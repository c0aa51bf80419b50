"""Inputs of the catalogue service's API, validated field by field before anything is written."""

import base64
import binascii

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.catalogue.domain import DEFAULT_MIN_QUOTA
from services.catalogue.language_schemas import ContactInput, OfferingTexts, ThemeTexts, translations_field
from shared.bounds import MAX_AMOUNT, MAX_QUANTITY, MAX_UNIT_VOLUME_CM3, MAX_UNIT_WEIGHT_G
from shared.contract import DEFECT_CLASSES, INSPECTION_LEVELS, REJECTED_LOT_ACTIONS, REMOTENESS
from shared.weeks import IsoWeek

# ISO 2859-1's preferred AQL values; an inspector can only be given a plan for one of these.
AQL_VALUES = (
    0.010,
    0.015,
    0.025,
    0.040,
    0.065,
    0.10,
    0.15,
    0.25,
    0.40,
    0.65,
    1.0,
    1.5,
    2.5,
    4.0,
    6.5,
    10.0,
    15.0,
    25.0,
    40.0,
    65.0,
    100.0,
    150.0,
    250.0,
    400.0,
    650.0,
    1000.0,
)
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 200 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg")
APPROVAL_STAGES = ("sample", "prototype")
APPROVAL_STATUSES = ("pending", "approved", "rejected")
ARRANGEMENTS = ("colour", "price", "capacity", "none")


class Strict(Schema):
    """Unknown fields are refused: a client cannot slip in an owner, a status or a price it may not set."""

    class Meta:
        unknown = RAISE


def _text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class ProducerInput(Strict):
    organisation_id = _text(64, required=True)
    name = _text(200, required=True)
    village = _text(200, required=True)
    district = _text(200, required=True)
    region = _text(200, required=True)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. PG"))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    remoteness = fields.String(required=True, validate=validate.OneOf(REMOTENESS))
    closed_months = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=12)), load_default=list)
    service_weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=0, max=6)), load_default=list
    )
    mobile = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\+[1-9][0-9]{6,14}$", error="E.164, e.g. +67570000000"),
    )
    email = fields.Email(load_default=None, allow_none=True)
    webhook_url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"})
    languages = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$", error="ISO 639 code")), load_default=list
    )


class ProducerUpdate(ProducerInput):
    """Every field of a producer but its organisation can change; only the fields sent are changed."""

    class Meta:
        unknown = RAISE
        exclude = ("organisation_id",)


class AttributesInput(Strict):
    materials = _text(200, load_default=None)
    colour = _text(50, load_default=None)
    size = _text(100, load_default=None)
    story = fields.String(load_default=None, validate=validate.Length(max=2000))


class ImageInput(Strict):
    content_type = fields.String(required=True, validate=validate.OneOf(IMAGE_TYPES))
    data = fields.String(required=True)

    @validates_schema
    def decodes(self, data, **kwargs):
        try:
            raw = base64.b64decode(data["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("not base64", "data") from None
        if len(raw) > MAX_IMAGE_BYTES:
            raise ValidationError(f"an image is at most {MAX_IMAGE_BYTES // 1024} KiB", "data")
        signature = b"\x89PNG" if data["content_type"] == "image/png" else b"\xff\xd8"
        if not raw.startswith(signature):
            raise ValidationError(f"the data is not a {data['content_type']} image", "data")


class CriterionInput(Strict):
    name = _text(200, required=True)
    defect_class = fields.String(required=True, validate=validate.OneOf(DEFECT_CLASSES))


class QualityStandardInput(Strict):
    aql = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DEFECT_CLASSES)),
        values=fields.Float(validate=validate.OneOf(AQL_VALUES, error="not an ISO 2859-1 AQL")),
        required=True,
        validate=validate.Length(min=1),
    )
    inspection_level = fields.String(load_default="II", validate=validate.OneOf(INSPECTION_LEVELS))
    criteria = fields.List(fields.Nested(CriterionInput), load_default=list)
    rejected_lot_action = fields.String(load_default="ask", validate=validate.OneOf(REJECTED_LOT_ACTIONS))
    min_pass_rate = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1))
    reduced_inspection = fields.Boolean(load_default=False)

    @validates_schema
    def criteria_have_an_aql(self, data, **kwargs):
        missing = sorted({c["defect_class"] for c in data.get("criteria", [])} - set(data.get("aql", {})))
        if missing:
            raise ValidationError(f"no AQL for the defect classes {', '.join(missing)}", "criteria")


COUNTRY_CODE = validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 alpha-2 code in capitals, e.g. PG")
MAX_MARKETS = 30


class MarketRequirementInput(Strict):
    """What one destination market asks of the goods; ``market`` is a country code, or EU for the whole union."""

    market = fields.String(required=True, validate=COUNTRY_CODE)
    packaging = _text(500, required=True)
    labelling = _text(500, required=True)
    certifications = fields.List(_text(100), load_default=list, validate=validate.Length(max=10))


class OfferingInput(Strict):
    organisation_id = _text(64, required=True)
    sku = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{0,63}$", error="upper-case letters, digits and dashes"),
    )
    name = _text(200, required=True)
    description = fields.String(required=True, validate=validate.Length(max=5000))
    unit_price = fields.Decimal(
        required=True, places=2, validate=validate.Range(min=0, max=MAX_AMOUNT, min_inclusive=False)
    )
    producer_price = fields.Decimal(
        required=True, places=2, validate=validate.Range(min=0, max=MAX_AMOUNT, min_inclusive=False)
    )
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    # Per unit, paid by the buyer within the unit price to the organisation's fair-trade premium fund (none if absent).
    fair_trade_premium = fields.Decimal(places=2, validate=validate.Range(min=0, max=MAX_AMOUNT))
    unit_weight_g = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_UNIT_WEIGHT_G))
    unit_volume_cm3 = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_UNIT_VOLUME_CM3)
    )
    attributes = fields.Nested(AttributesInput, load_default=lambda: AttributesInput().load({}))
    images = fields.List(fields.Nested(ImageInput), load_default=list, validate=validate.Length(max=MAX_IMAGES))
    quality_standard = fields.Nested(
        QualityStandardInput, load_default=lambda: QualityStandardInput().load({"aql": {"major": 2.5}})
    )
    min_order = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    min_quota = fields.Integer(
        load_default=DEFAULT_MIN_QUOTA, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY)
    )
    # For export documents: the Harmonized System code (its 6 digits, or a national extension of up to 10), the
    # country of origin, and what each destination market asks of packaging, labels and certificates.
    hs_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[0-9]{6,10}$", error="6 to 10 digits, no dots, e.g. 420222"),
    )
    origin_country = fields.String(load_default=None, allow_none=True, validate=COUNTRY_CODE)
    markets = fields.List(
        fields.Nested(MarketRequirementInput), load_default=list, validate=validate.Length(max=MAX_MARKETS)
    )
    translations = translations_field(OfferingTexts)

    @validates_schema
    def one_entry_per_market(self, data, **kwargs):
        named = [entry["market"] for entry in data.get("markets", [])]
        twice = sorted({market for market in named if named.count(market) > 1})
        if twice:
            raise ValidationError(f"each market once: {', '.join(twice)} is given more than once", "markets")


class WithdrawInput(Strict):
    reason = _text(500, required=True)


class ApprovalInput(Strict):
    producer_id = _text(64, required=True)
    stage = fields.String(required=True, validate=validate.OneOf(APPROVAL_STAGES))
    status = fields.String(required=True, validate=validate.OneOf(APPROVAL_STATUSES))
    decided_on = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def decision_has_a_date(self, data, **kwargs):
        if data["status"] != "pending" and data["decided_on"] is None:
            raise ValidationError("the date of the decision is needed when it is approved or rejected", "decided_on")


class WeekInput(Strict):
    week = IsoWeek(required=True)
    units = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))


class CapacityInput(Strict):
    offering_id = _text(64, required=True)
    weeks = fields.List(fields.Nested(WeekInput), required=True, validate=validate.Length(min=1, max=104))
    lead_time_days = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=365))
    min_lot = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))

    @validates_schema
    def weeks_once(self, data, **kwargs):
        starts = [week["week"] for week in data.get("weeks", [])]
        if len(set(starts)) != len(starts):
            raise ValidationError("a week appears twice", "weeks")


class AvailabilityQuery(Schema):
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000_000))
    by = fields.Date(required=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ProducerSearch(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    organisation_id = _text(64)
    region = _text(200)
    district = _text(200)
    remoteness = fields.String(validate=validate.OneOf(REMOTENESS))
    offering_id = _text(64)
    available_by = fields.Date()
    min_available = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    q = _text(100)

    @validates_schema
    def availability_needs_offering(self, data, **kwargs):
        if "available_by" in data and "offering_id" not in data:
            raise ValidationError("available_by needs offering_id", "available_by")


class OfferingSearch(Schema):
    organisation_id = _text(64)
    status = fields.String(load_default="published", validate=validate.OneOf(("published", "withdrawn", "all")))
    colour = _text(50)
    materials = _text(200)
    min_price = fields.Decimal(validate=validate.Range(min=0))
    max_price = fields.Decimal(validate=validate.Range(min=0))
    region = _text(200)
    remoteness = fields.String(validate=validate.OneOf(REMOTENESS))
    available_by = fields.Date()
    min_available = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    q = _text(100)


class ThemeSelection(Strict):
    offering_ids = fields.List(_text(64), load_default=None)
    colour = _text(50, load_default=None)
    materials = _text(200, load_default=None)
    min_price = fields.Decimal(load_default=None, validate=validate.Range(min=0), as_string=True)
    max_price = fields.Decimal(load_default=None, validate=validate.Range(min=0), as_string=True)
    min_available = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_QUANTITY))
    available_by = fields.Date(load_default=None)


class ThemeInput(Strict):
    name = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="lower-case letters, digits and dashes"),
    )
    organisation_id = _text(64, required=True)
    title = _text(200, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    arrange_by = fields.String(load_default="none", validate=validate.OneOf(ARRANGEMENTS))
    selection = fields.Nested(ThemeSelection, load_default=lambda: ThemeSelection().load({}))
    how_to_order = fields.String(load_default="", validate=validate.Length(max=2000))
    contact = fields.Nested(ContactInput, load_default=None, allow_none=True)
    translations = translations_field(ThemeTexts)

    @validates_schema
    def availability_has_a_date(self, data, **kwargs):
        selection = data.get("selection") or {}
        if selection.get("min_available") and not selection.get("available_by"):
            raise ValidationError("min_available needs available_by", "selection")
