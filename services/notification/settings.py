"""The notification service's configuration, from environment variables.

Nothing is required: a channel whose transport is not configured (no SMTP host, no SMS provider) delivers to the
delivery log instead (transport ``log``), so the platform runs on a laptop with only a broker. ``BILUM_SMS_PROVIDER``
picks the SMS gateway: ``kannel`` (an operator's SMPP link through Kannel, the default for a real deployment),
``twilio`` (a hosted API), ``http`` (Bilum's own signed HTTP contract) or ``log``; when it is not set, ``http`` if
``BILUM_SMS_GATEWAY_URL`` is, else ``log``. Webhooks need no
configuration of the service: each subscriber gives its own URL and secret. Every variable is read through
``shared.config.environment()``, when the service starts: a wrong value stops it with the variable's name.
"""

from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network

from environs import Env
from marshmallow.validate import OneOf, Range

from shared.config import AT_LEAST_ONE, POSITIVE, environment

_PORT = Range(min=1, max=65535)

KANNEL, TWILIO, HTTP, LOG = "kannel", "twilio", "http", "log"
SMS_PROVIDERS = (KANNEL, TWILIO, HTTP, LOG)
_HOUR = Range(min=0, max=23)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None
    password: str | None
    starttls: bool
    timeout_s: float


@dataclass(frozen=True)
class SmsGatewaySettings:
    url: str
    api_key: str
    timeout_s: float


@dataclass(frozen=True)
class KannelSettings:
    """smsbox's sendsms interface and account; where Kannel reaches the gateway's ``/api/v1/sms/kannel`` routes,
    with the secret it must show and the addresses it may call from (Kannel cannot sign a callback)."""

    sendsms_url: str
    username: str
    password: str
    callback_url: str
    callback_secret: str
    allowed_networks: tuple[IPv4Network | IPv6Network, ...]
    sender: str | None
    timeout_s: float


@dataclass(frozen=True)
class TwilioSettings:
    """The account, the sender (a number, or a Messaging Service SID ``MG...``), and the public URL of the gateway's
    ``/api/v1/sms/twilio`` routes exactly as Twilio calls them (its signature covers the URL)."""

    account_sid: str
    auth_token: str
    sender: str
    callback_url: str
    api_url: str
    timeout_s: float


@dataclass(frozen=True)
class Settings:
    smtp: SmtpSettings | None
    sms_provider: str
    sms_gateway: SmsGatewaySettings | None
    kannel: KannelSettings | None
    twilio: TwilioSettings | None
    sms_inbound_secret: str | None
    webhook_timeout_s: float
    reminder_lead: timedelta
    max_attempts: int
    retry_base_s: float
    retry_cap_s: float
    digest_hour: int
    action_timeout_s: float
    tick_s: float
    sweep_s: float


def _optional(env: Env, name: str) -> str | None:
    return env.str(name, "") or None


def _smtp(env: Env) -> SmtpSettings | None:
    host = _optional(env, "BILUM_SMTP_HOST")
    if not host:
        return None
    starttls = env.bool("BILUM_SMTP_STARTTLS", False)
    return SmtpSettings(
        host=host,
        port=env.int("BILUM_SMTP_PORT", 587 if starttls else 25, validate=_PORT),
        sender=env.str("BILUM_SMTP_SENDER", "Bilum <bilum@localhost>"),
        username=_optional(env, "BILUM_SMTP_USERNAME"),
        password=_optional(env, "BILUM_SMTP_PASSWORD"),
        starttls=starttls,
        timeout_s=env.float("BILUM_SMTP_TIMEOUT_S", 10.0, validate=POSITIVE),
    )


def _sms_gateway(env: Env) -> SmsGatewaySettings | None:
    url = _optional(env, "BILUM_SMS_GATEWAY_URL")
    if not url:
        return None
    return SmsGatewaySettings(
        url=url,
        api_key=env.str("BILUM_SMS_GATEWAY_API_KEY", ""),
        timeout_s=env.float("BILUM_SMS_GATEWAY_TIMEOUT_S", 10.0, validate=POSITIVE),
    )


def _networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise RuntimeError(
            f"BILUM_KANNEL_ALLOWED_ADDRESSES: {error}; give addresses or networks separated by commas"
        ) from None


