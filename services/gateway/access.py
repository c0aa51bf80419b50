"""Object-level authorisation: which tenant's things a caller may see or touch. Plain Python.

Roles decide which operations a caller may call at all (declared on each route); these rules decide which objects.
An object of another tenant answers 404, as if it did not exist: a 403 would confirm that it does."""

from services.gateway.auth import ADMIN, AGGREGATOR, BUYER, INSPECTOR, PRODUCER, Principal


def may_act_on(
    principal: Principal,
    *,
    organisation_id: str | None = None,
    producer_id: str | None = None,
    buyer_organisation_id: str | None = None,
) -> bool:
    """The owners of one object, as the object names them; a caller matches the owner its role acts for."""
    if principal.role == ADMIN:
        return True
    if principal.role in (AGGREGATOR, INSPECTOR):
        return organisation_id is not None and organisation_id == principal.organisation_id
    if principal.role == BUYER:
        return buyer_organisation_id is not None and buyer_organisation_id == principal.organisation_id
    if principal.role == PRODUCER:
        return producer_id is not None and producer_id == principal.producer_id
    return False


def list_filters(principal: Principal) -> dict:
    """Filters a list query must carry for this caller; they replace any the client sent under the same names."""
    if principal.role == ADMIN:
        return {}
    if principal.role in (AGGREGATOR, INSPECTOR):
        return {"organisation_id": principal.organisation_id}
    if principal.role == BUYER:
        return {"buyer_organisation_id": principal.organisation_id}
    return {"producer_id": principal.producer_id}


def owner_fields(principal: Principal, body: dict, field: str = "organisation_id") -> dict:
    """A created object belongs to the caller's organisation: an admin names it, anyone else may only name their own."""
    if principal.role == ADMIN:
        return body
    given = body.get(field)
    if given is not None and given != principal.organisation_id:
        raise PermissionError(f"{field} is set from your credentials; you cannot create for {given!r}")
    return {**body, field: principal.organisation_id}


def staff_of(principal: Principal) -> str | None:
    """The organisation whose internal figures (what its producers are paid) the caller may see: "*" for an admin."""
    if principal.role == ADMIN:
        return "*"
    if principal.role in (AGGREGATOR, INSPECTOR):
        return principal.organisation_id
    return None
