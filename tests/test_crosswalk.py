"""Tests for analysis.inputs.crosswalk: reading the table of merged communes, and its errors.

Every table here is written by hand; the expected rows and messages follow from it directly
(row numbers are the file's own: header on row 1).
"""

from __future__ import annotations

import openpyxl
import pytest

from analysis.errors import InputFileError
from analysis.inputs.crosswalk import read_crosswalk


def write(tmp_path, text: str, name: str = "crosswalk.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def records(frame) -> list[tuple[str, str]]:
    return list(zip(frame["old_code"], frame["new_code"], strict=True))


def test_reads_codes_as_text_sorted(tmp_path):
    path = write(tmp_path, "old_code,new_code,note\n06409,06406,Tân Lập\n06334,06343,Quỳnh Sơn\n")
    out = read_crosswalk(path)
    assert list(out.columns) == ["old_code", "new_code"]
    assert records(out) == [("06334", "06343"), ("06409", "06406")]
    assert str(out["old_code"].dtype) == "string"


def test_vietnamese_headers_title_block_and_semicolons(tmp_path):
    # as Excel saves a sheet with a title row: the delimiters run through the title block
    text = "BẢNG SÁP NHẬP XÃ;;\n;;\nMã xã cũ;Tên xã cũ;Mã xã mới\n06334;Quỳnh Sơn;06343\n"
    assert records(read_crosswalk(write(tmp_path, text))) == [("06334", "06343")]


def test_repeated_rows_kept_once_and_identity_rows_dropped(tmp_path):
    # row 2 and 3 repeat the same merge; row 4 maps the surviving commune onto itself
    text = "old_code,new_code\n06334,06343\n06334,06343\n06343,06343\n"
    assert records(read_crosswalk(write(tmp_path, text))) == [("06334", "06343")]


def test_chains_are_followed_to_the_last_code(tmp_path):
    # 2019 -> 2020: 06538 into 06535; 2020 -> 2025: 06535 into 06999 (made up): both end in 06999
    text = "old_code,new_code\n06538,06535\n06535,06999\n"
    assert records(read_crosswalk(write(tmp_path, text))) == [("06535", "06999"), ("06538", "06999")]


def test_xlsx_text_codes(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["old_code", "new_code"])
    ws.append(["06334", "06343"])
    path = tmp_path / "crosswalk.xlsx"
    wb.save(path)
    assert records(read_crosswalk(path)) == [("06334", "06343")]


def test_xlsx_numeric_cells_lost_their_zeros(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["old_code", "new_code"])
    ws.append([6334, 6343])  # typed as numbers: Excel shows 6334
    path = tmp_path / "crosswalk.xlsx"
    wb.save(path)
    with pytest.raises(InputFileError) as err:
        read_crosswalk(path)
    message = str(err.value)
    assert "crosswalk.xlsx, row 2, column 'old_code'" in message
    assert "2 commune code(s) have lost their leading zeros" in message
    assert "row 2 old_code '6334'; row 2 new_code '6343'" in message
    assert "format both code columns as Text" in message and "'06334'" in message


def test_duplicate_old_code_into_two_communes(tmp_path):
    path = write(tmp_path, "old_code,new_code\n06334,06343\n06409,06406\n06334,06346\n")
    with pytest.raises(InputFileError) as err:
        read_crosswalk(path)
    message = str(err.value)
    assert "crosswalk.csv, row 2, column 'old_code'" in message
    assert "06334 into 06343 (row 2) and 06346 (row 4)" in message
    assert "keep one row per old_code" in message


def test_empty_cell(tmp_path):
    path = write(tmp_path, "old_code,new_code\n06334,06343\n06409,\n")
    with pytest.raises(InputFileError, match=r"row 3, column 'new_code': 1 empty code cell\(s\): row 3 new_code"):
        read_crosswalk(path)


def test_not_a_code(tmp_path):
    path = write(tmp_path, "old_code,new_code\nXã Quỳnh Sơn,06343\n")
    with pytest.raises(InputFileError) as err:
        read_crosswalk(path)
    assert "row 2, column 'old_code'" in str(err.value)
    assert "not 5-digit GSO commune codes: row 2 old_code 'Xã Quỳnh Sơn'" in str(err.value)


def test_cycle(tmp_path):
    path = write(tmp_path, "old_code,new_code\n06334,06343\n06343,06334\n")
    with pytest.raises(InputFileError) as err:
        read_crosswalk(path)
    assert "go round in a circle: 06334 → 06343 → 06334 (rows 2, 3)" in str(err.value)


def test_no_header_and_no_rows(tmp_path):
    # one of the two columns alone is not a header row: the message names both
    with pytest.raises(InputFileError, match="must name the columns old_code, new_code"):
        read_crosswalk(write(tmp_path, "old_code,mã huyện\n06334,185\n"))
    with pytest.raises(InputFileError, match=r"no rows below its header \(row 1\)"):
        read_crosswalk(write(tmp_path, "old_code,new_code\n", "empty.csv"))
    with pytest.raises(InputFileError, match="file not found"):
        read_crosswalk(tmp_path / "nowhere.csv")
