"""The micro-enterprise self-analysis checklist and its score guide, from Appendix 4 of the APEC study in the seeds.

A producer (or the aggregator on her behalf) answers 44 yes/no questions; the score guide tells her which
distribution model suits her. The questions, band limits and advice are transcribed as printed, including the
source's slips ("or other or other" in question 34, "FIS" in question 43), so that the score a producer sees is
the one the published checklist gives.

Two oddities of the printed guide are kept and resolved here, openly:
- the facilitator bands read "10" and "5-10", the catalogue bands "11" and "5-11": the top score matches two lines.
  The first printed line, the exact top score, is the one given.
- viability prints advice only for a 0 on question 13, export readiness only for a full 5; other scores have no
  printed advice, so theirs is None rather than words the source does not say.
"""

from dataclasses import dataclass

from marshmallow import Schema, fields, post_load

from shared.errors import load_or_refuse

QUESTIONS = {
    1: "I have sold over 200 of my product items",
    2: "I know the costs for each material used to produce the product",
    3: "I know how long it takes to produce each item",
    4: "My selling price is at least double the price it costs to produce one item",
    5: "I have developed a unique package for shipping",
    6: "I know what it will cost to ship my product to another location",
    7: "I currently sell my product to other buyers or distributors",
    8: "I understand the commercial risks of sending a product to a distributor",
    9: "I have an email address",
    10: "I respond within 24 hours",
    11: "I have a professional financial advisor (banker, accountant)",
    12: "I have checked to see if there are any prohibitions or restrictions on parts or material associated with "
    "my products",
    13: "I can fill an order of 30 items in a month using my own resources",
    14: "My creation is unique, there are no others producing this item",
    15: "There are several competitors that produce this item",
    16: "I know 3 potential distributors that can potentially sell my product",
    17: "I am willing to meet requested quality control standards",
    18: "I could use help with product packaging",
    19: "I know the niche market that I am targeting",
    20: "I always have correspondence and communication information ready to hand out",
    21: "My product has an expiry date",
    22: "There are safety standards that my product has to meet",
    23: "I know how to insure and ship my product",
    24: "I have pictures/portfolio of my product",
    25: "I have specifications and information about my product available (including sizes, colors, available "
    "quantities etc)",
    26: "I have access to the Internet",
    27: "I have access to a digital camera",
    28: "I am willing to extend credit to a distributor for 90 days",
    29: "I am willing to have others put their label on my product",
    30: "I would like to list my product in catalogues",
    31: "I have samples of my product to hand out",
    32: "I have dealt with freight costs",
    33: "There is a story behind my product",
    34: "I can market my product to be part of a theme, event, or other or other branding and marketing device",
    35: "My product is a food item",
    36: "I have dealt with industry, commerce departments of my governments",
    37: "I am aware of supports to develop my products",
    38: "My product has a trademark or copyright",
    39: "I know my trade, commerce or small business department",
    40: "I know what it will cost to ship my product to an international destination",
    41: "My packaging is complete and has English instructions",
    42: "Some parts or material used to make this product requires an inspection agency from my economy",
    43: "I know what (FOB, CIF, FIS, DDP) mean",
    44: "My product sells well in my own economy",
}

# "(You must also score above 6 in Questions 1–12)", printed under sections C, D and F.
PRODUCT_READINESS_NEEDED = 6


@dataclass(frozen=True)
class Band:
    label: str  # as printed, e.g. "6-11" or "Below 6"
    lowest: int
    highest: int
    advice: str


@dataclass(frozen=True)
class Section:
    key: str
    letter: str
    title: str
    questions: range
    needs_product_readiness: bool
    bands: tuple[Band, ...]  # in printed order; the first that holds the score is the one given

    @property
    def max(self) -> int:
        return len(self.questions)


