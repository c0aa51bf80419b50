"""Demonstration scenario for Bilum: a Highlands weavers' co-operative.

Pure data, no I/O. The scenario models an aggregator co-operative in Papua
New Guinea that sells hand-looped bilum bags and highland arabica coffee made
by women micro-producers and women's groups spread over eight districts in six
provinces. Three overseas buyers place bulk orders that no single producer
could fill; the platform splits each order across producers by capacity.

Everything here is fictitious: people, groups, telephone numbers, buyers and
e-mail addresses. Village and district names are real where we were
confident, plausible otherwise; coordinates are approximate.

Shapes:

* ``OFFERINGS``: each item is exactly the body of ``POST /api/v1/offerings``.
* ``PRODUCERS``: each item is the body of ``POST /api/v1/producers`` plus a
  ``capacity`` key ``{sku: units this producer can make by the deadline}``;
  use :func:`producer_body` to strip it.
* ``DECLINING_PRODUCERS``: names of producers who decline their first quota
  in the demo, so the platform has to reallocate.
* ``BUYERS``: each buyer has a shipping ``destination`` and one or more
  ``orders``, each with ``due_in_days``, order ``lines``, ``trade_terms``
  (Incoterm, named place, transport mode) and perhaps a ``currency``.
* ``EXCHANGE_RATES``: the rates the co-operative records before the orders
  in another currency than the offerings' are placed.

:func:`validate_scenario` checks the rules listed in ``INVARIANTS``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from shared.incoterms import fit_problem

ORGANISATION = {"id": "kumul-weavers", "name": "Kumul Highlands Weavers' Co-operative", "country": "PG"}

# ---------------------------------------------------------------------------
# Offerings
# ---------------------------------------------------------------------------

# Bags are inspected for the strap (critical), the looping and size (major) and the colour (minor); a rejected lot
# waits for the aggregator's choice of rework or replacement.
_BAG_STANDARD = {
    "aql": {"critical": 0.65, "major": 2.5, "minor": 4.0},
    "inspection_level": "II",
    "criteria": [
        {"name": "strap torn or detached", "defect_class": "critical"},
        {"name": "loose or broken loops", "defect_class": "major"},
        {"name": "size outside the standard by more than 3 cm", "defect_class": "major"},
        {"name": "uneven colour", "defect_class": "minor"},
    ],
    "rejected_lot_action": "ask",
    "min_pass_rate": 0.5,
}

_BAG_MARKETS = [
    {
        "market": "AU",
        "packaging": (
            "Bags folded flat, 20 to a new fibreboard carton; no straw, leaves or used sacks as packing; "
            "any timber pallet ISPM 15 treated and marked"
        ),
        "labelling": (
            "Sewn-in label with 'Made in Papua New Guinea' and the fibre content (wool, acrylic); "
            "cartons marked with the importer's name and address"
        ),
        "certifications": ["DAFF packing declaration", "SPARTECA origin declaration on the invoice"],
    },
    {
        "market": "JP",
        "packaging": (
            "Each bag in a clear polybag, 20 to a carton of at most 15 kg; "
            "cartons numbered and marked 'Made in Papua New Guinea'"
        ),
        "labelling": (
            "Japanese label under the Household Goods Quality Labeling Act: outer material (wool, acrylic), "
            "care instructions, the importer's name and telephone number"
        ),
        "certifications": ["GSP certificate of origin (Form A)"],
    },
]

OFFERINGS = [
    {
        "sku": "BLM-BAG-M",
        "name": "Highlands bilum bag, medium",
        "description": (
            "Hand-looped bilum carry bag with a long stretch strap, made by "
            "women weavers in the Highlands of Papua New Guinea. Each bag is "
            "unique and takes one to two weeks to loop."
        ),
        "unit_price": "38.50",
        "producer_price": "21.00",
        "currency": "USD",
        "unit_weight_g": 350,
        "unit_volume_cm3": 4000,
        "min_order": 20,
        "quality_standard": _BAG_STANDARD,
        "hs_code": "420222",
        "origin_country": "PG",
        "markets": _BAG_MARKETS,
        "attributes": {
            "materials": "wool and acrylic yarn, looped by hand",
            "colour": "mixed traditional Highlands patterns",
            "size": "approx. 40 x 45 cm body, 90 cm strap",
            "story": (
                "Bilum looping is passed from mother to daughter; sales pay "
                "school fees and clinic visits in the weaver's village."
            ),
        },
    },
    {
        "sku": "BLM-BAG-S",
        "name": "Bilum shoulder bag, small",
        "description": (
            "Small hand-looped bilum shoulder bag with a lined inner pocket, sized for a phone, purse and keys."
        ),
        "unit_price": "24.00",
        "producer_price": "13.50",
        "currency": "USD",
        "unit_weight_g": 180,
        "unit_volume_cm3": 1800,
        "min_order": 20,
        "quality_standard": _BAG_STANDARD,
        "hs_code": "420222",
        "origin_country": "PG",
        "markets": _BAG_MARKETS,
        "attributes": {
            "materials": "wool and acrylic yarn, cotton lining",
            "colour": "bright stripes in the weaver's own design",
            "size": "approx. 22 x 25 cm body, 110 cm strap",
            "story": (
                "A quicker piece than the carry bag, often looped by younger weavers in the evenings after garden work."
            ),
        },
    },
    {
        "sku": "COF-ARA-250",
        "name": "Highland arabica coffee, 250 g",
        "description": (
            "Whole-bean arabica grown in smallholder gardens at 1,500 to "
            "1,900 m, sun-dried and roasted medium in Goroka."
        ),
        "unit_price": "9.80",
        "producer_price": "4.20",
        # Fair-trade coffee: a premium per bag for the co-operative's fund (a washing station, school fees).
        "fair_trade_premium": "0.20",
        "currency": "USD",
        "unit_weight_g": 270,
        "unit_volume_cm3": 600,
        "min_order": 50,
        "quality_standard": {
            "aql": {"critical": 0.65, "major": 1.5, "minor": 4.0},
            "inspection_level": "II",
            "criteria": [
                {"name": "foreign matter or mould", "defect_class": "critical"},
                {"name": "bag seal broken", "defect_class": "major"},
                {"name": "label smudged", "defect_class": "minor"},
            ],
            "rejected_lot_action": "ask",
            "min_pass_rate": 0.5,
        },
        "hs_code": "090121",
        "origin_country": "PG",
        "markets": [
            {
                "market": "AU",
                "packaging": (
                    "250 g one-way-valve bags, 20 to a new fibreboard carton; "
                    "no used jute sacks, soil or plant debris in the container"
                ),
                "labelling": (
                    "English label under the Food Standards Code: name, net weight 250 g, lot number, "
                    "best-before date, the Australian importer's name and address, 'Product of Papua New Guinea'"
                ),
                "certifications": [
                    "ICO certificate of origin (Coffee Industry Corporation)",
                    "Manufacturer's declaration that the beans are roasted (DAFF import conditions)",
                    "Fairtrade certificate (FLO-CERT)",
                ],
            },
            {
                "market": "JP",
                "packaging": (
                    "250 g nitrogen-flushed valve bags, 20 to a carton; lot number and best-before date on every carton"
                ),
                "labelling": (
                    "Japanese label under the Food Labeling Act: name (regular coffee), ingredient (coffee beans), "
                    "net weight, best-before date, storage, country of origin, the importer's name and address"
                ),
                "certifications": [
                    "ICO certificate of origin (Coffee Industry Corporation)",
                    "Ingredients and process sheet for the MHLW food import notification",
                    "Fairtrade certificate (FLO-CERT)",
                ],
            },
        ],
        "attributes": {
            "materials": "100% arabica whole bean, medium roast",
            "colour": "natural kraft bag with valve",
            "size": "250 g",
            "story": (
                "Grown by women-led coffee clusters who pick, pulp and dry "
                "their own cherry instead of selling it wet at the roadside."
            ),
        },
    },
]

# ---------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------

# (region, district) -> default remoteness and languages of that area.
_AREAS = {
    "goroka": ("Eastern Highlands", "Goroka", "all_season_road", ["tpi", "gah", "en"]),
    "lufa": ("Eastern Highlands", "Lufa", "seasonal_road", ["tpi", "ygr"]),
    "hagen": ("Western Highlands", "Hagen Central", "all_season_road", ["tpi", "med", "en"]),
    "dei": ("Western Highlands", "Dei", "seasonal_road", ["tpi", "med"]),
    "wabag": ("Enga", "Wabag", "all_season_road", ["tpi", "enq"]),
    "waghi": ("Jiwaka", "North Waghi", "all_season_road", ["tpi", "wgi", "en"]),
    "kundiawa": ("Simbu", "Kundiawa-Gembogl", "all_season_road", ["tpi", "kue"]),
    "menyamya": ("Morobe", "Menyamya", "air_or_boat", ["tpi", "mcr"]),
}


# Highland roads close in the wet season (January to March); Menyamya is reached by the Tuesday and Friday flights.
_ACCESS = {"all_season_road": ([], []), "seasonal_road": ([1, 2, 3], []), "air_or_boat": ([], [1, 4])}


def _producer(n, name, area, village, lat, lon, capacity, remoteness=None, languages=None):
    region, district, default_remoteness, default_languages = _AREAS[area]
    closed_months, service_weekdays = _ACCESS[remoteness or default_remoteness]
    return {
        "name": name,
        "village": village,
        "district": district,
        "region": region,
        "country": "PG",
        "latitude": lat,
        "longitude": lon,
        "remoteness": remoteness or default_remoteness,
        "closed_months": list(closed_months),
        "service_weekdays": list(service_weekdays),
        # Fictitious numbers: +675 7000 01nn.
        "mobile": f"+675700001{n:02d}",
        "languages": list(languages or default_languages),
        "capacity": dict(capacity),
    }


_M, _S, _C = "BLM-BAG-M", "BLM-BAG-S", "COF-ARA-250"

PRODUCERS = [
    # Eastern Highlands: Goroka
    _producer(1, "Goroka Meri Bilum Group", "goroka", "Kabiufa", -6.1020, 145.3650, {_M: 120, _S: 60}),
    _producer(2, "Mary Kewa", "goroka", "Kama", -6.0650, 145.4100, {_M: 25}),
    _producer(3, "Rose Yamo", "goroka", "Faniufa", -6.0700, 145.3750, {_S: 30}),
    _producer(4, "Helen Sinake", "goroka", "Kefamo", -6.0550, 145.4350, {_C: 90}),
    _producer(5, "Ruth Kaupa", "goroka", "Gehamo", -6.0950, 145.4050, {_M: 15, _C: 40}),
    _producer(6, "Anna Pela", "goroka", "Kabiufa", -6.1045, 145.3610, {_M: 16, _S: 14}),
    # Eastern Highlands: Lufa
    _producer(7, "Lufa Women's Coffee Cluster", "lufa", "Lufa Station", -6.3240, 145.3010, {_C: 120}),
    _producer(8, "Esther Yasi", "lufa", "Yagusa", -6.3600, 145.2700, {_C: 45, _M: 12}),
    _producer(9, "Agnes Kure", "lufa", "Mengino", -6.2900, 145.2500, {_M: 28}),
    _producer(10, "Susan Orope", "lufa", "Mengino", -6.2935, 145.2540, {_S: 25}),
    # Western Highlands: Hagen Central
    _producer(11, "Kagamuga Mama Bilum Group", "hagen", "Kagamuga", -5.8300, 144.2950, {_M: 120, _S: 80}),
    _producer(12, "Julie Paka", "hagen", "Kimininga", -5.8450, 144.2550, {_M: 22}),
    _producer(13, "Margaret Kuk", "hagen", "Mokei", -5.8800, 144.2100, {_S: 35, _M: 10}),
    _producer(14, "Elizabeth Rumints", "hagen", "Kuta", -5.9000, 144.1800, {_M: 16}),
    _producer(15, "Theresa Mek", "hagen", "Kimininga", -5.8475, 144.2590, {_S: 28}),
    _producer(16, "Grace Wari", "hagen", "Mokei", -5.8830, 144.2065, {_C: 40}),
    # Western Highlands: Dei
    _producer(17, "Dei Meri Weavers", "dei", "Muglamp", -5.7200, 144.3200, {_M: 110, _S: 45}),
    _producer(18, "Joyce Kondo", "dei", "Kotna", -5.6850, 144.2900, {_C: 60}),
    _producer(19, "Martha Kopi", "dei", "Pompoma", -5.7500, 144.3500, {_M: 14, _C: 30}),
    _producer(20, "Betty Ninji", "dei", "Kotna", -5.6880, 144.2935, {_S: 20}),
    # Enga: Wabag
    _producer(21, "Enga Women in Bilum", "wabag", "Wabag", -5.4900, 143.7200, {_M: 115, _S: 50}),
    _producer(22, "Dorothy Lakane", "wabag", "Birip", -5.5050, 143.6900, {_M: 18}),
    _producer(23, "Catherine Yakasa", "wabag", "Sakalis", -5.4700, 143.7500, {_S: 24}),
    _producer(24, "Lucy Kandato", "wabag", "Lakolam", -5.5200, 143.7600, {_M: 12, _S: 12}, remoteness="seasonal_road"),
    _producer(25, "Winnie Yaki", "wabag", "Birip", -5.5080, 143.6865, {_M: 14}),
    # Jiwaka: North Waghi
    _producer(26, "Kurumul Mothers' Coffee Group", "waghi", "Kurumul", -5.8200, 144.6000, {_C: 110}),
    _producer(27, "Veronica Maip", "waghi", "Banz", -5.8000, 144.6200, {_M: 20, _S: 15}),
    _producer(28, "Priscilla Kua", "waghi", "Kudjip", -5.8500, 144.5200, {_C: 50}),
    _producer(29, "Janet Kaip", "waghi", "Nondugl", -5.8700, 144.7400, {_M: 25, _C: 35}),
    _producer(30, "Regina Yalo", "waghi", "Banz", -5.8030, 144.6235, {_S: 22}),
    _producer(31, "Barbara Wan", "waghi", "Kudjip", -5.8530, 144.5170, {_M: 18}),
    # Simbu: Kundiawa-Gembogl
    _producer(32, "Mingende Women's Coffee Cluster", "kundiawa", "Mingende", -6.0300, 144.9100, {_C: 100}),
    _producer(33, "Christina Waim", "kundiawa", "Kundiawa", -6.0200, 144.9600, {_M: 24, _S: 18}),
    _producer(34, "Gloria Simbil", "kundiawa", "Gembogl", -5.8800, 144.9700, {_M: 15}, remoteness="seasonal_road"),
    _producer(
        35, "Naomi Gande", "kundiawa", "Kegsugl", -5.8400, 145.0000, {_S: 20, _C: 25}, remoteness="seasonal_road"
    ),
    _producer(36, "Miriam Ambane", "kundiawa", "Kundiawa", -6.0235, 144.9640, {_M: 20}),
    # Morobe: Menyamya (no reliable road to the coast; goods go out by air)
    _producer(37, "Menyamya Mothers' Bilum Group", "menyamya", "Menyamya", -7.2100, 146.0200, {_M: 95, _S: 60}),
    _producer(38, "Lydia Kepa", "menyamya", "Aseki", -7.3600, 146.1900, {_M: 12}),
    _producer(39, "Monica Pangu", "menyamya", "Wapi", -7.1500, 145.9500, {_S: 18}),
    _producer(40, "Rebecca Tai", "menyamya", "Kome", -7.3000, 146.1000, {_M: 10, _S: 10}),
]

# Producers who decline their first quota in the demo (family funeral; a
# landslide cutting the road), forcing the platform to reallocate.
DECLINING_PRODUCERS = ["Julie Paka", "Naomi Gande"]

# She has a basic phone: she is offered quotas, accepts them and reports her lots by SMS alone.
SMS_PRODUCER = "Mary Kewa"
AGGREGATOR_EMAIL = "orders@kumul-weavers.example.org"

# ---------------------------------------------------------------------------
# Buyers and their orders
# ---------------------------------------------------------------------------

BUYERS = [
    {
        "name": "Southern Cross Fair Trade",
        "email": "buying.southerncross@example.org",
        "destination": {
            "name": "Southern Cross Fair Trade warehouse",
            "city": "Brisbane",
            "country": "AU",
            "latitude": -27.4698,
            "longitude": 153.0251,
        },
        "orders": [
            {
                "due_in_days": 75,
                "lines": [{"sku": "BLM-BAG-M", "quantity": 450}, {"sku": "BLM-BAG-S", "quantity": 250}],
                "trade_terms": {"incoterm": "CIF", "named_place": "Brisbane", "transport_mode": "sea"},
            },
            {
                "due_in_days": 110,
                "lines": [{"sku": "COF-ARA-250", "quantity": 300}],
                "trade_terms": {"incoterm": "CIF", "named_place": "Brisbane", "transport_mode": "sea"},
            },
        ],
    },
    {
        # Same destination city as Southern Cross: the two can share a
        # consolidated shipment out of Lae.
        "name": "Harbour Lane Homewares",
        "email": "purchasing.harbourlane@example.com",
        "destination": {
            "name": "Harbour Lane distribution centre",
            "city": "Brisbane",
            "country": "AU",
            "latitude": -27.4050,
            "longitude": 153.0850,
        },
        "orders": [
            {
                "due_in_days": 90,
                "lines": [{"sku": "BLM-BAG-M", "quantity": 150}, {"sku": "COF-ARA-250", "quantity": 200}],
                # Free Carrier at the port of Lae: the co-operative pays the roads to Lae; the sea freight it books
                # for the store is invoiced to the store.
                "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
            }
        ],
    },
    {
        "name": "Kiriko Lifestyle Store",
        "email": "kiriko.buying@example.com",
        "destination": {
            "name": "Kiriko Lifestyle Store, Nakameguro",
            "city": "Tokyo",
            "country": "JP",
            "latitude": 35.6440,
            "longitude": 139.6990,
        },
        "orders": [
            {
                "due_in_days": 100,
                # More small bags than the network can make (see SHORT_SKU): the order ends short, and the store
                # gets a credit note for the bags that never came.
                "lines": [{"sku": "BLM-BAG-S", "quantity": 340}, {"sku": "BLM-BAG-M", "quantity": 120}],
                # Delivered to the store by air, and paid in yen at the rate the co-operative records first.
                "trade_terms": {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"},
                "currency": "JPY",
            }
        ],
    },
]

# What one unit of the offerings' currency is worth in each other currency an order is in, recorded by the
# co-operative for the day the orders are placed (the body of ``POST /api/v1/exchange-rates`` without its dates).
EXCHANGE_RATES = [{"base_currency": "USD", "quote_currency": "JPY", "rate": "155.32"}]

# ---------------------------------------------------------------------------
# Helpers and validation
# ---------------------------------------------------------------------------

REMOTENESS = ("all_season_road", "seasonal_road", "air_or_boat")
# The one sku ordered beyond everything its producers can make: an order ends short of it, and is credited.
SHORT_SKU = "BLM-BAG-S"
CAPACITY_HEADROOM = Decimal("1.2")
PNG_LATITUDE = (-12.0, 0.0)
PNG_LONGITUDE = (140.0, 156.0)

INVARIANTS = (
    "ORGANISATION has id 'kumul-weavers', a name and country 'PG'",
    "OFFERINGS has at least 2 items with unique skus and all body fields",
    "unit_price > producer_price > 0 as Decimals for every offering",
    "PRODUCERS have unique names and unique E.164 mobiles (+6757 and 7 digits)",
    "every producer is in PNG: country 'PG', latitude -12..0, longitude 140..156",
    "every producer's remoteness is all_season_road, seasonal_road or air_or_boat",
    "every capacity sku is an OFFERINGS sku and every capacity is 5..120 units",
    "DECLINING_PRODUCERS are names of PRODUCERS",
    "BUYERS have unique names, example.com/example.org e-mails and a destination",
    "every order is due in 45..120 days and every ordered sku exists with quantity > 0",
    "every order's Incoterm fits its transport and names a place; another currency has a rate in EXCHANGE_RATES",
    "for every sku but SHORT_SKU, capacity excluding DECLINING_PRODUCERS >= 120% of the total ordered",
    "SHORT_SKU is ordered beyond the capacity of all its producers",
)

_MOBILE = re.compile(r"^\+6757\d{7}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_EMAIL = re.compile(r"^[^@\s]+@example\.(com|org)$")
_OFFERING_KEYS = {
    "sku",
    "name",
    "description",
    "unit_price",
    "producer_price",
    "currency",
    "unit_weight_g",
    "unit_volume_cm3",
    "attributes",
    "quality_standard",
    "min_order",
}
_OPTIONAL_OFFERING_KEYS = {"fair_trade_premium", "hs_code", "origin_country", "markets"}
_PRODUCER_KEYS = {
    "name",
    "village",
    "district",
    "region",
    "country",
    "latitude",
    "longitude",
    "remoteness",
    "closed_months",
    "service_weekdays",
    "mobile",
    "languages",
    "capacity",
}


def producer_body(producer):
    """Return the ``POST /api/v1/producers`` body (without ``capacity``)."""
    return {k: v for k, v in producer.items() if k != "capacity"}


def all_orders(buyers=None):
    """Yield ``(buyer, order)`` pairs for every order of every buyer."""
    for buyer in BUYERS if buyers is None else buyers:
        for order in buyer["orders"]:
            yield buyer, order


def ordered_by_sku(buyers=None):
    """Total quantity ordered per sku over all buyers' orders."""
    totals = {}
    for _buyer, order in all_orders(buyers):
        for line in order["lines"]:
            totals[line["sku"]] = totals.get(line["sku"], 0) + line["quantity"]
    return totals


