"""The Kannel adapter through a real Kannel (bearerbox, smsbox, fakesmsc phones; tests/kannel.py), its callbacks
recorded by a local server; then the readers and the caller check on their own."""

import itertools
import time
from datetime import datetime, timedelta, timezone
from ipaddress import ip_network
from urllib.parse import urlencode

import pytest

from services.notification.channels import Outgoing
from services.notification.kannel import KannelSms, caller_allowed, parts_needed, read_inbound, read_report
from services.notification.provider_reports import DELIVERED, EXPIRED, FAILED, PENDING, Incoming
from services.notification.sms import is_gsm7
from shared.errors import InvalidInput
from tests.kannel import kannel_callbacks, kannel_gateway  # noqa: F401 (fixtures)

SECRET = "kannel-callback-secret-0123456789"
LOCAL = (ip_network("127.0.0.1/32"), ip_network("::1/128"))
OFFER = "Bilum: nupela wok 45 x bilum. Bekim YES K7Q2MD o NO K7Q2MD. Pe {K} 12.50 €"
ACCENTED = "Nupela wok: 45 bilum. Bekim YES K7Q2MD — mi redi? Réponds OUI"
_phones = itertools.count(1)


def new_phone() -> str:
    return f"+6757001{next(_phones):04d}"


@pytest.fixture(scope="module")
def gateway(kannel_gateway, kannel_callbacks):  # noqa: F811
    return kannel_gateway(f"{kannel_callbacks.url}/kannel", SECRET)


def channel(gateway, callbacks, **overrides) -> KannelSms:
    options = {
        "sendsms_url": gateway.sendsms_url,
        "username": gateway.username,
        "password": gateway.password,
        "report_url": f"{callbacks.url}/kannel/reports?{urlencode({'secret': SECRET})}",
        "timeout_s": 5,
    }
    return KannelSms(**(options | overrides))


def message(reference: str, sms_text: str) -> Outgoing:
    return Outgoing(reference, "quota_offered", "Nupela wok", "Gude...", sms_text)


def reports_of(callbacks, reference: str, count: int = 1, within_s: float = 10):
    return callbacks.wait_for("/kannel/reports", lambda call: call.params.get("ref") == reference, count, within_s)


def without_secret(params: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in params.items() if name != "secret"}


def test_a_gsm7_offer_reaches_the_phone_intact_as_coding_0(gateway, kannel_callbacks, token):  # noqa: F811
    phone = new_phone()
    assert is_gsm7(OFFER)

    delivery = channel(gateway, kannel_callbacks).send(phone, message(f"ntf_{token}", OFFER))

    assert delivery.ok, delivery.error
    assert delivery.provider_id == f"ntf_{token}"
    [received] = gateway.messages_to(phone)
    assert (received.text, received.coding, received.parts) == (OFFER, 0, 1)
    [sent] = [entry for entry in gateway.access_log_entries() if entry.event == "Sent SMS" and entry.receiver == phone]
    assert (sent.coding, sent.dlr_mask, sent.smsc, sent.sender) == (0, 31, "handsets", gateway.sender_number)


def test_accents_outside_gsm7_go_as_ucs2_and_arrive_intact(gateway, kannel_callbacks, token):  # noqa: F811
    phone = new_phone()
    assert not is_gsm7(ACCENTED)

    delivery = channel(gateway, kannel_callbacks, sender="Bilum").send(phone, message(f"ntf_{token}", ACCENTED))

    assert delivery.ok, delivery.error
    [received] = gateway.messages_to(phone)
    assert (received.text, received.coding, received.parts, received.sender) == (ACCENTED, 2, 1, "Bilum")
    [sent] = [entry for entry in gateway.access_log_entries() if entry.event == "Sent SMS" and entry.receiver == phone]
    assert (sent.coding, sent.text) == (2, ACCENTED)


@pytest.mark.parametrize(
    "text, parts",
    [
        (" ".join(["Bilum: 45 x bilum, pe {K} 12.50 € long wanpela."] * 5), 2),
        ("Réponds OUI — " + " ".join(f"mi redi {n}é" for n in range(12)), 3),
        ("€" * 153, 3),
    ],
    ids=["gsm7-over-160", "ucs2-over-70", "escapes-never-split"],
)
def test_a_long_text_arrives_in_parts_and_reassembles_exactly(gateway, kannel_callbacks, token, text, parts):  # noqa: F811
    phone = new_phone()
    assert parts_needed(text) == parts

    delivery = channel(gateway, kannel_callbacks).send(phone, message(f"ntf_{token}", text))

    assert delivery.ok, delivery.error
    [received] = gateway.messages_to(phone)
    assert received.text == text
    assert received.parts == parts
    assert received.coding == (0 if is_gsm7(text) else 2)


