"""A real Kannel for the tests: bearerbox and smsbox from Debian's ``kannel`` package, with the phones played by
``fakesmsc`` from ``kannel-extras``. Importable without Kannel; starting it without Kannel fails and says what to
install (``deploy/local/ensure-tools.sh kannel``). It never skips.

Usage, in a test module (or add ``tests.kannel`` to the plugins of tests/conftest.py)::

    from tests.kannel import kannel_callbacks, kannel_gateway  # noqa: F401 (fixtures)

    @pytest.fixture(scope="module")
    def gateway(kannel_gateway, kannel_callbacks):
        return kannel_gateway(f"{kannel_callbacks.url}/kannel", "a-secret-of-24-characters-or-more")

``kannel_gateway(callback_url, callback_secret)`` starts a gateway whose sms-service calls
``{callback_url}/inbound?secret=...`` (the dlr-url is each message's own); every gateway it started is stopped when
the module's tests are done. ``kannel_callbacks`` records the calls Kannel makes (GET or POST, any path).

The gateway itself, its configuration and its two fake SMSC links are ``bilum.kannel_local.KannelGateway`` (the
demo runs one too).
"""

import urllib.parse
from dataclasses import dataclass

import pytest

from bilum.kannel_local import KannelError, KannelGateway, wait_for
from tests.local_servers import HTTP_RECORDER, RecordingServer, _start, _stop


@pytest.fixture(scope="module")
def kannel_gateway(tmp_path_factory):
    """A factory: ``kannel_gateway(callback_url, callback_secret)`` starts a ``KannelGateway``; all are stopped when
    the module's tests are done. A gateway that cannot start fails the test with the reason and the logs."""
    started: list[KannelGateway] = []

    def start(callback_url: str, callback_secret: str, **options) -> KannelGateway:
        gateway = KannelGateway(tmp_path_factory.mktemp("kannel"), callback_url, callback_secret, **options)
        started.append(gateway)
        try:
            return gateway.start()
        except KannelError as error:
            pytest.fail(str(error), pytrace=False)

    yield start
    for gateway in started:
        gateway.stop()


@dataclass(frozen=True)
class Callback:
    """A call Kannel made: the path, its query parameters decoded as a web framework would (UTF-8, an undecodable
    byte as U+FFFD), and the address it came from."""

    path: str
    params: dict[str, str]
    client: str


class CallbackRecorder:
    def __init__(self, server: RecordingServer):
        self.server = server
        self.url = server.url

    def calls(self, path: str) -> list[Callback]:
        found = []
        for record in self.server.records():
            record_path, _, query = record["path"].partition("?")
            if record_path == path:
                params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"))
                found.append(Callback(record_path, params, record["client"]))
        return found

    def wait_for(self, path: str, matching=lambda call: True, count: int = 1, within_s: float = 10) -> list[Callback]:
        """The calls to ``path`` that match, once there are ``count`` of them (or all there are when time is up)."""

        def matched() -> list[Callback]:
            return [call for call in self.calls(path) if matching(call)]

        def enough() -> list[Callback] | None:
            found = matched()
            return found if len(found) >= count else None

        return wait_for(enough, within_s) or matched()


@pytest.fixture(scope="module")
def kannel_callbacks(tmp_path_factory):
    process, server = _start("kannel_callbacks", HTTP_RECORDER, tmp_path_factory.mktemp("kannel_callbacks"))
    yield CallbackRecorder(server)
    _stop(process)
