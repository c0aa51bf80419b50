"""Freight cost shared back to the order lines and producers a shipment serves. Plain Python.

The rule is weight x distance, leg by leg. A shipment costs its line-haul trip (per trip plus per km) and its part of
the pickup trips that collected its lots. A pickup trip's cost is shared among the lots it collected in proportion
to each lot's weight in kilograms times its great-circle kilometres from the producer to the hub: that is the lot's
``route_share``, its pickup leg. The line-haul trip's cost (the main leg) is shared in proportion to each lot's
weight times the line-haul's kilometres: every lot on the trip travels them. A heavy lot from a far village pays
more pickup than a light one made near the hub, which is what collecting them costs. A distance under 1 km counts
as 1 km, so a lot made at the hub still pays for its weight.

An order line's share is, per leg, ``pickup`` (the sum of its lots' route shares, exact) and ``main`` (its part of
the line-haul); a producer's likewise. A line's lots then share the line's total by weight times their whole
journey (producer to hub to destination), so a buyer's lots add up to exactly what its lines pay.

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
    """``distance_km``: producer to hub to destination; ``route_share``: its part of its pickup route's cost."""

    lot_id: str
    order_id: str
    line_id: str
    producer_id: str
    weight_kg: Decimal
    distance_km: Decimal
    route_share: Decimal


@dataclass(frozen=True)
class LegShares:
    """A party's freight per leg: ``pickup`` (producers to the hub) and ``main`` (the line-haul)."""

    pickup: Decimal
    main: Decimal

    @property
    def total(self) -> Decimal:
        return self.pickup + self.main


@dataclass(frozen=True)
class Shares:
    """``lots``: lot id to its share; ``lines``: (order id, line id) and ``producers``: producer id to LegShares."""

    lots: dict
    lines: dict
    producers: dict


def freight_weight(weight_kg: Decimal, distance_km: Decimal) -> Fraction:
    return Fraction(weight_kg) * Fraction(max(distance_km, MIN_DISTANCE_KM))


def _check_whole_cents(amount: Decimal, what: str) -> None:
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"{what} is a non-negative amount in whole cents, not {amount}")


def share_cost(total: Decimal, weights: dict) -> dict:
    """``total`` (whole cents) split across the keys of ``weights`` in proportion to them, to the cent. Parties that
    all weigh nothing share equally."""
    _check_whole_cents(total, "a cost to share")
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


def shipment_shares(line_haul_cost: Decimal, line_haul_km: Decimal, lots: list[CarriedLot]) -> Shares:
    """The shipment's cost (its line-haul plus its lots' route shares) shared per leg to its order lines and to its
    producers, each set adding up to the cost; each line's total is then shared to its lots."""
    for lot in lots:
        _check_whole_cents(lot.route_share, f"lot {lot.lot_id}'s share of its pickup route")

    def per_leg(key_of) -> dict:
        pickups: dict = {}
        weights: dict = {}
        for lot in lots:
            key = key_of(lot)
            pickups[key] = pickups.get(key, Decimal(0)) + lot.route_share
            weights[key] = weights.get(key, 0) + freight_weight(lot.weight_kg, line_haul_km)
        mains = share_cost(line_haul_cost, weights)
        return {key: LegShares(pickups[key], mains[key]) for key in pickups}

    lines = per_leg(lambda lot: (lot.order_id, lot.line_id))
    by_line: dict[tuple, dict] = {}
    for lot in lots:
        by_line.setdefault((lot.order_id, lot.line_id), {})[lot.lot_id] = freight_weight(lot.weight_kg, lot.distance_km)
    shares_of_lots = {}
    for line, weights in by_line.items():
        shares_of_lots.update(share_cost(lines[line].total, weights))
    return Shares(lots=shares_of_lots, lines=lines, producers=per_leg(lambda lot: lot.producer_id))
