"""Validation: the bad-input catalogue, reconciliation, Vietnamese headers, XLSX title blocks."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from analysis.errors import InputFileError
from analysis.inputs.schema import FINANCE, POVERTY, TABLES
from analysis.inputs.validate import validate_table
from tests.bad_inputs import CATALOGUE, FIN_HEADER, GOOD_FIN, BadInput


def _write(tmp_path, bad: BadInput):
    path = tmp_path / f"{bad.table}{bad.suffix}"
    if bad.suffix == ".latin1.csv":
        # a legacy 8-bit file: "Xã" in Latin-1 is not valid UTF-8
        path.write_bytes((FIN_HEADER + "\n" + GOOD_FIN + ",Xã\n").encode("latin-1"))
    elif bad.encoding is not None:
        path.write_bytes(bad.text.encode(bad.encoding))
    else:
        path.write_text(bad.text + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", CATALOGUE, ids=[b.kind for b in CATALOGUE])
def test_bad_input_gets_a_clear_message(tmp_path, units, bad):
    path = _write(tmp_path, bad)
    if bad.row is None:
        with pytest.raises(InputFileError) as err:
            validate_table(path, TABLES[bad.table], units, decimal=bad.decimal)
        message = str(err.value)
        assert path.name in message
    else:
        result = validate_table(path, TABLES[bad.table], units, decimal=bad.decimal)
        hits = result.rejects[result.rejects["row"] == bad.row]
        assert len(hits), f"row {bad.row} was not rejected: {result.rejects}"
        if bad.column:
            hits = hits[hits["column"] == bad.column]
            assert len(hits), f"no rejection names column {bad.column}"
        message = " | ".join(hits["reason"] + " fix: " + hits["fix"])
        assert (hits["file"] == str(path)).all()
        assert result.reconciles()
    for fragment in bad.expect:
        assert fragment.lower() in message.lower(), message


def test_counts_reconcile_and_good_rows_survive(tmp_path, units):
    # 4 rows by hand: row 2 good, row 3 negative, row 4 good (other project), row 5 unknown code
    text = "\n".join(
        [
            FIN_HEADER,
            GOOD_FIN,
            GOOD_FIN.replace(",100,50", ",-1,0"),
            GOOD_FIN.replace("DA4", "DA5"),
            GOOD_FIN.replace("04231", "99999"),
        ]
    )
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    result = validate_table(path, FINANCE, units)
    assert (result.n_read, result.n_accepted, result.n_rejected) == (4, 2, 2)
    assert result.accepted["_row"].tolist() == [2, 4]
    assert result.accepted["commune_code"].tolist() == ["04231", "04231"]


def test_pad_codes_restores_zeros(tmp_path, units):
    path = tmp_path / "f.csv"
    path.write_text(FIN_HEADER + "\n" + GOOD_FIN.replace("04231", "4231"), encoding="utf-8")
    result = validate_table(path, FINANCE, units, pad_codes=True)
    assert result.accepted["commune_code"].tolist() == ["04231"]


def test_vietnamese_headers_and_numbers(tmp_path, units):
    # Seed 003's carried-over figures, written as an office would (Vietnamese headers and numbers)
    text = (
        "Năm;Tính đến ngày;Mã huyện;Mã xã;Dự án;Loại vốn;Nguồn;Kế hoạch vốn;Giải ngân\n"
        "2023;30/11/2023;127;04231;Dự án 4;Vốn đầu tư phát triển;Chuyển nguồn;8.356,336;2.791\n"
    )
    path = tmp_path / "taichinh.csv"
    path.write_text(text, encoding="utf-8-sig")
    result = validate_table(path, FINANCE, units)
    row = result.accepted.iloc[0]
    assert result.n_rejected == 0
    assert (row["plan_mvnd"], row["disbursed_mvnd"]) == (8356.336, 2791.0)
    assert (row["project"], row["capital_type"], row["fund"], row["province_code"]) == (
        "DA4",
        "investment",
        "carried_over",
        "14",
    )


def test_xlsx_with_title_block_and_numeric_cells(tmp_path, units):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append(["UBND HUYỆN SỐP CỘP"])
    ws.append(["BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2023"])
    ws.append([])
    ws.append(
        ["Năm", "Mã xã", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ DTTS", "Số hộ nghèo DTTS", "Ghi chú"]
    )
    ws.append([2023, "04231", 1000, 200, 100, 900, 190, ""])
    ws.append([2023, 4228, 800, 100, 50, 700, 90, "mã mất số 0"])  # a numeric cell: Excel dropped the zero
    path = tmp_path / "poverty.xlsx"
    wb.save(path)
    result = validate_table(path, POVERTY, units)
    assert result.raw.header_row == 4
    assert result.raw.ignored == ["Ghi chú"]
    assert result.accepted["commune_code"].tolist() == ["04231"]
    rej = result.rejects.iloc[0]
    assert (rej["row"], rej["column"], rej["value"]) == (6, "commune_code", "4228")


def test_xlsx_dates_and_wrong_sheet(tmp_path, units):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TC"
    ws.append(FIN_HEADER.split(","))
    ws.append([2023, date(2023, 11, 30), "14", "127", "04231", "DA4", "investment", "current", 100.5, 50])
    path = tmp_path / "fin.xlsx"
    wb.save(path)
    result = validate_table(path, FINANCE, units)
    assert str(result.accepted["as_of"].iloc[0].date()) == "2023-11-30"
    with pytest.raises(InputFileError, match="no sheet named 'Sheet9'"):
        validate_table(path, FINANCE, units, sheet="Sheet9")


def test_missing_file_message(tmp_path, units):
    with pytest.raises(InputFileError, match="file not found"):
        validate_table(tmp_path / "nope.csv", FINANCE, units)
