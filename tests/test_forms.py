"""The report-form importer (``ntp-atlas import``): small workbooks built with openpyxl.

The forms are in ``tests/form_fixtures.py``; every expected tidy row there and here was
worked out by hand from the figures written into the cells.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.errors import FormError, InputFileError, SubtotalError
from analysis.inputs.forms.importer import import_form, read_form
from analysis.inputs.forms.labels import classify_label, project_code, row_level, total_kind
from analysis.inputs.schema import FINANCE
from analysis.inputs.validate import validate_table
from tests.bad_inputs import FORM_CATALOGUE
from tests.form_fixtures import (
    A_EXPECTED,
    B_EXPECTED,
    B_ROWS,
    C_EXPECTED,
    form_a,
    form_b,
    form_c,
    put_rows,
    sheet_a,
    sheet_b,
    workbook,
)

CANONICAL = [c.name for c in FINANCE.columns]


def _tidy_a(table):
    return [(r.commune_code, r.project, r.capital_type, r.plan_mvnd, r.disbursed_mvnd) for r in table.itertuples()]


def _tidy_b(table):
    return [(r.project, r.capital_type, r.fund, r.plan_mvnd, r.disbursed_mvnd) for r in table.itertuples()]


# --- the two orientations -----------------------------------------------------------------


def test_units_down_projects_across(tmp_path):
    result = read_form(form_a(tmp_path / "bieu.xlsx"))
    table = result.table
    assert list(table.columns) == CANONICAL
    assert _tidy_a(table) == A_EXPECTED
    # where and when come from the title block: UBND HUYỆN CHI LĂNG (187, province 20),
    # "tính đến ngày 30/11/2023", "NĂM 2023"; no fund split, so every row is the current fund
    assert set(table["district_code"]) == {"187"} and set(table["province_code"]) == {"20"}
    assert set(table["as_of"]) == {"2023-11-30"} and set(table["year"]) == {2023}
    assert set(table["fund"]) == {"current"}
    # the district row (9), "Tổng cộng" (12) and the "Tổng cộng" columns D, E are not written:
    # 6 rows, not 6 + the subtotals. Each subtotal cell is checked: row 9 and row 12 in the
    # 8 figure columns D..K (16), columns D and E in rows 9..12 (8): 24 checks, all agree.
    assert len(result.checks) == 24 and not result.differences
    report = result.report()
    assert "column F 'Dự án 1 / Vốn đầu tư phát triển / Kế hoạch' -> project DA1, capital type investment" in report
    assert "column D 'Tổng cộng / Kế hoạch' -> subtotal of columns F, H, J" in report
    assert "row 9 'I Huyện Chi Lăng' -> subtotal of rows 10, 11" in report
    assert "row 8: the row of column numbers" in report
    assert "below the table ('Người lập biểu')" in report


def test_projects_down_capital_types_across(tmp_path):
    result = read_form(form_b(tmp_path / "bieu.xlsx"))
    assert _tidy_b(result.table) == B_EXPECTED
    assert set(result.table["district_code"]) == {"127"} and set(result.table["province_code"]) == {"14"}
    assert result.table["commune_code"].isna().all()  # rows of the district as a whole
    report = result.report()
    assert "row 10 '2 Dự án 3: Phát triển sản xuất nông, lâm nghiệp' -> subtotal of rows 11, 12" in report
    assert "row 11 '- Tiểu dự án 1' -> project DA3.1, fund current" in report
    assert "row 15 '1 Dự án 4' -> project DA4, fund carried_over" in report
    assert "column C 'Tổng số / Kế hoạch' -> subtotal of columns E, G" in report
    # Row checks: "Tổng cộng" (7), I (8), Dự án 3 (10), II (14) in the 6 figure columns
    # where they have a figure: 6 + 6 + 4 (Dự án 3 has no ĐTPT figures) + 6 = 22; column
    # checks: C and D in the 10 rows, all with a figure: 20. 42 checks, all agree.
    assert len(result.checks) == 42 and not result.differences


def test_plan_and_disbursed_over_capital_types_as_offices_send_it(tmp_path):
    # form C: "Kế hoạch vốn" and "Giải ngân" on top with "Tổng số | Vốn ĐTPT | Vốn sự nghiệp"
    # under each, a numbering row "1 2 3=4+5 … 9=6/3 10", a rate and a notes column, Roman
    # sections for the year's funds and those carried over, a signature block with a date line
    # and names, and a notes sheet. Expected rows worked out by hand (C_EXPECTED).
    result = read_form(form_c(tmp_path / "bieu.xlsx"))
    assert _tidy_b(result.table) == C_EXPECTED
    assert set(result.table["district_code"]) == {"127"} and set(result.table["as_of"]) == {"2023-11-30"}
    report = result.report()
    assert "header rows 5-6" in report  # "Tổng số" under "Kế hoạch vốn" is a header, not a total row
    assert "column C 'Kế hoạch vốn / Tổng số' -> subtotal of columns D, E" in report
    assert "column G 'Giải ngân / Vốn ĐTPT' -> capital type investment, measure disbursed" in report
    assert "row 7: the row of column numbers" in report  # "3=4+5" and "9=6/3" are column numbers
    assert "column I 'Tỷ lệ giải ngân (%)': a rate" in report
    assert "column J 'Ghi chú': notes or units, not figures" in report
    assert "rows 16-21: below the table ('Sốp Cộp, ngày 05 tháng 12 năm 2023')" in report
    assert "sheet 'Ghi chú': no table" in report
    assert "row 13 '1 Dự án 4' -> project DA4, fund carried_over" in report
    # Row checks: Tổng cộng, I and II in the 6 figure columns where they have a figure (6 each:
    # 18); column checks: C and F in the 7 rows (14). 32 checks, all agree.
    assert len(result.checks) == 32 and not result.differences


def test_several_sheets_and_one_sheet(tmp_path):
    path = workbook(
        tmp_path / "tong-hop.xlsx",
        ("Sốp Cộp", sheet_b, {}),
        ("Chi Lăng", sheet_a, {}),
        ("Ghi chú", lambda ws: ws.cell(1, 1, "Ghi chú: số liệu sơ bộ"), {}),
    )
    result = read_form(path)
    assert result.sheets == ["Sốp Cộp", "Chi Lăng"]
    assert len(result.table) == len(B_EXPECTED) + len(A_EXPECTED) == 12
    assert list(result.table["district_code"]) == ["127"] * 6 + ["187"] * 6
    assert "sheet 'Ghi chú': no table with Kế hoạch / Giải ngân headers" in result.report()
    only = read_form(path, sheet="Chi Lăng")
    assert only.sheets == ["Chi Lăng"] and _tidy_a(only.table) == A_EXPECTED
    with pytest.raises(InputFileError, match="no sheet named 'Lạng Sơn'"):
        read_form(path, sheet="Lạng Sơn")


# --- subtotals ----------------------------------------------------------------------------


def test_subtotal_that_disagrees_with_its_parts_is_reported(tmp_path):
    # The district row says 160 for DA1 investment plan (F9) where its communes hold
    # 100 + 50 = 150 (F10 + F11). Worked out by hand, three cells disagree:
    #   F9  (district row vs its communes): 160 against 150, difference 10
    #   F12 ("Tổng cộng" vs the district row, the only top row): 150 against 160, -10
    #   D9  ("Tổng cộng / Kế hoạch" column vs F9 + H9 + J9): 670 against 160 + 20 + 500 = 680, -10
    path = form_a(tmp_path / "bieu.xlsx", district_row=[160, 50, 20, 5, 500, 170])
    result = read_form(path)
    diffs = {d.cell: d for d in result.differences}
    assert set(diffs) == {"F9", "F12", "D9"}
    assert (diffs["F9"].stated, diffs["F9"].parts_sum, diffs["F9"].parts) == (160, 150, ["F10", "F11"])
    assert diffs["F12"].difference == pytest.approx(-10)
    assert diffs["D9"].parts_sum == 680
    line = diffs["F9"].describe(path)
    for fragment in ("bieu.xlsx", "sheet 'Chi Lăng'", "cell F9", "says 160", "is 150", "difference 10"):
        assert fragment in line
    assert "DIFFERENCE bieu.xlsx, sheet 'Chi Lăng', cell F9" in result.report()
    # the figures written are the communes', never the subtotal: the same table as before
    assert _tidy_a(result.table) == A_EXPECTED


def test_total_column_that_disagrees(tmp_path):
    rows = [list(r) for r in B_ROWS]
    rows[2][2] = 310  # C9, "Tổng số / Kế hoạch" of Dự án 1: 310 where ĐTPT + SN = 300 + 0
    result = read_form(form_b(tmp_path / "bieu.xlsx", rows=rows))
    # C9 is also a part of row I (C8 = 1000): 310 + 200 + 500 = 1010 against 1000
    assert {d.cell for d in result.differences} == {"C9", "C8"}
    c9 = next(d for d in result.differences if d.cell == "C9")
    assert (c9.stated, c9.parts_sum, c9.parts) == (310, 300, ["E9", "G9"])
    assert _tidy_b(result.table) == B_EXPECTED


def test_detail_rows_are_summed_and_of_which_rows_skipped(tmp_path):
    # Rows from 7: the fund group I, Dự án 4 (row 8, 500) broken down into two works (rows 9
    # and 10: 300 + 200) and an "of which" row (row 11, 100, already inside them). By hand: one
    # DA4 row, plan 500, disbursed 180 + 80 = 260; the "Trong đó" row is skipped, rows 7 and 8
    # are checked (and agree).
    rows = [
        ["I", "Vốn giao trong năm 2023", 500, 260, 500, 260, None, None],
        [1, "Dự án 4: Đầu tư cơ sở hạ tầng thiết yếu", 500, 260, 500, 260, None, None],
        ["-", "Đường giao thông thôn Bản Lề", 300, 180, 300, 180, None, None],
        ["-", "Trường mầm non xã Sam Kha", 200, 80, 200, 80, None, None],
        [None, "Trong đó: xã đặc biệt khó khăn", 100, 50, 100, 50, None, None],
    ]
    result = read_form(form_b(tmp_path / "bieu.xlsx", rows=rows))
    assert _tidy_b(result.table) == [("DA4", "investment", "current", 500.0, 260.0)]
    assert not result.differences
    report = result.report()
    assert "row 10 '- Trường mầm non xã Sam Kha' -> project DA4, fund current (detail, summed)" in report
    assert "row 11 'Trong đó: xã đặc biệt khó khăn': an 'of which' row" in report


def test_funding_sources_are_added_up(tmp_path):
    # Plan split by source under each capital type: NSTW + NSĐP. By hand, for Dự án 1
    # investment: plan 200 + 50 = 250; disbursed 90 (one column, no split).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Chi Lăng"
    ws["A1"], ws["A2"] = "UBND HUYỆN CHI LĂNG", "Số liệu đến ngày 30/11/2023"
    for cell, text, rng in [
        ("A4", "STT", "A4:A6"),
        ("B4", "Nội dung", "B4:B6"),
        ("C4", "Vốn đầu tư phát triển", "C4:E4"),
        ("C5", "Kế hoạch", "C5:D5"),
        ("E5", "Giải ngân", "E5:E6"),
    ]:
        ws[cell] = text
        ws.merge_cells(rng)
    ws["C6"], ws["D6"] = "Ngân sách trung ương", "Ngân sách địa phương"
    put_rows(ws, 7, [[1, "Dự án 1", 200, 50, 90]])
    wb.save(tmp_path / "nguon.xlsx")
    result = read_form(tmp_path / "nguon.xlsx")
    assert [(r.project, r.plan_mvnd, r.disbursed_mvnd) for r in result.table.itertuples()] == [("DA1", 250.0, 90.0)]


def test_columns_that_are_not_finance_figures_are_skipped(tmp_path):
    path = form_b(tmp_path / "bieu.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["I5"], ws["J5"] = "Số hộ hưởng lợi", "Ghi chú"  # beneficiaries (a count) and notes
    ws.merge_cells("I5:I6")
    ws.merge_cells("J5:J6")
    ws["I9"], ws["J9"] = 120, "đã nghiệm thu"
    wb.save(path)
    result = read_form(path)
    assert _tidy_b(result.table) == B_EXPECTED
    assert "column I 'Số hộ hưởng lợi': figures that are not a plan or disbursement" in result.report()


# --- where, when and units ---------------------------------------------------------------


def test_options_when_the_form_does_not_say(tmp_path):
    path = form_a(tmp_path / "bieu.xlsx", title="BIỂU SỐ 01", date_line=None)
    with pytest.raises(FormError) as err:
        read_form(path, district="187")
    assert "give --as-of" in str(err.value) and "sheet 'Chi Lăng'" in str(err.value)
    # without the district in the title, the codes of the rows (06481, 06514) still say it;
    # here the sheet name "Chi Lăng" would too. --as-of gives the date, the year follows it.
    result = read_form(path, as_of="30/11/2023")
    assert set(result.table["district_code"]) == {"187"} and set(result.table["as_of"]) == {"2023-11-30"}
    assert set(result.table["year"]) == {2023}
    year_end = read_form(path, as_of="2024-01-31", year=2023)
    assert set(year_end.table["year"]) == {2023} and set(year_end.table["as_of"]) == {"2024-01-31"}


def test_commune_names_without_codes(tmp_path):
    # no "Mã xã" column: "Xã Chiến Thắng" and "Xã Hữu Kiên" are found in district 187 by name
    result = read_form(form_a(tmp_path / "bieu.xlsx", codes=False))
    assert [r[0] for r in _tidy_a(result.table)] == ["06481"] * 3 + ["06514"] * 3


def _one_commune(tmp_path, label: str, code: str | None):
    """Form A with one commune row (row 9): Chiến Thắng's figures under ``label`` and ``code``."""
    from tests.form_fixtures import A_CHIEN_THANG, A_TOTAL_CT

    return form_a(tmp_path / "bieu.xlsx", rows=[[1, label, code, *A_TOTAL_CT, *A_CHIEN_THANG]])


