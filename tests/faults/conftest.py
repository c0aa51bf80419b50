"""The fault suite runs the services as separate processes on the real RabbitMQ and PostgreSQL, each scenario on a
vhost and database of its own (made the way the integration tests make theirs). It fails, never skips, when
either is unreachable."""

import shutil
from contextlib import ExitStack

import pytest

from tests.faults.audit import reports_dir
from tests.faults.platform import MainBroker, Stack
from tests.integration.conftest import _environment, _own_database, _own_vhost, postgres_admin  # noqa: F401


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def database(postgres_admin):  # noqa: F811
    with _own_database(postgres_admin) as url:
        yield url


@pytest.fixture
def main_broker():
    with _own_vhost() as amqp_uri:
        yield MainBroker(amqp_uri)


@pytest.fixture
def teardown():
    """Callbacks run at the end of the test, last registered first: services before proxies before brokers."""
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def run_dir(request):
    """The services' logs and files, kept beside the summaries (not in pytest's temporary folders, which other
    runs on the machine prune) so a failed scenario can be read afterwards."""
    path = reports_dir() / "runs" / request.node.name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def make_stack(database, run_dir, teardown):
    def make(
        broker, service_uris: dict | None = None, settings: dict | None = None, with_gateway: bool = False
    ) -> Stack:
        environment = {**_environment(broker.amqp_uri, database, str(run_dir)), **(settings or {})}
        stack = Stack(environment, run_dir, broker, service_uris, with_gateway)
        teardown.callback(stack.stop)
        stack.migrate()
        stack.start()
        return stack

    return make
