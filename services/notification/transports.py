"""Which transport carries each channel, from the service's settings: SMTP for email, the HTTP SMS gateway for SMS,
signed webhooks, and the delivery log for a channel that is not configured."""

import logging
from datetime import datetime, timezone

from services.notification.channels import Channel, Delivery, HttpSmsGateway, Outgoing, SmtpEmail, Webhook
from services.notification.preferences import EMAIL, SMS, WEBHOOK
from services.notification.settings import Settings

log = logging.getLogger(__name__)

LOG = "log"


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


class Transports:
    def __init__(self, settings: Settings):
        self.settings = settings
        smtp, gateway = settings.smtp, settings.sms_gateway
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
        self._sms = (
            ("sms-gateway", HttpSmsGateway(gateway.url, gateway.api_key, gateway.timeout_s))
            if gateway
            else (LOG, LogChannel(SMS))
        )

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
