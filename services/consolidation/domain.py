"""Hubs, vehicles, producers' access, the dispatch rule and the life of a shipment. Plain Python."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.contract import SHIPMENT_STATUSES
from shared.errors import Conflict

PLANNED, PICKED_UP, AT_HUB, IN_TRANSIT, DELIVERED, EXCEPTION = SHIPMENT_STATUSES
STATUS_FLOW = (PLANNED, PICKED_UP, AT_HUB, IN_TRANSIT, DELIVERED)
VEHICLE_ROLES = ("pickup", "line_haul")
VEHICLE_MODES = ("road", "air", "water")
DISPATCH_MODES = ("auto", "now")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# A producer reached only by air or boat cannot be collected by a truck, and the other way round.
_MODES_REACHING = {"all_season_road": ("road",), "seasonal_road": ("road",), "air_or_boat": ("air", "water")}


@dataclass(frozen=True)
class Hub:
    """``timezone`` (IANA) says which day it is at the hub and its producers: a flight day is a local day."""

    hub_id: str
    name: str
    latitude: float
    longitude: float
    handling_hours: int
    timezone: str = "UTC"

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class Vehicle:
    """A kind of vehicle, as many of it as a plan needs; ``role`` says whether it collects from producers (pickup)
    or carries a combined shipment from a hub to its destination (line_haul)."""

    vehicle_id: str
    name: str
    role: str
    mode: str
    capacity_weight_kg: int
    capacity_volume_m3: Decimal
    cost_per_km: Decimal
    cost_per_trip: Decimal
    speed_kmh: int

    def trip_cost(self, km: Decimal) -> Decimal:
        return (self.cost_per_trip + self.cost_per_km * km).quantize(Decimal("0.01"))

    def chargeable_kg(self, weight_kg: Decimal, volume_m3: Decimal) -> Decimal:
        """A load's weight, or the weight of the vehicle's capacity its volume takes up if that is more (the
        carriers' volumetric weight): a vehicle loaded to its chargeable capacity is within both limits."""
        return max(weight_kg, volume_m3 * self.capacity_weight_kg / self.capacity_volume_m3)

    def fill(self, weight_kg: Decimal, volume_m3: Decimal) -> Decimal:
        return max(weight_kg / self.capacity_weight_kg, volume_m3 / self.capacity_volume_m3)


@dataclass(frozen=True)
class Access:
    remoteness: str
    closed_months: tuple = ()
    service_weekdays: tuple = ()


@dataclass(frozen=True)
class Producer:
    producer_id: str
    name: str
    village: str
    latitude: float
    longitude: float
    access: Access


@dataclass(frozen=True)
class Offering:
    """``organisation_id``: the aggregator organisation that sells it, whose shipments carry its lots."""

    offering_id: str
    sku: str
    name: str
    unit_weight_g: int
    unit_volume_cm3: int
    organisation_id: str = ""


@dataclass(frozen=True)
class Order:
    order_id: str
    buyer_name: str
    destination: dict
    due_date: date | None
    cancelled: bool = False


@dataclass(frozen=True)
class ReadyLot:
    """A lot that passed inspection and waits at its producer for a shipment."""

    lot_id: str
    order_id: str
    line_id: str
    producer_id: str
    offering_id: str
    quantity: int


def modes_reaching(access: Access) -> tuple:
    return _MODES_REACHING[access.remoteness]


def closed_reason(access: Access, day: date) -> str | None:
    """Why the producer cannot be collected from on ``day``, or None when it can."""
    if day.month in access.closed_months:
        return f"the road is closed in {MONTHS[day.month - 1]}"
    if access.service_weekdays and day.weekday() not in access.service_weekdays:
        days = " and ".join(WEEKDAYS[weekday] for weekday in sorted(access.service_weekdays))
        return f"the flight or boat calls on {days} only"
    return None


def next_open_day(access: Access, day: date) -> date | None:
    """The first day from ``day`` on which the producer can be collected from; None when no day of the year is."""
    for offset in range(366):
        candidate = day + timedelta(days=offset)
        if closed_reason(access, candidate) is None:
            return candidate
    return None


def transit_days(hub: Hub, vehicle: Vehicle, km: Decimal) -> int:
    """Handling at the hub and the line-haul, in whole days."""
    hours = hub.handling_hours + km / vehicle.speed_kmh
    return math.ceil(hours / 24)


def latest_dispatch(due_date: date | None, days_in_transit: int) -> date | None:
    """The last day a shipment can leave the hub and still reach the buyer by the due date."""
    return None if due_date is None else due_date - timedelta(days=days_in_transit)


def dispatch_reason(fill: Decimal, threshold: Decimal, today: date, latest: date | None, forced: bool) -> str | None:
    """Why a line-haul load leaves now (``requested``, ``full`` or ``due``), or None when it waits for more lots.

    A load waits to fill up because a part-empty container costs as much as a full one; it stops waiting when an
    order in it would otherwise be late."""
    if forced:
        return "requested"
    if fill >= threshold:
        return "full"
    if latest is not None and today >= latest:
        return "due"
    return None


def destination_key(destination: dict) -> tuple:
    """Lots for buyers in one city share the line-haul; the last mile is the buyer's own address."""
    return destination["country"].upper(), destination["city"].strip().casefold()


def line_haul_destination(destination: dict) -> dict:
    """Where a combined shipment goes: the city, not any one buyer's address."""
    return {
        "name": f"{destination['city'].strip()}, {destination['country'].upper()}",
        "city": destination["city"].strip(),
        "country": destination["country"].upper(),
        "latitude": destination["latitude"],
        "longitude": destination["longitude"],
    }


def check_transition(current: str, requested: str, before_exception: str | None = None) -> bool:
    """Whether moving to ``requested`` changes the shipment; repeating the current status is a harmless no-op.

    A shipment moves forward along planned, picked_up, at_hub, in_transit, delivered; pickup and hub arrival may go
    unreported, but it is in transit before it is delivered (the buyer's ledger counts units shipped on that step).
    An exception can happen at any step but delivery; the shipment then resumes at a later step than the one it was
    at, so no step is counted twice."""
    if requested not in SHIPMENT_STATUSES:
        raise ValueError(f"unknown shipment status {requested!r}")
    if requested == current:
        return False
    if current == DELIVERED:
        raise Conflict("the shipment is delivered: its tracking is closed")
    if requested == EXCEPTION:
        return True
    reached = before_exception if current == EXCEPTION else current
    if STATUS_FLOW.index(requested) <= STATUS_FLOW.index(reached):
        raise Conflict(f"a shipment moves forward ({' -> '.join(STATUS_FLOW)}); this one has reached {reached}")
    if requested == DELIVERED and reached != IN_TRANSIT:
        raise Conflict(f"a shipment is in transit before it is delivered; this one has reached {reached}")
    return True
