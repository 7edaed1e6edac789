"""One number convention per run: decided from the evidence of every table, stated with
``--decimal`` only where the files agree, written into the summary and the manifest.

The tables are tiny and written by hand in ``tmp_path``; ``prepare`` runs through the real
command line on the sample boundaries. The figures are seed 003's (Sốp Cộp, 30/11/2023: plan
8.356,336 carried over and 81.923 current, disbursed 2.791 and 35.215 million VND) in Xã
04231 of district 127; the expected values are worked out by hand beside each test.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import SAMPLE_FILES
from analysis.inputs.run_convention import decide_run, read_again
from analysis.inputs.schema import FINANCE, INDICATORS, POVERTY
from analysis.inputs.validate import validate_table

FIN_HEADER = "year;as_of;province_code;district_code;commune_code;project;capital_type;fund;plan_mvnd;disbursed_mvnd"
#: Vietnamese: row 2 can only be read so (8.356,336); row 3's 81.923 and 35.215 read both ways.
FIN_VI = [
    "2023;30/11/2023;14;127;04231;DA4;investment;carried_over;8.356,336;2.791",
    "2023;30/11/2023;14;127;04231;DA4;investment;current;81.923;35.215",
]
#: The same figures the English way: 8,356.336 is English only; 81,923 reads both ways.
FIN_EN = [
    "2023,30/11/2023,14,127,04231,DA4,investment,carried_over,\"8,356.336\",\"2,791\"",
    "2023,30/11/2023,14,127,04231,DA4,investment,current,\"81,923\",\"35,215\"",
]
POV_HEADER = "year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"


def _write(path, header: str, rows: list[str]) -> str:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _prepare(tmp_path, finance, poverty, *options, indicators=None):
    out = tmp_path / "prepared"
    argv = ["prepare", "--finance", finance, "--poverty", poverty, "--communes", "none",
            "--indicators", indicators or "none", "--boundaries", str(SAMPLE_FILES["boundaries"]),
            "--out", str(out), *options]
    return main(argv), out


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_vietnamese_household_counts_are_read(tmp_path, capsys):
    # The case: docs/data-format.md's own example, 1.234 households (and 1.100
    # ethnic-minority households), was rejected as ambiguous. A count of 1.234 is not a count:
    # the cells are 1234 and 1100, and Vietnamese, as the finance table is.
    finance = _write(tmp_path / "finance.csv", FIN_HEADER, FIN_VI)
    poverty = _write(tmp_path / "poverty.csv", POV_HEADER, ["2023,04231,1.234,210,95,1.100,200"])
    code, out = _prepare(tmp_path, finance, poverty)
    printed = capsys.readouterr().out
    assert code == 0
    pov = pd.read_parquet(out / "poverty.parquet")
    assert pov[["households", "em_households"]].iloc[0].tolist() == [1234.0, 1100.0]
    fin = pd.read_parquet(out / "finance.parquet").sort_values("fund")
    # 81.923 read with the file's convention: 81923, not 81.923
    assert fin["plan_mvnd"].tolist() == [8356.336, 81923.0]
    assert fin["disbursed_mvnd"].tolist() == [2791.0, 35215.0]
    line = ("numbers read as Vietnamese (1.234,5): evidence finance.csv row 2 '8.356,336', "
            "poverty.csv row 2 '1.234'")
    assert line in printed
    numbers = _manifest(out)["numbers"]
    assert (numbers["convention"], numbers["source"], numbers["summary"]) == ("vi", "evidence", line)
    assert numbers["evidence"][0] == {"file": finance, "convention": "vi", "cells": 1, "row": 2,
                                      "column": "plan_mvnd", "value": "8.356,336"}
    # the poverty table's two count cells are its evidence: 1.234 and 1.100
    assert _manifest(out)["inputs"]["poverty"]["number_evidence"]["vi"]["cells"] == 2


@pytest.mark.parametrize(("finance_rows", "households", "rejected"), [
    # commune 04228's 300 households (row 3) read the same either way, and come first
    (FIN_VI, [300.0, 2000.0], []),  # the run is Vietnamese: 2.000 households are 2000
    (FIN_EN, [300.0], [2]),  # English: 2.000 is 2 households, fewer than its 210 poor
])
def test_a_table_that_shows_no_convention_is_read_with_the_runs(tmp_path, finance_rows, households, rejected):
    # "2.000" and "1.000" are whole both ways (2000 or 2): the poverty table shows nothing, and
    # is read as the finance table writes.
    sep = ";" if finance_rows is FIN_VI else ","
    finance = _write(tmp_path / "finance.csv", FIN_HEADER.replace(";", sep), finance_rows)
    # (a second row, so that a table that loses its one row is not refused as a whole)
    poverty = _write(tmp_path / "poverty.csv", POV_HEADER, ["2023,04231,2.000,210,95,1.000,200",
                                                            "2023,04228,300,20,10,250,15"])
    code, out = _prepare(tmp_path, finance, poverty)
    assert code == 0
    assert pd.read_parquet(out / "poverty.parquet")["households"].tolist() == households
    rejects = pd.read_parquet(out / "rejects.parquet")
    mine = rejects[rejects["table"] == "poverty"]
    assert sorted(set(mine["row"])) == rejected
    if rejected:  # 210 + 95 > 2, and 200 > 1
        assert "poor plus near-poor households exceed all households" in mine["reason"].tolist()
    assert _manifest(out)["inputs"]["poverty"]["number_source"] == "run"


def test_tables_that_disagree_are_each_read_their_own_way(tmp_path, capsys):
    # finance writes Vietnamese (8.356,336), poverty English (1,234 households can only be
    # 1234 the English way): each is read by its own evidence. The indicators table shows
    # neither, and its 1.500 million VND (1500 or 1.5) is rejected: nothing says which.
    finance = _write(tmp_path / "finance.csv", FIN_HEADER, FIN_VI)
    poverty = _write(tmp_path / "poverty.csv", POV_HEADER, ["2023,04231,\"1,234\",210,95,900,190"])
    indicators = _write(tmp_path / "indicators.csv", "year,as_of,unit_code,indicator,value",
                        ["2023,31/12/2023,04231,p135_plan_mvnd,1.500", "2023,31/12/2023,04228,p135_plan_mvnd,20"])
    code, out = _prepare(tmp_path, finance, poverty, indicators=indicators)
    printed = capsys.readouterr().out
    assert code == 0
    assert pd.read_parquet(out / "poverty.parquet")["households"].tolist() == [1234.0]
    assert sorted(pd.read_parquet(out / "finance.parquet")["plan_mvnd"]) == [8356.336, 81923.0]
    assert pd.read_parquet(out / "indicators.parquet")["value"].tolist() == [20.0]
    rejects = pd.read_parquet(out / "rejects.parquet")
    reason = rejects.loc[rejects["table"] == "indicators", "reason"].tolist()
    assert reason == ["'1.500' could be 1500 (Vietnamese format) or 1.5 (English format) and nothing in the file "
                      "says which, and the files of the run disagree (finance.csv Vietnamese, row 2 '8.356,336', "
                      "poverty.csv English, row 2 '1,234')"]
    assert ("numbers read file by file, the files disagree: finance.csv Vietnamese (row 2 '8.356,336'), "
            "poverty.csv English (row 2 '1,234'); 1 cell(s) that read both ways rejected") in printed
    assert _manifest(out)["numbers"]["source"] == "disagree"


def test_decimal_contradicted_by_the_file_is_refused(tmp_path, capsys):
    # The case: --decimal . on a Vietnamese file rejected the rows it could not read
    # (8.356,336) and accepted the others at a thousandth of their value (81.923 as 81.923
    # million for 81.923 thousand million). The file's evidence beats the option: refused,
    # naming the file, the first row and value that contradict it, and the fix.
    finance = _write(tmp_path / "finance.csv", FIN_HEADER, FIN_VI)
    poverty = _write(tmp_path / "poverty.csv", POV_HEADER, ["2023,04231,1000,210,95,900,190"])
    code, out = _prepare(tmp_path, finance, poverty, "--decimal", ".")
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {finance}, row 2, column 'plan_mvnd': --decimal '.' says numbers are written the English" in err
    assert "this file writes them the Vietnamese (1.234,5) way: 1 cell(s) can only be read so" in err
    assert "(value: '8.356,336')" in err
    assert "fix: run prepare without --decimal (the format is detected), or with --decimal ','" in err
    assert "internal error" not in err and not out.exists()  # nothing written


def test_decimal_that_agrees_is_said_and_reads_a_table_without_evidence(tmp_path, capsys):
    finance = _write(tmp_path / "finance.csv", FIN_HEADER, FIN_VI)
    poverty = _write(tmp_path / "poverty.csv", POV_HEADER, ["2023,04231,2.000,210,95,1.000,200"])
    code, out = _prepare(tmp_path, finance, poverty, "--decimal", ",")
    assert code == 0
    assert ("numbers read as Vietnamese (1.234,5): stated by --decimal ',', and the files agree "
            "(evidence finance.csv row 2 '8.356,336')") in capsys.readouterr().out
    assert pd.read_parquet(out / "poverty.parquet")["households"].tolist() == [2000.0]
    assert _manifest(out)["inputs"]["poverty"]["number_source"] == "option"


# --- the run's decision, table by table ---------------------------------------------------------


def _table(tmp_path, units, name, spec, header, rows, **options):
    return validate_table(_write(tmp_path / name, header, rows), spec, units, **options)


def test_only_tables_without_evidence_and_with_ambiguous_cells_are_read_again(tmp_path, units):
    tables = {
        "finance": _table(tmp_path, units, "finance.csv", FINANCE, FIN_HEADER, FIN_VI),  # its own evidence
        "poverty": _table(tmp_path, units, "poverty.csv", POVERTY, POV_HEADER,
                          ["2023,04231,2.000,210,95,1.000,200"]),  # no evidence, two ambiguous cells
        "indicators": _table(tmp_path, units, "indicators.csv", INDICATORS, "year,as_of,unit_code,indicator,value",
                             ["2023,31/12/2023,04231,p135_plan_mvnd,20"]),  # no evidence, nothing ambiguous
    }
    assert (tables["poverty"].numbers.source, tables["poverty"].numbers.ambiguous) == ("none", 2)
    run = decide_run(tables)
    assert (run.convention, run.source) == ("vi", "evidence")
    assert read_again(tables, run) == ["poverty"]
    again = _table(tmp_path, units, "poverty.csv", POVERTY, POV_HEADER, ["2023,04231,2.000,210,95,1.000,200"], run=run)
    assert again.accepted[["households", "em_households"]].iloc[0].tolist() == [2000.0, 1000.0]


def test_a_run_where_no_cell_shows_the_format(tmp_path, units):
    tables = {"finance": _table(tmp_path, units, "finance.csv", FINANCE, FIN_HEADER, [FIN_VI[1]])}
    run = decide_run(tables)
    assert (run.convention, run.source, read_again(tables, run)) == (None, "none", [])
    assert run.describe(2) == ("numbers: no cell shows the format, Vietnamese (1.234,5) or English (1,234.5); "
                               "2 cell(s) that read both ways rejected (state the format with --decimal)")
    assert tables["finance"].n_rejected == 1


def test_a_file_with_as_many_cells_each_way_shows_no_convention(tmp_path, units):
    # 8.356,336 only Vietnamese, 2,791.5 only English: a tie decides nothing, and 81.923 is
    # rejected; each of the other two reads the only way it can.
    rows = ["2023;30/11/2023;14;127;04231;DA4;investment;carried_over;8.356,336;2,791.5",
            FIN_VI[1]]
    t = _table(tmp_path, units, "finance.csv", FINANCE, FIN_HEADER, rows)
    assert (t.numbers.own, t.numbers.source, t.convention) == (None, "none", None)
    assert t.accepted["plan_mvnd"].tolist() == [8356.336]
    assert t.accepted["disbursed_mvnd"].tolist() == [2791.5]
    assert "the file shows both formats as often (1 cells each)" in t.rejects["reason"].iloc[0]


def test_decimal_minority_cells_are_rejected_naming_the_option(tmp_path, units):
    # Vietnamese file (two cells only so), one English cell (1.5): with --decimal ',' that row
    # is rejected, the reason naming the option, not "the file".
    rows = [FIN_VI[0], "2023;30/11/2023;14;127;04231;DA5;investment;current;1.234,5;1.5"]
    t = _table(tmp_path, units, "finance.csv", FINANCE, FIN_HEADER, rows, decimal=",")
    assert t.rejects[["row", "column", "reason"]].values.tolist() == [
        [3, "disbursed_mvnd", "'1.5' is written in English number format while --decimal says Vietnamese"]]
