"""The gateway's accounts as a nameko dependency: one database, one token key, one set of rate limits per process.

A bearer token is checked against its sign-in session on every request (one row by its primary key), as an API key
is: no cache, so a session ended by sign-out or by a reused refresh token stops at once in every gateway process."""

import time
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider

from services.gateway import accounts, auth, session_rules, sessions, settings
from services.gateway.limits import RateLimiter
from shared.store import Database


class Identity(DependencyProvider):
    """Shared by every worker of the gateway process."""

    def setup(self):
        self.settings = settings.load()
        self.policy = session_rules.SessionPolicy(
            self.settings.token_lifetime, self.settings.refresh_idle, self.settings.session_lifetime
        )
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
        principal = auth.principal_of_token(token.strip(), self.settings.token_secret)
        with self.database.transaction() as uow:
            live = sessions.is_live(uow, principal.session_id, self.now())
        if not live:
            raise auth.Unauthenticated("the session has ended: sign in again")
        return principal

    def _principal_of_api_key(self, key: str) -> auth.Principal:
        """Looked up on every request (one indexed row): a revoked key, or its disabled user, stops at once in every
        gateway process."""
        with self.database.transaction() as uow:
            return accounts.principal_of_api_key(uow, key)

    def sign_in(self, username: str, password: str) -> dict:
        now = self.now()
        with self.database.transaction() as uow:
            grant = sessions.start(uow, accounts.sign_in(uow, username, password), now, self.policy)
        return self._tokens(grant, now)

    def refresh(self, refresh_token: str) -> dict:
        now = self.now()
        with self.database.transaction() as uow:
            outcome = sessions.refresh(uow, refresh_token, now, self.policy)
        if isinstance(outcome, sessions.Refused):
            raise auth.Unauthenticated(outcome.reason)
        return self._tokens(outcome, now)

    def sign_out(self, session_id: str) -> dict:
        now = self.now()
        with self.database.transaction() as uow:
            sessions.end(uow, session_id, now)
        return {"ended_at": now.isoformat()}

    def _tokens(self, grant: sessions.Grant, now: datetime) -> dict:
        """The answer of a sign-in or a refresh: a short-lived access token and the refresh token that renews it."""
        lifetime = session_rules.access_lifetime(now, grant.session_expires_at, self.policy)
        return {
            "access_token": auth.issue_token(grant.principal, self.settings.token_secret, now, lifetime),
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "refresh_token": grant.refresh_token,
            "refresh_expires_in": int((grant.refresh_expires_at - now).total_seconds()),
            "user": grant.principal.public(),
        }

    def wait_before(self, limiter: RateLimiter, key: str) -> float:
        return limiter.take(key, time.monotonic())
