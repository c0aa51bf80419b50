import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.catalogue import capacity_csv
from services.catalogue.capacity_csv import CapacityCsvRejected, CapacityRow, parse_capacity_csv, unknown_rows

HEADER = "producer_id,sku,week,units,lead_time_days,min_lot"


def good_lines(count: int) -> list[str]:
    return [
        f"prd_{i % 40:03d},BILUM-{i // 40:03d},2026-W{i % 52 + 1:02d},{i % 300},{i % 30},{1 + i % 10}"
        for i in range(count)
    ]


def csv_text(lines: list[str], header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *lines]) + newline


def rejected_errors(text, check_rows=None) -> list[tuple[int | None, str]]:
    with pytest.raises(CapacityCsvRejected) as refused:
        parse_capacity_csv(text, check_rows)
    return refused.value.errors


def test_a_thousand_good_rows_parse_with_their_line_numbers_and_types():
    rows = parse_capacity_csv(csv_text(good_lines(1000)))
    assert len(rows) == 1000
    assert rows[0] == CapacityRow(
        row_number=2,
        producer_id="prd_000",
        sku="BILUM-000",
        week="2026-W01",
        week_start=date(2025, 12, 29),
        units=0,
        lead_time_days=0,
        min_lot=1,
    )
    assert rows[-1].row_number == 1001
    assert rows[-1].week == "2026-W12" and rows[-1].week_start == date(2026, 3, 16)
    assert all(row.week_start.isoweekday() == 1 for row in rows)


def test_three_bad_rows_are_all_named_and_nothing_else():
    lines = good_lines(1000)
    lines[7] = "prd_900,BILUM-900,2026-W60,5,1,1"
    lines[499] = "prd_901,BILUM-901,2026-W10,-5,1,1"
    lines[998] = "prd_902,,2026-W10,5,1,0"
    errors = rejected_errors(csv_text(lines))
    assert {row for row, _ in errors} == {9, 501, 1000}
    assert [reason.split(":")[0] for row, reason in errors if row == 1000] == ["sku", "min_lot"]


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("producer_id", "", "producer_id: must be 1 to 64 characters"),
        ("producer_id", "p" * 65, "producer_id: must be 1 to 64 characters"),
        ("sku", "  ", "sku: must be 1 to 64 characters"),
        ("week", "2026-48", "week: '2026-48' is not an ISO week"),
        ("week", "2026-w48", "week: '2026-w48' is not an ISO week"),
        ("week", "2025-W53", "week: '2025-W53': 2025 has no week 53"),
        ("week", "", "week: '' is not an ISO week"),
        ("units", "-1", "units: must be from 0 to 1000000, not -1"),
        ("units", "1000001", "units: must be from 0 to 1000000"),
        ("units", "1.5", "units: must be a whole number"),
        ("units", "1_000", "units: must be a whole number"),
        ("units", "ten", "units: must be a whole number"),
        ("units", "", "units: must be a whole number"),
        ("lead_time_days", "-3", "lead_time_days: must be from 0 to 365, not -3"),
        ("lead_time_days", "366", "lead_time_days: must be from 0 to 365"),
        ("min_lot", "0", "min_lot: must be from 1 to 1000000, not 0"),
        ("min_lot", "2.0", "min_lot: must be a whole number"),
    ],
)
def test_each_kind_of_bad_field_is_named_with_what_is_wrong(column, value, expected):
    row = {
        "producer_id": "prd_001",
        "sku": "BILUM-001",
        "week": "2026-W48",
        "units": "40",
        "lead_time_days": "14",
        "min_lot": "5",
        column: value,
    }
    line = ",".join(f'"{row[name]}"' for name in capacity_csv.COLUMNS)
    errors = rejected_errors(csv_text(good_lines(3) + [line]))
    assert len(errors) == 1
    assert errors[0][0] == 5
    assert errors[0][1].startswith(expected)


def test_week_53_exists_in_a_long_year():
    assert parse_capacity_csv(csv_text(["prd_1,SKU-1,2026-W53,10,0,1"]))[0].week_start == date(2026, 12, 28)


