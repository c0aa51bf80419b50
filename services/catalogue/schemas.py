"""Inputs of the catalogue service's RPC API."""
from marshmallow import Schema, fields, validate

from shared.events import REMOTENESS


class ProducerInput(Schema):
    organisation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    village = fields.String(required=True, validate=validate.Length(min=1, max=200))
    district = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    remoteness = fields.String(required=True, validate=validate.OneOf(REMOTENESS))
    mobile = fields.String(load_default=None, validate=validate.Regexp(r"^\+[1-9][0-9]{6,14}$",
                                                                        error="E.164, e.g. +67570000000"))
    email = fields.Email(load_default=None)
    languages = fields.List(fields.String(validate=validate.Length(min=2, max=8)), load_default=list)


class OfferingInput(Schema):
    organisation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{0,63}$",
                                                                error="upper-case letters, digits and dashes"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(max=5000))
    unit_price = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, min_inclusive=False))
    producer_price = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, min_inclusive=False))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    unit_weight_g = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit_volume_cm3 = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    attributes = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class CapacityInput(Schema):
    offering_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    units = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
