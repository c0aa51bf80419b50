"""Who is calling, and may they: passwords, signed tokens, API keys and roles. Plain Python, no I/O.

Tokens are short-lived JWTs signed with one fixed algorithm; the list of algorithms a token may claim is fixed too, so
``alg=none`` or an HMAC forged with a public key is refused, and issuer and audience are checked. Each names the
sign-in session it was issued in (``sid``), which the gateway checks is still live: ending a session stops its tokens
at once. API keys are long random strings: only their SHA-256 is stored (a key has too much entropy for a slow hash
to matter), and their short prefix finds the row."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

from shared.errors import NotFound

ADMIN, AGGREGATOR, INSPECTOR, BUYER, PRODUCER = "admin", "aggregator", "inspector", "buyer", "producer"
ROLES = (ADMIN, AGGREGATOR, INSPECTOR, BUYER, PRODUCER)
ANYONE = frozenset(ROLES)
# The roles whose users act for an organisation, and the one whose users act for a producer.
ORGANISATION_ROLES = frozenset({AGGREGATOR, INSPECTOR, BUYER})

ALGORITHM = "HS256"
ISSUER = "bilum"
AUDIENCE = "bilum-api"
API_KEY_PREFIX = "bk_"

_hasher = PasswordHasher()


class Unauthenticated(Exception):
    """No credentials, or credentials that prove nothing: answered 401."""


class Forbidden(Exception):
    """Known caller, not allowed: answered 403."""


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    role: str
    organisation_id: str | None = None
    producer_id: str | None = None
    api_key_id: str | None = None
    # The sign-in session of a bearer token; None for an API key.
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def rate_key(self) -> str:
        """Limits count per API key for machines and per user for people."""
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"

    def public(self) -> dict:
        return {
            "username": self.username,
            "role": self.role,
            "organisation_id": self.organisation_id,
            "producer_id": self.producer_id,
        }


def check_identity(role: str, organisation_id: str | None, producer_id: str | None) -> None:
    """A user's role decides what it must be tied to: an organisation, a producer, or (admin) nothing."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role in ORGANISATION_ROLES and not organisation_id:
        raise ValueError(f"a {role} belongs to an organisation")
    if role == PRODUCER and not producer_id:
        raise ValueError("a producer user is tied to a producer")
    if role == ADMIN and (organisation_id or producer_id):
        raise ValueError("an admin belongs to no organisation")


def organisation_of_new_user(
    creator: Principal | None,
    role: str,
    organisation_id: str | None,
    producer_id: str | None,
    producer_organisation_id: str | None,
) -> str | None:
    """The organisation a new user belongs to, or why its creator may not make it.

    A producer's user belongs to the producer's organisation (``producer_organisation_id``, as the catalogue knows
    it), so its organisation's aggregators see it and no other organisation can make one: an aggregator naming
    another organisation's producer is told there is no such producer, before anything else is checked. ``creator``
    None is the command line, run by an operator, which may make anyone."""
    outsider = creator if creator is not None and not creator.is_admin else None
    if outsider and role == ADMIN:
        raise Forbidden("an aggregator makes users of its own organisation only, and no admins")
    if outsider and role == PRODUCER and producer_organisation_id != outsider.organisation_id:
        raise NotFound(f"no producer {producer_id}")
    if role == PRODUCER and producer_organisation_id is not None:
        if organisation_id is not None and organisation_id != producer_organisation_id:
            raise ValueError("a producer's user belongs to the producer's organisation")
        organisation_id = producer_organisation_id
    if outsider and organisation_id != outsider.organisation_id:
        raise Forbidden("an aggregator makes users of its own organisation only, and no admins")
    return organisation_id


def hash_password(password: str) -> str:
    return tpool.execute(_hasher.hash, password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Verified in a native thread (argon2 releases the GIL): a quarter second of hashing per sign-in would otherwise
    freeze every other request of the gateway process, which runs on one eventlet hub."""
    try:
        return tpool.execute(_hasher.verify, stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_hash_to_spend_time() -> str:
    """Verified against when the user does not exist, so a wrong username takes as long as a wrong password."""
    return tpool.execute(_hasher.hash, secrets.token_hex(8))


def issue_token(principal: Principal, secret: str, now: datetime, lifetime: timedelta) -> str:
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": principal.user_id,
        "name": principal.username,
        "role": principal.role,
        "org": principal.organisation_id,
        "producer": principal.producer_id,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": secrets.token_hex(8),
        "sid": principal.session_id,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def principal_of_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "role", "sid"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired: sign in again") from None
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"the token is not valid: {error}") from None
    if claims["role"] not in ROLES:
        raise Unauthenticated("the token names no known role")
    if not isinstance(claims["sid"], str) or not claims["sid"]:
        raise Unauthenticated("the token names no sign-in session")
    return Principal(
        user_id=claims["sub"],
        username=claims.get("name", ""),
        role=claims["role"],
        organisation_id=claims.get("org"),
        producer_id=claims.get("producer"),
        session_id=claims["sid"],
    )


def new_api_key() -> tuple[str, str, str]:
    """A fresh key, the prefix stored to find it, and the digest stored to check it."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, api_key_digest(key)


def api_key_prefix(key: str) -> str | None:
    parts = key.split("_")
    if len(parts) < 3 or not key.startswith(API_KEY_PREFIX) or len(parts[1]) != 8:
        return None
    return parts[1]


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(stored_digest: str, key: str) -> bool:
    return hmac.compare_digest(stored_digest, api_key_digest(key))


def require_role(principal: Principal, roles: frozenset) -> None:
    if principal.role not in roles:
        raise Forbidden(f"the role {principal.role} may not do this")
