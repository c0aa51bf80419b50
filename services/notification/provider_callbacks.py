"""Callbacks from the SMS provider the deployment chose: a producer's message, and delivery reports.

Each provider proves a callback its own way. Kannel cannot sign: its callback must carry the per-deployment secret
and come from an allowed address. Twilio signs every request with the account's auth token over the URL it called
and the form it posted. A callback that does not prove itself is refused before anything is read; one that does is
validated, and a message is handled exactly as from any provider (``inbound.handle``), once per provider message id.
"""

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from services.notification import handset_reports, inbound, kannel, twilio
from services.notification.inbound import QuotaDesk, SignatureRefused
from services.notification.provider_reports import Incoming
from services.notification.settings import KANNEL, TWILIO, KannelSettings, Settings, TwilioSettings
from shared.store import Database

SECRET_PARAMETER = "secret"


def _kannel(settings: Settings, params: Mapping[str, str], source_address: str | None) -> KannelSettings:
    config = settings.kannel
    if config is None or not kannel.caller_allowed(
        config.callback_secret, config.allowed_networks, params.get(SECRET_PARAMETER), source_address
    ):
        raise SignatureRefused("the callback is not from this deployment's Kannel: wrong secret or address")
    return config


def _twilio(settings: Settings, path: str, params: Mapping[str, str], signature: str | None) -> TwilioSettings:
    config = settings.twilio
    if config is None or not twilio.signature_valid(config.auth_token, config.callback_url + path, params, signature):
        raise SignatureRefused("the callback's X-Twilio-Signature is missing or wrong")
    return config


def _without_secret(params: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if key != SECRET_PARAMETER}


def _handled(db: Database, desk: QuotaDesk, provider: str, message: Incoming, now: datetime):
    as_received = {"message_id": f"{provider}:{message.message_id}", "sender": message.sender, "text": message.text}
    with db.transaction() as uow:
        return inbound.handle(uow, desk, as_received, now)


def message_from_kannel(
    db: Database, desk: QuotaDesk, settings: Settings, params: Mapping[str, str], source: str | None, now: datetime
) -> tuple[dict, list[str]]:
    _kannel(settings, params, source)
    return _handled(db, desk, KANNEL, kannel.read_inbound(_without_secret(params)), now)


def report_from_kannel(
    db: Database, settings: Settings, params: Mapping[str, str], source: str | None, now: datetime
) -> dict:
    _kannel(settings, params, source)
    receipt = kannel.read_report(_without_secret(params), now)
    with db.transaction() as uow:
        return handset_reports.record(uow, receipt, KANNEL, now)


def message_from_twilio(
    db: Database,
    desk: QuotaDesk,
    settings: Settings,
    path: str,
    params: Mapping[str, str],
    signature: str | None,
    now: datetime,
) -> tuple[dict, list[str]]:
    """``path`` is the part of the URL Twilio called after the configured callback URL (``/inbound``)."""
    _twilio(settings, path, params, signature)
    return _handled(db, desk, TWILIO, twilio.read_inbound(params), now)


def report_from_twilio(
    db: Database, settings: Settings, path: str, params: Mapping[str, str], signature: str | None, now: datetime
) -> dict:
    _twilio(settings, path, params, signature)
    reference = parse_qs(urlsplit(path).query).get(twilio.REFERENCE_PARAMETER, [None])[0]
    receipt = twilio.read_report(params, now, reference)
    with db.transaction() as uow:
        return handset_reports.record(uow, receipt, TWILIO, now)
