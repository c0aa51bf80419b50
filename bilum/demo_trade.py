"""The demonstration's trade with its buyers, over the HTTP API like the rest: each buyer gets a pro-forma and pays
its deposit; each shipment that leaves brings an invoice and a packing list per order; an order that ends short is
credited; one buyer claims bags damaged in the container, and the co-operative accepts part of the claim; the
buyers pay what they owe, but for one whose invoice is not due yet."""

import base64
import io
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from PIL import Image, ImageDraw

from bilum import demo_data
from bilum.demo_http import Api
from bilum.waiting import eventually

# The buyer who claims, how many units of its first line, and how many the co-operative accepts (the photos show
# two bags whose handles held).
CLAIMANT = 0
CLAIMED, ACCEPTED = 5, 3
# The buyer who has not paid its invoice yet: it is not due.
STILL_OWING = -1


def damage_photo() -> str:
    """A photo-like picture of a crushed carton, drawn here (nothing is fetched), as a claim's evidence (JPEG)."""
    picture = Image.new("RGB", (320, 240), (196, 164, 120))
    draw = ImageDraw.Draw(picture)
    for offset in range(0, 320, 16):
        draw.line([(offset, 0), (offset + 60, 240)], fill=(150, 120, 84), width=3)
    draw.polygon([(40, 60), (280, 40), (250, 200), (70, 210)], outline=(60, 40, 20), width=5)
    draw.line([(90, 80), (230, 190)], fill=(40, 20, 10), width=7)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