def test_a_code_contradicted_by_its_name_is_refused(tmp_path):
    # Row 10 carries Hữu Kiên's code (06514) beside the name Xã Chiến Thắng (06481), row 11 the
    # reverse: read by code, Chiến Thắng's 100 / 20 / 300 would become Hữu Kiên's. Refused at
    # the first such row, naming the code's commune and the commune the name belongs to.
    from tests.form_fixtures import A_CHIEN_THANG, A_DISTRICT, A_HUU_KIEN, A_TOTAL_CT, A_TOTAL_DISTRICT, A_TOTAL_HK

    rows = [
        ["I", "Huyện Chi Lăng", None, *A_TOTAL_DISTRICT, *A_DISTRICT],
        [1, "Xã Chiến Thắng", "06514", *A_TOTAL_CT, *A_CHIEN_THANG],
        [2, "Xã Hữu Kiên", "06481", *A_TOTAL_HK, *A_HUU_KIEN],
    ]
    path = form_a(tmp_path / "bieu.xlsx", rows=rows)
    with pytest.raises(FormError) as err:
        read_form(path)
    assert err.value.cell == "B10"
    message = str(err.value)
    for fragment in ("the code 06514 in C10 is Xã Hữu Kiên", "the name 'Xã Chiến Thắng' in B10",
                     "that of commune 06481 (Xã Chiến Thắng, Huyện Chi Lăng)", "06514 is Xã Hữu Kiên"):  # fmt: skip
        assert fragment in message, message
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("label", "code", "commune"),
    [
        ("Xã Chiến Thắng", "06481", "06481"),
        ("Chiến Thắng", "06481", "06481"),  # no type prefix
        ("Xa Chien Thang", "06481", "06481"),  # no diacritics
        ("XÃ CHIẾN THẮNG", "06481", "06481"),
        (unicodedata.normalize("NFD", "Xã Chiến Thắng"), "06481", "06481"),
        ("Xã Hoà Bình", "06508", "06508"),  # old tone placement; the list writes Hòa Bình
        ("Chi Lăng", "06523", "06523"),  # Xã Chi Lăng; Thị trấn Chi Lăng (06466) has the same name
        ("Chi Lăng", "06466", "06466"),
        ("Thôn Bản Lề", "06481", "06481"),  # a label that is no commune's name says nothing against the code
        ("Xã Chi Lăng", None, "06523"),  # no code: the prefix tells the commune from the town
        ("TT Chi Lăng", None, "06466"),
    ],
)
def test_a_code_and_a_name_of_the_same_commune_agree(tmp_path, label, code, commune):
    result = read_form(_one_commune(tmp_path, label, code))
    assert set(result.table["commune_code"]) == {commune}


