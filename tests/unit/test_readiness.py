import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.catalogue.readiness import QUESTIONS, SECTIONS, ReadinessAnswers, load_answers, score
from shared.errors import InvalidInput

PRODUCT_READINESS = range(1, 13)
FACILITATOR = range(14, 24)
CATALOGUE = range(24, 35)
PUBLIC_POLICY = range(35, 40)
EXPORT_READY = range(40, 45)


def answers(*yes_ranges_or_numbers) -> dict:
    """Every question answered; the ones given (ranges, or their first n as (range, n)) are Yes."""
    yes = set()
    for item in yes_ranges_or_numbers:
        if isinstance(item, tuple):
            questions, count = item
            yes.update(list(questions)[:count])
        elif isinstance(item, range):
            yes.update(item)
        else:
            yes.add(item)
    return {number: number in yes for number in QUESTIONS}


def test_the_checklist_has_the_44_printed_questions_and_the_printed_maxima():
    assert sorted(QUESTIONS) == list(range(1, 45))
    assert QUESTIONS[13] == "I can fill an order of 30 items in a month using my own resources"
    assert QUESTIONS[43] == "I know what (FOB, CIF, FIS, DDP) mean"
    covered = [number for section in SECTIONS for number in section.questions]
    assert sorted(covered) == list(range(1, 45))
    assert {section.key: section.max for section in SECTIONS} == {
        "product_readiness": 12,
        "viability": 1,
        "facilitator": 10,
        "catalogue": 11,
        "public_policy": 5,
        "export_ready": 5,
    }


@pytest.mark.parametrize(
    "yes, band, advice",
    [
        (12, "12", "You are ready to take the next step to grow your enterprise"),
        (11, "6-11", "Your product is ready for growth—you need to find a good model"),
        (6, "6-11", "Your product is ready for growth—you need to find a good model"),
        (5, "Below 6", "Your product may need more development"),
        (0, "Below 6", "Your product may need more development"),
    ],
)
def test_product_readiness_bands(yes, band, advice):
    result = score(answers((PRODUCT_READINESS, yes)))["product_readiness"]
    assert result == {"score": yes, "max": 12, "eligible": True, "band": band, "advice": advice}


def test_viability_advises_only_on_a_no_to_question_13():
    assert score(answers())["viability"] == {
        "score": 0,
        "max": 1,
        "eligible": True,
        "band": "0",
        "advice": "If you scored 0 on Question 13, you may need to work on making your product more viable",
    }
    assert score(answers(13))["viability"] == {"score": 1, "max": 1, "eligible": True, "band": None, "advice": None}


@pytest.mark.parametrize(
    "yes, band, advice",
    [
        (10, "10", "Your product is likely ready for market"),
        (9, "5-10", "This model will help define strategies to enhance your product sales"),
        (5, "5-10", "This model will help define strategies to enhance your product sales"),
        (4, "Below 5", "The Facilitator model is definitely for you"),
        (0, "Below 5", "The Facilitator model is definitely for you"),
    ],
)
def test_facilitator_bands_once_product_readiness_is_above_6(yes, band, advice):
    result = score(answers((PRODUCT_READINESS, 7), (FACILITATOR, yes)))["facilitator"]
    assert result == {"score": yes, "max": 10, "eligible": True, "band": band, "advice": advice}


@pytest.mark.parametrize(
    "yes, band, advice",
    [
        (11, "11", "A Catalogue model is definitely for you"),
        (10, "5-11", "Explore this model to enhance your distribution"),
        (5, "5-11", "Explore this model to enhance your distribution"),
        (4, "Below 5", "Look at all models closely"),
        (0, "Below 5", "Look at all models closely"),
    ],
)
def test_catalogue_bands_once_product_readiness_is_above_6(yes, band, advice):
    result = score(answers((PRODUCT_READINESS, 12), (CATALOGUE, yes)))["catalogue"]
    assert result == {"score": yes, "max": 11, "eligible": True, "band": band, "advice": advice}


@pytest.mark.parametrize("product_readiness", [0, 12])
@pytest.mark.parametrize(
    "yes, band, advice",
    [
        (5, "5", "Policy measures appear to be helpful"),
        (4, "Below 5", "You need to use/understand local government resources"),
        (0, "Below 5", "You need to use/understand local government resources"),
    ],
)
def test_public_policy_bands_do_not_depend_on_product_readiness(product_readiness, yes, band, advice):
    result = score(answers((PRODUCT_READINESS, product_readiness), (PUBLIC_POLICY, yes)))["public_policy"]
    assert result == {"score": yes, "max": 5, "eligible": True, "band": band, "advice": advice}


