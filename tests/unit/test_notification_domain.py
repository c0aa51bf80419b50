from datetime import datetime, timezone

import pytest

from services.notification.domain import Recipient, inspection_result, order_status, quota_offer

GSM7_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")

WEAVER = Recipient("prd_1", "Goroka Meri Bilum Group", "+67570000101", None)
BUYER = Recipient("byr_1", "Kiriko Lifestyle Store", None, "orders@example.org")


def test_a_quota_offer_is_one_plain_sms_that_says_how_to_answer():
    message = quota_offer(WEAVER, "K7Q2MD", 45, "Highlands bilum bag, medium",
                          datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))
    assert message.channel == "sms" and message.address == "+67570000101"
    assert len(message.text) <= 160
    assert set(message.text) <= GSM7_BASIC
    assert "YES K7Q2MD" in message.text and "NO K7Q2MD" in message.text


@pytest.mark.parametrize("passed", [True, False])
def test_inspection_results_fit_one_sms(passed):
    message = inspection_result(WEAVER, 120, "Highland arabica coffee, 250 g", passed)
    assert len(message.text) <= 160 and set(message.text) <= GSM7_BASIC
    assert ("passed" in message.text) is passed


def test_buyers_hear_milestones_by_email_but_not_internal_steps():
    assert order_status(BUYER, "ord_1", "delivered").channel == "email"
    assert order_status(BUYER, "ord_1", "placed") is None


def test_a_recipient_without_any_channel_cannot_be_messaged():
    with pytest.raises(ValueError):
        inspection_result(Recipient("prd_2", "Nobody", None, None), 1, "bag", True)
