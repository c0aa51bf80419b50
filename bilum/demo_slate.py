"""Where the demonstration keeps its data: a directory of its own under the var directory and, on the local broker, a
RabbitMQ vhost of its own. Both are emptied before ``bilum demo`` starts its services, so every run starts as the
first did: a previous run's quotas would still hold the producers' capacity and leave this run's orders short, and a
message a killed run left queued would reach databases that never knew its order. Nothing else is touched: not the
var directory's own databases (``bilum up``'s), nor any other vhost, nor a broker that AMQP_URI names."""

import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from bilum import settings
from bilum.demo_http import DemoFailed
from bilum.supervisor import BrokerUnreachable
from shared import config

DIRECTORY = "demo"
# Marks a directory the demo made, so it never removes one it did not.
MARKER = ".bilum-demo"


def clean_slate(out) -> None:
    """Point this process, and the services it starts, at the demo's directory and (unless AMQP_URI names a broker)
    its vhost, both made anew; say what was removed."""
    directory = config.var_dir() / DIRECTORY
    removed = directory.exists()
    if removed and not (directory / MARKER).exists():
        raise DemoFailed(f"{directory} was not made by the demo, which keeps its data there: move it away")
    places = [_shown(directory)]
    configured = settings.load()
    if configured.broker_named:
        broker = "; the broker AMQP_URI names is used as it is"
    else:
        vhost, user = configured.demo_vhost, urlsplit(configured.amqp_uri).username
        removed = _reset_vhost(vhost, user, configured.rabbit_management_url) or removed
        settings.hand_on("AMQP_URI", f"{configured.amqp_uri.rsplit('/', 1)[0]}/{quote(vhost, safe='')}")
        places.append(f"RabbitMQ vhost {vhost}")
        broker = ""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).touch()
    settings.hand_on("BILUM_VAR_DIR", str(directory))
    what = "removed the previous demo's data in" if removed else "the demo keeps its data in"
    print(f"Starting from a clean slate: {what} {' and '.join(places)}{broker}", file=out)


def _reset_vhost(vhost: str, user: str, management_url: str) -> bool:
    """Deleting the vhost takes its queues, exchanges and dead letters with it; whether it was there."""
    management = urlsplit(management_url)
    api = f"{management.scheme}://{management.netloc.rpartition('@')[2]}/api"
    name = quote(vhost, safe="")
    steps = (
        ("DELETE", f"/vhosts/{name}", None, (204, 404)),
        ("PUT", f"/vhosts/{name}", None, (201, 204)),
        (
            "PUT",
            f"/permissions/{name}/{quote(user, safe='')}",
            {"configure": ".*", "write": ".*", "read": ".*"},
            (201, 204),
        ),
    )
    answers = []
    with requests.Session() as http:
        http.auth = (management.username, management.password)
        for method, path, body, expected in steps:
            try:
                response = http.request(method, api + path, json=body, timeout=30)
            except requests.RequestException as error:
                raise _management_failed(vhost, f"{api} is unreachable ({error})") from None
            if response.status_code not in expected:
                raise _management_failed(vhost, f"{method} {api}{path} answered {response.status_code}")
            answers.append(response.status_code)
    return answers[0] == 204


def _management_failed(vhost: str, what: str) -> BrokerUnreachable:
    return BrokerUnreachable(
        f"The demo makes a RabbitMQ vhost of its own ({vhost}) through the management API: {what}.\n"
        "Enable it (`rabbitmq-plugins enable rabbitmq_management`; `make demo` does), set BILUM_RABBIT_MANAGEMENT "
        "to where it answers (http://user:password@host:15672), or point AMQP_URI at a vhost for the demo."
    )


def _shown(path: Path) -> str:
    """Relative to the working directory when under it, as ``./var/demo``."""
    try:
        return f"./{path.relative_to(Path.cwd())}"
    except ValueError:
        return str(path)
