"""Small report-form workbooks for the importer's tests, built with openpyxl.

Two shapes, as offices fill them (figures in million VND, every one chosen by hand):

- **Form A, units down the rows** (one district, its communes; projects and capital types
  across): title block, a three-row merged header "Dự án 1 / Vốn đầu tư phát triển / Kế
  hoạch", a row of column numbers, a district row "I Huyện Chi Lăng" that is the subtotal of
  its communes, a "Tổng cộng" row, and the signature block.
- **Form B, projects down the rows** (one district per sheet; capital types across):
  "Tổng cộng" first, Roman-numeral fund groups, "Dự án 3" with its "Tiểu dự án" rows, and a
  "Tổng số" column group that adds up the capital types.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

# Form A, columns F..K of each commune: DA1 investment plan, disbursed; DA1 recurrent plan,
# disbursed; DA4 investment plan, disbursed.
A_CHIEN_THANG = [100, 40, 20, 5, 300, 150]
A_HUU_KIEN = [50, 10, 0, 0, 200, 20]
# the district row and "Tổng cộng": the sums, worked out by hand
A_DISTRICT = [150, 50, 20, 5, 500, 170]
# columns D, E ("Tổng cộng / Kế hoạch", "/ Giải ngân"): F+H+J and G+I+K of the same row
A_TOTAL_CT = [420, 195]  # 100 + 20 + 300, 40 + 5 + 150
A_TOTAL_HK = [250, 30]  # 50 + 0 + 200, 10 + 0 + 20
A_TOTAL_DISTRICT = [670, 225]  # 150 + 20 + 500, 50 + 5 + 170

#: The tidy rows of form A, worked out by hand: one per commune, project and capital type.
A_EXPECTED = [
    # commune, project, capital type, plan, disbursed (fund current: the form has no fund split)
    ("06481", "DA1", "investment", 100.0, 40.0),
    ("06481", "DA1", "recurrent", 20.0, 5.0),
    ("06481", "DA4", "investment", 300.0, 150.0),
    ("06514", "DA1", "investment", 50.0, 10.0),
    ("06514", "DA1", "recurrent", 0.0, 0.0),
    ("06514", "DA4", "investment", 200.0, 20.0),
]


def sheet_a(
    ws,
    *,
    title: str = "UBND HUYỆN CHI LĂNG",
    date_line: str | None = "(Số liệu tính đến ngày 30/11/2023)",
    district_row: list | None = None,
    codes: bool | str = True,
    rows: list[list] | None = None,
) -> None:
    """Form A on ``ws``: header rows 5-7, column numbers on row 8, table from row 9.

    ``codes`` False heads column C "Ghi chú" (no codes); a string is its header ("Mã huyện").
    """
    ws["A1"] = title
    ws["A2"] = "BÁO CÁO TÌNH HÌNH GIẢI NGÂN VỐN CHƯƠNG TRÌNH MTQG 1719 NĂM 2023"
    ws.merge_cells("A2:K2")
    if date_line:
        ws["A3"] = date_line
    ws["J4"] = "Đơn vị: triệu đồng"
    merged = [
        ("A5", "STT", "A5:A7"),
        ("B5", "Đơn vị", "B5:B7"),
        ("C5", codes if isinstance(codes, str) else "Mã xã" if codes else "Ghi chú", "C5:C7"),
        ("D5", "Tổng cộng", "D5:E6"),
        ("F5", "Dự án 1", "F5:I5"),
        ("J5", "Dự án 4", "J5:K5"),
        ("F6", "Vốn đầu tư phát triển", "F6:G6"),
        ("H6", "Vốn sự nghiệp", "H6:I6"),
        ("J6", "Vốn đầu tư phát triển", "J6:K6"),
    ]
    for cell, text, rng in merged:
        ws[cell] = text
        ws.merge_cells(rng)
    for col in "DFHJ":
        ws[f"{col}7"] = "Kế hoạch"
    for col in "EGIK":
        ws[f"{col}7"] = "Giải ngân"
    for i, col in enumerate("ABCDEFGHIJK", start=1):
        ws[f"{col}8"] = i
    if rows is None:
        district = district_row or A_DISTRICT
        rows = [
            ["I", "Huyện Chi Lăng", None, *A_TOTAL_DISTRICT, *district],
            [1, "Xã Chiến Thắng", "06481" if codes else None, *A_TOTAL_CT, *A_CHIEN_THANG],
            [2, "Xã Hữu Kiên", "06514" if codes else None, *A_TOTAL_HK, *A_HUU_KIEN],
            [None, "Tổng cộng", None, *A_TOTAL_DISTRICT, *A_DISTRICT],
        ]
    put_rows(ws, 9, rows)
    ws.cell(9 + len(rows) + 1, 2, "Người lập biểu")
    ws.cell(9 + len(rows) + 1, 8, "KT. CHỦ TỊCH")


def put_rows(ws, first: int, rows: list[list]) -> None:
    for r, row in enumerate(rows, start=first):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)


#: Form B rows (from row 7): TT, Nội dung, Tổng số KH, GN, ĐTPT KH, GN, SN KH, GN.
B_ROWS = [
    [None, "Tổng cộng", 1180, 505, 900, 400, 280, 105],
    ["I", "Vốn giao trong năm 2023", 1000, 430, 800, 360, 200, 70],
    [1, "Dự án 1: Giải quyết tình trạng thiếu đất ở, nhà ở", 300, 100, 300, 100, None, None],
    [2, "Dự án 3: Phát triển sản xuất nông, lâm nghiệp", 200, 70, None, None, 200, 70],
    ["-", "Tiểu dự án 1", 150, 50, None, None, 150, 50],
    ["-", "Tiểu dự án 2", 50, 20, None, None, 50, 20],
    [3, "Dự án 4: Đầu tư cơ sở hạ tầng thiết yếu", 500, 260, 500, 260, None, None],
    ["II", "Vốn năm 2022 chuyển sang", 180, 75, 100, 40, 80, 35],
    [1, "Dự án 4", 100, 40, 100, 40, None, None],
    [2, "Dự án 10", 80, 35, None, None, 80, 35],
]

#: The tidy rows of form B, worked out by hand: the leaf rows (Dự án 1, Tiểu dự án 1 and 2
#: of Dự án 3, Dự án 4; then the carried-over Dự án 4 and 10) times the capital-type columns
#: with a figure; district 127 (Sốp Cộp, province 14), no commune.
B_EXPECTED = [
    # project, capital type, fund, plan, disbursed
    ("DA1", "investment", "current", 300.0, 100.0),
    ("DA3.1", "recurrent", "current", 150.0, 50.0),
    ("DA3.2", "recurrent", "current", 50.0, 20.0),
    ("DA4", "investment", "current", 500.0, 260.0),
    ("DA4", "investment", "carried_over", 100.0, 40.0),
    ("DA10", "recurrent", "carried_over", 80.0, 35.0),
]


def sheet_b(ws, *, title: str = "UBND HUYỆN SỐP CỘP", rows: list[list] | None = None, header: dict | None = None):
    """Form B on ``ws``: header rows 5-6, table from row 7."""
    ws["A1"] = title
    ws["A2"] = "BIỂU TỔNG HỢP GIẢI NGÂN VỐN CHƯƠNG TRÌNH MTQG 1719 NĂM 2023"
    ws["A3"] = "(Lũy kế đến 30/11/2023)"
    top = {"C5": "Tổng số", "E5": "Vốn đầu tư phát triển", "G5": "Vốn sự nghiệp", **(header or {})}
    for cell, text, rng in [
        ("A5", "TT", "A5:A6"),
        ("B5", "Nội dung", "B5:B6"),
        ("C5", top["C5"], "C5:D5"),
        ("E5", top["E5"], "E5:F5"),
        ("G5", top["G5"], "G5:H5"),
    ]:
        ws[cell] = text
        ws.merge_cells(rng)
    for col in "CEG":
        ws[f"{col}6"] = "Kế hoạch"
    for col in "DFH":
        ws[f"{col}6"] = "Giải ngân"
    put_rows(ws, 7, B_ROWS if rows is None else rows)


def workbook(path: Path, *sheets) -> Path:
    """A workbook with one sheet per ``(name, builder, kwargs)``."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, build, kwargs in sheets:
        build(wb.create_sheet(name), **kwargs)
    wb.save(path)
    return path


