"""One Alembic history per service (``services/<name>/migrations``), each in its own schema on PostgreSQL."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text

from shared import config
from shared.store import is_postgres, make_engine

SERVICES_ROOT = Path(__file__).resolve().parent.parent / "services"
MIGRATED_SERVICES = config.SERVICES


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_ROOT / service / "migrations"))
    cfg.attributes["service"] = service
    cfg.attributes["url"] = url
    return cfg


def upgrade(service: str, url: str | None = None) -> None:
    command.upgrade(alembic_config(service, url), "head")


def upgrade_all() -> None:
    for service in MIGRATED_SERVICES:
        upgrade(service)


def new_revision(service: str, message: str) -> None:
    """Autogenerate the next migration of ``service`` against its current database."""
    command.revision(alembic_config(service), message=message, autogenerate=True)


def run_env(context, metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    service = context.config.attributes["service"]
    engine = make_engine(service, context.config.attributes.get("url") or config.database_url(service))
    with engine.begin() as connection:
        if is_postgres(engine):
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
            connection.execute(text(f'SET search_path TO "{service}"'))
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=not is_postgres(engine), compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
