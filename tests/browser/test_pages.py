"""The pages in a real browser: each shows the API's figures for the seeded scenario, the producer's accept button
accepts, an aggregator sees nothing of another organisation, and every page is photographed on a desktop and a
phone (under var/test-artefacts/screenshots)."""

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests

from bilum.waiting import eventually
from shared.translations import translations
from shared.weeks import iso_week, monday_of
from tests.browser import page_formats
from tests.browser.conftest import PASSWORD, api
from tests.integration.auth import create_user

DASHBOARD_READY = """() => { const total = document.querySelector('[data-figure="orders-total"]');
  return total && total.textContent.trim() !== '–'; }"""
PRODUCER_READY = (
    """() => ['money', 'offers', 'accepted', 'lots'].every(id => document.getElementById(id).childElementCount > 0)"""
)
BUYER_READY = """() => document.querySelectorAll('[data-order]').length > 0 &&
  Array.from(document.querySelectorAll('.shipments, div.documents, div.account'))
    .every(box => box.childElementCount > 0)"""
MESSAGE_SHOWN = """() => { const box = document.getElementById('auth-message'); return box && !box.hidden; }"""
VIEWPORTS = ("desktop", "phone")


def count(n, language: str = "en") -> str:
    return page_formats.count(language, n)


def rate(r, language: str = "en") -> str:
    """A share as the dashboard writes it, to a tenth of a percent: "87.5%", "87,5 %" in French."""
    return "—" if r is None else page_formats.percent(language, f"{r * 100:.1f}")


def figures(page: dict, **owner) -> dict:
    """The page's figures (of one row or card, when an owner such as ``order=...`` is named)."""
    return {
        item["figure"]: item["text"]
        for item in page["figures"]
        if all(item["owner"].get(key) == value for key, value in owner.items())
    }


def dashboard_figures(d: dict, language: str = "en") -> dict:
    """What the dashboard must show for the API's answer ``d``, figure by figure, in ``language``."""

    def n(value) -> str:
        return count(value, language)

    def share(value) -> str:
        return rate(value, language)

    expected = {
        "orders-total": n(d["orders"]["total"]),
        "fill-rate": share(d["fill_rate"]),
        "otif": share(d["otif"]["rate"]),
        "capacity-utilisation": share(d["capacity"]["utilisation"]),
        "shipments-in-transit": n(d["shipments"]["in_transit"]),
        "producers": n(d["producers"]),
        "shortfall-units": n(d["shortfalls"]["units"]),
        "shortfall-lines": n(d["shortfalls"]["lines"]),
        **{f"units-{stage}": n(value) for stage, value in d["units"].items()},
        **{f"quotas-{state}": n(value) for state, value in d["quotas"].items()},
        **{f"shipments-{status}": n(value) for status, value in d["shipments"].items()},
        **{f"age-{bucket}": n(value) for bucket, value in d["open_quota_ages"].items()},
        **{f"capacity-{item['sku']}": share(item["utilisation"]) for item in d["capacity"]["offerings"]},
        **trend_figures(d["trends"], language),
    }
    return expected


