"""Reading without losing a row: quotes, field counts, sheets, unsaved formulas, files that lose most rows.

Every file is written in ``tmp_path`` and read by the real readers (``validate_table``) or the
real command (``analysis.cli.main``). Row and line numbers are worked out by hand in the
comments: the header is line 1, so data row ``n`` is line ``n`` unless said otherwise.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from analysis.cli import main
from analysis.common.limits import ReadLimits
from analysis.errors import InputFileError
from analysis.inputs.schema import FINANCE
from analysis.inputs.validate import validate_table
from analysis.store.prepare import prepare
from tests.bad_inputs import FIN_HEADER, GOOD_FIN

#: Sốp Cộp's 8 communes (district 127, province 14, official list).
SOP_COP = ["04225", "04228", "04231", "04234", "04237", "04240", "04243", "04246"]
PROJECTS = [f"DA{i}" for i in range(1, 11)]


def finance_rows(n: int) -> list[str]:
    """``n`` distinct finance facts (8 communes x 10 projects x 2 capital types x 2 funds = 320 at most)."""
    rows = []
    for commune in SOP_COP:
        for project in PROJECTS:
            for capital in ("investment", "recurrent"):
                for fund in ("current", "carried_over"):
                    rows.append(f"2023,30/11/2023,14,127,{commune},{project},{capital},{fund},100,50")
    assert len(rows) >= n
    return rows[:n]


def write(tmp_path, lines: list[str], name: str = "finance.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- 1. an unclosed quote ----------------------------------------------------------------------


def test_unterminated_quote_is_refused_naming_its_row_and_line(tmp_path, units):
    # the file: a header and 320 rows (321 lines); row 50 opens a quote in its project
    # cell and never closes it, so lines 50-321 would be one cell and "49 read" (exit 0) before
    rows = finance_rows(320)
    rows[48] = rows[48].replace(",DA", ',"DA', 1)  # row 50 is rows[48] (row 2 is rows[0])
    path = write(tmp_path, [FIN_HEADER, *rows])
    with pytest.raises(InputFileError) as err:
        validate_table(path, FINANCE, units)
    message = str(err.value)
    assert "finance.csv, row 50: unterminated CSV quoted field" in message
    assert "(line 50 of the file)" in message
    assert "the 271 lines below it would be read as one cell" in message  # 321 - 50
    assert "close the quote" in message


def test_unterminated_quote_in_the_last_line_without_a_line_break(tmp_path, units):
    path = tmp_path / "finance.csv"
    path.write_text(FIN_HEADER + "\n" + GOOD_FIN + '\n2023,30/11/2023,14,127,04231,"DA5,investment', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"row 3: unterminated CSV quoted field.*line 3 of the file"):
        validate_table(path, FINANCE, units)


def test_prepare_refuses_the_unterminated_quote_with_exit_2(tmp_path, capsys):
    rows = finance_rows(60)
    rows[48] = rows[48].replace(",DA", ',"DA', 1)
    path = write(tmp_path, [FIN_HEADER, *rows])
    out = tmp_path / "processed"
    assert main(["prepare", "--finance", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 50: unterminated CSV quoted field" in err and "11 lines below it" in err  # 61 lines - 50
    assert not out.exists()


def test_a_quote_closed_rows_later_is_refused(tmp_path, units):
    # row 3 opens a quote in its project cell; the quote in row 6's note closes it: rows 3-6
    # would be one record of 4 lines whose lines look like rows (9 commas each)
    header = FIN_HEADER + ",ghi_chu"
    rows = [r + "," for r in finance_rows(6)]
    rows[1] = rows[1].replace(",DA", ',"DA', 1)
    rows[4] = rows[4] + '"xem lại"'
    path = write(tmp_path, [header, *rows])
    with pytest.raises(InputFileError) as err:
        validate_table(path, FINANCE, units)
    assert "row 3: a quoted cell runs over lines 3-6 of the file and holds 3 line(s) that look like rows" in str(
        err.value)


def test_a_quoted_line_break_in_a_note_is_one_row_and_every_line_is_counted(tmp_path, units):
    # 6 lines: header, row 2, row 3 whose note holds a line break (lines 3-4), a blank line 5,
    # row 5 on line 6 (a spreadsheet numbers records: the blank line is row 4)
    header = FIN_HEADER + ",ghi_chu"
    rows = finance_rows(3)
    lines = [header, rows[0] + ",", rows[1] + ',"dòng một\ndòng hai"', "", rows[2] + ","]
    path = write(tmp_path, lines)
    result = validate_table(path, FINANCE, units)
    assert (result.n_read, result.n_accepted, result.n_rejected) == (3, 3, 0)
    assert result.accepted["_row"].tolist() == [2, 3, 5]
    lines_ = result.raw.lines
    assert (lines_.physical, lines_.header_lines, lines_.data, lines_.blank, lines_.continued) == (6, 1, 3, 1, 1)
    assert result.reconciles()
    assert "5 lines below the header: 3 rows of data, 1 blank line, 1 line inside quoted cells" in result.notes


def test_accounting_that_does_not_reconcile_is_seen(tmp_path, units):
    # the check can fail: a line count that does not add up is reported, not hidden
    path = write(tmp_path, [FIN_HEADER, *finance_rows(2)])
    result = validate_table(path, FINANCE, units)
    assert result.reconciles()
    result.raw.lines.physical += 1  # as if a line had gone missing between parser and text
    assert not result.reconciles()


# --- 2. too many or too few fields ---------------------------------------------------------------


def test_a_decimal_comma_in_a_comma_file_rejects_the_row_instead_of_shifting_it(tmp_path, units):
    # row 3 writes its plan 3250,5 without quotes: 11 fields, plan would read 3250 and disbursed 5
    rows = finance_rows(3)
    rows[1] = rows[1].replace(",100,50", ",3250,5,1200")
    path = write(tmp_path, [FIN_HEADER, *rows])
    result = validate_table(path, FINANCE, units)
    assert (result.n_read, result.n_accepted, result.n_rejected) == (3, 2, 1)
    assert result.accepted["_row"].tolist() == [2, 4]
    assert 3250 not in result.accepted["plan_mvnd"].tolist()
    (reject,) = result.rejects.itertuples()
    assert reject.row == 3
    assert "row has 11 fields where the header has 10" in reject.reason
    assert "decimal comma in a comma-separated file (for example '3250,5')" in reject.reason
    assert '"3250,5"' in reject.fix
    assert result.reconciles()


def test_a_row_of_many_more_fields_does_not_blame_a_decimal_comma(tmp_path, units):
    # row 3 has 5,000 fields: 4,990 extra cannot come from the table's 2 number columns
    rows = finance_rows(3)
    rows[1] = ",".join(["x"] * 5000)
    result = validate_table(write(tmp_path, [FIN_HEADER, *rows]), FINANCE, units)
    (reason,) = result.rejects["reason"].tolist()
    assert reason == "row has 5000 fields where the header has 10: its values would sit under the wrong headers"
    assert result.n_accepted == 2


def test_a_row_with_too_few_fields_is_rejected_once(tmp_path, units):
    # row 2 lost its last field (9 of 10): one reason, not "disbursed_mvnd is empty"
    rows = finance_rows(2)
    rows[0] = rows[0].rsplit(",", 1)[0]
    path = write(tmp_path, [FIN_HEADER, *rows])
    result = validate_table(path, FINANCE, units)
    assert result.rejects[["row", "reason"]].values.tolist() == [
        [2, "row has 9 fields where the header has 10: a value is missing or the line was cut, so the values after "
            "it would sit under the wrong headers"]]
    assert result.n_accepted == 1


def test_trailing_empty_fields_are_not_extra(tmp_path, units):
    # Excel pads rows with separators: empty fields past the header are nothing
    path = write(tmp_path, [FIN_HEADER, finance_rows(1)[0] + ",,,"])
    result = validate_table(path, FINANCE, units)
    assert (result.n_accepted, result.n_rejected) == (1, 0)


# --- 3. sheets -------------------------------------------------------------------------------------


def _finance_sheet(wb, title: str, plan: float, *, hidden: bool = False, title_rows: int = 0):
    ws = wb.create_sheet(title)
    for i in range(title_rows):
        ws.append([f"BÁO CÁO {i}"])
    ws.append(FIN_HEADER.split(","))
    ws.append([2023, "30/11/2023", "14", "127", "04231", "DA4", "investment", "current", plan, 50])
    if hidden:
        ws.sheet_state = "hidden"
    return ws


def _workbook(tmp_path, sheets: list[tuple[str, float, bool]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_sheet("Ghi chú").append(["Số liệu do phòng Tài chính cung cấp"])  # a notes sheet, no table
    for title, plan, hidden in sheets:
        _finance_sheet(wb, title, plan, hidden=hidden)
    path = tmp_path / "fin.xlsx"
    wb.save(path)
    return path


def test_two_sheets_holding_the_table_are_refused_naming_them(tmp_path, units):
    path = _workbook(tmp_path, [("Biểu 01 (cũ)", 90, False), ("Biểu 01", 100, False)])
    with pytest.raises(InputFileError) as err:
        validate_table(path, FINANCE, units)
    message = str(err.value)
    assert "2 sheets hold a finance table: 'Biểu 01 (cũ)', 'Biểu 01'" in message
    assert "--sheet finance='Biểu 01'" in message


def test_the_sheet_named_is_read(tmp_path, units):
    path = _workbook(tmp_path, [("Biểu 01 (cũ)", 90, False), ("Biểu 01", 100, False)])
    result = validate_table(path, FINANCE, units, sheet="Biểu 01")
    assert result.raw.sheet == "Biểu 01" and result.accepted["plan_mvnd"].tolist() == [100.0]


def test_a_hidden_sheet_is_not_read_unless_named(tmp_path, units):
    path = _workbook(tmp_path, [("cũ", 90, True), ("Biểu 01", 100, False)])
    result = validate_table(path, FINANCE, units)
    assert result.raw.sheet == "Biểu 01" and result.accepted["plan_mvnd"].tolist() == [100.0]
    assert validate_table(path, FINANCE, units, sheet="cũ").accepted["plan_mvnd"].tolist() == [90.0]


def test_a_table_only_on_a_hidden_sheet_is_refused(tmp_path, units):
    path = _workbook(tmp_path, [("ẩn", 90, True)])
    with pytest.raises(InputFileError, match=r"(?s)only on hidden sheet\(s\) 'ẩn'.*--sheet finance='ẩn'"):
        validate_table(path, FINANCE, units)


def test_prepare_sheet_option_and_the_sheet_in_the_summary(tmp_path, capsys):
    path = _workbook(tmp_path, [("Biểu 01 (cũ)", 90, False), ("Biểu 01", 100, False)])
    out = tmp_path / "processed"
    assert main(["prepare", "--finance", str(path), "--out", str(out)]) == 2
    assert "2 sheets hold a finance table" in capsys.readouterr().err
    assert main(["prepare", "--finance", str(path), "--sheet", "finance=Biểu 01", "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "read sheet 'Biểu 01' of fin.xlsx, header row 1" in summary
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["finance"]["sheet"] == "Biểu 01"
    assert manifest["options"]["sheets"] == {"finance": "Biểu 01"}


def test_sheet_option_for_a_csv_table_is_refused(tmp_path, capsys):
    path = write(tmp_path, [FIN_HEADER, *finance_rows(2)])
    assert main(["prepare", "--finance", str(path), "--sheet", "finance=Biểu 01", "--out", str(tmp_path / "o")]) == 2
    assert "names a sheet, but the finance table is a CSV file" in capsys.readouterr().err


# --- 4. formulas without a saved value ---------------------------------------------------------------


def test_a_formula_without_a_saved_value_says_so(tmp_path, units):
    # openpyxl writes formulas without values, as a program does: row 3's plan (column I) is =I2*2
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(FIN_HEADER.split(","))
    ws.append([2023, "30/11/2023", "14", "127", "04231", "DA4", "investment", "current", 100, 50])
    ws.append([2023, "30/11/2023", "14", "127", "04231", "DA5", "investment", "current", "=I2*2", 50])
    path = tmp_path / "fin.xlsx"
    wb.save(path)
    result = validate_table(path, FINANCE, units)
    assert result.rejects[["row", "column", "value"]].values.tolist() == [[3, "plan_mvnd", "=I2*2"]]
    reason = result.rejects["reason"].iloc[0]
    assert reason.startswith("cell I3 holds a formula (=I2*2) whose value was never saved")
    assert "open the workbook in Excel or LibreOffice and save it again" in result.rejects["fix"].iloc[0]
    assert "plan_mvnd is empty" not in " ".join(result.rejects["reason"])


# --- 6. a table that loses most of its rows ------------------------------------------------------------


def _prepare(tmp_path, finance, **kwargs):
    return prepare(finance=finance, out=tmp_path / "processed", **kwargs)


def test_most_rows_rejected_refuses_the_table(tmp_path):
    # 4 rows, 3 rejected (unknown commune 99999): 75% > 50%
    rows = finance_rows(4)
    rows[1:] = [r.replace(SOP_COP[0], "99999") for r in rows[1:]]
    path = write(tmp_path, [FIN_HEADER, *rows])
    with pytest.raises(InputFileError) as err:
        _prepare(tmp_path, path)
    message = str(err.value)
    assert message.startswith(f"{path}: 3 of its 4 rows were rejected (75%, more than the 50% allowed) of the finance")
    assert "unknown commune code '99999' (column 'commune_code', 3 rows, first: 3, 4, 5)" in message
    assert "--max-rejected-share" in message
    assert not (tmp_path / "processed").exists()
    # allowed with the option: the one good row is used
    result = _prepare(tmp_path, path, limits=ReadLimits(max_rejected_share=1.0))
    assert (result.tables["finance"].n_accepted, result.tables["finance"].n_rejected) == (1, 3)


def test_half_the_rows_rejected_is_still_accepted(tmp_path):
    rows = finance_rows(4)
    rows[2:] = [r.replace(SOP_COP[0], "99999") for r in rows[2:]]  # 2 of 4: 50% is not more than 50%
    result = _prepare(tmp_path, write(tmp_path, [FIN_HEADER, *rows]))
    assert result.tables["finance"].n_accepted == 2


def test_no_row_accepted_or_no_row_at_all_exits_2_and_keeps_the_prepared_data(tmp_path, capsys):
    good = write(tmp_path, [FIN_HEADER, *finance_rows(2)], "good.csv")
    out = tmp_path / "processed"
    assert main(["prepare", "--finance", str(good), "--out", str(out)]) == 0
    before = (out / "manifest.json").read_bytes()
    capsys.readouterr()
    bad = write(tmp_path, [FIN_HEADER, GOOD_FIN.replace("04231", "99999")], "bad.csv")
    empty = write(tmp_path, [FIN_HEADER], "empty.csv")
    args = ["--max-rejected-share", "1"]  # even when every rejected row is allowed, none accepted is refused
    assert main(["prepare", "--finance", str(bad), "--out", str(out), *args]) == 2
    assert "bad.csv: no row was accepted of the finance table" in capsys.readouterr().err
    assert main(["prepare", "--finance", str(empty), "--out", str(out)]) == 2
    assert "empty.csv: the finance table has no rows of data below its header (row 1)" in capsys.readouterr().err
    assert (out / "manifest.json").read_bytes() == before


@pytest.mark.parametrize("option, value, expect", [
    ("--max-rejected-share", "1.5", "not between 0 and 1"),
    ("--max-rows", "0", "0 is out of range: give 1 to 100000000"),
    ("--rejects-per-reason", "x", "not a whole number"),
])
def test_limit_options_are_checked(option, value, expect, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["prepare", option, value])
    assert exit_.value.code == 2 and expect in capsys.readouterr().err
