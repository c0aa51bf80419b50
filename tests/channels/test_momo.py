"""The MoMo disbursement adapter against the local MoMo sandbox, a real HTTP server in a subprocess."""

import base64
import time
import uuid
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from bilum.momo_sandbox_process import start
from services.settlement.momo import (
    MomoDisbursements,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
    format_amount,
    parse_callback,
)

pytestmark = pytest.mark.integration

PRODUCER = "+67570000101"
FAILING = "46733123450"  # MTN's sandbox test number for a FAILED transfer


@pytest.fixture
def sandboxes(tmp_path):
    """Start a sandbox with the options a test needs; every one started is stopped at the end."""
    started = []

    def make(**options):
        options.setdefault("settle_after", 0.3)
        sandbox = start(directory=tmp_path / f"sandbox-{len(started)}", **options)
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandboxes):
    return sandboxes()


def client(sandbox, **overrides) -> MomoDisbursements:
    credentials = {"api_user": sandbox.api_user, "api_key": sandbox.api_key}
    credentials |= {"subscription_key": sandbox.subscription_key, "timeout_s": 5.0}
    return MomoDisbursements(sandbox.url, **(credentials | overrides))


def pay(momo: MomoDisbursements, reference: str, msisdn: str = PRODUCER, **options) -> None:
    momo.transfer(reference, Decimal("240.00"), "PGK", msisdn, f"payout-{reference[:8]}", "Bilum pay", "Pay", **options)


def final_status(momo: MomoDisbursements, reference: str, within_s: float = 10.0):
    deadline = time.monotonic() + within_s
    while (status := momo.status(reference)).state == "pending":
        assert time.monotonic() < deadline, f"{reference} still pending after {within_s} s"
        time.sleep(0.1)
    return status


def wait_for(check, within_s: float = 10.0):
    deadline = time.monotonic() + within_s
    while not (found := check()):
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.05)
    return found


def received(sandbox, method: str, prefix: str) -> list[dict]:
    return [
        record
        for record in sandbox.records()
        if record["direction"] == "in" and record["method"] == method and record["path"].startswith(prefix)
    ]


def test_a_token_is_obtained_once_with_basic_credentials_and_reused(sandbox):
    momo = client(sandbox)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())

    pay(momo, first)
    pay(momo, second)
    momo.status(first)

    [token_request] = received(sandbox, "POST", "/disbursement/token")
    basic = base64.b64encode(f"{sandbox.api_user}:{sandbox.api_key}".encode()).decode()
    assert token_request["headers"]["authorization"] == f"Basic {basic}"
    assert token_request["headers"]["ocp-apim-subscription-key"] == sandbox.subscription_key
    used = {r["headers"]["authorization"] for r in sandbox.records() if r["path"].startswith("/disbursement/v1_0")}
    assert len(used) == 1 and used.pop().startswith("Bearer ")


def test_a_token_is_renewed_before_it_expires(sandboxes):
    sandbox = sandboxes(token_ttl=1)
    momo = client(sandbox)

    pay(momo, str(uuid.uuid4()))
    time.sleep(1.0)
    pay(momo, str(uuid.uuid4()))

    assert len(received(sandbox, "POST", "/disbursement/token")) == 2
    assert len(sandbox.transfers()) == 2


def test_a_transfer_to_a_normal_number_ends_successful_with_a_transaction_id(sandboxes):
    sandbox = sandboxes(settle_after=1.0)
    momo = client(sandbox)
    reference = str(uuid.uuid4())

    pay(momo, reference)
    assert momo.status(reference).state == "pending"
    status = final_status(momo, reference)

    assert status.state == "successful" and status.reason is None
    assert status.reference_id == reference and status.transaction_id and status.transaction_id.isdigit()
    [request] = received(sandbox, "POST", "/disbursement/v1_0/transfer")
    assert request["headers"]["x-reference-id"] == reference
    assert request["headers"]["x-target-environment"] == "sandbox"
    assert request["headers"]["ocp-apim-subscription-key"] == sandbox.subscription_key
    assert "x-callback-url" not in request["headers"]
    assert request["body"] == {
        "amount": "240.00",
        "currency": "PGK",
        "externalId": f"payout-{reference[:8]}",
        "payee": {"partyIdType": "MSISDN", "partyId": "67570000101"},
        "payerMessage": "Bilum pay",
        "payeeNote": "Pay",
    }


@pytest.mark.parametrize("reason_as_string", [False, True], ids=["documented-object", "live-sandbox-string"])
def test_the_failing_test_number_ends_failed_with_the_reason(sandboxes, reason_as_string):
    momo = client(sandboxes(reason_as_string=reason_as_string))
    reference = str(uuid.uuid4())

    pay(momo, reference, FAILING)
    status = final_status(momo, reference)

    assert status.state == "failed"
    assert status.reason == "INTERNAL_PROCESSING_ERROR"
    assert status.transaction_id is None


def test_a_retried_transfer_with_the_same_reference_is_accepted_and_held_once(sandbox):
    momo = client(sandbox)
    reference = str(uuid.uuid4())

    pay(momo, reference)
    pay(momo, reference)  # the 409 RESOURCE_ALREADY_EXIST answer is an acceptance

    assert len(received(sandbox, "POST", "/disbursement/v1_0/transfer")) == 2
    assert [transfer["referenceId"] for transfer in sandbox.transfers()] == [reference]