def form_a(path: Path, **kwargs) -> Path:
    return workbook(path, ("Chi Lăng", sheet_a, kwargs))


def form_b(path: Path, **kwargs) -> Path:
    return workbook(path, ("Sốp Cộp", sheet_b, kwargs))


#: Form C rows (from row 8): TT, Nội dung; Kế hoạch: Tổng số, ĐTPT, SN; Giải ngân: Tổng số,
#: ĐTPT, SN; Tỷ lệ (%); Ghi chú. Every subtotal worked out by hand: "Tổng cộng" = I + II,
#: each "Tổng số" = ĐTPT + SN of its group; the rates are 6/3 rounded to one decimal.
C_ROWS = [
    [None, "Tổng cộng", 580, 400, 180, 250, 180, 70, 43.1, None],
    ["I", "Vốn năm 2023", 400, 300, 100, 180, 140, 40, 45.0, None],
    [1, "Dự án 1", 300, 300, None, 140, 140, None, 46.7, "Đang thi công"],
    [2, "Dự án 3", 100, None, 100, 40, None, 40, 40.0, None],
    ["II", "Vốn năm 2022 chuyển sang", 180, 100, 80, 70, 40, 30, 38.9, None],
    [1, "Dự án 4", 100, 100, None, 40, 40, None, 40.0, "Chuyển nguồn"],
    [2, "Dự án 10", 80, None, 80, 30, None, 30, 37.5, None],
]

