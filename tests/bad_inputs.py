"""The catalogue of bad inputs: each one a small file, and what the user must be told.

Used by ``test_validate.py`` (each entry is a test) and by the docs table of messages.
Row numbers are the file's own (header on row 1 unless said otherwise), worked out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

FIN_HEADER = "year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,disbursed_mvnd"
GOOD_FIN = "2023,30/11/2023,14,127,04231,DA4,investment,current,100,50"
POV_HEADER = "year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"
GOOD_POV = "2023,04231,1000,200,100,900,190"


@dataclass(frozen=True)
class BadInput:
    """One kind of bad input.

    ``row``/``column`` are where the message must point; ``row`` None for whole-file errors
    (which raise instead of rejecting a row). ``expect`` are fragments of the message.
    """

    kind: str
    table: str
    text: str
    expect: tuple[str, ...]
    row: int | None = None
    column: str | None = None
    suffix: str = ".csv"
    #: Write ``text`` in this encoding instead of UTF-8 (legacy and foreign code pages).
    encoding: str | None = None
    #: Validate with ``--decimal`` set to this.
    decimal: str | None = None


CATALOGUE = [
    BadInput(
        "missing column",
        "finance",
        FIN_HEADER.replace(",plan_mvnd", "") + "\n" + "2023,30/11/2023,14,127,04231,DA4,investment,current,50",
        ("missing column 'plan_mvnd'", "Kế hoạch vốn".lower()),
    ),
    BadInput(
        "wrong headers (no header row found)", "finance", "a,b,c\n1,2,3", ("no header row", "docs/data-format.md")
    ),
    BadInput(
        "code lost its leading zero",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("04231", "4231"),
        ("4 digits", "leading zero", "04231", "--pad-codes"),
        row=2,
        column="commune_code",
    ),
    BadInput(
        "unknown commune code",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("04231", "99999"),
        ("unknown commune code '99999'", "--units"),
        row=2,
        column="commune_code",
    ),
    BadInput(
        "commune outside its district",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("04231", "06481"),
        ("is in district 187, not 127",),
        row=2,
        column="commune_code",
    ),
    BadInput(
        "unknown district code",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",127,", ",999,"),
        ("unknown district code '999'",),
        row=2,
        column="district_code",
    ),
    BadInput(
        "province does not match district",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("2023,14,", "2023,20,"),
        ("district 127 is in province 14, not 20",),
        row=2,
        column="province_code",
    ),
    BadInput(
        "negative amount",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",-100,50"),
        ("plan is negative", "cannot be negative"),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "non-numeric amount",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",một trăm,50"),
        ("plan_mvnd is not a number",),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "empty amount",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",100,"),
        ("disbursed_mvnd is empty", "0 if none"),
        row=2,
        column="disbursed_mvnd",
    ),
    BadInput(
        "ambiguous number",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ',"2.791",50'),
        ("could be 2791 (Vietnamese format) or 2.791 (English format)", "--decimal"),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "mixed number formats",
        "finance",
        FIN_HEADER
        + "\n"
        + GOOD_FIN.replace(",100,50", ',"8.356,336","2.791,5"')
        + "\n"
        + GOOD_FIN.replace("DA4", "DA5").replace(",100,50", ",1.5,1"),
        ("written in English number format while the file uses Vietnamese",),
        row=3,
        column="plan_mvnd",
    ),
    BadInput(
        "as many cells in each number format",
        "finance",
        # one cell only Vietnamese (8.356,336), one only English (1.5): 2.791 could be either
        FIN_HEADER
        + "\n"
        + GOOD_FIN.replace(",100,50", ',"8.356,336",1.5')
        + "\n"
        + GOOD_FIN.replace("DA4", "DA5").replace(",100,50", ",2.791,0"),
        ("'2.791' could be 2791 (Vietnamese format) or 2.791 (English format)", "both formats as often"),
        row=3,
        column="plan_mvnd",
    ),
    BadInput(
        "--decimal . on a Vietnamese-format file",
        "finance",
        # 8.356,336 can only be Vietnamese; read the English way, 81.923 would be 81.923 million
        FIN_HEADER
        + "\n"
        + GOOD_FIN.replace(",100,50", ',"8.356,336","2.791"')
        + "\n"
        + GOOD_FIN.replace(",current,", ",carried_over,").replace(",100,50", ",81.923,35.215"),
        ("--decimal '.' says numbers are written the English", "writes them the Vietnamese (1.234,5) way",
         "row 2, column 'plan_mvnd'", "'8.356,336'", "--decimal ','"),
        decimal=".",
    ),
    BadInput(
        "amount above the plausible bound of one row",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",1000000000000000000,50"),
        ("1,000,000,000,000,000,000 is above the largest plausible figure for one row", "500,000 million VND",
         "million VND (triệu đồng), not đồng", "--bound amount_mvnd="),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "amount too large to be a number (400 digits)",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",100," + "9" * 400),
        ("too large to be a figure", "400 characters", "--bound amount_mvnd="),
        row=2,
        column="disbursed_mvnd",
    ),
    BadInput(
        "household count above the plausible bound of a commune",
        "poverty",
        POV_HEADER + "\n" + GOOD_POV.replace(",1000,", ",300000,"),
        ("households 300,000 is above the largest plausible figure", "200,000 households", "--bound households="),
        row=2,
        column="households",
    ),
    BadInput(
        "villages count above the plausible bound of a commune",
        "communes",
        "year,commune_code,region,dbkk_villages\n2021,04231,III,100000",
        ("dbkk_villages 100,000 is above", "200 villages", "--bound villages="),
        row=2,
        column="dbkk_villages",
    ),
    BadInput(
        "indicator value above the bound of what it counts",
        "indicators",
        "year,as_of,unit_code,indicator,value\n2023,31/12/2023,04231,p135_works,25000",
        ("value 25,000 is above", "10,000 units (bound count)", "--bound count="),
        row=2,
        column="value",
    ),
    BadInput(
        "digits other than 0-9 (Arabic-Indic)",
        "poverty",
        POV_HEADER + "\n" + GOOD_POV.replace(",1000,", ",١٢٣٤,"),
        ("households is not a number", "has digits other than 0-9"),
        row=2,
        column="households",
    ),
    BadInput(
        "number in scientific notation",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",1E+05,50"),
        ("plan_mvnd is not a number", "'1E+05' is in scientific notation"),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "hexadecimal number",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",0x64,50"),
        ("'0x64' is written in hexadecimal",),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "digits grouped with underscores",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",1_000,50"),
        ("'1_000' groups its digits with '_'",),
        row=2,
        column="plan_mvnd",
    ),
    BadInput(
        "infinity or NaN written as a figure",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",100,inf"),
        ("'inf' is not a finite number",),
        row=2,
        column="disbursed_mvnd",
    ),
    BadInput(
        "duplicate fact with different figures",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN + "\n" + GOOD_FIN.replace(",100,50", ",100,60"),
        ("the same fact as row(s) 3 with different figures",),
        row=2,
    ),
    BadInput(
        "exact duplicate row", "finance", FIN_HEADER + "\n" + GOOD_FIN + "\n" + GOOD_FIN, ("duplicate of row 2",), row=3
    ),
    BadInput(
        "year outside the programme",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("2023,30/11/2023", "2019,30/11/2019"),
        ("year outside the programme years 2021-2030",),
        row=2,
        column="year",
    ),
    BadInput(
        "as-of date in another year",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("30/11/2023", "30/11/2021"),
        ("as_of date is not in the plan year",),
        row=2,
        column="as_of",
    ),
    BadInput(
        "impossible date",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("30/11/2023", "31/11/2023"),
        ("not a real date",),
        row=2,
        column="as_of",
    ),
    BadInput(
        "unknown capital type",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("investment", "loan"),
        ("'loan' is not a known capital_type", "vốn sự nghiệp"),
        row=2,
        column="capital_type",
    ),
    BadInput(
        "unknown fund",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",current,", ",next_year,"),
        ("'next_year' is not a known fund",),
        row=2,
        column="fund",
    ),
    BadInput(
        "bad project code",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace("DA4", "DA12"),
        ("'DA12' is not a project code", "DA1…DA10"),
        row=2,
        column="project",
    ),
    BadInput(
        "poor households exceed households",
        "poverty",
        POV_HEADER + "\n" + GOOD_POV.replace(",1000,200,", ",150,200,"),
        ("exceed all households",),
        row=2,
        column="poor_households",
    ),
    BadInput(
        "fractional household count",
        "poverty",
        POV_HEADER + "\n" + GOOD_POV.replace(",200,", ",200.5,"),
        ("whole number",),
        row=2,
        column="poor_households",
    ),
    BadInput(
        "unterminated quote in a CSV",
        "finance",
        "\n".join([FIN_HEADER, GOOD_FIN, GOOD_FIN.replace(",DA4", ',"DA5', 1), GOOD_FIN.replace("DA4", "DA6")]),
        ("row 3: unterminated CSV quoted field", "(line 3 of the file)", "close the quote"),
    ),
    BadInput(
        "extra field (a decimal comma in a comma file)",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.replace(",100,50", ",3250,5,1200"),
        ("row has 11 fields where the header has 10", "decimal comma in a comma-separated file", '"3250,5"'),
        row=2,
    ),
    BadInput(
        "too few fields",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN.rsplit(",", 1)[0],
        ("row has 9 fields where the header has 10", "the line was cut"),
        row=2,
    ),
    BadInput(
        "a file named .xls that is not a workbook",
        "finance",
        "not really excel",
        ("cannot open as an Excel 97-2003 workbook (.xls)", "open and save it again"),
        suffix=".xls",
    ),
    BadInput("not UTF-8 text", "finance", "", ("not UTF-8", "CSV UTF-8"), suffix=".latin1.csv"),
    BadInput(
        "CSV in an unknown 8-bit encoding (Cyrillic Windows-1251)",
        "finance",
        FIN_HEADER + ",ghi_chu\n" + GOOD_FIN + ",Район Москва город улица\n",
        ("not UTF-8", "unknown encoding", "not Vietnamese in Windows-1258, TCVN3 or VNI", "CSV UTF-8"),
        encoding="cp1251",
    ),
    BadInput(
        "CSV in Windows-1252 (Western European), not Vietnamese",
        "finance",
        FIN_HEADER + ",note\n" + GOOD_FIN + ",Café crème brûlée façade déjà vu naïve\n",
        ("not UTF-8", "unknown encoding", "Latin-1/Windows-1252", "CSV UTF-8"),
        encoding="cp1252",
    ),
    BadInput(
        "CSV in UTF-16 without a byte-order mark",
        "finance",
        FIN_HEADER + "\n" + GOOD_FIN + "\n",
        ("NUL bytes", "UTF-16", "CSV UTF-8"),
        encoding="utf-16-le",
    ),
    BadInput(
        "Excel workbook saved with a .csv name",
        "finance",
        "PK\x03\x04\x14\x00\x06\x00 [Content_Types].xml",
        ("not CSV text but an Excel workbook", "rename it to .xlsx"),
    ),
]


# --- report forms (``ntp-atlas import``, tests/test_forms.py) ------------------------------


@dataclass(frozen=True)
class BadForm:
    """One kind of bad report-form workbook.

    ``build(path)`` writes it (from ``tests/form_fixtures.py``). With ``raises`` the import
    fails with a :class:`analysis.errors.FormError` naming ``cell``; otherwise it succeeds and
    its report must hold ``expect`` (a subtotal difference, say).
    """

    kind: str
    build: object  # Callable[[Path], None]
    expect: tuple[str, ...]
    cell: str | None = None
    raises: bool = True


def _form(sheet: str = "Sốp Cộp", **kwargs):
    def build(path):
        from tests.form_fixtures import sheet_a, sheet_b, workbook

        # read, never pop: the builder runs once for the docs table and again for the test
        options = {k: v for k, v in kwargs.items() if k != "shape"}
        workbook(path, (sheet, sheet_a if kwargs.get("shape", "b") == "a" else sheet_b, options))

    return build


def _dropped_plan_header(path):
    import openpyxl

    _form(header={"G5": "Vốn sự nghiệp"})(path)
    wb = openpyxl.load_workbook(path)
    wb.active["G6"] = None
    wb.save(path)


FORM_CATALOGUE = [
    BadForm(
        "subtotal disagrees with its parts",
        _form("Chi Lăng", shape="a", district_row=[160, 50, 20, 5, 500, 170]),
        ("DIFFERENCE", "sheet 'Chi Lăng', cell F9", "the form says 160", "the sum of its parts (F10, F11) is 150"),
        raises=False,
    ),
    BadForm(
        "merged header the importer cannot place",
        _form(header={"G5": "Ngân sách xã"}),
        ("sheet 'Sốp Cộp', cell G5", "'Ngân sách xã'", "cannot place its figures", "rename the header"),
        cell="G5",
    ),
    BadForm(
        "figure column that says neither plan nor disbursed",
        _dropped_plan_header,
        ("column G ('Vốn sự nghiệp') has figures", "Kế hoạch", "Giải ngân"),
        cell="G5",
    ),
    BadForm(
        "figure without a capital type",
        _form(header={"E5": "Vốn năm 2023", "G5": "Vốn năm 2022 chuyển sang"}, rows=[[1, "Dự án 1", 300, 100, 300]]),
        ("has no capital type", "vốn đầu tư phát triển or vốn sự nghiệp"),
        cell="E7",
    ),
    BadForm(
        "the same fact in two columns",
        _form(header={"G5": "Vốn đầu tư phát triển"}, rows=[[1, "Dự án 1", 300, 100, 200, 60, 100, 40]]),
        ("the one in 'Sốp Cộp'!E7 are the same fact", "counted twice"),
        cell="G7",
    ),
    BadForm(
        "formula whose value was never saved",
        _form(rows=[[1, "Dự án 1", "=E7+G7", 100, 300, 100]]),
        ("holds a formula (=E7+G7)", "save it again"),
        cell="C7",
    ),
    BadForm(
        "text where a figure should be",
        _form(rows=[[1, "Dự án 1", 300, 100, "ba trăm", 100]]),
        ("'ba trăm' is not a figure",),
        cell="E7",
    ),
    BadForm(
        "sub-project without its project",
        _form(rows=[["-", "Tiểu dự án 2", 50, 20, None, None, 50, 20]]),
        ("'Tiểu dự án 2' is a sub-project", "Tiểu dự án 1 thuộc Dự án 3"),
        cell="B7",
    ),
    BadForm(
        "commune name not in the district",
        _form("Chi Lăng", shape="a", codes=False, rows=[[1, "Xã Không Có", None, 420, 195, 100, 40, 20, 5, 300, 150]]),
        ("'Xã Không Có' is not a commune of district 187", "Mã xã"),
        cell="B9",
    ),
    BadForm(
        "commune code contradicted by the commune's name",
        # Chiến Thắng's row with Hữu Kiên's code: read by code, the figures would change commune
        _form("Chi Lăng", shape="a", rows=[[1, "Xã Chiến Thắng", "06514", 420, 195, 100, 40, 20, 5, 300, 150]]),
        (
            "the code 06514 in C9 is Xã Hữu Kiên",
            "that of commune 06481 (Xã Chiến Thắng, Huyện Chi Lăng)",
            "correct the code or the name",
        ),
        cell="B9",
    ),
    BadForm(
        "district code contradicted by the district's name",
        _form(
            "Chi Lăng",
            shape="a",
            codes="Mã huyện",
            rows=[["I", "Huyện Hữu Lũng", "187", 420, 195, 100, 40, 20, 5, 300, 150]],
        ),
        ("the code 187 in C9 is Huyện Chi Lăng", "that of district 186 (Huyện Hữu Lũng)"),
        cell="B9",
    ),
    BadForm(
        "no district anywhere",
        _form("Biểu 1", title="BIỂU SỐ 01"),
        ("does not say which district", "--district"),
        cell="E9",
    ),
    BadForm(
        "no as-of date anywhere",
        _form("Chi Lăng", shape="a", date_line=None),
        ("does not say the date its figures run to", "--as-of"),
        cell="F10",
    ),
]