SECTIONS = (
    Section(
        "product_readiness",
        "A",
        "Product Readiness",
        range(1, 13),
        False,
        (
            Band("12", 12, 12, "You are ready to take the next step to grow your enterprise"),
            Band("6-11", 6, 11, "Your product is ready for growth—you need to find a good model"),
            Band("Below 6", 0, 5, "Your product may need more development"),
        ),
    ),
    Section(
        "viability",
        "B",
        "Viability",
        range(13, 14),
        False,
        (Band("0", 0, 0, "If you scored 0 on Question 13, you may need to work on making your product more viable"),),
    ),
    Section(
        "facilitator",
        "C",
        "Facilitator Model",
        range(14, 24),
        True,
        (
            Band("10", 10, 10, "Your product is likely ready for market"),
            Band("5-10", 5, 10, "This model will help define strategies to enhance your product sales"),
            Band("Below 5", 0, 4, "The Facilitator model is definitely for you"),
        ),
    ),
    Section(
        "catalogue",
        "D",
        "Catalogue Model",
        range(24, 35),
        True,
        (
            Band("11", 11, 11, "A Catalogue model is definitely for you"),
            Band("5-11", 5, 11, "Explore this model to enhance your distribution"),
            Band("Below 5", 0, 4, "Look at all models closely"),
        ),
    ),
    Section(
        "public_policy",
        "E",
        "Using Resources from your area (Public Policy Model)",
        range(35, 40),
        False,
        (
            Band("5", 5, 5, "Policy measures appear to be helpful"),
            Band("Below 5", 0, 4, "You need to use/understand local government resources"),
        ),
    ),
    Section(
        "export_ready", "F", "Export Ready", range(40, 45), True, (Band("5", 5, 5, "You are likely Export Ready"),)
    ),
)


def score(answers: dict) -> dict:
    """Score every section of the guide; Yes = 1, No = 0.

    Returns ``{section key: {"score", "max", "eligible", "band", "advice"}}``. A section that needs product
    readiness above 6 and does not have it still shows its score, but is not eligible and its advice says why.
    """
    _refuse_incomplete(answers)
    product_readiness = _points(answers, SECTIONS[0].questions)
    result = {}
    for section in SECTIONS:
        points = _points(answers, section.questions)
        eligible = not section.needs_product_readiness or product_readiness > PRODUCT_READINESS_NEEDED
        if eligible:
            band = next((band for band in section.bands if band.lowest <= points <= band.highest), None)
            advice = band.advice if band else None
        else:
            band = None
            advice = (
                f"You must also score above {PRODUCT_READINESS_NEEDED} in Questions 1–12: this section counts "
                f"only once product readiness is above {PRODUCT_READINESS_NEEDED} "
                f"(it is {product_readiness} of 12)."
            )
        result[section.key] = {
            "score": points,
            "max": section.max,
            "eligible": eligible,
            "band": band.label if band else None,
            "advice": advice,
        }
    return result


def _points(answers: dict, questions: range) -> int:
    return sum(1 for number in questions if answers[number])


def _refuse_incomplete(answers: dict) -> None:
    """Only a full set of yes/no answers gives a score the guide means; anything else is named, not guessed."""
    missing = [number for number in QUESTIONS if number not in answers]
    unknown = [key for key in answers if key not in QUESTIONS or not isinstance(key, int) or isinstance(key, bool)]
    not_yes_no = sorted(key for key, value in answers.items() if key in QUESTIONS and not isinstance(value, bool))
    problems = []
    if missing:
        problems.append(f"no answer to questions {_listed(missing)}")
    if unknown:
        problems.append(f"answers to questions that do not exist: {_listed(unknown)}")
    if not_yes_no:
        problems.append(f"answers that are not yes/no (True/False) to questions {_listed(not_yes_no)}")
    if problems:
        raise ValueError("; ".join(problems))


def _listed(keys) -> str:
    return ", ".join(repr(key) if not isinstance(key, int) else str(key) for key in keys)


class YesNo(fields.Field):
    """Only JSON true or false: "yes", 1 or "false" are refused rather than read as a guess."""

    default_error_messages = {"invalid": "must be true or false"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


_ANSWER_FIELDS = Schema.from_dict({str(number): YesNo(required=True) for number in QUESTIONS})


class ReadinessAnswers(_ANSWER_FIELDS):  # type: ignore[misc,valid-type]
    """The checklist as it comes over HTTP, ``{"1": true, ..., "44": false}``; loads to ``{1: True, ...}``."""

    @post_load
    def by_question_number(self, data, **kwargs):
        return {int(key): value for key, value in data.items()}


def load_answers(body) -> dict[int, bool]:
    """The HTTP body checked and keyed by question number; InvalidInput names every missing or bad question."""
    return load_or_refuse(ReadinessAnswers(), body, "readiness answers")
