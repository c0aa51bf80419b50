"""Inputs of the aggregation service's RPC API."""

from marshmallow import RAISE, Schema, fields, validate

from shared.bounds import MAX_QUANTITY
from shared.contract import DEFECT_CLASSES, QUOTA_PROGRESS

QUOTA_STATES = ("offered", *QUOTA_PROGRESS, "declined", "expired", "released")

MAX_PHOTO_BASE64 = 280_000  # about 200 KiB of image


class Strict(Schema):
    class Meta:
        unknown = RAISE


class AcceptInput(Strict):
    quantity = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY)
    )


class DeclineInput(Strict):
    reason = fields.String(load_default="no reason given", validate=validate.Length(min=1, max=500))


class WidenInput(Strict):
    needed_by = fields.Date(load_default=None, allow_none=True)
    ask_again = fields.Boolean(load_default=False)


class PromiseInput(Strict):
    offering_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class PhotoInput(Strict):
    content_type = fields.String(required=True, validate=validate.OneOf(("image/png", "image/jpeg")))
    data = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PHOTO_BASE64))


class LotInput(Strict):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    client_ref = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    photos = fields.List(fields.Nested(PhotoInput), load_default=list, validate=validate.Length(max=3))


class FindingInput(Strict):
    criterion = fields.String(required=True, validate=validate.Length(min=1, max=200))
    defect_class = fields.String(required=True, validate=validate.OneOf(DEFECT_CLASSES))
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))


class InspectionInput(Strict):
    inspector = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organisation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    findings = fields.List(fields.Nested(FindingInput), required=True)


class DispositionInput(Strict):
    action = fields.String(required=True, validate=validate.OneOf(("rework", "replace")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class AllocationSettingsInput(Strict):
    fairness_window_weeks = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=52))


class QuotaFilter(Schema):
    """``organisation_id``: quotas of that organisation's offerings only."""

    organisation_id = fields.String(validate=validate.Length(min=1, max=64))
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String(validate=validate.OneOf(QUOTA_STATES))
    finished = fields.Boolean(load_default=None, allow_none=True)
    newest_first = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class LotFilter(Schema):
    """``organisation_id``: lots of that organisation's offerings only."""

    organisation_id = fields.String(validate=validate.Length(min=1, max=64))
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String(validate=validate.OneOf(("reported", "passed", "failed", "rework", "replaced")))
    newest_first = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
