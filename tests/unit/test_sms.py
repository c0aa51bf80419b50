import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notification.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    HELP_TEXT,
    REPLY_ERRORS,
    Reply,
    ReplyError,
    encoded_length,
    is_gsm7,
    parse_reply,
    sms_segments,
    to_gsm7,
)
from shared.ids import REF_ALPHABET, short_ref


@pytest.mark.parametrize(
    "text, expected",
    [
        ("YES K7Q2MD", Reply("accept", "K7Q2MD", None)),
        ("yes k7q2md", Reply("accept", "K7Q2MD", None)),
        ("Accept K7Q2MD 20", Reply("accept", "K7Q2MD", 20)),
        ("  YES   k7q2md    45  ", Reply("accept", "K7Q2MD", 45)),
        ("Yes K7Q2MD.", Reply("accept", "K7Q2MD", None)),
        ("YES, K7Q2MD, 12!", Reply("accept", "K7Q2MD", 12)),
        ("\tno\nK7Q2MD\n", Reply("decline", "K7Q2MD", None)),
        ("Decline abcd", Reply("decline", "ABCD", None)),
        ("DONE K7Q2MD 20", Reply("ready", "K7Q2MD", 20)),
        ("ready: k7q2md 3.", Reply("ready", "K7Q2MD", 3)),
        ("done ABCDEFGH23 007", Reply("ready", "ABCDEFGH23", 7)),
        ("HELP", Reply("help", None, None)),
        ("help?", Reply("help", None, None)),
        ("Help me please", Reply("help", None, None)),
    ],
)
def test_every_form_of_reply_is_understood(text, expected):
    assert parse_reply(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   . ", "empty"),
        ("MAYBE K7Q2MD", "unknown_command"),
        ("OUI K7Q2MD", "unknown_command"),
        ("YESK7Q2MD", "unknown_command"),
        ("YES", "missing_ref"),
        ("done", "missing_ref"),
        ("YES K7Q", "bad_ref"),
        ("YES K7Q2MDABCDE", "bad_ref"),
        ("YES K7-Q2MD", "bad_ref"),
        ("YES KÖQ2MD", "bad_ref"),
        ("YES K7Q2MD 20 bags", "extra_words"),
        ("NO K7Q2MD 20", "unexpected_quantity"),
        ("DONE K7Q2MD", "missing_quantity"),
        ("DONE K7Q2MD 0", "bad_quantity"),
        ("DONE K7Q2MD -5", "bad_quantity"),
        ("YES K7Q2MD 2.5", "bad_quantity"),
        ("YES K7Q2MD twenty", "bad_quantity"),
        ("YES K7Q2MD ２０", "bad_quantity"),
    ],
)
def test_a_bad_reply_is_refused_with_the_answer_that_helps(text, reason):
    with pytest.raises(ReplyError) as refused:
        parse_reply(text)
    assert isinstance(refused.value, ValueError)
    assert refused.value.reason == reason
    assert refused.value.template == f"sms_error_{reason}"
    answer = str(refused.value)
    assert answer == REPLY_ERRORS[reason]
    assert is_gsm7(answer) and encoded_length(answer) <= 160
    assert re.search(r"\b(YES|NO|DONE) ABC123\b", answer), "the answer shows the right form"


def test_the_answers_say_what_was_wrong():
    assert "missing" in REPLY_ERRORS["missing_ref"]
    assert "4 to 10" in REPLY_ERRORS["bad_ref"]
    assert "how many" in REPLY_ERRORS["missing_quantity"]
    assert "above 0" in REPLY_ERRORS["bad_quantity"]
    assert "NO takes no number" in REPLY_ERRORS["unexpected_quantity"]


def test_help_lists_every_command_in_one_sms():
    assert is_gsm7(HELP_TEXT) and encoded_length(HELP_TEXT) <= 160
    for form in ("YES ABC123", "YES ABC123 20", "NO ABC123", "DONE ABC123 20"):
        assert form in HELP_TEXT


def test_a_parsed_reply_is_frozen():
    reply = parse_reply("YES K7Q2MD")
    with pytest.raises(AttributeError):
        reply.quantity = 3


@given(
    st.sampled_from(["YES", "accept", "No", "DECLINE", "done", "Ready"]),
    st.text(alphabet="ABCDEFGHJKMNPQRTUVWXYZ2346789abcdefghjk", min_size=4, max_size=10),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from([" ", "  ", "\t", " , "]),
    st.sampled_from(["", ".", "!", " .", "\n"]),
)
def test_any_well_formed_reply_round_trips(word, ref, quantity, gap, ending):
    action = {
        "yes": "accept",
        "accept": "accept",
        "no": "decline",
        "decline": "decline",
        "done": "ready",
        "ready": "ready",
    }[word.lower()]
    with_quantity = action != "decline"
    text = f"{word}{gap}{ref}" + (f"{gap}{quantity}" if with_quantity else "") + ending
    assert parse_reply(text) == Reply(action, ref.upper(), quantity if with_quantity else None)


@given(st.text(max_size=40))
def test_anything_either_parses_or_is_refused_with_a_reply(text):
    try:
        reply = parse_reply(text)
    except ReplyError as refused:
        assert str(refused) in REPLY_ERRORS.values()
    else:
        assert reply.action in ("accept", "decline", "ready", "help")
        assert reply.quantity is None or reply.quantity > 0


