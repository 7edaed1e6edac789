"""Bounded reading on a small scale: rejects capped per reason, row limits, repeated facts.

The memory benchmark (``benchmarks/memory.py``) measures the issue's sizes (500,000 blank
rows, a sheet of 3 million rows); these tests check the same capping on files small enough
for every run. Counts are worked out by hand in the comments.
"""

from __future__ import annotations

import openpyxl
import pytest

from analysis.cli import main
from analysis.common.limits import ReadLimits
from analysis.errors import InputFileError
from analysis.inputs.rejects import more_rows_note
from analysis.inputs.schema import FINANCE
from analysis.inputs.validate import validate_table
from tests.bad_inputs import FIN_HEADER, GOOD_FIN

BLANK = "2023,30/11/2023,14,127,04231,DA5,investment,current,,"


def test_blank_rows_are_all_counted_but_only_the_first_per_reason_listed(tmp_path, units):
    # 1 good row + 30 rows with both figures blank: 2 reasons x 30 rows; 5 kept per reason
    path = tmp_path / "finance.csv"
    path.write_text("\n".join([FIN_HEADER, GOOD_FIN, *[BLANK] * 30]) + "\n", encoding="utf-8")
    result = validate_table(path, FINANCE, units, limits=ReadLimits(rejects_per_reason=5, max_rejected_share=1.0))
    assert (result.n_read, result.n_accepted, result.n_rejected) == (31, 1, 30)
    assert result.reconciles()
    assert len(result.rejects) == 10  # 5 lines per reason, not 60
    assert result.rejects_listed("plan_mvnd is empty") == 5
    # the last kept line of each reason says how many more: 30 - 5 = 25
    assert sorted(result.rejects["more_rows"].tolist()) == [0] * 8 + [25, 25]
    assert {c[2] for c in result.reject_counts} == {30}


def test_the_summary_says_how_many_more_rows_share_a_reason(tmp_path, capsys):
    path = tmp_path / "finance.csv"
    path.write_text("\n".join([FIN_HEADER, GOOD_FIN, *[BLANK] * 30]) + "\n", encoding="utf-8")
    out = tmp_path / "processed"
    args = ["prepare", "--finance", str(path), "--out", str(out), "--rejects-per-reason", "5",
            "--max-rejected-share", "1"]
    assert main(args) == 0
    assert "plan_mvnd is empty: 5 listed, and 25 more rows with the same reason" in capsys.readouterr().out
    lines = (out / "rejects.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(lines) == 1 + 10  # header + 5 per reason


def test_more_rows_note():
    assert more_rows_note(499_990) == "and 499,990 more rows with the same reason"
    assert more_rows_note(1) == "and 1 more row with the same reason"


def test_csv_past_the_row_limit_is_refused_naming_the_row(tmp_path, units):
    # 12 data rows, limit 10: data row 11 is line 12 of the file
    path = tmp_path / "finance.csv"
    path.write_text("\n".join([FIN_HEADER, *[GOOD_FIN] * 12]) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        validate_table(path, FINANCE, units, limits=ReadLimits(max_rows=10))
    assert "more than 10 rows of data (the limit)" in str(err.value)
    assert str(path) in str(err.value)


def test_sheet_past_the_row_limit_is_refused_naming_the_sheet(tmp_path, units):
    path = tmp_path / "finance.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu 01"
    ws.append(FIN_HEADER.split(","))
    for _ in range(12):
        ws.append(GOOD_FIN.split(","))
    wb.save(path)
    with pytest.raises(InputFileError) as err:
        validate_table(path, FINANCE, units, limits=ReadLimits(max_rows=10))
    assert "sheet 'Biểu 01' has more than 10 rows of data (the limit)" in str(err.value)


def test_a_fact_repeated_many_times_names_only_the_first_other_rows(tmp_path, units):
    # the same fact on rows 2..9 (8 copies) with different plans: each row names at most 5 others
    rows = [GOOD_FIN.replace(",100,", f",{100 + i},") for i in range(8)]
    assert len(set(rows)) == 8
    path = tmp_path / "finance.csv"
    path.write_text("\n".join([FIN_HEADER, *rows]) + "\n", encoding="utf-8")
    result = validate_table(path, FINANCE, units, limits=ReadLimits(max_rejected_share=1.0))
    assert result.n_rejected == 8
    reasons = dict(zip(result.rejects["row"], result.rejects["reason"], strict=True))
    # row 2: others 3..9 (7 rows): 3, 4, 5, 6, 7 listed, 2 more
    assert reasons[2] == "the same fact as row(s) 3, 4, 5, 6, 7 and 2 more with different figures"
    # row 5: the first six rows without itself: 2, 3, 4, 6, 7; 2 more (8, 9)
    assert reasons[5] == "the same fact as row(s) 2, 3, 4, 6, 7 and 2 more with different figures"
