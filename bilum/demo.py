"""The demonstration: an aggregator co-operative, its producers and buyers, driven end to end through the public
HTTP API only, the way real clients would."""

import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from bilum import demo_data
from bilum.demo_catalogue import DemoCatalogue
from bilum.demo_http import Api, DemoFailed
from bilum.demo_money import DemoMoney
from bilum.demo_setup import DemoSetup
from bilum.demo_sms import SmsProducer, sms_summary
from bilum.demo_trade import DemoTrade
from bilum.waiting import eventually, wait_while_moving

# What the report gives of each order line: its offering, and its units at each stage.
LINE_FIGURES = (
    "offering",
    "ordered",
    "allocated",
    "accepted",
    "produced",
    "passed",
    "shipped",
    "delivered",
    "shortfall",
)


class Demo(DemoSetup, DemoCatalogue, DemoMoney, DemoTrade):
    def __init__(
        self,
        api: Api,
        sms_secret: str,
        catalogue_dir,
        progress=sys.stderr,
        seed: int = 2026,
        buyer_credentials: dict | None = None,
        staff_credentials: dict | None = None,
        momo=None,
        phone=None,
    ):
        """``api`` acts as an admin, each buyer organisation with its own credentials, the co-operative's aggregator
        and treasurer with theirs; ``momo`` is the mobile-money sandbox and ``phone`` the local Kannel (the SMS-only
        producer's handset) when the demo runs them; ``catalogue_dir`` gets the printed catalogues."""
        self.api = api
        self.buyer_credentials = buyer_credentials or {}
        self.staff = {role: api.acting_as(key) for role, key in (staff_credentials or {}).items()}
        self.momo = momo
        self.sms_secret = sms_secret
        self.sms_producer: SmsProducer | None = None
        self.phone = phone
        self.catalogue_dir = catalogue_dir
        self.progress = progress
        self.random = random.Random(seed)
        self.offering_ids: dict[str, str] = {}
        self.producer_ids: dict[str, str] = {}
        self.order_ids: list[str] = []

    def say(self, text: str) -> None:
        print(f"[demo] {text}", file=self.progress, flush=True)

    def run(self) -> dict:
        demo_data.validate_scenario()
        started = time.monotonic()
        self.refuse_a_previous_demo()
        self.publish_offerings()
        self.register_producers()
        self.set_piece_rate()
        self.set_aggregator_contact()
        self.wait_for_capacity()
        self.publish_catalogue()
        self.place_orders()
        self.pay_deposits()
        self.answer_quotas()
        self.advance_materials()
        self.report_lots()
        self.inspect_lots()
        self.pay_producers()
        self.ship()
        self.settle_trade()
        self.ask_balance()
        report = self.report()
        self.say(f"done in {time.monotonic() - started:.1f} s")
        return report

    def place_orders(self) -> None:
        today = datetime.now(UTC).date()
        for rate in demo_data.EXCHANGE_RATES:
            # Today and tomorrow (UTC): an order placed just after midnight finds its rate too.
            days = {"valid_from": today.isoformat(), "valid_until": (today + timedelta(days=1)).isoformat()}
            self.staff["aggregator"].post("/api/v1/exchange-rates", {**rate, **days})
            self.say(f"the co-operative recorded 1 {rate['base_currency']} = {rate['rate']} {rate['quote_currency']}")
        for buyer in demo_data.BUYERS:
            for order in buyer["orders"]:
                body = {
                    "buyer": {"name": buyer["name"], "email": buyer["email"]},
                    "destination": buyer["destination"],
                    "due_date": (today + timedelta(days=order["due_in_days"])).isoformat(),
                    "lines": order["lines"],
                    "trade_terms": order["trade_terms"],
                    **({"currency": order["currency"]} if "currency" in order else {}),
                }
                key = str(uuid.uuid4())
                buyer_api = self.api.acting_as(self.buyer_credentials[demo_data.buyer_organisation(buyer)])
                _, created = buyer_api.post("/api/v1/orders", body, headers={"Idempotency-Key": key})
                _, retried = buyer_api.post("/api/v1/orders", body, headers={"Idempotency-Key": key})
                if retried["id"] != created["id"]:
                    raise DemoFailed("a retried order with the same Idempotency-Key created a second order")
                self.order_ids.append(created["id"])
                units = sum(line["quantity"] for line in order["lines"])
                terms = created["trade_terms"]
                self.say(
                    f"{buyer['name']} ordered {units} units ({created['id']}) {terms['incoterm']} "
                    f"{terms['named_place']} by {terms['transport_mode']}, {created['currency']} {created['total']}, "
                    f"due {body['due_date']}"
                )

    def _order(self, order_id: str) -> dict:
        return self.api.get(f"/api/v1/orders/{order_id}")

    def _open_quotas(self) -> list:
        """Quotas still moving: offered, taken on and being made, perhaps with a top-up waiting for an answer."""
        return [
            quota
            for order_id in self.order_ids
            for quota in self.api.all_pages("/api/v1/quotas", order_id=order_id, finished="false")
        ]

    def _awaiting_answers(self) -> bool:
        return any(quota["status"] == "offered" or quota["top_up"] for quota in self._open_quotas())

    def _lines(self):
        return [line for order_id in self.order_ids for line in self._order(order_id)["lines"]]

    def _allocated_in_full(self) -> bool:
        """Every unit in a quota, but for those no capacity is left for."""
        return all(line["allocated"] + line["shortfall"] >= line["ordered"] for line in self._lines())

    def _answer_offers(self, declining: set) -> tuple[int, int, int]:
        """One round of answers: the declining producers turn down their first offers, everyone else accepts offers
        and top-ups; the offers, top-ups and declines answered."""
        sms = self.sms_producer
        offers_before, top_ups_before = len(sms.accepted), sum(sms.top_ups.values())
        sms.accept_offers()
        accepted, topped_up = len(sms.accepted) - offers_before, sum(sms.top_ups.values()) - top_ups_before
        declined = 0
        for quota in self._open_quotas():
            if quota["producer_id"] == sms.producer_id:
                continue
            if quota["status"] == "offered" and quota["producer_id"] in declining and not quota["reallocated"]:
                self.api.post(f"/api/v1/quotas/{quota['id']}/decline", {"reason": "busy with the coffee harvest"})
                declined += 1
            elif quota["status"] == "offered":
                self.api.post(f"/api/v1/quotas/{quota['id']}/accept")
                accepted += 1
            elif quota["top_up"]:
                _, answered = self.api.post(f"/api/v1/quotas/{quota['id']}/accept")
                if answered["top_up"] == quota["top_up"]:
                    raise DemoFailed(
                        f"quota {quota['id']} ({quota['status']}): accepting its top-up of "
                        f"{quota['top_up']['quantity']} units left the top-up waiting"
                    )
                topped_up += 1
        return accepted, topped_up, declined

    def _answer_all(self, declining: set) -> list:
        """Answer until every line is allocated and no offer or top-up waits, units given back offered anew
        included; the offers, top-ups and declines answered."""
        totals = [0, 0, 0]
        moved = time.monotonic()
        while True:
            answered = self._answer_offers(declining)
            totals = [total + more for total, more in zip(totals, answered, strict=True)]
            if any(answered):
                moved = time.monotonic()
            elif self._allocated_in_full() and not self._awaiting_answers():
                return totals
            else:
                wait_while_moving(moved, "every offer to be answered")

    def answer_quotas(self) -> None:
        eventually(self._allocated_in_full, "every order line to be allocated")
        accepted, topped_up, declined = self._answer_all(
            {self.producer_ids[name] for name in demo_data.DECLINING_PRODUCERS}
        )
        sms = self.sms_producer
        self.say(
            f"producers accepted {accepted} quotas and {topped_up} top-ups and declined {declined}; declined "
            f"units were reallocated; {demo_data.SMS_PRODUCER} accepted {len(sms.accepted)} quotas and "
            f"{sum(sms.top_ups.values())} top-ups by SMS reply"
        )

    def report_lots(self, again: bool = False) -> int:
        """Every unit taken on and not reported yet is finished, in two lots when there are many; ``again`` for the
        units taken on later (top-ups of reallocated units)."""
        sms = self.sms_producer
        before = dict(sms.reported)
        lots = sum(units != before.get(ref) for ref, units in sms.report_lots().items())
        for quota in self._open_quotas():
            left = quota["left_to_report"]
            if not left or quota["producer_id"] == sms.producer_id:
                continue
            first = left // 2 if left >= 40 else left
            for quantity in (first, left - first):
                if quantity:
                    self.api.post(f"/api/v1/quotas/{quota['id']}/lots", {"quantity": quantity})
                    lots += 1
        if lots:
            self.say(
                f"producers reported {lots} {'more ' if again else ''}finished lot{'s' if lots > 1 else ''}"
                f"{' for units reallocated to them' if again else ''}"
            )
        return lots

    def _reported_lots(self):
        return [
            lot
            for order_id in self.order_ids
            for lot in self.api.all_pages("/api/v1/lots", order_id=order_id, status="reported")
        ]

    def _inspect(self, lot: dict, failing: bool) -> bool:
        """Findings within every class's acceptance number, or, for a lot meant to fail, major defects at the
        rejection number of its ISO 2859-1 plan."""
        findings = []
        for plan in lot["plan"]:
            if failing and plan["defect_class"] == "major":
                findings.append(
                    {
                        "criterion": "loose or broken loops",
                        "defect_class": "major",
                        "count": min(plan["reject"], plan["sample_size"]),
                    }
                )
            elif plan["accept"] and self.random.random() < 0.2:
                findings.append({"criterion": "uneven colour", "defect_class": plan["defect_class"], "count": 1})
        _, inspected = self.api.post(
            f"/api/v1/lots/{lot['id']}/inspections",
            {"inspector": "Kumul QC team", "organisation_id": demo_data.ORGANISATION["id"], "findings": findings},
        )
        return inspected["status"] == "passed"

    def inspect_lots(self) -> None:
        """Inspect by each lot's ISO 2859-1 plan until every line has passed in full. One rejected lot is sent back
        for rework and inspected again; another is replaced, and its units are offered, made and inspected anew."""
        to_fail = ["rework", "replace"]
        inspected = reworked = replaced = 0
        moved = time.monotonic()
        while True:
            # Offers and top-ups before inspections: a top-up still waiting once its quota has passed cannot be taken.
            if sum(self._answer_all(set())) + self.report_lots(again=True):
                moved = time.monotonic()
            reported = self._reported_lots()
            if not reported:
                if self._passed_everywhere():
                    break
                wait_while_moving(moved, "every line to pass inspection")
                continue
            moved = time.monotonic()
            for lot in reported:
                failing = bool(to_fail) and lot["attempt"] == 1 and lot["quantity"] >= 10
                inspected += 1
                if self._inspect(lot, failing):
                    continue
                action = to_fail.pop(0)
                self.api.post(
                    f"/api/v1/lots/{lot['id']}/decision", {"action": action, "reason": "loops come loose under load"}
                )
                if action == "rework":
                    self.api.post(f"/api/v1/lots/{lot['id']}/resubmit")
                    reworked += 1
                else:
                    # Its units are offered at once, perhaps as top-ups of quotas whose lots are in this round.
                    replaced += 1
                    break
        self.say(
            f"inspectors sampled {inspected} lots by ISO 2859-1 plans; {reworked} rejected lot reworked and "
            f"passed, {replaced} replaced by other producers"
        )

    def _passed_everywhere(self) -> bool:
        return all(line["passed"] + line["shortfall"] >= line["ordered"] for line in self._lines())

    def ship(self) -> None:
        eventually(self._passed_everywhere, "every passed lot to reach consolidation")
        shipments = []

        def planned():
            _, result = self.api.post("/api/v1/shipments/plan", {"dispatch": "now"})
            shipments.extend(result["items"])
            waiting = sum(line["passed"] for order_id in self.order_ids for line in self._order(order_id)["lines"])
            return sum(shipment["units"] for shipment in shipments) >= waiting

        eventually(planned, "consolidation to have every passed lot")
        for shipment in shipments:
            self.say(
                f"shipment {shipment['id']} to {shipment['destination']['name']}: {shipment['units']} units "
                f"from {len(shipment['lots'])} lots of {len(shipment['orders'])} orders"
            )
            for status in ("picked_up", "at_hub", "in_transit"):
                self.api.post(f"/api/v1/shipments/{shipment['id']}/events", {"status": status})
        for shipment in shipments:
            self.api.post(f"/api/v1/shipments/{shipment['id']}/events", {"status": "delivered"})
        eventually(
            lambda: all(self._order(order_id)["status"] == "delivered" for order_id in self.order_ids),
            "every order to be delivered",
        )
        # Allocation hears of the deliveries on its own: each producer's quota finishes with her lots.
        eventually(lambda: not self._open_quotas(), "every quota of the delivered orders to be finished")
        self.say(f"{len(shipments)} combined shipments delivered; every quota finished")

    def report(self) -> dict:
        orders = []
        for order_id in self.order_ids:
            order = self._order(order_id)
            orders.append(
                {
                    "id": order["id"],
                    "buyer": order["buyer"]["name"],
                    "status": order["status"],
                    "lines": [{key: line[key] for key in LINE_FIGURES} for line in order["lines"]],
                }
            )
        return {
            "orders": orders,
            "quotas": self._quotas(),
            "settlement": self.settlement(),
            "premium_fund": self.premium_fund(),
            "dashboard": self.api.get("/api/v1/dashboard"),
            "sms": sms_summary(self.api),
            **self.catalogue_report(),
            **self.trade_report(),
        }

    def _quotas(self) -> list:
        """Every quota the orders got, whatever became of it: the sizes a co-operative is asked to take on."""
        return [
            {
                "quota_id": quota["id"],
                **{key: quota[key] for key in ("order_id", "line_id", "producer_id", "quantity", "status")},
            }
            for order_id in self.order_ids
            for quota in self.api.all_pages("/api/v1/quotas", order_id=order_id)
        ]
