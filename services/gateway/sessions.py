"""Use cases of sign-in sessions: start one, rotate its refresh token, end it, and tell whether it is live. Each runs
in the unit of work given first; what a presented token earns is decided by ``session_rules``."""

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, select, update

from services.gateway import accounts, auth
from services.gateway import session_rules as rules
from services.gateway.store import refresh_tokens, sign_in_sessions, users
from shared.ids import new_id
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    """What a sign-in or a refresh hands out, besides the access token the gateway signs for ``principal``."""

    principal: auth.Principal
    refresh_token: str
    refresh_expires_at: datetime
    session_expires_at: datetime


@dataclass(frozen=True)
class Refused:
    reason: str


def start(uow: UnitOfWork, principal: auth.Principal, now: datetime, policy: rules.SessionPolicy) -> Grant:
    """A new session for a user who has just proved who they are. The user's sessions that are over are forgotten
    here, so that their spent tokens do not pile up."""
    _forget_finished(uow, principal.user_id, now)
    session_id = new_id("ses")
    expires_at = rules.session_expiry(now, policy)
    uow.session.execute(
        sign_in_sessions.insert().values(
            session_id=session_id, user_id=principal.user_id, started_at=now, expires_at=expires_at
        )
    )
    return _grant(uow, replace(principal, session_id=session_id), now, expires_at, policy)


def refresh(uow: UnitOfWork, presented: str, now: datetime, policy: rules.SessionPolicy) -> Grant | Refused:
    """Spend the presented refresh token for a new one.

    The token is spent first, by a conditional write: of two requests presenting it at once, one spends it and the
    other finds it spent (on PostgreSQL, after waiting for the first to commit), so both can never succeed. A refusal
    is returned rather than raised, because ending the session on reuse must be committed."""
    digest = rules.refresh_token_digest(presented)
    spent = update(refresh_tokens).where(refresh_tokens.c.digest == digest, refresh_tokens.c.used_at.is_(None))
    spent_now = cast(CursorResult, uow.session.execute(spent.values(used_at=now))).rowcount
    row = uow.session.execute(
        select(
            refresh_tokens.c.issued_at,
            sign_in_sessions.c.session_id,
            sign_in_sessions.c.expires_at,
            sign_in_sessions.c.ended_at,
            users,
        )
        .join(sign_in_sessions, sign_in_sessions.c.session_id == refresh_tokens.c.session_id)
        .join(users, users.c.user_id == sign_in_sessions.c.user_id)
        .where(refresh_tokens.c.digest == digest)
    ).one_or_none()
    if row is None:
        return Refused(rules.judge(None, now, policy).reason)
    presented_token = rules.PresentedToken(
        issued_at=row.issued_at,
        spent_before=not spent_now,
        session_expires_at=row.expires_at,
        session_ended=row.ended_at is not None,
        user_active=not row.disabled,
    )
    judgement = rules.judge(presented_token, now, policy)
    if judgement.verdict is rules.Verdict.END_SESSION:
        end(uow, row.session_id, now, judgement.end_reason)
        log.warning(
            "a sign-in session was ended",
            extra={"session_id": row.session_id, "user_id": row.user_id, "reason": judgement.end_reason},
        )
    if judgement.verdict is not rules.Verdict.ROTATE:
        return Refused(judgement.reason)
    principal = replace(accounts.principal_of_user(row), session_id=row.session_id)
    return _grant(uow, principal, now, row.expires_at, policy)


def end(uow: UnitOfWork, session_id: str, now: datetime, reason: str = rules.SIGNED_OUT) -> None:
    """Every token of the session stops: its refresh tokens find it ended, its access tokens find it not live."""
    uow.session.execute(
        update(sign_in_sessions)
        .where(sign_in_sessions.c.session_id == session_id, sign_in_sessions.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def is_live(uow: UnitOfWork, session_id: str | None, now: datetime) -> bool:
    """Asked on every request with an access token: one row found by its primary key, joined to its user by theirs."""
    if session_id is None:
        return False
    row = uow.session.execute(
        select(sign_in_sessions.c.ended_at, sign_in_sessions.c.expires_at, users.c.disabled)
        .join(users, users.c.user_id == sign_in_sessions.c.user_id)
        .where(sign_in_sessions.c.session_id == session_id)
    ).one_or_none()
    return row is not None and rules.session_is_live(row.ended_at, row.expires_at, not row.disabled, now)


def _grant(
    uow: UnitOfWork, principal: auth.Principal, now: datetime, session_expires_at: datetime, policy: rules.SessionPolicy
) -> Grant:
    token, digest = rules.new_refresh_token()
    uow.session.execute(refresh_tokens.insert().values(digest=digest, session_id=principal.session_id, issued_at=now))
    return Grant(principal, token, rules.refresh_expiry(now, session_expires_at, policy), session_expires_at)


def _forget_finished(uow: UnitOfWork, user_id: str, now: datetime) -> None:
    """Sessions past their lifetime, ended or not: none of their tokens can do anything any more."""
    finished = select(sign_in_sessions.c.session_id).where(
        sign_in_sessions.c.user_id == user_id, sign_in_sessions.c.expires_at <= now
    )
    uow.session.execute(delete(refresh_tokens).where(refresh_tokens.c.session_id.in_(finished)))
    uow.session.execute(
        delete(sign_in_sessions).where(sign_in_sessions.c.user_id == user_id, sign_in_sessions.c.expires_at <= now)
    )
