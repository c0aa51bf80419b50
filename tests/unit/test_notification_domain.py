import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notification import buyer_notices, domain, replies, retries
from services.notification.preferences import DEFER, DIGEST, SEND, UNREACHABLE, Contact, plan_delivery
from services.notification.sms import encoded_length, is_gsm7
from services.notification.templates import FIELDS, LANGUAGES, render

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)  # 10:00 in Port Moresby
OFFER = domain.Quota("qta_1", "K7Q2MD", "ord_1", "prd_1", "off_1", 45, NOW, NOW + timedelta(hours=48))
LOT = domain.Lot("lot_1", "qta_1", "ord_1", "prd_1", "off_1", 20)
ORDER = domain.Order("ord_1", "byr_1", date(2027, 3, 1), date(2027, 2, 20))
WEAVER = domain.Recipient(
    "prd_1", domain.PRODUCER, "Goroka Meri", ("tpi",), Contact(mobile="+67570000101", email="meri@example.org"), "kumul"
)
POLICY = retries.RetryPolicy(max_attempts=8, base_s=30, cap_s=3600)


def keys(notices):
    return [(notice.key, notice.recipient_id, notice.kind) for notice in notices]


def test_a_quota_offer_goes_to_its_producer_with_the_code_and_the_deadline():
    [notice] = domain.quota_offered("evt_1", OFFER, "Bilum bag")
    assert (notice.recipient_id, notice.kind, notice.key) == ("prd_1", "quota_offered", "evt_1")
    assert notice.ref == "K7Q2MD" and notice.deadline == OFFER.respond_by
    assert notice.values == {"ref": "K7Q2MD", "quantity": 45, "product": "Bilum bag", "respond_by": OFFER.respond_by}
    assert notice.correlation_id == "ord_1"


@pytest.mark.parametrize(
    "hours_left, status, reminded",
    [
        (13, domain.OFFERED, False),
        (12, domain.OFFERED, True),
        (1, domain.OFFERED, True),
        (0, domain.OFFERED, False),
        (-1, domain.OFFERED, False),
        (6, "accepted", False),
        (6, "expired", False),
    ],
)
def test_a_reminder_is_due_for_an_unanswered_offer_once_its_deadline_is_near(hours_left, status, reminded):
    quota = domain.Quota(
        "qta_1",
        "K7Q2MD",
        "ord_1",
        "prd_1",
        "off_1",
        45,
        NOW - timedelta(hours=40),
        NOW + timedelta(hours=hours_left),
        status,
    )
    notices = domain.reminders_due([quota], {"off_1": "Bilum bag"}, NOW, lead=timedelta(hours=12))
    assert [notice.kind for notice in notices] == (["quota_reminder"] if reminded else [])


@pytest.mark.parametrize("offered_hours_before_deadline, reminded", [(12.5, True), (12, False), (3, False)])
def test_an_offer_made_inside_the_reminder_window_is_not_reminded_of(offered_hours_before_deadline, reminded):
    respond_by = NOW + timedelta(hours=2)
    quota = domain.Quota(
        "qta_1",
        "K7Q2MD",
        "ord_1",
        "prd_1",
        "off_1",
        45,
        respond_by - timedelta(hours=offered_hours_before_deadline),
        respond_by,
    )
    assert bool(domain.reminders_due([quota], {"off_1": "Bag"}, NOW, timedelta(hours=12))) is reminded


def test_a_reminder_is_keyed_by_its_quota_so_every_sweep_asks_for_the_same_one():
    quota = domain.Quota(
        "qta_1", "K7Q2MD", "ord_1", "prd_1", "off_1", 45, NOW - timedelta(hours=40), NOW + timedelta(hours=6)
    )
    first = domain.reminders_due([quota], {"off_1": "Bilum bag"}, NOW, timedelta(hours=12))
    later = domain.reminders_due([quota], {"off_1": "Bilum bag"}, NOW + timedelta(hours=2), timedelta(hours=12))
    assert keys(first) == keys(later) == [("qta_1", "prd_1", "quota_reminder")]


def test_a_passed_lot_is_news_for_its_producer_only():
    notices = domain.lot_inspected("evt_2", LOT, "K7Q2MD", "Bilum bag", True, "Goroka Meri", "kumul", 0, 13)
    assert [(n.recipient_id, n.kind) for n in notices] == [("prd_1", "inspection_passed")]