@pytest.mark.parametrize(
    ("label", "code", "expect"),
    [
        # the commune of the same name in the district (187) is the one meant, not Hữu Lũng's (06397)
        ("Xã Hòa Bình", "06481", "that of commune 06508 (Xã Hòa Bình, Huyện Chi Lăng)"),
        # the town and the commune of Chi Lăng: the prefix decides
        ("Xã Chi Lăng", "06466", "that of commune 06523 (Xã Chi Lăng, Huyện Chi Lăng)"),
        ("Thị trấn Chi Lăng", "06523", "that of commune 06466 (Thị trấn Chi Lăng, Huyện Chi Lăng)"),
        # a commune of another district of Lạng Sơn
        ("Xã Yên Thịnh", "06481", "that of commune 06400 (Xã Yên Thịnh, Huyện Hữu Lũng)"),
        # without prefix or diacritics, still another commune's name
        ("huu kien", "06481", "that of commune 06514 (Xã Hữu Kiên, Huyện Chi Lăng)"),
        ("Xã Không Có", "06481", "the name of no commune in the official unit list"),
    ],
)
def test_each_kind_of_contradicting_name_is_refused(tmp_path, label, code, expect):
    with pytest.raises(FormError) as err:
        read_form(_one_commune(tmp_path, label, code))
    assert err.value.cell == "B9" and expect in str(err.value) and f"the code {code} in C9" in str(err.value)


