"""The Twilio adapter against a local server that answers as Twilio's Messaging API is documented to (a subprocess,
tests/twilio_api.py), its status callbacks and incoming-message webhooks caught by the HTTP recorder."""

import base64
import itertools
import re
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notification.channels import Outgoing
from services.notification.provider_reports import DELIVERED, EXPIRED, FAILED, PENDING, Incoming
from services.notification.twilio import (
    EMPTY_TWIML,
    SIGNATURE_HEADER,
    TwilioSms,
    expected_signature,
    read_inbound,
    read_report,
    signature_valid,
)
from shared.errors import InvalidInput
from tests.twilio_api import EXPIRED as EXPIRED_RANGE
from tests.twilio_api import FAILING, INVALID_MAGIC, OPTED_OUT_MAGIC, SLOW, THROTTLED, UNREACHABLE, start

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
SID = re.compile(r"SM[0-9a-f]{32}")
MESSAGING_SERVICE = "MG" + "5d1e" * 8
_numbers = itertools.count(1000)


def phone(prefix: str = "+6757000") -> str:
    """A number no other test sends to, in a range the server treats as it is told (by default: delivered)."""
    return f"{prefix}{next(_numbers):04d}"


@pytest.fixture(scope="module")
def twilio(tmp_path_factory):
    api = start(tmp_path_factory.mktemp("twilio"))
    yield api
    api.stop()


@pytest.fixture
def callback_url(http_recorder, token):
    return f"{http_recorder.url}/ok/{token}/twilio/status"


def adapter(twilio, callback_url, sender=None, **overrides) -> TwilioSms:
    options = {"api_url": twilio.url, "timeout_s": 5.0} | overrides
    return TwilioSms(twilio.account_sid, twilio.auth_token, sender or twilio.number, callback_url, **options)


def offer(reference: str, sms_text: str = "Bilum: nupela wok 45 x bilum. Bekim YES K7Q2MD o NO K7Q2MD.") -> Outgoing:
    return Outgoing(reference, "quota_offered", "Nupela wok", "Gude...", sms_text)


def created_for(twilio, to: str) -> list[dict]:
    return [request for request in twilio.messages_created() if request["form"].get("To") == to]


def form_of(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"))


def webhooks_at(http_recorder, url: str, count: int, within_s: float = 10.0) -> list[dict]:
    """The first ``count`` requests the recorder got at ``url`` (whatever their query), each with the URL it was
    called at, its form and signature header."""
    path = url.removeprefix(http_recorder.url)
    deadline = time.monotonic() + within_s
    while len(found := [r for r in http_recorder.records() if r["path"].split("?")[0] == path]) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} webhooks at {path} after {within_s} s"
        time.sleep(0.05)
    return [
        {
            "url": http_recorder.url + r["path"],
            "params": form_of(r["body"]),
            "signature": r["headers"].get(SIGNATURE_HEADER.lower()),
            **r,
        }
        for r in found
    ]


# Sending


def test_a_message_is_one_form_post_with_basic_auth_and_its_sid_is_the_provider_id(twilio, callback_url):
    to, text = phone(), "Bilum: Hélène, nupela wok 45 x bilum. Bekim YES K7Q2MD"

    delivery = adapter(twilio, callback_url).send(to, offer("ntf_1", text))

    assert delivery.ok and not delivery.error, delivery.error
    assert SID.fullmatch(delivery.provider_id)
    [request] = created_for(twilio, to)
    assert request["path"] == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    credentials = base64.b64encode(f"{twilio.account_sid}:{twilio.auth_token}".encode()).decode()
    assert request["headers"]["authorization"] == f"Basic {credentials}"
    assert request["form"] == {
        "To": to,
        "From": twilio.number,
        "Body": text,
        "StatusCallback": f"{callback_url}?ref=ntf_1",
    }


def test_status_callbacks_are_signed_and_read_as_sent_then_delivered(twilio, callback_url, http_recorder):
    delivery = adapter(twilio, callback_url).send(phone(), offer("ntf_2"))

    callbacks = webhooks_at(http_recorder, callback_url, 2)

    assert all(signature_valid(twilio.auth_token, c["url"], c["params"], c["signature"]) for c in callbacks)
    assert {c["url"] for c in callbacks} == {f"{callback_url}?ref=ntf_2"}, "our reference rides in the signed URL"
    receipts = [read_report(c["params"], NOW, "ntf_2") for c in callbacks]
    assert [r.status for r in receipts] == [PENDING, DELIVERED]
    assert {r.reference for r in receipts} == {"ntf_2"}
    assert [r.detail for r in receipts] == ["sent", "delivered"]
    assert {r.provider_id for r in receipts} == {delivery.provider_id}
    assert "RawDlrDoneDate" in callbacks[1]["params"], "the parameters Twilio adds are signed too"


