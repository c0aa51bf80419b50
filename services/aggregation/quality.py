"""Acceptance sampling of producers' lots by ISO 2859-1:1999 single sampling, with its switching rules. Plain Python.

The standard works in two look-ups: Table 1 turns the lot size and the inspection level into a sample-size code
letter; the master table of the current severity (2-A normal, 2-B tightened, 2-C reduced) turns that letter and the
AQL into a plan. Where the master table has an arrow instead of a plan, the first plan below (or above) it is used,
its sample size included, so the plan's letter can differ from the lot's. The tables are kept below as printed,
arrows and all, rather than as resolved numbers: a reviewer can lay them beside the standard cell by cell. Every
rejection number in the 1999 single sampling tables is the acceptance number plus one (the 1989 edition's reduced
table had gaps; this one has none), so the cells hold the acceptance number only.

The switching rules (clause 9) run per producer and offering as a fold over lots: ``record(state, lot, ...)``
returns the next state and never changes the one it was given, so a service can store every state it passed
through, replay a history, or show why the severity changed.
"""
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
NORMAL, TIGHTENED, REDUCED, DISCONTINUED = "normal", "tightened", "reduced", "discontinued"
SEVERITIES = (NORMAL, TIGHTENED, REDUCED)
AQLS = tuple(Decimal(text) for text in (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
    "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000"))
CODE_LETTERS = tuple("ABCDEFGHJKLMNPQR")
DEFECT_CLASSES = ("critical", "major", "minor")

# Table 1: the largest lot size of each range (None: no limit) and its code letter for S-1, S-2, S-3, S-4, I, II, III.
_TABLE_1 = (
    (8, "AAAAAAB"), (15, "AAAAABC"), (25, "AABBBCD"), (50, "ABBCCDE"), (90, "BBCCCEF"), (150, "BBCDDFG"),
    (280, "BCDEEGH"), (500, "BCDEFHJ"), (1200, "CCEFGJK"), (3200, "CDEGHKL"), (10000, "CDFGJLM"),
    (35000, "CDFHKMN"), (150000, "DEGJLNP"), (500000, "DEGJMPQ"), (None, "DEHKNQR"),
)

_DOWN, _UP, _NO_PLAN = "↓", "↑", "·"
_NORMAL_SAMPLE_SIZES = (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)

# Columns in the order of AQLS; a number is the acceptance number Ac (Re = Ac + 1).
_TABLE_2A = {
    "A": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  7 10 14 21 30",
    "B": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21 30 44",
    "C": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21 30 44  ↑",
    "D": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21 30 44  ↑  ↑",
    "E": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21 30 44  ↑  ↑  ↑",
    "F": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑",
    "G": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "H": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "J": " ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "K": " ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "L": " ↓  ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "M": " ↓  ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "N": " ↓  ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "P": " ↓  0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "Q": " 0  ↑  ↓  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "R": " ↑  ↑  1  2  3  5  7 10 14 21  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
}

# Tightened inspection has one letter more, S (3150), whose only plan serves the arrows of the 0.025 column.
_TABLE_2B = {
    "A": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18 27",
    "B": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18 27 41",
    "C": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18 27 41  ↑",
    "D": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18 27 41  ↑  ↑",
    "E": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18 27 41  ↑  ↑  ↑",
    "F": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑",
    "G": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "H": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "J": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "K": " ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "L": " ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "M": " ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "N": " ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "P": " ↓  ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "Q": " ↓  0  ↓  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "R": " 0  ↑  ↓  1  2  3  5  8 12 18  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "S": " ·  ·  1  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·",
}

# Reduced inspection samples two letters' worth less; A, B and C share n = 2, and A and B keep the normal n = 2 plans.
_TABLE_2C = {
    "A": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↓  ↓  1  2  3  5  7 10 14 21 30",
    "B": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  7 10 14 21 30",
    "C": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10 14 21  ↑",
    "D": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10 14 21  ↑  ↑",
    "E": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10 14 21  ↑  ↑  ↑",
    "F": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑",
    "G": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "H": " ↓  ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "J": " ↓  ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "K": " ↓  ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "L": " ↓  ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "M": " ↓  ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "N": " ↓  ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "P": " ↓  0  ↑  ↓  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "Q": " 0  ↑  ↑  ↓  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
    "R": " ↑  ↑  ↑  1  2  3  5  6  8 10  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑  ↑",
}


@dataclass(frozen=True)
class _MasterTable:
    name: str
    sample_sizes: dict
    rows: dict

    @classmethod
    def parse(cls, name: str, sample_sizes, rows: dict) -> "_MasterTable":
        def cell(token: str):
            return token if token in (_DOWN, _UP, _NO_PLAN) else int(token)
        return cls(name, dict(zip(rows, sample_sizes)),
                   {letter: tuple(cell(token) for token in row.split()) for letter, row in rows.items()})


