"""What the demonstration prints when it is done: the fulfilment of every order line, the quotas offered, what each
producer earned and was paid, and the documents and accounts of the buyers."""

import json


def print_report(report: dict, out) -> None:
    stages = ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered", "shortfall")
    print("Fulfilment report", file=out)
    print(f"{'order':<22} {'buyer':<28} {'offering':<12} " + " ".join(f"{s:>9}" for s in stages), file=out)
    for order in report["orders"]:
        for line in order["lines"]:
            print(
                f"{order['id']:<22} {order['buyer'][:28]:<28} {line['offering']:<12} "
                + " ".join(f"{line[s]:>9}" for s in stages),
                file=out,
            )
        print(f"{'':<22} status: {order['status']}", file=out)
    sizes = [quota["quantity"] for quota in report["quotas"]]
    print(f"Quotas offered: {len(sizes)}, the smallest of {min(sizes, default=0)} units", file=out)
    sms = report["sms"]
    through = ", ".join(f"{count} through {transport}" for transport, count in sorted(sms["transports"].items()))
    print(
        f"SMS: {sms['messages']} ({through or 'none'}); delivered to the phone as the gateway reported: "
        f"{sms['delivered']}, pending {sms['pending']}, not delivered {sms['not_delivered']}, "
        f"no report (the delivery log) {sms['unreported']}; at most {sms['most_to_one_recipient']} to one person",
        file=out,
    )
    print(f"Catalogues printed: {len(report['catalogues'])}", file=out)
    for catalogue in report["catalogues"]:
        print(f"  {catalogue['layout']:<8} {catalogue['language']:<3} {catalogue['path']}", file=out)
    print(f"Shared catalogue (no account needed): {report['catalogue_link']}", file=out)
    money = ("earned", "advanced", "written_off", "paid", "balance")
    print("Settlement", file=out)
    print(f"{'producer':<30} {'currency':<8} {'lots':>4} " + " ".join(f"{m:>11}" for m in money), file=out)
    for account in report["settlement"]:
        print(
            f"{account['name'][:30]:<30} {account['currency']:<8} {len(account['lots']):>4} "
            + " ".join(f"{account[m]:>11}" for m in money),
            file=out,
        )
    for fund in report["premium_fund"]:
        print(f"Fair-trade premium fund: {fund['currency']} {fund['total']} (not in the producers' balances)", file=out)
    print("Trade documents", file=out)
    for document in report["documents"]:
        corrects = f" corrects {document['corrects']}" if document["corrects"] else ""
        print(
            f"{document['number']:<16} {document['kind']:<12} {document['order_id']:<22} {document['incoterm']:<16} "
            f"{document['currency']} {document['total']:>12}{corrects}",
            file=out,
        )
    print(f"Packing lists: {len(report['packing_lists'])}", file=out)
    money = ("ordered", "invoiced", "credited", "received", "outstanding")
    print(f"{'order':<22} {'currency':<8} " + " ".join(f"{m:>12}" for m in money), file=out)
    for account in report["accounts"]:
        print(
            f"{account['order_id']:<22} {account['currency']:<8} " + " ".join(f"{account[m]:>12}" for m in money),
            file=out,
        )


def report_json(report: dict) -> str:
    return json.dumps(report, separators=(",", ":"))
