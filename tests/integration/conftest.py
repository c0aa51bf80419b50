"""Integration tests run against the real RabbitMQ and PostgreSQL on this machine, each test in its own vhost and
database. When either cannot be reached the tests fail with what to start: they never skip."""

import os
import secrets
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from bilum.ports import free_port
from shared.config import SERVICES
from tests.conformance import gateway_answers_are_checked, gateway_answers_match_the_document  # noqa: F401
from tests.integration.helpers import MANAGEMENT_URL, make_url_parts, management

AMQP_HOST = os.environ.get("BILUM_TEST_AMQP_HOST", "guest:guest@127.0.0.1:5672")
POSTGRES_URL = os.environ.get("BILUM_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@contextmanager
def _own_vhost():
    vhost = f"bilum-test-{uuid.uuid4().hex[:10]}"
    user = make_url_parts(MANAGEMENT_URL)["auth"][0]
    management("PUT", f"/vhosts/{quote(vhost, safe='')}")
    management(
        "PUT", f"/permissions/{quote(vhost, safe='')}/{user}", json={"configure": ".*", "write": ".*", "read": ".*"}
    )
    yield f"amqp://{AMQP_HOST}/{quote(vhost, safe='')}"
    management("DELETE", f"/vhosts/{quote(vhost, safe='')}")


@contextmanager
def _own_database(postgres_admin):
    admin, connection = postgres_admin
    name = f"bilum_test_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def amqp_uri():
    with _own_vhost() as uri:
        yield uri


@pytest.fixture(scope="session")
def postgres_admin():
    admin = make_url(POSTGRES_URL)
    try:
        connection = psycopg2.connect(
            host=admin.host,
            port=admin.port or 5432,
            user=admin.username,
            password=admin.password,
            dbname=admin.database,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is unreachable at {admin.host}:{admin.port} ({error}). Start it "
            "(`pg_ctlcluster 15 main start`, or your platform's service manager).",
            pytrace=False,
        )
    connection.autocommit = True
    yield admin, connection
    connection.close()


@pytest.fixture
def database_url(postgres_admin):
    with _own_database(postgres_admin) as url:
        yield url


def _environment(amqp_uri: str, database_url: str, var_dir: str) -> dict:
    """Environment of a platform confined to one test or module: its vhost, its database, ports of its own."""
    gateway_port = free_port()
    env = {
        "AMQP_URI": amqp_uri,
        "BILUM_DATABASE_URL": database_url,
        "BILUM_VAR_DIR": var_dir,
        "BILUM_GATEWAY_PORT": str(gateway_port),
        "BILUM_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
        "BILUM_MAX_ATTEMPTS": "3",
        "BILUM_RETRY_BACKOFF_S": "0.05",
        "BILUM_JWT_SECRET": secrets.token_urlsafe(32),
    }
    for service in SERVICES:
        env[f"BILUM_{service.upper()}_OPS_PORT"] = str(free_port())
    return env


@pytest.fixture
def platform_env(amqp_uri, database_url, tmp_path_factory):
    return _environment(amqp_uri, database_url, str(tmp_path_factory.mktemp("var")))


@pytest.fixture
def platform(platform_env, monkeypatch):
    for key, value in platform_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BILUM_OPS_PORT", raising=False)
    return platform_env


@pytest.fixture(scope="module")
def module_platform(postgres_admin, tmp_path_factory):
    """One vhost and database shared by the tests of a module that exercise one long-lived set of services."""
    with _own_vhost() as amqp_uri, _own_database(postgres_admin) as database_url, pytest.MonkeyPatch.context() as mp:
        env = _environment(amqp_uri, database_url, str(tmp_path_factory.mktemp("var")))
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("BILUM_OPS_PORT", raising=False)
        yield env