def test_a_district_code_contradicted_by_its_name_is_refused(tmp_path):
    # a "Mã huyện" column: the district row says 187 (Chi Lăng) beside the name Huyện Hữu Lũng (186)
    from tests.form_fixtures import A_CHIEN_THANG, A_TOTAL_CT

    rows = [["I", "Huyện Hữu Lũng", "187", *A_TOTAL_CT, *A_CHIEN_THANG]]
    path = form_a(tmp_path / "bieu.xlsx", codes="Mã huyện", rows=rows)
    with pytest.raises(FormError) as err:
        read_form(path)
    assert err.value.cell == "B9"
    assert "the code 187 in C9 is Huyện Chi Lăng, but the name 'Huyện Hữu Lũng' in B9 is that of district 186" in str(
        err.value
    )


def test_codes_typed_as_numbers_get_their_zeros_back(tmp_path):
    from tests.form_fixtures import A_CHIEN_THANG, A_TOTAL_CT

    rows = [[1, "Xã Chiến Thắng", 6481, *A_TOTAL_CT, *A_CHIEN_THANG]]  # 06481 typed as a number
    result = read_form(form_a(tmp_path / "bieu.xlsx", rows=rows))
    assert set(result.table["commune_code"]) == {"06481"}
    assert "1 codes typed as numbers: their leading zeros restored" in result.report()


def test_text_figures_in_vietnamese_format(tmp_path):
    rows = [[1, "Dự án 4", "8.356,336", "2.791", "8.356,336", "2.791", "-", "-"]]
    result = read_form(form_b(tmp_path / "bieu.xlsx", rows=rows))
    # seed 003's carried-over plan, written the Vietnamese way; "-" is an empty cell
    assert _tidy_b(result.table) == [("DA4", "investment", "current", 8356.336, 2791.0)]


