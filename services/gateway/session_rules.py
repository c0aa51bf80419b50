"""The rules of a sign-in session, plain Python: how long its tokens last, and what a presented refresh token earns.

A session starts at sign-in and lasts at most ``session_lifetime``. Its refresh tokens rotate: each is spent by the
refresh that answers the next one, and expires unused after ``refresh_idle``. A spent token presented again means two
parties hold it (the sign of a stolen token), and nobody can tell which is the thief: the whole session ends, with
every refresh token and access token of it. A refresh token is an opaque random string; only its SHA-256 is stored (it
has too much entropy for a slow hash to matter), and the digest finds it."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

# 32 random bytes: no one finds a live token by trying.
REFRESH_TOKEN_BYTES = 32
# Why a session ended.
SIGNED_OUT, REUSED, USER_DISABLED = "signed out", "refresh token reused", "user disabled"


@dataclass(frozen=True)
class SessionPolicy:
    access_lifetime: timedelta
    refresh_idle: timedelta
    session_lifetime: timedelta


@dataclass(frozen=True)
class PresentedToken:
    """What the store knows of a presented refresh token: its session, its user, and whether it was spent before."""

    issued_at: datetime
    spent_before: bool
    session_expires_at: datetime
    session_ended: bool
    user_active: bool


class Verdict(Enum):
    ROTATE = "rotate"
    REFUSE = "refuse"
    END_SESSION = "end session"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    # Told to the caller.
    reason: str = ""
    # Kept with an ended session, for whoever looks into it.
    end_reason: str = ""


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token, and the digest stored to find it."""
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    return token, refresh_token_digest(token)


def refresh_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_expiry(started_at: datetime, policy: SessionPolicy) -> datetime:
    return started_at + policy.session_lifetime


def refresh_expiry(issued_at: datetime, session_expires_at: datetime, policy: SessionPolicy) -> datetime:
    """A refresh token lives until it has sat unused too long, and never past its session."""
    return min(issued_at + policy.refresh_idle, session_expires_at)


def access_lifetime(now: datetime, session_expires_at: datetime, policy: SessionPolicy) -> timedelta:
    """An access token lives its usual short time, and never past its session."""
    return max(min(policy.access_lifetime, session_expires_at - now), timedelta(0))


def judge(token: PresentedToken | None, now: datetime, policy: SessionPolicy) -> Judgement:
    """Reuse is judged before expiry: a stolen token replayed late still ends the session."""
    if token is None:
        return Judgement(Verdict.REFUSE, "the refresh token is not valid: sign in again")
    if token.session_ended:
        return Judgement(Verdict.REFUSE, "the session has ended: sign in again")
    if token.spent_before:
        return Judgement(
            Verdict.END_SESSION, "this refresh token was already used: the session is ended, sign in again", REUSED
        )
    if not token.user_active:
        return Judgement(Verdict.END_SESSION, "the session has ended: sign in again", USER_DISABLED)
    if now >= token.session_expires_at:
        return Judgement(Verdict.REFUSE, "the session is over: sign in again")
    if now >= refresh_expiry(token.issued_at, token.session_expires_at, policy):
        return Judgement(Verdict.REFUSE, "the refresh token has expired: sign in again")
    return Judgement(Verdict.ROTATE)


def session_is_live(ended_at: datetime | None, expires_at: datetime, user_active: bool, now: datetime) -> bool:
    """Whether an access token of the session may still act."""
    return ended_at is None and now < expires_at and user_active
