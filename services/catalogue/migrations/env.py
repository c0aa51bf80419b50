from alembic import context

from services.catalogue.store import metadata
from shared.migrations import run_env

run_env(context, metadata)
