"""A trade document as a PDF on A4, in the buyer's language (English or French; another falls back to English):
who issues it to whom, the Incoterm and what it puts on each side, the exchange rate used, the lines, freight, tax,
total and what is due, or a packing list's packages."""

from decimal import Decimal

from fpdf import FPDF

from shared import pdf
from shared.money import show

TEXTS = {
    "en": {
        "proforma": "Pro-forma invoice",
        "invoice": "Commercial invoice",
        "credit_note": "Credit note",
        "packing_list": "Packing list",
        "order": "Order",
        "shipment": "Shipment",
        "issued": "Issued {at} by {by}",
        "buyer": "Buyer",
        "deliver_to": "Deliver to",
        "terms": "Incoterms 2020",
        "by": "by",
        "buyer_legs": "Freight billed to the buyer: {legs}",
        "seller_legs": "Freight carried by the seller: {legs}",
        "insures": "The seller insures the goods in carriage.",
        "clears_import": "The seller clears the goods for import and pays the duties.",
        "rate": "Exchange rate: 1 {base} = {rate} {quote}, recorded for {date}",
        "offering": "Goods",
        "hs_code": "HS code",
        "origin": "Origin",
        "quantity": "Units",
        "unit_price": "Unit price",
        "amount": "Amount",
        "goods": "Goods",
        "freight": "Freight",
        "tax": "Tax ({rate})",
        "total": "Total",
        "due": "Due by {date}: {amount}",
        "deposit": "Deposit on confirmation ({share}): {amount}, due by {date}",
        "promised": "Delivery promised by {date}",
        "corrects": "Corrects {number}",
        "reason": "Reason: {reason}",
        "lot": "Lot",
        "weight": "Net kg",
        "volume": "m³",
        "pickup": "pickup to the hub",
        "main": "main carriage",
        "none": "none",
    },
    "fr": {
        "proforma": "Facture pro forma",
        "invoice": "Facture commerciale",
        "credit_note": "Avoir",
        "packing_list": "Liste de colisage",
        "order": "Commande",
        "shipment": "Expédition",
        "issued": "Émise le {at} par {by}",
        "buyer": "Acheteur",
        "deliver_to": "Livrer à",
        "terms": "Incoterms 2020",
        "by": "par",
        "buyer_legs": "Fret facturé à l'acheteur : {legs}",
        "seller_legs": "Fret à la charge du vendeur : {legs}",
        "insures": "Le vendeur assure les marchandises pendant le transport.",
        "clears_import": "Le vendeur dédouane les marchandises à l'import et paie les droits.",
        "rate": "Taux de change : 1 {base} = {rate} {quote}, enregistré pour le {date}",
        "offering": "Marchandises",
        "hs_code": "Code SH",
        "origin": "Origine",
        "quantity": "Unités",
        "unit_price": "Prix unitaire",
        "amount": "Montant",
        "goods": "Marchandises",
        "freight": "Fret",
        "tax": "Taxe ({rate})",
        "total": "Total",
        "due": "À payer avant le {date} : {amount}",
        "deposit": "Acompte à la confirmation ({share}) : {amount}, avant le {date}",
        "promised": "Livraison promise avant le {date}",
        "corrects": "Corrige {number}",
        "reason": "Motif : {reason}",
        "lot": "Lot",
        "weight": "kg net",
        "volume": "m³",
        "pickup": "ramassage jusqu'au centre",
        "main": "transport principal",
        "none": "aucun",
    },
}


def texts_for(language: str) -> dict:
    return TEXTS.get(language, TEXTS["en"])


