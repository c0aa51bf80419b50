import string
from datetime import date, datetime, timezone

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from services.notification import message_values, templates
from services.notification.sms import REPLY_ERRORS, encoded_length, is_gsm7, sms_segments
from services.notification.templates import FIELDS, KINDS, LANGUAGES, choose_language, render
from shared.translations import catalogue_path
from shared.zones import ZONE_PLACES, ZONE_WORDING

ZONE_WORDS = [("time zone", ZONE_WORDING), *(("time zone place", place) for place in ZONE_PLACES.values())]
TRANSLATED = [language for language in LANGUAGES if language != "en"]

# Values at the top of what the SMS texts are designed for: names of 30 letters, four-digit quantities.
TYPICAL = dict(
    name="Goroka Meri Bilum Group",
    ref="K7Q2MD",
    quantity=9999,
    product="Highlands bilum bag, medium",
    respond_by=datetime(2026, 9, 30, 23, 30, tzinfo=timezone.utc),
    pickup_at=datetime(2026, 9, 29, 22, 0, tzinfo=timezone.utc),
    place="Asaro Valley collection hub",
    order_id="ord_4f2a9c1d7e3b5a60",
    units=12000,
    promised_by=date(2027, 9, 30),
    ordered=12000,
    short=1500,
    expected_on=date(2027, 9, 20),
    producer="Asaro Valley Women Weavers",
    defects=14,
    sample_size=125,
    count=37,
    service="consolidation",
    shipment_id="shp_4f2a9c1d7e3b5a60",
    due_on=date(2027, 9, 15),
    contact="+675 7000 0101",
    day=date(2026, 9, 22),
    items=["Order ord_1 allocated", "Lot of 20 bags passed"],
    city="Port Moresby",
    asked=99999,
    more=9999,
    total=9999,
    balance="PGK 12,345.60",
    earned="PGK 123,456.70",
    last_paid="PGK 12,345.60",
    paid_on=date(2026, 9, 28),
    amount="PGK 12,345.60",
    description="yarn and dye for 40 bags",
    reference="MP240918.1532.C00412",
    works="K7Q2MD, H3B9XP, Q4R7TN",
    number="PF-2026-00001",
    deposit="USD 61,700.00",
    corrects="INV-2026-00001",
    outstanding="USD 123,400.00",
    days=45,
    documents="INV-2026-00001, PF-2026-00001",
    claimed_units=9999,
    accepted_units=9999,
    reason="12 bags arrived with torn straps; the photos show it.",
    credit_note="CN-2026-00001",
    requester="Aiko Tanaka",
    company="Kiriko Trading, JP",
    reply_to="aiko.tanaka@kiriko.example.jp",
    message="Could the bags reach Yokohama by March?",
    title="Highland bilums for Japan",
)

EXPECTED_KINDS = {
    "quota_offered",
    "quota_reminder",
    "quota_reallocated",
    "quota_accepted_ack",
    "lot_received_ack",
    "inspection_passed",
    "inspection_failed",
    "pickup_scheduled",
    "order_confirmed",
    "order_shortfall",
    "order_shipped",
    "order_delivered",
    "aggregator_shortfall",
    "aggregator_lot_rejected",
    "aggregator_dead_letters",
    "aggregator_shipment_late",
    "aggregator_unreachable",
    "aggregator_quote_requested",
    "daily_digest",
    "sms_reply_unknown",
    "sms_help",
    "order_received",
    "quota_declined_ack",
    "lot_rework_requested",
    "lot_shipment_planned",
    "sms_reply_quantity_refused",
    "sms_reply_closed",
    "quota_top_up_offered",
    "quota_top_up_accepted_ack",
    "quota_top_up_declined_ack",
    "quota_top_up_lapsed",
    "sms_reply_top_up_refused",
    "balance",
    "balance_unpaid",
    "balance_empty",
    "advance_recorded",
    "payout_confirmed",
    "document_proforma",
    "document_proforma_total",
    "document_invoice",
    "document_invoice_total",
    "document_credit_note",
    "document_credit_note_order",
    "document_packing_list",
    "payment_overdue",
    "claim_accepted",
    "claim_accepted_credited",
    "claim_partly_accepted",
    "claim_partly_accepted_credited",
    "claim_rejected",
    *(f"sms_error_{reason}" for reason in REPLY_ERRORS),
}