def test_a_server_error_is_unavailable_and_nothing_is_held_then_the_same_reference_goes_through(sandbox):
    momo = client(sandbox)
    reference = str(uuid.uuid4())
    sandbox.fail_next(500)

    with pytest.raises(ProviderUnavailable, match="500"):
        pay(momo, reference)

    assert len(received(sandbox, "POST", "/disbursement/v1_0/transfer")) == 1
    assert sandbox.transfers() == []
    assert momo.status(reference).state == "unknown"
    pay(momo, reference)
    assert [transfer["referenceId"] for transfer in sandbox.transfers()] == [reference]


def test_a_slow_answer_is_a_timeout_although_the_transfer_was_received_and_status_tells_the_outcome(sandbox):
    momo = client(sandbox, timeout_s=0.5)
    reference = str(uuid.uuid4())
    sandbox.slow_next(2.0)

    with pytest.raises(ProviderTimeout):
        pay(momo, reference)

    assert [transfer["referenceId"] for transfer in sandbox.transfers()] == [reference]
    status = final_status(momo, reference)
    assert status.state == "successful" and status.transaction_id


def test_a_reference_never_received_is_unknown(sandbox):
    reference = str(uuid.uuid4())
    status = client(sandbox).status(reference)
    assert (status.state, status.reference_id, status.reason, status.transaction_id) == (
        "unknown",
        reference,
        None,
        None,
    )


def test_wrong_credentials_are_a_clear_refusal_and_no_transfer_is_sent(sandbox):
    with pytest.raises(ProviderRefused, match="credentials") as refused:
        pay(client(sandbox, api_key="not-the-key"), str(uuid.uuid4()))
    assert (refused.value.code, refused.value.http_status) == ("login_failed", 401)

    with pytest.raises(ProviderRefused) as refused:
        pay(client(sandbox, subscription_key="not-the-subscription"), str(uuid.uuid4()))
    assert refused.value.http_status == 401

    assert received(sandbox, "POST", "/disbursement/v1_0/transfer") == []


def test_a_malformed_msisdn_is_refused_with_momos_code(sandbox):
    with pytest.raises(ProviderRefused) as refused:
        pay(client(sandbox), str(uuid.uuid4()), "not-a-number")
    assert (refused.value.code, refused.value.http_status) == ("PAYEE_NOT_FOUND", 400)
    assert sandbox.transfers() == []


def test_an_unreachable_momo_is_unavailable(closed_port):
    momo = MomoDisbursements(f"http://127.0.0.1:{closed_port}", "user", "key", "subscription", timeout_s=2.0)
    with pytest.raises(ProviderUnavailable):
        pay(momo, str(uuid.uuid4()))


def test_callbacks_repeated_three_times_arrive_three_times_and_are_read(sandboxes):
    sandbox = sandboxes(callback_repeats=3, callback_delay=0.05)
    momo = client(sandbox)
    reference = str(uuid.uuid4())

    pay(momo, reference, callback_url=f"{sandbox.url}/_sandbox/inbox/momo/{reference}")
    callbacks = wait_for(lambda: len(found := received(sandbox, "PUT", "/_sandbox/inbox/")) >= 3 and found)

    time.sleep(0.3)
    assert len(received(sandbox, "PUT", "/_sandbox/inbox/")) == 3
    assert {callback["path"] for callback in callbacks} == {f"/_sandbox/inbox/momo/{reference}"}
    statuses = {parse_callback(callback["body"], reference) for callback in callbacks}
    assert len(statuses) == 1
    [status] = statuses
    assert status.state == "successful" and status.reference_id == reference
    assert status.transaction_id == momo.status(reference).transaction_id


def test_a_failed_transfer_calls_back_with_its_reason(sandbox):
    reference = str(uuid.uuid4())
    pay(client(sandbox), reference, FAILING, callback_url=f"{sandbox.url}/_sandbox/inbox/{reference}")

    [callback] = wait_for(lambda: received(sandbox, "PUT", "/_sandbox/inbox/"))

    assert parse_callback(callback["body"], reference).reason == "INTERNAL_PROCESSING_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "PAID"},
        {"status": None},
        {"status": "FAILED", "reason": 42},
        {"status": "SUCCESSFUL", "financialTransactionId": {"id": 1}},
        ["SUCCESSFUL"],
        "SUCCESSFUL",
    ],
)
def test_a_malformed_callback_raises_a_validation_error(body):
    with pytest.raises(ValidationError):
        parse_callback(body, str(uuid.uuid4()))


def test_a_callback_with_unknown_fields_and_numeric_ids_is_read():
    status = parse_callback(
        {"status": "SUCCESSFUL", "financialTransactionId": 363440463, "externalId": 83453, "newField": True}, "ref-1"
    )
    assert (status.state, status.transaction_id, status.reference_id) == ("successful", "363440463", "ref-1")


def test_amounts_are_strings_in_the_currencys_minor_unit():
    assert format_amount(Decimal("1200"), "JPY") == "1200"
    assert format_amount(Decimal("240"), "PGK") == "240.00"
    assert format_amount(Decimal("240.5"), "PGK") == "240.50"
    with pytest.raises(ValueError):
        format_amount(Decimal("1200.5"), "JPY")
    with pytest.raises(ValueError):
        format_amount(Decimal("0"), "PGK")
    with pytest.raises(TypeError):
        format_amount(240.0, "PGK")


def test_a_currency_momo_does_not_take_is_refused_although_it_comes_as_a_server_error(sandboxes):
    sandbox = sandboxes(currencies="EUR")  # MTN's own sandbox takes EUR only, and says so with HTTP 500
    with pytest.raises(ProviderRefused) as refused:
        pay(client(sandbox), str(uuid.uuid4()))
    assert (refused.value.code, refused.value.http_status) == ("INVALID_CURRENCY", 500)
    assert sandbox.transfers() == []
