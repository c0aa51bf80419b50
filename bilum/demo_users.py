"""The demonstration's people: an admin that sets the platform up, the co-operative's aggregator and inspector, a
buyer for each buyer organisation and one producer, each able to sign in to the pages with a password of this run."""

import secrets

from bilum import demo_data, users

ADMIN = "demo-admin"


def _people(producer_id: str | None) -> list[tuple[str, str, str | None, str | None]]:
    organisation = demo_data.ORGANISATION["id"]
    people = [
        (ADMIN, "admin", None, None),
        (f"{organisation}-aggregator", "aggregator", organisation, None),
        # A second aggregator, who approves the payouts the first one drafts.
        (f"{organisation}-treasurer", "aggregator", organisation, None),
        (f"{organisation}-inspector", "inspector", organisation, None),
    ]
    people += [
        (f"{demo_data.buyer_organisation(buyer)}-buyer", "buyer", demo_data.buyer_organisation(buyer), None)
        for buyer in demo_data.BUYERS
    ]
    if producer_id:
        people.append(("demo-producer", "producer", organisation, producer_id))
    return people


def credentials() -> tuple[dict, dict, dict]:
    """API keys of the admin, of each buyer organisation, and of the co-operative's aggregator and treasurer."""
    admin, buyers, staff = {}, {}, {}
    for username, role, organisation, _ in _people(None):
        users.ensure(username, secrets.token_urlsafe(16), role, organisation)
        key = {"X-API-Key": users.api_key(username, "demo")}
        if role == "admin":
            admin = key
        elif role == "buyer":
            buyers[organisation] = key
        elif role == "aggregator":
            staff[username.rsplit("-", 1)[1]] = key
    return admin, buyers, staff


def print_sign_ins(out, producer_id: str | None) -> None:
    """Passwords of this run, for the pages: printed, never stored in the repository."""
    print("Sign in to the pages (passwords of this run only):", file=out)
    for username, role, organisation, producer in _people(producer_id):
        password = secrets.token_urlsafe(12)
        users.ensure(username, password, role, organisation, producer)
        print(f"  {role:<10} {username:<40} {password}", file=out)
