"""Configuration from environment variables, with defaults that run on a laptop."""
import os
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("catalogue", "orders", "aggregation", "consolidation", "notification", "gateway")

_DEFAULT_OPS_PORTS = {
    "catalogue": 9101,
    "orders": 9102,
    "aggregation": 9103,
    "consolidation": 9104,
    "notification": 9105,
    "gateway": 9106,
}


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")


def var_dir() -> Path:
    return Path(os.environ.get("BILUM_VAR_DIR", "var")).resolve()


def database_url(service: str) -> str:
    """The service's own database: BILUM_<SERVICE>_DB, else the shared BILUM_DATABASE_URL (a schema
    per service), else a SQLite file under the var directory."""
    own = os.environ.get(f"BILUM_{service.upper()}_DB")
    if own:
        return own
    shared = os.environ.get("BILUM_DATABASE_URL")
    if shared:
        return shared
    return f"sqlite:///{var_dir() / (service + '.db')}"


def ops_port(service: str) -> int:
    return int(os.environ.get("BILUM_OPS_PORT") or os.environ.get(f"BILUM_{service.upper()}_OPS_PORT")
               or _DEFAULT_OPS_PORTS[service])


def gateway_port() -> int:
    return int(os.environ.get("BILUM_GATEWAY_PORT", "8000"))


def gateway_url() -> str:
    return os.environ.get("BILUM_GATEWAY_URL", f"http://127.0.0.1:{gateway_port()}")


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
    return MessagingSettings(
        max_attempts=int(os.environ.get("BILUM_MAX_ATTEMPTS", "5")),
        retry_backoff_s=float(os.environ.get("BILUM_RETRY_BACKOFF_S", "0.2")),
        wait_for_prior_s=float(os.environ.get("BILUM_WAIT_FOR_PRIOR_S", "900")),
        relay_interval_s=float(os.environ.get("BILUM_RELAY_INTERVAL_S", "1.0")),
        relay_batch=int(os.environ.get("BILUM_RELAY_BATCH", "200")),
        rpc_timeout_s=float(os.environ.get("BILUM_RPC_TIMEOUT_S", "10")),
        max_workers=int(os.environ.get("BILUM_MAX_WORKERS", "10")),
        max_batch=int(os.environ.get("BILUM_MAX_BATCH", "100")),
        batch_prefetch=int(os.environ.get("BILUM_BATCH_PREFETCH", "200")),
    )


def expiry_interval_s() -> float:
    """How often aggregation looks for quota offers whose deadline passed."""
    return float(os.environ.get("BILUM_EXPIRY_INTERVAL_S", "2"))


def nameko_config(service: str) -> dict:
    settings = messaging()
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": settings.max_workers,
        "parent_calls_tracked": 10,
        "WEB_SERVER_ADDRESS": f"0.0.0.0:{gateway_port()}",
        "serializer": "json",
    }