def catalogue(language: str):
    with catalogue_path("bilum", language).open("rb") as source:
        return read_po(source, locale=language, domain="bilum")


def values_for(kind, **overrides):
    return {field: overrides.get(field, TYPICAL[field]) for field in FIELDS[kind]}


def test_every_kind_is_written():
    assert set(KINDS) == EXPECTED_KINDS


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(EXPECTED_KINDS))
def test_every_kind_renders_in_every_language_and_fits_one_sms(kind, language):
    rendered = render(kind, [language], zone="Pacific/Port_Moresby", **values_for(kind))
    assert rendered.language == language
    assert rendered.subject and rendered.text and rendered.sms_text
    assert "{" not in rendered.text + rendered.subject + rendered.sms_text
    assert "\n" not in rendered.subject
    assert is_gsm7(rendered.sms_text)
    assert encoded_length(rendered.sms_text) <= 160, rendered.sms_text
    assert sms_segments(rendered.sms_text) == [rendered.sms_text]
    for field in FIELDS[kind] - {
        "respond_by",
        "pickup_at",
        "promised_by",
        "expected_on",
        "due_on",
        "day",
        "paid_on",
        "items",
        "name",
    }:
        assert str(TYPICAL[field]) in rendered.text, field


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_form_of_every_kind_is_found_in_the_catalogue_and_asks_for_the_same_values(language):
    """A context the code looks up that the catalogue lacks would silently read as English."""
    catalog = catalogue(language)
    for kind in KINDS:
        used = set()
        for form, (context, english) in templates.forms(kind).items():
            message = catalog.get(english, context=context)
            assert message is not None and message.string and not message.fuzzy, (kind, form)
            used |= {name for _, name, _, _ in string.Formatter().parse(message.string) if name}
        assert used == FIELDS[kind], kind
    for context, english in [*message_values.FORMATS.items(), *ZONE_WORDS]:
        assert catalog.get(english, context=context).string, context