def test_a_rejected_lot_is_told_to_its_producer_and_to_the_aggregator_with_the_defects():
    notices = domain.lot_inspected("evt_2", LOT, "K7Q2MD", "Bilum bag", False, "Goroka Meri", "kumul", 4, 32)
    assert [(n.recipient_id, n.kind) for n in notices] == [
        ("prd_1", "inspection_failed"),
        ("kumul", "aggregator_lot_rejected"),
    ]
    assert notices[1].values == {
        "ref": "K7Q2MD",
        "quantity": 20,
        "product": "Bilum bag",
        "producer": "Goroka Meri",
        "defects": 4,
        "sample_size": 32,
    }


def test_without_an_organisation_nobody_else_hears_of_a_rejected_lot():
    notices = domain.lot_inspected("evt_2", LOT, "K7Q2MD", "Bilum bag", False, "Goroka Meri", None, 4, 32)
    assert [n.kind for n in notices] == ["inspection_failed"]


# What can happen to an offered quota, in the order it happens.
QUOTA_HISTORIES = [
    (domain.ACCEPTED,),
    (domain.DECLINED,),
    (domain.EXPIRED,),
    (domain.RELEASED,),
    (domain.ACCEPTED, domain.RELEASED),
]


@given(st.sampled_from(QUOTA_HISTORIES).flatmap(lambda history: st.tuples(st.just(history), st.permutations(history))))
def test_a_quotas_facts_in_any_order_leave_it_where_the_last_of_them_put_it(history_and_arrival):
    history, arrival = history_and_arrival
    status = domain.OFFERED
    for reported in arrival:
        if status in domain.statuses_before(reported):
            status = reported
    assert status == history[-1], arrival


def test_work_taken_away_and_rework_name_the_quota_code():
    [taken] = domain.work_taken_away("evt_3", OFFER, 45, "Bilum bag")
    [rework] = domain.rework_requested("evt_4", LOT, "K7Q2MD", "Bilum bag")
    assert (taken.kind, taken.values["quantity"], taken.ref) == ("quota_reallocated", 45, "K7Q2MD")
    assert (rework.kind, rework.values["quantity"], rework.ref) == ("lot_rework_requested", 20, "K7Q2MD")


def test_a_planned_shipment_tells_each_producer_once_per_quota_with_its_units():
    lots = [
        domain.ShippedLot("lot_1", "ord_1", 20, "prd_1", "qta_1", "K7Q2MD", "Bag"),
        domain.ShippedLot("lot_2", "ord_1", 25, "prd_1", "qta_1", "K7Q2MD", "Bag"),
        domain.ShippedLot("lot_3", "ord_2", 10, "prd_1", "qta_9", "ZX4Q2P", "Bag"),
        domain.ShippedLot("lot_4", "ord_1", 30, "prd_2", "qta_2", "HJ7KQ3", "Bag"),
    ]
    notices = domain.shipment_planned("evt_5", "shp_1", "Brisbane", lots, {})
    assert sorted((n.recipient_id, n.ref, n.values["quantity"]) for n in notices) == [
        ("prd_1", "K7Q2MD", 45),
        ("prd_1", "ZX4Q2P", 10),
        ("prd_2", "HJ7KQ3", 30),
    ]
    assert all(n.kind == "lot_shipment_planned" and n.values["city"] == "Brisbane" for n in notices)
    assert len(set(keys(notices))) == 3


def test_a_producer_with_a_pickup_in_the_plan_hears_the_day_and_the_hub():
    lots = [
        domain.ShippedLot("lot_1", "ord_1", 20, "prd_1", "qta_1", "K7Q2MD", "Bag"),
        domain.ShippedLot("lot_4", "ord_1", 30, "prd_2", "qta_2", "HJ7KQ3", "Bag"),
    ]
    notices = domain.shipment_planned("evt_5", "shp_1", "Brisbane", lots, {"prd_1": (date(2026, 12, 3), "Goroka hub")})
    assert [(n.recipient_id, n.kind) for n in notices] == [
        ("prd_1", "pickup_scheduled"),
        ("prd_2", "lot_shipment_planned"),
    ]
    assert notices[0].values == {
        "ref": "K7Q2MD",
        "quantity": 20,
        "product": "Bag",
        "place": "Goroka hub",
        "pickup_at": date(2026, 12, 3),
    }
    rendered = render("pickup_scheduled", ["en"], name="Meri", **notices[0].values)
    assert "at Goroka hub on 3 Dec" in rendered.sms_text and "Thursday 3 December 2026" in rendered.text


