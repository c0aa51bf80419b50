"""What consolidation answers through the API: hubs, vehicles, shipments with their lots, pickups and freight
shares, and a planning run, as the OpenAPI document describes them (examples: ``answers.examples.json``).

A buyer is shown its own part of a shipment: the journey, and of the load only its orders' lots, weight and freight
shares. The fields only the organisation's staff see are therefore not required here, and say so."""

from marshmallow import Schema

from services.consolidation.domain import VEHICLE_MODES, VEHICLE_ROLES
from shared.answer_fields import Page, amount, count, day, listing, moment, nested, number, one_of, text, texts
from shared.contract import SHIPMENT_STATUSES, DestinationSchema

STAFF_ONLY = "not in a buyer's part of the shipment"


def _staff_only(field):
    field.required = False
    field.metadata = {**field.metadata, "description": STAFF_ONLY}
    return field


class HubView(Schema):
    id = text()
    name = text()
    latitude = number()
    longitude = number()
    timezone = text("IANA time zone")
    handling_hours = count("hours a lot spends at the hub before it can leave")
    created_at = moment()


class HubPage(Page):
    items = listing(HubView)


class VehicleView(Schema):
    id = text()
    name = text()
    role = one_of(VEHICLE_ROLES, "pickup collects from producers; line_haul carries shipments to buyers' cities")
    mode = one_of(VEHICLE_MODES)
    capacity_weight_kg = count()
    capacity_volume_m3 = amount()
    cost_per_km = amount()
    cost_per_trip = amount()
    currency = text("the freight currency")
    speed_kmh = count()
    created_at = moment()


class VehiclePage(Page):
    items = listing(VehicleView)


class Named(Schema):
    id = text()
    name = text()


class ShipmentLot(Schema):
    lot_id = text()
    order_id = text()
    line_id = text()
    quantity = count()
    producer_id = text()
    offering_id = text()
    weight_kg = amount()
    volume_m3 = amount()
    distance_km = amount("from the producer to the hub")
    pickup_on = day(nullable=True)
    pickup_note = text("how it reaches the hub when no pickup route fetches it", nullable=True)
    route_id = _staff_only(text(nullable=True))
    freight_share = amount("its share of the freight cost")


class Stop(Schema):
    producer_id = text()
    name = text(nullable=True)
    village = text(nullable=True)


class PickupRoute(Schema):
    id = text()
    vehicle = nested(Named)
    pickup_on = day()
    stops = listing(Stop)
    distance_km = amount()
    cost = amount()
    this_shipment = amount("the part of the route's cost this shipment's lots carry")


class LineHaul(Schema):
    distance_km = amount()
    cost = amount()


class LineFreight(Schema):
    order_id = text()
    line_id = text()
    weight_kg = amount()
    pickup = amount()
    main = amount()
    share = amount()


class ProducerFreight(Schema):
    producer_id = text()
    name = text(nullable=True)
    weight_kg = amount()
    share = amount()


class Freight(Schema):
    currency = text()
    cost = _staff_only(amount())
    line_haul = _staff_only(nested(LineHaul))
    pickups = _staff_only(amount())
    rule = text("how the cost is shared")
    order_lines = listing(LineFreight)
    producers = _staff_only(listing(ProducerFreight))
    share = amount("the buyer's orders' share: in a buyer's part only", required=False)


class TrackingEvent(Schema):
    status = one_of(SHIPMENT_STATUSES)
    reason = text(nullable=True)
    at = moment()


class ShipmentView(Schema):
    id = text()
    organisation_id = text()
    status = one_of(SHIPMENT_STATUSES)
    status_reason = text("why it is in exception", nullable=True)
    destination = nested(DestinationSchema)
    hub = nested(Named)
    vehicle = nested(Named, "the line-haul vehicle")
    planned_at = moment()
    updated_at = moment()
    dispatch_reason = one_of(("requested", "full", "due"))
    dispatch_on = day(nullable=True)
    arrives_on = day(nullable=True)
    latest_dispatch_on = day(nullable=True)
    fill = _staff_only(amount("the share of the vehicle it fills"))
    units = count()
    weight_kg = amount()
    volume_m3 = _staff_only(amount())
    orders = texts("the orders it carries (the same as order_ids)")
    order_ids = texts()
    lots = listing(ShipmentLot)
    pickup_routes = _staff_only(listing(PickupRoute))
    freight = nested(Freight)
    tracking = listing(TrackingEvent)


class ShipmentPage(Page):
    items = listing(ShipmentView)


class WaitingLot(Schema):
    lot_id = text()
    order_id = text()
    producer_id = text()
    reason = text("why it does not leave yet")
    next_pickup_on = day(nullable=True)


class PlanView(Schema):
    items = listing(ShipmentView, "the shipments planned now")
    waiting = listing(WaitingLot)
