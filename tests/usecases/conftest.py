"""Use cases on a real database, without a broker: each test gets a fresh SQLite file with the service's schema.

The layer between unit tests (pure rules) and integration tests (services on RabbitMQ and PostgreSQL): what a use case
writes and which events it emits, in milliseconds.
"""

import importlib
import json

import pytest

from shared.events import Event
from shared.store import Database, make_engine


class ServiceDb:
    """One service's database for a test: units of work, and the events they left in the outbox."""

    def __init__(self, service: str, tmp_path):
        store = importlib.import_module(f"services.{service}.store")
        self.database = Database(service, store.outbox, store.inbox, engine=_engine(tmp_path, service))
        store.metadata.create_all(self.database.engine)

    def __call__(self, use_case, *args, **kwargs):
        """Run ``use_case(uow, *args)`` in one committed unit of work, as the service's entrypoint would."""
        with self.database.transaction() as uow:
            return use_case(uow, *args, **kwargs)

    def handle(self, consumer: str, event: Event, effect):
        return self.database.handle_once(consumer, event, effect)

    def emitted(self, event_type: str | None = None) -> list[dict]:
        """The bodies of the events in the outbox, oldest first (nothing relays them here)."""
        outbox = self.database.outbox
        with self.database.engine.connect() as connection:
            rows = connection.execute(outbox.select().order_by(outbox.c.id)).all()
        return [json.loads(row.body) for row in rows if event_type in (None, row.event_type)]


def _engine(tmp_path, service):
    return make_engine(service, f"sqlite:///{tmp_path / (service + '.db')}")


@pytest.fixture
def service_db(tmp_path):
    """``service_db("aggregation")``: a fresh database of that service."""
    return lambda service: ServiceDb(service, tmp_path)


@pytest.fixture
def momo(monkeypatch):
    """Settlement configured with a mobile-money provider (nothing is sent to it in a use-case test)."""
    monkeypatch.setenv("BILUM_MOMO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BILUM_MOMO_API_USER", "user")
    monkeypatch.setenv("BILUM_MOMO_API_KEY", "key")
    monkeypatch.setenv("BILUM_MOMO_SUBSCRIPTION_KEY", "sub")