def test_a_messaging_service_sends_its_sid_instead_of_a_number_and_reports_queued_first(
    twilio, callback_url, http_recorder
):
    to = phone()

    delivery = adapter(twilio, callback_url, sender=MESSAGING_SERVICE).send(to, offer("ntf_3"))

    assert delivery.ok, delivery.error
    [request] = created_for(twilio, to)
    assert request["form"]["MessagingServiceSid"] == MESSAGING_SERVICE and "From" not in request["form"]
    callbacks = webhooks_at(http_recorder, callback_url, 3)
    assert [c["params"]["MessageStatus"] for c in callbacks] == ["queued", "sent", "delivered"]
    assert all(signature_valid(twilio.auth_token, c["url"], c["params"], c["signature"]) for c in callbacks)
    assert [read_report(c["params"], NOW).status for c in callbacks] == [PENDING, PENDING, DELIVERED]


def test_an_unreachable_handset_is_a_failed_delivery_with_twilios_error_code(twilio, callback_url, http_recorder):
    delivery = adapter(twilio, callback_url).send(phone(UNREACHABLE), offer("ntf_4"))

    assert delivery.ok, "Twilio accepted it: only its report says it did not arrive"
    sent, undelivered = webhooks_at(http_recorder, callback_url, 2)
    assert signature_valid(twilio.auth_token, undelivered["url"], undelivered["params"], undelivered["signature"])
    made_good = {n: v for n, v in undelivered["params"].items() if n != "ErrorCode"} | {"MessageStatus": "delivered"}
    assert not signature_valid(twilio.auth_token, undelivered["url"], made_good, undelivered["signature"])
    receipt = read_report(undelivered["params"], NOW)
    assert (receipt.status, receipt.detail, receipt.provider_id) == (
        FAILED,
        "undelivered, error 30003",
        delivery.provider_id,
    )


def test_a_message_whose_validity_period_ran_out_is_expired(twilio, callback_url, http_recorder):
    delivery = adapter(twilio, callback_url).send(phone(EXPIRED_RANGE), offer("ntf_5"))

    [failed] = webhooks_at(http_recorder, callback_url, 1)
    time.sleep(0.3)
    assert len(webhooks_at(http_recorder, callback_url, 1)) == 1, "a message never sent has no other status"
    assert signature_valid(twilio.auth_token, failed["url"], failed["params"], failed["signature"])
    receipt = read_report(failed["params"], NOW)
    assert (receipt.status, receipt.detail, receipt.provider_id) == (
        EXPIRED,
        "failed, error 30036",
        delivery.provider_id,
    )


@pytest.mark.parametrize(
    ("to", "code"),
    [("0701 234 567", "21211"), (INVALID_MAGIC, "21211"), (OPTED_OUT_MAGIC, "21610")],
    ids=["malformed", "invalid", "opted-out"],
)
def test_a_recipient_twilio_refuses_is_a_permanent_failure(twilio, callback_url, to, code):
    delivery = adapter(twilio, callback_url).send(to, offer("ntf_6"))

    assert not delivery.ok and not delivery.retryable
    assert delivery.error.startswith(f"Twilio answered 400: error {code} ")
    assert delivery.provider_id is None
    assert len(created_for(twilio, to)) == 1


def test_wrong_credentials_are_a_permanent_failure(twilio, callback_url):
    wrong = TwilioSms(twilio.account_sid, "0" * 32, twilio.number, callback_url, api_url=twilio.url)

    delivery = wrong.send(phone(), offer("ntf_7"))

    assert not delivery.ok and not delivery.retryable
    assert delivery.error == "Twilio answered 401: error 20003 Authenticate"


def test_too_many_requests_is_temporary(twilio, callback_url):
    delivery = adapter(twilio, callback_url).send(phone(THROTTLED), offer("ntf_8"))

    assert not delivery.ok and delivery.retryable
    assert delivery.error == "Twilio answered 429: error 20429 Too Many Requests"


def test_a_server_error_is_temporary(twilio, callback_url):
    delivery = adapter(twilio, callback_url).send(phone(FAILING), offer("ntf_9"))

    assert not delivery.ok and delivery.retryable
    assert delivery.error == "Twilio answered 500: error 20500 Internal Server Error"


def test_no_answer_in_time_is_temporary_though_the_request_arrived(twilio, callback_url):
    to = phone(SLOW)
    started = time.monotonic()

    delivery = adapter(twilio, callback_url, timeout_s=0.5).send(to, offer("ntf_10"))

    assert time.monotonic() - started < 2.5
    assert not delivery.ok and delivery.retryable
    assert delivery.error == "Twilio did not answer within 0.5 s"
    assert len(created_for(twilio, to)) == 1, "Twilio may have the message: a retry can send it twice"


