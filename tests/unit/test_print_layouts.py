import io
import re
from decimal import Decimal
from functools import cache

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image as PillowImage
from pypdf import PdfReader
from pypdf.generic import ContentStream

from services.catalogue.pictures import Image, picture_copies
from services.catalogue.print_layouts import FLYER_MOST, LEAFLET_MOST, LayoutTooSmall, render_pdf
from services.catalogue.publishing import (
    Contact,
    GroupStory,
    MarketRequirement,
    OfferingSheet,
    Theme,
    arrange,
    price_text,
)
from shared.pdf import LineBreaker, text_font

JAPANESE_DESCRIPTION = (
    "パプアニューギニアの高地で女性たちが一本ずつ撚った植物繊維の糸を使い、夕方の畑仕事の後に少しずつ編み上げた"
    "手提げ袋です。伝統的な模様は村ごとに異なり、母から娘へと受け継がれてきました。丈夫で軽く、買い物にも旅にも"
    "使えます。一つ作るのにおよそ三週間かかり、同じものは二つとありません。売上は編み手の家族の学費や医療費に"
    "使われ、村の暮らしを支えています。染料には森の木の実や土を使い、色合いは季節や材料によって少しずつ変わり"
    "ます。お届けの際は一つずつ紙に包み、編み手の名前と村の名前を書いたカードを添えています。大口のご注文は"
    "生産者グループと相談のうえ、納期をお知らせします。"
)
TEXTS = {
    "en": {
        "title": "Pacific Christmas Fair 2026 — “Made by hand”",
        "description": "Bags, baskets and coffee made by women in remote villages of the Highlands.",
        "names": ["Highlands bilum (medium)", "Māori kete", "Nón lá hat", "Pandanus mat", "Coconut fan"],
        "story": "Woven in the evenings after the garden work, as their mothers taught them.",
        "how": "Write to us with the quantities you need: we answer within two days with a quote.",
    },
    "fr": {
        "title": "Foire de Noël du Pacifique 2026",
        "description": "Sacs, paniers et café faits par des femmes de villages isolés des Hautes-Terres.",
        "names": ["Bilum des Hautes-Terres (moyen)", "Kete māori", "Chapeau nón lá", "Natte de pandanus", "Éventail"],
        "story": "Tissé le soir après le travail au jardin, comme leurs mères le leur ont appris.",
        "how": "Écrivez-nous avec les quantités voulues : nous répondons sous deux jours avec un devis.",
    },
    "ja": {
        "title": "太平洋クリスマスフェア2026",
        "description": JAPANESE_DESCRIPTION,
        "names": [
            "ハイランド・ビルム・バッグ（中）",
            "マオリのケテ",
            "ノンラー帽子",
            "パンダナスのマット",
            "ココナツの扇",
        ],
        "story": "畑仕事の後の夕方に、母から教わった通りに編みました。",
        "how": "必要な数量をお知らせください。二日以内にお見積もりをお送りします。",
    },
}
COLOURS = ["red", "natural", "blue", "natural", "black"]


def png(rgb: tuple[int, int, int], size: tuple[int, int] = (90, 60)) -> Image:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, rgb).save(buffer, "PNG")
    return Image("image/png", buffer.getvalue())


def rgb_of(index: int) -> tuple[int, int, int]:
    """A colour of its own for each picture: the picture is found again in the PDF by its colour."""
    return (37 * index % 256, 91 * index % 200 + 40, 173 * index % 256)


def offering(index: int, language: str = "en", pictures: int = 1, **overrides) -> OfferingSheet:
    texts = TEXTS[language]
    names = texts["names"]
    name = names[index % len(names)] + ("" if index < len(names) else f" {index}")
    values = dict(
        sku=f"SKU-{index:03}",
        name=name,
        description=texts["description"],
        materials="bush string",
        colour=COLOURS[index % len(COLOURS)],
        size="40 x 30 cm",
        story=texts["story"],
        price=Decimal("9.80") + index * Decimal("7.35"),
        currency="PGK",
        unit_weight_g=350,
        min_order=10,
        producer_count=12,
        available_units=40 * (index + 1),
        images=[picture_copies(png(rgb_of(index * 4 + number), (90 + 30 * number, 60))) for number in range(pictures)],
        hs_code="4602.19",
        origin_country="PG",
        markets=(MarketRequirement("EU", "Paper bag", "Origin on a sewn label", ("FSC",)),),
    )
    values.update(overrides)
    return OfferingSheet(**values)