def _carried_over_plan(text):
    """Form B with Dự án 4's carried-over investment plan (E15) typed as ``text`` meaning 1300.

    By hand: II (row 14) plan 1300 + 80 = 1380, of which investment (E14) 1300; "Tổng cộng"
    (row 7) 1000 + 1380 = 2380, investment (E7) 800 + 1300 = 2100; C15 (Tổng số) 1300.
    """
    rows = [list(r) for r in B_ROWS]
    rows[0][2], rows[0][4] = 2380, 2100
    rows[7][2], rows[7][4] = 1380, 1300
    rows[8] = [1, "Dự án 4", 1300, 40, text, 40, None, None]
    return rows


@pytest.mark.parametrize(("text", "way"), [("1,300", "the English way"), ("1.300", "the Vietnamese way")])
def test_a_text_figure_is_read_the_way_its_subtotals_agree(tmp_path, text, way):
    # '1,300' was read as 1.3 (the Vietnamese decimal comma), leaving two DIFFERENCE lines and exit 0.
    # Read as 1.3, E14 (1300) and C15 (1300) disagree with it; read as 1300 both agree: 1300 it is.
    path = form_b(tmp_path / "bieu.xlsx", rows=_carried_over_plan(text))
    result = read_form(path)
    expected = [*B_EXPECTED[:4], ("DA4", "investment", "carried_over", 1300.0, 40.0), B_EXPECTED[5]]
    assert _tidy_b(result.table) == expected and not result.differences
    report = result.report()
    assert "figures written as text that read two ways: 1" in report
    assert (f"READ 'Sốp Cộp'!E15 '{text}' -> 1300: read {way}, as its subtotals (E14, C15) agree only so; "
            "as 1.3 they would not") in report  # fmt: skip
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 0


def test_text_figures_read_together_when_only_together_they_add_up(tmp_path):
    # "Tổng cộng" E7 = 3800 (a number) over E8 '1,300' and E9 '2,500': each check holds both text
    # cells, so neither decides alone. Read the Vietnamese way 1.3 + 2.5 = 3.8, not 3800; read the
    # English way 1300 + 2500 = 3800. Both are read the English way.
    rows = [
        [None, "Tổng cộng", None, None, 3800, 900, None, None],
        [1, "Dự án 4", None, None, "1,300", 400, None, None],
        [2, "Dự án 1", None, None, "2,500", 500, None, None],
    ]
    result = read_form(form_b(tmp_path / "bieu.xlsx", rows=rows))
    assert [(r.project, r.plan_mvnd) for r in result.table.itertuples()] == [("DA4", 1300.0), ("DA1", 2500.0)]
    assert "READ 'Sốp Cộp'!E8 '1,300' -> 1300: read the English way, as its subtotals (E7) agree only so, " \
           "with E9 read so too; as 1.3 they would not" in result.report()  # fmt: skip


@pytest.mark.parametrize(
    ("evidence", "plan", "why"),
    [
        ("40,5", 2791.0, "read the Vietnamese way, as the workbook writes its figures ('40,5' in 'Ghi nhận'!F7)"),
        ("40.5", 2.791, "read the English way, as the workbook writes its figures ('40.5' in 'Ghi nhận'!F7)"),
        (
            "1.234.567",
            2791.0,
            "read the Vietnamese way, as the workbook writes its figures ('1.234.567' in 'Ghi nhận'!F7)",
        ),
    ],
)
def test_text_figures_no_subtotal_decides_are_read_as_the_workbook_writes(tmp_path, evidence, plan, why):
    # Sốp Cộp's '2.791' (E7) is in no subtotal check; the other sheet writes a figure that reads one
    # way only. The workbook, not the sheet, is the evidence: one office typed it.
    path = workbook(
        tmp_path / "bieu.xlsx",
        ("Sốp Cộp", sheet_b, {"rows": [[1, "Dự án 4", None, None, "2.791", 40, None, None]]}),
        ("Ghi nhận", sheet_b, {"rows": [[1, "Dự án 1", None, None, 500, evidence, None, None]]}),
    )
    result = read_form(path)
    assert result.table["plan_mvnd"].iloc[0] == plan
    assert f"READ 'Sốp Cộp'!E7 '2.791' -> {fmt(plan)}: {why}" in result.report()


def fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def test_a_text_figure_nothing_decides_is_refused_unless_decimal_is_given(tmp_path):
    # '1,300' alone, in no subtotal check, and no other text figure: 1.3 or 1300, nothing says
    path = form_b(tmp_path / "bieu.xlsx", rows=[[1, "Dự án 4", None, None, "1,300", 40, None, None]])
    with pytest.raises(FormError) as err:
        read_form(path)
    assert err.value.cell == "E7"
    for fragment in (
        "the text '1,300' reads as 1.3 the Vietnamese way and as 1300 the English way",
        "nothing else in the workbook shows",
        "--decimal , (Vietnamese) or --decimal . (English)",
    ):
        assert fragment in str(err.value)
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    assert read_form(path, decimal=",").table["plan_mvnd"].iloc[0] == 1.3
    english = read_form(path, decimal=".")
    assert english.table["plan_mvnd"].iloc[0] == 1300
    assert "READ 'Sốp Cộp'!E7 '1,300' -> 1300: read the English way, as --decimal . says" in english.report()