def test_a_planned_lot_without_its_producer_is_refused_rather_than_told_to_nobody():
    with pytest.raises(ValueError, match="lot_1"):
        domain.shipment_planned("evt_5", "shp_1", "Brisbane", [domain.ShippedLot("lot_1", "ord_1", 20)], {})


def test_an_order_is_confirmed_with_its_promise_or_received_without_one():
    [confirmed] = buyer_notices.order_placed("evt_6", ORDER, 120)
    [received] = buyer_notices.order_placed("evt_6", domain.Order("ord_1", "byr_1", date(2027, 3, 1), None), 120)
    assert (confirmed.kind, confirmed.values["promised_by"]) == ("order_confirmed", date(2027, 2, 20))
    assert received.kind == "order_received" and "promised_by" not in received.values
    assert confirmed.recipient_id == received.recipient_id == "byr_1"


def test_a_shortfall_is_told_to_the_buyer_and_the_aggregator_under_one_key():
    notices = buyer_notices.shortfall("evt_7", ORDER, "kumul", ordered=120, short=30, product="Bag")
    assert keys(notices) == [("evt_7", "byr_1", "order_shortfall"), ("evt_7", "kumul", "aggregator_shortfall")]
    assert (
        notices[0].values == notices[1].values == {"order_id": "ord_1", "ordered": 120, "short": 30, "product": "Bag"}
    )


def test_buyers_hear_of_their_own_units_in_a_shared_shipment():
    orders = {"ord_1": ORDER, "ord_2": domain.Order("ord_2", "byr_2", date(2027, 4, 1), None)}
    lots = [
        domain.ShippedLot("lot_1", "ord_1", 20),
        domain.ShippedLot("lot_2", "ord_2", 5),
        domain.ShippedLot("lot_3", "ord_1", 25),
    ]
    shipped = buyer_notices.orders_shipped("evt_8", lots, orders)
    assert [(n.recipient_id, n.values["units"], n.values["expected_on"]) for n in shipped] == [
        ("byr_1", 45, date(2027, 2, 20)),
        ("byr_2", 5, date(2027, 4, 1)),
    ]
    delivered = buyer_notices.orders_delivered("evt_9", lots, orders)
    assert [(n.kind, n.correlation_id, n.values["units"]) for n in delivered] == [
        ("order_delivered", "ord_1", 45),
        ("order_delivered", "ord_2", 5),
    ]


def test_a_shipment_is_late_only_once_an_order_in_it_is_past_due():
    due = [
        domain.ShipmentDue("shp_1", "kumul", date(2026, 11, 30)),
        domain.ShipmentDue("shp_2", "kumul", date(2026, 12, 1)),
    ]
    late = buyer_notices.late_shipments(due, date(2026, 12, 1))
    assert keys(late) == [("shp_1", "kumul", "aggregator_shipment_late")]


def test_an_unreachable_producer_is_reported_to_its_organisation_with_its_contacts():
    [notice] = domain.unreachable("ntf_1", WEAVER, "K7Q2MD", "ord_1")
    assert (notice.recipient_id, notice.kind, notice.key) == ("kumul", "aggregator_unreachable", "ntf_1")
    assert notice.values == {"producer": "Goroka Meri", "contact": "+67570000101, meri@example.org", "ref": "K7Q2MD"}
    alone = domain.Recipient("prd_2", domain.PRODUCER, "Nobody", ("en",), Contact())
    assert domain.unreachable("ntf_2", alone, "K7Q2MD", "ord_1") == []


