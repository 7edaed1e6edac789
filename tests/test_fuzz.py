"""A short run of the reader fuzzer (``benchmarks/fuzz_readers.py``), and the crashes it found.

The full run is ``.venv/bin/python benchmarks/fuzz_readers.py --iterations 5000 --seed 1``;
here a few hundred inputs check that mutated files are read or refused with the project's
errors. Each crash the fuzzer found has a small test of its own below, its input made by hand.

The crashes found in ``analysis/readers.py`` (a bare ``\r`` in a CSV, damaged or huge
workbook sheets, a sniffer sample split on Unicode line breaks) are fixed there; their tests
below keep them fixed.
"""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from analysis.errors import InputFileError
from analysis.inputs.schema import FINANCE, POVERTY
from analysis.inputs.validate import validate_table
from benchmarks import fuzz_readers

SMOKE_ITERATIONS = 150
FIN_COLUMNS = ["year", "as_of", "province_code", "district_code", "commune_code", "project", "capital_type", "fund",
               "plan_mvnd", "disbursed_mvnd"]
POV_COLUMNS = ["year", "commune_code", "households", "poor_households", "near_poor_households", "em_households",
               "em_poor_households"]
FIN_HEADER = ",".join(FIN_COLUMNS)
GOOD_FIN = "2023,30/11/2023,14,127,04231,DA4,investment,current,100,50"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    return fuzz_readers.run_fuzz(SMOKE_ITERATIONS, seed=7, out_dir=tmp_path_factory.mktemp("fuzz"), timeout=20)


def test_smoke_fuzz_reads_or_refuses(smoke):
    assert sum(smoke.outcomes.values()) == SMOKE_ITERATIONS
    assert smoke.outcomes["accepted"] > 0 and smoke.outcomes["refused"] > 0  # mutations reach both sides
    assert not smoke.crashes, f"inputs crashed the pipeline: {dict(smoke.crashes)}"


def test_smoke_fuzz_has_no_crash_at_all(smoke):
    assert not smoke.crashes, list(smoke.crashes)


def test_crashing_inputs_are_kept_with_their_traceback(tmp_path):
    case = fuzz_readers.Case(b"year\n2023\n", ".csv", "finance", "made up", ["flip_bytes"])
    try:
        raise KeyError("boom")
    except KeyError as exc:
        crashes: dict = {}
        fuzz_readers._record(crashes, exc, case, 41, tmp_path, keep=3)
    (sig, entry), = crashes.items()
    assert sig.startswith("KeyError at test_fuzz.py:")
    saved = tmp_path / entry["examples"][0]
    assert saved.read_bytes() == case.data and saved.name.endswith("-41.csv")
    detail = saved.with_name(saved.name + ".txt").read_text(encoding="utf-8")
    assert "mutations: ['flip_bytes']" in detail and "KeyError: 'boom'" in detail


def test_same_seed_same_inputs():
    import random

    base = fuzz_readers.seeds()
    first = [fuzz_readers.mutate(base[3], random.Random(5)).data for _ in range(3)]
    again = [fuzz_readers.mutate(base[3], random.Random(5)).data for _ in range(3)]
    assert first == again


# --- the crashes found, one test each -------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_year_too_large_for_the_year_column(tmp_path, units):
    # found by the fuzzer: an Excel number 10**20 in the year column overflowed Int64 (fixed in validate)
    path = tmp_path / "finance.xlsx"
    path.write_bytes(_xlsx([FIN_COLUMNS, [10**20, "30/11/2023", "14", "127", "04231", "DA4", "investment",
                                            "current", 100, 50]]))
    result = validate_table(path, FINANCE, units)
    assert result.rejects[["row", "column", "reason"]].values.tolist()[0] == [
        2, "year", "not a year (write four digits, e.g. 2023)"]
    assert result.reconciles()


def test_carriage_returns_as_line_breaks(tmp_path, units):
    # found by the fuzzer: a bare CR (old Mac line ends; a cell pasted from elsewhere) raised csv.Error
    path = tmp_path / "finance.csv"
    path.write_bytes(f"{FIN_HEADER}\r{GOOD_FIN}\r{GOOD_FIN.replace('DA4', 'DA5')}\r".encode())
    result = validate_table(path, FINANCE, units)
    assert (result.n_read, result.n_accepted) == (2, 2)


def _damaged_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in src.namelist():
            part = src.read(name)
            out.writestr(name, part.replace(old, new) if name == "xl/worksheets/sheet1.xml" else part)
    return buf.getvalue()


@pytest.mark.parametrize("old, new", [(b'r="A2"', b'r="1A"'), (b"<sheetData>", b"<sheetData><c <")],
                         ids=["bad cell reference", "XML not well-formed"])
def test_damaged_sheet_is_refused_with_a_message(tmp_path, units, old, new):
    # found by the fuzzer: a read-only sheet is parsed while its rows are read, outside the try
    path = tmp_path / "poverty.xlsx"
    data = _xlsx([POV_COLUMNS, [2023, "04231", 1000, 200, 100, 900, 190]])
    assert old in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    path.write_bytes(_damaged_sheet(data, old, new))
    with pytest.raises(InputFileError, match="poverty.xlsx"):
        validate_table(path, POVERTY, units)


def test_stray_cell_at_the_last_row_is_read_quickly(tmp_path, units):
    # found by the fuzzer (a time-out): one cell at row 1,048,576 made the reader pad a million
    # rows to the sheet's width; a 6 kB file took minutes
    wb = openpyxl.Workbook()
    wb.active.append(POV_COLUMNS)
    wb.active.append([2023, "04231", 1000, 200, 100, 900, 190])
    wb.active.cell(row=1_048_576, column=40, value="x")
    path = tmp_path / "poverty.xlsx"
    wb.save(path)
    start = time.perf_counter()
    result = validate_table(path, POVERTY, units)
    assert time.perf_counter() - start < 5
    assert result.n_accepted == 1


def test_line_separator_inside_a_cell_does_not_hide_the_header(tmp_path, units):
    # found by tests/test_properties.py: str.splitlines breaks at \x1d (and \x85, \u2028), so the
    # delimiter sniffer saw broken lines, fell back to ',' and a ';' file "had no header row"
    path = tmp_path / "poverty.csv"
    path.write_text(";".join(POV_COLUMNS) + "\n2023;04231;1000;200;100;900;190\n2022;04231;x\x1dy;1;1;1;1\n",
                    encoding="utf-8")
    result = validate_table(path, POVERTY, units)
    assert (result.n_read, result.n_accepted, result.n_rejected) == (2, 1, 1)
