from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notification.preferences import (
    AGGREGATOR_DIGEST_KINDS,
    CHANNELS,
    DEFER,
    DIGEST,
    SEND,
    UNREACHABLE,
    Contact,
    Preferences,
    QuietHours,
    plan_delivery,
)

PORT_MORESBY = "Pacific/Port_Moresby"  # UTC+10 all year
NIGHTS = QuietHours.parse("21:00-06:00", PORT_MORESBY)
WEAVER = Contact(mobile="+67570000101", email="meri@example.org")
PRODUCER = Preferences(channels=("sms", "email"), quiet_hours=NIGHTS)
AGGREGATOR = Preferences(channels=("email", "webhook"), quiet_hours=NIGHTS, digest_kinds=AGGREGATOR_DIGEST_KINDS)
CO_OP = Contact(email="office@coop.example.org", webhook_url="https://coop.example.org/hooks/bilum")


def port_moresby(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(PORT_MORESBY)).astimezone(timezone.utc)


def test_the_first_channel_is_used_in_the_day():
    plan = plan_delivery(PRODUCER, WEAVER, "inspection_passed", port_moresby(1, 10), {})
    assert (plan.action, plan.channel, plan.address) == (SEND, "sms", "+67570000101")


def test_a_message_at_night_waits_for_the_end_of_quiet_hours():
    plan = plan_delivery(PRODUCER, WEAVER, "inspection_passed", port_moresby(1, 22, 15), {})
    assert plan.action == DEFER and plan.channel == "sms"
    assert plan.send_at == port_moresby(2, 6)
    assert plan.send_at.tzinfo is not None


def test_after_midnight_it_waits_for_the_same_mornings_end():
    plan = plan_delivery(PRODUCER, WEAVER, "inspection_passed", port_moresby(2, 3), {})
    assert plan.send_at == port_moresby(2, 6)


@pytest.mark.parametrize("hour, minute, quiet", [(20, 59, False), (21, 0, True), (5, 59, True), (6, 0, False)])
def test_the_window_includes_its_start_and_excludes_its_end(hour, minute, quiet):
    assert NIGHTS.contains(port_moresby(1, hour, minute)) is quiet


def test_a_daytime_window_works_too():
    siesta = QuietHours(time(12, 0), time(14, 0), PORT_MORESBY)
    assert siesta.contains(port_moresby(1, 13)) and not siesta.contains(port_moresby(1, 15))
    assert siesta.ends_after(port_moresby(1, 13)) == port_moresby(1, 14)


def test_a_quota_offer_with_a_near_deadline_bypasses_quiet_hours():
    now = port_moresby(1, 22)
    plan = plan_delivery(PRODUCER, WEAVER, "quota_offered", now, {}, deadline=port_moresby(2, 12))
    assert plan.action == SEND and plan.channel == "sms"


def test_a_quota_offer_with_time_to_spare_waits_for_morning():
    now = port_moresby(1, 22)
    plan = plan_delivery(PRODUCER, WEAVER, "quota_offered", now, {}, deadline=port_moresby(4, 12))
    assert plan.action == DEFER and plan.send_at == port_moresby(2, 6)


def test_only_urgent_kinds_bypass_quiet_hours():
    plan = plan_delivery(PRODUCER, WEAVER, "inspection_failed", port_moresby(1, 22), {}, deadline=port_moresby(2, 7))
    assert plan.action == DEFER


def test_without_a_deadline_nothing_is_urgent():
    assert plan_delivery(PRODUCER, WEAVER, "quota_offered", port_moresby(1, 22), {}).action == DEFER


def test_webhooks_ignore_quiet_hours():
    hooks_only = Preferences(channels=("webhook",), quiet_hours=NIGHTS)
    plan = plan_delivery(hooks_only, CO_OP, "order_shipped", port_moresby(1, 23), {})
    assert (plan.action, plan.channel, plan.address) == (SEND, "webhook", CO_OP.webhook_url)


def test_a_channel_that_keeps_failing_falls_back_to_the_next():
    assert plan_delivery(PRODUCER, WEAVER, "inspection_passed", port_moresby(1, 10), {"sms": 2}).channel == "sms"
    plan = plan_delivery(PRODUCER, WEAVER, "inspection_passed", port_moresby(1, 10), {"sms": 3})
    assert (plan.action, plan.channel, plan.address) == (SEND, "email", "meri@example.org")


def test_the_failure_threshold_is_configurable():
    patient = Preferences(channels=("sms", "email"), max_failures=5)
    assert plan_delivery(patient, WEAVER, "inspection_passed", port_moresby(1, 10), {"sms": 4}).channel == "sms"


def test_a_channel_without_an_address_is_skipped():
    no_phone = Contact(email="meri@example.org")
    assert plan_delivery(PRODUCER, no_phone, "inspection_passed", port_moresby(1, 10), {}).channel == "email"


def test_when_every_channel_failed_the_recipient_is_unreachable():
    plan = plan_delivery(PRODUCER, WEAVER, "quota_offered", port_moresby(1, 10), {"sms": 3, "email": 4})
    assert plan.action == UNREACHABLE and plan.channel is None
    assert "sms: failed 3 times" in plan.reason and "email: failed 4 times" in plan.reason