def test_dead_letters_and_digests_are_keyed_by_what_they_cover():
    letters = buyer_notices.dead_letters("kumul", "orders", 3, 17)
    assert (letters.key, letters.values) == ("orders/17", {"service": "orders", "count": 3})
    digest = buyer_notices.digest("kumul", date(2026, 12, 1), ["one", "two"])
    assert (digest.kind, digest.key, digest.values["items"]) == ("daily_digest", "2026-12-01", ["one", "two"])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["prd_1", "prd_2", "prd_3"]),
            st.sampled_from(["qta_1", "qta_2"]),
            st.sampled_from(["ord_1", "ord_2"]),
            st.integers(1, 500),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_one_event_never_makes_two_notices_under_one_key(lots):
    """Two notices under one key would be one message silently dropped by the store's unique key."""
    shipped = [
        domain.ShippedLot(f"lot_{n}", order_id, quantity, producer_id, quota_id, "K7Q2MD", "Bag")
        for n, (producer_id, quota_id, order_id, quantity) in enumerate(lots)
    ]
    orders = {"ord_1": ORDER, "ord_2": domain.Order("ord_2", "byr_1", date(2027, 4, 1), None)}
    for notices in (
        domain.shipment_planned("evt", "shp_1", "Lae", shipped, {"prd_2": (date(2027, 1, 4), "Lae")}),
        buyer_notices.orders_shipped("evt", shipped, orders),
        buyer_notices.orders_delivered("evt", shipped, orders),
    ):
        assert len(set(keys(notices))) == len(notices)
        assert sum(n.values["units" if n.kind.startswith("order_") else "quantity"] for n in notices) == sum(
            lot.quantity for lot in shipped
        )


def test_preferences_default_by_kind_and_quiet_hours_use_the_recipients_zone():
    assert domain.preferences_of(domain.PRODUCER, None, None).channels == ("sms", "email", "webhook")
    assert domain.preferences_of(domain.BUYER, None, None).channels == ("email", "webhook")
    chosen = domain.preferences_of(
        domain.AGGREGATOR,
        {
            "channels": ["webhook", "email"],
            "quiet_hours": "21:00-06:00",
            "digest_kinds": ["aggregator_lot_rejected"],
            "max_failures": 2,
        },
        "Pacific/Port_Moresby",
    )
    assert chosen.channels == ("webhook", "email") and chosen.max_failures == 2
    assert chosen.quiet_hours.zone == "Pacific/Port_Moresby" and chosen.quiet_hours.start == time(21)
    assert chosen.digest_kinds == {"aggregator_lot_rejected"}


def test_a_channel_that_refused_this_message_is_passed_over_for_it_alone():
    preferences = domain.preferences_of(domain.PRODUCER, None, None)
    failures = retries.failures_for({"sms": 0}, ["sms"], preferences.max_failures)
    plan = plan_delivery(preferences, WEAVER.contact, "inspection_passed", NOW, failures)
    assert (plan.action, plan.channel) == (SEND, "email")
    assert (
        plan_delivery(
            preferences, WEAVER.contact, "inspection_passed", NOW, retries.failures_for({"sms": 0}, [], 3)
        ).channel
        == "sms"
    )


def test_a_gateway_that_keeps_failing_makes_the_message_fall_back_to_email():
    """The loop the service runs: plan, send, and after a failure wait or plan again."""
    preferences = domain.preferences_of(domain.PRODUCER, None, None)
    consecutive, given_up, now, tried = {}, [], NOW, []
    for attempt in range(1, 10):
        plan = plan_delivery(
            preferences,
            WEAVER.contact,
            "quota_offered",
            now,
            retries.failures_for(consecutive, given_up, preferences.max_failures),
            OFFER.respond_by,
        )
        tried.append(plan.channel)
        if plan.channel == "email":
            break
        consecutive["sms"] = consecutive.get("sms", 0) + 1
        step = retries.after_failure(
            POLICY, attempt, True, consecutive["sms"], preferences.max_failures, now, random.Random(attempt)
        )
        assert step.status == domain.RETRYING
        now = step.at
    assert tried == ["sms", "sms", "sms", "email"]


def test_a_producer_no_channel_reaches_is_unreachable_and_nothing_is_sent():
    preferences = domain.preferences_of(domain.PRODUCER, None, None)
    plan = plan_delivery(preferences, WEAVER.contact, "quota_offered", NOW, {"sms": 3, "email": 3})
    assert plan.action == UNREACHABLE and "sms: failed 3 times" in plan.reason


