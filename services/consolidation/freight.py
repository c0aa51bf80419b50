"""Freight cost shared back to the order lines and producers a shipment serves. Plain Python.

The rule is weight x distance. A shipment costs its line-haul trip (per trip plus per km) and its part of the pickup
trips that collected its lots. That cost is shared in proportion to each lot's weight in kilograms times the
kilometres it travels: great-circle from its producer to the hub, then the line-haul to the destination city. A
heavy lot from a far village pays more than a light one made near the hub, which is what moving them costs. A
pickup trip's cost is shared among the lots it collected the same way, by weight times the distance from the
producer to the hub. A distance under 1 km counts as 1 km, so a lot made at the hub still pays for its weight.

Shares are whole cents: each party gets the whole cents of its exact share, then the cents left over go one each to
the largest remainders (Hamilton's method; equal remainders in the order the parties were given). So the shares
add up to the cost exactly and none is a cent or more away from its exact value.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")
MIN_DISTANCE_KM = Decimal(1)


@dataclass(frozen=True)
class CarriedLot:
    lot_id: str
    order_id: str
    line_id: str
    producer_id: str
    weight_kg: Decimal
    distance_km: Decimal


@dataclass(frozen=True)
class Shares:
    lots: dict
    lines: dict
    producers: dict


def freight_weight(weight_kg: Decimal, distance_km: Decimal) -> Fraction:
    return Fraction(weight_kg) * Fraction(max(distance_km, MIN_DISTANCE_KM))


def share_cost(total: Decimal, weights: dict) -> dict:
    """``total`` (whole cents) split across the keys of ``weights`` in proportion to them, to the cent. Parties that
    all weigh nothing share equally."""
    if total < 0 or total != total.quantize(CENT):
        raise ValueError(f"a cost to share is a non-negative amount in whole cents, not {total}")
    if not weights:
        if total:
            raise ValueError(f"nobody to share {total} with")
        return {}
    fractions = {key: Fraction(weight) for key, weight in weights.items()}
    if any(weight < 0 for weight in fractions.values()):
        raise ValueError("a weight to share by cannot be negative")
    whole = sum(fractions.values())
    if whole == 0:
        fractions, whole = {key: Fraction(1) for key in fractions}, Fraction(len(fractions))
    cents = int(total / CENT)
    exact = {key: cents * weight / whole for key, weight in fractions.items()}
    given = {key: math.floor(share) for key, share in exact.items()}
    position = {key: index for index, key in enumerate(fractions)}
    by_remainder = sorted(fractions, key=lambda key: (given[key] - exact[key], position[key]))
    for key in by_remainder[: cents - sum(given.values())]:
        given[key] += 1
    return {key: (Decimal(count) * CENT).quantize(CENT) for key, count in given.items()}


def shipment_shares(cost: Decimal, lots: list[CarriedLot]) -> Shares:
    """The shipment's cost shared to its order lines and to its producers, each set adding up to the cost; each
    line's share is then shared to its lots, so a buyer's lots add up to exactly what its lines pay."""

    def weigh(group: list[CarriedLot], key_of) -> dict:
        weights: dict = {}
        for lot in group:
            key = key_of(lot)
            weights[key] = weights.get(key, 0) + freight_weight(lot.weight_kg, lot.distance_km)
        return weights

    lines = share_cost(cost, weigh(lots, lambda lot: (lot.order_id, lot.line_id)))
    by_line: dict[tuple, list[CarriedLot]] = {}
    for lot in lots:
        by_line.setdefault((lot.order_id, lot.line_id), []).append(lot)
    shares_of_lots = {}
    for line, group in by_line.items():
        shares_of_lots.update(share_cost(lines[line], weigh(group, lambda lot: lot.lot_id)))
    producers = share_cost(cost, weigh(lots, lambda lot: lot.producer_id))
    return Shares(lots=shares_of_lots, lines=lines, producers=producers)
