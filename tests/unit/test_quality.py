"""ISO 2859-1:1999 single sampling: Table 1 and the master tables 2-A, 2-B and 2-C, with the arrows followed.

The expected plans are typed from the published tables (arrows already followed, sample size included), not taken
from the module's own representation of them.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregation.quality import decide_lot, inspection_plans, sampling_plan, switching_points
from services.aggregation.sampling_tables import (
    AQLS,
    CODE_LETTERS,
    LEVELS,
    SEVERITIES,
    code_letter,
    standard_aql,
    table_plan,
)

TABLE_1_LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
TABLE_1 = [  # smallest lot, largest lot, letters for S-1 S-2 S-3 S-4 I II III
    (2, 8, ("A", "A", "A", "A", "A", "A", "B")),
    (9, 15, ("A", "A", "A", "A", "A", "B", "C")),
    (16, 25, ("A", "A", "B", "B", "B", "C", "D")),
    (26, 50, ("A", "B", "B", "C", "C", "D", "E")),
    (51, 90, ("B", "B", "C", "C", "C", "E", "F")),
    (91, 150, ("B", "B", "C", "D", "D", "F", "G")),
    (151, 280, ("B", "C", "D", "E", "E", "G", "H")),
    (281, 500, ("B", "C", "D", "E", "F", "H", "J")),
    (501, 1200, ("C", "C", "E", "F", "G", "J", "K")),
    (1201, 3200, ("C", "D", "E", "G", "H", "K", "L")),
    (3201, 10000, ("C", "D", "F", "G", "J", "L", "M")),
    (10001, 35000, ("C", "D", "F", "H", "K", "M", "N")),
    (35001, 150000, ("D", "E", "G", "J", "L", "N", "P")),
    (150001, 500000, ("D", "E", "G", "J", "M", "P", "Q")),
    (500001, 10**9, ("D", "E", "H", "K", "N", "Q", "R")),
]

# Table 2-A, every code letter and every AQL column: (letter, AQL) -> (n, Ac, Re) of the plan finally used.
NORMAL = {
    ("A", "0.010"): (1250, 0, 1),
    ("A", "0.015"): (800, 0, 1),
    ("A", "0.025"): (500, 0, 1),
    ("A", "0.040"): (315, 0, 1),
    ("A", "0.065"): (200, 0, 1),
    ("A", "0.10"): (125, 0, 1),
    ("A", "0.15"): (80, 0, 1),
    ("A", "0.25"): (50, 0, 1),
    ("A", "0.40"): (32, 0, 1),
    ("A", "0.65"): (20, 0, 1),
    ("A", "1.0"): (13, 0, 1),
    ("A", "1.5"): (8, 0, 1),
    ("A", "2.5"): (5, 0, 1),
    ("A", "4.0"): (3, 0, 1),
    ("A", "6.5"): (2, 0, 1),
    ("A", "10"): (5, 1, 2),
    ("A", "15"): (3, 1, 2),
    ("A", "25"): (2, 1, 2),
    ("A", "40"): (2, 2, 3),
    ("A", "65"): (2, 3, 4),
    ("A", "100"): (2, 5, 6),
    ("A", "150"): (2, 7, 8),
    ("A", "250"): (2, 10, 11),
    ("A", "400"): (2, 14, 15),
    ("A", "650"): (2, 21, 22),
    ("A", "1000"): (2, 30, 31),
    ("B", "0.010"): (1250, 0, 1),
    ("B", "0.015"): (800, 0, 1),
    ("B", "0.025"): (500, 0, 1),
    ("B", "0.040"): (315, 0, 1),
    ("B", "0.065"): (200, 0, 1),
    ("B", "0.10"): (125, 0, 1),
    ("B", "0.15"): (80, 0, 1),
    ("B", "0.25"): (50, 0, 1),
    ("B", "0.40"): (32, 0, 1),
    ("B", "0.65"): (20, 0, 1),
    ("B", "1.0"): (13, 0, 1),
    ("B", "1.5"): (8, 0, 1),
    ("B", "2.5"): (5, 0, 1),
    ("B", "4.0"): (3, 0, 1),
    ("B", "6.5"): (2, 0, 1),
    ("B", "10"): (5, 1, 2),
    ("B", "15"): (3, 1, 2),
    ("B", "25"): (3, 2, 3),
    ("B", "40"): (3, 3, 4),
    ("B", "65"): (3, 5, 6),
    ("B", "100"): (3, 7, 8),
    ("B", "150"): (3, 10, 11),
    ("B", "250"): (3, 14, 15),
    ("B", "400"): (3, 21, 22),
    ("B", "650"): (3, 30, 31),
    ("B", "1000"): (3, 44, 45),
    ("C", "0.010"): (1250, 0, 1),
    ("C", "0.015"): (800, 0, 1),
    ("C", "0.025"): (500, 0, 1),
    ("C", "0.040"): (315, 0, 1),
    ("C", "0.065"): (200, 0, 1),
    ("C", "0.10"): (125, 0, 1),
    ("C", "0.15"): (80, 0, 1),
    ("C", "0.25"): (50, 0, 1),
    ("C", "0.40"): (32, 0, 1),
    ("C", "0.65"): (20, 0, 1),
    ("C", "1.0"): (13, 0, 1),
    ("C", "1.5"): (8, 0, 1),
    ("C", "2.5"): (5, 0, 1),
    ("C", "4.0"): (3, 0, 1),
    ("C", "6.5"): (8, 1, 2),
    ("C", "10"): (5, 1, 2),
    ("C", "15"): (5, 2, 3),
    ("C", "25"): (5, 3, 4),
    ("C", "40"): (5, 5, 6),
    ("C", "65"): (5, 7, 8),
    ("C", "100"): (5, 10, 11),
    ("C", "150"): (5, 14, 15),
    ("C", "250"): (5, 21, 22),
    ("C", "400"): (5, 30, 31),
    ("C", "650"): (5, 44, 45),
    ("C", "1000"): (3, 44, 45),
    ("D", "0.010"): (1250, 0, 1),
    ("D", "0.015"): (800, 0, 1),
    ("D", "0.025"): (500, 0, 1),
    ("D", "0.040"): (315, 0, 1),
    ("D", "0.065"): (200, 0, 1),
    ("D", "0.10"): (125, 0, 1),
    ("D", "0.15"): (80, 0, 1),
    ("D", "0.25"): (50, 0, 1),
    ("D", "0.40"): (32, 0, 1),
    ("D", "0.65"): (20, 0, 1),
    ("D", "1.0"): (13, 0, 1),
    ("D", "1.5"): (8, 0, 1),
    ("D", "2.5"): (5, 0, 1),
    ("D", "4.0"): (13, 1, 2),
    ("D", "6.5"): (8, 1, 2),
    ("D", "10"): (8, 2, 3),
    ("D", "15"): (8, 3, 4),
    ("D", "25"): (8, 5, 6),
    ("D", "40"): (8, 7, 8),
    ("D", "65"): (8, 10, 11),
    ("D", "100"): (8, 14, 15),
    ("D", "150"): (8, 21, 22),
    ("D", "250"): (8, 30, 31),
    ("D", "400"): (8, 44, 45),
    ("D", "650"): (5, 44, 45),
    ("D", "1000"): (3, 44, 45),
    ("E", "0.010"): (1250, 0, 1),
    ("E", "0.015"): (800, 0, 1),
    ("E", "0.025"): (500, 0, 1),
    ("E", "0.040"): (315, 0, 1),
    ("E", "0.065"): (200, 0, 1),
    ("E", "0.10"): (125, 0, 1),
    ("E", "0.15"): (80, 0, 1),
    ("E", "0.25"): (50, 0, 1),
    ("E", "0.40"): (32, 0, 1),
    ("E", "0.65"): (20, 0, 1),
    ("E", "1.0"): (13, 0, 1),
    ("E", "1.5"): (8, 0, 1),
    ("E", "2.5"): (20, 1, 2),
    ("E", "4.0"): (13, 1, 2),
    ("E", "6.5"): (13, 2, 3),
    ("E", "10"): (13, 3, 4),
    ("E", "15"): (13, 5, 6),
    ("E", "25"): (13, 7, 8),
    ("E", "40"): (13, 10, 11),
    ("E", "65"): (13, 14, 15),
    ("E", "100"): (13, 21, 22),
    ("E", "150"): (13, 30, 31),
    ("E", "250"): (13, 44, 45),
    ("E", "400"): (8, 44, 45),
    ("E", "650"): (5, 44, 45),
    ("E", "1000"): (3, 44, 45),
    ("F", "0.010"): (1250, 0, 1),
    ("F", "0.015"): (800, 0, 1),
    ("F", "0.025"): (500, 0, 1),
    ("F", "0.040"): (315, 0, 1),
    ("F", "0.065"): (200, 0, 1),
    ("F", "0.10"): (125, 0, 1),
    ("F", "0.15"): (80, 0, 1),
    ("F", "0.25"): (50, 0, 1),
    ("F", "0.40"): (32, 0, 1),
    ("F", "0.65"): (20, 0, 1),
    ("F", "1.0"): (13, 0, 1),
    ("F", "1.5"): (32, 1, 2),
    ("F", "2.5"): (20, 1, 2),
    ("F", "4.0"): (20, 2, 3),
    ("F", "6.5"): (20, 3, 4),
    ("F", "10"): (20, 5, 6),
    ("F", "15"): (20, 7, 8),
    ("F", "25"): (20, 10, 11),
    ("F", "40"): (20, 14, 15),
    ("F", "65"): (20, 21, 22),
    ("F", "100"): (13, 21, 22),
    ("F", "150"): (13, 30, 31),
    ("F", "250"): (13, 44, 45),
    ("F", "400"): (8, 44, 45),
    ("F", "650"): (5, 44, 45),
    ("F", "1000"): (3, 44, 45),
    ("G", "0.010"): (1250, 0, 1),
    ("G", "0.015"): (800, 0, 1),
    ("G", "0.025"): (500, 0, 1),
    ("G", "0.040"): (315, 0, 1),
    ("G", "0.065"): (200, 0, 1),
    ("G", "0.10"): (125, 0, 1),
    ("G", "0.15"): (80, 0, 1),
    ("G", "0.25"): (50, 0, 1),
    ("G", "0.40"): (32, 0, 1),
    ("G", "0.65"): (20, 0, 1),
    ("G", "1.0"): (50, 1, 2),
    ("G", "1.5"): (32, 1, 2),
    ("G", "2.5"): (32, 2, 3),
    ("G", "4.0"): (32, 3, 4),
    ("G", "6.5"): (32, 5, 6),
    ("G", "10"): (32, 7, 8),
    ("G", "15"): (32, 10, 11),
    ("G", "25"): (32, 14, 15),
    ("G", "40"): (32, 21, 22),
    ("G", "65"): (20, 21, 22),
    ("G", "100"): (13, 21, 22),
    ("G", "150"): (13, 30, 31),
    ("G", "250"): (13, 44, 45),
    ("G", "400"): (8, 44, 45),
    ("G", "650"): (5, 44, 45),
    ("G", "1000"): (3, 44, 45),
    ("H", "0.010"): (1250, 0, 1),
    ("H", "0.015"): (800, 0, 1),
    ("H", "0.025"): (500, 0, 1),
    ("H", "0.040"): (315, 0, 1),
    ("H", "0.065"): (200, 0, 1),
    ("H", "0.10"): (125, 0, 1),
    ("H", "0.15"): (80, 0, 1),
    ("H", "0.25"): (50, 0, 1),
    ("H", "0.40"): (32, 0, 1),
    ("H", "0.65"): (80, 1, 2),
    ("H", "1.0"): (50, 1, 2),
    ("H", "1.5"): (50, 2, 3),
    ("H", "2.5"): (50, 3, 4),
    ("H", "4.0"): (50, 5, 6),
    ("H", "6.5"): (50, 7, 8),
    ("H", "10"): (50, 10, 11),
    ("H", "15"): (50, 14, 15),
    ("H", "25"): (50, 21, 22),
    ("H", "40"): (32, 21, 22),
    ("H", "65"): (20, 21, 22),
    ("H", "100"): (13, 21, 22),
    ("H", "150"): (13, 30, 31),
    ("H", "250"): (13, 44, 45),
    ("H", "400"): (8, 44, 45),
    ("H", "650"): (5, 44, 45),
    ("H", "1000"): (3, 44, 45),
    ("J", "0.010"): (1250, 0, 1),
    ("J", "0.015"): (800, 0, 1),
    ("J", "0.025"): (500, 0, 1),
    ("J", "0.040"): (315, 0, 1),
    ("J", "0.065"): (200, 0, 1),
    ("J", "0.10"): (125, 0, 1),
    ("J", "0.15"): (80, 0, 1),
    ("J", "0.25"): (50, 0, 1),
    ("J", "0.40"): (125, 1, 2),
    ("J", "0.65"): (80, 1, 2),
    ("J", "1.0"): (80, 2, 3),
    ("J", "1.5"): (80, 3, 4),
    ("J", "2.5"): (80, 5, 6),
    ("J", "4.0"): (80, 7, 8),
    ("J", "6.5"): (80, 10, 11),
    ("J", "10"): (80, 14, 15),
    ("J", "15"): (80, 21, 22),
    ("J", "25"): (50, 21, 22),
    ("J", "40"): (32, 21, 22),
    ("J", "65"): (20, 21, 22),
    ("J", "100"): (13, 21, 22),
    ("J", "150"): (13, 30, 31),
    ("J", "250"): (13, 44, 45),
    ("J", "400"): (8, 44, 45),
    ("J", "650"): (5, 44, 45),
    ("J", "1000"): (3, 44, 45),
    ("K", "0.010"): (1250, 0, 1),
    ("K", "0.015"): (800, 0, 1),
    ("K", "0.025"): (500, 0, 1),
    ("K", "0.040"): (315, 0, 1),
    ("K", "0.065"): (200, 0, 1),
    ("K", "0.10"): (125, 0, 1),
    ("K", "0.15"): (80, 0, 1),
    ("K", "0.25"): (200, 1, 2),
    ("K", "0.40"): (125, 1, 2),
    ("K", "0.65"): (125, 2, 3),
    ("K", "1.0"): (125, 3, 4),
    ("K", "1.5"): (125, 5, 6),
    ("K", "2.5"): (125, 7, 8),
    ("K", "4.0"): (125, 10, 11),
    ("K", "6.5"): (125, 14, 15),
    ("K", "10"): (125, 21, 22),
    ("K", "15"): (80, 21, 22),
    ("K", "25"): (50, 21, 22),
    ("K", "40"): (32, 21, 22),
    ("K", "65"): (20, 21, 22),
    ("K", "100"): (13, 21, 22),
    ("K", "150"): (13, 30, 31),
    ("K", "250"): (13, 44, 45),
    ("K", "400"): (8, 44, 45),
    ("K", "650"): (5, 44, 45),
    ("K", "1000"): (3, 44, 45),
    ("L", "0.010"): (1250, 0, 1),
    ("L", "0.015"): (800, 0, 1),
    ("L", "0.025"): (500, 0, 1),
    ("L", "0.040"): (315, 0, 1),
    ("L", "0.065"): (200, 0, 1),
    ("L", "0.10"): (125, 0, 1),
    ("L", "0.15"): (315, 1, 2),
    ("L", "0.25"): (200, 1, 2),
    ("L", "0.40"): (200, 2, 3),
    ("L", "0.65"): (200, 3, 4),
    ("L", "1.0"): (200, 5, 6),
    ("L", "1.5"): (200, 7, 8),
    ("L", "2.5"): (200, 10, 11),
    ("L", "4.0"): (200, 14, 15),
    ("L", "6.5"): (200, 21, 22),
    ("L", "10"): (125, 21, 22),
    ("L", "15"): (80, 21, 22),
    ("L", "25"): (50, 21, 22),
    ("L", "40"): (32, 21, 22),
    ("L", "65"): (20, 21, 22),
    ("L", "100"): (13, 21, 22),
    ("L", "150"): (13, 30, 31),
    ("L", "250"): (13, 44, 45),
    ("L", "400"): (8, 44, 45),
    ("L", "650"): (5, 44, 45),
    ("L", "1000"): (3, 44, 45),
    ("M", "0.010"): (1250, 0, 1),
    ("M", "0.015"): (800, 0, 1),
    ("M", "0.025"): (500, 0, 1),
    ("M", "0.040"): (315, 0, 1),
    ("M", "0.065"): (200, 0, 1),
    ("M", "0.10"): (500, 1, 2),
    ("M", "0.15"): (315, 1, 2),
    ("M", "0.25"): (315, 2, 3),
    ("M", "0.40"): (315, 3, 4),
    ("M", "0.65"): (315, 5, 6),
    ("M", "1.0"): (315, 7, 8),
    ("M", "1.5"): (315, 10, 11),
    ("M", "2.5"): (315, 14, 15),
    ("M", "4.0"): (315, 21, 22),
    ("M", "6.5"): (200, 21, 22),
    ("M", "10"): (125, 21, 22),
    ("M", "15"): (80, 21, 22),
    ("M", "25"): (50, 21, 22),
    ("M", "40"): (32, 21, 22),
    ("M", "65"): (20, 21, 22),
    ("M", "100"): (13, 21, 22),
    ("M", "150"): (13, 30, 31),
    ("M", "250"): (13, 44, 45),
    ("M", "400"): (8, 44, 45),
    ("M", "650"): (5, 44, 45),
    ("M", "1000"): (3, 44, 45),
    ("N", "0.010"): (1250, 0, 1),
    ("N", "0.015"): (800, 0, 1),
    ("N", "0.025"): (500, 0, 1),
    ("N", "0.040"): (315, 0, 1),
    ("N", "0.065"): (800, 1, 2),
    ("N", "0.10"): (500, 1, 2),
    ("N", "0.15"): (500, 2, 3),
    ("N", "0.25"): (500, 3, 4),
    ("N", "0.40"): (500, 5, 6),
    ("N", "0.65"): (500, 7, 8),
    ("N", "1.0"): (500, 10, 11),
    ("N", "1.5"): (500, 14, 15),
    ("N", "2.5"): (500, 21, 22),
    ("N", "4.0"): (315, 21, 22),
    ("N", "6.5"): (200, 21, 22),
    ("N", "10"): (125, 21, 22),
    ("N", "15"): (80, 21, 22),
    ("N", "25"): (50, 21, 22),
    ("N", "40"): (32, 21, 22),
    ("N", "65"): (20, 21, 22),
    ("N", "100"): (13, 21, 22),
    ("N", "150"): (13, 30, 31),
    ("N", "250"): (13, 44, 45),
    ("N", "400"): (8, 44, 45),
    ("N", "650"): (5, 44, 45),
    ("N", "1000"): (3, 44, 45),
    ("P", "0.010"): (1250, 0, 1),
    ("P", "0.015"): (800, 0, 1),
    ("P", "0.025"): (500, 0, 1),
    ("P", "0.040"): (1250, 1, 2),
    ("P", "0.065"): (800, 1, 2),
    ("P", "0.10"): (800, 2, 3),
    ("P", "0.15"): (800, 3, 4),
    ("P", "0.25"): (800, 5, 6),
    ("P", "0.40"): (800, 7, 8),
    ("P", "0.65"): (800, 10, 11),
    ("P", "1.0"): (800, 14, 15),
    ("P", "1.5"): (800, 21, 22),
    ("P", "2.5"): (500, 21, 22),
    ("P", "4.0"): (315, 21, 22),
    ("P", "6.5"): (200, 21, 22),
    ("P", "10"): (125, 21, 22),
    ("P", "15"): (80, 21, 22),
    ("P", "25"): (50, 21, 22),
    ("P", "40"): (32, 21, 22),
    ("P", "65"): (20, 21, 22),
    ("P", "100"): (13, 21, 22),
    ("P", "150"): (13, 30, 31),
    ("P", "250"): (13, 44, 45),
    ("P", "400"): (8, 44, 45),
    ("P", "650"): (5, 44, 45),
    ("P", "1000"): (3, 44, 45),
    ("Q", "0.010"): (1250, 0, 1),
    ("Q", "0.015"): (800, 0, 1),
    ("Q", "0.025"): (2000, 1, 2),
    ("Q", "0.040"): (1250, 1, 2),
    ("Q", "0.065"): (1250, 2, 3),
    ("Q", "0.10"): (1250, 3, 4),
    ("Q", "0.15"): (1250, 5, 6),
    ("Q", "0.25"): (1250, 7, 8),
    ("Q", "0.40"): (1250, 10, 11),
    ("Q", "0.65"): (1250, 14, 15),
    ("Q", "1.0"): (1250, 21, 22),
    ("Q", "1.5"): (800, 21, 22),
    ("Q", "2.5"): (500, 21, 22),
    ("Q", "4.0"): (315, 21, 22),
    ("Q", "6.5"): (200, 21, 22),
    ("Q", "10"): (125, 21, 22),
    ("Q", "15"): (80, 21, 22),
    ("Q", "25"): (50, 21, 22),
    ("Q", "40"): (32, 21, 22),
    ("Q", "65"): (20, 21, 22),
    ("Q", "100"): (13, 21, 22),
    ("Q", "150"): (13, 30, 31),
    ("Q", "250"): (13, 44, 45),
    ("Q", "400"): (8, 44, 45),
    ("Q", "650"): (5, 44, 45),
    ("Q", "1000"): (3, 44, 45),
    ("R", "0.010"): (1250, 0, 1),
    ("R", "0.015"): (800, 0, 1),
    ("R", "0.025"): (2000, 1, 2),
    ("R", "0.040"): (2000, 2, 3),
    ("R", "0.065"): (2000, 3, 4),
    ("R", "0.10"): (2000, 5, 6),
    ("R", "0.15"): (2000, 7, 8),
    ("R", "0.25"): (2000, 10, 11),
    ("R", "0.40"): (2000, 14, 15),
    ("R", "0.65"): (2000, 21, 22),
    ("R", "1.0"): (1250, 21, 22),
    ("R", "1.5"): (800, 21, 22),
    ("R", "2.5"): (500, 21, 22),
    ("R", "4.0"): (315, 21, 22),
    ("R", "6.5"): (200, 21, 22),
    ("R", "10"): (125, 21, 22),
    ("R", "15"): (80, 21, 22),
    ("R", "25"): (50, 21, 22),
    ("R", "40"): (32, 21, 22),
    ("R", "65"): (20, 21, 22),
    ("R", "100"): (13, 21, 22),
    ("R", "150"): (13, 30, 31),
    ("R", "250"): (13, 44, 45),
    ("R", "400"): (8, 44, 45),
    ("R", "650"): (5, 44, 45),
    ("R", "1000"): (3, 44, 45),
}

# Table 2-B: whole columns 0.025 (where the arrows reach code letter S, n = 3150), 1.0 and 10, and its corners.
TIGHTENED = {
    ("A", "0.025"): (800, 0, 1),
    ("B", "0.025"): (800, 0, 1),
    ("C", "0.025"): (800, 0, 1),
    ("D", "0.025"): (800, 0, 1),
    ("E", "0.025"): (800, 0, 1),
    ("F", "0.025"): (800, 0, 1),
    ("G", "0.025"): (800, 0, 1),
    ("H", "0.025"): (800, 0, 1),
    ("J", "0.025"): (800, 0, 1),
    ("K", "0.025"): (800, 0, 1),
    ("L", "0.025"): (800, 0, 1),
    ("M", "0.025"): (800, 0, 1),
    ("N", "0.025"): (800, 0, 1),
    ("P", "0.025"): (800, 0, 1),
    ("Q", "0.025"): (3150, 1, 2),
    ("R", "0.025"): (3150, 1, 2),
    ("A", "1.0"): (20, 0, 1),
    ("B", "1.0"): (20, 0, 1),
    ("C", "1.0"): (20, 0, 1),
    ("D", "1.0"): (20, 0, 1),
    ("E", "1.0"): (20, 0, 1),
    ("F", "1.0"): (20, 0, 1),
    ("G", "1.0"): (80, 1, 2),
    ("H", "1.0"): (80, 1, 2),
    ("J", "1.0"): (80, 1, 2),
    ("K", "1.0"): (125, 2, 3),
    ("L", "1.0"): (200, 3, 4),
    ("M", "1.0"): (315, 5, 6),
    ("N", "1.0"): (500, 8, 9),
    ("P", "1.0"): (800, 12, 13),
    ("Q", "1.0"): (1250, 18, 19),
    ("R", "1.0"): (1250, 18, 19),
    ("A", "10"): (2, 0, 1),
    ("B", "10"): (8, 1, 2),
    ("C", "10"): (8, 1, 2),
    ("D", "10"): (8, 1, 2),
    ("E", "10"): (13, 2, 3),
    ("F", "10"): (20, 3, 4),
    ("G", "10"): (32, 5, 6),
    ("H", "10"): (50, 8, 9),
    ("J", "10"): (80, 12, 13),
    ("K", "10"): (125, 18, 19),
    ("L", "10"): (125, 18, 19),
    ("M", "10"): (125, 18, 19),
    ("N", "10"): (125, 18, 19),
    ("P", "10"): (125, 18, 19),
    ("Q", "10"): (125, 18, 19),
    ("R", "10"): (125, 18, 19),
    ("R", "0.010"): (2000, 0, 1),
    ("R", "0.015"): (1250, 0, 1),
    ("A", "15"): (5, 1, 2),
    ("A", "25"): (3, 1, 2),
    ("A", "1000"): (2, 27, 28),
    ("B", "1000"): (3, 41, 42),
    ("C", "1000"): (3, 41, 42),
    ("E", "150"): (13, 27, 28),
    ("F", "100"): (13, 18, 19),
    ("K", "25"): (50, 18, 19),
}

# Table 2-C (1999: Re = Ac + 1, no gaps): whole columns 0.025, 1.0, 6.5 and 100, and its corners.
REDUCED = {
    ("A", "0.025"): (200, 0, 1),
    ("B", "0.025"): (200, 0, 1),
    ("C", "0.025"): (200, 0, 1),
    ("D", "0.025"): (200, 0, 1),
    ("E", "0.025"): (200, 0, 1),
    ("F", "0.025"): (200, 0, 1),
    ("G", "0.025"): (200, 0, 1),
    ("H", "0.025"): (200, 0, 1),
    ("J", "0.025"): (200, 0, 1),
    ("K", "0.025"): (200, 0, 1),
    ("L", "0.025"): (200, 0, 1),
    ("M", "0.025"): (200, 0, 1),
    ("N", "0.025"): (200, 0, 1),
    ("P", "0.025"): (200, 0, 1),
    ("Q", "0.025"): (200, 0, 1),
    ("R", "0.025"): (200, 0, 1),
    ("A", "1.0"): (5, 0, 1),
    ("B", "1.0"): (5, 0, 1),
    ("C", "1.0"): (5, 0, 1),
    ("D", "1.0"): (5, 0, 1),
    ("E", "1.0"): (5, 0, 1),
    ("F", "1.0"): (5, 0, 1),
    ("G", "1.0"): (32, 1, 2),
    ("H", "1.0"): (32, 1, 2),
    ("J", "1.0"): (32, 1, 2),
    ("K", "1.0"): (50, 2, 3),
    ("L", "1.0"): (80, 3, 4),
    ("M", "1.0"): (125, 5, 6),
    ("N", "1.0"): (200, 6, 7),
    ("P", "1.0"): (315, 8, 9),
    ("Q", "1.0"): (500, 10, 11),
    ("R", "1.0"): (500, 10, 11),
    ("A", "6.5"): (2, 0, 1),
    ("B", "6.5"): (2, 0, 1),
    ("C", "6.5"): (5, 1, 2),
    ("D", "6.5"): (5, 1, 2),
    ("E", "6.5"): (5, 1, 2),
    ("F", "6.5"): (8, 2, 3),
    ("G", "6.5"): (13, 3, 4),
    ("H", "6.5"): (20, 5, 6),
    ("J", "6.5"): (32, 6, 7),
    ("K", "6.5"): (50, 8, 9),
    ("L", "6.5"): (80, 10, 11),
    ("M", "6.5"): (80, 10, 11),
    ("N", "6.5"): (80, 10, 11),
    ("P", "6.5"): (80, 10, 11),
    ("Q", "6.5"): (80, 10, 11),
    ("R", "6.5"): (80, 10, 11),
    ("A", "100"): (2, 5, 6),
    ("B", "100"): (2, 5, 6),
    ("C", "100"): (2, 6, 7),
    ("D", "100"): (3, 8, 9),
    ("E", "100"): (5, 10, 11),
    ("F", "100"): (5, 10, 11),
    ("G", "100"): (5, 10, 11),
    ("H", "100"): (5, 10, 11),
    ("J", "100"): (5, 10, 11),
    ("K", "100"): (5, 10, 11),
    ("L", "100"): (5, 10, 11),
    ("M", "100"): (5, 10, 11),
    ("N", "100"): (5, 10, 11),
    ("P", "100"): (5, 10, 11),
    ("Q", "100"): (5, 10, 11),
    ("R", "100"): (5, 10, 11),
    ("A", "10"): (3, 1, 2),
    ("A", "15"): (2, 1, 2),
    ("A", "25"): (2, 1, 2),
    ("B", "25"): (2, 1, 2),
    ("B", "1000"): (2, 30, 31),
    ("C", "1000"): (2, 30, 31),
    ("E", "400"): (3, 21, 22),
    ("F", "150"): (5, 14, 15),
    ("Q", "0.010"): (500, 0, 1),
    ("Q", "0.015"): (315, 0, 1),
    ("R", "0.010"): (500, 0, 1),
    ("R", "0.015"): (315, 0, 1),
    ("R", "0.040"): (800, 1, 2),
}


def test_table_1_gives_every_level_its_letter_at_both_ends_of_every_lot_size_range():
    assert LEVELS == TABLE_1_LEVELS
    for smallest, largest, letters in TABLE_1:
        for lot_size in (smallest, (smallest + largest) // 2, largest):
            got = tuple(code_letter(lot_size, level) for level in TABLE_1_LEVELS)
            assert got == letters, lot_size


def test_the_normal_table_is_complete_and_every_cell_matches_the_standard():
    assert len(NORMAL) == len(CODE_LETTERS) * len(AQLS) == 416
    for (letter, aql), expected in NORMAL.items():
        plan = table_plan(letter, aql)
        assert (plan.sample_size, plan.accept, plan.reject) == expected, (letter, aql)


@pytest.mark.parametrize("severity, cells", [("tightened", TIGHTENED), ("reduced", REDUCED)])
def test_tightened_and_reduced_cells_match_the_standard(severity, cells):
    for (letter, aql), expected in cells.items():
        plan = table_plan(letter, aql, severity)
        assert (plan.sample_size, plan.accept, plan.reject) == expected, (severity, letter, aql)


def test_an_arrow_hands_over_the_whole_plan_of_the_row_it_points_to():
    up = sampling_plan(1000, 0.25)
    assert (up.code_letter, up.plan_letter, up.sample_size, up.accept, up.reject) == ("J", "H", 50, 0, 1)
    down = sampling_plan(1000, 0.40)
    assert (down.code_letter, down.plan_letter, down.sample_size, down.accept, down.reject) == ("J", "K", 125, 1, 2)
    direct = sampling_plan(1000, 2.5)
    assert (direct.code_letter, direct.plan_letter, direct.sample_size, direct.accept) == ("J", "J", 80, 5)
    assert not direct.full_inspection and direct.table == "2-A"


def test_only_tightened_inspection_reaches_code_letter_s():
    plan = sampling_plan(200_000, 0.025, "III", "tightened")
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("Q", "S", 3150, 1, 2)
    assert plan.table == "2-B"
    assert sampling_plan(200_000, 0.025, "III").plan_letter == "R"


@pytest.mark.parametrize(
    "lot_size, aql, level, severity, plan_letter, table_n, accept",
    [
        (5, 0.65, "II", "normal", "F", 20, 0),
        (8, 1.0, "II", "normal", "E", 13, 0),
        (13, 1.0, "II", "normal", "E", 13, 0),
        (20, 0.10, "II", "normal", "K", 125, 0),
        (50, 0.25, "I", "normal", "H", 50, 0),
        (3, 10, "II", "normal", "C", 5, 1),
        (500, 0.025, "III", "tightened", "P", 800, 0),
        (6, 0.65, "II", "reduced", "F", 8, 0),
    ],
)
def test_a_lot_no_bigger_than_the_sample_is_inspected_in_full_with_the_plans_numbers(
    lot_size, aql, level, severity, plan_letter, table_n, accept
):
    plan = sampling_plan(lot_size, aql, level, severity)
    assert table_plan(plan.code_letter, aql, severity).sample_size == table_n >= lot_size
    assert plan.full_inspection
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == (plan_letter, lot_size, accept, accept + 1)


def test_a_lot_one_unit_bigger_than_the_sample_is_sampled():
    plan = sampling_plan(14, 1.0)
    assert (plan.sample_size, plan.full_inspection) == (13, False)


SAMPLE_SIZES = {
    "normal": {2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000},
    "tightened": {2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000, 3150},
    "reduced": {2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800},
}


@pytest.mark.parametrize("severity", SEVERITIES)
def test_every_cell_of_every_table_leads_to_a_plan_that_grows_with_the_lot_and_the_aql(severity):
    for aql in AQLS:
        plans = [table_plan(letter, aql, severity) for letter in CODE_LETTERS]
        assert all(plan.reject == plan.accept + 1 for plan in plans)
        assert {plan.sample_size for plan in plans} <= SAMPLE_SIZES[severity]
        sizes = [plan.sample_size for plan in plans]
        accepts = [plan.accept for plan in plans]
        assert sizes == sorted(sizes) and accepts == sorted(accepts), aql
    for letter in CODE_LETTERS:
        accepts = [table_plan(letter, aql, severity).accept for aql in AQLS]
        assert accepts == sorted(accepts), letter


@settings(max_examples=300, deadline=None)
@given(
    lot_size=st.integers(2, 10**7),
    aql=st.sampled_from(AQLS),
    level=st.sampled_from(LEVELS),
    severity=st.sampled_from(SEVERITIES),
)
def test_a_plan_never_samples_more_than_the_lot_and_otherwise_takes_the_tables_sample(lot_size, aql, level, severity):
    plan = sampling_plan(lot_size, aql, level, severity)
    table = table_plan(code_letter(lot_size, level), aql, severity)
    assert plan.code_letter == code_letter(lot_size, level)
    assert plan.sample_size == min(lot_size, table.sample_size)
    assert plan.full_inspection == (table.sample_size >= lot_size)
    assert (plan.plan_letter, plan.accept, plan.reject) == (table.plan_letter, table.accept, table.reject)


@pytest.mark.parametrize("spelling", [1, 1.0, "1.0", "1", Decimal("1.0"), 1.0000000001])
def test_an_aql_is_recognised_however_it_is_written(spelling):
    assert standard_aql(spelling) == Decimal("1.0")
    assert sampling_plan(1000, spelling) == sampling_plan(1000, Decimal("1.0"))


def test_small_aqls_written_as_floats_find_their_column():
    assert [standard_aql(value) for value in (0.01, 0.065, 0.1, 0.65, 6.5, 1000)] == [
        Decimal("0.010"),
        Decimal("0.065"),
        Decimal("0.10"),
        Decimal("0.65"),
        Decimal("6.5"),
        Decimal("1000"),
    ]


@pytest.mark.parametrize("aql", [0.7, 0, -1, 2000, "abc", None, True, float("nan"), [1.0]])
def test_an_aql_that_is_not_a_preferred_value_is_refused(aql):
    with pytest.raises(ValueError, match="AQL"):
        sampling_plan(1000, aql)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lot_size": 1}, "smallest lot"),
        ({"lot_size": 0}, "smallest lot"),
        ({"lot_size": 2.5}, "whole number"),
        ({"lot_size": True}, "whole number"),
        ({"level": "IV"}, "inspection level"),
        ({"level": None}, "inspection level"),
        ({"severity": "strict"}, "severity"),
    ],
)
def test_invalid_requests_are_refused_with_a_clear_message(kwargs, message):
    request = {"lot_size": 1000, "aql": 1.0, "level": "II", "severity": "normal"} | kwargs
    with pytest.raises(ValueError, match=message):
        sampling_plan(**request)


def test_level_and_severity_are_read_regardless_of_case():
    assert sampling_plan(1000, 1.0, " s-4 ", " Tightened ") == sampling_plan(1000, 1.0, "S-4", "tightened")


@pytest.mark.parametrize("letter", ["S", "I", "", "AB", None])
def test_only_table_1_letters_index_a_master_table(letter):
    with pytest.raises(ValueError, match="code letter"):
        table_plan(letter, 0.025, "tightened")


def test_a_plan_judges_a_count_of_defective_units_from_its_own_sample():
    plan = sampling_plan(1000, 2.5)
    assert [plan.accepts(found) for found in (0, 5, 6, 80)] == [True, True, False, False]
    with pytest.raises(ValueError, match="cannot come from a sample of 80"):
        plan.accepts(81)


def _plans():
    return inspection_plans(1000, {"critical": 0.065, "major": 2.5, "minor": 4.0})


def test_each_class_of_defect_gets_the_plan_of_its_own_aql():
    plans = _plans()
    assert list(plans) == ["critical", "major", "minor"]
    assert [(p.plan_letter, p.sample_size, p.accept, p.reject) for p in plans.values()] == [
        ("L", 200, 0, 1),
        ("J", 80, 5, 6),
        ("J", 80, 7, 8),
    ]


def test_a_lot_is_accepted_only_when_every_class_is_within_its_acceptance_number():
    plans = _plans()
    accepted = decide_lot(plans, {"critical": 0, "major": 5, "minor": 7})
    assert accepted.accepted
    assert [verdict.accepted for verdict in accepted.verdicts] == [True, True, True]
    major_over = decide_lot(plans, {"critical": 0, "major": 6, "minor": 0})
    assert not major_over.accepted
    assert [verdict.accepted for verdict in major_over.verdicts] == [True, False, True]
    assert "major: 6 defective of 80 inspected, at or above Re 6" in major_over.reason
    assert not decide_lot(plans, {"critical": 1, "major": 0, "minor": 0}).accepted


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_decision_is_the_conjunction_of_the_classes_and_a_rejection_number_always_rejects(data):
    plans = _plans()
    defects = {name: data.draw(st.integers(0, plan.sample_size), label=name) for name, plan in plans.items()}
    decision = decide_lot(plans, defects)
    assert decision.accepted == all(defects[name] <= plan.accept for name, plan in plans.items())
    if any(defects[name] >= plan.reject for name, plan in plans.items()):
        assert not decision.accepted


@pytest.mark.parametrize(
    "defects, message",
    [
        ({"critical": 0, "major": 81, "minor": 0}, "cannot come from a sample of 80"),
        ({"critical": -1, "major": 0, "minor": 0}, "cannot come from a sample of 200"),
        ({"critical": 0, "major": 1.5, "minor": 0}, "whole number"),
        ({"critical": 0, "major": 0}, "planned for"),
        ({"critical": 0, "major": 0, "minor": 0, "cosmetic": 0}, "planned for"),
    ],
)
def test_impossible_defect_counts_are_refused(defects, message):
    with pytest.raises(ValueError, match=message):
        decide_lot(_plans(), defects)


def test_classes_must_be_known_and_belong_to_one_lot():
    with pytest.raises(ValueError, match="unknown defect classes"):
        inspection_plans(1000, {"majr": 2.5})
    with pytest.raises(ValueError, match="at least one class"):
        inspection_plans(1000, {})
    mixed = {"major": sampling_plan(1000, 2.5), "minor": sampling_plan(1000, 4.0, severity="tightened")}
    with pytest.raises(ValueError, match="one lot"):
        decide_lot(mixed, {"major": 0, "minor": 0})


def test_switching_points_follow_clause_9_3_3():
    major = sampling_plan(1000, 2.5)  # J: n 80, Ac 5; one step tighter, 1.5: Ac 3 with the same 80 units
    assert [switching_points(major, found) for found in (0, 3, 4, 5, 6)] == [3, 3, 0, 0, 0]
    small = sampling_plan(1000, 0.65)  # J: n 80, Ac 1
    assert [switching_points(small, found) for found in (0, 1, 2)] == [2, 2, 0]
    assert switching_points(sampling_plan(1000, 2.5, severity="tightened"), 0) == 0
    decision = decide_lot(_plans(), {"critical": 0, "major": 3, "minor": 5})
    assert [verdict.switching_points for verdict in decision.verdicts] == [2, 3, 3]
    assert decision.switching_points == 2


def test_the_aql_one_step_tighter_is_judged_on_the_same_sample():
    for letter in CODE_LETTERS:
        for aql in AQLS:
            plan = table_plan(letter, aql)
            if plan.accept >= 2:
                tighter = table_plan(plan.plan_letter, AQLS[AQLS.index(aql) - 1])
                assert (tighter.plan_letter, tighter.sample_size) == (plan.plan_letter, plan.sample_size)
                assert tighter.accept < plan.accept
