"""Users and credentials for tests that call the API: made in the gateway's accounts of the test's own database."""

import uuid

import requests

from bilum import users


def create_user(
    username: str, password: str, role: str, organisation_id: str | None = None, producer_id: str | None = None
) -> dict:
    return users.create(username, password, role, organisation_id, producer_id)


def bearer(base_url: str, username: str, password: str) -> dict:
    response = requests.post(
        f"{base_url}/api/v1/auth/token", json={"username": username, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def api_key(username: str) -> dict:
    return {"X-API-Key": users.api_key(username, "tests")}


def key_of_new_user(role: str, organisation_id: str | None = None, producer_id: str | None = None) -> dict:
    """API-key headers of a fresh user: keys do not expire while a long test runs."""
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    create_user(username, uuid.uuid4().hex, role, organisation_id, producer_id)
    return api_key(username)


def admin_key() -> dict:
    return key_of_new_user("admin")
