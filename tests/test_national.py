"""The national run (benchmarks/national.py) and the fast paths prepare needs for it.

A national-style data set of the first two provinces of the 2019 reference map prepares with
every row accepted and every commune matched by code. The column-wide parsing and the pandas
CSV reader must give exactly what reading every cell on its own gives (the reference path,
``cell_parsing.VECTORISED = False`` and ``readers.PANDAS_CSV = False``): on hand-made tables whose
expected rows are worked out below by hand, and on generated ones (hypothesis, derandomized).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.errors import InputFileError
from analysis.inputs import cell_parsing, number_cells, readers
from analysis.inputs.schema import FINANCE, POVERTY
from analysis.inputs.validate import validate_table
from analysis.store.prepare import prepare
from benchmarks.national import make_national
from tests.bad_inputs import FIN_HEADER, POV_HEADER

#: Hypothesis runs the same examples every time, writes no database and never times a test.
DETERMINISTIC = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}


# --- the national data set ----------------------------------------------------------------


@pytest.mark.reference
def test_two_provinces_prepare_with_every_row_accepted(reference_dir, tmp_path):
    parquet = reference_dir / "boundaries" / "vn_communes_2019.parquet"
    first_two = sorted(pd.read_parquet(parquet, columns=["province_code"])["province_code"].unique())[:2]
    made = make_national(tmp_path / "in", parquet, provinces=first_two)
    result = prepare(**made["prepare_kwargs"], out=tmp_path / "out")

    assert made["dropped_without_code"] == 0  # Hà Nội and Hà Giang: every polygon has a code
    for name, table in result.tables.items():
        assert (table.n_read, table.n_accepted, table.n_rejected) == (made["rows"][name], made["rows"][name], 0)
        assert table.reconciles()
    assert (result.match_report["status"] == "matched_code").all()
    assert len(result.match_report) == made["n_communes"]
    assert result.manifest["provinces"] == first_two
    # the sample's density: about 70 finance rows per commune, 3 poverty years, 2 classifications
    assert 60 <= made["rows"]["finance"] / made["n_communes"] <= 80
    assert made["rows"]["poverty"] == 3 * made["n_communes"]
    assert made["rows"]["communes"] == 2 * made["n_communes"]


@pytest.mark.reference
def test_generator_is_deterministic_and_drops_polygons_without_code(reference_dir, tmp_path):
    parquet = reference_dir / "boundaries" / "vn_communes_2019.parquet"
    # Lào Cai (10): 3 polygons of the reference match no GSO code (Bản Khoang, Tả Giàng Phình, San Sả Hồ)
    first = make_national(tmp_path / "a", parquet, provinces=["10"])
    again = make_national(tmp_path / "b", parquet, provinces=["10"])
    assert first["dropped_without_code"] == 3
    for name in ("finance", "poverty", "communes", "units"):
        assert first[name].read_bytes() == again[name].read_bytes()
    units = pd.read_csv(first["units"], dtype=str)
    assert list(units.columns) == [
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        "commune_code",
        "commune_name",
    ]
    assert units["commune_code"].str.fullmatch(r"\d{5}").all() and len(units) == first["n_communes"]


# --- the fast paths read exactly as the reference ------------------------------------------


def _both_ways(monkeypatch, path, spec, units, **options):
    """Validate with the fast paths and with the reference path; they must agree exactly (the
    same rows, or the same refusal: numbers that contradict ``--decimal``)."""

    def run():
        try:
            return validate_table(path, spec, units, **options)
        except InputFileError as exc:
            return str(exc)

    fast = run()
    with monkeypatch.context() as m:
        m.setattr(cell_parsing, "VECTORISED", False)
        m.setattr(number_cells, "VECTORISED", False)
        m.setattr(readers, "PANDAS_CSV", False)
        reference = run()
    if isinstance(fast, str) or isinstance(reference, str):
        assert fast == reference
        return fast
    assert_frame_equal(fast.raw.frame, reference.raw.frame)
    assert_frame_equal(fast.accepted, reference.accepted)
    assert_frame_equal(fast.rejects, reference.rejects)
    assert (fast.n_read, fast.convention, fast.raw.header_row) == (
        reference.n_read,
        reference.convention,
        reference.raw.header_row,
    )
    assert fast.reconciles()
    return fast


# Record numbers on the left (a quoted line break stays inside its record). Vietnamese cells
# (8.356,336 twice, 1.234.567, 42,99) outnumber English ones (1.5, 12345.678): the file is
# Vietnamese, so 2.791 is 2791 and 1,234 is 1.234.
TRICKY_FINANCE = [
    "UBND HUYỆN SỐP CỘP,,",  # 1  title block
    '"BÁO CÁO GIẢI NGÂN, NĂM 2023"',  # 2
    "",  # 3  blank, counted
    FIN_HEADER + ",ghi chú",  # 4  header, an unused column
    '2023,30/11/2023,14,127,04231,DA4,investment,current,"8.356,336","2.791",',  # 5  conflicts with 18
    '2023,30/11/2023,14,127,04231,DA1,investment,current,2.791,"1.234.567",note',  # 6  above the bound
    "   ",  # 7  blank
    '2023,2023-11-30,14,127,04231,Dự án 3.1,Vốn sự nghiệp,chuyển nguồn,"90 279,336",0,',  # 8  ok
    '2023,30/11/2023,,127,04228,DA2,đầu tư,current,1.5,1,"two\nlines"',  # 9  English 1.5; empty province
    "2023,30/11/2023,14,127,4231,DA5,investment,current,100,50,",  # 10 code lost its zero
    ",,,,,,,,,,",  # 11 blank
    "2023,30/11/2023,14,127,04231,DA6,investment,current,abc,-5,",  # 12 not a number
    "2023,31/11/2023,14,127,04231,DA7,recurrent,current,١٢,12,",  # 13 not a real date (١٢ is 12)
    '2023,30/11/2023,14,127,04231,DA8,recurrent,current, 42 ,"42,99",',  # 14 ok
    '2023,30/11/2023,14,127,04231,DA9,recurrent,current,"1,234",-0,',  # 15 ok
    '2023,30/11/2023,14,127,04231,DA9,recurrent,current,"1,234",-0,',  # 16 duplicate of 15
    "2022,30/11/2023,14,127,04231,DA10,loan,next,,12345.678,",  # 17 four problems
    '2023,30/11/2023,14,127,04231,DA4,investment,current,"8.356,336","2.790",',  # 18 conflicts with 5
    '2023,30/11/2023,14,127,04231,DA4,recurrent,current,"1 000",7,',  # 19 ok
    "2023,30/11/2023,14,999,04231,DA4,recurrent,carried_over,1,1",  # 20 unknown district
]


def test_tricky_finance_table_reads_the_same_both_ways(tmp_path, units, monkeypatch):
    path = tmp_path / "finance.csv"
    path.write_text("\n".join(TRICKY_FINANCE) + "\n", encoding="utf-8")
    result = _both_ways(monkeypatch, path, FINANCE, units)
    assert result.convention == "vi" and result.raw.header_row == 4
    assert result.accepted["_row"].tolist() == [8, 14, 15, 19]
    assert result.accepted["plan_mvnd"].tolist() == [90279.336, 42.0, 1.234, 1000.0]
    assert result.accepted["disbursed_mvnd"].tolist() == [0.0, 42.99, 0.0, 7.0]
    assert sorted(result.rejects["row"].unique()) == [5, 6, 9, 10, 12, 13, 16, 17, 18, 20]
    assert result.n_read == 14
    reasons = result.rejects.groupby("row")["reason"].apply(list)
    assert reasons[9] == [
        "'1.5' is written in English number format while the file uses Vietnamese",
        "province_code is empty",
    ]
    assert len(reasons[17]) == 4  # empty plan, English disbursed, unknown capital type and fund
    assert reasons[16] == ["duplicate of row 15 (same fact, same figures)"]


def test_a_file_without_convention_reads_the_same_both_ways(tmp_path, units, monkeypatch):
    # Only ambiguous and plain cells: nothing says which convention. Row 2 has the same
    # ambiguous text twice: one line in the rejects (the plan's), as before.
    path = tmp_path / "f.csv"
    rows = [FIN_HEADER, "2023,30/11/2023,14,127,04231,DA4,investment,current,2.791,2.791"]
    rows.append("2023,30/11/2023,14,127,04231,DA5,investment,current,100,1")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = _both_ways(monkeypatch, path, FINANCE, units)
    assert result.convention is None
    assert result.rejects.loc[result.rejects["row"] == 2, "column"].tolist() == ["plan_mvnd"]
    assert result.accepted["_row"].tolist() == [3]
    # and stated on the command line, the same cells read one way
    stated = _both_ways(monkeypatch, path, FINANCE, units, decimal=",")
    assert stated.accepted["plan_mvnd"].tolist() == [2791.0, 100.0]


def test_typed_workbook_cells_read_the_same_both_ways(tmp_path, units, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(POV_HEADER.split(","))
    ws.append([2023, "04231", 1000, 200, 100, 900, 190])  # 2 ok
    ws.append([2023.0, 4228, 800.0, "100", 50, 700, 90])  # 3 commune code lost its zero
    ws.append(["2023", "04228", True, 100, 50, 700, 90])  # 4 a boolean is not a number
    ws.append([2022, "04225", 1000, 200.5, 100, 900, 190])  # 5 half a household
    ws.append([2022, "04228", "1.000", 100, 50, 700, "90"])  # 6 ambiguous, nothing says which
    ws.append([True, "04231", 1, 1, 0, 1, 1])  # 7 not a year
    ws.append([2021, " 04231 ", 10, 1, 1, 1, 1])  # 8 ok (spaces around a code)
    ws.append([2021, "04231", 10, 1, 1, 1, 1])  # 9 duplicate of 8
    path = tmp_path / "poverty.xlsx"
    wb.save(path)
    result = _both_ways(monkeypatch, path, POVERTY, units)
    assert result.accepted["_row"].tolist() == [2, 8]
    assert sorted(result.rejects["row"].unique()) == [3, 4, 5, 6, 7, 9]


_SIGN = st.sampled_from(["", "-"])
_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
_SEP = st.sampled_from(".,")
# Cells a number column meets: plain, one separator, grouped either way, spaces, other digits.
_NUMBER_TEXT = st.one_of(
    st.none(),
    st.builds("{}{}{}{}".format, _SIGN, st.integers(0, 10**7), _SEP, _DIGITS),  # 1205.000, -1,5
    st.builds(  # 1.234.567, 1.234.567,89 and 1,234.5, and mixed marks that read as nothing
        "{}{}{}{}".format,
        _SIGN,
        st.integers(0, 99999),  # more than three digits before a group: not a grouped number
        st.lists(st.builds("{}{:03d}".format, _SEP, st.integers(0, 999)), min_size=1, max_size=3).map("".join),
        st.one_of(st.just(""), st.builds("{}{}".format, _SEP, _DIGITS)),
    ),
    st.text(alphabet="0123456789.,- \u00a0١", max_size=9),
    # near misses: digit groups and marks in any order ("12,", ",5", "1..2", "-1 234.5")
    st.lists(st.sampled_from(["1", "23", "456", "7890", "000", ".", ",", "-", " "]), max_size=7).map("".join),
    st.sampled_from(["2.791", "8.356,336", "1,234", "12345.678", "90 279,336", "1e3", "nan", "-0", "9" * 400]),
)

#: Shapes next to those the column-wide regexes take, each of which must read as classify_number reads it.
NEAR_MISSES = [
    *("0", "-0", "007", "12", "-12", "1.5", "-1,5", "1.234", "1,234", "-1.234", "1234.567", "12.3456", "0,000"),
    *("1.234.567", "1.234.567,89", "1,234,567", "1,234,567.89", "-1.234,5", "12.345.678,9", "1.234,567.8"),
    *(",5", ".456", "-.5", "12,", "1,234.", "1.234,", "1..2", "1.234.56", "1234.567.890", "1,23,456", "--1"),
    *("+5", "1_000", "1e3", "nan", "inf", " 12", "12 ", "1 234 567", "90 279,336", "١٢", "１２", "2.791\n", ""),
]


@pytest.mark.parametrize("count", [False, True], ids=["amounts", "counts"])
def test_near_misses_read_column_wide_as_one_by_one(count):
    values = np.array([*NEAR_MISSES, None], dtype=object)
    fast = number_cells.number_cells(values, count)
    ref = [number_cells.read_cell(v, count) for v in values]
    assert list(zip(values, fast.style, strict=True)) == [
        (v, style) for v, (style, _, _) in zip(values, ref, strict=True)
    ]
    for got, want in ((fast.vi, [vi for _, vi, _ in ref]), (fast.en, [en for _, _, en in ref])):
        assert np.array_equal(got, np.array(want, dtype=float), equal_nan=True)


@settings(**DETERMINISTIC, max_examples=100)
@given(st.lists(_NUMBER_TEXT, min_size=1, max_size=40), st.booleans())
def test_number_cells_read_column_wide_as_one_by_one(cells, count):
    values = np.array(cells, dtype=object)
    fast = number_cells.number_cells(values, count)
    ref = [number_cells.read_cell(v, count) for v in values]
    assert fast.style.tolist() == [style for style, _, _ in ref]
    for got, want in ((fast.vi, [vi for _, vi, _ in ref]), (fast.en, [en for _, _, en in ref])):
        want = np.array(want, dtype=float)
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(want))  # -0 stays -0


def _csv_text(rows: list[list[str]], blank_after: list[bool]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row, blank in zip(rows, blank_after, strict=True):
        writer.writerow(row)
        if blank:
            out.write("\n")
    return out.getvalue()


_ROW = st.tuples(
    st.sampled_from(["2023", "2022", "", "x"]),
    st.sampled_from(["30/11/2023", "2023-11-30", "31/11/2023", ""]),
    st.sampled_from(["14", "20", ""]),
    st.sampled_from(["127", "999", ""]),
    st.sampled_from(["04231", "04228", "4231", ""]),
    st.sampled_from(["DA4", "Dự án 3.1", "DA12", ""]),
    st.sampled_from(["investment", "recurrent", "loan"]),
    st.sampled_from(["current", "carried_over", "x"]),
    _NUMBER_TEXT.map(lambda v: v or ""),
    _NUMBER_TEXT.map(lambda v: v or ""),
    st.sampled_from(["", "note", 'a "quoted", text', "two\nlines", "  "]),
)


@settings(**DETERMINISTIC, max_examples=25)
@given(st.lists(st.tuples(_ROW, st.booleans()), min_size=1, max_size=15), st.sampled_from([None, ",", "."]))
def test_generated_tables_read_the_same_both_ways(tmp_path_factory, units, monkeypatch, rows, decimal):
    header = FIN_HEADER.split(",") + ["ghi chú"]
    body = [list(r) for r, _ in rows]
    body += [body[0]]  # a duplicate row
    text = _csv_text([header, *body], [False, *(b for _, b in rows), False])
    path = tmp_path_factory.mktemp("generated") / "finance.csv"
    path.write_text(text, encoding="utf-8")
    _both_ways(monkeypatch, path, FINANCE, units, decimal=decimal)
