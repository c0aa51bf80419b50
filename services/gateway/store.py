"""Tables of the gateway: the people and machines that may call the API, and sign-in sessions. The gateway owns no
business data."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, MetaData, String, Table, false, func

from shared.store import UtcDateTime

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    # None for a machine account that only signs in with API keys.
    Column("password_hash", String(200)),
    Column("role", String(16), nullable=False),
    Column("organisation_id", String(64), index=True),
    Column("producer_id", String(64)),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", UtcDateTime(), nullable=False),
)
# "Mary" and "mary" are one user: sign-in ignores case, and nobody can make a look-alike of another's name.
Index("ix_users_username_folded", func.lower(users.c.username), unique=True)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("digest", String(64), nullable=False),
    Column("user_id", String(64), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)

# A sign-in session: its refresh tokens rotate, and every token of it stops when it ends (sign-out, a refresh token
# used twice) or expires.
sign_in_sessions = Table(
    "sign_in_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    # "signed out" or "refresh token reused"
    Column("end_reason", String(32)),
)

# Every refresh token of a session, spent ones included: a spent one presented again ends the session. Found by the
# SHA-256 of the token, the only form in which it is kept.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("session_id", String(64), ForeignKey("sign_in_sessions.session_id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),
)
