from alembic import context

from services.settlement.store import metadata
from shared.migrations import run_env

run_env(context, metadata)
