"""Paying a producer's mobile-money wallet through MTN MoMo's Disbursement API.

A transfer is asynchronous: ``POST /transfer`` answers 202 once queued; the outcome comes by ``GET /transfer/{ref}`` or
a callback. The X-Reference-Id (UUID v4) is MoMo's only idempotency key: the caller stores it *before* the first call
and re-sends it on every retry; a 409 for a reference MoMo holds is an acceptance too. Three failures are kept apart as
they call for different actions: never reached MoMo (retry, same reference), no answer (the money may have moved: ask
``status()``), refused (do not retry unchanged). MoMo does not sign callbacks: anyone who learns the URL can PUT
"SUCCESSFUL" to it, so a callback is only a reason to call ``status()``."""

import threading
import time
from dataclasses import dataclass
from decimal import Decimal

import requests
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from urllib3.exceptions import NewConnectionError

from shared.money import CURRENCIES, minor_unit

# The documented statuses are PENDING, SUCCESSFUL and FAILED; the sandbox has been seen answering CREATED, and the
# sandbox test numbers are described as REJECTED and TIMEOUT outcomes: read them rather than fail on them.
_STATES = {"PENDING": "pending", "CREATED": "pending", "ONGOING": "pending", "SUCCESSFUL": "successful"}
_STATES |= dict.fromkeys(("FAILED", "REJECTED", "TIMEOUT", "EXPIRED"), "failed")
# Codes MoMo sends with HTTP 500 although nothing will change on a retry: a configuration or payee error to fix.
_PERMANENT = {"PAYEE_NOT_FOUND", "PAYEE_NOT_ALLOWED_TO_RECEIVE", "NOT_ALLOWED", "NOT_ALLOWED_TARGET_ENVIRONMENT"}
_PERMANENT |= {"INVALID_CALLBACK_URL_HOST", "INVALID_CURRENCY"}


@dataclass(frozen=True)
class TransferStatus:
    reference_id: str
    state: str  # "pending" | "successful" | "failed" | "unknown" (MoMo never received the reference: 404)
    reason: str | None  # MoMo's reason code when failed
    transaction_id: str | None  # financialTransactionId when successful


class ProviderTimeout(Exception):
    """No answer in time: MoMo may or may not hold the transfer; ask ``status()`` with the same reference."""


class ProviderUnavailable(Exception):
    """MoMo did not take the request (5xx, connection refused): safe to retry with the SAME reference."""


class ProviderRefused(Exception):
    """A definite refusal of this request (bad MSISDN, currency, credentials...): retrying it unchanged won't help."""

    def __init__(self, code: str, message: str, http_status: int | None = None):
        super().__init__(f"{code}: {message}" + (f" (HTTP {http_status})" if http_status else ""))
        self.code, self.message, self.http_status = code, message, http_status


class _Text(fields.Field):  # MoMo's own examples show ids as numbers too: "financialTransactionId": 363440463
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("Not a string or an integer.")
        return str(value)


class _Reason(fields.Field):  # documented as {"code", "message"}; the live sandbox sends the bare code
    def _deserialize(self, value, attr, data, **kwargs):
        value = (value.get("code") or value.get("message")) if isinstance(value, dict) else value
        if isinstance(value, str) and value:
            return value
        raise ValidationError("Not a reason: a string or an object with a code.")


class TransferResult(Schema):  # the status answer, and the callback body, which is the same JSON
    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(sorted(_STATES)))
    referenceId = _Text(load_default=None)
    financialTransactionId = _Text(load_default=None, allow_none=True)
    reason = _Reason(load_default=None, allow_none=True)


def parse_callback(body: dict, reference_id: str = "") -> TransferStatus:
    """Read a callback body (raises ``marshmallow.ValidationError`` when malformed). The body need not carry the
    reference, so the caller passes the one it put in the callback URL. Never act on this alone: see the module."""
    result = TransferResult().load(body)
    return _status(reference_id or result["referenceId"] or "", result)


def _status(reference: str, result: dict) -> TransferStatus:
    state = _STATES[result["status"]]
    reason = result["reason"] if state == "failed" else None
    return TransferStatus(reference, state, reason, result["financialTransactionId"] if state == "successful" else None)