def test_delivery_reports_reach_the_dlr_url_with_our_reference(gateway, kannel_callbacks, token):  # noqa: F811
    # A report URL whose own query holds escapes (é as %C3%A9) shows that Kannel's % codes leave it alone.
    report_url = f"{kannel_callbacks.url}/kannel/reports?{urlencode({'secret': SECRET, 'note': 'café 100%'})}"
    sms = channel(gateway, kannel_callbacks, report_url=report_url)
    sent_at = datetime.now(timezone.utc).replace(microsecond=0)

    assert sms.send(new_phone(), message(f"ntf_{token}", OFFER)).ok

    calls = reports_of(kannel_callbacks, f"ntf_{token}", count=2)
    assert sorted(call.params["type"] for call in calls) == ["1", "8"]
    for call in calls:
        assert call.params["note"] == "café 100%"
        assert caller_allowed(SECRET, LOCAL, call.params["secret"], call.client)
    now = datetime.now(timezone.utc)
    receipts = {call.params["type"]: read_report(without_secret(call.params), now) for call in calls}
    assert receipts["1"].status == DELIVERED and receipts["8"].status == PENDING
    assert {receipt.reference for receipt in receipts.values()} == {f"ntf_{token}"}
    assert all(sent_at <= receipt.reported_at <= now for receipt in receipts.values())
    assert receipts["8"].detail == "accepted by the SMSC: ACK/"


def test_a_dead_number_is_refused_and_reported_as_failed(gateway, kannel_callbacks, token):  # noqa: F811
    dead = gateway.dead_number(1)

    delivery = channel(gateway, kannel_callbacks).send(dead, message(f"ntf_{token}", OFFER))

    assert not delivery.ok and not delivery.retryable
    assert delivery.error == "Kannel answered 403: Not routable. Do not try again."
    [call] = reports_of(kannel_callbacks, f"ntf_{token}")
    assert call.params["type"] == "16"
    receipt = read_report(without_secret(call.params), datetime.now(timezone.utc))
    assert receipt.status == FAILED
    assert receipt.reference == f"ntf_{token}"
    assert "NACK/no SMSC" in receipt.detail
    assert not gateway.messages_to(dead, within_s=0.5)


@pytest.mark.parametrize("text", ["YES K7Q2MD 20", "YES K7Q2MD — mi redi.  Réponds OUI + 100%"], ids=["gsm7", "ucs2"])
def test_a_message_from_a_phone_reaches_the_sms_service_exactly(gateway, kannel_callbacks, text):  # noqa: F811
    phone = new_phone()

    received = gateway.send_from_phone(phone, text)

    assert received.coding == (0 if is_gsm7(text) else 2)
    [call] = kannel_callbacks.wait_for("/kannel/inbound", lambda call: call.params.get("from") == phone)
    assert caller_allowed(SECRET, LOCAL, call.params["secret"], call.client)
    incoming = read_inbound(without_secret(call.params))
    assert incoming == Incoming(message_id=incoming.message_id, sender=phone, text=text)
    assert len(incoming.message_id) == 36  # Kannel's own id (a UUID): a retried call carries the same
    assert (call.params["to"], call.params["smsc"], call.params["coding"]) == ("4040", "phones-out", "0")
    assert not gateway.messages_to(phone, within_s=0.5), "Kannel itself answers nothing: Bilum replies by sendsms"


def test_a_wrong_password_is_a_permanent_failure(gateway, kannel_callbacks, token):  # noqa: F811
    delivery = channel(gateway, kannel_callbacks, password="not-the-password").send(
        new_phone(), message(f"ntf_{token}", OFFER)
    )

    assert not delivery.ok and not delivery.retryable
    assert delivery.error == "Kannel answered 403: Authorization failed for sendsms"


