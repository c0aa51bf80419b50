"""The trade documents of a fault scenario, audited like the goods: every order with trade terms has one pro-forma;
every unit that left in a shipment is invoiced once, on that shipment's invoice for its order, with one packing
list beside it; and each organisation's numbers of a kind and year run from 1 with none used twice or skipped."""

import json
from collections import Counter, defaultdict

SHIPPED = "('in_transit', 'delivered')"
PRICED_ORDERS = "SELECT order_id FROM settlement.sales WHERE trade_terms IS NOT NULL"


def pending(audit) -> dict:
    """Documents settlement still has to issue; all zero once it has heard every fact."""
    return {
        "orders unknown to settlement": audit.scalar(
            "SELECT count(*) FROM orders.orders o WHERE NOT EXISTS "
            "(SELECT 1 FROM settlement.sales s WHERE s.order_id = o.order_id)"
        ),
        "orders without a pro-forma": audit.scalar(
            f"SELECT count(*) FROM ({PRICED_ORDERS}) s WHERE NOT EXISTS (SELECT 1 FROM settlement.documents d "
            "WHERE d.order_id = s.order_id AND d.kind = 'proforma')"
        ),
        "shipments gone and not invoiced": audit.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT s.shipment_id, l.order_id FROM consolidation.shipments s "
            f"JOIN consolidation.shipment_lots l ON l.shipment_id = s.shipment_id WHERE s.status IN {SHIPPED} "
            f"AND l.order_id IN ({PRICED_ORDERS})) g WHERE NOT EXISTS (SELECT 1 FROM settlement.documents d "
            "WHERE d.kind = 'invoice' AND d.shipment_id = g.shipment_id AND d.order_id = g.order_id)"
        ),
    }


def _content(value) -> dict:
    return value if isinstance(value, dict) else json.loads(value)


def check(audit, findings) -> dict:
    documents = audit.rows(
        "SELECT organisation_id, kind, number, order_id, shipment_id, content FROM settlement.documents"
    )
    numbers: defaultdict[tuple, list[int]] = defaultdict(list)
    for organisation_id, kind, number, *_ in documents:
        prefix, year, sequence = number.split("-")
        numbers[(organisation_id, kind, year)].append(int(sequence))
    for (organisation_id, kind, year), sequences in numbers.items():
        used = Counter(sequences)
        for sequence, times in used.items():
            if times > 1:
                findings.duplicated.append(
                    f"{kind} number {sequence} of {year} used {times} times by {organisation_id}"
                )
        skipped = sorted(set(range(1, max(used) + 1)) - set(used))
        if skipped:
            findings.lost.append(f"{kind} numbers {skipped[:10]} of {year} skipped by {organisation_id}")
    for organisation_id, kind, year, last in audit.rows(
        "SELECT organisation_id, kind, year, last FROM settlement.document_sequences"
    ):
        findings.compare(
            f"{kind} numbers of {year} issued by {organisation_id}",
            len(numbers[(organisation_id, kind, str(year))]),
            last,
        )

    known = {order_id for (order_id,) in audit.rows("SELECT order_id FROM settlement.sales")}
    findings.lost.extend(
        f"order {order_id} never reached settlement"
        for (order_id,) in audit.rows("SELECT order_id FROM orders.orders")
        if order_id not in known
    )
    proformas = Counter(order_id for _, kind, _, order_id, _, _ in documents if kind == "proforma")
    for (order_id,) in audit.rows(PRICED_ORDERS):
        findings.compare(f"pro-formas of order {order_id}", proformas[order_id], 1)

    shipped = Counter()
    for shipment_id, order_id, line_id, quantity in audit.rows(
        "SELECT l.shipment_id, l.order_id, l.line_id, l.quantity FROM consolidation.shipment_lots l "
        f"JOIN consolidation.shipments s ON s.shipment_id = l.shipment_id WHERE s.status IN {SHIPPED} "
        f"AND l.order_id IN ({PRICED_ORDERS})"
    ):
        shipped[(shipment_id, order_id, line_id)] += quantity
    invoiced = Counter()
    packing_lists = Counter()
    for _, kind, _, order_id, shipment_id, content in documents:
        if kind == "invoice":
            for line in _content(content)["lines"]:
                invoiced[(shipment_id, order_id, line["line_id"])] += line["quantity"]
        elif kind == "packing_list":
            packing_lists[(shipment_id, order_id)] += 1
    for key in shipped.keys() | invoiced.keys():
        findings.compare(f"units of line {key[2]} invoiced for shipment {key[0]}", invoiced[key], shipped[key])
    for shipment_id, order_id in {(key[0], key[1]) for key in shipped}:
        findings.compare(
            f"packing lists of order {order_id} in {shipment_id}", packing_lists[(shipment_id, order_id)], 1
        )
    kinds = Counter(kind for _, kind, *_ in documents)
    return {"documents": dict(kinds), "units_invoiced": sum(invoiced.values()), "units_shipped": sum(shipped.values())}
