"""Plausible ranges: a figure above its bound is rejected at the door, naming the bound and the
option that changes it; a figure at its bound goes all the way through a report.

The bounds are analysis.config.BOUNDS (amount_mvnd 500,000 million VND for one row, households
200,000 and villages 200 for one commune, other counts 10,000 for one unit). Every expected
reason and figure below is worked out by hand from them.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.config import BOUNDS, SAMPLE_FILES
from analysis.errors import ParameterError
from analysis.inputs.bounds import Bounds
from analysis.inputs.schema import TABLES
from analysis.inputs.validate import validate_table
from tests.bad_inputs import FIN_HEADER, GOOD_FIN, GOOD_POV, POV_HEADER

IND_HEADER = "year,as_of,unit_code,indicator,value"
COM_HEADER = "year,commune_code,region,dbkk_villages"


def _fin(plan: str, disbursed: str = "0") -> str:
    return GOOD_FIN.replace(",100,50", f",{plan},{disbursed}")


# table, header, the row at its bound (accepted), the row above it, column, reason
CASES = [
    ("finance", FIN_HEADER, _fin("500000"), _fin("500000.001"), "plan_mvnd",
     "plan_mvnd 500,000.001 is above the largest plausible figure for one row, 500,000 million VND "
     "(bound amount_mvnd)"),
    ("finance", FIN_HEADER, _fin("500000", "500000"), _fin("500000", "1000000000000000000"), "disbursed_mvnd",
     "disbursed_mvnd 1,000,000,000,000,000,000 is above the largest plausible figure for one row, "
     "500,000 million VND (bound amount_mvnd)"),  # the plan of 1e18
    ("poverty", POV_HEADER, "2023,04231,200000,200,100,900,190", "2023,04231,200001,200,100,900,190", "households",
     "households 200,001 is above the largest plausible figure for one row, 200,000 households (bound households)"),
    ("communes", COM_HEADER, "2021,04231,III,200", "2021,04231,III,100000", "dbkk_villages",
     "dbkk_villages 100,000 is above the largest plausible figure for one row, 200 villages (bound villages)"),
    # indicators by what they count: million VND, households, works
    ("indicators", IND_HEADER, "2023,31/12/2023,04231,p135_plan_mvnd,500000",
     "2023,31/12/2023,04231,p135_plan_mvnd,500001", "value",
     "value 500,001 is above the largest plausible figure for one row, 500,000 million VND (bound amount_mvnd)"),
    ("indicators", IND_HEADER, "2023,31/12/2023,04231,households,200000", "2023,31/12/2023,04231,households,200001",
     "value", "value 200,001 is above the largest plausible figure for one row, 200,000 households (bound households)"),
    ("indicators", IND_HEADER, "2023,31/12/2023,04231,p135_works,10000", "2023,31/12/2023,04231,p135_works,10001",
     "value", "value 10,001 is above the largest plausible figure for one row, 10,000 units (bound count)"),
]


@pytest.mark.parametrize(("table", "header", "at", "above", "column", "reason"), CASES,
                         ids=[f"{c[0]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_a_figure_above_its_bound_is_rejected(tmp_path, units, table, header, at, above, column, reason):
    path = tmp_path / f"{table}.csv"
    path.write_text("\n".join([header, at, above.replace("2023,", "2022,", 1)]) + "\n", encoding="utf-8")
    result = validate_table(path, TABLES[table], units)
    assert result.accepted["_row"].tolist() == [2]  # the figure at the bound is a figure
    hits = result.rejects[result.rejects["row"] == 3]
    assert hits[["column", "reason"]].values.tolist() == [[column, reason]]
    bound = re.search(r"bound (\w+)", reason).group(1)
    assert hits["fix"].iloc[0].endswith(f"if it is right, run prepare again with --bound {bound}=N above it")
    assert result.reconciles()


def test_a_yes_no_indicator_has_no_bound_of_its_own(tmp_path, units):
    # commune_paved_road is 1 or 0: 20000 is rejected by that rule, not by a bound
    path = tmp_path / "indicators.csv"
    path.write_text(f"{IND_HEADER}\n2023,31/12/2023,04231,commune_paved_road,20000\n", encoding="utf-8")
    reasons = validate_table(path, TABLES["indicators"], units).rejects["reason"].tolist()
    assert reasons == ["commune_paved_road is yes/no: 20000 is not 1 (yes) or 0 (no)"]


def test_figures_too_large_for_a_float(tmp_path, units):
    # 400 nines read as a float are inf; a workbook's number cell can hold 1e300
    path = tmp_path / "finance.csv"
    path.write_text(f"{FIN_HEADER}\n{_fin('9' * 400)}\n", encoding="utf-8")
    rej = validate_table(path, TABLES["finance"], units).rejects
    assert rej["reason"].tolist() == ["plan_mvnd '999999999999… (400 characters)' is too large to be a figure "
                                      "(at most 500,000 million VND, bound amount_mvnd)"]
    assert rej["value"].iloc[0] == "9" * 400  # the rejects keep the cell as written
    # in a column of counts too: too large, not "not a whole number"
    path = tmp_path / "poverty.csv"
    path.write_text(f"{POV_HEADER}\n{GOOD_POV.replace(',1000,', ',' + '9' * 400 + ',')}\n", encoding="utf-8")
    assert validate_table(path, TABLES["poverty"], units).rejects["reason"].tolist() == [
        "households '999999999999… (400 characters)' is too large to be a figure (at most 200,000 households, "
        "bound households)"]
    wb = openpyxl.Workbook()
    wb.active.append(POV_HEADER.split(","))
    wb.active.append([2023, "04231", 1e300, 200, 100, 900, 190])
    wb.save(tmp_path / "poverty.xlsx")
    rej = validate_table(tmp_path / "poverty.xlsx", TABLES["poverty"], units).rejects
    assert rej[["row", "column", "reason"]].values.tolist() == [
        [2, "households", "households 1e+300 is above the largest plausible figure for one row, 200,000 households "
                          "(bound households)"]]


@pytest.mark.parametrize(("cell", "why"), [
    ("inf", "'inf' is not a finite number"),
    ("nan", "'nan' is not a finite number"),
    ("1e400", "'1e400' is in scientific notation"),
    ("0x1F", "'0x1F' is written in hexadecimal"),
    ("١٢٣", "'١٢٣' has digits other than 0-9 (١٢٣)"),  # float() reads it as 123
    ("1_000", "'1_000' groups its digits with '_'"),  # float() reads it as 1000
])
def test_strings_that_python_reads_as_numbers_are_not_figures(tmp_path, units, cell, why):
    path = tmp_path / "poverty.csv"
    path.write_text(f"{POV_HEADER}\n{GOOD_POV.replace(',1000,', f',{cell},')}\n", encoding="utf-8")
    result = validate_table(path, TABLES["poverty"], units)
    assert result.n_accepted == 0
    reasons = result.rejects[["column", "reason"]].values.tolist()
    assert reasons == [["households", f"households is not a number: {why}"]]


# --- the option -------------------------------------------------------------------------------


def _prepare(tmp_path, finance, *options):
    poverty = tmp_path / "poverty.csv"
    poverty.write_text(f"{POV_HEADER}\n{GOOD_POV}\n", encoding="utf-8")
    out = tmp_path / "prepared"
    code = main(["prepare", "--finance", str(finance), "--poverty", str(poverty), "--communes", "none",
                 "--boundaries", str(SAMPLE_FILES["boundaries"]), "--out", str(out), *options])
    return code, out


def test_bound_option_lets_a_larger_figure_through(tmp_path, capsys):
    # 1,000,000 million VND (1.000 tỷ) on one row: above the default of 500,000, within 2,000,000
    finance = tmp_path / "finance.csv"
    finance.write_text(f"{FIN_HEADER}\n{_fin('1000000', '10')}\n", encoding="utf-8")
    code, out = _prepare(tmp_path, finance)
    # its only row rejected: the table is refused (no row accepted), naming the bound
    assert code == 2 and "above the largest plausible figure" in capsys.readouterr().err
    assert not out.exists()
    code, out = _prepare(tmp_path, finance, "--bound", "amount_mvnd=2000000")
    assert code == 0
    assert pd.read_parquet(out / "finance.parquet")["plan_mvnd"].tolist() == [1_000_000.0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["bounds"] == {**BOUNDS, "amount_mvnd": 2_000_000.0}
    assert manifest["arguments"]["bounds"] == {"amount_mvnd": 2_000_000.0}  # what a rebuild passes again
    assert Bounds.of(manifest["arguments"]["bounds"])["amount_mvnd"] == 2_000_000.0
    assert Bounds.parse(["amount_mvnd=1e12"])["amount_mvnd"] == 1e12  # the largest bound allowed


@pytest.mark.parametrize(("option", "message"), [
    ("plan=1000", "--bound 'plan=1000': write NAME=VALUE with NAME one of amount_mvnd, households, villages, count"),
    ("amount_mvnd", "--bound 'amount_mvnd': write NAME=VALUE"),
    ("households=abc", "--bound 'households=abc': the value must be a positive number written in digits "
                       "(e.g. --bound households=400000)"),
    ("villages=-5", "the value must be a positive number"),
    ("count=inf", "the value must be a positive number"),
    ("count=0", "the value must be a positive number"),
    # 1e13 is above the largest bound, 1e12 (analysis.inputs.bounds.LARGEST: 15 digits to the đồng)
    ("amount_mvnd=1e13", "--bound 'amount_mvnd=1e13': at most 1e+12 (a float holds 15 digits"),
])
def test_a_bad_bound_option_is_a_message(tmp_path, capsys, option, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        Bounds.parse([option])
    code, out = _prepare(tmp_path, tmp_path / "never-read.csv", "--bound", option)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "internal error" not in err and not out.exists()


# --- the largest accepted figures, all the way through a report ------------------------------


@pytest.mark.slow
def test_figures_at_their_bounds_render_in_a_report(tmp_path, capsys):
    # Four rows of Sốp Cộp (127) at the bound of one row, 500,000 million VND each: plan
    # 2,000,000 million = 2.000 tỷ; disbursed 500,000 + 250,000 + 0 + 125,000.5 = 875,000.5
    # million, 875000.5 / 2000000 = 43.750025% → 43,75%. Households at their bound, 200,000,
    # 100,000 of them poor in 2023: 50,00%. Villages at theirs, 200. Before the bounds a plan of
    # 1e28 was accepted here and the report failed in babel (InvalidOperation).
    finance = tmp_path / "finance.csv"
    finance.write_text("\n".join([
        FIN_HEADER,
        "2023,30/11/2023,14,127,04231,DA4,investment,current,500000,500000",
        "2023,30/11/2023,14,127,04231,DA4,recurrent,current,500000,250000",
        "2023,30/11/2023,14,127,04228,DA1,investment,carried_over,500000,0",
        "2023,30/11/2023,14,127,,DA10,recurrent,current,500000,125000.5",
    ]) + "\n", encoding="utf-8")
    poverty = tmp_path / "poverty.csv"
    poverty.write_text("\n".join([
        POV_HEADER, "2022,04231,200000,200000,0,200000,200000", "2023,04231,200000,100000,100000,200000,100000",
    ]) + "\n", encoding="utf-8")
    communes = tmp_path / "communes.csv"
    communes.write_text(f"{COM_HEADER}\n2021,04231,III,200\n", encoding="utf-8")
    data, reports = tmp_path / "prepared", tmp_path / "reports"
    assert main(["prepare", "--finance", str(finance), "--poverty", str(poverty), "--communes", str(communes),
                 "--boundaries", str(SAMPLE_FILES["boundaries"]), "--out", str(data)]) == 0
    assert "rejected rows" not in capsys.readouterr().out  # every figure at its bound is accepted
    code = main(["report", "--province", "14", "--district", "127", "--year", "2023", "--data", str(data),
                 "--out", str(reports)])
    assert code == 0, capsys.readouterr().err
    page = (reports / "2023" / "son-la" / "127-sop-cop.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # finance for 2 of Sốp Cộp's 8 communes (04231, 04228): the coverage is said
    assert "Tổng kế hoạch vốn năm 2023 của huyện Sốp Cộp (2/8 xã có số liệu) là 2.000 tỷ đồng" in text
    assert "875.000,5 triệu đồng" in text
    assert "Tổng cộng 2.000.000,000 875.000,500 43,75%" in text  # the finance table's total row
    assert "50,00%" in text


@pytest.mark.slow
def test_figures_at_the_largest_bound_allowed_render_in_a_report(tmp_path, capsys):
    # --bound at its most, 1e12 (analysis.inputs.bounds.LARGEST), and figures at it: two plans of
    # 1e12 million VND, 2e12 million = 2e9 tỷ; disbursed 999,999,999,999.999 million, which is
    # 999999999999.999 / 2e12 = 49.99999999999995% → 50,00%; every đồng of it printed in the table
    finance = tmp_path / "finance.csv"
    finance.write_text("\n".join([
        FIN_HEADER,
        "2023,30/11/2023,14,127,04231,DA4,investment,current,1000000000000,999999999999.999",
        "2023,30/11/2023,14,127,04231,DA1,investment,current,1000000000000,0",
    ]) + "\n", encoding="utf-8")
    poverty = tmp_path / "poverty.csv"
    poverty.write_text(f"{POV_HEADER}\n2023,04231,1000000000000,1,0,1,1\n", encoding="utf-8")
    data, reports = tmp_path / "prepared", tmp_path / "reports"
    assert main(["prepare", "--finance", str(finance), "--poverty", str(poverty), "--communes", "none",
                 "--boundaries", str(SAMPLE_FILES["boundaries"]), "--out", str(data),
                 "--bound", "amount_mvnd=1e12", "--bound", "households=1e12"]) == 0
    assert "rejected rows" not in capsys.readouterr().out
    code = main(["report", "--province", "14", "--district", "127", "--year", "2023", "--data", str(data),
                 "--out", str(reports)])
    assert code == 0, capsys.readouterr().err
    page = (reports / "2023" / "son-la" / "127-sop-cop.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # finance for 1 of Sốp Cộp's 8 communes (04231)
    assert "Tổng kế hoạch vốn năm 2023 của huyện Sốp Cộp (1/8 xã có số liệu) là 2.000.000.000 tỷ đồng" in text
    assert "Tổng cộng 2.000.000.000.000,000 999.999.999.999,999 50,00%" in text
