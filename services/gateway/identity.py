"""The gateway's accounts as a nameko dependency: one database, one token key, one set of rate limits per process."""

import time
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider

from services.gateway import accounts, auth, settings
from services.gateway.limits import RateLimiter
from shared.store import Database


class Identity(DependencyProvider):
    """Shared by every worker of the gateway process."""

    def setup(self):
        self.settings = settings.load()
        self.database = Database("gateway", outbox=None, inbox=None)
        self.requests = RateLimiter(self.settings.rate_per_s, self.settings.rate_burst)
        self.sign_ins = RateLimiter(self.settings.sign_in_per_minute / 60, self.settings.sign_in_per_minute)

    def stop(self):
        self.database.engine.dispose()

    def kill(self):
        self.database.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def principal(self, authorization: str | None, api_key: str | None) -> auth.Principal:
        if api_key:
            return self._principal_of_api_key(api_key)
        if not authorization:
            raise auth.Unauthenticated("sign in: send 'Authorization: Bearer <token>' or 'X-API-Key: <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise auth.Unauthenticated("the Authorization header must be 'Bearer <token>'")
        return auth.principal_of_token(token.strip(), self.settings.token_secret)

    def _principal_of_api_key(self, key: str) -> auth.Principal:
        """Looked up on every request (one indexed row): a revoked key, or its disabled user, stops at once in every
        gateway process."""
        with self.database.transaction() as uow:
            return accounts.principal_of_api_key(uow, key)

    def sign_in(self, username: str, password: str) -> dict:
        with self.database.transaction() as uow:
            principal = accounts.sign_in(uow, username, password)
        lifetime = self.settings.token_lifetime
        token = auth.issue_token(principal, self.settings.token_secret, self.now(), lifetime)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "user": principal.public(),
        }

    def wait_before(self, limiter: RateLimiter, key: str) -> float:
        return limiter.take(key, time.monotonic())
