"""Inputs of the orders service's RPC API."""

from marshmallow import Schema, fields, validate

from shared.bounds import MAX_QUANTITY
from shared.contract import DestinationSchema

MAX_LINES = 1000


class BuyerInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)


class LineInput(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class PlaceOrderInput(Schema):
    buyer = fields.Nested(BuyerInput, required=True)
    destination = fields.Nested(DestinationSchema, required=True)
    due_date = fields.Date(required=True)
    lines = fields.List(fields.Nested(LineInput), required=True, validate=validate.Length(min=1, max=MAX_LINES))


class CancelInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
