"""Tables of the gateway: the people and machines that may call the API. The gateway owns no business data."""

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
