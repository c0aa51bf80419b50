"""The demonstration's money, driven over the HTTP API like the rest: a piece rate, an advance for materials, a
payout batch drafted by the co-operative's aggregator and approved by its treasurer, one mobile-money payment that
fails and is tried again, a cash payment closed with a receipt, and a producer asking her balance by SMS."""

from decimal import ROUND_DOWN, Decimal

from bilum import demo_data
from bilum.demo_http import Api, DemoFailed
from bilum.waiting import eventually

# The group whose materials the co-operative pre-finances, and the weaver paid in cash (no mobile-money agent in her
# village). The first other mobile-money payment fails once: her wallet is over its monthly limit.
ADVANCED_GROUP = "Goroka Meri Bilum Group"
PAID_IN_CASH = "Susan Orope"
# A weaver whose bags the co-operative pays above its producer price, for her finishing.
RATED = ("Kagamuga Mama Bilum Group", "BLM-BAG-M", "23.00")


class DemoMoney:
    """Mixed into the demonstration, whose ``api`` (an admin), ``staff`` (the aggregator's and the treasurer's
    API clients), ``momo`` (the mobile-money sandbox, or None) and ids it uses."""

    api: Api
    staff: dict[str, Api]
    producer_ids: dict[str, str]
    offering_ids: dict[str, str]
    order_ids: list[str]
    momo: object

    def set_piece_rate(self) -> None:
        producer, sku, rate = RATED
        self.staff["aggregator"].post(
            "/api/v1/piece-rates",
            {"producer_id": self.producer_ids[producer], "offering_id": self.offering_ids[sku], "rate": rate},
        )
        self.say(f"piece rate for {producer}: USD {rate} per {sku} that passes inspection")

    def advance_materials(self) -> None:
        """Yarn and dye for the group's first accepted quota, a third of its value: she need not finance it."""
        producer_id = self.producer_ids[ADVANCED_GROUP]
        quota = next(
            quota
            for order_id in self.order_ids
            for quota in self.api.all_pages("/api/v1/quotas", order_id=order_id, producer_id=producer_id)
            if quota["status"] == "accepted"
        )
        rates = self.staff["aggregator"].get(
            "/api/v1/piece-rates", producer_id=producer_id, offering_id=quota["offering_id"]
        )["items"]
        value = Decimal(rates[0]["rate"]) * quota["quantity"]
        amount = (value / 3).quantize(Decimal(1), rounding=ROUND_DOWN)
        body = {
            "quota_id": quota["id"],
            "kind": "materials",
            "description": "wool yarn and natural dyes",
            "amount": str(amount),
            "currency": rates[0]["currency"],
        }

        def recorded():
            # Settlement hears of the acceptance a moment after aggregation: until then the quota is an offer (409).
            status, answer = self.staff["aggregator"].request("POST", "/api/v1/advances", expect=(201, 409), json=body)
            return answer if status == 201 else None

        advance = eventually(recorded, "settlement to know the accepted quota")
        self.say(f"{ADVANCED_GROUP} was advanced {advance['currency']} {advance['amount']} of yarn and dyes")

    def _accounts(self) -> list[dict]:
        return self.staff["aggregator"].get("/api/v1/producer-accounts")["items"]

    def _earned_everything(self) -> bool:
        passed = sum(
            line["passed"]
            for order_id in self.order_ids
            for line in self.api.get(f"/api/v1/orders/{order_id}")["lines"]
        )
        return sum(lot["passed"] for account in self._accounts() for lot in account["lots"]) == passed

    def pay_producers(self) -> None:
        eventually(self._earned_everything, "every passed lot to be earned")
        aggregator, treasurer = self.staff["aggregator"], self.staff["treasurer"]
        owed = [account["producer_id"] for account in self._accounts() if Decimal(account["balance"]) > 0]
        cash = self.producer_ids[PAID_IN_CASH] if self.producer_ids[PAID_IN_CASH] in owed else owed[-1]
        _, batch = aggregator.post("/api/v1/payout-batches", {"currency": "USD", "cash": [cash]})
        aggregator.post(f"/api/v1/payout-batches/{batch['batch_id']}/approve", expect=(409,))
        treasurer.post(f"/api/v1/payout-batches/{batch['batch_id']}/approve")
        at_limit = next(
            line
            for line in batch["lines"]
            if line["method"] == "mobile_money" and line["producer_id"] != self.sms_producer.producer_id
        )
        if self.momo is not None:
            self.momo.fail_payee(at_limit["msisdn"], "PAYEE_NOT_ALLOWED_TO_RECEIVE")
        treasurer.post(f"/api/v1/payout-batches/{batch['batch_id']}/send")
        self.say(
            f"payout batch {batch['batch_id']} of USD {batch['total']} to {len(batch['lines'])} producers drafted by "
            "the aggregator, approved by the treasurer (the aggregator could not approve her own), sent"
        )
        if self.momo is not None:
            failed = self._line(batch["batch_id"], at_limit["line_id"], "failed")
            self.say(f"{at_limit['producer_name']}'s payment failed ({failed['failure_reason']}); tried again")
            treasurer.post(f"/api/v1/payout-lines/{at_limit['line_id']}/retry")
        cash_line = next(line for line in batch["lines"] if line["producer_id"] == cash)
        aggregator.post(f"/api/v1/payout-lines/{cash_line['line_id']}/cash-receipt", {"receipt_number": "KW-0001"})

        def done():
            return aggregator.get(f"/api/v1/payout-batches/{batch['batch_id']}")["status"] == "done"

        eventually(done, "every payment of the batch to be confirmed")
        self.say(f"every payment confirmed; {cash_line['producer_name']} signed cash receipt KW-0001")

    def _line(self, batch_id: str, line_id: str, status: str) -> dict:
        def reached():
            lines = self.staff["aggregator"].get(f"/api/v1/payout-batches/{batch_id}")["lines"]
            line = next(line for line in lines if line["line_id"] == line_id)
            return line if line["status"] == status else None

        return eventually(reached, f"payout line {line_id} to be {status}")

    def ask_balance(self) -> None:
        text = self.sms_producer.ask_balance()
        self.say(f"{demo_data.SMS_PRODUCER} sent BAL and was answered: {text.text!r}")

    def premium_fund(self) -> list[dict]:
        return self.staff["aggregator"].get("/api/v1/premium-fund")["items"]

    def settlement(self) -> list[dict]:
        names = {producer_id: name for name, producer_id in self.producer_ids.items()}
        accounts = sorted(
            ({**account, "name": names.get(account["producer_id"], "")} for account in self._accounts()),
            key=lambda account: (account["name"], account["currency"]),
        )
        if any(Decimal(account["balance"]) != 0 for account in accounts):
            raise DemoFailed("a producer is still owed money after the payouts")
        return accounts
