"""The hubs lots are consolidated at and the vehicles that carry them: what an operator registers."""

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.consolidation import settings
from services.consolidation.schemas import HubInput, PageFilter, VehicleFilter, VehicleInput
from services.consolidation.store import hubs, vehicles
from services.consolidation.views import fixed
from shared.errors import Conflict, load_or_refuse
from shared.ids import new_id
from shared.store import UnitOfWork, page_of, paged


def _hub_view(row) -> dict:
    return {
        "id": row.hub_id,
        "name": row.name,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "timezone": row.timezone,
        "handling_hours": row.handling_hours,
        "created_at": row.created_at.isoformat(),
    }


def _vehicle_view(row, currency: str) -> dict:
    return {
        "id": row.vehicle_id,
        "name": row.name,
        "role": row.role,
        "mode": row.mode,
        "capacity_weight_kg": row.capacity_weight_kg,
        "capacity_volume_m3": fixed(row.capacity_volume_m3, 3),
        "cost_per_km": fixed(row.cost_per_km, 2),
        "cost_per_trip": fixed(row.cost_per_trip, 2),
        "currency": currency,
        "speed_kmh": row.speed_kmh,
        "created_at": row.created_at.isoformat(),
    }


def _refuse_taken_name(session: Session, table, name: str) -> None:
    if session.execute(select(table.c.name).where(func.lower(table.c.name) == name.lower())).scalar() is not None:
        raise Conflict(f"the name {name!r} is taken")


def create_hub(uow: UnitOfWork, body: dict) -> dict:
    session = uow.session
    data = load_or_refuse(HubInput(), body, "hub")
    _refuse_taken_name(session, hubs, data["name"])
    hub_id = new_id("hub")
    session.execute(hubs.insert().values(hub_id=hub_id, created_at=datetime.now(timezone.utc), **data))
    return _hub_view(session.execute(select(hubs).where(hubs.c.hub_id == hub_id)).one())


def list_hubs(uow: UnitOfWork, query: dict) -> dict:
    session = uow.session
    filters = load_or_refuse(PageFilter(), query, "query")
    rows, total = page_of(session, hubs, [], (hubs.c.name,), filters["page"], filters["page_size"])
    return paged([_hub_view(row) for row in rows], filters["page"], filters["page_size"], total)


def create_vehicle(uow: UnitOfWork, body: dict) -> dict:
    session = uow.session
    data = load_or_refuse(VehicleInput(), body, "vehicle")
    _refuse_taken_name(session, vehicles, data["name"])
    vehicle_id = new_id("veh")
    session.execute(vehicles.insert().values(vehicle_id=vehicle_id, created_at=datetime.now(timezone.utc), **data))
    return _vehicle_view(
        session.execute(select(vehicles).where(vehicles.c.vehicle_id == vehicle_id)).one(),
        settings.load().freight_currency,
    )


def list_vehicles(uow: UnitOfWork, query: dict) -> dict:
    session = uow.session
    filters = load_or_refuse(VehicleFilter(), query, "query")
    conditions = [vehicles.c.role == filters["role"]] if "role" in filters else []
    rows, total = page_of(
        session, vehicles, conditions, (vehicles.c.role, vehicles.c.name), filters["page"], filters["page_size"]
    )
    currency = settings.load().freight_currency
    return paged([_vehicle_view(row, currency) for row in rows], filters["page"], filters["page_size"], total)
