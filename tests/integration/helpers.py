import os
from urllib.parse import quote

import pytest
import requests
from nameko.containers import ServiceContainer

from shared import config
from shared.messaging import DEAD_LETTER_QUEUE

MANAGEMENT_URL = os.environ.get("BILUM_TEST_RABBIT_MANAGEMENT", "http://guest:guest@127.0.0.1:15672")


class running:
    """A nameko service container for the length of a ``with`` block."""

    def __init__(self, service_cls):
        self.container = ServiceContainer(service_cls, config.nameko_config(service_cls.name))

    def __enter__(self):
        self.container.start()
        return self.container

    def __exit__(self, *exc):
        self.container.stop()


def management(method: str, path: str, allow_missing: bool = False, **kwargs):
    url = make_url_parts(MANAGEMENT_URL)
    try:
        response = requests.request(method, f"{url['base']}/api{path}", auth=url["auth"], timeout=10, **kwargs)
    except requests.RequestException as error:
        pytest.fail(
            f"RabbitMQ's management API is unreachable at {url['base']} ({error}). Start RabbitMQ "
            "(`rabbitmq-server -detached`) and enable the plugin "
            "(`rabbitmq-plugins enable rabbitmq_management`).",
            pytrace=False,
        )
    if allow_missing and response.status_code == 404:
        return None
    if response.status_code >= 300:
        pytest.fail(f"RabbitMQ management {method} {path}: {response.status_code} {response.text}", pytrace=False)
    return response


def make_url_parts(url: str) -> dict:
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user, password = credentials.split(":", 1)
    return {"base": f"{scheme}://{host}", "auth": (user, password)}


def dead_letters(amqp_uri: str) -> int:
    """Messages in the dead-letter queue; none when no failure ever declared it."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    response = management("GET", f"/queues/{vhost}/{quote(DEAD_LETTER_QUEUE.name, safe='')}", allow_missing=True)
    return 0 if response is None else response.json().get("messages", 0)
