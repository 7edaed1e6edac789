"""CSV injection: cells from data files are written so that spreadsheets show them as text.

OWASP's list of starting characters (``=``, ``+``, ``-``, ``@``, tab, carriage return): a text
cell starting with one is written with a leading apostrophe in the CSV files, and as a string
cell in the Excel copy; numbers, negative ones too, stay numbers.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from analysis.common.limits import ReadLimits
from analysis.common.spreadsheet_safe import safe_frame, safe_text, write_csv
from analysis.report.copies.content import ReportTable
from analysis.report.copies.excel import workbook_bytes
from analysis.store.prepare import prepare
from tests.bad_inputs import FIN_HEADER, GOOD_FIN

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(1+1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE, ids=repr)
def test_formula_starts_get_an_apostrophe(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("value", ["-100", "+5", "-8.356,336", "Xã Chiến Thắng", "", -5, -2.5, None])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_text(value) == value


def test_safe_frame_leaves_number_columns_numbers(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "Xã A"], "amount": [-5.0, 3.0], "code": pd.array(["@x", None], "string")})
    path = write_csv(frame, tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [["name", "amount", "code"], ["'=1+1", "-5.0", "'@x"], ["Xã A", "3.0", ""]]
    assert safe_frame(frame)["amount"].dtype == "float64"
    assert frame["name"].tolist() == ["=1+1", "Xã A"]  # the caller's frame is not changed


def test_rejects_csv_of_prepare_shows_hostile_cells_as_text(tmp_path):
    # row 3's project and row 4's capital type are formulas; row 5's plan is negative (-100):
    # the value column of rejects.csv keeps -100 as written, a number for a spreadsheet
    rows = [FIN_HEADER, GOOD_FIN, GOOD_FIN.replace("DA4", "=cmd|' /C calc'!A0"),
            GOOD_FIN.replace("investment", "@SUM(1+1)"), GOOD_FIN.replace("DA4", "DA5").replace(",100,", ",-100,")]
    path = tmp_path / "finance.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "processed"
    prepare(finance=path, out=out, limits=ReadLimits(max_rejected_share=1.0))
    table = list(csv.DictReader(io.StringIO((out / "rejects.csv").read_text(encoding="utf-8-sig"))))
    values = {int(r["row"]): r["value"] for r in table if r["file"] == str(path)}
    assert values == {3: "'=cmd|' /C calc'!A0", 4: "'@SUM(1+1)", 5: "-100"}
    # the Parquet copy, read by the reports, keeps the values as written
    parquet = pd.read_parquet(out / "rejects.parquet")
    assert "=cmd|' /C calc'!A0" in parquet["value"].tolist()


def test_excel_copy_writes_formula_like_text_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame({"name": ["=1+1", "@x", "Xã A"], "plan": [-5.0, 2.0, 3.0]})
    table = ReportTable("t", "T", "Bảng", frame, {"name": ("Tên", "text"), "plan": ("Kế hoạch", "mvnd")})
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes([table])))
    ws = wb["Bảng"]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [("=1+1", "s"), ("@x", "s"), ("Xã A", "s")]
    assert [(c.value, c.data_type) for c in ws["B"][1:]] == [(-5.0, "n"), (2.0, "n"), (3.0, "n")]