def _required(env: Env, name: str, provider: str) -> str:
    value = env.str(name, "")
    if not value:
        raise RuntimeError(f"{name} is required when BILUM_SMS_PROVIDER is {provider}")
    return value


def _kannel(env: Env) -> KannelSettings:
    secret = _required(env, "BILUM_KANNEL_CALLBACK_SECRET", KANNEL)
    if len(secret) < 24:
        raise RuntimeError("BILUM_KANNEL_CALLBACK_SECRET must be at least 24 characters: it is all a callback shows")
    return KannelSettings(
        sendsms_url=env.str("BILUM_KANNEL_SENDSMS_URL", "http://localhost:13013/cgi-bin/sendsms"),
        username=_required(env, "BILUM_KANNEL_USERNAME", KANNEL),
        password=_required(env, "BILUM_KANNEL_PASSWORD", KANNEL),
        callback_url=_required(env, "BILUM_KANNEL_CALLBACK_URL", KANNEL).rstrip("/"),
        callback_secret=secret,
        allowed_networks=_networks(env.str("BILUM_KANNEL_ALLOWED_ADDRESSES", "127.0.0.1,::1")),
        sender=_optional(env, "BILUM_KANNEL_SENDER"),
        timeout_s=env.float("BILUM_KANNEL_TIMEOUT_S", 10.0, validate=POSITIVE),
    )


def _twilio(env: Env) -> TwilioSettings:
    return TwilioSettings(
        account_sid=_required(env, "BILUM_TWILIO_ACCOUNT_SID", TWILIO),
        auth_token=_required(env, "BILUM_TWILIO_AUTH_TOKEN", TWILIO),
        sender=_required(env, "BILUM_TWILIO_FROM", TWILIO),
        callback_url=_required(env, "BILUM_TWILIO_CALLBACK_URL", TWILIO).rstrip("/"),
        api_url=env.str("BILUM_TWILIO_API_URL", "https://api.twilio.com").rstrip("/"),
        timeout_s=env.float("BILUM_TWILIO_TIMEOUT_S", 10.0, validate=POSITIVE),
    )


def _sms_provider(env: Env) -> str:
    default = HTTP if _optional(env, "BILUM_SMS_GATEWAY_URL") else LOG
    return env.str("BILUM_SMS_PROVIDER", default, validate=OneOf(SMS_PROVIDERS))


def load() -> Settings:
    env = environment()
    provider = _sms_provider(env)
    gateway = _sms_gateway(env)
    if provider == HTTP and gateway is None:
        raise RuntimeError("BILUM_SMS_GATEWAY_URL is required when BILUM_SMS_PROVIDER is http")
    return Settings(
        smtp=_smtp(env),
        sms_provider=provider,
        sms_gateway=gateway if provider == HTTP else None,
        kannel=_kannel(env) if provider == KANNEL else None,
        twilio=_twilio(env) if provider == TWILIO else None,
        sms_inbound_secret=_optional(env, "BILUM_SMS_INBOUND_SECRET"),
        webhook_timeout_s=env.float("BILUM_WEBHOOK_TIMEOUT_S", 10.0, validate=POSITIVE),
        reminder_lead=timedelta(hours=env.float("BILUM_QUOTA_REMINDER_HOURS", 12.0, validate=POSITIVE)),
        max_attempts=env.int("BILUM_NOTIFY_MAX_ATTEMPTS", 8, validate=AT_LEAST_ONE),
        retry_base_s=env.float("BILUM_NOTIFY_RETRY_BASE_S", 30.0, validate=POSITIVE),
        retry_cap_s=env.float("BILUM_NOTIFY_RETRY_CAP_S", 3600.0, validate=POSITIVE),
        digest_hour=env.int("BILUM_DIGEST_HOUR", 17, validate=_HOUR),
        action_timeout_s=env.float("BILUM_SMS_ACTION_TIMEOUT_S", 5.0, validate=POSITIVE),
        tick_s=env.float("BILUM_NOTIFY_TICK_S", 2.0, validate=POSITIVE),
        sweep_s=env.float("BILUM_NOTIFY_SWEEP_S", 60.0, validate=POSITIVE),
    )