def test_a_workbook_that_writes_figures_both_ways_leaves_an_undecided_figure_refused(tmp_path):
    # F7 '40,5' reads only the Vietnamese way, F8 '1,234.5' only the English way; E7 '2.791' is in
    # no check: the workbook says both, so nothing decides it
    rows = [
        [1, "Dự án 4", None, None, "2.791", "40,5", None, None],
        [2, "Dự án 1", None, None, 5, "1,234.5", None, None],
    ]
    with pytest.raises(FormError) as err:
        read_form(form_b(tmp_path / "bieu.xlsx", rows=rows))
    assert err.value.cell == "E7"
    assert "writes figures both ways: '40,5' in 'Sốp Cộp'!F7 the Vietnamese way, '1,234.5' in 'Sốp Cộp'!F8" in str(
        err.value
    )


def test_decimal_against_the_workbooks_evidence_is_refused(tmp_path):
    vietnamese = form_b(tmp_path / "vi.xlsx", rows=[[1, "Dự án 4", None, None, "2.791", "40,5", None, None]])
    with pytest.raises(FormError) as err:
        read_form(vietnamese, decimal=".")
    assert err.value.cell == "F7"
    assert "--decimal . says the form writes its figures the English way" in str(err.value)
    assert "but it writes them the Vietnamese way (dot for thousands, comma for decimals): '40,5' in" in str(err.value)
    # the subtotals are evidence too: '1,300' reads 1300 by them, against --decimal ,
    by_sums = form_b(tmp_path / "sums.xlsx", rows=_carried_over_plan("1,300"))
    with pytest.raises(FormError) as err:
        read_form(by_sums, decimal=",")
    assert err.value.cell == "E15" and "'1,300' in 'Sốp Cộp'!E15 by its subtotals" in str(err.value)
    with pytest.raises(SystemExit):  # argparse: only , or .
        main(["import", str(by_sums), "--decimal", ";"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.integers(0, 999_999), min_size=12, max_size=12),
    st.sampled_from(["vi", "en"]),
    st.integers(0, 11),
)
def test_text_figures_of_either_way_read_back_by_their_subtotals(tmp_path, values, lang, which):
    # form A whose commune figures are typed as text the way `lang` writes them (format_number:
    # '1.300' or '1,300'), its subtotals as numbers worked out from the figures: every figure
    # reads back as the number it was, whichever way it was written
    from analysis.common.numbers import format_number

    chien_thang, huu_kien = values[:6], values[6:]
    district = [a + b for a, b in zip(chien_thang, huu_kien, strict=True)]

    def totals(v):
        return [v[0] + v[2] + v[4], v[1] + v[3] + v[5]]

    texts = [format_number(v, lang) for v in values]
    texts[which] = values[which]  # one cell stays a number
    rows = [
        ["I", "Huyện Chi Lăng", None, *totals(district), *district],
        [1, "Xã Chiến Thắng", "06481", *totals(chien_thang), *texts[:6]],
        [2, "Xã Hữu Kiên", "06514", *totals(huu_kien), *texts[6:]],
    ]
    result = read_form(form_a(tmp_path / "text.xlsx", rows=rows))
    assert [(r.plan_mvnd, r.disbursed_mvnd) for r in result.table.itertuples()] == [
        (float(values[i]), float(values[i + 1])) for i in range(0, 12, 2)
    ]
    assert not result.differences


# --- subtotals that disagree: exit 2, nothing written --------------------------------------


