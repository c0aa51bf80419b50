"""The settlement service's configuration, from environment variables; every one has a default that runs the demo,
but for the mobile-money provider: without ``BILUM_MOMO_URL`` a batch can pay in cash only.

Read when the service starts (the payout timer) or when a use case runs, never at import time."""

from dataclasses import dataclass
from decimal import Decimal

from environs import Env
from marshmallow.validate import Range

from shared.config import POSITIVE, environment

MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class MomoSettings:
    """MTN MoMo's disbursement API: the API user and key of the organisation's account, its subscription key, and
    the target environment (``sandbox``, or the country's, e.g. ``mtnuganda``)."""

    url: str
    api_user: str
    api_key: str
    subscription_key: str
    target_environment: str
    timeout_s: float


@dataclass(frozen=True)
class CallbackSettings:
    """Where the provider reports each transfer's result (the gateway's public address) and the secret that signs
    that address: the provider does not sign its callbacks, so an address only this deployment can make is what
    tells a real callback from a forged one."""

    url: str
    secret: str


@dataclass(frozen=True)
class Settings:
    advance_cap_share: Decimal
    momo: MomoSettings | None
    callbacks: CallbackSettings | None
    payout_interval_s: float
    status_check_after_s: float
    reminder_interval_s: float


def _momo(env: Env) -> MomoSettings | None:
    url = env.str("BILUM_MOMO_URL", "")
    if not url:
        return None
    return MomoSettings(
        url=url.rstrip("/"),
        api_user=env.str("BILUM_MOMO_API_USER"),
        api_key=env.str("BILUM_MOMO_API_KEY"),
        subscription_key=env.str("BILUM_MOMO_SUBSCRIPTION_KEY"),
        target_environment=env.str("BILUM_MOMO_TARGET_ENVIRONMENT", "sandbox"),
        timeout_s=env.float("BILUM_MOMO_TIMEOUT_S", 10.0, validate=POSITIVE),
    )


def _callbacks(env: Env) -> CallbackSettings | None:
    """Without both, results are learnt by asking the provider (every ``BILUM_PAYOUT_STATUS_CHECK_S``)."""
    url = env.str("BILUM_PAYOUT_CALLBACK_URL", "")
    secret = env.str("BILUM_PAYOUT_CALLBACK_SECRET", "")
    if not (url and secret):
        return None
    if len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"BILUM_PAYOUT_CALLBACK_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    return CallbackSettings(url.rstrip("/"), secret)


def load() -> Settings:
    env = environment()
    return Settings(
        # The share of an accepted quota's value an organisation may advance unless it set its own (no interest).
        advance_cap_share=env.decimal("BILUM_ADVANCE_CAP_SHARE", Decimal("0.5"), validate=Range(min=0, max=1)),
        momo=_momo(env),
        callbacks=_callbacks(env),
        # How often payments waiting are sent to the provider, and after how long one not yet reported is asked
        # about.
        payout_interval_s=env.float("BILUM_PAYOUT_INTERVAL_S", 2.0, validate=POSITIVE),
        status_check_after_s=env.float("BILUM_PAYOUT_STATUS_CHECK_S", 30.0, validate=POSITIVE),
        # How often overdue buyers' accounts are looked for (each is reminded once a week at most).
        reminder_interval_s=env.float("BILUM_REMINDER_INTERVAL_S", 3600.0, validate=POSITIVE),
    )
