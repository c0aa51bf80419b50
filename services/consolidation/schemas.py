"""Inputs of the consolidation service's RPC API."""

from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.consolidation.domain import DISPATCH_MODES, EXCEPTION, VEHICLE_MODES, VEHICLE_ROLES
from shared.contract import SHIPMENT_STATUSES


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _whole_cents(value: Decimal) -> None:
    try:
        whole = value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        whole = False
    if not whole:
        raise ValidationError("an amount in whole cents, e.g. 2.40")


def _amount():
    return fields.Decimal(
        required=True, as_string=True, validate=[validate.Range(min=0, max=Decimal("1e9")), _whole_cents]
    )


def _name():
    return fields.String(required=True, validate=validate.Length(min=1, max=200))


def _time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationError("an IANA time zone, e.g. Pacific/Port_Moresby") from None


class HubInput(Strict):
    """``timezone``: the hub's, which says on which day its producers' roads are open and their flights call."""

    name = _name()
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    timezone = fields.String(required=True, validate=[validate.Length(min=1, max=64), _time_zone])
    handling_hours = fields.Integer(load_default=24, strict=True, validate=validate.Range(min=0, max=24 * 30))


class VehicleInput(Strict):
    """A kind of vehicle: ``pickup`` collects from producers, ``line_haul`` carries combined shipments to buyers'
    cities. Costs are in the freight currency."""

    name = _name()
    role = fields.String(required=True, validate=validate.OneOf(VEHICLE_ROLES))
    mode = fields.String(required=True, validate=validate.OneOf(VEHICLE_MODES))
    capacity_weight_kg = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    capacity_volume_m3 = fields.Decimal(
        required=True, as_string=True, places=3, validate=validate.Range(min=Decimal("0.001"), max=100_000)
    )
    cost_per_km = _amount()
    cost_per_trip = _amount()
    speed_kmh = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000))


class PlanInput(Strict):
    """``auto``: only loads that are full enough or due to leave; ``now``: every lot waiting, at once."""

    dispatch = fields.String(load_default="auto", validate=validate.OneOf(DISPATCH_MODES))


class TrackingInput(Strict):
    status = fields.String(required=True, validate=validate.OneOf(SHIPMENT_STATUSES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500))
    at = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _exception_says_why(self, data, **kwargs):
        if data["status"] == EXCEPTION and not (data.get("reason") or "").strip():
            raise ValidationError("an exception needs a reason", "reason")


class PageFilter(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class VehicleFilter(PageFilter):
    role = fields.String(validate=validate.OneOf(VEHICLE_ROLES))


class ShipmentFilter(PageFilter):
    """``buyer_organisation_id``: a buyer's shipments, each cut down to that buyer's part."""

    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES))
    order_id = fields.String(validate=validate.Length(min=1, max=64))
    hub_id = fields.String(validate=validate.Length(min=1, max=64))
    organisation_id = fields.String(validate=validate.Length(min=1, max=64))
    buyer_organisation_id = fields.String(validate=validate.Length(min=1, max=64))


class ManifestInput(Schema):
    format = fields.String(required=True, validate=validate.OneOf(("pdf", "csv")))
    order_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
