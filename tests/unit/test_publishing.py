import base64
import csv
import io
import struct
import zlib
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image as PillowImage

from services.catalogue.exports import render_csv, render_html
from services.catalogue.pictures import Image, picture_copies
from services.catalogue.publishing import (
    ARRANGEMENTS,
    CSV_COLUMNS,
    Contact,
    GroupStory,
    OfferingSheet,
    Theme,
    arrange,
    price_range,
)


def tiny_png(rgb=(160, 40, 30), width=4, height=3, claimed_size=None) -> bytes:
    """A real PNG; with claimed_size, one whose header promises far more pixels than its data holds."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", *(claimed_size or (width, height)), 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def tiny_jpeg(rgb=(20, 110, 60)) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (6, 4), rgb).save(buffer, "JPEG")
    return buffer.getvalue()


def sheet(sku, name, *, price="10.00", colour="Red", available=100, currency="PGK", images=None, **overrides):
    values = dict(
        sku=sku,
        name=name,
        description=f"{name}, hand made.",
        materials="bush string",
        colour=colour,
        size="40 x 30 cm",
        story="Woven in the evenings after the garden work.",
        price=Decimal(price),
        currency=currency,
        unit_weight_g=350,
        min_order=10,
        producer_count=12,
        available_units=available,
        images=[picture_copies(Image("image/png", tiny_png()))] if images is None else images,
    )
    values.update(overrides)
    return OfferingSheet(**values)


OFFERINGS = [
    sheet(
        "BILUM-001",
        "Highlands bilum",
        price="38.50",
        colour="red",
        available=240,
        images=[picture_copies(Image("image/png", tiny_png())), picture_copies(Image("image/jpeg", tiny_jpeg()))],
    ),
    sheet("KETE-002", "Māori kete", price="120.00", colour="Natural", available=12),
    sheet("NON-003", "Nón lá Tiếng Việt hat", price="9.99", colour="natural ", available=0),
    sheet("MAT-004", "Pandanus mat", price="20.00", colour="", available=1000, images=[]),
    sheet("FAN-005", "Coconut fan", price="0.80", colour="Red", available=240),
]


def theme(arrange_by="none", offerings=OFFERINGS, title="Pacific Christmas Fair 2026", **extra) -> Theme:
    return Theme(
        name="xmas-2026",
        title=title,
        description="Gifts made by women in remote villages.",
        arrange_by=arrange_by,
        offerings=list(offerings),
        **extra,
    )


def layout(arrange_by, offerings=OFFERINGS):
    return [
        (group.heading, [offering.sku for offering in group.offerings])
        for group in arrange(theme(arrange_by, offerings))
    ]


def test_colour_groups_are_alphabetical_case_blind_with_no_colour_last():
    assert layout("colour") == [
        ("Natural", ["KETE-002", "NON-003"]),
        ("Red", ["FAN-005", "BILUM-001"]),
        ("Colour not given", ["MAT-004"]),
    ]


def test_price_bands_go_up_in_one_two_five_steps_per_currency():
    offerings = OFFERINGS + [
        sheet("USD-006", "Shell necklace", price="19.99", currency="USD"),
        sheet("USD-007", "Carved bowl", price="20", currency="USD"),
    ]
    assert layout("price", offerings) == [
        ("PGK under 1", ["FAN-005"]),
        ("PGK 5 to under 10", ["NON-003"]),
        ("PGK 20 to under 50", ["MAT-004", "BILUM-001"]),
        ("PGK 100 to under 200", ["KETE-002"]),
        ("USD 10 to under 20", ["USD-006"]),
        ("USD 20 to under 50", ["USD-007"]),
    ]


def test_capacity_bands_put_what_can_be_made_in_quantity_first():
    offerings = OFFERINGS + [sheet("ONE-008", "Sample bag", available=1)]
    assert layout("capacity", offerings) == [
        ("1,000 to 1,999 units available", ["MAT-004"]),
        ("200 to 499 units available", ["FAN-005", "BILUM-001"]),
        ("10 to 19 units available", ["KETE-002"]),
        ("1 unit available", ["ONE-008"]),
        ("None available now", ["NON-003"]),
    ]


def test_an_unarranged_theme_keeps_the_curators_order():
    assert layout("none") == [(None, ["BILUM-001", "KETE-002", "NON-003", "MAT-004", "FAN-005"])]


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(prices, st.integers(0, 50_000), st.sampled_from(["Red", "red", "Blue", ""])), min_size=1, max_size=20
    ),
    st.sampled_from(ARRANGEMENTS),
)
def test_every_offering_appears_once_and_bands_do_not_overlap(values, arrange_by):
    offerings = [
        sheet(f"SKU-{index}", f"Item {index}", price=str(price), available=available, colour=colour, images=[])
        for index, (price, available, colour) in enumerate(values)
    ]
    groups = arrange(theme(arrange_by, offerings))
    assert sorted(o.sku for group in groups for o in group.offerings) == sorted(o.sku for o in offerings)
    assert len({group.heading for group in groups}) == len(groups)
    if arrange_by == "price":
        for lower, higher in zip(groups, groups[1:]):
            assert max(o.price for o in lower.offerings) < min(o.price for o in higher.offerings)
    if arrange_by == "capacity":
        for larger, smaller in zip(groups, groups[1:]):
            assert min(o.available_units for o in larger.offerings) > max(o.available_units for o in smaller.offerings)


def test_html_escapes_injected_markup_everywhere():
    hostile = sheet(
        "X-1",
        '<script>alert("name")</script>',
        description="<img src=x onerror=alert(1)>",
        colour='"><b>red',
        story="</article><iframe>",
        materials="a & b",
    )
    page = render_html(theme("colour", [hostile], title="<h1>Fair</h1>"))
    assert "<script>" not in page and "<iframe>" not in page and "<img src=x" not in page
    assert "<b>" not in page and "<h1>Fair</h1>" not in page
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "a &amp; b" in page
    assert 'alt="&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;, picture 1 of 1"' in page


def test_html_is_self_contained_mobile_friendly_and_in_group_order():
    page = render_html(theme("capacity"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "img-src data:" in page
    assert page.count('src="data:image/png;base64,') == 4
    assert page.count('src="data:image/jpeg;base64,') == 1
    assert "http://" not in page and "https://" not in page
    headings = [
        "1,000 to 1,999 units available",
        "200 to 499 units available",
        "10 to 19 units available",
        "None available now",
    ]
    positions = [page.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    assert page.index("FAN-005") < page.index("BILUM-001") < page.index("KETE-002")
    assert "PGK 38.50" in page and "Māori kete" in page


def test_csv_round_trips_with_plain_decimal_prices_in_catalogue_order():
    offerings = OFFERINGS + [sheet("BIG-009", "Wall hanging", price="1E+3")]
    rows = list(csv.DictReader(io.StringIO(render_csv(theme("price", offerings)))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["sku"] for row in rows] == ["FAN-005", "NON-003", "MAT-004", "BILUM-001", "KETE-002", "BIG-009"]
    by_sku = {row["sku"]: row for row in rows}
    assert by_sku["BIG-009"]["price"] == "1000"
    assert by_sku["BILUM-001"]["price"] == "38.50"
    for offering in offerings:
        row = by_sku[offering.sku]
        assert Decimal(row["price"]) == offering.price
        assert row["name"] == offering.name and row["description"] == offering.description
        assert int(row["available_units"]) == offering.available_units
    assert by_sku["FAN-005"]["group"] == "PGK under 1"


def test_csv_text_cannot_become_a_spreadsheet_formula():
    formula = sheet("F-1", '=HYPERLINK("http://x")', description="+1+1", materials="@SUM(A1)", story="-2")
    row = next(csv.DictReader(io.StringIO(render_csv(theme("none", [formula])))))
    assert row["name"] == '\'=HYPERLINK("http://x")'
    assert (row["description"], row["materials"], row["story"]) == ("'+1+1", "'@SUM(A1)", "'-2")
    assert row["price"] == "10.00"


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="not a whole image/png image"):
        Image("image/png", tiny_jpeg())
    with pytest.raises(ValueError, match="image/png or image/jpeg"):
        Image("image/svg+xml", b"<svg/>")
    with pytest.raises(ValueError, match="not a whole image/jpeg image"):
        Image("image/jpeg", b"\xff\xd8\xff<html>")
    with pytest.raises(ValueError, match="7000 x 7000 image is over 36,000,000 pixels"):
        Image("image/png", tiny_png(claimed_size=(7000, 7000)))
    with pytest.raises(ValueError, match="not a whole image/png image"):
        Image("image/png", tiny_png(claimed_size=(40, 40)))
    assert Image("image/png", tiny_png()).data_uri.startswith("data:image/png;base64,")
    with pytest.raises(TypeError, match="Decimal"):
        replace(OFFERINGS[0], price=9.99)
    with pytest.raises(ValueError, match="arrange_by"):
        theme("size")
    with pytest.raises(ValueError, match="a catalogue is in en, fr, ja, not 'de'"):
        theme("none", language="de")


def pictures_in(page: str) -> list[PillowImage.Image]:
    sources = page.split('src="data:')[1:]
    return [
        PillowImage.open(io.BytesIO(base64.b64decode(source.split(";base64,")[1].split('"')[0]))) for source in sources
    ]


def test_large_and_rotated_photos_get_upright_copies_for_print_web_and_phone():
    photo = io.BytesIO()
    PillowImage.new("RGB", (2400, 1800), (200, 160, 90)).save(photo, "JPEG")
    rotated = io.BytesIO()
    exif = PillowImage.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90 degrees clockwise to show
    PillowImage.new("RGB", (40, 20), (90, 90, 200)).save(rotated, "JPEG", exif=exif)
    large = picture_copies(Image("image/jpeg", photo.getvalue()))
    assert [large.copy(size).size for size in ("print", "web", "small")] == [(1600, 1200), (640, 480), (320, 240)]
    assert len(large.small_copy.data) < len(large.web_copy.data) < len(large.print_copy.data)
    upright = picture_copies(Image("image/jpeg", rotated.getvalue()))
    assert [upright.copy(size).size for size in ("print", "web", "small")] == [(20, 40)] * 3
    offering = sheet("PHOTO-1", "Photographed bilum", images=[large, upright])
    assert [picture.size for picture in pictures_in(render_html(theme("none", [offering])))] == [(640, 480), (20, 40)]


def test_a_page_served_from_a_link_offers_the_small_picture_first_and_inlines_nothing():
    page = render_html(theme("none"), image_address=lambda sku, position, size: f"/c/T/images/{sku}/{position}?{size}")
    assert "data:image" not in page and "img-src 'self'" in page
    assert (
        '<img src="/c/T/images/BILUM-001/1?small" srcset="/c/T/images/BILUM-001/1?small 320w, '
        '/c/T/images/BILUM-001/1?web 640w" sizes="14rem"' in page
    ), "a card shows a picture 14rem high: a phone of ordinary density takes the small copy"
    assert "form-action" not in page
    assert "form-action 'self'" in render_html(theme("none"), extra_section="<section>form</section>")


def test_french_and_japanese_readers_get_their_words_numbers_and_money():
    offerings = [sheet("BIG-1", "Grand bilum", price="3838.50", available=1200, colour="Rouge")]
    french = render_html(theme("capacity", offerings, language="fr"))
    assert '<html lang="fr">' in french
    assert "3\u202f838,50\u00a0PGK" in french
    assert "Commande minimum" in french and "1\u202f000 à 1\u202f999 unités disponibles" in french
    japanese = render_html(theme("capacity", offerings, language="ja"))
    assert "PGK 3,838.50" in japanese and "最小注文数" in japanese
    yen = replace(offerings[0], price=Decimal("4800"), currency="JPY")
    assert price_range(theme("none", [yen, replace(yen, price=Decimal("900"))])) == "JPY 900 to JPY 4,800"


def test_the_page_tells_who_makes_them_and_whom_to_write_to_never_a_producer():
    story = GroupStory("Wahgi valley weavers", "Jiwaka", "We loop bilums in the evenings.", 14, None)
    page = render_html(
        theme(
            "none",
            how_to_order="Write to us with the quantities you need.",
            contact=Contact("Highlands Co-operative", "orders@example.org", "+675 7000 1234"),
            stories=(story,),
        )
    )
    assert "Who makes them" in page and "Wahgi valley weavers" in page and "14 producers" in page
    assert 'href="mailto:orders@example.org"' in page and "+675 7000 1234" in page
    assert page.index("Who makes them") < page.index("How to order")