_MASTER_TABLES = {
    NORMAL: _MasterTable.parse("2-A", _NORMAL_SAMPLE_SIZES, _TABLE_2A),
    TIGHTENED: _MasterTable.parse("2-B", _NORMAL_SAMPLE_SIZES + (3150,), _TABLE_2B),
    REDUCED: _MasterTable.parse("2-C", (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800), _TABLE_2C),
}


@dataclass(frozen=True)
class TablePlan:
    """One plan of a master table after its arrows were followed: the letter whose row holds it, and its numbers."""
    plan_letter: str
    sample_size: int
    accept: int
    reject: int


@dataclass(frozen=True)
class SamplingPlan:
    """The plan for one lot. ``sample_size`` is the lot size itself when the table asks for as many units or more."""
    lot_size: int
    aql: Decimal
    level: str
    severity: str
    code_letter: str
    plan_letter: str
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool

    @property
    def table(self) -> str:
        return _MASTER_TABLES[self.severity].name

    def accepts(self, defects: int) -> bool:
        return _checked_defects(defects, self.sample_size) <= self.accept


def code_letter(lot_size: int, level: str = "II") -> str:
    """Table 1."""
    level = _standard_level(level)
    lot_size = _checked_lot_size(lot_size)
    column = LEVELS.index(level)
    return next(letters[column] for largest, letters in _TABLE_1 if largest is None or lot_size <= largest)


def table_plan(code_letter: str, aql, severity: str = NORMAL) -> TablePlan:
    """The master table's plan for a code letter and an AQL, following its arrows to the first plan they point at."""
    table = _MASTER_TABLES[_standard_severity(severity)]
    if code_letter not in CODE_LETTERS:
        raise ValueError(f"code letter {code_letter!r} is not one of Table 1's: {', '.join(CODE_LETTERS)}")
    column = AQLS.index(standard_aql(aql))
    letters = list(table.rows)
    row = letters.index(code_letter)
    cell = table.rows[code_letter][column]
    while cell in (_DOWN, _UP):
        row += 1 if cell == _DOWN else -1
        cell = table.rows[letters[row]][column]
    letter = letters[row]
    return TablePlan(letter, table.sample_sizes[letter], cell, cell + 1)


def sampling_plan(lot_size: int, aql, level: str = "II", severity: str = NORMAL) -> SamplingPlan:
    """Table 1, then the master table of the severity; a lot no larger than the sample is inspected in full."""
    severity = _standard_severity(severity)
    level = _standard_level(level)
    aql = standard_aql(aql)
    letter = code_letter(lot_size, level)
    plan = table_plan(letter, aql, severity)
    full = plan.sample_size >= lot_size
    return SamplingPlan(lot_size, aql, level, severity, letter, plan.plan_letter,
                        lot_size if full else plan.sample_size, plan.accept, plan.reject, full)


def standard_aql(aql) -> Decimal:
    """The preferred AQL value that ``aql`` stands for, so 1, 1.0, "1.0" and Decimal("1") are all the column 1.0."""
    if isinstance(aql, bool) or not isinstance(aql, (int, float, Decimal, str)):
        raise ValueError(f"AQL {aql!r} is not a number")
    try:
        value = float(aql)
    except ValueError:
        raise ValueError(f"AQL {aql!r} is not a number") from None
    for standard in AQLS:
        if math.isclose(value, float(standard), rel_tol=1e-6):
            return standard
    raise ValueError(f"AQL {aql!r} is not one of ISO 2859-1's preferred values: {', '.join(map(str, AQLS))}")


def inspection_plans(lot_size: int, aqls: Mapping[str, object], level: str = "II",
                     severity: str = NORMAL) -> dict:
    """One plan per class of defect, each from its own AQL: a critical class usually has a much smaller AQL."""
    if not aqls:
        raise ValueError(f"give an AQL for at least one class of defect: {', '.join(DEFECT_CLASSES)}")
    _check_classes(aqls, "AQL")
    return {name: sampling_plan(lot_size, aql, level, severity) for name, aql in _in_class_order(aqls)}


@dataclass(frozen=True)
class ClassVerdict:
    defect_class: str
    plan: SamplingPlan
    defects: int
    accepted: bool
    switching_points: int

    @property
    def reason(self) -> str:
        verdict = f"within Ac {self.plan.accept}" if self.accepted else f"at or above Re {self.plan.reject}"
        return (f"{self.defect_class}: {self.defects} defective of {self.plan.sample_size} inspected, {verdict} "
                f"(AQL {self.plan.aql})")