def test_the_languages_really_differ():
    offers = {
        language: render("quota_offered", [language], **values_for("quota_offered")).sms_text for language in LANGUAGES
    }
    assert len(set(offers.values())) == 3
    assert "Bekim YES K7Q2MD" in offers["tpi"] and "Répondez YES K7Q2MD" in offers["fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quota_offer_says_how_to_answer(language):
    rendered = render("quota_offered", [language], **values_for("quota_offered"))
    for part in (rendered.text, rendered.sms_text):
        assert "YES K7Q2MD" in part and "NO K7Q2MD" in part
    assert "YES K7Q2MD 20" in rendered.text


@pytest.mark.parametrize(
    "language, asked",
    [
        (
            "en",
            "can you make another 6 x Bilum bag for work K7Q2MD, 18 in all? Reply YES K7Q2MD or NO K7Q2MD by "
            "14 Dec 17:00 PNG time.",
        ),
        (
            "fr",
            "pouvez-vous faire 6 x Bilum bag de plus, 18 en tout ? Répondez YES K7Q2MD ou NO K7Q2MD avant le "
            "14 déc. à 17h00 heure de PNG.",
        ),
        (
            "tpi",
            "yu inap wokim 6 x Bilum bag moa long wok K7Q2MD, olgeta 18? Bekim YES K7Q2MD o NO K7Q2MD pastaim long "
            "14 Desemba 17:00 PNG taim.",
        ),
    ],
)
def test_a_top_up_asks_for_the_extra_units_and_says_the_new_total_with_the_quotas_own_code(language, asked):
    rendered = render(
        "quota_top_up_offered",
        [language],
        zone="Pacific/Port_Moresby",
        name="Meri",
        ref="K7Q2MD",
        more=6,
        total=18,
        product="Bilum bag",
        respond_by=datetime(2026, 12, 14, 7, 0, tzinfo=timezone.utc),
    )
    assert rendered.sms_text == f"Bilum: {asked}"
    assert "YES K7Q2MD 5" in rendered.text and "NO K7Q2MD" in rendered.text, "the email shows a part taken too"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answers_about_a_top_up_say_what_she_makes_now(language):
    accepted = render(
        "quota_top_up_accepted_ack", [language], name="Meri", ref="K7Q2MD", more=6, total=18, product="Bilum bag"
    )
    declined = render(
        "quota_top_up_declined_ack", [language], name="Meri", ref="K7Q2MD", quantity=12, product="Bilum bag"
    )
    lapsed = render(
        "quota_top_up_lapsed", [language], name="Meri", ref="K7Q2MD", more=6, quantity=12, product="Bilum bag"
    )
    assert "6 x Bilum bag" in accepted.sms_text and "18" in accepted.sms_text
    assert "12 x Bilum bag" in declined.sms_text
    assert "6 x Bilum bag" in lapsed.sms_text and "12" in lapsed.sms_text
    english = render(
        "quota_top_up_accepted_ack", ["en"], name="Meri", ref="K7Q2MD", more=6, total=18, product="Bilum bag"
    )
    assert english.sms_text == "Bilum: thank you! You will make another 6 x Bilum bag for work K7Q2MD, 18 in all."


@pytest.mark.parametrize(
    "languages, chosen",
    [
        (["tpi", "en"], "tpi"),
        (["ho", "tpi"], "tpi"),
        (["fr-FR"], "fr"),
        (["FR_ca", "en"], "fr"),
        (["de", "es"], "en"),
        ([], "en"),
        (None, "en"),
        (["en", "fr"], "en"),
    ],
)
def test_the_first_language_we_write_is_chosen_else_english(languages, chosen):
    assert choose_language(languages) == chosen
    assert render("sms_help", languages).language == chosen


def test_missing_values_are_an_error_not_a_blank():
    values = values_for("quota_offered")
    del values["respond_by"]
    with pytest.raises(ValueError, match="respond_by"):
        render("quota_offered", ["en"], **values)


def test_misspelt_values_are_an_error():
    with pytest.raises(ValueError, match="respnd_by"):
        render("quota_offered", ["en"], respnd_by=TYPICAL["respond_by"], **values_for("quota_offered"))


def test_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown message kind"):
        render("quota_ofered", ["en"])


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        render("quota_offered", ["en"], **values_for("quota_offered", respond_by=datetime(2026, 12, 1, 9, 30)))


@pytest.mark.parametrize(
    "language, long, short",
    [
        ("en", "by Tuesday 1 December 2026, 19:30 PNG time (UTC+10).", "by 1 Dec 19:30 PNG time."),
        (
            "fr",
            "avant le mardi 1er décembre 2026 à 19h30 heure de PNG (UTC+10).",
            "avant le 1er déc. à 19h30 heure de PNG.",
        ),
        (
            "tpi",
            "pastaim long Tunde 1 Desemba 2026, 19:30 PNG taim (UTC+10).",
            "pastaim long 1 Desemba 19:30 PNG taim.",
        ),
    ],
)
def test_a_deadline_is_written_the_way_each_language_writes_it_in_the_recipients_zone_and_names_it(
    language, long, short
):
    respond_by = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    rendered = render(
        "quota_offered", [language], zone="Pacific/Port_Moresby", **values_for("quota_offered", respond_by=respond_by)
    )
    assert long in rendered.text
    assert short in rendered.sms_text


@pytest.mark.parametrize(
    "zone, language, named",
    [
        ("Pacific/Bougainville", "en", "by 1 Dec 20:30 Bougainville time."),
        ("Pacific/Bougainville", "tpi", "pastaim long 1 Desemba 20:30 Bougainville taim."),
        ("Asia/Tokyo", "fr", "avant le 1er déc. à 18h30 heure de Tokyo."),
    ],
)
def test_a_deadline_elsewhere_is_named_by_its_city(zone, language, named):
    respond_by = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    rendered = render("quota_offered", [language], zone=zone, **values_for("quota_offered", respond_by=respond_by))
    assert rendered.sms_text.endswith(named)


DEADLINE_KINDS = sorted(kind for kind in KINDS if FIELDS[kind] & message_values.DEADLINES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("month", range(1, 13))
def test_a_deadline_in_any_month_fits_one_sms(month, language):
    """Month names differ in length (septembre, Septemba): the top of the designed values fits in every month."""
    respond_by = datetime(2026, month, 28, 13, 30, tzinfo=timezone.utc)
    assert DEADLINE_KINDS == ["quota_offered", "quota_reminder", "quota_top_up_offered"]
    for kind in DEADLINE_KINDS:
        rendered = render(kind, [language], zone="Pacific/Port_Moresby", **values_for(kind, respond_by=respond_by))
        assert encoded_length(rendered.sms_text) <= 160, rendered.sms_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_deadline_in_bougainville_fits_one_sms_with_an_ordinary_name(language):
    respond_by = datetime(2026, 9, 28, 13, 30, tzinfo=timezone.utc)
    for kind in DEADLINE_KINDS:
        values = values_for(
            kind, respond_by=respond_by, product="Bilum bag, medium, red", quantity=200, more=20, total=220
        )
        rendered = render(kind, [language], zone="Pacific/Bougainville", **values)
        assert "Bougainville" in rendered.sms_text and encoded_length(rendered.sms_text) <= 160, rendered.sms_text


def test_a_time_that_is_not_a_deadline_leaves_her_own_zone_out_of_the_sms():
    rendered = render(
        "pickup_scheduled",
        ["en"],
        zone="Pacific/Port_Moresby",
        **values_for("pickup_scheduled", pickup_at=datetime(2026, 9, 29, 22, 0, tzinfo=timezone.utc)),
    )
    assert "on 30 Sep 08:00. Please have them ready." in rendered.sms_text
    assert "on Wednesday 30 September 2026, 08:00 (UTC+10)." in rendered.text


def test_without_a_zone_times_say_they_are_utc():
    rendered = render(
        "quota_offered",
        ["en"],
        **values_for("quota_offered", respond_by=datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)),
    )
    assert "1 Dec 09:30 UTC" in rendered.sms_text
    assert "Tuesday 1 December 2026, 09:30 UTC" in rendered.text


def test_a_half_hour_zone_is_labelled_with_its_minutes():
    rendered = render(
        "pickup_scheduled",
        ["en"],
        zone="Asia/Kolkata",
        **values_for("pickup_scheduled", pickup_at=datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)),
    )
    assert "Monday 2 March 2026, 08:30 (UTC+5:30)" in rendered.text


