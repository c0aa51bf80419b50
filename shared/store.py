"""Each service's database: engine, unit of work, and the outbox and inbox tables that make messaging reliable.

On PostgreSQL every service lives in its own schema (named after the service); on SQLite in its own file.
"""

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import cast

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine, Result
from sqlalchemy.orm import Session, sessionmaker

from shared import config, metrics
from shared.events import Event
from shared.logging import correlation

log = logging.getLogger(__name__)


def database_unreachable(error: BaseException) -> bool:
    """The database could not be reached or dropped the connection (restarted, failed over, cut off), or the
    transaction lost a deadlock or a lock wait: nothing was written, and the same work can succeed later."""
    if isinstance(error, sqlalchemy_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(
        error, (sqlalchemy_exc.OperationalError, sqlalchemy_exc.InterfaceError, sqlalchemy_exc.TimeoutError)
    )


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC in, timezone-aware UTC out, on PostgreSQL and SQLite alike (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times are timezone-aware UTC")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def add_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The outbox and inbox of one service, in that service's own metadata (so in its migrations)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("version", Integer, nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("body", Text, nullable=False),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("handled_at", UtcDateTime(), nullable=False),
    )
    return outbox, inbox


def make_engine(service: str, url: str | None = None) -> Engine:
    url = url or config.database_url(service)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        return engine
    workers = config.messaging().max_workers
    return create_engine(
        url,
        pool_size=workers + 2,
        max_overflow=workers,
        pool_pre_ping=True,
        # Many-row UPDATEs and DELETEs go to the server in pages, not a round trip per row (INSERTs already do).
        executemany_mode="values_plus_batch",
        connect_args={"options": f"-csearch_path={service}"},
    )


def is_postgres(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def _changed(result: Result) -> int:
    """Rows an INSERT, UPDATE or DELETE changed (SQLAlchemy types its result as a plain ``Result``)."""
    return cast(CursorResult, result).rowcount


def upsert(session: Session, table: Table, key: dict, values: dict) -> None:
    """Update the row with ``key``, or insert it: projections replay facts and must not trip on a row that exists."""
    condition = [table.c[name] == value for name, value in key.items()]
    if _changed(session.execute(update(table).where(*condition).values(**values))) == 0:
        session.execute(table.insert().values(**key, **values))


def _insert(session: Session):
    dialect = postgresql if is_postgres(session.get_bind()) else sqlite
    return dialect.insert


def insert_new(session: Session, table: Table, values: dict) -> bool:
    """Insert unless a row with the same unique key exists; whether the row is new. Two handlers inserting the same
    fact at the same moment both succeed, one of them with nothing to do."""
    return _changed(session.execute(_insert(session)(table).values(**values).on_conflict_do_nothing())) == 1


def insert_new_all(session: Session, table: Table, rows: list[dict], key: Column) -> list:
    """``insert_new`` of many rows in one statement; the ``key`` of each row that was new."""
    if not rows:
        return []
    # Rows as parameters, not as a many-row VALUES clause: the statement is then compiled once and cached, and the
    # driver still sends the rows in one statement.
    return list(session.execute(_insert(session)(table).on_conflict_do_nothing().returning(key), rows).scalars())


def merge(session: Session, table: Table, values: dict, keys: tuple[str, ...], newer: str | None = None) -> bool:
    """Insert the row, or update the one with the same key, in one statement: two facts about one thing handled at
    the same moment must not both insert it. With ``newer``, a column of times, an existing row is only replaced by
    a newer one, however the facts race. Whether the row was written; it stays locked until the transaction ends."""
    statement = _insert(session)(table).values(**values)
    condition = None if newer is None else (table.c[newer].is_(None) | (table.c[newer] < statement.excluded[newer]))
    return (
        _changed(
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=list(keys),
                    set_={name: statement.excluded[name] for name in values if name not in keys},
                    where=condition,
                )
            )
        )
        == 1
    )


def page_of(session: Session, table: Table, conditions: list, order_by: tuple, page: int, page_size: int):
    """One page of ``table``'s rows matching ``conditions``, and the count of all of them."""
    total = session.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()
    offset = (page - 1) * page_size
    if offset >= total:
        # Past the end: empty, and no offset too large for the database's integers is ever sent.
        return [], total
    rows = session.execute(select(table).where(*conditions).order_by(*order_by).limit(page_size).offset(offset)).all()
    return rows, total


