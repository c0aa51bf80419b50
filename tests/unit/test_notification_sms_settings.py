"""Which SMS gateway the notification service uses, from its environment: the choice, what each one requires, and a
wrong value stopping the service with the variable's name."""

from ipaddress import ip_network

import pytest
from environs import EnvError

from services.notification import settings
from services.notification.transports import Transports, kannel_report_url

SECRET = "kannel-callback-secret-0123456789"
KANNEL = {
    "BILUM_SMS_PROVIDER": "kannel",
    "BILUM_KANNEL_SENDSMS_URL": "http://kannel:13013/cgi-bin/sendsms",
    "BILUM_KANNEL_USERNAME": "bilum",
    "BILUM_KANNEL_PASSWORD": "sendsms-password",
    "BILUM_KANNEL_CALLBACK_URL": "http://gateway:8000/api/v1/sms/kannel/",
    "BILUM_KANNEL_CALLBACK_SECRET": SECRET,
    "BILUM_KANNEL_ALLOWED_ADDRESSES": "10.8.0.0/24, 2001:db8::5",
}
TWILIO = {
    "BILUM_SMS_PROVIDER": "twilio",
    "BILUM_TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "BILUM_TWILIO_AUTH_TOKEN": "auth-token",
    "BILUM_TWILIO_FROM": "+15017122661",
    "BILUM_TWILIO_CALLBACK_URL": "https://bilum.example.org/api/v1/sms/twilio",
}
ALL = {*KANNEL, *TWILIO, "BILUM_SMS_GATEWAY_URL", "BILUM_SMTP_HOST"}


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ALL:
        monkeypatch.delenv(name, raising=False)


def configure(monkeypatch, values: dict) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_nothing_configured_writes_sms_to_the_delivery_log():
    loaded = settings.load()
    assert (loaded.sms_provider, loaded.kannel, loaded.twilio, loaded.sms_gateway) == ("log", None, None, None)
    assert Transports(loaded).for_channel("sms")[0] == "log"


def test_a_gateway_url_alone_still_means_the_http_contract(monkeypatch):
    monkeypatch.setenv("BILUM_SMS_GATEWAY_URL", "https://sms.example.org")
    loaded = settings.load()
    assert loaded.sms_provider == "http" and loaded.sms_gateway.url == "https://sms.example.org"
    transport, sender = Transports(loaded).for_channel("sms")
    assert transport == "sms-gateway" and not sender.reports_delivery, "Bilum's own contract has no reports"


def test_kannel_is_read_with_its_callback_secret_and_allowed_networks(monkeypatch):
    configure(monkeypatch, KANNEL)

    loaded = settings.load()

    kannel = loaded.kannel
    assert loaded.sms_provider == "kannel" and loaded.twilio is None
    assert kannel.callback_url == "http://gateway:8000/api/v1/sms/kannel"
    assert kannel.allowed_networks == (ip_network("10.8.0.0/24"), ip_network("2001:db8::5/128"))
    assert kannel_report_url(kannel) == f"http://gateway:8000/api/v1/sms/kannel/reports?secret={SECRET}"
    transport, sender = Transports(loaded).for_channel("sms")
    assert transport == "kannel" and sender.reports_delivery, "an SMS Kannel took is pending until its report"


def test_twilio_is_read_with_its_public_callback_url(monkeypatch):
    configure(monkeypatch, TWILIO)

    loaded = settings.load()

    assert loaded.sms_provider == "twilio" and loaded.kannel is None
    assert loaded.twilio.api_url == "https://api.twilio.com"
    transport, sender = Transports(loaded).for_channel("sms")
    assert transport == "twilio" and sender.reports_delivery, "an SMS Twilio took is pending until its report"


@pytest.mark.parametrize(
    "missing", ["BILUM_KANNEL_USERNAME", "BILUM_KANNEL_CALLBACK_URL", "BILUM_KANNEL_CALLBACK_SECRET"]
)
def test_kannel_without_what_it_requires_stops_the_service_naming_it(monkeypatch, missing):
    configure(monkeypatch, {name: value for name, value in KANNEL.items() if name != missing})

    with pytest.raises(RuntimeError, match=missing):
        settings.load()


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("BILUM_KANNEL_CALLBACK_SECRET", "short", "at least 24 characters"),
        ("BILUM_KANNEL_ALLOWED_ADDRESSES", "10.0.0.300", "BILUM_KANNEL_ALLOWED_ADDRESSES"),
    ],
)
def test_a_guessable_secret_or_a_wrong_address_stops_the_service(monkeypatch, name, value, message):
    configure(monkeypatch, KANNEL | {name: value})

    with pytest.raises(RuntimeError, match=message):
        settings.load()


def test_an_unknown_provider_stops_the_service_with_the_variable(monkeypatch):
    monkeypatch.setenv("BILUM_SMS_PROVIDER", "carrier-pigeon")

    with pytest.raises(EnvError, match="BILUM_SMS_PROVIDER"):
        settings.load()


def test_the_http_contract_without_its_url_stops_the_service(monkeypatch):
    monkeypatch.setenv("BILUM_SMS_PROVIDER", "http")

    with pytest.raises(RuntimeError, match="BILUM_SMS_GATEWAY_URL"):
        settings.load()
