"""Inputs of the consolidation service's RPC API."""
from marshmallow import Schema, fields, validate

from services.consolidation.domain import STATUS_FLOW


class StatusInput(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUS_FLOW))


class ShipmentFilter(Schema):
    status = fields.String(validate=validate.OneOf(STATUS_FLOW))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
