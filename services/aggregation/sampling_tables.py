"""ISO 2859-1:1999 single sampling tables, as printed, and their two look-ups. Data, plain Python.

The standard works in two look-ups: Table 1 turns the lot size and the inspection level into a sample-size code
letter; the master table of the current severity (2-A normal, 2-B tightened, 2-C reduced) turns that letter and the
AQL into a plan. Where the master table has an arrow instead of a plan, the first plan below (or above) it is used,
its sample size included, so the plan's letter can differ from the lot's. The tables are kept below as printed,
arrows and all, rather than as resolved numbers: a reviewer can lay them beside the standard cell by cell. Every
rejection number in the 1999 single sampling tables is the acceptance number plus one (the 1989 edition's reduced
table had gaps; this one has none), so the cells hold the acceptance number only.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
NORMAL, TIGHTENED, REDUCED = "normal", "tightened", "reduced"
SEVERITIES = (NORMAL, TIGHTENED, REDUCED)
AQLS = tuple(
    Decimal(text)
    for text in (
        "0.010",
        "0.015",
        "0.025",
        "0.040",
        "0.065",
        "0.10",
        "0.15",
        "0.25",
        "0.40",
        "0.65",
        "1.0",
        "1.5",
        "2.5",
        "4.0",
        "6.5",
        "10",
        "15",
        "25",
        "40",
        "65",
        "100",
        "150",
        "250",
        "400",
        "650",
        "1000",
    )
)
CODE_LETTERS = tuple("ABCDEFGHJKLMNPQR")

# Table 1: the largest lot size of each range (None: no limit) and its code letter for S-1, S-2, S-3, S-4, I, II, III.
_TABLE_1 = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (None, "DEHKNQR"),
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

        return cls(
            name,
            dict(zip(rows, sample_sizes)),
            {letter: tuple(cell(token) for token in row.split()) for letter, row in rows.items()},
        )


MASTER_TABLES = {
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


def code_letter(lot_size: int, level: str = "II") -> str:
    """Table 1."""
    level = standard_level(level)
    lot_size = _checked_lot_size(lot_size)
    column = LEVELS.index(level)
    return next(letters[column] for largest, letters in _TABLE_1 if largest is None or lot_size <= largest)


def table_plan(code_letter: str, aql, severity: str = NORMAL) -> TablePlan:
    """The master table's plan for a code letter and an AQL, following its arrows to the first plan they point at."""
    table = MASTER_TABLES[standard_severity(severity)]
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


def standard_level(level: str) -> str:
    standard = level.strip().upper() if isinstance(level, str) else level
    if standard not in LEVELS:
        raise ValueError(f"inspection level {level!r} is not one of {', '.join(LEVELS)}")
    return standard


def standard_severity(severity: str) -> str:
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