def test_the_same_producer_sku_and_week_twice_is_an_error_on_the_later_row():
    lines = [
        "prd_1,SKU-1,2026-W48,10,0,1",
        "prd_1,SKU-2,2026-W48,10,0,1",
        "prd_1,SKU-1,2026-W49,10,0,1",
        "prd_1,SKU-1,2026-W48,20,0,1",
    ]
    assert rejected_errors(csv_text(lines)) == [
        (5, "week: 2026-W48 of producer prd_1 and sku SKU-1 is already given on row 2")
    ]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("producer_id,sku,week,units,lead_time_days", "header: missing column(s) min_lot"),
        ("producer_id,sku,week,units,lead_time_days,min_lot,price", "header: unexpected column(s) 'price'"),
        ("producer_id,sku,week,units,units,lead_time_days,min_lot", "header: column(s) given twice: units"),
        ("producer,sku,week,units,lead_time_days,min_lot", "header: missing column(s) producer_id"),
    ],
)
def test_a_wrong_header_is_refused_on_row_1(header, expected):
    errors = rejected_errors(csv_text(good_lines(2), header=header))
    assert errors[0][0] == 1
    assert errors[0][1].startswith(expected)
    assert all(row == 1 for row, _ in errors)


def test_columns_are_found_by_name_whatever_their_order():
    rows = parse_capacity_csv(
        csv_text(["2026-W48,5,SKU-1,40,prd_1,14"], header="week,min_lot,sku,units,producer_id,lead_time_days")
    )
    assert (rows[0].producer_id, rows[0].sku, rows[0].units, rows[0].lead_time_days, rows[0].min_lot) == (
        "prd_1",
        "SKU-1",
        40,
        14,
        5,
    )


def test_a_row_with_too_many_or_too_few_values_is_named():
    errors = rejected_errors(csv_text(["prd_1,SKU-1,2026-W48,10,0,1,extra", "prd_1,SKU-1,2026-W49,10,0"]))
    assert errors == [(2, "7 values where the header has 6"), (3, "5 values where the header has 6")]


def test_bom_crlf_blank_lines_and_bytes_are_read_and_line_numbers_kept():
    text = (
        "\ufeff"
        + csv_text(["prd_1,SKU-1,2026-W48,10,0,1", "", "prd_1,SKU-1,2026-W49,12,3,2"], newline="\r\n")
        + "\r\n\r\n"
    )
    for content in (text, text.encode("utf-8")):
        rows = parse_capacity_csv(content)
        assert [(row.row_number, row.units) for row in rows] == [(2, 10), (4, 12)]
        assert rows[0].producer_id == "prd_1"


def test_a_quoted_value_over_two_lines_keeps_the_next_rows_line_number():
    text = csv_text(['prd_1,"SKU\n1",2026-W48,10,0,1', "prd_1,SKU-1,2026-W48,x,0,1"])
    assert rejected_errors(text) == [(4, "units: must be a whole number")]


def test_text_that_is_not_utf8_is_refused_at_its_line():
    content = (csv_text(["prd_1,SKU-1,2026-W48,10,0,1"]) + "prd_2,SKU-\xe9,2026-W48,10,0,1\n").encode("latin-1")
    errors = rejected_errors(content)
    assert errors == [(3, "not UTF-8 text; save the sheet as CSV UTF-8")]


def test_an_empty_file_or_a_header_alone_is_refused():
    assert rejected_errors("")[0][0] is None
    assert rejected_errors("\ufeff")[0][0] is None
    assert rejected_errors(csv_text([]) + "\n\n") == [(None, "the file has a header but no rows")]


