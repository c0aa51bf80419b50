"""The orders service's configuration, from environment variables; every one has a default that runs the demo."""

from dataclasses import dataclass

from shared.config import POSITIVE, environment


@dataclass(frozen=True)
class Settings:
    promise_timeout_s: float


def load() -> Settings:
    env = environment()
    return Settings(
        # A delivery promise is worth a short wait, not a failed order: past this the order is placed without one.
        promise_timeout_s=env.float("BILUM_PROMISE_TIMEOUT_S", 3.0, validate=POSITIVE)
    )