def test_import_refuses_a_form_whose_subtotals_disagree(tmp_path, capsys):
    # The district row says 160 for DA1 investment plan (F9) where its communes hold 100 + 50 = 150;
    # as worked out in test_subtotal_that_disagrees_with_its_parts_is_reported, F9, F12 and D9 disagree.
    path = form_a(tmp_path / "bieu.xlsx", district_row=[160, 50, 20, 5, 500, 170])
    out = tmp_path / "out"
    (tmp_path / "b").mkdir()
    previous = import_form(form_b(tmp_path / "b" / "bieu.xlsx"), out).csv_path  # a good import, of form B
    good = previous.read_bytes()
    assert main(["import", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "subtotals checked: 24, disagreeing with their parts: 3" in captured.out  # the report, still printed
    err = captured.err
    assert "3 subtotal cell(s) of the form disagree with the sum of their parts, so nothing was written" in err
    for line in (
        "sheet 'Chi Lăng', row 9 'I Huyện Chi Lăng', column F 'Dự án 1 / Vốn đầu tư phát triển / Kế hoạch' "
        "(cell F9): expected 150, the sum of F10, F11; found 160",
        "row 12 'Tổng cộng', column F 'Dự án 1 / Vốn đầu tư phát triển / Kế hoạch' (cell F12): expected 160, "
        "the sum of F9; found 150",
        "row 9 'I Huyện Chi Lăng', column D 'Tổng cộng / Kế hoạch' (cell D9): expected 680, the sum of F9, H9, J9; "
        "found 670",
        "--accept-subtotal-differences",
    ):
        assert line in err, err
    assert previous.read_bytes() == good  # untouched
    with pytest.raises(SubtotalError) as exc:
        import_form(path, out)
    assert exc.value.result.differences and exc.value.path == str(path)
    # told to accept them: the communes' figures are written, the differences still listed
    assert main(["import", str(path), "--out", str(out), "--accept-subtotal-differences"]) == 0
    report = capsys.readouterr().out
    assert "DIFFERENCE bieu.xlsx, sheet 'Chi Lăng', cell F9" in report and "written all the same" in report
    with previous.open(encoding="utf-8", newline="") as fh:
        assert [(r["commune_code"], r["plan_mvnd"]) for r in csv.DictReader(fh)][:2] == [
            ("06481", "100"),
            ("06481", "20"),
        ]


def test_the_csv_is_replaced_whole(tmp_path):
    # an import over an older import of a form of the same name (form B, then form A): the new
    # file in place, no temporary file left beside it (the folder's list of what ntp-atlas wrote
    # stays beside it: analysis.common.ownership)
    out = tmp_path / "out"
    import_form(form_b(tmp_path / "bieu.xlsx"), out)
    result = import_form(form_a(tmp_path / "bieu.xlsx"), out)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["bieu.finance.csv"]
    assert len(result.csv_path.read_text(encoding="utf-8").splitlines()) == 1 + len(A_EXPECTED)


def test_a_write_that_fails_half_way_leaves_the_previous_csv_and_no_part_file(tmp_path):
    # a full disk, for real: the import runs with a 200-byte limit on the size of the files it
    # writes (RLIMIT_FSIZE), so the new CSV (7 lines, about 470 bytes) cannot be written whole
    import resource
    import subprocess
    import sys

    out = tmp_path / "out"
    previous = import_form(form_b(tmp_path / "bieu.xlsx"), out).csv_path.read_bytes()
    path = form_a(tmp_path / "bieu.xlsx")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "import", str(path), "--out", str(out)],
                          capture_output=True, text=True, preexec_fn=limit, timeout=300)  # fmt: skip
    assert proc.returncode != 0
    # no half-written temporary file
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["bieu.finance.csv"]
    assert (out / "bieu.finance.csv").read_bytes() == previous


def test_form_typed_in_tcvn3_fonts(tmp_path):
    # the same form B with its headers and labels typed in a .VnTime (TCVN3) font
    from analysis.inputs.encodings import unicode_to_tcvn3

    rows = [[r[0], unicode_to_tcvn3(r[1]) if isinstance(r[1], str) else r[1], *r[2:]] for r in B_ROWS]
    header = {k: unicode_to_tcvn3(v) for k, v in {"C5": "Tổng số", "E5": "Vốn đầu tư phát triển"}.items()}
    path = form_b(tmp_path / "bieu.xlsx", rows=rows, header=header, title=unicode_to_tcvn3("UBND HUYỆN SỐP CỘP"))
    assert header["E5"] == "Vèn ®Çu t\u00ad ph¸t triÓn"  # as the font stores it (ư is the soft hyphen 0xAD)
    result = read_form(path)
    assert _tidy_b(result.table) == B_EXPECTED
    assert "cells typed in TCVN3 or VNI fonts converted to Unicode" in result.report()


# --- end to end ---------------------------------------------------------------------------


def test_imported_csv_passes_validation(tmp_path, units):
    path = workbook(tmp_path / "tong-hop.xlsx", ("Sốp Cộp", sheet_b, {}), ("Chi Lăng", sheet_a, {}))
    result = import_form(path, tmp_path / "out")
    assert result.csv_path == tmp_path / "out" / "tong-hop.finance.csv"
    with result.csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CANONICAL  # the canonical columns, in their order
    first = {k: v for k, v in rows[0].items() if v}  # the first fact of form B, Dự án 1 (row 9)
    assert first == {"year": "2023", "as_of": "2023-11-30", "province_code": "14", "district_code": "127",
                     "project": "DA1", "capital_type": "investment", "fund": "current", "plan_mvnd": "300",
                     "disbursed_mvnd": "100"}  # fmt: skip
    validated = validate_table(result.csv_path, FINANCE, units)
    assert (validated.n_read, validated.n_accepted, validated.n_rejected) == (12, 12, 0)
    assert validated.accepted["plan_mvnd"].sum() == pytest.approx(1180 + 670)  # the two "Tổng cộng"