def total_ordered(buyers=None):
    """Total units ordered over all skus."""
    return sum(ordered_by_sku(buyers).values())


def capacity_by_sku(producers=None, exclude=()):
    """Total capacity per sku, leaving out producers named in ``exclude``."""
    excluded = set(exclude)
    totals = {}
    for producer in PRODUCERS if producers is None else producers:
        if producer["name"] in excluded:
            continue
        for sku, units in producer["capacity"].items():
            totals[sku] = totals.get(sku, 0) + units
    return totals


def _decimal(value, what):
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what} is not a decimal string: {value!r}") from None
    if not isinstance(value, str) or not result.is_finite():
        raise ValueError(f"{what} must be a finite decimal string: {value!r}")
    return result


def _duplicates(values):
    seen, dupes = set(), []
    for value in values:
        if value in seen and value not in dupes:
            dupes.append(value)
        seen.add(value)
    return dupes


def validate_scenario():
    """Check the scenario against ``INVARIANTS``; raise ValueError if broken.

    Reads the module attributes at call time, so a patched copy of the
    scenario is validated as patched.
    """
    org = ORGANISATION
    if org.get("id") != "kumul-weavers" or not org.get("name") or org.get("country") != "PG":
        raise ValueError(f"ORGANISATION is malformed: {org!r}")

    # Offerings.
    if len(OFFERINGS) < 2:
        raise ValueError("OFFERINGS needs at least 2 offerings")
    skus = [o.get("sku") for o in OFFERINGS]
    if _duplicates(skus):
        raise ValueError(f"duplicate offering skus: {_duplicates(skus)}")
    for offering in OFFERINGS:
        sku = offering.get("sku")
        if not _OFFERING_KEYS <= set(offering) <= _OFFERING_KEYS | _OPTIONAL_OFFERING_KEYS:
            raise ValueError(
                f"offering {sku!r} keys differ from the API body: "
                f"missing {sorted(_OFFERING_KEYS - set(offering))}, "
                f"extra {sorted(set(offering) - _OFFERING_KEYS - _OPTIONAL_OFFERING_KEYS)}"
            )
        unit = _decimal(offering["unit_price"], f"offering {sku} unit_price")
        paid = _decimal(offering["producer_price"], f"offering {sku} producer_price")
        if not unit > paid > 0:
            raise ValueError(f"offering {sku}: need unit_price > producer_price > 0, got {unit} and {paid}")
        for key in ("unit_weight_g", "unit_volume_cm3"):
            if not isinstance(offering[key], int) or offering[key] <= 0:
                raise ValueError(f"offering {sku}: {key} must be a positive int")
    sku_set = set(skus)

    # Producers.
    names = [p.get("name") for p in PRODUCERS]
    if _duplicates(names):
        raise ValueError(f"duplicate producer names: {_duplicates(names)}")
    mobiles = [p.get("mobile") for p in PRODUCERS]
    if _duplicates(mobiles):
        raise ValueError(f"duplicate producer mobiles: {_duplicates(mobiles)}")
    for producer in PRODUCERS:
        name = producer.get("name")
        if set(producer) != _PRODUCER_KEYS:
            raise ValueError(
                f"producer {name!r} keys differ: "
                f"missing {sorted(_PRODUCER_KEYS - set(producer))}, "
                f"extra {sorted(set(producer) - _PRODUCER_KEYS)}"
            )
        if not isinstance(producer["mobile"], str) or not _MOBILE.match(producer["mobile"]):
            raise ValueError(f"producer {name!r}: mobile {producer['mobile']!r} is not +6757xxxxxxx")
        if producer["country"] != "PG":
            raise ValueError(f"producer {name!r}: country must be 'PG'")
        lat, lon = producer["latitude"], producer["longitude"]
        if not (PNG_LATITUDE[0] <= lat <= PNG_LATITUDE[1] and PNG_LONGITUDE[0] <= lon <= PNG_LONGITUDE[1]):
            raise ValueError(f"producer {name!r}: coordinates ({lat}, {lon}) are outside PNG")
        if producer["remoteness"] not in REMOTENESS:
            raise ValueError(f"producer {name!r}: unknown remoteness {producer['remoteness']!r}")
        languages = producer["languages"]
        if not languages or not all(isinstance(c, str) and _LANGUAGE.match(c) for c in languages):
            raise ValueError(f"producer {name!r}: languages must be ISO 639 codes, got {languages!r}")
        if not producer["capacity"]:
            raise ValueError(f"producer {name!r} makes nothing")
        for sku, units in producer["capacity"].items():
            if sku not in sku_set:
                raise ValueError(f"producer {name!r}: capacity for unknown sku {sku!r}")
            if not isinstance(units, int) or not 5 <= units <= 120:
                raise ValueError(f"producer {name!r}: capacity {units!r} for {sku} is not 5..120")

    unknown = [n for n in DECLINING_PRODUCERS if n not in set(names)]
    if unknown:
        raise ValueError(f"DECLINING_PRODUCERS not in PRODUCERS: {unknown}")

    # Buyers and orders.
    if len(BUYERS) < 2:
        raise ValueError("BUYERS needs at least 2 buyers")
    buyer_names = [b.get("name") for b in BUYERS]
    if _duplicates(buyer_names):
        raise ValueError(f"duplicate buyer names: {_duplicates(buyer_names)}")
    for buyer in BUYERS:
        name = buyer["name"]
        if not _EMAIL.match(buyer.get("email", "")):
            raise ValueError(f"buyer {name!r}: e-mail must be on example.com or example.org")
        dest = buyer.get("destination") or {}
        if not all(dest.get(k) for k in ("name", "city", "country")) or len(dest["country"]) != 2:
            raise ValueError(f"buyer {name!r}: destination needs name, city and a 2-letter country")
        if not (-90 <= dest.get("latitude", 999) <= 90 and -180 <= dest.get("longitude", 999) <= 180):
            raise ValueError(f"buyer {name!r}: destination coordinates are invalid")
        if not buyer["orders"]:
            raise ValueError(f"buyer {name!r} has no orders")
        for order in buyer["orders"]:
            if not 45 <= order["due_in_days"] <= 120:
                raise ValueError(f"buyer {name!r}: due_in_days {order['due_in_days']} is not 45..120")
            if not order["lines"]:
                raise ValueError(f"buyer {name!r}: an order has no lines")
            for line in order["lines"]:
                if line["sku"] not in sku_set:
                    raise ValueError(f"buyer {name!r}: ordered unknown sku {line['sku']!r}")
                if not isinstance(line["quantity"], int) or line["quantity"] <= 0:
                    raise ValueError(f"buyer {name!r}: quantity for {line['sku']} must be a positive int")
            _check_order_terms(name, order)

    # Capacity headroom after declines.
    capacity = capacity_by_sku(PRODUCERS, exclude=DECLINING_PRODUCERS)
    for sku, ordered in sorted(ordered_by_sku(BUYERS).items()):
        available = capacity.get(sku, 0)
        if sku == SHORT_SKU:
            if capacity_by_sku(PRODUCERS).get(sku, 0) >= ordered:
                raise ValueError(f"sku {sku}: ordered within its capacity, so no order ends short")
            continue
        if available < CAPACITY_HEADROOM * ordered:
            raise ValueError(
                f"sku {sku}: capacity without declining producers is {available}, "
                f"below 120% of the {ordered} units ordered "
                f"(need {int((CAPACITY_HEADROOM * ordered).to_integral_value(rounding='ROUND_CEILING'))})"
            )


def buyer_organisation(buyer: dict) -> str:
    """The demo's buyers are organisations of their own, named after the buyer."""
    return re.sub(r"[^a-z0-9]+", "-", buyer["name"].lower()).strip("-")


def _check_order_terms(buyer_name, order):
    """The order's Incoterm fits its transport and names a place; an order in another currency than its offerings'
    has a rate in ``EXCHANGE_RATES``."""
    terms = order.get("trade_terms") or {}
    problem = fit_problem(terms.get("incoterm", ""), terms.get("transport_mode", ""))
    if problem or not str(terms.get("named_place", "")).strip():
        raise ValueError(f"buyer {buyer_name!r}: trade terms {terms!r}: {problem or 'no named place'}")
    priced_in = {offering["sku"]: offering["currency"] for offering in OFFERINGS}[order["lines"][0]["sku"]]
    currency = order.get("currency", priced_in)
    rated = {(rate["base_currency"], rate["quote_currency"]) for rate in EXCHANGE_RATES}
    if currency != priced_in and (priced_in, currency) not in rated:
        raise ValueError(
            f"buyer {buyer_name!r}: an order in {currency} needs a rate from {priced_in} in EXCHANGE_RATES"
        )
