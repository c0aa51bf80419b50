"""The notification service's configuration, from environment variables.

Nothing is required: a channel whose transport is not configured (no SMTP host, no SMS gateway URL) delivers to the
delivery log instead (transport ``log``), so the platform runs on a laptop with only a broker. Webhooks need no
configuration of the service: each subscriber gives its own URL and secret.
"""
import os
from dataclasses import dataclass
from datetime import timedelta


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


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _smtp() -> SmtpSettings | None:
    host = os.environ.get("BILUM_SMTP_HOST")
    if not host:
        return None
    starttls = _flag("BILUM_SMTP_STARTTLS")
    return SmtpSettings(
        host=host,
        port=int(os.environ.get("BILUM_SMTP_PORT", "587" if starttls else "25")),
        sender=os.environ.get("BILUM_SMTP_SENDER", "Bilum <bilum@localhost>"),
        username=os.environ.get("BILUM_SMTP_USERNAME") or None,
        password=os.environ.get("BILUM_SMTP_PASSWORD") or None,
        starttls=starttls,
        timeout_s=float(os.environ.get("BILUM_SMTP_TIMEOUT_S", "10")),
    )


def _sms_gateway() -> SmsGatewaySettings | None:
    url = os.environ.get("BILUM_SMS_GATEWAY_URL")
    if not url:
        return None
    return SmsGatewaySettings(url=url, api_key=os.environ.get("BILUM_SMS_GATEWAY_API_KEY", ""),
                              timeout_s=float(os.environ.get("BILUM_SMS_GATEWAY_TIMEOUT_S", "10")))


def load() -> Settings:
    return Settings(
        smtp=_smtp(),
        sms_gateway=_sms_gateway(),
        sms_inbound_secret=os.environ.get("BILUM_SMS_INBOUND_SECRET") or None,
        webhook_timeout_s=float(os.environ.get("BILUM_WEBHOOK_TIMEOUT_S", "10")),
        reminder_lead=timedelta(hours=float(os.environ.get("BILUM_QUOTA_REMINDER_HOURS", "12"))),
        max_attempts=int(os.environ.get("BILUM_NOTIFY_MAX_ATTEMPTS", "8")),
        retry_base_s=float(os.environ.get("BILUM_NOTIFY_RETRY_BASE_S", "30")),
        retry_cap_s=float(os.environ.get("BILUM_NOTIFY_RETRY_CAP_S", "3600")),
        digest_hour=int(os.environ.get("BILUM_DIGEST_HOUR", "17")),
        action_timeout_s=float(os.environ.get("BILUM_SMS_ACTION_TIMEOUT_S", "5")),
    )
