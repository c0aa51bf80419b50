"""What every service reads from the environment (broker, database, messaging), with defaults that run on a laptop.

Each service's own settings live in its ``settings`` module, read the same way: ``environment()`` parses and validates
a variable, and a wrong value stops the service at start-up with an error naming the variable and the form expected.
Every variable is in the README's table (a test checks the table against the code).
"""

from dataclasses import dataclass
from pathlib import Path

from environs import Env
from marshmallow.validate import OneOf, Range

POSITIVE = Range(min=0, min_inclusive=False)
AT_LEAST_ONE = Range(min=1)


def environment() -> Env:
    """The process environment, read afresh (tests and the CLI change it between services). A default is returned as
    given, so give it in the type asked for."""
    return Env(expand_vars=False)


SERVICES = ("catalogue", "orders", "aggregation", "consolidation", "notification", "settlement", "gateway")

_DEFAULT_OPS_PORTS = {
    "catalogue": 9101,
    "orders": 9102,
    "aggregation": 9103,
    "consolidation": 9104,
    "notification": 9105,
    "gateway": 9106,
    "settlement": 9107,
}


def amqp_uri() -> str:
    return environment().str("AMQP_URI", "amqp://guest:guest@localhost:5672/")


def var_dir() -> Path:
    return environment().path("BILUM_VAR_DIR", Path("var")).resolve()


def database_url(service: str) -> str:
    """The service's own database: BILUM_<SERVICE>_DB, else the shared BILUM_DATABASE_URL (a schema
    per service), else a SQLite file under the var directory."""
    env = environment()
    own = env.str(f"BILUM_{service.upper()}_DB", "")
    if own:
        return own
    shared = env.str("BILUM_DATABASE_URL", "")
    if shared:
        return shared
    return f"sqlite:///{var_dir() / (service + '.db')}"


_PORT = Range(min=1, max=65535)


def ops_port(service: str) -> int:
    """The port of the service's health and metrics: BILUM_OPS_PORT (one service per container), else its own."""
    env = environment()
    own = env.int(f"BILUM_{service.upper()}_OPS_PORT", _DEFAULT_OPS_PORTS[service], validate=_PORT)
    return env.int("BILUM_OPS_PORT", own, validate=_PORT)


def gateway_port() -> int:
    return environment().int("BILUM_GATEWAY_PORT", 8000, validate=_PORT)


def gateway_url() -> str:
    """Where the command line and the demo reach the gateway."""
    return environment().str("BILUM_GATEWAY_URL", f"http://127.0.0.1:{gateway_port()}")


@dataclass(frozen=True)
class MessagingSettings:
    max_attempts: int
    retry_backoff_s: float
    wait_for_prior_s: float
    relay_interval_s: float
    relay_batch: int
    rpc_timeout_s: float
    max_workers: int
    max_batch: int
    batch_prefetch: int


def messaging() -> MessagingSettings:
    env = environment()
    return MessagingSettings(
        max_attempts=env.int("BILUM_MAX_ATTEMPTS", 5, validate=AT_LEAST_ONE),
        retry_backoff_s=env.float("BILUM_RETRY_BACKOFF_S", 0.2, validate=Range(min=0)),
        wait_for_prior_s=env.float("BILUM_WAIT_FOR_PRIOR_S", 900, validate=Range(min=0)),
        relay_interval_s=env.float("BILUM_RELAY_INTERVAL_S", 1.0, validate=POSITIVE),
        relay_batch=env.int("BILUM_RELAY_BATCH", 200, validate=AT_LEAST_ONE),
        rpc_timeout_s=env.float("BILUM_RPC_TIMEOUT_S", 10, validate=POSITIVE),
        max_workers=env.int("BILUM_MAX_WORKERS", 10, validate=AT_LEAST_ONE),
        max_batch=env.int("BILUM_MAX_BATCH", 100, validate=AT_LEAST_ONE),
        batch_prefetch=env.int("BILUM_BATCH_PREFETCH", 200, validate=AT_LEAST_ONE),
    )


def log_level() -> str:
    return environment().str("BILUM_LOG_LEVEL", "INFO", validate=OneOf(("DEBUG", "INFO", "WARNING", "ERROR")))


def nameko_config(service: str) -> dict:
    settings = messaging()
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": settings.max_workers,
        "parent_calls_tracked": 10,
        "WEB_SERVER_ADDRESS": f"0.0.0.0:{gateway_port()}",
        "serializer": "json",
    }