class DemoTrade:
    """Mixed into the demonstration, whose ``api`` (an admin), ``staff`` (the aggregator's client), buyers'
    credentials and order ids it uses."""

    api: Api
    staff: dict[str, Api]
    buyer_credentials: dict
    order_ids: list[str]
    say: Callable[[str], None]
    _order: Callable[[str], dict]

    def _buyer_api(self, order_index: int) -> Api:
        buyer = self._buyer_of(order_index)
        return self.api.acting_as(self.buyer_credentials[demo_data.buyer_organisation(buyer)])

    def _buyer_of(self, order_index: int) -> dict:
        return [buyer for buyer, _ in demo_data.all_orders()][order_index]

    def _documents(self, order_id: str, kind: str) -> list:
        return list(self.staff["aggregator"].all_pages("/api/v1/documents", order_id=order_id, kind=kind))

    def pay_deposits(self) -> None:
        """Each buyer receives its pro-forma and pays the deposit it asks; the co-operative records each payment."""
        for index, order_id in enumerate(self.order_ids):
            proforma = eventually(lambda: self._documents(order_id, "proforma"), f"order {order_id}'s pro-forma")[0]
            self.staff["aggregator"].post(
                f"/api/v1/orders/{order_id}/receipts",
                {
                    "kind": "deposit",
                    "amount": proforma["amount_due"],
                    "currency": proforma["currency"],
                    "reference": f"TT {proforma['number']}",
                    "received_on": datetime.now(UTC).date().isoformat(),
                },
            )
            self.say(
                f"{self._buyer_of(index)['name']} received pro-forma {proforma['number']} "
                f"({proforma['currency']} {proforma['total']}, {proforma['incoterm']}) and paid its deposit of "
                f"{proforma['currency']} {proforma['amount_due']}"
            )

    def _invoiced_everywhere(self) -> bool:
        return all(
            self._documents(order_id, "invoice") and self._documents(order_id, "packing_list")
            for order_id in self.order_ids
        )

    def settle_trade(self) -> None:
        """Invoices and packing lists for what shipped, a credit note for what ended short, a claim accepted in
        part, and the buyers' payments."""
        eventually(self._invoiced_everywhere, "an invoice and a packing list for every order that shipped")
        short = [
            order_id for order_id in self.order_ids if any(line["shortfall"] for line in self._order(order_id)["lines"])
        ]
        for order_id in short:
            notes = eventually(lambda: self._documents(order_id, "credit_note"), f"order {order_id}'s credit note")
            self.say(f"order {order_id} ended short: credit note {notes[0]['number']} ({notes[0]['reason']})")
        self.claim_damage()
        for index, order_id in enumerate(self.order_ids):
            if index == len(self.order_ids) + STILL_OWING:
                continue
            account = self.staff["aggregator"].get("/api/v1/buyer-accounts", order_id=order_id)["items"][0]
            if Decimal(account["outstanding"]) > 0:
                self.staff["aggregator"].post(
                    f"/api/v1/orders/{order_id}/receipts",
                    {
                        "kind": "balance",
                        "amount": account["outstanding"],
                        "currency": account["currency"],
                        "reference": f"TT balance {order_id}",
                        "received_on": datetime.now(UTC).date().isoformat(),
                    },
                )
        self.say("the buyers paid their balances, but one whose invoice is not due yet")

    def claim_damage(self) -> None:
        order_id = self.order_ids[CLAIMANT]
        line = self._order(order_id)["lines"][0]
        buyer = self._buyer_api(CLAIMANT)
        # The lot on the crushed cartons' labels, as the packing list names it.
        lot = next(
            package
            for packing in reversed(self._documents(order_id, "packing_list"))
            for package in packing["packages"]
            if package["line_id"] == line["line_id"] and package["quantity"] >= CLAIMED
        )
        _, claim = buyer.post(
            f"/api/v1/orders/{order_id}/claims",
            {
                "lines": [{"line_id": line["line_id"], "lot_id": lot["lot_id"], "kind": "damaged", "units": CLAIMED}],
                "reason": "five bags crushed in the container: handles torn",
                "photos": [{"content_type": "image/jpeg", "data": damage_photo()}],
            },
        )
        _, decided = self.staff["aggregator"].post(
            f"/api/v1/claims/{claim['claim_id']}/decision",
            {
                "decision": "accept",
                "lines": [{"line_id": line["line_id"], "accepted_units": ACCEPTED}],
                "reason": "three bags are torn in the photos; the handles of the other two held",
            },
        )
        makers = sorted({entry["producer"] for entry in decided["traceability"] if entry["producer"]})
        self.say(
            f"{self._buyer_of(CLAIMANT)['name']} claimed {CLAIMED} damaged units; the co-operative accepted "
            f"{ACCEPTED} ({decided['status']}), credit note {', '.join(decided['credit_notes'])}; lot {lot['lot_id']} "
            f"was made by {', '.join(makers)}; the co-operative carries the loss"
        )

    def trade_report(self) -> dict:
        aggregator = self.staff["aggregator"]
        documents = [
            document
            for order_id in self.order_ids
            for document in aggregator.all_pages("/api/v1/documents", order_id=order_id)
        ]
        return {
            "documents": [
                {
                    "number": document["number"],
                    "kind": document["kind"],
                    "organisation_id": document["organisation_id"],
                    "order_id": document["order_id"],
                    "currency": document["currency"],
                    "incoterm": document["incoterm"],
                    "rate": document["rate"]["rate"] if document["rate"] else None,
                    "lines": [
                        {key: line[key] for key in ("line_id", "offering", "quantity", "unit_price", "amount")}
                        for line in document["lines"]
                    ],
                    "freight": document["freight"],
                    "tax": document["tax"],
                    "total": document["total"],
                    "corrects": document["corrects"],
                }
                for document in documents
                if document["kind"] != "packing_list"
            ],
            "packing_lists": [
                {
                    "number": document["number"],
                    "order_id": document["order_id"],
                    "shipment_id": document["shipment_id"],
                    "packages": len(document["packages"]),
                }
                for document in documents
                if document["kind"] == "packing_list"
            ],
            "accounts": [
                {
                    key: account[key]
                    for key in ("order_id", "currency", "ordered", "invoiced", "credited", "received", "outstanding")
                }
                for order_id in self.order_ids
                for account in aggregator.get("/api/v1/buyer-accounts", order_id=order_id)["items"]
            ],
        }
