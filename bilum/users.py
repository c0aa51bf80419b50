"""Users and API keys from the command line: how the first admin comes to be, and how machine clients get keys."""
from datetime import datetime, timezone

from services.gateway import accounts
from shared import migrations
from shared.errors import NotFound
from shared.store import Database


def _database() -> Database:
    migrations.upgrade("gateway")
    return Database("gateway", outbox=None, inbox=None)


def create(username: str, password: str, role: str, organisation_id: str | None = None,
           producer_id: str | None = None) -> dict:
    database = _database()
    try:
        with database.transaction() as session:
            return accounts.create_user(session, {"username": username, "password": password, "role": role,
                                                  "organisation_id": organisation_id, "producer_id": producer_id},
                                        datetime.now(timezone.utc))
    finally:
        database.engine.dispose()


def api_key(username: str, name: str) -> str:
    database = _database()
    try:
        with database.transaction() as session:
            owner = accounts.user_by_name(session, username)
            return accounts.create_api_key(session, owner, name, datetime.now(timezone.utc))["key"]
    finally:
        database.engine.dispose()


def ensure(username: str, password: str, role: str, organisation_id: str | None = None,
           producer_id: str | None = None) -> None:
    """The user exists with this password, whether or not an earlier run made it."""
    database = _database()
    try:
        with database.transaction() as session:
            try:
                accounts.user_by_name(session, username)
            except NotFound:
                accounts.create_user(session, {"username": username, "password": password, "role": role,
                                               "organisation_id": organisation_id, "producer_id": producer_id},
                                     datetime.now(timezone.utc))
            else:
                accounts.set_password(session, username, password)
    finally:
        database.engine.dispose()
