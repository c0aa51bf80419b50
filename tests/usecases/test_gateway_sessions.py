"""Sign-in sessions on a real database: refresh tokens rotate, a reused one ends the session, sign-out ends it, and
both limits (idle and absolute) hold; two processes refreshing one token at once cannot both succeed.

The gateway's database has no outbox or inbox, so it is made here rather than by ``service_db``."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from services.gateway import accounts, auth, sessions
from services.gateway import session_rules as rules
from services.gateway.store import metadata, refresh_tokens, sign_in_sessions, users
from shared.store import Database, make_engine
from tests.usecases.refresh_racer import assert_one_won_each, race

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)
POLICY = rules.SessionPolicy(
    access_lifetime=timedelta(minutes=15), refresh_idle=timedelta(hours=4), session_lifetime=timedelta(hours=12)
)


class Gateway:
    def __init__(self, path: Path):
        self.url = f"sqlite:///{path}"
        self.database = Database("gateway", outbox=None, inbox=None, engine=make_engine("gateway", self.url))
        metadata.create_all(self.database.engine)

    def __call__(self, use_case, *args):
        with self.database.transaction() as uow:
            return use_case(uow, *args)

    def signed_in(self, username: str = "kumul-desk", at: datetime = NOW) -> sessions.Grant:
        body = {
            "username": username,
            "password": "a long enough password",
            "role": auth.AGGREGATOR,
            "organisation_id": "kumul",
        }
        self(accounts.create_user, body, at)
        return self(sessions.start, self(accounts.sign_in, username, "a long enough password"), at, POLICY)

    def refresh(self, token: str, at: datetime) -> sessions.Grant | sessions.Refused:
        return self(sessions.refresh, token, at, POLICY)

    def session(self, session_id: str):
        with self.database.engine.connect() as connection:
            return connection.execute(select(sign_in_sessions).where(sign_in_sessions.c.session_id == session_id)).one()


@pytest.fixture
def gateway(tmp_path):
    made = Gateway(tmp_path / "gateway.db")
    yield made
    made.database.engine.dispose()


def live(gateway: Gateway, grant: sessions.Grant, at: datetime) -> bool:
    return gateway(sessions.is_live, grant.principal.session_id, at)


def test_a_sign_in_starts_a_session_whose_refresh_token_is_kept_only_as_its_digest(gateway):
    grant = gateway.signed_in()
    assert grant.principal.username == "kumul-desk" and grant.principal.session_id.startswith("ses_")
    assert (grant.session_expires_at, grant.refresh_expires_at) == (NOW + timedelta(hours=12), NOW + timedelta(hours=4))
    assert live(gateway, grant, NOW)
    with gateway.database.engine.connect() as connection:
        [stored] = connection.execute(select(refresh_tokens)).all()
    assert stored.digest == rules.refresh_token_digest(grant.refresh_token) and grant.refresh_token not in stored


def test_a_refresh_spends_the_token_for_a_new_one_of_the_same_session(gateway):
    first = gateway.signed_in()
    second = gateway.refresh(first.refresh_token, NOW + timedelta(minutes=14))
    assert isinstance(second, sessions.Grant)
    assert second.refresh_token != first.refresh_token
    assert second.principal == first.principal, "the same user, role and session"
    assert second.refresh_expires_at == NOW + timedelta(minutes=14, hours=4)
    third = gateway.refresh(second.refresh_token, NOW + timedelta(minutes=28))
    assert isinstance(third, sessions.Grant) and live(gateway, third, NOW + timedelta(minutes=28))


def test_a_spent_token_presented_again_ends_the_session_and_every_token_of_it(gateway):
    first = gateway.signed_in()
    second = gateway.refresh(first.refresh_token, NOW + timedelta(minutes=14))
    assert isinstance(second, sessions.Grant)

    replayed = gateway.refresh(first.refresh_token, NOW + timedelta(minutes=20))
    assert isinstance(replayed, sessions.Refused) and "already used" in replayed.reason
    newest = gateway.refresh(second.refresh_token, NOW + timedelta(minutes=21))
    assert isinstance(newest, sessions.Refused) and "ended" in newest.reason
    assert not live(gateway, second, NOW + timedelta(minutes=21)), "its access tokens stop too"
    ended = gateway.session(first.principal.session_id)
    assert (ended.ended_at, ended.end_reason) == (NOW + timedelta(minutes=20), rules.REUSED)


def test_a_reuse_ends_only_its_own_session(gateway):
    mine = gateway.signed_in()
    other = gateway(sessions.start, mine.principal, NOW + timedelta(minutes=1), POLICY)
    gateway.refresh(mine.refresh_token, NOW + timedelta(minutes=2))
    gateway.refresh(mine.refresh_token, NOW + timedelta(minutes=3))
    assert not live(gateway, mine, NOW + timedelta(minutes=3))
    assert live(gateway, other, NOW + timedelta(minutes=3))
    assert isinstance(gateway.refresh(other.refresh_token, NOW + timedelta(minutes=4)), sessions.Grant)


def test_sign_out_ends_the_session_its_refresh_token_and_its_access_tokens(gateway):
    grant = gateway.signed_in()
    gateway(sessions.end, grant.principal.session_id, NOW + timedelta(minutes=5))
    assert not live(gateway, grant, NOW + timedelta(minutes=5))
    refused = gateway.refresh(grant.refresh_token, NOW + timedelta(minutes=6))
    assert isinstance(refused, sessions.Refused) and "ended" in refused.reason
    ended = gateway.session(grant.principal.session_id)
    assert (ended.ended_at, ended.end_reason) == (NOW + timedelta(minutes=5), rules.SIGNED_OUT)


def test_a_refresh_token_left_unused_past_the_idle_limit_is_refused(gateway):
    grant = gateway.signed_in()
    refused = gateway.refresh(grant.refresh_token, NOW + timedelta(hours=4))
    assert isinstance(refused, sessions.Refused) and "expired" in refused.reason


def test_a_session_refreshed_all_day_ends_at_its_lifetime_however_recent_its_token(gateway):
    grant: sessions.Grant | sessions.Refused = gateway.signed_in()
    at = NOW
    while at + timedelta(minutes=14) < NOW + timedelta(hours=12):
        at += timedelta(minutes=14)
        assert isinstance(grant, sessions.Grant)
        grant = gateway.refresh(grant.refresh_token, at)
        assert isinstance(grant, sessions.Grant), at
    assert grant.refresh_expires_at == NOW + timedelta(hours=12), "no refresh token outlives its session"
    assert live(gateway, grant, NOW + timedelta(hours=12) - timedelta(seconds=1))
    over = gateway.refresh(grant.refresh_token, NOW + timedelta(hours=12))
    assert isinstance(over, sessions.Refused) and "over" in over.reason
    assert not live(gateway, grant, NOW + timedelta(hours=12))


def test_a_disabled_users_refresh_tokens_and_access_tokens_stop(gateway):
    grant = gateway.signed_in()
    with gateway.database.transaction() as uow:
        uow.session.execute(update(users).values(disabled=True))
    assert not live(gateway, grant, NOW + timedelta(minutes=1))
    refused = gateway.refresh(grant.refresh_token, NOW + timedelta(minutes=1))
    assert isinstance(refused, sessions.Refused)
    assert gateway.session(grant.principal.session_id).end_reason == rules.USER_DISABLED


def test_an_unknown_refresh_token_is_refused_and_changes_nothing(gateway):
    grant = gateway.signed_in()
    refused = gateway.refresh(grant.refresh_token + "x", NOW + timedelta(minutes=1))
    assert isinstance(refused, sessions.Refused) and "not valid" in refused.reason
    assert live(gateway, grant, NOW + timedelta(minutes=1))
    assert not gateway(sessions.is_live, "ses_unknown", NOW) and not gateway(sessions.is_live, None, NOW)


def test_a_new_sign_in_forgets_the_users_sessions_that_are_over(gateway):
    old = gateway.signed_in()
    gateway.refresh(old.refresh_token, NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=13)
    gateway(sessions.start, old.principal, later, POLICY)
    with gateway.database.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(sign_in_sessions)).scalar_one() == 1
        assert connection.execute(select(func.count()).select_from(refresh_tokens)).scalar_one() == 1
    assert isinstance(gateway.refresh(old.refresh_token, later), sessions.Refused)


def test_two_processes_refreshing_one_token_at_once_cannot_both_succeed(gateway):
    now = datetime.now(timezone.utc)
    first = gateway.signed_in(at=now)
    grants = [first] + [gateway(sessions.start, first.principal, now, POLICY) for _ in range(19)]
    outcomes = race({"BILUM_GATEWAY_DB": gateway.url}, [grant.refresh_token for grant in grants])
    assert_one_won_each(outcomes, len(grants))
    later = datetime.now(timezone.utc)
    assert not any(live(gateway, grant, later) for grant in grants), "the loser's reuse ended each session"