@dataclass(frozen=True)
class LotDecision:
    """The lot is accepted only if every class of defect is within its own acceptance number."""
    verdicts: tuple

    @property
    def accepted(self) -> bool:
        return all(verdict.accepted for verdict in self.verdicts)

    @property
    def severity(self) -> str:
        return self.verdicts[0].plan.severity

    @property
    def switching_points(self) -> int:
        """The lot earns its weakest class's points: the score is evidence that quality beats every AQL."""
        return min(verdict.switching_points for verdict in self.verdicts)

    @property
    def reason(self) -> str:
        return "; ".join(verdict.reason for verdict in self.verdicts)

    def lot_result(self, lot_id: str) -> "LotResult":
        return LotResult(lot_id, self.severity, self.accepted, self.switching_points)


def decide_lot(plans: Mapping[str, SamplingPlan], defects: Mapping[str, int]) -> LotDecision:
    """Accept or reject a lot from the defects found in each class's sample (nonconforming units, at most n)."""
    if not plans:
        raise ValueError("a lot is decided on at least one class of defect")
    _check_classes(plans, "plan")
    if set(defects) != set(plans):
        raise ValueError(f"defects were given for {sorted(defects)} but the lot was planned for {sorted(plans)}")
    first = next(iter(plans.values()))
    if any((plan.lot_size, plan.severity) != (first.lot_size, first.severity) for plan in plans.values()):
        raise ValueError("the plans of one lot must share its lot size and its severity")
    verdicts = []
    for name, plan in _in_class_order(plans):
        found = _checked_defects(defects[name], plan.sample_size, name)
        verdicts.append(ClassVerdict(name, plan, found, found <= plan.accept, switching_points(plan, found)))
    return LotDecision(tuple(verdicts))


def switching_points(plan: SamplingPlan, defects: int) -> int:
    """Clause 9.3.3: what one lot adds to the switching score; 0 resets it. The score runs on normal inspection only.

    With Ac >= 2 a lot earns 3 if it would also pass the AQL one step tighter, with the same sample: that column's
    acceptance number sits in the same row of Table 2-A. With Ac 0 or 1 an accepted lot earns 2.
    """
    defects = _checked_defects(defects, plan.sample_size)
    if plan.severity != NORMAL or defects > plan.accept:
        return 0
    if plan.accept < 2:
        return 2
    tighter = table_plan(plan.plan_letter, AQLS[AQLS.index(plan.aql) - 1], NORMAL)
    return 3 if defects <= tighter.accept else 0


@dataclass(frozen=True)
class LotResult:
    """What the switching rules need from a lot's original inspection (a resubmitted lot is not recorded again)."""
    lot_id: str
    severity: str
    accepted: bool
    switching_points: int = 0

    def __post_init__(self):
        if not self.lot_id:
            raise ValueError("a lot needs its id to be recorded")
        if self.severity not in SEVERITIES:
            raise ValueError(f"a lot is inspected on one of {', '.join(SEVERITIES)}, not {self.severity!r}")
        if self.switching_points not in (0, 2, 3):
            raise ValueError(f"a lot adds 0, 2 or 3 to the switching score, not {self.switching_points}")
        if self.switching_points and not self.accepted:
            raise ValueError("a lot that was not accepted resets the switching score: it earns no points")


@dataclass(frozen=True)
class SwitchRecord:
    """One line of a producer's inspection history; ``reason`` says why the severity changed, empty if it did not."""
    lot_id: str
    accepted: bool
    severity_before: str
    severity_after: str
    switching_score: int
    reason: str


@dataclass(frozen=True)
class SwitchingState:
    """Where one producer's offering stands. Counters belong to the current severity and restart when it changes."""
    severity: str = NORMAL
    switching_score: int = 0
    recent_on_normal: tuple = ()
    accepted_in_a_row_on_tightened: int = 0
    not_accepted_on_tightened: int = 0
    history: tuple = ()

    def __post_init__(self):
        if self.severity not in SEVERITIES + (DISCONTINUED,):
            raise ValueError(f"unknown severity {self.severity!r}")

    def _switched(self, lot: LotResult, severity: str, reason: str, score: int = 0) -> "SwitchingState":
        """The record keeps the score the lot reached; the new severity starts its counters, and the score, at 0."""
        return SwitchingState(severity, history=self.history + (
            SwitchRecord(lot.lot_id, lot.accepted, self.severity, severity, score, reason),))

    def _stayed(self, lot: LotResult, **counters) -> "SwitchingState":
        score = counters.get("switching_score", 0)
        return SwitchingState(self.severity, **counters, history=self.history + (
            SwitchRecord(lot.lot_id, lot.accepted, self.severity, self.severity, score, ""),))