def test_quota_refs_are_six_unambiguous_characters_the_parser_accepts():
    refs = {short_ref() for _ in range(200)}
    assert len(refs) == 200
    for ref in refs:
        assert len(ref) == 6 and set(ref) <= set(REF_ALPHABET)
        assert parse_reply(f"yes {ref.lower()}").quota_ref == ref
    assert not set("0O1IL5S") & set(REF_ALPHABET)

    assert parse_reply(f"NO {ref}") == Reply("decline", ref, None)


# GSM-7 counting


def test_the_gsm7_tables_have_their_published_sizes():
    assert len(GSM7_BASIC) == 127  # 128 positions, one of them the escape
    assert GSM7_EXTENSION == frozenset("\f^{}\\[~]|€")


def test_extension_characters_cost_two_septets():
    assert encoded_length("abc") == 3
    assert encoded_length("[x]") == 5
    assert encoded_length("€5") == 3
    assert is_gsm7("Café à Goroka: 5 € {ok}") and not is_gsm7("Hương")


def test_non_gsm7_text_counts_utf16_code_units():
    assert encoded_length("Hương") == 5
    assert encoded_length("ok 😀") == 5


@pytest.mark.parametrize(
    "text, segments",
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("[" * 80, 1),
        ("[" * 81, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ơ" * 70, 1),
        ("ơ" * 71, 2),
        ("ơ" * 134, 2),
        ("ơ" * 135, 3),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_the_published_limits(text, segments):
    assert len(sms_segments(text)) == segments


def test_a_long_message_is_cut_between_words():
    words = ["Bilum"] + [f"word{n}" for n in range(60)]
    text = " ".join(words)
    parts = sms_segments(text)
    assert len(parts) > 1
    for part in parts:
        assert encoded_length(part) <= 153
        assert part == part.strip()
        assert set(part.split()) <= set(words), "no word is cut"
    assert " ".join(parts) == text


def test_an_escape_pair_at_the_limit_moves_to_the_next_part():
    text = "a" * 152 + "€" + "b" * 20
    first, second = sms_segments(text)
    assert first == "a" * 152 and second == "€" + "b" * 20


def test_a_surrogate_pair_is_never_split():
    text = "ơ" * 66 + "😀" + "ơ" * 10
    first, second = sms_segments(text)
    assert first == "ơ" * 66 and second.startswith("😀")


def test_a_combining_accent_stays_with_its_letter():
    text = "x" * 66 + "e\u0301" + "y" * 10
    first, second = sms_segments(text)
    assert first == "x" * 66 and second.startswith("e\u0301")


_GSM7_SAMPLE = "".join(sorted(GSM7_BASIC | GSM7_EXTENSION))


@given(
    st.text(alphabet=st.sampled_from(list(_GSM7_SAMPLE) + [" ", " ", " ", "€", "["]), max_size=700)
    | st.text(max_size=300)
)
def test_segments_rejoin_to_the_message_and_each_fits(text):
    parts = sms_segments(text)
    gsm7 = is_gsm7(text)
    if encoded_length(text) <= (160 if gsm7 else 70):
        assert parts == [text]
        return
    assert all(parts)
    for part in parts:
        assert is_gsm7(part) if gsm7 else True
        assert encoded_length(part) <= (153 if gsm7 else 67)
    # Whole characters only: an escape pair or a surrogate pair is one Python character, so a part boundary that
    # fell inside one would show up as text that does not rejoin.
    pattern = r"\s*".join(re.escape(part) for part in parts)
    assert re.fullmatch(pattern + r"\s*", text, flags=re.DOTALL)


def test_utf16_text_encodes_to_the_counted_units():
    text = "Bilum: Hương 😀 " * 20
    for part in sms_segments(text):
        assert len(part.encode("utf-16-le")) // 2 == encoded_length(part) <= 67


# Transliteration


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“Quoted” ‘text’ — dash – and…", "\"Quoted\" 'text' - dash - and..."),
        ("Nguyễn Thị Hương, Đà Nẵng", "Nguyen Thi Huong, Dà Nang"),
        ("prête, forêt, garçon, île, œuvre", "prete, foret, garcon, ile, oeuvre"),
        ("élève à Noël: ça où ñ Ü", "élève à Noel: ca où ñ Ü"),
        ("non\u00a0breaking\u202fspaces", "non breaking spaces"),
        ("Łódź", "Lodz"),
    ],
)
def test_to_gsm7_transliterates_what_gsm7_lacks(text, expected):
    assert to_gsm7(text) == expected
    assert is_gsm7(to_gsm7(text))


def test_to_gsm7_keeps_what_has_no_plain_form():
    assert to_gsm7("Bilum 😀 毛") == "Bilum 😀 毛"


def test_to_gsm7_saves_parts_for_vietnamese():
    text = "Bilum: Chị Nguyễn Thị Hương, đơn hàng mới: 45 túi. Trả lời YES K7Q2MD để nhận, NO K7Q2MD để từ chối."
    assert len(sms_segments(text)) == 2
    assert len(sms_segments(to_gsm7(text))) == 1


@given(st.text(max_size=200))
def test_to_gsm7_leaves_gsm7_text_alone_and_is_idempotent(text):
    converted = to_gsm7(text)
    if is_gsm7(text):
        assert converted == text
    assert to_gsm7(converted) == converted
