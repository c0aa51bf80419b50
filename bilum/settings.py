"""What the command line reads from the environment, and what it hands on to the services it starts.

It reads where it reaches the gateway and the broker, and where the demo makes its own RabbitMQ vhost, through
``shared.config.environment()`` when a command needs it: the demo changes the environment it hands on (its broker
vhost, its var directory), so a value is read after that, never at import time. The services started here inherit this
process's whole environment, with what the command line set in it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from shared import config

DEMO_VHOST = "bilum-demo"
RABBIT_MANAGEMENT_URL = "http://guest:guest@127.0.0.1:15672"


@dataclass(frozen=True)
class Settings:
    gateway_url: str
    amqp_uri: str
    # Whether AMQP_URI names a broker: the demo then uses it as it is, and makes no vhost of its own.
    broker_named: bool
    demo_vhost: str
    rabbit_management_url: str
    # The secret the demo signs producers' SMS replies with, as the notification service checks them.
    sms_inbound_secret: str | None
    # Whether the operator named a mobile-money provider; without one the demo runs its own sandbox.
    momo_configured: bool
    # Whether the operator chose an SMS provider; without one the demo runs its own Kannel where it is installed.
    sms_configured: bool
    var_dir: Path


def load() -> Settings:
    env = config.environment()
    return Settings(
        gateway_url=config.gateway_url(),
        amqp_uri=config.amqp_uri(),
        broker_named=bool(env.str("AMQP_URI", "")),
        demo_vhost=env.str("BILUM_DEMO_VHOST", DEMO_VHOST),
        rabbit_management_url=env.str("BILUM_RABBIT_MANAGEMENT", RABBIT_MANAGEMENT_URL),
        sms_inbound_secret=env.str("BILUM_SMS_INBOUND_SECRET", "") or None,
        momo_configured=bool(env.str("BILUM_MOMO_URL", "")),
        sms_configured=bool(env.str("BILUM_SMS_PROVIDER", "") or env.str("BILUM_SMS_GATEWAY_URL", "")),
        var_dir=config.var_dir(),
    )


def hand_on(name: str, value: str) -> None:
    """Set a variable for the services started from now on (and for what this process reads afterwards)."""
    os.environ[name] = value


def hand_on_unless_set(name: str, value: str) -> None:
    """Set a variable for the services started from now on, unless the operator already set it."""
    os.environ.setdefault(name, value)


def services_environment() -> dict[str, str]:
    """The environment a service started from here runs with: this process's own."""
    return os.environ.copy()