#: The tidy rows of form C, worked out by hand (district 127, Sốp Cộp): the leaf rows times
#: the capital-type columns with a figure; section II is the fund carried over from 2022.
C_EXPECTED = [
    ("DA1", "investment", "current", 300.0, 140.0),
    ("DA3", "recurrent", "current", 100.0, 40.0),
    ("DA4", "investment", "carried_over", 100.0, 40.0),
    ("DA10", "recurrent", "carried_over", 80.0, 30.0),
]


def sheet_c(ws):
    """Form C on ``ws``: plan / disbursed over capital type (the other nesting), "Tổng số" at
    the lower level, a numbering row with formulas ("3=4+5"), rate and notes columns, Roman
    sections, and a signature block with the date line and names, as offices type them."""
    ws["A1"] = "UBND HUYỆN SỐP CỘP"
    ws["A2"] = "BÁO CÁO GIẢI NGÂN VỐN CHƯƠNG TRÌNH MTQG 1719 NĂM 2023"
    ws["A3"] = "(Số liệu tính đến ngày 30/11/2023)"
    for cell, text, rng in [
        ("A5", "TT", "A5:A6"),
        ("B5", "Nội dung", "B5:B6"),
        ("C5", "Kế hoạch vốn", "C5:E5"),
        ("F5", "Giải ngân", "F5:H5"),
        ("I5", "Tỷ lệ giải ngân (%)", "I5:I6"),
        ("J5", "Ghi chú", "J5:J6"),
    ]:
        ws[cell] = text
        ws.merge_cells(rng)
    for cols in ("CDE", "FGH"):
        for col, text in zip(cols, ["Tổng số", "Vốn ĐTPT", "Vốn sự nghiệp"], strict=True):
            ws[f"{col}6"] = text
    for col, text in zip("ABCDEFGHIJ", ["1", "2", "3=4+5", "4", "5", "6=7+8", "7", "8", "9=6/3", "10"], strict=True):
        ws[f"{col}7"] = text
    put_rows(ws, 8, C_ROWS)
    foot = 8 + len(C_ROWS) + 1
    ws.cell(foot, 8, "Sốp Cộp, ngày 05 tháng 12 năm 2023")
    ws.cell(foot + 1, 2, "NGƯỜI LẬP BIỂU")
    ws.cell(foot + 1, 8, "THỦ TRƯỞNG ĐƠN VỊ")
    ws.cell(foot + 2, 8, "(Ký, ghi rõ họ tên, đóng dấu)")
    ws.cell(foot + 5, 2, "Nguyễn Văn An")
    ws.cell(foot + 5, 8, "Lò Văn Bình")


def form_c(path: Path) -> Path:
    """Form C with a second sheet of notes, as offices send it."""
    notes = lambda ws: [ws.cell(1, 1, "Ghi chú"), ws.cell(2, 1, "Số liệu do Phòng Tài chính - Kế hoạch cung cấp.")]  # noqa: E731
    return workbook(path, ("Biểu 01", sheet_c, {}), ("Ghi chú", notes, {}))
