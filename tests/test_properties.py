"""Property-based tests (hypothesis) over the readers, the validation and the metrics.

Two kinds of tables are drawn:

* **random** tables in the canonical format whose cells are each either valid or drawn from
  a list of nasty values (empty, ``NaN``, ``1e309``, 400 digits, control characters,
  markup…) or random text. Whatever they hold, validation either returns (and then every
  row is accounted for: ``read = accepted + rejected``, each row on exactly one side) or
  raises one of the project's own errors, never anything else;
* **valid** tables, built so that every row must be accepted: then the amounts come through
  unchanged and the metrics add up: a district's plan and disbursement are the sums of its
  communes' in its latest snapshot, its rate is summed disbursement ÷ summed plan, and the
  poverty rate of a district is its poor households ÷ its households.

The expected values are computed here in plain Python (``math.fsum``) from the rows drawn,
not with the functions under test. Runs are deterministic (``derandomize=True``) and small.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import math
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.common.numbers import classify_number, format_number
from analysis.config import BOUNDS
from analysis.errors import NtpAtlasError
from analysis.inputs.schema import FINANCE, POVERTY
from analysis.inputs.validate import validate_table
from analysis.metrics.finance import disbursement, latest_snapshot
from analysis.metrics.poverty import poverty_rates
from analysis.report.tables import esc

FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Real (province, district, commune) codes: three communes of Sốp Cộp and of Chi Lăng.
UNITS = [("14", "127", "04225"), ("14", "127", "04228"), ("14", "127", "04231"),
         ("20", "187", "06463"), ("20", "187", "06466"), ("20", "187", "06481")]
#: The columns the rows below are written in (a subset of the optional ones is enough).
#: A run date after every date the strategies draw (years up to 2030).
LAST_DAY = dt.date(2030, 12, 31)
FIN_HEADER = ["year", "as_of", "province_code", "district_code", "commune_code", "project", "capital_type", "fund",
              "plan_mvnd", "disbursed_mvnd"]
POV_HEADER = ["year", "commune_code", "households", "poor_households", "near_poor_households", "em_households",
              "em_poor_households"]
NASTY = ["", " ", "NaN", "nan", "None", "-0", "1e309", "-1e309", "9" * 400, "1,2,3", "1..2", "--1", "٣", "0x1F",
         "∞", "inf", "<script>x</script>", "=1+2", "'06481", "06481.0", "\x00", "\u200b", "\ufeff", "2023-02-30",
         "31/02/2023", "30/11/99999", "1.234.567,89", "1,234,567.89", "١٢٣", "\r", "a\nb", '"', "\\", "%s{0}"]
_WORKDIR = Path(tempfile.mkdtemp(prefix="ntp-properties-"))
_COUNTER = itertools.count()


@pytest.fixture(scope="module")
def units():
    from analysis.catalog.units import official_units

    return official_units()


def nasty() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=8))


def maybe(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly valid cells (7 in 8), some nasty ones: about a third of the rows are all valid."""
    return st.integers(0, 7).flatmap(lambda i: nasty() if i == 0 else valid)


def _date_text(d: dt.date, iso: bool) -> str:
    return d.isoformat() if iso else d.strftime("%d/%m/%Y")


@st.composite
def finance_row(draw) -> list[str]:
    province, district, commune = draw(st.sampled_from(UNITS))
    year = draw(st.integers(2021, 2030))
    as_of = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    amount = st.floats(0, 1e9, allow_nan=False).map(lambda x: f"{x:.2f}")
    return [
        draw(maybe(st.just(str(year)))),
        draw(maybe(st.booleans().map(lambda iso: _date_text(as_of, iso)))),
        draw(maybe(st.just(province))),
        draw(maybe(st.just(district))),
        draw(maybe(st.sampled_from([commune, ""]))),
        draw(maybe(st.sampled_from(["DA1", "DA4", "Dự án 3.1", "DA10", ""]))),
        draw(maybe(st.sampled_from(["investment", "recurrent", "Vốn sự nghiệp", "đtpt"]))),
        draw(maybe(st.sampled_from(["current", "carried_over", "Chuyển nguồn"]))),
        draw(maybe(amount)),
        draw(maybe(amount)),
    ]


@st.composite
def poverty_row(draw) -> list[str]:
    _, _, commune = draw(st.sampled_from(UNITS))
    count = st.integers(0, 10**6).map(str)
    return [draw(maybe(st.integers(2021, 2030).map(str))), draw(maybe(st.just(commune)))] + [
        draw(maybe(count)) for _ in range(5)]


