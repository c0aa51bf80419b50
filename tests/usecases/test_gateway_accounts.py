"""The gateway's accounts on a real database: users, sign-in and API keys, as the routes and the command line use them.

The gateway's database has no outbox or inbox (it emits no events), so it is made here rather than by ``service_db``.
"""

from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import accounts, auth
from services.gateway.store import metadata
from shared.errors import Conflict, NotFound
from shared.store import Database, make_engine

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
KUMUL = auth.Principal("usr_kumul", "kumul-desk", auth.AGGREGATOR, organisation_id="kumul")


class Accounts:
    def __init__(self, tmp_path):
        engine = make_engine("gateway", f"sqlite:///{tmp_path / 'gateway.db'}")
        self.database = Database("gateway", outbox=None, inbox=None, engine=engine)
        metadata.create_all(engine)

    def __call__(self, use_case, *args):
        with self.database.transaction() as uow:
            return use_case(uow, *args)

    def user(
        self,
        username: str,
        role: str = auth.BUYER,
        organisation_id: str | None = "kiriko",
        password: str | None = "a long enough password",
    ) -> dict:
        body = {"username": username, "password": password, "role": role, "organisation_id": organisation_id}
        return self(accounts.create_user, body, NOW)


@pytest.fixture
def gateway(tmp_path):
    made = Accounts(tmp_path)
    yield made
    made.database.engine.dispose()


def test_a_new_user_signs_in_with_its_password_whatever_the_case_of_its_name(gateway):
    made = gateway.user("Mary")
    principal = gateway(accounts.sign_in, "mary", "a long enough password")
    assert (principal.user_id, principal.role, principal.organisation_id) == (made["id"], auth.BUYER, "kiriko")
    with pytest.raises(auth.Unauthenticated):
        gateway(accounts.sign_in, "Mary", "a wrong password")
    with pytest.raises(auth.Unauthenticated):
        gateway(accounts.sign_in, "nobody", "a long enough password")


def test_a_username_taken_in_another_case_is_refused(gateway):
    gateway.user("Mary")
    with pytest.raises(Conflict):
        gateway.user("MARY")


def test_a_machine_account_without_a_password_cannot_sign_in(gateway):
    gateway.user("machine", password=None)
    with pytest.raises(auth.Unauthenticated):
        gateway(accounts.sign_in, "machine", "")


def test_an_aggregator_makes_and_lists_users_of_its_own_organisation_only(gateway):
    def inspector(username: str, organisation_id: str) -> dict:
        return {
            "username": username,
            "password": "a long enough password",
            "role": auth.INSPECTOR,
            "organisation_id": organisation_id,
        }

    gateway(accounts.create_user, inspector("inspector-1", "kumul"), NOW, KUMUL)
    with pytest.raises(auth.Forbidden):
        gateway(accounts.create_user, inspector("inspector-2", "kiriko"), NOW, KUMUL)
    gateway.user("buyer-1")
    listed = gateway(accounts.list_users, 1, 20, "kumul")
    assert [user["username"] for user in listed["items"]] == ["inspector-1"]


def test_an_api_key_acts_as_its_owner_until_revoked(gateway):
    owner = gateway(
        accounts.user_by_name, gateway.user("feeder", role=auth.AGGREGATOR, organisation_id="kumul")["username"]
    )
    created = gateway(accounts.create_api_key, owner, "nightly import", NOW)
    principal = gateway(accounts.principal_of_api_key, created["key"])
    assert (principal.user_id, principal.api_key_id) == (owner.user_id, created["id"])

    gateway(accounts.revoke_api_key, owner, created["id"], NOW + timedelta(hours=1))
    with pytest.raises(auth.Unauthenticated):
        gateway(accounts.principal_of_api_key, created["key"])
    with pytest.raises(NotFound):
        gateway(accounts.revoke_api_key, owner, created["id"], NOW + timedelta(hours=2))


def test_only_its_owner_or_an_admin_revokes_a_key(gateway):
    owner = gateway(accounts.user_by_name, gateway.user("feeder")["username"])
    created = gateway(accounts.create_api_key, owner, "nightly import", NOW)
    with pytest.raises(NotFound):
        gateway(accounts.revoke_api_key, KUMUL, created["id"], NOW)
    assert gateway(accounts.principal_of_api_key, created["key"]).user_id == owner.user_id
    admin = auth.Principal("usr_root", "root", auth.ADMIN)
    assert gateway(accounts.revoke_api_key, admin, created["id"], NOW)["id"] == created["id"]


def test_a_new_password_replaces_the_old_one(gateway):
    gateway.user("mary")
    gateway(accounts.set_password, "mary", "another long password")
    assert gateway(accounts.sign_in, "mary", "another long password").username == "mary"
    with pytest.raises(auth.Unauthenticated):
        gateway(accounts.sign_in, "mary", "a long enough password")