def theme(count: int = 5, language: str = "en", arrange_by: str = "colour", pictures: int = 1, **overrides) -> Theme:
    texts = TEXTS[language]
    values = dict(
        name="xmas-2026",
        title=texts["title"],
        description=texts["description"],
        arrange_by=arrange_by,
        offerings=[offering(index, language, pictures) for index in range(count)],
        language=language,
        how_to_order=texts["how"],
        contact=Contact("Highlands Co-operative", "orders@example.org", "+675 7000 1234", "https://example.org"),
        stories=(
            GroupStory("Wahgi valley weavers", "Jiwaka", texts["story"], 14, picture_copies(png((200, 150, 40)))),
            GroupStory("Kundiawa meri", "Chimbu", texts["story"], 9, picture_copies(png((20, 120, 160)))),
        ),
    )
    values.update(overrides)
    return Theme(**values)


MM = 72 / 25.4
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
CASES = [(layout, language, "a4") for layout in ("flyer", "leaflet", "booklet") for language in TEXTS] + [
    ("flyer", language, "letter") for language in TEXTS
]


@cache
def rendered(layout: str, language: str, paper: str = "a4") -> tuple[Theme, PdfReader]:
    sheet = theme(5, language, pictures=2 if layout == "booklet" else 1)
    return sheet, PdfReader(io.BytesIO(render_pdf(sheet, layout, paper)))


def compact(text: str) -> str:
    """Text as a check compares it: a name broken over two lines is still the name."""
    return "".join(text.split())


def colours(reader: PdfReader) -> set[tuple[int, int, int]]:
    """The colour of every picture in the document (each test picture is of one colour)."""
    return {image.image.convert("RGB").getpixel((0, 0)) for page in reader.pages for image in page.images}


Box = tuple[float, float, float, float]


def _glyph_widths(font) -> tuple[dict[int, float], float]:
    """The widths (in thousandths of the size) of an embedded font's glyphs, from its /W array."""
    descendant = font["/DescendantFonts"][0].get_object()
    entries, widths, index = list(descendant.get("/W", [])), {}, 0
    while index < len(entries):
        first, following = int(entries[index]), entries[index + 1]
        if isinstance(following, list):
            widths.update({first + offset: float(width) for offset, width in enumerate(following)})
            index += 2
        else:
            widths.update({glyph: float(entries[index + 2]) for glyph in range(first, int(following) + 1)})
            index += 3
    return widths, float(descendant.get("/DW", 1000))


def _transformed(matrix, x0: float, y0: float, x1: float, y1: float) -> Box:
    a, b, c, d, e, f = matrix
    xs = [a * x + c * y + e for x in (x0, x1) for y in (y0, y1)]
    ys = [b * x + d * y + f for x in (x0, x1) for y in (y0, y1)]
    return min(xs), min(ys), max(xs), max(ys)