def record(state: SwitchingState, lot: LotResult, *, production_steady: bool,
           reduced_approved: bool) -> SwitchingState:
    """The state after one more lot. ``reduced_approved`` is the responsible authority's word that reduced inspection
    is desirable; withdrawing it on reduced inspection is the "other conditions" that reinstate normal inspection."""
    if state.severity == DISCONTINUED:
        raise ValueError("inspection is discontinued: the producer must improve quality and the responsible "
                         "authority resume it, on tightened inspection, before another lot is recorded")
    if lot.severity != state.severity:
        raise ValueError(f"lot {lot.lot_id} was inspected on {lot.severity} inspection "
                         f"but {state.severity} inspection is in effect")
    if any(line.lot_id == lot.lot_id for line in state.history):
        raise ValueError(f"lot {lot.lot_id} is already recorded; only original inspections count")
    if state.severity == NORMAL:
        return _on_normal(state, lot, production_steady and reduced_approved)
    if state.severity == TIGHTENED:
        return _on_tightened(state, lot)
    return _on_reduced(state, lot, production_steady, reduced_approved)


def resume(state: SwitchingState) -> SwitchingState:
    """Clause 9.4: after the producer's corrective action, inspection starts again on tightened inspection."""
    if state.severity != DISCONTINUED:
        raise ValueError(f"only discontinued inspection is resumed; this one is {state.severity}")
    return SwitchingState(TIGHTENED, history=state.history)


def _on_normal(state: SwitchingState, lot: LotResult, reduced_allowed: bool) -> SwitchingState:
    recent = (state.recent_on_normal + (lot.accepted,))[-5:]
    if recent.count(False) >= 2:
        return state._switched(lot, TIGHTENED, "2 of the last 5 or fewer lots on normal inspection not accepted")
    score = state.switching_score + lot.switching_points if lot.switching_points else 0
    if score >= 30 and reduced_allowed:
        return state._switched(lot, REDUCED, f"switching score {score}, production steady, reduced inspection "
                                             "approved by the responsible authority", score)
    return state._stayed(lot, switching_score=score, recent_on_normal=recent)


def _on_tightened(state: SwitchingState, lot: LotResult) -> SwitchingState:
    if lot.accepted:
        in_a_row = state.accepted_in_a_row_on_tightened + 1
        if in_a_row == 5:
            return state._switched(lot, NORMAL, "5 lots in a row accepted on tightened inspection")
        return state._stayed(lot, accepted_in_a_row_on_tightened=in_a_row,
                             not_accepted_on_tightened=state.not_accepted_on_tightened)
    not_accepted = state.not_accepted_on_tightened + 1
    if not_accepted == 5:
        return state._switched(lot, DISCONTINUED, "5 lots not accepted on tightened inspection")
    return state._stayed(lot, not_accepted_on_tightened=not_accepted)


def _on_reduced(state: SwitchingState, lot: LotResult, production_steady: bool,
                reduced_approved: bool) -> SwitchingState:
    if not lot.accepted:
        return state._switched(lot, NORMAL, "a lot not accepted on reduced inspection")
    if not production_steady:
        return state._switched(lot, NORMAL, "production irregular or delayed")
    if not reduced_approved:
        return state._switched(lot, NORMAL, "the responsible authority reinstated normal inspection")
    return state._stayed(lot)


def _standard_level(level: str) -> str:
    standard = level.strip().upper() if isinstance(level, str) else level
    if standard not in LEVELS:
        raise ValueError(f"inspection level {level!r} is not one of {', '.join(LEVELS)}")
    return standard


def _standard_severity(severity: str) -> str:
    standard = severity.strip().lower() if isinstance(severity, str) else severity
    if standard not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    return standard


def _checked_lot_size(lot_size: int) -> int:
    if isinstance(lot_size, bool) or not isinstance(lot_size, int):
        raise ValueError(f"lot size {lot_size!r} is not a whole number of units")
    if lot_size < 2:
        raise ValueError(f"lot size {lot_size} is below Table 1's smallest lot, 2 units")
    return lot_size


def _checked_defects(defects: int, sample_size: int, defect_class: str = "") -> int:
    where = f"{defect_class}: " if defect_class else ""
    if isinstance(defects, bool) or not isinstance(defects, int):
        raise ValueError(f"{where}defects {defects!r} is not a whole number")
    if not 0 <= defects <= sample_size:
        raise ValueError(f"{where}{defects} defective units cannot come from a sample of {sample_size}")
    return defects


def _check_classes(by_class: Mapping, what: str) -> None:
    unknown = sorted(set(by_class) - set(DEFECT_CLASSES))
    if unknown:
        raise ValueError(f"{what} given for unknown defect classes {unknown}; known: {', '.join(DEFECT_CLASSES)}")


def _in_class_order(by_class: Mapping):
    return [(name, by_class[name]) for name in DEFECT_CLASSES if name in by_class]