def _path(suffix: str) -> Path:
    return _WORKDIR / f"t{next(_COUNTER)}{suffix}"


def write_csv(header: list[str], rows: list[list[str]], delimiter: str) -> Path:
    # CRLF line ends, as Excel writes them: cells holding a line break (\r or \n) are quoted.
    # (A bare \r outside quotes is test_fuzz.py::test_carriage_returns_as_line_breaks.)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = _path(".csv")
    path.write_bytes(buf.getvalue().encode("utf-8"))  # write_text would translate line ends
    return path


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML 1.0 cannot hold


def write_xlsx(header: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([_ILLEGAL_XLSX.sub("", c) if isinstance(c, str) else c for c in row])
    path = _path(".xlsx")
    wb.save(path)
    return path


def _blank(row: list[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def check_accounted(result, path: Path, rows: list[list[object]], *, xlsx: bool) -> None:
    """Every non-blank data row is accepted or rejected, never both, never lost."""
    if xlsx:
        rows = [[_ILLEGAL_XLSX.sub("", c) if isinstance(c, str) else c for c in r] for r in rows]
    expected = {i + 2 for i, row in enumerate(rows) if not _blank(row)}  # header on row 1
    accepted = set(result.accepted["_row"])
    rejected = set(result.rejects["row"])
    assert result.reconciles()
    assert result.n_read == len(expected)
    assert accepted | rejected == expected and not accepted & rejected
    assert (result.rejects["file"] == str(path)).all()
    assert result.rejects["reason"].str.len().gt(0).all() and result.rejects["fix"].str.len().gt(0).all()


def validate_or_own_error(path: Path, spec, units):
    """The validated table, or None when one of the project's errors was raised."""
    try:
        result = validate_table(path, spec, units)
    except NtpAtlasError as exc:
        assert path.name in str(exc)
        event("file refused")
        return None
    event(f"rows: {'some' if result.n_accepted else 'none'} accepted, {'some' if result.n_rejected else 'none'} "
          "rejected")
    return result


# --- random tables --------------------------------------------------------------------------


@FAST
@given(rows=st.lists(finance_row(), max_size=25), delimiter=st.sampled_from([",", ";", "\t"]))
def test_random_finance_csv_is_accounted_for(units, rows, delimiter):
    path = write_csv(FIN_HEADER, rows, delimiter)
    result = validate_or_own_error(path, FINANCE, units)
    if result is not None:
        check_accounted(result, path, rows, xlsx=False)


@FAST
@given(rows=st.lists(poverty_row(), max_size=25), delimiter=st.sampled_from([",", ";"]))
def test_random_poverty_csv_is_accounted_for(units, rows, delimiter):
    path = write_csv(POV_HEADER, rows, delimiter)
    result = validate_or_own_error(path, POVERTY, units)
    if result is not None:
        check_accounted(result, path, rows, xlsx=False)


def _typed(cell: str) -> object:
    """Some cells as Excel would type them: whole numbers and decimals as numbers."""
    if re.fullmatch(r"-?\d{1,15}", cell):
        return int(cell)
    if re.fullmatch(r"-?\d{1,15}\.\d{1,6}", cell):
        return float(cell)
    return cell


@FAST
@given(rows=st.lists(finance_row(), max_size=15), typed=st.booleans())
def test_random_finance_xlsx_is_accounted_for(units, rows, typed):
    cells = [[_typed(c) if typed else c for c in row] for row in rows]
    path = write_xlsx(FIN_HEADER, cells)
    result = validate_or_own_error(path, FINANCE, units)
    if result is not None:
        check_accounted(result, path, cells, xlsx=True)


# --- valid tables and the metrics -----------------------------------------------------------


@st.composite
def valid_finance(draw) -> tuple[list[dict], str]:
    """Rows that must all be accepted: distinct facts, one number format, as-of in the year."""
    # the years of NTP 1719's projects (DA1, DA4) on rows naming no programme: from 2026 such a row
    # is the programme of 2026-2030's, whose money is by component (tests/test_native_2025.py)
    year = draw(st.integers(2021, 2025))
    dates = sorted(draw(st.sets(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)), min_size=1, max_size=3)))
    keys = list(itertools.product(UNITS, ["DA1", "DA4"], ["investment", "recurrent"], ["current", "carried_over"]))
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=20, unique=True))
    # cents, so that the sums are exact in binary and the totals can be compared exactly; up to
    # the bound of one row (analysis.config.BOUNDS), the largest figure a row may hold
    cents = st.integers(0, int(BOUNDS["amount_mvnd"] * 100))
    rows = []
    for as_of in dates:
        for (province, district, commune), project, capital, fund in chosen:
            if draw(st.booleans()) or as_of == dates[-1]:
                rows.append({"year": year, "as_of": as_of, "province_code": province, "district_code": district,
                             "commune_code": commune, "project": project, "capital_type": capital, "fund": fund,
                             "plan": draw(cents) / 100, "disbursed": draw(cents) / 100})
    return rows, draw(st.sampled_from(["vi", "en"]))


