"""A consolidation plan's vocabulary: the situation the planner is given (lots waiting, hubs, vehicles, offerings,
orders, producers), and what it decides (pickup routes, shipments, lots left waiting and why). Plain data."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.consolidation import freight
from services.consolidation.domain import Hub, Offering, Order, Producer, ReadyLot, Vehicle


@dataclass(frozen=True)
class Situation:
    """Everything a plan is made from: the lots waiting and what the service knows about them."""

    now: datetime
    lots: list[ReadyLot]
    orders: dict[str, Order]
    offerings: dict[str, Offering]
    producers: dict[str, Producer]
    hubs: list[Hub]
    vehicles: list[Vehicle]
    fill_threshold: Decimal
    forced: bool = False
    time_limit_s: float = 2.0
    max_iterations: int | None = 2000


@dataclass(frozen=True)
class Waiting:
    lot_id: str
    order_id: str
    producer_id: str
    reason: str
    next_pickup_on: date | None = None


@dataclass(frozen=True)
class PickupRoute:
    number: int
    hub: Hub
    vehicle: Vehicle
    pickup_on: date
    stops: list[str]
    km: Decimal
    cost: Decimal


@dataclass(frozen=True)
class PlannedLot:
    lot: ReadyLot
    offering: Offering
    producer: Producer
    weight_kg: Decimal
    volume_m3: Decimal
    hub_km: Decimal
    pickup_on: date
    pickup_note: str | None
    route: int
    route_share: Decimal


@dataclass(frozen=True)
class PlannedShipment:
    organisation_id: str
    hub: Hub
    destination: dict
    vehicle: Vehicle
    line_haul_km: Decimal
    line_haul_cost: Decimal
    pickup_cost: Decimal
    lots: list[PlannedLot]
    fill: Decimal
    dispatch_reason: str
    dispatch_on: date
    arrives_on: date
    latest_dispatch_on: date | None

    @property
    def cost(self) -> Decimal:
        return self.line_haul_cost + self.pickup_cost

    @property
    def weight_kg(self) -> Decimal:
        return sum((lot.weight_kg for lot in self.lots), Decimal(0))

    @property
    def volume_m3(self) -> Decimal:
        return sum((lot.volume_m3 for lot in self.lots), Decimal(0))

    def carried(self) -> list[freight.CarriedLot]:
        return [
            freight.CarriedLot(
                lot.lot.lot_id,
                lot.lot.order_id,
                lot.lot.line_id,
                lot.lot.producer_id,
                lot.weight_kg,
                lot.hub_km + self.line_haul_km,
                lot.route_share,
            )
            for lot in self.lots
        ]


@dataclass(frozen=True)
class Plan:
    shipments: list[PlannedShipment] = field(default_factory=list)
    routes: list[PickupRoute] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