def trend_figures(weeks: list, language: str = "en") -> dict:
    """Every week of every trend chart, and each chart's latest value (its latest week with one). Per figure: the
    answer's key, how its value reads, and what a week without one says."""
    words = translations("bilum", language)
    trends = {
        "orders": ("orders", lambda v: page_formats.counted(language, "{count} order", "{count} orders", v), None),
        "units": ("units", lambda v: page_formats.counted(language, "{count} unit", "{count} units", v), None),
        "fill-rate": ("fill_rate", lambda v: rate(v, language), "no units ordered"),
        "otif": ("otif", lambda v: rate(v, language), "no order due"),
        "first-time-pass": ("first_time_pass_rate", lambda v: rate(v, language), "no lot inspected"),
        "days-to-accept": (
            "days_to_accept",
            lambda v: page_formats.counted(language, "{count} day", "{count} days", v, places=1),
            "no offer accepted",
        ),
    }
    expected = {}
    for figure, (key, shown, nothing) in trends.items():
        for week in weeks:
            value = week[key]
            said = words.gettext(nothing) if value is None else shown(value)
            expected[f"trend-{figure}-{week['week']}"] = words.gettext("{week}: {value}").format(
                week=week["week"], value=said
            )
        measured = [week[key] for week in weeks if week[key] is not None]
        expected[f"trend-{figure}"] = shown(measured[-1]) if measured else "—"
    return expected


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_dashboard_shows_the_api_figures_of_the_aggregators_organisation(scenario, browser, viewport):
    highlands = scenario.highlands
    eventually(lambda: api(scenario, highlands.aggregator, "/dashboard")["money"], "what the passed lot earned")
    eventually(lambda: api(scenario, highlands.aggregator, "/dashboard")["receivables"], "the shipment's invoice")
    page = browser.open("/dashboard", highlands.aggregator, DASHBOARD_READY, screenshot="dashboard", viewport=viewport)
    d = api(scenario, highlands.aggregator, "/dashboard")
    assert d["organisation_id"] == highlands.name
    expected = dashboard_figures(d)
    shown = figures(page)
    assert {name: shown.get(name) for name in expected} == expected
    assert (d["orders"]["total"], d["shipments"]["in_transit"], d["fill_rate"], d["otif"]["due"]) == (1, 1, 0.0, 0)
    assert (d["capacity"]["allocated"], d["capacity"]["declared"], d["capacity"]["utilisation"]) == (90, 360, 0.25)
    assert d["open_quota_ages"]["under_1d"] == 1 and d["shortfalls"]["units"] == 0
    trends = d["trends"]
    assert [week["week"] for week in trends][-1] == iso_week(monday_of(datetime.now(timezone.utc).date()))
    assert len(trends) == 12 and not any(week["orders"] or week["lots_inspected"] for week in trends[:-1])
    this_week = trends[-1]
    assert (this_week["orders"], this_week["units"], this_week["fill_rate"]) == (1, 90, d["fill_rate"])
    assert (this_week["orders_due"], this_week["otif"]) == (0, None), "the order is due in 90 days"
    assert (this_week["lots_inspected"], this_week["first_time_pass_rate"]) == (2, 0.5)
    assert this_week["quotas_accepted"] == 2 and 0 <= this_week["days_to_accept"] < 1
    rates = {rate_["producer_id"]: rate(rate_["rate"]) for rate_ in d["qc_pass_rates"]}
    assert rates == {producer: figures(page, producer=producer)["pass-rate"] for producer in rates}
    assert sorted(rates.values()) == ["0.0%", "100.0%"], "one lot passed and one failed"
    shares = d["work_shares"]
    assert (shares["offered"], shares["window_weeks"]) == (90, 8)
    assert {p["producer_id"]: rate(p["share_of_work"]) for p in shares["producers"]} == {
        p["producer_id"]: figures(page, producer=p["producer_id"])["share-of-work"] for p in shares["producers"]
    }
    assert {rate(p["share_of_work"]) for p in shares["producers"]} == {"33.3%"}, "90 units over three alike"
    regions = {region["region"]: count(region["producers"]) for region in d["regions"]}
    assert regions == {"Eastern Highlands": "2", "Morobe": "1"}
    assert regions == {region: figures(page, region=region)["region-producers"] for region in regions}
    assert [o["order"] for o in page["owners"] if "order" in o] == [o["id"] for o in d["recent_orders"]]
    assert page["requested"] and all(url.startswith(scenario.base_url + "/") for url in page["requested"]), (
        "the page fetched something from elsewhere"
    )
    [money] = d["money"]
    assert Decimal(money["owed"]) > 0 and money["days_to_payment"]["payments"] == 0
    assert shown[f"money-owed-{money['currency']}"] == page_formats.money("en", money["currency"], money["owed"])
    assert shown[f"money-days-{money['currency']}"] == "no payment yet"
    [owed] = d["receivables"]
    assert Decimal(owed["total"]) == Decimal(owed["buckets"]["current"]) > 0, "invoiced at dispatch, not yet due"
    assert shown[f"receivables-{owed['currency']}"] == page_formats.money("en", owed["currency"], owed["total"])
    if viewport == "phone":
        assert not page["horizontal_overflow"], "the dashboard is wider than a phone"


