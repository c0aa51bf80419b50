"""Users and API keys from the command line: how the first admin comes to be, and how machine clients get keys."""

from contextlib import contextmanager
from datetime import datetime, timezone

from services.gateway import accounts
from shared import migrations
from shared.errors import NotFound
from shared.store import Database, UnitOfWork


@contextmanager
def _accounts():
    migrations.upgrade("gateway")
    database = Database("gateway", outbox=None, inbox=None)
    try:
        with database.transaction() as uow:
            yield uow
    finally:
        database.engine.dispose()


def _create(
    uow: UnitOfWork, username: str, password: str, role: str, organisation_id: str | None, producer_id: str | None
) -> dict:
    return accounts.create_user(
        uow,
        {
            "username": username,
            "password": password,
            "role": role,
            "organisation_id": organisation_id,
            "producer_id": producer_id,
        },
        datetime.now(timezone.utc),
    )


def create(
    username: str, password: str, role: str, organisation_id: str | None = None, producer_id: str | None = None
) -> dict:
    with _accounts() as uow:
        return _create(uow, username, password, role, organisation_id, producer_id)


def api_key(username: str, name: str) -> str:
    with _accounts() as uow:
        owner = accounts.user_by_name(uow, username)
        return accounts.create_api_key(uow, owner, name, datetime.now(timezone.utc))["key"]


def ensure(
    username: str, password: str, role: str, organisation_id: str | None = None, producer_id: str | None = None
) -> None:
    """The user exists with this password, whether or not an earlier run made it."""
    with _accounts() as uow:
        try:
            accounts.user_by_name(uow, username)
        except NotFound:
            _create(uow, username, password, role, organisation_id, producer_id)
        else:
            accounts.set_password(uow, username, password)