def test_a_text_kannel_would_cut_is_refused_before_sending(gateway, kannel_callbacks, token):  # noqa: F811
    phone = new_phone()
    too_long = "ê" * (67 * 10 + 1)

    delivery = channel(gateway, kannel_callbacks).send(phone, message(f"ntf_{token}", too_long))

    assert not delivery.ok and not delivery.retryable
    assert delivery.error == "the text needs 11 SMS; Kannel sends at most 10 and would cut the rest"
    assert not gateway.messages_to(phone, within_s=0.5)


def test_kannel_down_is_a_temporary_failure_that_keeps_the_password_out(closed_port, token):
    sms = KannelSms(
        f"http://127.0.0.1:{closed_port}/cgi-bin/sendsms",
        "bilum",
        "pass-w0rd-never-shown",
        "http://127.0.0.1:9/kannel/reports?secret=x",
        timeout_s=2,
    )
    started = time.monotonic()

    delivery = sms.send("+67570000101", message(f"ntf_{token}", OFFER))

    assert time.monotonic() - started < 2
    assert not delivery.ok and delivery.retryable
    assert delivery.error == f"Kannel's sendsms at 127.0.0.1:{closed_port} unreachable: ConnectionError"


# The readers and the caller check, without Kannel

NOW = datetime(2026, 12, 1, 8, 0, 5, tzinfo=timezone.utc)
REPORT = {"ref": "ntf_0123456789abcdef", "type": "1", "report": "", "at": str(int(NOW.timestamp()) - 5)}
INBOUND = {
    "id": "2b7e6699-9ddc-4670-a808-c305e459abfc",
    "from": "+67570000101",
    "to": "4040",
    "text": "YES K7Q2MD 20",
    "coding": "0",
    "charset": "UTF-8",
}


@pytest.mark.parametrize(
    "kind, report, status",
    [
        ("1", "", DELIVERED),
        ("1", "id:77 sub:001 dlvrd:001 submit date:2612010800 done date:2612010801 stat:DELIVRD err:000", DELIVERED),
        ("2", "id:77 sub:001 dlvrd:000 submit date:2612010800 done date:2612020800 stat:UNDELIV err:001", FAILED),
        ("2", "id:77 sub:001 dlvrd:000 submit date:2612010800 done date:2612020800 stat:EXPIRED err:000", EXPIRED),
        ("4", "", PENDING),
        ("8", "ACK/", PENDING),
        ("16", "NACK/0x0000000b/Invalid Destination Address", FAILED),
        ("16", "NACK/validity expired", EXPIRED),
    ],
)
def test_each_report_type_reads_as_a_handset_status(kind, report, status):
    receipt = read_report(REPORT | {"type": kind, "report": report}, NOW)

    assert receipt.status == status
    assert receipt.reference == "ntf_0123456789abcdef" and receipt.provider_id is None
    assert receipt.reported_at == NOW - timedelta(seconds=5)
    assert report in receipt.detail


@pytest.mark.parametrize(
    "changed, field",
    [
        ({"type": "3"}, "type"),
        ({"type": "32"}, "type"),
        ({"type": "delivered"}, "type"),
        ({"type": None}, "type"),
        ({"ref": None}, "ref"),
        ({"ref": ""}, "ref"),
        ({"ref": "ntf_1&type=1"}, "ref"),
        ({"ref": "n" * 65}, "ref"),
        ({"report": "x" * 1001}, "report"),
        ({"at": "yesterday"}, "at"),
    ],
)
def test_a_malformed_report_is_refused_naming_the_field(changed, field):
    params = {name: value for name, value in (REPORT | changed).items() if value is not None}

    with pytest.raises(InvalidInput) as refused:
        read_report(params, NOW)

    assert refused.value.message == "Kannel delivery report refused"
    assert list(refused.value.fields) == [field]


def test_a_report_is_never_dated_after_it_was_read_nor_needs_a_time():
    assert read_report(REPORT | {"at": str(int(NOW.timestamp()) + 3600)}, NOW).reported_at == NOW
    assert read_report({"ref": REPORT["ref"], "type": "8"}, NOW).reported_at == NOW


def test_an_inbound_message_reads_as_typed_and_ignores_other_parameters():
    incoming = read_inbound(INBOUND | {"at": "1796614831", "smsc": "operator", "extra": "x"})

    assert incoming == Incoming("2b7e6699-9ddc-4670-a808-c305e459abfc", "+67570000101", "YES K7Q2MD 20")
    assert read_inbound(INBOUND | {"text": "é" * 1600}).text == "é" * 1600
    assert read_inbound({"id": INBOUND["id"], "from": "67570000101", "text": ""}).text == ""


