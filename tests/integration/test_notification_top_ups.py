"""Top-ups end to end on the real broker and PostgreSQL: when a producer declines her share of a line, a producer
already working on it is asked by SMS for the declined units, answers with her quota's own code at the gateway's
signed SMS callback, and hears what she makes now; the notification's copy of the quota follows the answers,
whatever order they arrive in.

Catalogue, orders, aggregation, notification and the gateway run as nameko containers in this process for the
whole module. No SMS gateway is configured: texts go to the delivery log (transport ``log``), as on a laptop."""

import time
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy import select

from bilum.demo_sms import SmsProducer, Text
from bilum.waiting import eventually
from services.aggregation import settings as aggregation_settings
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.notification.store import quotas
from services.orders.service import OrdersService
from shared import config, metrics, migrations
from shared.events import new_event
from shared.store import make_engine
from tests.integration.fulfilment import Network
from tests.integration.helpers import dead_letters, running

SECRET = "inbound-secret-of-the-sms-provider"


@pytest.fixture(scope="module")
def network(module_platform):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BILUM_SMS_INBOUND_SECRET", SECRET)
        for service in ("catalogue", "orders", "aggregation", "notification"):
            migrations.upgrade(service)
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(NotificationService),
            running(GatewayService),
        ):
            yield Network(module_platform["BILUM_GATEWAY_URL"])
    assert dead_letters(module_platform["AMQP_URI"]) == 0


class Weaver:
    """A producer holding a quota of the line, who reads and answers her SMS."""

    def __init__(self, network: Network, quota: dict):
        self.network = network
        self.quota_id, self.ref = quota["id"], quota["ref"]
        mobile = network.call("GET", f"/producers/{quota['producer_id']}")["mobile"]
        self.phone = SmsProducer(
            network.base.removesuffix("/api/v1"),
            SECRET,
            quota["producer_id"],
            mobile,
            timeout_s=20,
            credentials=network.headers,
        )

    def says(self, text: str) -> str:
        return self.phone.send(text)["outcome"]

    def hears(self, kind: str) -> list[Text]:
        return eventually(
            lambda: [text for text in self.phone.inbox() if text.kind == kind],
            f"the {kind} SMS to {self.ref}",
            timeout_s=20,
        )

    def quota_now(self) -> dict:
        return self.network.call("GET", f"/quotas/{self.quota_id}")


class Line:
    """One order line of 40 shared by three producers who answer by SMS: ``keen`` can make 20 a week and is offered
    20, ``busy`` and ``slow`` 10 a week and 10 each, all with capacity to spare."""

    def __init__(self, network: Network, languages=("en",)):
        sku = f"TOP-{uuid.uuid4().hex[:6].upper()}"
        self.product = f"Bilum {sku}"
        keen, busy, slow = network.producers(network.offering(sku, min_quota=1), [20, 10, 10])
        if languages != ("en",):
            network.call("PATCH", f"/producers/{keen}", json={"languages": list(languages)})
        self.order_id = network.order(sku, 40)["id"]
        offered = {
            q["producer_id"]: q for q in eventually(lambda: network.quotas(self.order_id, "offered"), "the offers")
        }
        assert {p: offered[p]["quantity"] for p in (keen, busy, slow)} == {keen: 20, busy: 10, slow: 10}
        self.keen, self.busy, self.slow = (Weaver(network, offered[p]) for p in (keen, busy, slow))
        for weaver in (self.keen, self.busy):
            weaver.hears("quota_offered")

    def top_up_the_keen_one(self) -> dict:
        """``keen`` takes her quota on, then ``busy`` declines hers by SMS: her 10 units are asked of ``keen`` as a
        top-up (``slow`` has not answered her offer, so she is not asked for more). The top-up, as the API shows it."""
        assert self.keen.says(f"YES {self.keen.ref}") == "accepted"
        assert self.busy.says(f"NO {self.busy.ref}") == "declined"
        self.busy.hears("quota_declined_ack")
        top_up = eventually(lambda: self.keen.quota_now()["top_up"], "the declined units offered as a top-up")
        assert top_up["quantity"] == 10
        return top_up


def _short(moment: datetime) -> str:
    """An SMS deadline, for a producer of the Eastern Highlands: in her region's time, and saying so."""
    local = moment.astimezone(ZoneInfo("Pacific/Port_Moresby"))
    return f"{local.day} {local:%b %H:%M} PNG time"


def _notification_copy(quota_id: str) -> tuple:
    """The notification's copy of the quota, which SMS answers are checked against: its status and quantity."""
    engine = make_engine("notification")
    with engine.connect() as connection:
        row = connection.execute(select(quotas.c.status, quotas.c.quantity).where(quotas.c.quota_id == quota_id)).one()
    engine.dispose()
    return tuple(row)


def test_a_top_up_is_asked_by_sms_and_yes_with_the_quotas_own_code_takes_it_on(network):
    line = Line(network)
    top_up = line.top_up_the_keen_one()
    keen, ref = line.keen, line.keen.ref

    [asked] = keen.hears("quota_top_up_offered")
    respond_by = datetime.fromisoformat(top_up["respond_by"])
    assert asked.ref == ref and asked.text == (
        f"Bilum: can you make another 10 x {line.product} for work {ref}, 30 in all? Reply YES {ref} or NO {ref} "
        f"by {_short(respond_by)}."
    )

    assert keen.says(f"yes {ref.lower()}") == "accepted"
    quota = keen.quota_now()
    assert (quota["status"], quota["quantity"], quota["top_up"]) == ("accepted", 30, None)
    [ack] = keen.hears("quota_top_up_accepted_ack")
    assert ack.text == f"Bilum: thank you! You will make another 10 x {line.product} for work {ref}, 30 in all."
    assert not [text for text in line.slow.phone.inbox() if text.kind == "quota_top_up_offered"]

    eventually(lambda: _notification_copy(keen.quota_id) == ("accepted", 30), "the notification to know 30 units")
    assert keen.says(f"DONE {ref} 31") == "refused:InvalidInput"
    [refused] = keen.hears("sms_reply_quantity_refused")
    assert f"31 does not fit work {ref} (30 x {line.product})" in refused.text, "the total after the top-up"


