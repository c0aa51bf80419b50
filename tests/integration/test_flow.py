"""The whole platform as separate processes on the real broker and PostgreSQL, driven over HTTP by ``bilum demo``."""

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import requests
from pypdf import PdfReader

from bilum import demo_catalogue, demo_data
from services.catalogue.domain import DEFAULT_MIN_QUOTA
from shared.money import to_minor
from tests.integration.auth import admin_key
from tests.integration.helpers import dead_letters

STAGES = ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered")


def _bilum(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "bilum.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_an_order_flows_from_placement_to_delivery_and_the_ledger_accounts_for_every_unit(platform_env):
    result = _bilum(platform_env, "demo", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    expected = {}
    for buyer in demo_data.BUYERS:
        for order in buyer["orders"]:
            expected[(buyer["name"], tuple(sorted((line["sku"], line["quantity"]) for line in order["lines"])))] = True
    assert len(report["orders"]) == len(expected)
    for order in report["orders"]:
        assert order["status"] == "delivered"
        key = (order["buyer"], tuple(sorted((line["offering"], line["ordered"]) for line in order["lines"])))
        assert key in expected
        for line in order["lines"]:
            made = line["ordered"] - line["shortfall"]
            assert [line[stage] for stage in STAGES[1:]] == [made] * (len(STAGES) - 1), line
            assert not line["shortfall"] or line["offering"] == demo_data.SHORT_SKU, line
    assert any(line["shortfall"] for order in report["orders"] for line in order["lines"]), "no order ended short"
    quotas = report["quotas"]
    assert {quota["order_id"] for quota in quotas} == {order["id"] for order in report["orders"]}
    by_holder = Counter((quota["line_id"], quota["producer_id"]) for quota in quotas)
    assert max(by_holder.values()) == 1, "a producer was offered two quotas for one line"
    crumbs = Counter(quota["line_id"] for quota in quotas if quota["quantity"] < DEFAULT_MIN_QUOTA)
    assert all(count == 1 for count in crumbs.values()), "more than one quota below the smallest worthwhile on a line"
    assert {quota["status"] for quota in quotas} <= {"delivered", "closed_short", "declined", "expired", "released"}, (
        "a quota of a delivered order is not finished"
    )
    _every_producer_was_paid_what_her_passed_lots_earned(report, result.stderr)
    _the_yen_order_was_converted_at_the_recorded_rate(result.stderr)
    _the_documents_account_for_what_was_delivered(report)
    _the_catalogue_was_printed_with_pictures_in_three_languages_and_shared(report)
    assert "declined 0" not in result.stderr, "the demo's producers declined nothing: reallocation went untested"
    assert "declined units were reallocated" in result.stderr
    assert dead_letters(platform_env["AMQP_URI"]) == 0
    everyone = report["dashboard"]
    assert everyone["orders"]["total"] == everyone["orders"]["by_status"]["delivered"] == len(report["orders"]), (
        "the admin's dashboard, once the demo is done, counts every order delivered"
    )
    assert everyone["units"]["delivered"] == sum(line["delivered"] for o in report["orders"] for line in o["lines"])


def _every_producer_was_paid_what_her_passed_lots_earned(report: dict, progress: str) -> None:
    passed = sum(line["passed"] for order in report["orders"] for line in order["lines"])
    accounts = report["settlement"]
    assert sum(lot["passed"] for account in accounts for lot in account["lots"]) == passed, "every passed unit earns"
    for account in accounts:
        assert Decimal(account["earned"]) == sum(Decimal(lot["amount"]) for lot in account["lots"]), account
        assert all(Decimal(lot["amount"]) == lot["passed"] * Decimal(lot["rate"]) for lot in account["lots"]), account
        assert Decimal(account["balance"]) == 0, "everybody is paid what she is owed"
        assert Decimal(account["paid"]) == Decimal(account["earned"]) - Decimal(account["advanced"]), account
    assert sum(Decimal(account["advanced"]) for account in accounts) > 0, "the demo advanced materials"
    assert "could not approve her own" in progress and "failed (PAYEE_NOT_ALLOWED_TO_RECEIVE); tried again" in progress
    assert "sent BAL and was answered: 'Bilum: mani i stap" in progress, "Mary Kewa's balance, in Tok Pisin"
    assert [fund["total"] for fund in report["premium_fund"]] == ["100.00"], "500 bags of coffee at 0.20"


def _the_catalogue_was_printed_with_pictures_in_three_languages_and_shared(report: dict) -> None:
    printed = {(catalogue["layout"], catalogue["language"]): catalogue for catalogue in report["catalogues"]}
    assert {"flyer", "booklet"} <= {layout for layout, _ in printed} and {"en", "ja"} <= {lang for _, lang in printed}
    for (layout, language), catalogue in printed.items():
        assert catalogue["name"] == demo_catalogue.THEME_NAME
        reader = PdfReader(catalogue["path"])
        # A name may wrap onto two lines of a card (in Japanese, between any two letters): compare without spaces.
        text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
        names = [
            demo_catalogue.OFFERING_TEXTS[offering["sku"]][language]["name"] if language != "en" else offering["name"]
            for offering in demo_data.OFFERINGS
        ]
        assert all(re.sub(r"\s+", "", name) in text for name in names), (layout, language)
        assert sum(len(page.images) for page in reader.pages) >= len(names), "every offering with its picture"
        assert len(reader.pages) == {"flyer": 1, "leaflet": 2}.get(layout, len(reader.pages)), (layout, language)
    link = report["catalogue_link"]
    assert re.fullmatch(r"http://[^/]+/c/[A-Za-z0-9_-]{40,}", link), link


def _the_documents_account_for_what_was_delivered(report: dict) -> None:
    """A pro-forma per order, net of its credit notes, is what the invoices billed for goods; one claim was
    credited in part against an invoice; numbers run from 1 without a gap; every buyer but one paid its balance."""
    documents = report["documents"]
    numbers = Counter(document["kind"] for document in documents)
    for kind, issued in numbers.items():
        sequences = sorted(int(document["number"].split("-")[-1]) for document in documents if document["kind"] == kind)
        assert sequences == list(range(1, issued + 1)), (kind, sequences)
    for order in report["orders"]:
        mine = [document for document in documents if document["order_id"] == order["id"]]
        [proforma] = [document for document in mine if document["kind"] == "proforma"]
        invoices = [document for document in mine if document["kind"] == "invoice"]
        credits = [document for document in mine if document["corrects"] == proforma["number"]]
        goods = sum(Decimal(line["amount"]) for invoice in invoices for line in invoice["lines"])
        assert Decimal(proforma["total"]) - sum(Decimal(note["total"]) for note in credits) == goods, order["id"]
        assert bool(credits) == any(line["shortfall"] for line in order["lines"]), order["id"]
    claimed = [d for d in documents if d["kind"] == "credit_note" and d["corrects"].startswith("INV-")]
    assert [sum(line["quantity"] for line in note["lines"]) for note in claimed] == [3], "the claim accepted in part"
    rates = {document["rate"] for document in documents if document["currency"] == "JPY"}
    assert rates == {demo_data.EXCHANGE_RATES[0]["rate"]}, "the rate used is on every yen document"
    accounts = report["accounts"]
    for account in accounts:
        owed = Decimal(account["invoiced"]) - Decimal(account["credited"]) - Decimal(account["received"])
        assert Decimal(account["outstanding"]) == owed, account
    assert [Decimal(account["outstanding"]) > 0 for account in accounts] == [False] * (len(accounts) - 1) + [True]
    assert len(report["packing_lists"]) == numbers["invoice"], "a packing list beside every invoice"


def test_demo_and_up_stop_at_once_with_what_to_start_when_rabbitmq_is_down(platform_env):
    env = {**platform_env, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    for command in ("demo", "up"):
        result = _bilum(env, command, timeout=60)
        assert result.returncode == 2
        assert "RabbitMQ is not reachable" in result.stderr
        assert "rabbitmq-server" in result.stderr
        assert "Traceback" not in result.stderr


def test_up_runs_every_service_until_sigterm_and_then_stops_them_all(platform, tmp_path):
    platform_env = platform
    from bilum.waiting import eventually

    log = tmp_path / "up.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bilum.cli", "up"],
            env={**os.environ, **platform_env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    ops_ports = [value for key, value in platform_env.items() if key.endswith("_OPS_PORT")]

    def answering(port):
        try:
            return requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        eventually(lambda: "Ctrl-C stops every service" in log.read_text(), "bilum up to say it is up", timeout_s=90)
        assert f"Dashboard: {platform_env['BILUM_GATEWAY_URL']}/dashboard" in log.read_text()
        assert all(answering(port) for port in ops_ports)
        api = requests.Session()
        api.headers.update(admin_key())
        dashboard = api.get(platform_env["BILUM_GATEWAY_URL"] + "/api/v1/dashboard", timeout=10).json()
        assert dashboard["orders"]["total"] == 0, dashboard
        _the_api_refuses_bad_input_with_clear_errors(platform_env["BILUM_GATEWAY_URL"], api)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert process.returncode == 0, log.read_text()[-2000:]
    assert not any(answering(port) for port in ops_ports)


def _the_yen_order_was_converted_at_the_recorded_rate(progress: str) -> None:
    """The co-operative recorded the rate through the API before its Tokyo buyer ordered in yen; each line's price
    was converted and rounded to the yen."""
    [rate] = demo_data.EXCHANGE_RATES
    assert f"recorded 1 USD = {rate['rate']} JPY" in progress
    prices = {offering["sku"]: Decimal(offering["unit_price"]) for offering in demo_data.OFFERINGS}
    [(buyer, order)] = [(buyer, order) for buyer, order in demo_data.all_orders() if order.get("currency") == "JPY"]
    total = sum(
        line["quantity"] * to_minor(prices[line["sku"]] * Decimal(rate["rate"]), "JPY") for line in order["lines"]
    )
    assert f"{buyer['name']} ordered" in progress and f"DAP Tokyo by air, JPY {total}," in progress
    for terms in ("CIF Brisbane by sea, USD", "FCA Lae by sea, USD"):
        assert terms in progress


def _the_api_refuses_bad_input_with_clear_errors(base: str, api: requests.Session) -> None:
    def error(response, status):
        assert response.status_code == status, response.text
        body = response.json()["error"]
        assert body["message"]
        return body

    order = {
        "buyer": {"name": "B", "email": "not-an-email"},
        "due_date": "2020-01-01",
        "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
        "lines": [{"sku": "NOPE", "quantity": 0}],
        "trade_terms": {"incoterm": "CIF", "named_place": "Tokyo", "transport_mode": "air"},
    }
    refused = error(api.post(f"{base}/api/v1/orders", json=order, timeout=10), 422)
    assert refused["code"] == "invalid_input"
    assert "email" in refused["fields"]["buyer"] and "quantity" in refused["fields"]["lines"]["0"]
    assert "sea and inland waterway" in refused["fields"]["trade_terms"]["incoterm"][0]

    order["buyer"]["email"] = "b@example.org"
    order["lines"][0]["quantity"] = 5
    order["due_date"] = "2099-01-01"
    order["trade_terms"]["transport_mode"] = "sea"
    unknown = error(api.post(f"{base}/api/v1/orders", json=order, timeout=10), 422)
    assert unknown["fields"]["lines"]["0"]["sku"] == ["no published offering has this sku"]

    assert error(api.post(f"{base}/api/v1/orders", data="{oops", timeout=10), 400)["code"] == "invalid_json"
    assert (
        error(api.post(f"{base}/api/v1/orders", json=order, headers={"Idempotency-Key": "k" * 201}, timeout=10), 400)[
            "code"
        ]
        == "invalid_header"
    )
    assert (
        error(api.post(f"{base}/api/v1/orders", data=b"x" * (1024 * 1024 + 1), timeout=10), 413)["code"] == "too_large"
    )
    assert error(api.get(f"{base}/api/v1/orders/ord_missing", timeout=10), 404)["code"] == "not_found"
    assert error(api.post(f"{base}/api/v1/quotas/qta_missing/accept", timeout=10), 404)["code"] == "not_found"
    assert (
        error(api.get(f"{base}/api/v1/orders", params={"page_size": 101}, timeout=10), 400)["code"] == "invalid_query"
    )
    assert api.get(f"{base}/api/v1/orders", timeout=10).json() == {"items": [], "page": 1, "page_size": 20, "total": 0}
