"""The gateway's configuration, from environment variables: the key that signs sign-in tokens, how long tokens and
sign-in sessions last, the rate limits and the proxies whose X-Forwarded-For is believed.

Read through ``shared.config.environment()`` when the gateway starts: a wrong value stops it with the variable's name.
Without BILUM_JWT_SECRET the gateway still runs, with a key of its own process (``bilum up`` gives every process the
same one); a secret shorter than 32 characters is refused, as it could be guessed. Without BILUM_TRUSTED_PROXIES no
proxy is trusted: the peer's address is the caller's, as it must be when anyone can reach the gateway directly.
An access token lives shorter than a refresh token may sit unused, which is no longer than a session lasts: the other
way round, a page could never renew its token in time, or the idle limit would mean nothing.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from services.gateway.client_address import Network, trusted_networks
from shared.config import AT_LEAST_ONE, POSITIVE, environment

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Settings:
    token_secret: str
    token_lifetime: timedelta
    refresh_idle: timedelta
    session_lifetime: timedelta
    rate_per_s: float
    rate_burst: int
    sign_in_per_minute: int
    trusted_proxies: tuple[Network, ...]


def _token_secret(configured: str) -> str:
    if not configured:
        log.warning("BILUM_JWT_SECRET is not set: tokens are signed with a key of this process only and end with it")
        return secrets.token_urlsafe(MIN_SECRET_LENGTH)
    if len(configured) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"BILUM_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    return configured


def _trusted_proxies(configured: str) -> tuple[Network, ...]:
    try:
        return trusted_networks(configured)
    except ValueError as error:
        raise RuntimeError(f"BILUM_TRUSTED_PROXIES: {error}; give addresses or networks separated by commas") from None


def _lifetimes(token: int, refresh_idle: int, session: int) -> tuple[timedelta, timedelta, timedelta]:
    if token >= refresh_idle:
        raise RuntimeError("BILUM_TOKEN_LIFETIME_S must be shorter than BILUM_REFRESH_IDLE_S")
    if refresh_idle > session:
        raise RuntimeError("BILUM_REFRESH_IDLE_S must not be longer than BILUM_SESSION_LIFETIME_S")
    return timedelta(seconds=token), timedelta(seconds=refresh_idle), timedelta(seconds=session)


def load() -> Settings:
    env = environment()
    token_lifetime, refresh_idle, session_lifetime = _lifetimes(
        env.int("BILUM_TOKEN_LIFETIME_S", 900, validate=AT_LEAST_ONE),
        env.int("BILUM_REFRESH_IDLE_S", 4 * 3600, validate=AT_LEAST_ONE),
        env.int("BILUM_SESSION_LIFETIME_S", 12 * 3600, validate=AT_LEAST_ONE),
    )
    return Settings(
        token_secret=_token_secret(env.str("BILUM_JWT_SECRET", "")),
        token_lifetime=token_lifetime,
        refresh_idle=refresh_idle,
        session_lifetime=session_lifetime,
        rate_per_s=env.float("BILUM_RATE_LIMIT_PER_S", 50.0, validate=POSITIVE),
        rate_burst=env.int("BILUM_RATE_LIMIT_BURST", 200, validate=AT_LEAST_ONE),
        sign_in_per_minute=env.int("BILUM_SIGN_IN_PER_MINUTE", 10, validate=AT_LEAST_ONE),
        trusted_proxies=_trusted_proxies(env.str("BILUM_TRUSTED_PROXIES", "")),
    )