def test_a_file_over_the_row_or_size_limit_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(capacity_csv, "MAX_ROWS", 10)
    assert parse_capacity_csv(csv_text(good_lines(10)))[-1].row_number == 11
    errors = rejected_errors(csv_text(good_lines(11)))
    assert errors == [(12, "more than 10 rows; split the file and import each part")]

    monkeypatch.setattr(capacity_csv, "MAX_BYTES", 200)
    text = csv_text(good_lines(6))
    assert len(text.encode()) > 200
    for content in (text, text.encode()):
        ((row, reason),) = rejected_errors(content)
        assert row is None and "more than the 200 allowed" in reason


def test_the_callers_checks_are_reported_with_the_files_in_one_refusal():
    text = csv_text(
        [
            "prd_1,SKU-1,2026-W48,10,0,1",
            "prd_9,SKU-1,2026-W48,10,0,1",
            "prd_1,SKU-9,2026-W48,10,0,1",
            "prd_8,SKU-8,2026-W48,10,0,1",
            "prd_1,SKU-1,2026-W99,10,0,1",
        ]
    )
    looked_up = []

    def unknown(rows):
        looked_up.append(sorted({row.producer_id for row in rows}))
        return unknown_rows(rows, known_producer_ids={"prd_1"}, known_skus={"SKU-1"})

    assert rejected_errors(text, unknown) == [
        (3, "producer_id: no producer prd_9 is registered"),
        (4, "sku: no published offering has sku SKU-9"),
        (5, "producer_id: no producer prd_8 is registered"),
        (5, "sku: no published offering has sku SKU-8"),
        (6, "week: '2026-W99': 2026 has no week 99"),
    ]
    assert looked_up == [["prd_1", "prd_8", "prd_9"]], "one call, with the rows that passed the file's checks"

    known = parse_capacity_csv(
        csv_text(["prd_8,SKU-8,2026-W48,10,0,1"]), lambda rows: unknown_rows(rows, {"prd_8"}, {"SKU-8"})
    )
    assert [row.row_number for row in known] == [2]


def test_the_callers_checks_are_not_run_when_no_row_passed_the_files():
    def must_not_run(rows):
        raise AssertionError("called without rows")

    assert rejected_errors(csv_text(["prd_1,SKU-1,2026-W99,10,0,1"]), must_not_run)[0][0] == 2
    with pytest.raises(CapacityCsvRejected, match="a header but no rows"):
        parse_capacity_csv(csv_text([]), must_not_run)


row_values = st.fixed_dictionaries(
    {
        "producer_id": st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=20
        ),
        "sku": st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,20}", fullmatch=True),
        "week_start": st.dates(date(2000, 1, 3), date(2099, 12, 28)).map(
            lambda day: date.fromisocalendar(*day.isocalendar()[:2], 1)
        ),
        "units": st.integers(0, 1_000_000),
        "lead_time_days": st.integers(0, 365),
        "min_lot": st.integers(1, 1_000_000),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        row_values, min_size=1, max_size=30, unique_by=lambda row: (row["producer_id"], row["sku"], row["week_start"])
    )
)
def test_any_valid_calendar_written_by_csv_reads_back_the_same(values):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(capacity_csv.COLUMNS)
    for row in values:
        year, week, _ = row["week_start"].isocalendar()
        writer.writerow(
            [row["producer_id"], row["sku"], f"{year}-W{week:02d}", row["units"], row["lead_time_days"], row["min_lot"]]
        )
    rows = parse_capacity_csv(buffer.getvalue())
    assert [row.row_number for row in rows] == list(range(2, len(values) + 2))
    assert [
        {
            "producer_id": row.producer_id,
            "sku": row.sku,
            "week_start": row.week_start,
            "units": row.units,
            "lead_time_days": row.lead_time_days,
            "min_lot": row.min_lot,
        }
        for row in rows
    ] == values


def test_a_value_too_long_for_the_csv_reader_is_named_with_the_rows_before_it():
    lines = ["prd_1,SKU-1,2026-W48,-1,0,1", f'prd_1,"{"x" * 200_000}",2026-W49,10,0,1']
    errors = rejected_errors(csv_text(lines))
    assert [row for row, _ in errors] == [2, 3]
    assert errors[1][1].startswith("the file cannot be read from here: field larger than field limit")
