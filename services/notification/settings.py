"""The notification service's configuration, from environment variables.

Nothing is required: a channel whose transport is not configured (no SMTP host, no SMS gateway URL) delivers to the
delivery log instead (transport ``log``), so the platform runs on a laptop with only a broker. Webhooks need no
configuration of the service: each subscriber gives its own URL and secret. Every variable is read through
``shared.config.environment()``, when the service starts: a wrong value stops it with the variable's name.
"""

from dataclasses import dataclass
from datetime import timedelta

from environs import Env
from marshmallow.validate import Range

from shared.config import AT_LEAST_ONE, POSITIVE, environment

_PORT = Range(min=1, max=65535)
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
class Settings:
    smtp: SmtpSettings | None
    sms_gateway: SmsGatewaySettings | None
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


def load() -> Settings:
    env = environment()
    return Settings(
        smtp=_smtp(env),
        sms_gateway=_sms_gateway(env),
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