def _amount(x: float, convention: str) -> str:
    # two decimals: never a three-digit tail, so never ambiguous between the two formats
    text = f"{x:.2f}"
    return text.replace(".", ",") if convention == "vi" else text


@FAST
@given(data=valid_finance())
def test_valid_finance_totals_reconcile(units, data):
    rows, convention = data
    path = write_csv(FIN_HEADER, [
        [str(r["year"]), r["as_of"].strftime("%d/%m/%Y"), r["province_code"], r["district_code"], r["commune_code"],
         r["project"], r["capital_type"], r["fund"], _amount(r["plan"], convention),
         _amount(r["disbursed"], convention)] for r in rows], delimiter=";" if convention == "vi" else ",")
    # the run date after every date drawn: snapshots dated after the run are refused at the door
    # (analysis.inputs.gates, tested in tests/test_rules.py), and these tables must be accepted whole
    result = validate_table(path, FINANCE, units, decimal="," if convention == "vi" else ".", today=LAST_DAY)
    assert result.n_rejected == 0 and result.n_accepted == len(rows)
    assert result.accepted["plan_mvnd"].tolist() == [r["plan"] for r in rows]  # amounts unchanged
    year = rows[0]["year"]
    snap = latest_snapshot(result.accepted, year)
    by_district = disbursement(snap, "district_code").set_index("district_code")
    by_commune = disbursement(snap, ["district_code", "commune_code"])
    for district in {r["district_code"] for r in rows}:
        mine = [r for r in rows if r["district_code"] == district]
        last = max(r["as_of"] for r in mine)  # a district's latest snapshot; never added to earlier ones
        plan = math.fsum(r["plan"] for r in mine if r["as_of"] == last)
        paid = math.fsum(r["disbursed"] for r in mine if r["as_of"] == last)
        got = by_district.loc[district]
        assert got["plan_mvnd"] == pytest.approx(plan, rel=1e-12, abs=1e-6)
        assert got["disbursed_mvnd"] == pytest.approx(paid, rel=1e-12, abs=1e-6)
        communes = by_commune[by_commune["district_code"] == district]
        assert communes["plan_mvnd"].sum() == pytest.approx(got["plan_mvnd"], rel=1e-12, abs=1e-6)
        if plan > 0:
            assert got["rate"] == pytest.approx(paid / plan, rel=1e-9)  # from sums, not a mean of rates
        else:
            assert math.isnan(got["rate"]) and not got["has_plan"]


@st.composite
def valid_poverty(draw) -> list[list[int | str]]:
    rows = []
    for year, (_, _, commune) in itertools.product((2022, 2023), UNITS):
        if not draw(st.booleans()):
            continue
        households = draw(st.integers(0, int(BOUNDS["households"])))
        poor = draw(st.integers(0, households))
        near = draw(st.integers(0, households - poor))
        em = draw(st.integers(0, households))
        em_poor = draw(st.integers(0, min(em, poor)))
        rows.append([year, commune, households, poor, near, em, em_poor])
    return rows


@FAST
@given(rows=valid_poverty(), xlsx=st.booleans())
def test_valid_poverty_district_rate_is_ratio_of_sums(units, rows, xlsx):
    path = write_xlsx(POV_HEADER, rows) if xlsx else write_csv(POV_HEADER, [[str(c) for c in r] for r in rows], ",")
    result = validate_table(path, POVERTY, units)
    assert result.n_rejected == 0 and result.n_accepted == len(rows)
    rates = poverty_rates(result.accepted, ["year", "district_code"])
    district_of = {c: d for _, d, c in UNITS}
    for r in rates.itertuples(index=False):
        mine = [row for row in rows if row[0] == r.year and district_of[row[1]] == r.district_code]
        households, poor = sum(row[2] for row in mine), sum(row[3] for row in mine)
        assert (r.households, r.poor_households, r.n_communes) == (households, poor, len(mine))
        if households:
            assert r.poverty_rate == pytest.approx(poor / households, rel=1e-12)
        else:
            assert math.isnan(r.poverty_rate)
    assert len(rates) == len({(row[0], district_of[row[1]]) for row in rows})