def test_cli_import(tmp_path, capsys):
    path = form_a(tmp_path / "bieu.xlsx")
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "bieu.xlsx: 6 finance rows from 1 sheet(s) ->" in out and "subtotals checked: 24" in out
    assert (tmp_path / "out" / "bieu.finance.csv").exists()
    assert main(["import", str(tmp_path / "missing.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


# --- bad forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", FORM_CATALOGUE, ids=[b.kind for b in FORM_CATALOGUE])
def test_bad_form_gets_a_clear_message(tmp_path, bad):
    path = tmp_path / "bieu.xlsx"
    bad.build(path)
    if bad.raises:
        with pytest.raises(FormError) as err:
            read_form(path)
        message = str(err.value)
        assert err.value.cell == bad.cell
    else:
        message = read_form(path).report()
    assert "bieu.xlsx" in message
    for fragment in bad.expect:
        assert fragment in message, message


def test_not_a_workbook(tmp_path):
    path = tmp_path / "finance.csv"
    path.write_text("year\n2023\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not '.csv' files"):
        read_form(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a real zip")
    with pytest.raises(InputFileError, match="cannot open as an Excel workbook"):
        read_form(broken)


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Kế hoạch vốn năm 2023 (triệu đồng)", {"measure": "plan", "year": 2023}),
        ("Lũy kế giải ngân đến 30/11/2023", {"measure": "disbursed", "as_of": date(2023, 11, 30)}),
        ("Vốn ĐTPT", {"capital_type": "investment"}),
        ("Vốn sự nghiệp", {"capital_type": "recurrent"}),
        ("Vốn năm 2022 chuyển sang", {"fund": "carried_over"}),
        ("Dự án 4: Đầu tư cơ sở hạ tầng thiết yếu", {"project": "DA4"}),  # not "đầu tư" capital
        ("Tiểu dự án 1 thuộc Dự án 3", {"project": "DA3.1"}),
        ("Tiểu dự án 2", {"subproject": 2}),
        ("Tổng cộng", {"total": "grand"}),
        ("Tỷ lệ giải ngân (%)", {"rate": True, "measure": "disbursed"}),
        ("Mã xã", {"key": "commune"}),
        ("STT", {"key": "stt"}),
        ("Trong đó", {"filler": "trong do"}),
        ("Ngân sách xã", {}),
        ("Đường giao thông thôn Bản Lề", {}),
    ],
)
def test_classify_label(label, expected):
    assert classify_label(label) == expected


def test_totals_and_levels():
    assert total_kind("Tổng cộng") == "grand" and total_kind("Cộng") == "group" and total_kind("Cộng I") == "group"
    # "Công trình" and "Cộng đồng" fold like "Cộng" but are not totals
    assert total_kind("Công trình nước sạch") is None and total_kind("Cộng đồng dân cư") is None
    assert project_code("DA 3.1") == "DA3.1" and project_code("Dự án 11") is None
    assert [row_level(s, "x") for s in ("A", "I", "IV", "1", "1.1", "a", "-")] == [0, 1, 1, 2, 3, 3, 5]
    assert row_level("", "Tiểu dự án 2") == 3 and row_level("", "Huyện Chi Lăng") == 1


def test_docs_example_is_what_the_importer_writes(tmp_path):
    """The example of docs/data-format.md ("Report forms") is form B, and its CSV and the
    difference line shown there are what the importer gives."""
    import re

    from analysis.config import DOCS_DIR

    doc = (DOCS_DIR / "data-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Report forms: `ntp-atlas import`") :]
    shown_csv = re.search(r"```csv\n(.*?)```", section, flags=re.S).group(1)
    result = import_form(form_b(tmp_path / "bieu-01.xlsx"), tmp_path)
    assert result.csv_path.read_text(encoding="utf-8") == shown_csv
    shown_diff = " ".join(re.search(r"`(DIFFERENCE [^`]*)`", section, flags=re.S).group(1).split())
    diff_form = form_a(tmp_path / "bieu-01.xlsx", district_row=[160, 50, 20, 5, 500, 170])
    assert shown_diff in read_form(diff_form).report()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.integers(0, 10_000), min_size=6, max_size=6),
    st.lists(st.integers(0, 10_000), min_size=6, max_size=6),
    st.integers(0, 5),
    st.integers(1, 500),
)
def test_random_figures_reconcile_and_a_wrong_subtotal_is_found(tmp_path, chien_thang, huu_kien, col, error):
    # form A with random commune figures and subtotals worked out the same way as by hand:
    # the district row and "Tổng cộng" are the column sums, D/E the sums of F+H+J and G+I+K
    district = [a + b for a, b in zip(chien_thang, huu_kien, strict=True)]

    def totals(v):
        return [v[0] + v[2] + v[4], v[1] + v[3] + v[5]]

    wrong = list(district)
    wrong[col] += error  # one subtotal cell of the district row is off by `error`
    rows = [
        ["I", "Huyện Chi Lăng", None, *totals(district), *wrong],
        [1, "Xã Chiến Thắng", "06481", *totals(chien_thang), *chien_thang],
        [2, "Xã Hữu Kiên", "06514", *totals(huu_kien), *huu_kien],
    ]
    result = read_form(form_a(tmp_path / "random.xlsx", rows=rows))
    # only the communes are written, so the table adds up to the communes' figures
    assert result.table["plan_mvnd"].sum() == sum(chien_thang[0::2]) + sum(huu_kien[0::2])
    assert result.table["disbursed_mvnd"].sum() == sum(chien_thang[1::2]) + sum(huu_kien[1::2])
    letter = "FGHIJK"[col]
    # the wrong cell disagrees with its communes, and the district's total column with it
    diffs = {d.cell: d.difference for d in result.differences}
    assert diffs == {f"{letter}9": error, f"{'DE'[col % 2]}9": -error}