def render(document: dict, language: str) -> bytes:
    words = texts_for(language)
    sheet = FPDF(format="A4")
    family, printable = pdf.text_font(sheet)
    sheet.set_auto_page_break(True, margin=15)
    sheet.add_page()

    def line(text: str, size: int = 9, style: str = "") -> None:
        sheet.set_font(family, style, size)
        sheet.multi_cell(0, 5, printable(text), new_x="LMARGIN", new_y="NEXT")

    currency = document["currency"]
    line(f"{words[document['kind']]} {document['number']}", 15, "B")
    line(words["issued"].format(at=document["issued_at"][:10], by=document["issued_by"]))
    reference = f"{words['order']} {document['order_id']}"
    if document["shipment_id"]:
        reference += f" · {words['shipment']} {document['shipment_id']}"
    line(reference)
    buyer, terms = document["buyer"], document["trade_terms"]
    line(f"{words['buyer']}: {buyer['name']} <{buyer['email'] or ''}>")
    sheet.ln(2)
    mode = terms["transport_mode"].replace("_", " ")
    line(f"{words['terms']}: {terms['incoterm']} {terms['named_place']} ({terms['name']}, {mode})", 10, "B")
    for key in ("buyer_legs", "seller_legs"):
        legs = ", ".join(words[leg] for leg in terms[key]) or words["none"]
        line(words[key].format(legs=legs))
    if terms["seller_insures"]:
        line(words["insures"])
    if terms["seller_clears_import"]:
        line(words["clears_import"])
    rate = document["rate"]
    if rate:
        line(
            words["rate"].format(
                base=rate["base_currency"], rate=rate["rate"], quote=rate["quote_currency"], date=rate["rate_date"]
            )
        )
    sheet.ln(2)
    if document["kind"] == "packing_list":
        _packages(sheet, family, printable, words, document["packages"])
    else:
        _lines(sheet, family, printable, words, document)
    sheet.ln(2)
    if document["promised_date"]:
        line(words["promised"].format(date=document["promised_date"]))
    if document["corrects"]:
        line(words["corrects"].format(number=document["corrects"]), 10, "B")
    if document["reason"]:
        line(words["reason"].format(reason=document["reason"]))
    if document["amount_due"] is not None and document["due_on"]:
        amount = show(Decimal(document["amount_due"]), currency)
        if document["deposit"]:
            share = f"{Decimal(document['deposit']['share']):.0%}"
            line(words["deposit"].format(share=share, amount=amount, date=document["due_on"]), 10, "B")
        else:
            line(words["due"].format(date=document["due_on"], amount=amount), 10, "B")
    return bytes(sheet.output())


def _lines(sheet: FPDF, family: str, printable, words: dict, document: dict) -> None:
    currency = document["currency"]
    with sheet.table(
        col_widths=(62, 22, 14, 18, 34, 40),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        sheet.set_font(family, "", 8)
        table.row([words[key] for key in ("offering", "hs_code", "origin", "quantity", "unit_price", "amount")])
        for item in document["lines"]:
            table.row(
                [
                    printable(item["offering"]),
                    item["hs_code"] or "",
                    item["origin_country"] or "",
                    str(item["quantity"]),
                    show(Decimal(item["unit_price"]), currency),
                    show(Decimal(item["amount"]), currency),
                ]
            )
    sheet.ln(2)
    sheet.set_font(family, "", 9)
    rate = f"{Decimal(document['tax_rate']):.2%}"
    for label, amount in (
        (words["goods"], document["goods"]),
        (words["freight"], document["freight"]),
        (words["tax"].format(rate=rate), document["tax"]),
    ):
        sheet.cell(150, 5, printable(label), align="R")
        sheet.cell(40, 5, show(Decimal(amount), currency), align="R", new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(family, "B", 10)
    sheet.cell(150, 6, printable(words["total"]), align="R")
    sheet.cell(40, 6, show(Decimal(document["total"]), currency), align="R", new_x="LMARGIN", new_y="NEXT")


def _packages(sheet: FPDF, family: str, printable, words: dict, packages: list) -> None:
    with sheet.table(
        col_widths=(34, 60, 22, 14, 18, 20, 22),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        sheet.set_font(family, "", 8)
        table.row([words[key] for key in ("lot", "offering", "hs_code", "origin", "quantity", "weight", "volume")])
        for package in packages:
            table.row(
                [
                    package["lot_id"],
                    printable(package["offering"]),
                    package["hs_code"] or "",
                    package["origin_country"] or "",
                    str(package["quantity"]),
                    package["net_weight_kg"],
                    package["volume_m3"],
                ]
            )