def drawn(reader: PdfReader, page) -> dict[str, list[Box]]:
    """Where the page's texts (each run from its first letter to the end of its last), pictures (with the panel
    they are centred on) and shapes are drawn, read from its content stream with the fonts' own glyph widths."""
    fonts = {name: _glyph_widths(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
    found: dict[str, list[Box]] = {"text": [], "picture": [], "shape": []}
    matrix, font, size, x, y, saved = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), None, 0.0, 0.0, 0.0, []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            saved.append((matrix, font, size))
        elif operator == b"Q":
            matrix, font, size = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            m = matrix
            matrix = (
                a * m[0] + b * m[2],
                a * m[1] + b * m[3],
                c * m[0] + d * m[2],
                c * m[1] + d * m[3],
                e * m[0] + f * m[2] + m[4],
                e * m[1] + f * m[3] + m[5],
            )
        elif operator == b"BT":
            x = y = 0.0
        elif operator == b"Td":
            x, y = x + float(operands[0]), y + float(operands[1])
        elif operator == b"Tf":
            font, size = fonts[operands[0]], float(operands[1])
        elif operator in (b"Tj", b"TJ"):
            assert font is not None
            for part in operands[0] if operator == b"TJ" else [operands[0]]:
                if isinstance(part, (int, float)):
                    x -= float(part) / 1000 * size
                    continue
                data = bytes(getattr(part, "original_bytes", part))
                glyphs = [int.from_bytes(data[index : index + 2], "big") for index in range(0, len(data), 2)]
                width = sum(font[0].get(glyph, font[1]) for glyph in glyphs) / 1000 * size
                found["text"].append(_transformed(matrix, x, y - 0.25 * size, x + width, y + 0.9 * size))
                x += width
        elif operator == b"Do":
            picture = _transformed(matrix, 0, 0, 1, 1)
            frame = found["shape"][-1] if found["shape"] else None
            inside = frame is not None and all(frame[i] <= picture[i] + 0.01 for i in (0, 1))
            inside = inside and all(picture[i] <= frame[i] + 0.01 for i in (2, 3))
            found["picture"].append(frame if inside else picture)
        elif operator == b"re":
            left, bottom, width, height = (float(value) for value in operands)
            found["shape"].append(_transformed(matrix, left, bottom, left + width, bottom + height))
        else:
            assert operator not in (b"Tm", b"T*", b"'", b'"'), operator
    return found


def covered(boxes: list[Box], height: float) -> float:
    """The share of the page's height that has a text or a picture at some point across."""
    spans = sorted((max(box[1], 0.0), min(box[3], height)) for box in boxes)
    total, reached = 0.0, 0.0
    for low, high in spans:
        if high > reached:
            total += high - max(low, reached)
            reached = high
    return total / height


@pytest.mark.parametrize("layout, language, paper", CASES)
def test_every_offering_is_on_the_layouts_pages_with_its_picture_name_price_and_terms(layout, language, paper):
    sheet, reader = rendered(layout, language, paper)
    words = sheet.wording
    pages = [compact(page.extract_text()) for page in reader.pages]
    if layout == "booklet":
        assert len(pages) >= 4
        assert compact(sheet.title) in pages[0] and compact(sheet.contact.name) in pages[0]
        assert compact(sheet.how_to_order) in pages[-1] and sheet.contact.email in pages[-1]
    else:
        assert len(pages) == {"flyer": 1, "leaflet": 2}[layout]
    text = "".join(pages)
    for offering in sheet.offerings:
        assert compact(offering.name) in text
        assert compact(price_text(offering, words)) in text
    if layout == "flyer":
        assert compact(words.plural("{count} unit", "{count} units", 10)) in text
        assert compact(words("Minimum order")) in text and compact(words("Available")) in text
    for page in reader.pages:
        assert [round(float(side), 1) for side in page.mediabox[2:]] == [round(s, 1) for s in PAPER_POINTS[paper]]
    shown = range(2) if layout == "booklet" else range(1)
    expected = {rgb_of(index * 4 + number) for index in range(len(sheet.offerings)) for number in shown}
    if layout != "flyer":
        expected |= {(200, 150, 40), (20, 120, 160)}  # the producers' pictures
    assert expected <= colours(reader)


@pytest.mark.parametrize("layout, language, paper", CASES)
def test_nothing_is_drawn_off_the_page_and_no_page_is_mostly_empty(layout, language, paper):
    _, reader = rendered(layout, language, paper)
    width, height = PAPER_POINTS[paper]
    for number, page in enumerate(reader.pages, start=1):
        found = drawn(reader, page)
        assert found["text"] and (found["picture"] or number == len(reader.pages))
        for left, bottom, right, top in found["picture"] + found["shape"]:
            assert -0.01 <= left <= right <= width + 0.01 and -0.01 <= bottom <= top <= height + 0.01
        for left, bottom, right, top in found["text"]:
            assert 5 * MM <= left <= right <= width - 5 * MM, (number, left, right)
            assert 5 * MM <= bottom <= top <= height - 5 * MM, (number, bottom, top)
        assert covered(found["text"] + found["picture"], height) >= 0.6, number


def alternative_texts(reader: PdfReader) -> list[str]:
    found, nodes = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while nodes:
        node = nodes.pop().get_object()
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            nodes.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    return found


def font_names(reader: PdfReader) -> set[str]:
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    return {str(font["/BaseFont"]).split("+")[-1] for font in fonts}


def test_a_booklet_bookmarks_each_section_says_its_language_and_describes_its_pictures():
    sheet, reader = rendered("booklet", "en")
    headings = [group.heading for group in arrange(sheet)]
    assert [item.title for item in reader.outline] == headings + ["Who makes them", "How to order"]
    assert reader.trailer["/Root"]["/Lang"] == "en" and reader.metadata.title == sheet.title
    assert compact("Pacific Christmas Fair 2026 — “Made by hand”") in compact(reader.pages[0].extract_text())
    alternatives = alternative_texts(reader)
    for offering in sheet.offerings:
        assert f"{offering.name}, picture 2 of 2" in alternatives
    for page in reader.pages[1:-1]:
        assert sum(compact(offering.name) in compact(page.extract_text()) for offering in sheet.offerings) <= 4
    assert font_names(reader) == {"DejaVuSansBook", "DejaVuSansBold"}
    _, japanese = rendered("booklet", "ja")
    assert japanese.trailer["/Root"]["/Lang"] == "ja"
    assert font_names(japanese) == {"DejaVuSansBook", "DejaVuSansBold", "VLPGothic"}


def test_an_unarranged_booklet_has_no_section_headings_and_runs_its_offerings_on():
    reader = PdfReader(io.BytesIO(render_pdf(theme(5, arrange_by="none", pictures=1), "booklet", "a4")))
    assert [item.title for item in reader.outline] == ["Who makes them", "How to order"]
    assert "Black" not in reader.pages[1].extract_text()


def test_a_layout_that_cannot_hold_the_catalogue_legibly_is_refused_with_the_one_to_choose():
    with pytest.raises(
        LayoutTooSmall, match=f"at most {FLYER_MOST} offerings and this catalogue has 13: choose a booklet"
    ):
        render_pdf(theme(FLYER_MOST + 1), "flyer", "a4")
    with pytest.raises(
        LayoutTooSmall, match=f"at most {LEAFLET_MOST} offerings and this catalogue has 17: choose a booklet"
    ):
        render_pdf(theme(LEAFLET_MOST + 1, pictures=0), "leaflet", "a4")
    crowded = theme(FLYER_MOST, offerings=[offering(index, name="Long name " * 20) for index in range(FLYER_MOST)])
    with pytest.raises(LayoutTooSmall, match="more text than its place on the page holds"):
        render_pdf(crowded, "flyer", "a4")
    with pytest.raises(LayoutTooSmall, match="no offerings"):
        render_pdf(theme(0), "booklet", "a4")
    with pytest.raises(ValueError, match="paper is one of a4, letter, not 'a3'") as refused:
        render_pdf(theme(1), "flyer", "a3")
    assert not isinstance(refused.value, LayoutTooSmall)
    assert len(PdfReader(io.BytesIO(render_pdf(theme(LEAFLET_MOST, "ja", pictures=0), "leaflet", "a4"))).pages) == 2


@settings(max_examples=4, deadline=None)
@given(st.integers(1, FLYER_MOST), st.sampled_from(["en", "ja"]), st.sampled_from(["a4", "letter"]))
def test_a_flyer_of_any_count_up_to_its_limit_is_one_page_with_every_offering(count, language, paper):
    sheet = theme(count, language)
    reader = PdfReader(io.BytesIO(render_pdf(sheet, "flyer", paper)))
    assert len(reader.pages) == 1
    text = compact(reader.pages[0].extract_text())
    assert all(compact(offering.name) in text for offering in sheet.offerings)
    assert {rgb_of(index * 4) for index in range(count)} <= colours(reader)
    found = drawn(reader, reader.pages[0])
    assert covered(found["text"] + found["picture"], PAPER_POINTS[paper][1]) >= 0.6


def test_long_texts_take_smaller_type_and_only_a_flyers_description_is_cut_short():
    long_description = "Every bilum is looped by hand from bush string. " * 100
    sheet = theme(
        3, description=long_description, offerings=[offering(index, description=long_description) for index in range(3)]
    )
    flyer = PdfReader(io.BytesIO(render_pdf(sheet, "flyer", "a4")))
    text = flyer.pages[0].extract_text()
    assert len(flyer.pages) == 1 and "…" in text and compact(long_description) not in compact(text)
    booklet = PdfReader(io.BytesIO(render_pdf(sheet, "booklet", "a4")))
    for page in booklet.pages:
        for left, bottom, right, top in drawn(booklet, page)["text"]:
            assert 0 <= left <= right <= PAPER_POINTS["a4"][0] and 0 <= bottom <= top <= PAPER_POINTS["a4"][1]
    assert compact(long_description) in compact(booklet.pages[0].extract_text() + booklet.pages[1].extract_text())


@cache
def breaker() -> tuple[FPDF, LineBreaker]:
    pdf = FPDF()
    family, _ = text_font(pdf, japanese=True)
    pdf.add_page()
    pdf.set_font(family, "", 10)
    return pdf, LineBreaker(pdf)


PHRASES = [
    "ハイランド",
    "ビルム・",
    "バッグ（中）",
    "です。",
    "扇、",
    "「帽子」を",
    "マット",
    "ショップ",
    " PGK 9.80 ",
    " bilum ",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=40), st.floats(15, 90))
def test_japanese_breaks_between_letters_within_the_width_never_before_closing_marks(phrases, width):
    pdf, lines_of = breaker()
    text = "".join(phrases)
    lines = lines_of.lines(text, width)
    assert compact("".join(lines)) == compact(text)
    assert all(pdf.get_string_width(line) <= width + 1e-6 for line in lines)
    assert all(line for line in lines)
    assert not any(line[0] in "、。）」・ッー" for line in lines[1:])
    assert not any(line[-1] in "（「" for line in lines[:-1])
    assert {word for line in lines for word in re.findall(r"[A-Za-z0-9.]+", line)} <= {"PGK", "9.80", "bilum"}
