from alembic import context

from services.aggregation.store import metadata
from shared.migrations import run_env

run_env(context, metadata)