def format_amount(amount: Decimal, currency: str) -> str:
    """MoMo takes the amount as a string in the currency's minor unit ("240.00" PGK, "1200" JPY). An amount finer
    than that unit is an error here, not something to round silently: the caller decides what is paid."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if currency not in CURRENCIES:
        raise ValueError(f"not an ISO 4217 currency: {currency!r}")
    amount = Decimal(amount)
    unit = minor_unit(currency)
    if not amount.is_finite() or amount <= 0 or amount.quantize(unit) != amount:
        raise ValueError(f"{amount} is not a positive amount in whole {unit} {currency}")
    return format(amount.quantize(unit), "f")


def _refusal(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    code = body.get("code") or body.get("error") or str(response.status_code)
    return str(code), str(body.get("message") or response.text[:200] or response.reason)


class MomoDisbursements:
    """One MoMo Disbursement account (API user, API key, subscription key) in one target environment."""

    TOKEN_MARGIN_S = 60.0  # renew this long before expiry, so a token never lapses between check and use

    def __init__(self, base_url: str, api_user: str, api_key: str, subscription_key: str,
                 target_environment: str = "sandbox", timeout_s: float = 10.0):  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self._credentials, self._subscription_key = (api_user, api_key), subscription_key
        self.target_environment, self.timeout_s = target_environment, timeout_s
        self._session = requests.Session()
        self._token: tuple[str, float] | None = None  # (access token, when to renew it)
        self._token_lock = threading.Lock()

    def transfer(self, reference_id: str, amount: Decimal, currency: str, msisdn: str, external_id: str,
                 payer_message: str, payee_note: str, callback_url: str | None = None) -> None:  # fmt: skip
        """202 -> returns; 409 (reference already received) -> returns too (idempotent); see the exceptions."""
        body = {
            "amount": format_amount(amount, currency),
            "currency": currency,
            "externalId": external_id,
            "payee": {"partyIdType": "MSISDN", "partyId": msisdn.strip().lstrip("+")},  # MoMo wants bare digits
            "payerMessage": payer_message,
            "payeeNote": payee_note,
        }
        headers = {"X-Reference-Id": reference_id} | ({"X-Callback-Url": callback_url} if callback_url else {})
        response = self._call("POST", "/disbursement/v1_0/transfer", headers, body)
        if response.status_code not in (202, 409):  # 409 RESOURCE_ALREADY_EXIST: MoMo holds this reference already
            self._raise(response)

    def status(self, reference_id: str) -> TransferStatus:
        """What MoMo knows of the transfer; "unknown" when it never received the reference (safe to send again)."""
        response = self._call("GET", f"/disbursement/v1_0/transfer/{reference_id}", {}, None)
        if response.status_code == 404:
            return TransferStatus(reference_id, "unknown", None, None)
        if response.status_code != 200:
            self._raise(response)
        try:
            return _status(reference_id, TransferResult().load(response.json()))
        except (ValueError, ValidationError) as error:
            raise ProviderUnavailable(f"MoMo answered an unreadable status: {error}") from error

    def _call(self, method: str, path: str, headers: dict, body: dict | None) -> requests.Response:
        response = self._send(method, path, headers | {"Authorization": f"Bearer {self._access_token()}"}, body)
        if response.status_code == 401:  # revoked or expired early: one new token, then the refusal stands
            self._token = None
            response = self._send(method, path, headers | {"Authorization": f"Bearer {self._access_token()}"}, body)
        return response

    def _send(self, method: str, path: str, headers: dict, body: dict | None, **options) -> requests.Response:
        headers = headers | {"Ocp-Apim-Subscription-Key": self._subscription_key}
        headers |= {} if "auth" in options else {"X-Target-Environment": self.target_environment}  # not for a token
        try:
            options |= {"json": body, "headers": headers, "timeout": self.timeout_s}
            return self._session.request(method, self.base_url + path, **options)
        except requests.RequestException as error:
            cause = getattr(error.args[0], "reason", None) if error.args else None  # MaxRetryError's
            if isinstance(error, requests.ConnectTimeout) or isinstance(cause, NewConnectionError):  # nothing sent
                raise ProviderUnavailable(f"MoMo unreachable: {error}") from error
            if isinstance(error, requests.Timeout | requests.ConnectionError):
                raise ProviderTimeout(f"no answer from MoMo to {method} {path}: {error}") from error
            raise

    def _access_token(self) -> str:
        with self._token_lock:
            if self._token is None or time.monotonic() >= self._token[1]:
                try:
                    response = self._send("POST", "/disbursement/token/", {}, None, auth=self._credentials)
                except ProviderTimeout as error:  # no transfer was sent yet: retrying is safe
                    raise ProviderUnavailable(str(error)) from error
                if response.status_code != 200:  # 401: wrong API user, API key or subscription key
                    self._raise(response, "MoMo refused a token to these credentials: ")
                answer = response.json()
                lifetime = float(answer["expires_in"])
                renew_at = time.monotonic() + lifetime - min(self.TOKEN_MARGIN_S, lifetime / 10)
                self._token = (answer["access_token"], renew_at)
            return self._token[0]

    @staticmethod
    def _raise(response: requests.Response, context: str = ""):
        code, message = _refusal(response)
        if response.status_code >= 500 and code not in _PERMANENT:
            raise ProviderUnavailable(f"{context}MoMo answered HTTP {response.status_code}: {code}: {message}")
        raise ProviderRefused(code, context + message, response.status_code)
