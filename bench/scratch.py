"""A PostgreSQL database made for one benchmark run, and dropped after it."""

import os
import uuid
from contextlib import contextmanager

import psycopg2
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("BILUM_BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(keep: bool = False):
    """The new database's name and URL; ``keep`` leaves it behind for a look afterwards."""
    admin = make_url(ADMIN_URL)
    name = f"bilum_bench_{uuid.uuid4().hex[:8]}"
    control = psycopg2.connect(host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database)
    control.autocommit = True
    control.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, admin.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            control.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        control.close()