@pytest.mark.parametrize(
    "language, expected",
    [("en", "Monday 1 February 2027"), ("fr", "lundi 1er février 2027"), ("tpi", "Mande 1 Februeri 2027")],
)
def test_dates_are_written_in_each_language(language, expected):
    rendered = render("order_confirmed", [language], **values_for("order_confirmed", promised_by=date(2027, 2, 1)))
    assert expected in rendered.text


def test_the_digest_lists_its_items_and_the_sms_counts_them():
    rendered = render("daily_digest", ["en"], **values_for("daily_digest", items=["one", "two", "three"]))
    assert "- one\n- two\n- three" in rendered.text
    assert rendered.sms_text.startswith("Bilum: 3 updates")


def test_names_with_accents_gsm7_lacks_keep_the_sms_in_gsm7():
    rendered = render(
        "inspection_passed", ["fr"], **values_for("inspection_passed", product="Sac tressé “Hương” — grand")
    )
    assert 'Sac tressé "Huong" - grand' in rendered.sms_text
    assert is_gsm7(rendered.sms_text)
    assert "Sac tressé “Hương” — grand" in rendered.text, "the email keeps the name as written"


def test_the_english_reply_texts_are_the_parsers():
    for reason, text in REPLY_ERRORS.items():
        assert render(f"sms_error_{reason}", ["en"]).sms_text == text


@given(
    product=st.text(alphabet=st.characters(codec="latin-1", categories=("L", "Zs")), max_size=30),
    quantity=st.integers(min_value=1, max_value=9999),
    language=st.sampled_from(LANGUAGES),
    kind=st.sampled_from(
        [
            "quota_offered",
            "quota_reminder",
            "quota_accepted_ack",
            "lot_received_ack",
            "inspection_passed",
            "inspection_failed",
            "quota_reallocated",
            "quota_top_up_offered",
            "quota_top_up_accepted_ack",
            "quota_top_up_declined_ack",
            "quota_top_up_lapsed",
        ]
    ),
)
def test_producer_messages_fit_one_sms_for_any_short_product_name(product, quantity, language, kind):
    rendered = render(
        kind,
        [language],
        zone="Pacific/Port_Moresby",
        **values_for(kind, product=product, quantity=quantity, more=quantity, total=quantity),
    )
    assert is_gsm7(rendered.sms_text)
    assert encoded_length(rendered.sms_text) <= 160