def test_an_order_drills_down_to_its_ledger_quotas_lots_and_shipments(scenario, browser):
    highlands = scenario.highlands
    order_id = highlands.order_ids[0]
    page = browser.open(
        "/dashboard",
        highlands.aggregator,
        DASHBOARD_READY,
        screenshot="dashboard-drill-down",
        click=f'[data-order="{order_id}"] button',
        after_click="() => !document.getElementById('drill').hidden && "
        "document.getElementById('drill-shipments').childElementCount > 0",
    )
    order = api(scenario, highlands.aggregator, f"/orders/{order_id}")
    quotas = api(scenario, highlands.aggregator, "/quotas", order_id=order_id, page_size=100)["items"]
    lots = api(scenario, highlands.aggregator, "/lots", order_id=order_id, page_size=100)["items"]
    shipments = api(scenario, highlands.aggregator, "/shipments", order_id=order_id, page_size=100)["items"]
    assert len(quotas) == 3 and len(lots) == 2 and len(shipments) == 1
    drill = page["text"].split("Ledger", 1)[1]
    line = order["lines"][0]
    ledger_row = " ".join(
        count(line[stage])
        for stage in ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered")
    )
    assert ledger_row in " ".join(drill.split()), "the ledger row differs from the API's"
    for item in [*(q["ref"] for q in quotas), *(lot["id"] for lot in lots), *(s["id"] for s in shipments)]:
        assert item in drill
    # No SMS gateway here: each offer went to the delivery log as an SMS, which reports nothing of her phone.
    offers = api(scenario, highlands.aggregator, f"/orders/{order_id}/offers")["items"]
    assert sorted(o["ref"] for o in offers) == sorted(q["ref"] for q in quotas)
    assert drill.count("Sent by SMS") == len(quotas), "whether each offer reached her, per quota"


def test_the_dashboard_refreshes_by_itself(scenario, browser):
    """A figure that changes in the services appears on an open dashboard without a reload (it refreshes every 15 s)."""
    coast = scenario.coast
    first = browser.open("/dashboard", coast.aggregator, DASHBOARD_READY, keep="refreshing")
    assert figures(first)["quotas-accepted"] == "0"
    quota = api(scenario, coast.aggregator, "/quotas", status="offered")["items"][0]
    scenario.admin.call("POST", f"/quotas/{quota['id']}/accept")
    later = browser.again(
        "refreshing",
        """() => document.querySelector('[data-figure="quotas-accepted"]')
      .textContent.trim() === '1'""",
        timeout_s=45,
    )
    assert figures(later)["quotas-offered"] == "1"
    assert api(scenario, coast.aggregator, "/dashboard")["quotas"]["accepted"] == 1