def test_no_declines_the_top_up_alone_and_a_number_is_checked_against_the_top_up(network):
    line = Line(network, languages=("tpi",))
    line.top_up_the_keen_one()
    keen, ref = line.keen, line.keen.ref
    [asked] = keen.hears("quota_top_up_offered")
    assert asked.text.startswith(
        f"Bilum: yu inap wokim 10 x {line.product} moa long wok {ref}, olgeta 30? Bekim YES {ref}"
    )

    assert keen.says(f"YES {ref} 11") == "refused:InvalidInput"
    [refused] = keen.hears("sms_reply_top_up_refused")
    assert refused.text == (
        f"Bilum: 11 i no fit long 10 x {line.product} moa bilong wok {ref}. Plis salim namba i fit, o bekim HELP."
    )
    assert keen.quota_now()["top_up"]["quantity"] == 10, "a refused answer leaves the top-up waiting"

    assert keen.says(f"NO {ref}") == "declined"
    quota = keen.quota_now()
    assert (quota["status"], quota["quantity"], quota["top_up"]) == ("accepted", 20, None), "the quota stands"
    [ack] = keen.hears("quota_top_up_declined_ack")
    assert ack.text.endswith(f"20 x {line.product} i stap bilong yu yet.")
    assert not [text for text in keen.phone.inbox() if text.kind == "quota_declined_ack"]


def test_a_lapsed_top_up_is_told_once_and_leaves_the_quota_as_it_was(network, monkeypatch):
    line = Line(network)
    # Read when the top-up is offered: the quotas of the line were offered with the usual window.
    monkeypatch.setenv("BILUM_QUOTA_RESPONSE_HOURS", str(3 / 3600))
    line.top_up_the_keen_one()
    keen, ref = line.keen, line.keen.ref
    keen.hears("quota_top_up_offered")

    [told] = keen.hears("quota_top_up_lapsed")
    assert told.text == (
        f"Bilum: no answer in time, so the extra 10 x {line.product} have gone to others. Work {ref} stays yours: 20."
    )
    time.sleep(aggregation_settings.load().expiry_interval_s * 1.5)
    assert [text.kind for text in keen.phone.inbox()].count("quota_top_up_lapsed") == 1
    quota = keen.quota_now()
    assert (quota["status"], quota["quantity"], quota["top_up"]) == ("accepted", 20, None)
    assert keen.says(f"DONE {ref} 21") == "refused:InvalidInput"
    [refused] = keen.hears("sms_reply_quantity_refused")
    assert f"21 does not fit work {ref} (20 x {line.product})" in refused.text, "no top-up waits any more"


def test_facts_that_overtake_each_other_leave_the_newest_total_and_ask_nothing_already_answered(network):
    """The answer to a top-up handled before the top-up itself, and before the acceptance of the quota: she is not
    asked for what she answered already, and the late acceptance does not undo the top-up. Aggregation publishes
    these facts in order and the bus may hand them over in any order, which no run can be made to do on demand: so
    the quota is offered for real, and its later facts are published onto the broker here, in the overtaken order."""
    sku = f"TOP-{uuid.uuid4().hex[:6].upper()}"
    network.producers(network.offering(sku, min_quota=1), [10])
    order_id = network.order(sku, 12)["id"]
    [quota] = eventually(lambda: network.quotas(order_id, "offered"), "the offer")
    weaver = Weaver(network, quota)
    weaver.hears("quota_offered")

    share = {
        "quota_id": quota["id"],
        **{key: quota[key] for key in ("order_id", "line_id", "offering_id", "producer_id")},
    }

    def fact(event_type: str, quantity: int, **extra):
        weeks = [{"week_start": date.today() + timedelta(days=14), "units": quantity}]
        return new_event(event_type, {**share, "quantity": quantity, "weeks": weeks, **extra}, correlation_id=order_id)

    offer = fact(
        "quota.top_up_offered",
        12,
        ref=quota["ref"],
        top_up=6,
        top_up_weeks=[{"week_start": date.today() + timedelta(days=14), "units": 6}],
        respond_by=datetime.now(timezone.utc) + timedelta(hours=30),
    )
    answer = fact("quota.topped_up", 18, added=6, declined_quantity=0, outcome="accepted", reason=None)
    offer = replace(offer, occurred_at=answer.occurred_at - timedelta(seconds=5))
    publish = event_dispatcher({"AMQP_URI": config.amqp_uri()})
    handled = metrics.MESSAGES_CONSUMED.labels("notification", "quota.top_up_offered")._value.get()

    publish("aggregation", answer.event_type, answer.to_message())
    eventually(lambda: _notification_copy(quota["id"]) == ("offered", 18), "the answer to the top-up")
    for late in (offer, fact("quota.accepted", 12, declined_quantity=0)):
        publish("aggregation", late.event_type, late.to_message())
    eventually(
        lambda: metrics.MESSAGES_CONSUMED.labels("notification", "quota.top_up_offered")._value.get() > handled,
        "the late top-up to be handled",
    )
    eventually(lambda: _notification_copy(quota["id"]) == ("accepted", 18), "the late acceptance")

    told = network.call("GET", "/notifications", params={"recipient_id": quota["producer_id"], "page_size": 100})
    assert [item["template"] for item in told["items"]] == ["quota_offered"], "a top-up answered already was asked"
