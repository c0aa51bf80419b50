"""Which transport carries each channel, from the service's settings: SMTP for email, the chosen SMS provider (Kannel,
Twilio or Bilum's own HTTP contract), signed webhooks, and the delivery log for a channel that is not configured."""

import logging
from datetime import datetime, timezone
from urllib.parse import urlencode

from services.notification.channels import Channel, Delivery, HttpSmsGateway, Outgoing, SmtpEmail, Webhook
from services.notification.kannel import KannelSms
from services.notification.preferences import EMAIL, SMS, WEBHOOK
from services.notification.settings import KANNEL, LOG, TWILIO, KannelSettings, Settings
from services.notification.twilio import TwilioSms

log = logging.getLogger(__name__)


class LogChannel(Channel):
    """No transport configured (a laptop, a demo): the delivery log, and the JSON log, are where the message goes.
    It counts as sent, so everything downstream of a sent message happens as in production."""

    def __init__(self, name: str):
        self.name = name

    def send(self, address: str, message: Outgoing) -> Delivery:
        log.info(
            "notification written to the log",
            extra={
                "channel": self.name,
                "address": address,
                "kind": message.kind,
                "text": message.sms_text if self.name == SMS else message.text,
            },
        )
        return Delivery(True, datetime.now(timezone.utc))


def kannel_report_url(kannel: KannelSettings) -> str:
    """Where Kannel reports deliveries: the gateway's route, with the secret a report must show."""
    return f"{kannel.callback_url}/reports?{urlencode({'secret': kannel.callback_secret})}"


def _sms_transport(settings: Settings) -> tuple[str, Channel]:
    if settings.kannel:
        kannel = settings.kannel
        return KANNEL, KannelSms(
            kannel.sendsms_url,
            kannel.username,
            kannel.password,
            kannel_report_url(kannel),
            kannel.timeout_s,
            kannel.sender,
        )
    if settings.twilio:
        twilio = settings.twilio
        return TWILIO, TwilioSms(
            twilio.account_sid,
            twilio.auth_token,
            twilio.sender,
            f"{twilio.callback_url}/status",
            twilio.api_url,
            twilio.timeout_s,
        )
    if settings.sms_gateway:
        gateway = settings.sms_gateway
        return "sms-gateway", HttpSmsGateway(gateway.url, gateway.api_key, gateway.timeout_s)
    return LOG, LogChannel(SMS)


class Transports:
    def __init__(self, settings: Settings):
        self.settings = settings
        smtp = settings.smtp
        self._email = (
            (
                "smtp",
                SmtpEmail(
                    smtp.host, smtp.port, smtp.sender, smtp.username, smtp.password, smtp.starttls, smtp.timeout_s
                ),
            )
            if smtp
            else (LOG, LogChannel(EMAIL))
        )
        self._sms = _sms_transport(settings)

    def for_channel(self, channel: str, webhook_secret: str | None = None) -> tuple[str, Channel]:
        """The transport's name and the channel object that sends; a webhook signs with its subscriber's secret."""
        if channel == EMAIL:
            return self._email
        if channel == SMS:
            return self._sms
        if channel == WEBHOOK:
            if not webhook_secret:
                raise ValueError("a webhook is only sent signed, with its subscriber's secret")
            return "webhook", Webhook(lambda _url: webhook_secret, self.settings.webhook_timeout_s)
        raise ValueError(f"unknown channel {channel!r}")
