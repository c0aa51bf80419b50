"""Use cases of the gateway's accounts: users, sign-in and API keys. Each runs in the unit of work given first."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.gateway import auth
from services.gateway.schemas import NewPassword, NewUser
from services.gateway.store import api_keys, users
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.ids import new_id
from shared.store import UnitOfWork, page_of, paged

# Verified against when a username is unknown, so that timing does not tell which usernames exist.
_DECOY_HASH = auth.password_hash_to_spend_time()


def principal_of_user(row, api_key_id: str | None = None) -> auth.Principal:
    """The caller a row of ``users`` (or a row that selects its columns) describes."""
    return auth.Principal(
        user_id=row.user_id,
        username=row.username,
        role=row.role,
        organisation_id=row.organisation_id,
        producer_id=row.producer_id,
        api_key_id=api_key_id,
    )


def _view(row) -> dict:
    return {
        "id": row.user_id,
        "username": row.username,
        "role": row.role,
        "organisation_id": row.organisation_id,
        "producer_id": row.producer_id,
        "disabled": row.disabled,
        "created_at": row.created_at.isoformat(),
    }


def create_user(
    uow: UnitOfWork,
    body: dict,
    now: datetime,
    created_by: auth.Principal | None = None,
    producer_organisation_id: str | None = None,
) -> dict:
    """``created_by`` None is the command line, which may make anyone; an aggregator makes users of its organisation.
    ``producer_organisation_id``: the organisation of the producer the body names, as the catalogue knows it."""
    data = load_or_refuse(NewUser(), body, "user")
    try:
        data["organisation_id"] = auth.organisation_of_new_user(
            created_by, data["role"], data["organisation_id"], data["producer_id"], producer_organisation_id
        )
    except ValueError as error:
        raise InvalidInput("user refused", {"organisation_id": [str(error)]}) from None
    user_id = new_id("usr")
    try:
        with uow.session.begin_nested():
            uow.session.execute(
                users.insert().values(
                    user_id=user_id,
                    username=data["username"],
                    password_hash=auth.hash_password(data["password"]) if data["password"] else None,
                    role=data["role"],
                    organisation_id=data["organisation_id"],
                    producer_id=data["producer_id"],
                    disabled=False,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise Conflict("this username cannot be used: choose another") from None
    return get_user(uow, user_id)


def get_user(uow: UnitOfWork, user_id: str) -> dict:
    row = uow.session.execute(select(users).where(users.c.user_id == user_id)).one_or_none()
    if row is None:
        raise NotFound(f"no user {user_id}")
    return _view(row)


def list_users(uow: UnitOfWork, page: int, page_size: int, organisation_id: str | None) -> dict:
    conditions = [users.c.organisation_id == organisation_id] if organisation_id else []
    rows, total = page_of(uow.session, users, conditions, (users.c.username,), page, page_size)
    return paged([_view(row) for row in rows], page, page_size, total)


def _named(username: str):
    """Usernames are one whatever their case."""
    return func.lower(users.c.username) == username.lower()


def sign_in(uow: UnitOfWork, username: str, password: str) -> auth.Principal:
    row = uow.session.execute(select(users).where(_named(username))).one_or_none()
    stored = row.password_hash if row is not None and row.password_hash else _DECOY_HASH
    if not auth.password_matches(stored, password) or row is None or row.disabled or not row.password_hash:
        raise auth.Unauthenticated("wrong username or password")
    return principal_of_user(row)


def create_api_key(uow: UnitOfWork, owner: auth.Principal, name: str, now: datetime) -> dict:
    """The key itself is shown once, in this answer; only its digest is kept."""
    key, prefix, digest = auth.new_api_key()
    key_id = new_id("key")
    uow.session.execute(
        api_keys.insert().values(
            key_id=key_id, prefix=prefix, digest=digest, user_id=owner.user_id, name=name, created_at=now
        )
    )
    return {"id": key_id, "name": name, "key": key, "created_at": now.isoformat()}


def principal_of_api_key(uow: UnitOfWork, key: str) -> auth.Principal:
    prefix = auth.api_key_prefix(key)
    row = (
        None
        if prefix is None
        else uow.session.execute(
            select(api_keys.c.key_id, api_keys.c.digest, api_keys.c.revoked_at, users)
            .join(users, users.c.user_id == api_keys.c.user_id)
            .where(api_keys.c.prefix == prefix)
        ).one_or_none()
    )
    if row is None or row.revoked_at is not None or row.disabled or not auth.api_key_matches(row.digest, key):
        raise auth.Unauthenticated("the API key is not valid")
    return principal_of_user(row, api_key_id=row.key_id)


def revoke_api_key(uow: UnitOfWork, owner: auth.Principal, key_id: str, now: datetime) -> dict:
    condition = api_keys.c.key_id == key_id
    if not owner.is_admin:
        condition &= api_keys.c.user_id == owner.user_id
    revoked = uow.session.execute(
        update(api_keys).where(condition, api_keys.c.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    if not revoked:
        raise NotFound(f"no active API key {key_id} of yours")
    return {"id": key_id, "revoked_at": now.isoformat()}


def user_by_name(uow: UnitOfWork, username: str) -> auth.Principal:
    row = uow.session.execute(select(users).where(_named(username))).one_or_none()
    if row is None:
        raise NotFound(f"no user {username}")
    return principal_of_user(row)


def set_password(uow: UnitOfWork, username: str, password: str) -> None:
    password = load_or_refuse(NewPassword(), {"password": password}, "password")["password"]
    changed = uow.session.execute(
        update(users).where(_named(username)).values(password_hash=auth.hash_password(password))
    ).rowcount
    if not changed:
        raise NotFound(f"no user {username}")