# --- escaping and file names ---------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text())
def test_escaped_text_has_no_markup_and_round_trips(text):
    out = esc(text)
    assert not set(out) & set("<>\"'")
    assert html.unescape(out) == text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=st.text(), code=st.one_of(st.text(max_size=6), st.from_regex(r"[0-9]{3}", fullmatch=True)))
def test_any_name_gives_a_safe_file_name(name, code):
    from analysis.run.outputs import batch_folder, report_filename, slug

    s = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", s) and len(s) <= 65
    root = _WORKDIR / "reports"
    folder = batch_folder(root, 2023, name)
    assert folder.parent == (root / "2023").resolve()
    file = report_filename(code or None, name, notebook=name or "explore")
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.html", file)
    assert (folder / file).resolve().parent == folder


# --- numbers as the reports write them read back -------------------------------------------
#
# A figure n / 10**d is drawn as its integer n and its decimals d, so the expected value is
# worked out without the code under test: float(n / 10**d), the nearest float to the exact
# decimal, which is what reading its digits must give. Up to 10**15 units of the last decimal:
# every such decimal is printed exactly by a float's shortest repr.


@st.composite
def written_figure(draw, lowest: int = -(10**12), highest: int = 10**12) -> tuple[float, int]:
    """A figure from lowest to highest with 0-3 decimals, and its decimals."""
    decimals = draw(st.integers(0, 3))
    n = draw(st.integers(lowest * 10**decimals, highest * 10**decimals))
    return n / 10**decimals, decimals


@settings(max_examples=400, deadline=None, derandomize=True)
@given(figure=written_figure(), lang=st.sampled_from(["vi", "en"]))
def test_a_formatted_number_reads_back_under_its_convention(figure, lang):
    # 90279.336 is written 90.279,336 (vi) or 90,279.336 (en); read by that convention it is
    # 90279.336 again, whether the cell alone shows its convention or could be either (2.791)
    x, decimals = figure
    text = format_number(x, lang, decimals)
    cell = classify_number(text)
    assert cell.style != "invalid", text
    assert cell.value(lang) == x, text
    other = "en" if lang == "vi" else "vi"
    if cell.style == lang:  # the cell shows its convention: the other never reads it
        assert cell.value(other) is None, text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(n=st.integers(0, 10**15), lang=st.sampled_from(["vi", "en"]))
def test_a_formatted_count_reads_back_as_that_count(n, lang):
    # a count is whole: 1.234 households can only be 1234 in either convention's reading of a
    # count (as_count); 1.000 stays ambiguous (1000 or 1) and is read by the run's convention
    text = format_number(n, lang)
    cell = classify_number(text).as_count()
    assert cell.value(lang) == n, text
    if cell.style == "ambiguous":
        assert re.fullmatch(r"\d{1,3}[.,]000", text), text  # only whole thousands: 1.000, 20,000
    else:
        assert cell.value(None) == n, text  # no convention needed


@FAST
@given(figures=st.lists(written_figure(0, int(BOUNDS["amount_mvnd"])), min_size=2, max_size=12),
       lang=st.sampled_from(["vi", "en"]))
def test_a_table_of_formatted_amounts_reads_back_under_the_run_convention(units, figures, lang):
    # the same through the real reader and validation: a finance CSV whose amounts are written
    # by format_number, read with the run's convention (--decimal) stated; amounts up to the
    # bound of one row (analysis.config.BOUNDS), each row a distinct fact (its own year/as-of)
    pairs = list(zip(figures[::2], figures[1::2], strict=False))
    rows = [[str(2021 + i % 5), f"{1 + i // 5:02d}/11/{2021 + i % 5}", "14", "127", "04231", "DA4", "investment",
             "current", format_number(plan, lang, d1), format_number(paid, lang, d2)]
            for i, ((plan, d1), (paid, d2)) in enumerate(pairs)]  # 2021-2025: NTP 1719's years
    path = write_csv(FIN_HEADER, rows, delimiter=",")
    result = validate_table(path, FINANCE, units, decimal="," if lang == "vi" else ".", today=LAST_DAY)
    assert result.n_rejected == 0, result.rejects
    assert result.accepted["plan_mvnd"].tolist() == [plan for (plan, _), _ in pairs]
    assert result.accepted["disbursed_mvnd"].tolist() == [paid for _, (paid, _) in pairs]