def test_quiet_hours_hold_a_message_and_a_digest_keeps_it_for_the_day():
    held = domain.preferences_of(
        domain.PRODUCER, {"channels": ["sms"], "quiet_hours": "06:00-21:00"}, "Pacific/Port_Moresby"
    )
    assert plan_delivery(held, WEAVER.contact, "inspection_passed", NOW, {}).action == DEFER
    digesting = domain.preferences_of(
        domain.AGGREGATOR, {"channels": ["email"], "digest_kinds": ["aggregator_shortfall"]}, None
    )
    assert plan_delivery(digesting, Contact(email="a@example.org"), "aggregator_shortfall", NOW, {}).action == DIGEST
    assert plan_delivery(digesting, Contact(email="a@example.org"), "aggregator_unreachable", NOW, {}).action == SEND


@pytest.mark.parametrize(
    "attempts, retryable, channel_failures, status, immediate, give_up",
    [
        (8, True, 1, domain.FAILED, None, False),
        (2, False, 1, domain.RETRYING, True, True),
        (3, True, 3, domain.RETRYING, True, False),
        (1, True, 1, domain.RETRYING, False, False),
    ],
)
def test_after_a_failure(attempts, retryable, channel_failures, status, immediate, give_up):
    step = retries.after_failure(POLICY, attempts, retryable, channel_failures, 3, NOW, random.Random(7))
    assert step.status == status and step.give_up_channel is give_up
    if immediate is None:
        assert step.at is None
    else:
        assert (step.at == NOW) is immediate


@given(attempts=st.integers(1, 7), seed=st.integers(0, 10_000))
def test_a_retry_waits_at_most_the_capped_exponential_backoff(attempts, seed):
    step = retries.after_failure(POLICY, attempts, True, 1, 3, NOW, random.Random(seed))
    assert NOW <= step.at <= NOW + timedelta(seconds=min(POLICY.cap_s, POLICY.base_s * 2 ** (attempts - 1)))


@given(attempt=st.integers(1, 40), base_s=st.floats(0.001, 10), cap_s=st.floats(0.001, 600), seed=st.integers())
def test_a_delay_is_full_jitter_under_the_capped_exponential(attempt, base_s, cap_s, seed):
    delay = retries.retry_delay_s(attempt, base_s, cap_s, random.Random(seed))
    assert 0 <= delay <= min(cap_s, base_s * 2 ** (attempt - 1))
    assert delay == retries.retry_delay_s(attempt, base_s, cap_s, random.Random(seed)), "the same seed, the same delay"


def test_delays_grow_exponentially_until_the_cap():
    rng = random.Random(11)
    means = [sum(retries.retry_delay_s(attempt, 1, 20, rng) for _ in range(2000)) / 2000 for attempt in range(1, 8)]
    assert means[0] == pytest.approx(0.5, abs=0.05)
    assert means[3] == pytest.approx(4, rel=0.1)
    assert means[5] == pytest.approx(10, rel=0.1) and means[6] == pytest.approx(10, rel=0.1), "capped at 20"


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        retries.retry_delay_s(0, 1, 10, random.Random(0))


@pytest.mark.parametrize(
    "hour, zone, day",
    [
        (16, None, None),
        (17, None, date(2026, 12, 1)),
        (6, "Pacific/Port_Moresby", None),
        (7, "Pacific/Port_Moresby", date(2026, 12, 1)),
        (13, "Pacific/Port_Moresby", date(2026, 12, 1)),
        (14, "Pacific/Port_Moresby", None),
    ],
)
def test_the_digest_goes_after_the_digest_hour_of_the_recipients_own_day(hour, zone, day):
    assert buyer_notices.digest_day(datetime(2026, 12, 1, hour, tzinfo=timezone.utc), zone, 17) == day


@pytest.mark.parametrize("raw", ["+675 7000-0101", "0067570000101", "67570000101", "+67570000101"])
def test_a_senders_number_is_recognised_however_the_provider_writes_it(raw):
    assert replies.normalise_mobile(raw) == "+67570000101"


@pytest.mark.parametrize(
    "error, asked, kind",
    [
        ("NotFound", None, "sms_error_bad_ref"),
        ("InvalidInput", 60, "sms_reply_quantity_refused"),
        ("InvalidInput", None, "sms_reply_closed"),
        ("Conflict", None, "sms_reply_closed"),
        ("Conflict", 20, "sms_reply_closed"),
    ],
)
def test_a_refused_answer_is_explained_to_the_producer(error, asked, kind):
    chosen, values = replies.refusal_reply(error, asked, OFFER, "Bag")
    assert chosen == kind
    assert values.keys() == FIELDS[kind]


