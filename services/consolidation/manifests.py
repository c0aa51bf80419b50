"""Shipment manifests, for the whole shipment or one buyer's order in it, as PDF (to print and travel with the
goods) and CSV (for the buyer's or forwarder's spreadsheet). Plain Python: data in, bytes out."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from shared.pdf import text_font
from shared.spreadsheet import csv_text

CSV_COLUMNS = (
    "shipment_id",
    "order_id",
    "buyer",
    "line_id",
    "lot_id",
    "sku",
    "product",
    "producer_id",
    "producer",
    "village",
    "units",
    "weight_kg",
    "volume_m3",
    "pickup_on",
    "freight_share",
    "currency",
)


@dataclass(frozen=True)
class ManifestLine:
    lot_id: str
    order_id: str
    buyer: str
    line_id: str
    sku: str
    product: str
    producer_id: str
    producer: str
    village: str
    units: int
    weight_kg: Decimal
    volume_m3: Decimal
    pickup_on: date | None
    freight_share: Decimal


@dataclass(frozen=True)
class Manifest:
    """``order_id`` set: one buyer's part of the shipment, with that order's share of the freight."""

    shipment_id: str
    status: str
    hub: str
    destination: str
    vehicle: str
    dispatch_on: date | None
    arrives_on: date | None
    currency: str
    lines: list[ManifestLine]
    order_id: str | None = None

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def weight_kg(self) -> Decimal:
        return sum((line.weight_kg for line in self.lines), Decimal(0))

    @property
    def volume_m3(self) -> Decimal:
        return sum((line.volume_m3 for line in self.lines), Decimal(0))

    @property
    def freight(self) -> Decimal:
        return sum((line.freight_share for line in self.lines), Decimal(0))


def render_csv(manifest: Manifest) -> str:
    """One row per lot; no text of it can become a formula in the spreadsheet that opens it (``shared.spreadsheet``)."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                manifest.shipment_id,
                line.order_id,
                line.buyer,
                line.line_id,
                line.lot_id,
                line.sku,
                line.product,
                line.producer_id,
                line.producer,
                line.village,
                line.units,
                f"{line.weight_kg:f}",
                f"{line.volume_m3:f}",
                line.pickup_on.isoformat() if line.pickup_on else "",
                f"{line.freight_share:f}",
                manifest.currency,
            ]
            for line in manifest.lines
        ),
    )


class _ManifestPdf(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="landscape", format="A4")
        self.family_name, self.printable = text_font(self)
        self.manifest_title = title
        self.set_margins(12, 12)
        self.set_auto_page_break(True, margin=15)
        self.set_title(self.printable(title))
        self.set_creator("Bilum")

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family_name, "", 7)
        self.cell(0, 5, self.printable(f"{self.manifest_title} - page {self.page_no()}/{{nb}}"), align="C")

    def line_of_text(self, text: str, size: float, bold: bool = False):
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(manifest: Manifest) -> bytes:
    """A header with the route and totals, then one table row per lot, with the totals at the foot."""
    title = (
        f"Manifest of order {manifest.order_id} in shipment {manifest.shipment_id}"
        if manifest.order_id
        else f"Manifest of shipment {manifest.shipment_id}"
    )
    pdf = _ManifestPdf(title)
    pdf.add_page()
    pdf.line_of_text(title, 15, bold=True)
    pdf.ln(1)
    facts = [
        ("From", manifest.hub),
        ("To", manifest.destination),
        ("Line-haul", manifest.vehicle),
        ("Status", manifest.status.replace("_", " ")),
        ("Leaves", manifest.dispatch_on.isoformat() if manifest.dispatch_on else "not planned"),
        ("Arrives by", manifest.arrives_on.isoformat() if manifest.arrives_on else "not planned"),
        (
            "Lots",
            f"{len(manifest.lines)} lots, {manifest.units} units, {manifest.weight_kg:f} kg, {manifest.volume_m3:f} m3",
        ),
        (
            "Freight",
            f"{manifest.freight:f} {manifest.currency}" + (" (this order's share)" if manifest.order_id else ""),
        ),
    ]
    for label, value in facts:
        pdf.line_of_text(f"{label}: {value}", 9.5)
    pdf.ln(3)
    pdf.set_font(pdf.family_name, "", 7)
    headings = (
        "Lot",
        "Order",
        "Buyer",
        "Product",
        "Producer",
        "Village",
        "Units",
        "kg",
        "m3",
        "Pickup",
        f"Freight {manifest.currency}",
    )
    widths = (36, 36, 30, 36, 32, 22, 11, 15, 17, 18, 17)
    numeric = {"Units", "kg", "m3", f"Freight {manifest.currency}"}
    with pdf.table(
        col_widths=widths,
        text_align=tuple("RIGHT" if heading in numeric else "LEFT" for heading in headings),
        line_height=4.5,
        first_row_as_headings=True,
    ) as table:
        table.row([pdf.printable(heading) for heading in headings])
        for line in manifest.lines:
            table.row(
                [
                    pdf.printable(cell)
                    for cell in (
                        line.lot_id,
                        line.order_id,
                        line.buyer,
                        f"{line.sku} {line.product}",
                        line.producer,
                        line.village,
                        str(line.units),
                        f"{line.weight_kg:f}",
                        f"{line.volume_m3:f}",
                        line.pickup_on.isoformat() if line.pickup_on else "",
                        f"{line.freight_share:f}",
                    )
                ]
            )
        table.row(
            [
                pdf.printable(cell)
                for cell in (
                    "Total",
                    "",
                    "",
                    "",
                    "",
                    "",
                    str(manifest.units),
                    f"{manifest.weight_kg:f}",
                    f"{manifest.volume_m3:f}",
                    "",
                    f"{manifest.freight:f}",
                )
            ]
        )
    return bytes(pdf.output())