@pytest.mark.parametrize(
    "yes, band, advice", [(5, "5", "You are likely Export Ready"), (4, None, None), (0, None, None)]
)
def test_export_ready_has_advice_only_for_a_full_score(yes, band, advice):
    result = score(answers((PRODUCT_READINESS, 8), (EXPORT_READY, yes)))["export_ready"]
    assert result == {"score": yes, "max": 5, "eligible": True, "band": band, "advice": advice}


def test_a_product_readiness_of_6_is_not_above_6_and_7_is():
    at_six = score(answers((PRODUCT_READINESS, 6), FACILITATOR, CATALOGUE, EXPORT_READY, PUBLIC_POLICY))
    for key, full in (("facilitator", 10), ("catalogue", 11), ("export_ready", 5)):
        assert at_six[key]["score"] == full
        assert at_six[key]["eligible"] is False
        assert at_six[key]["band"] is None
        assert "above 6" in at_six[key]["advice"] and "6 of 12" in at_six[key]["advice"]
    assert at_six["public_policy"]["eligible"] is True
    assert at_six["viability"]["eligible"] is True

    at_seven = score(answers((PRODUCT_READINESS, 7), FACILITATOR, CATALOGUE, EXPORT_READY))
    assert at_seven["facilitator"]["advice"] == "Your product is likely ready for market"
    assert at_seven["catalogue"]["advice"] == "A Catalogue model is definitely for you"
    assert at_seven["export_ready"]["advice"] == "You are likely Export Ready"
    assert all(at_seven[key]["eligible"] for key in ("facilitator", "catalogue", "export_ready"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=44, max_size=44))
def test_every_section_counts_its_yes_answers_and_eligibility_follows_product_readiness(yes_no):
    given_answers = dict(zip(range(1, 45), yes_no))
    result = score(given_answers)
    product_readiness = sum(yes_no[:12])
    for section in SECTIONS:
        section_result = result[section.key]
        assert section_result["score"] == sum(given_answers[number] for number in section.questions)
        assert 0 <= section_result["score"] <= section_result["max"]
        expected_eligible = not section.needs_product_readiness or product_readiness > 6
        assert section_result["eligible"] is expected_eligible
        if not expected_eligible:
            assert "above 6" in section_result["advice"]


def test_missing_extra_and_non_boolean_answers_are_named():
    incomplete = answers()
    del incomplete[7]
    del incomplete[30]
    with pytest.raises(ValueError, match=r"no answer to questions 7, 30"):
        score(incomplete)

    extra = {**answers(), 45: True, "3": False}
    with pytest.raises(ValueError, match=r"do not exist: 45, '3'"):
        score(extra)

    not_boolean = {**answers(), 2: 1, 40: "yes"}
    with pytest.raises(ValueError, match=r"not yes/no .* questions 2, 40"):
        score(not_boolean)


def test_the_http_schema_loads_string_keys_to_question_numbers():
    body = {str(number): number % 2 == 0 for number in QUESTIONS}
    loaded = ReadinessAnswers().load(body)
    assert loaded == {number: number % 2 == 0 for number in QUESTIONS}
    assert score(loaded)["product_readiness"]["score"] == 6


def test_the_http_schema_refuses_guesses_missing_and_unknown_questions():
    body = {str(number): True for number in QUESTIONS}
    body["5"] = "yes"
    body["6"] = 1
    del body["44"]
    body["45"] = True
    with pytest.raises(ValidationError) as refused:
        ReadinessAnswers().load(body)
    assert set(refused.value.messages) == {"5", "6", "44", "45"}


def test_load_answers_refuses_with_the_invalid_input_the_gateway_turns_into_a_422():
    body = {str(number): False for number in QUESTIONS}
    assert load_answers(body) == {number: False for number in QUESTIONS}
    del body["44"]
    with pytest.raises(InvalidInput) as refused:
        load_answers(body)
    assert set(refused.value.fields) == {"44"}
    with pytest.raises(InvalidInput):
        load_answers(["not", "an", "object"])