NEW_KINDS_VALUES = dict(
    name="Goroka Meri Bilum Group",
    ref="K7Q2MD",
    quantity=9999,
    product="Highlands bilum bag, medium",
    order_id="ord_4f2a9c1d7e3b5a60",
    units=12000,
    city="Port Moresby",
    asked=99999,
    shipment_id="shp_4f2a9c1d7e3b5a60",
    due_on=date(2027, 9, 15),
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "kind",
    [
        "quota_declined_ack",
        "lot_rework_requested",
        "lot_shipment_planned",
        "order_received",
        "aggregator_shipment_late",
        "sms_reply_quantity_refused",
        "sms_reply_closed",
    ],
)
def test_the_services_own_messages_fit_one_sms_in_every_language(kind, language):
    rendered = render(
        kind, [language], zone="Pacific/Port_Moresby", **{name: NEW_KINDS_VALUES[name] for name in FIELDS[kind]}
    )
    assert rendered.language == language and "{" not in rendered.text + rendered.sms_text
    assert is_gsm7(rendered.sms_text) and encoded_length(rendered.sms_text) <= 160, rendered.sms_text


# Top-ups -------------------------------------------------------------------------------------------------------------

TAKEN = replace(OFFER, quantity=12, status=domain.ACCEPTED)
TOPPED = replace(TAKEN, top_up=domain.TopUp(6, 12))


def test_a_top_up_is_asked_like_an_offer_with_the_quotas_own_code_the_extra_and_the_new_total():
    respond_by = NOW + timedelta(hours=48)
    [notice] = domain.top_up_offered("evt_10", TAKEN, 6, 12, respond_by, "Bilum bag")
    assert (notice.recipient_id, notice.kind, notice.key, notice.correlation_id) == (
        "prd_1",
        "quota_top_up_offered",
        "evt_10",
        "ord_1",
    )
    assert notice.ref == "K7Q2MD" and notice.deadline == respond_by
    assert notice.values == {"ref": "K7Q2MD", "more": 6, "total": 18, "product": "Bilum bag", "respond_by": respond_by}
    rendered = render(notice.kind, ["en"], zone="Pacific/Port_Moresby", name="Meri", **notice.values)
    assert rendered.sms_text.startswith("Bilum: can you make another 6 x Bilum bag for work K7Q2MD, 18 in all?")


@pytest.mark.parametrize("status", [domain.DECLINED, domain.EXPIRED, domain.RELEASED])
def test_a_quota_closed_meanwhile_is_not_topped_up(status):
    assert domain.top_up_offered("evt_10", replace(TAKEN, status=status), 6, 12, NOW, "Bag") == []


def test_a_top_up_near_its_deadline_goes_out_in_quiet_hours_like_an_offer():
    nights = domain.preferences_of(
        domain.PRODUCER, {"channels": ["sms"], "quiet_hours": "06:00-21:00"}, "Pacific/Port_Moresby"
    )
    [notice] = domain.top_up_offered("evt_10", TAKEN, 6, 12, NOW + timedelta(hours=4), "Bag")
    assert plan_delivery(nights, WEAVER.contact, notice.kind, NOW, {}, notice.deadline).action == SEND
    assert plan_delivery(nights, WEAVER.contact, "quota_top_up_lapsed", NOW, {}).action == DEFER


def test_a_lapsed_top_up_says_what_went_to_others_and_what_stays_hers():
    [notice] = domain.top_up_lapsed("evt_11", TAKEN, 6, 12, "Bilum bag")
    assert (notice.kind, notice.ref, notice.values) == (
        "quota_top_up_lapsed",
        "K7Q2MD",
        {"ref": "K7Q2MD", "more": 6, "quantity": 12, "product": "Bilum bag"},
    )