def test_an_unreachable_api_is_temporary(closed_port, callback_url):
    account = "AC" + "0" * 32
    sms = TwilioSms(account, "token", "+67570009999", callback_url, api_url=f"http://127.0.0.1:{closed_port}")

    delivery = sms.send("+67570000101", offer("ntf_11"))

    assert not delivery.ok and delivery.retryable
    assert delivery.error.startswith("Twilio unreachable: ")


def test_a_sender_or_account_that_is_not_twilios_is_refused_at_configuration():
    callback = "https://bilum.example/sms/twilio/status"
    with pytest.raises(ValueError, match="sender"):
        TwilioSms("AC" + "0" * 32, "token", "Bilum", callback)
    with pytest.raises(ValueError, match="Account SID"):
        TwilioSms("SK" + "0" * 32, "token", "+67570009999", callback)
    with pytest.raises(ValueError, match="status callback"):
        TwilioSms("AC" + "0" * 32, "token", "+67570009999", "/sms/twilio/status")
    with pytest.raises(ValueError, match="underscores"):
        TwilioSms("AC" + "0" * 32, "token", "+67570009999", "https://bilum.example/sms/twilio_status")


def test_the_server_answers_with_a_message_resource_as_documented(twilio):
    """The fake's side of the contract: the resource a create returns, and segments counted by encoding."""
    url = f"{twilio.url}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    auth = (twilio.account_sid, twilio.auth_token)
    form = {"To": phone(), "From": twilio.number}

    gsm, ucs2 = (requests.post(url, data=form | {"Body": body}, auth=auth, timeout=5) for body in ("é" * 161, "ê" * 71))

    assert gsm.status_code == 201 and gsm.json()["num_segments"] == "2"
    assert ucs2.status_code == 201 and ucs2.json()["num_segments"] == "2"
    message = gsm.json()
    assert (message["status"], message["direction"], message["from"]) == ("queued", "outbound-api", twilio.number)
    assert SID.fullmatch(message["sid"]) and message["error_code"] is None
    assert parsedate_to_datetime(message["date_created"]).tzinfo is not None


# The incoming-message webhook


def test_an_incoming_message_is_signed_and_read_with_its_accents(twilio, http_recorder, token):
    url = f"{http_recorder.url}/ok/{token}/twilio/inbound"

    sent = twilio.send_inbound(url, From="+67570000101", Body="YES K7Q2MD — mi redi")

    assert sent["status"] == 200
    [webhook] = webhooks_at(http_recorder, url, 1)
    assert webhook["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert webhook["params"] == sent["params"]
    assert signature_valid(twilio.auth_token, url, webhook["params"], webhook["signature"])
    assert read_inbound(webhook["params"]) == Incoming(
        sent["params"]["MessageSid"], "+67570000101", "YES K7Q2MD — mi redi"
    )


def test_a_forged_or_altered_webhook_is_refused(twilio, http_recorder, token):
    url = f"{http_recorder.url}/ok/{token}/twilio/inbound"
    twilio.send_inbound(url, From="+67570000101", Body="NO K7Q2MD")
    [webhook] = webhooks_at(http_recorder, url, 1)
    params, signature = webhook["params"], webhook["signature"]

    assert signature_valid(twilio.auth_token, url, params, signature)
    assert not signature_valid(twilio.auth_token, url, params | {"Body": "YES K7Q2MD"}, signature)
    assert not signature_valid(twilio.auth_token, url, params | {"From": "+67570000102"}, signature)
    assert not signature_valid(twilio.auth_token, url + "?again=1", params, signature)
    forged = expected_signature("a guessed token", url, params | {"Body": "YES K7Q2MD"})
    assert not signature_valid(twilio.auth_token, url, params | {"Body": "YES K7Q2MD"}, forged)
    assert not signature_valid(twilio.auth_token, url, params, None)
    assert not signature_valid(twilio.auth_token, url, params, "")
    assert not signature_valid(twilio.auth_token, url, params, "é" * 28)


def test_the_webhook_answer_is_an_empty_twiml_document():
    root = ElementTree.fromstring(EMPTY_TWIML.encode())
    assert root.tag == "Response" and len(root) == 0 and not (root.text or "").strip()


# Reading webhooks: what is refused


def genuine_callback(**changes: str) -> dict[str, str]:
    sid = "SM" + "a1" * 16
    return {"MessageSid": sid, "SmsSid": sid, "MessageStatus": "sent", "AccountSid": "AC" + "0" * 32} | changes


@pytest.mark.parametrize(
    ("status", "error_code", "expected"),
    [
        ("accepted", "", PENDING),
        ("scheduled", "", PENDING),
        ("queued", "", PENDING),
        ("sending", "", PENDING),
        ("read", "", DELIVERED),
        ("failed", "30008", FAILED),
        ("undelivered", "30005", FAILED),
        ("undelivered", "30036", EXPIRED),
        ("canceled", "", FAILED),
    ],
)
def test_each_status_twilio_reports_is_read(status, error_code, expected):
    changes = {"MessageStatus": status} | ({"ErrorCode": error_code} if error_code else {})
    assert read_report(genuine_callback(**changes), NOW).status == expected


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"MessageStatus": "exploded"}, "MessageStatus"),
        ({"MessageStatus": "received"}, "MessageStatus"),
        ({"MessageSid": "SM123"}, "MessageSid"),
        ({"MessageSid": "CA" + "a1" * 16}, "MessageSid"),
        ({"ErrorCode": "30003; DROP"}, "ErrorCode"),
    ],
)
def test_a_malformed_status_callback_is_refused_naming_the_field(changes, field):
    with pytest.raises(InvalidInput) as refused:
        read_report(genuine_callback(**changes), NOW)
    assert list(refused.value.fields) == [field]