def test_an_aggregator_sees_nothing_of_another_organisation(scenario, browser):
    highlands, coast = scenario.highlands, scenario.coast
    page = browser.open("/dashboard", coast.aggregator, DASHBOARD_READY, screenshot="dashboard-other-organisation")
    d = api(scenario, coast.aggregator, "/dashboard", organisation_id=highlands.name)
    assert d["organisation_id"] == coast.name, "an aggregator chose another organisation's figures"
    expected = dashboard_figures(d)
    shown = figures(page)
    assert {name: shown.get(name) for name in expected} == expected
    assert (d["orders"]["total"], d["producers"], d["quotas"]["offered"] + d["quotas"]["accepted"]) == (1, 2, 2)
    assert (d["shortfalls"]["units"], d["shortfalls"]["lines"], d["capacity"]["utilisation"]) == (40, 1, 1.0)
    assert [(item["order_id"], item["shortfall"]) for item in d["shortfalls"]["items"]] == [(coast.order_ids[0], 40)]
    assert {"line": d["shortfalls"]["items"][0]["line_id"]} in page["owners"], "the short line is not listed"
    assert [region["region"] for region in d["regions"]] == ["Milne Bay"]
    foreign = [
        highlands.name,
        highlands.sku,
        *highlands.order_ids,
        *highlands.producer_ids,
        "Eastern Highlands",
        "Morobe",
    ]
    assert not [item for item in foreign if item in page["text"] or item in str(page["owners"])]
    assert not [item for item in foreign if item in str(d)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_buyer_page_shows_each_order_with_its_ledger_promise_and_shipments(scenario, browser, viewport):
    page = browser.open("/buyer", scenario.buyer, BUYER_READY, screenshot="buyer", viewport=viewport)
    orders = api(scenario, scenario.buyer, "/orders", page_size=20)["items"]
    assert {order["id"] for order in orders} == {*scenario.highlands.order_ids, *scenario.coast.order_ids}
    for order in orders:
        shown = figures(page, order=order["id"])
        assert (shown["status"], shown["due"], shown["promised"]) == (
            order["status"].replace("_", " ").capitalize(),
            page_formats.day("en", order["due_date"]),
            page_formats.day("en", order["promised_date"]) if order["promised_date"] else "none: the due date stands",
        )
        for line in order["lines"]:
            cells = figures(page, line=line["line_id"])
            assert cells == {
                stage: page_formats.count("en", line[stage])
                for stage in ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered")
            }
        shipments = api(scenario, scenario.buyer, "/shipments", order_id=order["id"])["items"]
        assert sorted(s["id"] for s in shipments) == sorted(
            o["shipment"] for o in page["owners"] if "shipment" in o and o["shipment"] in {s["id"] for s in shipments}
        )
    assert sum(1 for o in page["owners"] if "shipment" in o) == 1, "the one shipment of the scenario"
    for order in orders:
        issued = api(scenario, scenario.buyer, "/documents", order_id=order["id"])["items"]
        assert "proforma" in {document["kind"] for document in issued}, "every order has its pro-forma"
        shown = {o["document"] for o in page["owners"] if "document" in o}
        assert {document["number"] for document in issued} <= shown, "the page lists every document of the order"
        account = api(scenario, scenario.buyer, "/buyer-accounts", order_id=order["id"])["items"][0]
        assert figures(page, order=order["id"])["ordered"] == page_formats.money(
            "en", account["currency"], account["ordered"]
        )
    if viewport == "phone":
        assert not page["horizontal_overflow"], "the buyer page is wider than a phone"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_producer_page_lists_its_quotas_and_lots(scenario, browser, viewport):
    page = browser.open("/producer", scenario.producer, PRODUCER_READY, screenshot="producer", viewport=viewport)
    quotas = api(scenario, scenario.producer, "/quotas", page_size=100)["items"]
    assert [q["id"] for q in quotas] == [scenario.offered_quota["id"]], "a producer sees only its own quotas"
    assert [o["quota"] for o in page["owners"] if "quota" in o] == [
        q["id"] for q in quotas if q["status"] in ("offered", "accepted")
    ]
    assert f"{scenario.offered_quota['quantity']} units" in page["text"]
    assert all(url.startswith(scenario.base_url + "/") for url in page["requested"])
    light = requests.get(f"{scenario.base_url}/producer", headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
    # Her words and her time's formats, and the sign-in part with its refresh: 10 KB, a third of a second on 2G.
    assert light.headers["Content-Encoding"] == "gzip" and int(light.headers["Content-Length"]) < 10 * 1024, (
        "the producer page is not light enough for a weak connection"
    )
    if viewport == "phone":
        assert not page["horizontal_overflow"], "the producer page is wider than a phone"


def test_the_producers_accept_button_accepts_the_quota(scenario, browser):
    quota = scenario.offered_quota
    assert api(scenario, scenario.producer, f"/quotas/{quota['id']}")["status"] == "offered"
    page = browser.open(
        "/producer",
        scenario.producer,
        PRODUCER_READY,
        screenshot="producer-accepted",
        click=f'[data-quota="{quota["id"]}"] [data-action="accept"]',
        after_click="() => document.getElementById('note').textContent.indexOf('Accepted') === 0 && "
        "document.querySelector('#accepted [data-quota]') !== null",
    )
    assert api(scenario, scenario.producer, f"/quotas/{quota['id']}")["status"] == "accepted"
    assert [o["quota"] for o in page["owners"] if "quota" in o] == [quota["id"]]
    assert "Report lot" in page["text"]
    order_id = scenario.highlands.order_ids[0]
    eventually(
        lambda: scenario.admin.call("GET", f"/orders/{order_id}")["lines"][0]["accepted"] == 90,
        "the ledger to count the accepted quota",
    )


def test_the_producer_reports_a_lot_from_the_page(scenario, browser):
    quota = scenario.offered_quota
    if api(scenario, scenario.producer, f"/quotas/{quota['id']}")["status"] == "offered":
        scenario.admin.call("POST", f"/quotas/{quota['id']}/accept")
    page = browser.open(
        "/producer",
        scenario.producer,
        PRODUCER_READY,
        screenshot="producer-lot-reported",
        fill={"Units finished": "12"},
        click=f'[data-quota="{quota["id"]}"] [data-action="report"]',
        after_click="() => document.querySelector('#lots [data-lot]') !== null",
    )
    lots = api(scenario, scenario.producer, "/lots", page_size=100)["items"]
    assert [(lot["quota_id"], lot["quantity"], lot["status"]) for lot in lots] == [(quota["id"], 12, "reported")]
    assert [o["lot"] for o in page["owners"] if "lot" in o] == [lots[0]["id"]]
    assert f"Bilum {scenario.highlands.sku} ({scenario.highlands.sku})" in page["text"], "the product is not named"


def test_the_producer_takes_on_a_top_up_from_the_page(scenario, browser):
    """The failed lot of another producer on her line is replaced: its units are asked of her, already working on
    the line, as more units of her quota, not as a second quota."""
    quota = scenario.offered_quota
    if api(scenario, scenario.producer, f"/quotas/{quota['id']}")["status"] == "offered":
        scenario.admin.call("POST", f"/quotas/{quota['id']}/accept")
    order_id = scenario.highlands.order_ids[0]
    failed = scenario.admin.call("GET", "/lots", params={"order_id": order_id, "status": "failed"})["items"]
    assert len(failed) == 1, "the scenario's one rejected lot"
    scenario.admin.call(
        "POST", f"/lots/{failed[0]['id']}/decision", json={"action": "replace", "reason": "loose loops"}
    )
    before = eventually(
        lambda: (lambda q: q if q["top_up"] else None)(api(scenario, scenario.producer, f"/quotas/{quota['id']}")),
        "the top-up of her quota",
    )
    extra = before["top_up"]["quantity"]
    assert extra == failed[0]["quantity"]
    page = browser.open(
        "/producer",
        scenario.producer,
        PRODUCER_READY,
        screenshot="producer-top-up",
        viewport="phone",
        click='[data-top-up] [data-action="accept"]',
        after_click="() => document.getElementById('note').textContent.indexOf('You make') === 0",
    )
    after = api(scenario, scenario.producer, f"/quotas/{quota['id']}")
    assert (after["quantity"], after["top_up"]) == (before["quantity"] + extra, None)
    assert f"You make {after['quantity']} units for quota {quota['ref']}." in page["text"]
    assert len(api(scenario, scenario.producer, "/quotas", page_size=100)["items"]) == 1, "a second quota"


def test_a_buyer_on_the_dashboard_is_told_it_may_not_see_it(scenario, browser):
    page = browser.open("/dashboard", scenario.buyer, MESSAGE_SHOWN)
    assert "may not" in page["text"]
    assert figures(page)["orders-total"] == "–", "a figure was shown to a buyer"


def test_a_wrong_password_is_told_plainly(scenario, browser):
    page = browser.open(
        "/producer",
        None,
        "() => document.getElementById('signin') && !document.getElementById('signin').hidden",
        click="#signin-submit",
        after_click=MESSAGE_SHOWN,
        fill={"Username": scenario.producer, "Password": "not it"},
    )
    assert "Wrong username or password." in page["text"]


def test_an_admin_sees_every_organisations_figures_or_the_one_it_names(scenario):
    everyone = scenario.admin.call("GET", "/dashboard")
    coast = scenario.admin.call("GET", "/dashboard", params={"organisation_id": scenario.coast.name})
    highlands = scenario.admin.call("GET", "/dashboard", params={"organisation_id": scenario.highlands.name})
    assert everyone["organisation_id"] is None and coast["organisation_id"] == scenario.coast.name
    assert everyone["producers"] == coast["producers"] + highlands["producers"] == 5
    assert everyone["orders"]["total"] == coast["orders"]["total"] + highlands["orders"]["total"] == 2
    assert everyone["units"]["ordered"] == coast["units"]["ordered"] + highlands["units"]["ordered"] == 330


def test_work_that_passed_and_shipped_is_not_asked_for_again_and_once_delivered_moves_to_her_history(scenario, browser):
    order_id = scenario.highlands.order_ids[0]
    quotas = scenario.admin.call("GET", "/quotas", params={"order_id": order_id, "page_size": 100})["items"]
    shipped = [q for q in quotas if q["status"] == "shipped"]
    assert len(shipped) == 1, "the quota whose lot passed and was collected is shipped"
    quota = shipped[0]
    weaver = f"weaver-{uuid.uuid4().hex[:6]}"
    create_user(weaver, PASSWORD, "producer", producer_id=quota["producer_id"])
    [account] = eventually(
        lambda: api(scenario, weaver, f"/producers/{quota['producer_id']}/money")["accounts"],
        "what her passed lot earned",
    )

    page = browser.open("/producer", weaver, PRODUCER_READY, screenshot="producer-shipped", viewport="phone")
    assert f"Owed to me: {page_formats.money('en', account['currency'], account['balance'])}" in page["text"]
    assert Decimal(account["earned"]) > 0 and "No payment yet." in page["text"]
    assert [o for o in page["owners"] if o.get("quota") == quota["id"]] == [
        {"quota": quota["id"], "status": "shipped"}
    ], "her shipped quota is shown once, with nothing to do"
    assert "Report lot" not in page["text"] and "Nothing left to make." in page["text"]
    assert "Collected: on its way to the buyer" in page["text"]

    shipment = scenario.admin.call("GET", "/shipments", params={"order_id": order_id})["items"][0]
    scenario.admin.call("POST", f"/shipments/{shipment['id']}/events", json={"status": "delivered"})
    eventually(
        lambda: api(scenario, weaver, f"/quotas/{quota['id']}")["status"] == "delivered",
        "her quota to be delivered with its lot",
    )
    page = browser.open(
        "/producer",
        weaver,
        PRODUCER_READY + " && document.querySelector('#history [data-quota]')",
        screenshot="producer-history",
        viewport="phone",
    )
    assert [o for o in page["owners"] if o.get("quota") == quota["id"]] == [
        {"quota": quota["id"], "status": "delivered"}
    ]
    assert "No finished quota yet." not in page["text"] and "Delivered" in page["text"]

    delivered = scenario.admin.call("GET", f"/shipments/{shipment['id']}")
    [arrived] = [event["at"] for event in delivered["tracking"] if event["status"] == "delivered"]
    buyers_zone = ZoneInfo(api(scenario, scenario.buyer, "/me/profile")["time_zone"])
    arrived_on = datetime.fromisoformat(arrived.replace("Z", "+00:00")).astimezone(buyers_zone).date()
    page = browser.open("/buyer", scenario.buyer, BUYER_READY, screenshot="buyer-delivered", viewport="phone")
    said = [line for line in page["text"].splitlines() if line.startswith(shipment["id"])]
    assert said == [f"{shipment['id']}: delivered {page_formats.day('en', arrived_on.isoformat())}"], (
        "the buyer reads the day it arrived, not the day it was planned to"
    )