OFFERED_AT, ANSWERED_AT = NOW, NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    "offered_at, answered_at, pending",
    [
        (None, None, None),
        (OFFERED_AT, None, domain.TopUp(6, 12)),
        (OFFERED_AT, ANSWERED_AT, None),
        (ANSWERED_AT, OFFERED_AT, domain.TopUp(6, 12)),
        (OFFERED_AT, OFFERED_AT, None),
    ],
)
def test_a_top_up_is_pending_until_an_answer_newer_than_it_is_seen(offered_at, answered_at, pending):
    units = 6 if offered_at else None
    assert domain.pending_top_up(units, 12 if units else None, offered_at, answered_at) == pending


@given(st.permutations([("offered", 1), ("answered", 2), ("offered", 3)]))
def test_top_up_facts_in_any_order_leave_the_newest_offer_pending_when_nothing_answered_it(arrival):
    """Two top-ups of one quota, the first answered: the second is pending, whatever order the facts arrive in,
    as the service keeps them (the newest of each kind)."""
    offered_at = answered_at = None
    for fact, hour in arrival:
        at = NOW + timedelta(hours=hour)
        if fact == "offered":
            offered_at = max(filter(None, (offered_at, at)))
        else:
            answered_at = max(filter(None, (answered_at, at)))
    assert domain.pending_top_up(4, 18, offered_at, answered_at) == domain.TopUp(4, 18)


@pytest.mark.parametrize(
    "quota, asked, answered, kind, values",
    [
        (OFFER, None, {"quantity": 45, "status": "accepted"}, "quota_accepted_ack", {"quantity": 45}),
        (OFFER, 20, {"quantity": 20, "status": "accepted"}, "quota_accepted_ack", {"quantity": 20}),
        (TOPPED, None, {"quantity": 18, "status": "accepted"}, "quota_top_up_accepted_ack", {"more": 6, "total": 18}),
        (TOPPED, 4, {"quantity": 16, "status": "in_production"}, "quota_top_up_accepted_ack", {"more": 4, "total": 16}),
        (TAKEN, None, {"quantity": 18, "status": "accepted"}, "quota_top_up_accepted_ack", {"more": 6, "total": 18}),
        (TOPPED, None, {"quantity": 12, "status": "accepted"}, "quota_accepted_ack", {"quantity": 12}),
        (TAKEN, None, {"quantity": 12, "status": "accepted"}, "quota_accepted_ack", {"quantity": 12}),
    ],
)
def test_yes_is_acknowledged_with_what_she_makes_now(quota, asked, answered, kind, values):
    """A top-up not known here yet (TAKEN) is recognised by the total growing; one that lapsed before her YES
    (the total did not grow) is answered with what she has."""
    assert replies.acknowledgement("accept", asked, quota, answered, "Bag") == (
        kind,
        {"ref": "K7Q2MD", "product": "Bag", **values},
    )


@pytest.mark.parametrize(
    "quota, answered, kind, quantity",
    [
        (OFFER, {"quantity": 45, "status": "declined"}, "quota_declined_ack", 45),
        (TOPPED, {"quantity": 12, "status": "accepted"}, "quota_top_up_declined_ack", 12),
        (TAKEN, {"quantity": 12, "status": "produced"}, "quota_top_up_declined_ack", 12),
    ],
)
def test_no_to_a_top_up_says_the_work_she_has_stays_hers(quota, answered, kind, quantity):
    assert replies.acknowledgement("decline", None, quota, answered, "Bag") == (
        kind,
        {"ref": "K7Q2MD", "product": "Bag", "quantity": quantity},
    )


def test_done_is_acknowledged_with_the_units_reported_top_up_or_not():
    assert replies.acknowledgement("ready", 10, TOPPED, {"lot_id": "lot_1"}, "Bag") == (
        "lot_received_ack",
        {"ref": "K7Q2MD", "product": "Bag", "quantity": 10},
    )


def test_a_number_that_does_not_fit_a_pending_top_up_is_explained_against_the_top_up():
    kind, values = replies.refusal_reply("InvalidInput", 9, TOPPED, "Bag")
    assert (kind, values) == ("sms_reply_top_up_refused", {"asked": 9, "ref": "K7Q2MD", "more": 6, "product": "Bag"})
    assert values.keys() == FIELDS[kind]
    assert render(kind, ["en"], **values).sms_text.startswith("Bilum: 9 does not fit the extra 6 x Bag")
    assert replies.refusal_reply("Conflict", None, TOPPED, "Bag")[0] == "sms_reply_closed"