def paged(items: list, page: int, page_size: int, total: int) -> dict:
    return {"items": items, "page": page, "page_size": page_size, "total": total}


class UnitOfWork:
    """One transaction of one service: the session a use case reads and writes through, the events it emits (to the
    outbox, so they leave only if the transaction commits) and the inbox that makes a handler's effect happen once."""

    def __init__(self, database: "Database", session: Session):
        self.session = session
        self._database = database
        self.emitted = 0

    def emit(self, event: Event) -> None:
        """Record an event in the outbox, inside this transaction."""
        self.emit_all([event])

    def emit_all(self, events: list[Event]) -> None:
        """Record many events in the outbox in one statement, inside this transaction."""
        if not events:
            return
        self.session.execute(
            self._database.outbox.insert(),
            [
                dict(
                    event_id=event.event_id,
                    event_type=event.event_type,
                    version=event.version,
                    correlation_id=event.correlation_id,
                    occurred_at=event.occurred_at,
                    body=json.dumps(event.to_message()),
                )
                for event in events
            ],
        )
        self.emitted += len(events)

    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id``; False when it already has (a duplicate delivery).

        On PostgreSQL a concurrent duplicate waits on the unique key until the first commits, then sees the conflict.
        """
        return bool(self.claim_all(consumer, [event_id]))

    def claim_all(self, consumer: str, event_ids: list[str]) -> set[str]:
        """Record that ``consumer`` handles each of ``event_ids``, in one statement; the ids it had not handled yet."""
        if not event_ids:
            return set()
        now = datetime.now(timezone.utc)
        inbox = self._database.inbox
        return set(
            insert_new_all(
                self.session,
                inbox,
                [dict(consumer=consumer, event_id=event_id, handled_at=now) for event_id in event_ids],
                inbox.c.event_id,
            )
        )


class Database:
    """A service's database: its engine, and transactions as units of work."""

    def __init__(self, service: str, outbox: Table, inbox: Table, engine: Engine | None = None):
        self.service = service
        self.outbox = outbox
        self.inbox = inbox
        self.engine = engine or make_engine(service)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.after_commit_hooks: list = []
        # SQLite has one writer, and its busy wait would block every green thread of the process: take turns here.
        self._turns = threading.RLock() if not is_postgres(self.engine) else None

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work: what it writes and the events it emits commit together, or none of it does."""
        with self._turns or nullcontext():
            session: Session = self.sessions()
            uow = UnitOfWork(self, session)
            try:
                yield uow
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        if uow.emitted:
            for hook in self.after_commit_hooks:
                hook()

    def handle_once(self, consumer: str, event: Event, effect):
        """Apply ``effect(uow, event)`` exactly once per (consumer, event_id), in one transaction with the inbox row
        and any events it emits. Returns the effect's result, or None for a duplicate."""
        with correlation(event.correlation_id), self.transaction() as uow:
            if not uow.claim(consumer, event.event_id):
                self._skipped(consumer, event)
                return None
            return effect(uow, event)

    def handle_batch(self, consumer: str, events: list[Event], effect):
        """Apply ``effect(uow, fresh_events)`` once, in one transaction with the inbox rows of all of them, to the
        events ``consumer`` has not handled yet (a duplicate, in the batch or from before, is skipped).
        Returns the effect's result, or None when every event was a duplicate."""
        with self.transaction() as uow:
            claimed = uow.claim_all(consumer, list({event.event_id: None for event in events}))
            fresh = []
            for event in events:
                if event.event_id in claimed:
                    claimed.discard(event.event_id)
                    fresh.append(event)
                else:
                    self._skipped(consumer, event)
            if not fresh:
                return None
            return effect(uow, fresh)

    def _skipped(self, consumer: str, event: Event) -> None:
        metrics.MESSAGES_DUPLICATE.labels(self.service, event.event_type).inc()
        log.info("duplicate event skipped", extra={"event_id": event.event_id, "consumer": consumer})

    def outbox_backlog(self) -> tuple[int, float]:
        """Rows waiting and the age in seconds of the oldest."""
        with self.engine.connect() as connection:
            count, oldest = connection.execute(select(func.count(), func.min(self.outbox.c.occurred_at))).one()
        if not oldest:
            return count, 0.0
        return count, (datetime.now(timezone.utc) - oldest).total_seconds()