@pytest.mark.parametrize(
    "changed, field",
    [
        ({"text": "a" * 1601}, "text"),
        ({"text": "YES K7Q2MD \ufffd"}, "text"),
        ({"text": None}, "text"),
        ({"from": "Digicel"}, "from"),
        ({"from": "12345"}, "from"),
        ({"from": "+675 7000 0101"}, "from"),
        ({"from": None}, "from"),
        ({"id": None}, "id"),
        ({"id": "a b"}, "id"),
        ({"coding": "2"}, "coding"),
        ({"coding": "1"}, "coding"),
        ({"charset": "UTF-16BE"}, "charset"),
    ],
)
def test_a_malformed_inbound_message_is_refused_naming_the_field(changed, field):
    params = {name: value for name, value in (INBOUND | changed).items() if value is not None}

    with pytest.raises(InvalidInput) as refused:
        read_inbound(params)

    assert refused.value.message == "Kannel incoming message refused"
    assert list(refused.value.fields) == [field]


def test_ucs2_not_recoded_by_smsbox_is_refused_with_the_setting_to_change():
    with pytest.raises(InvalidInput) as refused:
        read_inbound(INBOUND | {"coding": "2", "charset": "UTF-16BE"})

    assert "mo-recode = true" in str(refused.value)


@pytest.mark.parametrize(
    "networks, source, allowed",
    [
        (LOCAL, "127.0.0.1", True),
        (LOCAL, "::1", True),
        (LOCAL, "10.0.0.5", False),
        ((ip_network("10.0.0.0/8"),), "10.20.30.40", True),
        ((ip_network("10.0.0.0/8"),), "::ffff:10.20.30.40", True),
        ((ip_network("10.0.0.0/8"),), "11.0.0.1", False),
        ((ip_network("2001:db8::/32"),), "2001:db8:0:1::5", True),
        ((ip_network("2001:db8::/32"),), "[2001:db8::5]", True),
        ((ip_network("2001:db8::/32"),), "2001:db9::5", False),
        (("192.168.1.0/24", "127.0.0.1"), "192.168.1.77", True),
        (LOCAL, "localhost", False),
        (LOCAL, "", False),
        (LOCAL, None, False),
        ((), "127.0.0.1", False),
    ],
)
def test_a_callback_is_believed_only_from_an_allowed_address(networks, source, allowed):
    assert caller_allowed(SECRET, networks, SECRET, source) is allowed


@pytest.mark.parametrize(
    "configured, given",
    [
        (SECRET, "kannel-callback-secret-012345678"),
        (SECRET, SECRET + "9"),
        (SECRET, ""),
        (SECRET, None),
        (SECRET, "é" * 33),
        (None, ""),
        ("", ""),
        (None, None),
    ],
)
def test_a_callback_without_the_deployments_secret_is_not_believed(configured, given):
    assert not caller_allowed(configured, LOCAL, given, "127.0.0.1")


@pytest.mark.parametrize(
    "text, parts",
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 159 + "€", 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
        ("", 1),
    ],
)
def test_parts_are_counted_as_kannel_splits(text, parts):
    assert parts_needed(text) == parts


def test_the_dlr_url_keeps_percent_signs_literal_for_kannel():
    sms = KannelSms(
        "http://kannel:13013/cgi-bin/sendsms", "bilum", "pw", "https://bilum.example/kannel/reports?s=a%2Bb"
    )

    assert sms.dlr_url("ntf_1") == (
        "https://bilum.example/kannel/reports?s=a%%2Bb&ref=ntf_1&type=%d&report=%A&at=%T&smsc=%i&foreign=%F"
    )
    without_query = KannelSms("http://kannel:13013/cgi-bin/sendsms", "bilum", "pw", "https://bilum.example/reports")
    assert without_query.dlr_url("ntf_1").startswith("https://bilum.example/reports?ref=ntf_1&type=%d&")


def test_a_channel_needs_absolute_urls():
    with pytest.raises(ValueError, match="report URL"):
        KannelSms("http://kannel:13013/cgi-bin/sendsms", "bilum", "pw", "/kannel/reports")
