"""No cell of a CSV file the platform writes can run as a formula, whichever separator the spreadsheet splits on."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from shared.spreadsheet import csv_text, inert

FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SEPARATORS = (",", ";", "\t", "|")
# Text rich in what an attack is made of: separators, quotes, spaces, line breaks and formula characters.
cells = st.text(alphabet='ab1( ,;\t|"\r\n=+-@\uff1d', max_size=30)


def _runnable(cell: str) -> bool:
    return cell.lstrip(' "\t\r\n').startswith(FORMULA_STARTS)


@given(st.lists(st.lists(cells, min_size=1, max_size=5), max_size=5))
def test_no_cell_is_a_formula_in_any_reading_of_the_file(rows):
    """Read as written (commas, quotes honoured), and as a spreadsheet splitting each line on another separator."""
    width = max((len(row) for row in rows), default=1)
    text = csv_text([f"column {n}" for n in range(width)], [row + [""] * (width - len(row)) for row in rows])
    assert not [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row if _runnable(cell)]
    for separator in SEPARATORS:
        for line in text.splitlines():
            assert not [cell for cell in next(csv.reader([line], delimiter=separator)) if _runnable(cell)], (
                separator,
                line,
            )


@given(cells)
def test_text_without_a_formula_anywhere_is_written_as_it_is(cell):
    plain = cell.translate(str.maketrans("\t\r\n", "   ", "=+-@\uff1d"))
    assert inert(plain) == plain


def test_a_separator_inside_a_cell_cannot_start_a_formula_and_numbers_stay_numbers():
    text = csv_text(["sku", "name", "units"], [["B-1", "x;=1+1", 12], ["B-2", "-2", 3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["sku", "name", "units"],
        ["B-1", "x;'=1+1", "12"],
        ["B-2", "'-2", "3"],
    ]
    split = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert split == ['B-1,"x', '\'=1+1","12"'], "a spreadsheet set to semicolons sees text, not =1+1"