def test_a_status_callback_without_its_message_is_refused():
    with pytest.raises(InvalidInput) as refused:
        read_report({"MessageStatus": "delivered"}, NOW)
    assert "MessageSid" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"From": "Bilum"}, "From"),
        ({"From": "67570000101"}, "From"),
        ({"Body": "x" * 1601}, "Body"),
        ({"MessageSid": "SM" + "g" * 32}, "MessageSid"),
        ({"NumSegments": "none"}, "NumSegments"),
    ],
)
def test_a_malformed_incoming_message_is_refused_naming_the_field(changes, field):
    sid = "SM" + "b2" * 16
    params = {"MessageSid": sid, "From": "+67570000101", "To": "+67570009999", "Body": "BAL", "NumSegments": "1"}
    with pytest.raises(InvalidInput) as refused:
        read_inbound(params | changes)
    assert list(refused.value.fields) == [field]


def test_an_incoming_message_of_1600_characters_is_read_and_unknown_fields_are_ignored():
    sid = "MM" + "c3" * 16
    params = {"MessageSid": sid, "From": "+67570000101", "To": "+67570009999", "Body": "é" * 1600, "NumMedia": "0"}
    assert read_inbound(params | {"AddOns": '{"status":"successful"}'}).text == "é" * 1600


# The signature algorithm

# The example of the twilio-php library's documentation ("Validate Incoming Requests", docs/usage/validation.rst), also
# the vector of twilio-python's tests/unit/test_request_validator.py, which adds the same request signed with the
# https default port written out.
DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_the_signature_matches_twilios_documented_example():
    assert expected_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert signature_valid(DOC_TOKEN, DOC_URL, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signature_valid("54321", DOC_URL, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def test_the_default_port_may_be_written_out_or_left_out_but_no_other_port_matches():
    with_port = DOC_URL.replace(".com", ".com:443")
    assert signature_valid(DOC_TOKEN, DOC_URL, DOC_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")
    assert signature_valid(DOC_TOKEN, with_port, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signature_valid(
        DOC_TOKEN, DOC_URL.replace(".com", ".com:8443"), DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    assert not signature_valid(DOC_TOKEN, DOC_URL.replace("https", "http"), DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
URL = "https://bilum.example/sms/twilio/status"
names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
values = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
webhook_params = st.dictionaries(names, values, min_size=1, max_size=8)


@settings(deadline=None)
@given(params=webhook_params, data=st.data())
def test_changing_any_value_breaks_the_signature(params, data):
    name = data.draw(st.sampled_from(sorted(params)))
    changed = data.draw(values.filter(lambda value: value != params[name]))
    signature = expected_signature(TOKEN, URL, params)

    assert signature_valid(TOKEN, URL, params, signature)
    assert not signature_valid(TOKEN, URL, params | {name: changed}, signature)


@settings(deadline=None)
@given(params=webhook_params, extra=names, value=values, data=st.data())
def test_adding_or_removing_a_parameter_breaks_the_signature(params, extra, value, data):
    signature = expected_signature(TOKEN, URL, params)
    removed = data.draw(st.sampled_from(sorted(params)))

    assert not signature_valid(TOKEN, URL, {n: v for n, v in params.items() if n != removed}, signature)
    if extra not in params:
        assert not signature_valid(TOKEN, URL, params | {extra: value}, signature)


@settings(deadline=None)
@given(params=webhook_params, suffix=st.text("abcxyz019/?=&", min_size=1, max_size=8), token=names)
def test_another_url_or_token_breaks_the_signature(params, suffix, token):
    signature = expected_signature(TOKEN, URL, params)

    assert not signature_valid(TOKEN, URL + suffix, params, signature)
    if token != TOKEN:
        assert not signature_valid(token, URL, params, signature)
