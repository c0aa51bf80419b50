"""Inputs of the aggregation service's RPC API."""
from marshmallow import Schema, fields, validate


class LotInput(Schema):
    quota_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class InspectionInput(Schema):
    inspector = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sample_size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    defects = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    acceptance_number = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class QuotaFilter(Schema):
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String(validate=validate.OneOf(("offered", "accepted", "declined")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class LotFilter(Schema):
    order_id = fields.String()
    producer_id = fields.String()
    status = fields.String(validate=validate.OneOf(("reported", "passed", "failed")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