def test_a_recipient_with_no_address_on_their_channels_is_unreachable():
    plan = plan_delivery(
        PRODUCER, Contact(webhook_url="https://example.org/h"), "quota_offered", port_moresby(1, 10), {}
    )
    assert plan.action == UNREACHABLE and "sms: no address" in plan.reason


def test_aggregators_can_take_some_kinds_as_a_daily_digest():
    assert plan_delivery(AGGREGATOR, CO_OP, "aggregator_lot_rejected", port_moresby(1, 10), {}).action == DIGEST
    plan = plan_delivery(AGGREGATOR, CO_OP, "aggregator_unreachable", port_moresby(1, 10), {})
    assert (plan.action, plan.channel) == (SEND, "email")


def test_digest_kinds_of_an_unreachable_party_are_not_swallowed():
    plan = plan_delivery(AGGREGATOR, CO_OP, "aggregator_lot_rejected", port_moresby(1, 10), {"email": 3, "webhook": 3})
    assert plan.action == UNREACHABLE


@pytest.mark.parametrize(
    "make",
    [
        lambda: Preferences(channels=("sms", "fax")),
        lambda: Preferences(channels=("sms", "sms")),
        lambda: Preferences(channels=("sms",), max_failures=0),
        lambda: QuietHours.parse("21:00", PORT_MORESBY),
        lambda: QuietHours.parse("21:00-21:00", PORT_MORESBY),
        lambda: QuietHours.parse("25:00-06:00", PORT_MORESBY),
    ],
)
def test_bad_preferences_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        QuietHours.parse("21:00-06:00", "Mars/Olympus")


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_delivery(PRODUCER, WEAVER, "quota_offered", datetime(2026, 12, 1, 10), {})


ZONES = ["Pacific/Port_Moresby", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
minutes = st.integers(min_value=0, max_value=24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
windows = (
    st.tuples(minutes, minutes, st.sampled_from(ZONES)).filter(lambda w: w[0] != w[1]).map(lambda w: QuietHours(*w))
)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(timezone.utc)
)
channel_lists = st.permutations(CHANNELS).flatmap(lambda order: st.integers(0, 3).map(lambda n: tuple(order[:n])))
contacts = st.builds(
    Contact,
    mobile=st.sampled_from([None, "+67570000101"]),
    email=st.sampled_from([None, "a@example.org"]),
    webhook_url=st.sampled_from([None, "https://example.org/h"]),
)
failure_counts = st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 6))
kinds = st.sampled_from(["quota_offered", "inspection_passed", "aggregator_lot_rejected", "order_shipped"])


@given(windows, moments)
def test_quiet_hours_end_after_now_within_a_day_outside_the_window(quiet, now):
    end = quiet.ends_after(now)
    assert now < end <= now + timedelta(hours=25)
    assert not quiet.contains(end)
    if quiet.contains(now):
        # No moment between now and the end lies outside the window (checked every quarter hour).
        step = now + timedelta(minutes=15)
        while step < end - timedelta(minutes=1):
            assert quiet.contains(step), step
            step += timedelta(minutes=15)


@given(
    channel_lists,
    st.one_of(st.none(), windows),
    contacts,
    failure_counts,
    kinds,
    moments,
    st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))),
    st.integers(1, 4),
    st.booleans(),
)
def test_the_plan_is_always_a_coherent_answer(
    channels, quiet, contact, failures, kind, now, time_left, max_failures, digest
):
    preferences = Preferences(
        channels, quiet, frozenset({"aggregator_lot_rejected"}) if digest else frozenset(), max_failures=max_failures
    )
    deadline = None if time_left is None else now + time_left
    plan = plan_delivery(preferences, contact, kind, now, failures, deadline=deadline)
    usable = [channel for channel in channels if contact.address(channel) and failures.get(channel, 0) < max_failures]
    if not usable:
        assert plan.action == UNREACHABLE and plan.reason
        return
    if plan.action == DIGEST:
        assert digest and kind == "aggregator_lot_rejected"
        return
    assert plan.channel == usable[0], "the most preferred channel that still works"
    assert plan.address == contact.address(plan.channel)
    assert failures.get(plan.channel, 0) < max_failures
    if plan.action == DEFER:
        assert quiet is not None and quiet.contains(now) and plan.channel != "webhook"
        assert plan.send_at > now and not quiet.contains(plan.send_at)
    else:
        assert plan.action == SEND
        urgent = kind == "quota_offered" and deadline is not None
        assert quiet is None or not quiet.contains(now) or plan.channel == "webhook" or urgent


def test_quiet_hours_end_when_the_clocks_go_back_out_of_the_window():
    """New York falls back at 06:00 UTC on 5 November 2028: 01:59 EDT becomes 01:00 EST, before a 01:01 start."""
    quiet = QuietHours(time(1, 1), time(0, 0), "America/New_York")
    now = datetime(2028, 11, 5, 5, 30, tzinfo=timezone.utc)
    assert quiet.contains(now)
    end = quiet.ends_after(now)
    assert (
        datetime(2028, 11, 5, 6, 0, tzinfo=timezone.utc) <= end <= datetime(2028, 11, 5, 6, 0, 1, tzinfo=timezone.utc)
    )
    assert not quiet.contains(end)
