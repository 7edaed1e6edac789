"""The tidy tables read from .xls and .ods as from .xlsx (calamine for .xls, .xlsb and .ods).

The fixtures in ``tests/fixtures/workbooks/`` are one workbook in three formats (how they were
made, and why there is no .xlsb: ``make_workbooks.py`` there). Expected by hand from ``make_workbooks.py``: header on
row 4 under a title block, rows 5 and 6; codes as text keep their zeros (04231, 04228); the
as-of date cell reads 30/11/2023; the Vietnamese values map to DA4/investment/carried_over
and DA5/recurrent/current; plans 8,356.336 and 100, disbursed 2,791 and 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputFileError
from analysis.inputs.schema import FINANCE
from analysis.inputs.validate import validate_table

FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_each_format_reads_the_same_rows(suffix, units):
    result = validate_table(FIXTURES / f"finance{suffix}", FINANCE, units)
    assert (result.raw.sheet, result.raw.header_row) == ("Biểu 01", 4)
    assert (result.n_read, result.n_accepted, result.n_rejected) == (2, 2, 0)
    acc = result.accepted
    assert acc["_row"].tolist() == [5, 6]
    assert acc["commune_code"].tolist() == ["04231", "04228"]
    assert acc["district_code"].tolist() == ["127", "127"] and acc["province_code"].tolist() == ["14", "14"]
    assert acc["as_of"].tolist() == [pd.Timestamp("2023-11-30")] * 2
    assert acc["project"].tolist() == ["DA4", "DA5"]
    assert acc["capital_type"].tolist() == ["investment", "recurrent"]
    assert acc["fund"].tolist() == ["carried_over", "current"]
    assert acc["plan_mvnd"].tolist() == [8356.336, 100.0]
    assert acc["disbursed_mvnd"].tolist() == [2791.0, 0.0]


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_damaged_workbook_of_each_format_is_refused(tmp_path, units, suffix):
    path = tmp_path / f"finance{suffix}"
    data = (FIXTURES / f"finance{suffix}").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputFileError, match=f"finance{suffix}"):
        validate_table(path, FINANCE, units)


def test_a_sheet_named_that_the_workbook_lacks(tmp_path, units):
    path = tmp_path / "finance.ods"
    shutil.copy(FIXTURES / "finance.ods", path)
    with pytest.raises(InputFileError, match=r"no sheet named 'Sheet9'; the workbook has \['Biểu 01'\]"):
        validate_table(path, FINANCE, units, sheet="Sheet9")
