"""The rules of a sign-in session, without a database: what a presented refresh token earns, how long tokens live."""

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from services.gateway import session_rules as rules
from services.gateway.session_rules import PresentedToken, Verdict

STARTED = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)
POLICY = rules.SessionPolicy(
    access_lifetime=timedelta(minutes=15), refresh_idle=timedelta(hours=4), session_lifetime=timedelta(hours=12)
)
SESSION_ENDS = STARTED + POLICY.session_lifetime


def token(issued_at: datetime = STARTED, **state) -> PresentedToken:
    return PresentedToken(
        **{
            "issued_at": issued_at,
            "spent_before": False,
            "session_expires_at": SESSION_ENDS,
            "session_ended": False,
            "user_active": True,
            **state,
        }
    )


def test_a_fresh_unspent_token_of_a_live_session_rotates():
    assert rules.judge(token(), STARTED + timedelta(minutes=14), POLICY).verdict is Verdict.ROTATE


def test_a_spent_token_presented_again_ends_the_session_even_after_it_expired():
    judgement = rules.judge(token(spent_before=True), STARTED + timedelta(minutes=1), POLICY)
    assert (judgement.verdict, judgement.end_reason) == (Verdict.END_SESSION, rules.REUSED)
    assert "already used" in judgement.reason
    late = rules.judge(token(spent_before=True), STARTED + timedelta(hours=5), POLICY)
    assert late.verdict is Verdict.END_SESSION


def test_a_token_of_an_ended_session_is_refused_without_ending_anything_more():
    judgement = rules.judge(token(session_ended=True, spent_before=True), STARTED, POLICY)
    assert judgement.verdict is Verdict.REFUSE and "ended" in judgement.reason


def test_an_unknown_token_is_refused():
    assert rules.judge(None, STARTED, POLICY).verdict is Verdict.REFUSE


def test_a_disabled_users_token_ends_the_session():
    judgement = rules.judge(token(user_active=False), STARTED, POLICY)
    assert (judgement.verdict, judgement.end_reason) == (Verdict.END_SESSION, rules.USER_DISABLED)


def test_a_token_left_unused_past_the_idle_limit_is_refused():
    assert rules.judge(token(), STARTED + timedelta(hours=4) - timedelta(seconds=1), POLICY).verdict is Verdict.ROTATE
    judgement = rules.judge(token(), STARTED + timedelta(hours=4), POLICY)
    assert judgement.verdict is Verdict.REFUSE and "expired" in judgement.reason


def test_no_refresh_outlives_the_session_however_recently_the_token_was_issued():
    issued = SESSION_ENDS - timedelta(minutes=5)
    assert rules.judge(token(issued), SESSION_ENDS - timedelta(seconds=1), POLICY).verdict is Verdict.ROTATE
    judgement = rules.judge(token(issued), SESSION_ENDS, POLICY)
    assert judgement.verdict is Verdict.REFUSE and "over" in judgement.reason
    assert rules.refresh_expiry(issued, SESSION_ENDS, POLICY) == SESSION_ENDS


def test_an_access_token_lives_its_short_time_and_never_past_its_session():
    assert rules.access_lifetime(STARTED, SESSION_ENDS, POLICY) == timedelta(minutes=15)
    assert rules.access_lifetime(SESSION_ENDS - timedelta(minutes=2), SESSION_ENDS, POLICY) == timedelta(minutes=2)
    assert rules.access_lifetime(SESSION_ENDS + timedelta(minutes=2), SESSION_ENDS, POLICY) == timedelta(0)


def test_a_refresh_token_is_32_random_bytes_or_more_kept_only_as_its_digest():
    first, digest = rules.new_refresh_token()
    second, _ = rules.new_refresh_token()
    assert first != second and len(first) >= 43, "32 bytes in URL-safe base64"
    assert digest == rules.refresh_token_digest(first) and len(digest) == 64 and first not in digest


def test_a_session_is_live_until_it_ends_expires_or_its_user_is_disabled():
    assert rules.session_is_live(None, SESSION_ENDS, True, STARTED)
    assert not rules.session_is_live(STARTED, SESSION_ENDS, True, STARTED + timedelta(seconds=1))
    assert not rules.session_is_live(None, SESSION_ENDS, True, SESSION_ENDS)
    assert not rules.session_is_live(None, SESSION_ENDS, False, STARTED)


@given(
    issued_after_s=st.integers(min_value=0, max_value=13 * 3600),
    presented_after_s=st.integers(min_value=0, max_value=6 * 3600),
    spent=st.booleans(),
    ended=st.booleans(),
    active=st.booleans(),
)
def test_only_an_unspent_token_of_a_live_session_within_both_limits_rotates(
    issued_after_s, presented_after_s, spent, ended, active
):
    issued = STARTED + timedelta(seconds=issued_after_s)
    now = issued + timedelta(seconds=presented_after_s)
    presented = token(issued, spent_before=spent, session_ended=ended, user_active=active)
    judgement = rules.judge(presented, now, POLICY)
    rotates = not spent and not ended and active and now < SESSION_ENDS and now - issued < POLICY.refresh_idle
    assert (judgement.verdict is Verdict.ROTATE) == rotates
    assert (judgement.verdict is Verdict.END_SESSION) == (not ended and (spent or not active))
    assert rules.access_lifetime(now, SESSION_ENDS, POLICY) <= max(SESSION_ENDS - now, timedelta(0))
