"""Hostile inputs: names and free text from data files render as text, paths stay inside.

A tiny prepared dataset is built through the real ``prepare`` from files whose unit names
and cells carry markup (``<script>``, ``<img onerror>``, ``]]>``, quotes, ``&``, format
placeholders). Every section of the district report, the index page and the offline SVG map
must show them as text: the raw HTML holds no tag that came from the data, and the escaped
text is there (so the names were shown, not dropped).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from analysis.config import NOTEBOOKS_DIR
from analysis.run.options import RunOptions

#: Names given to the 8 communes of Sốp Cộp (district 127, province 14) in a user's unit list.
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "Xã A & B <b>đậm</b>",
    "Xã \"Trích\" 'dẫn' `x`",
    "]]><svg onload=alert(2)>",
    "<img src=x onerror=alert(3)>",
    "../../etc/passwd",
    "Xã {district} {0} %s",
    "</title><iframe src=//evil>",
]
#: Tags that would come from the data if anything were not escaped.
INJECTED = re.compile(r"<(script>alert|svg onload|img src=x|iframe|b>đậm|/title><iframe|b onclick|b>old)", re.I)
BAD_PROJECT = "<script>alert(4)</script>"
BAD_CAPITAL = "<img src=y onerror=alert(5)>"
CROSSWALK_NAME = "<b onclick=x>sáp nhập & co.csv"  # no "/": it is a file name


def _units(codes: list[str]) -> pd.DataFrame:
    from analysis.catalog.units import official_units

    u = official_units()
    u = u[u["commune_code"].isin(codes)].copy().sort_values("commune_code")
    u["commune_name"] = HOSTILE_NAMES[: len(u)]
    u["district_name"] = "Huyện <script>alert(6)</script>"
    return u


@pytest.fixture(scope="module")
def hostile_prepared(tmp_path_factory) -> Path:
    """Prepared data of Sốp Cộp (14/127) whose names and rejected cells are hostile."""
    from analysis.catalog.units import official_units
    from analysis.store.prepare import prepare

    folder = tmp_path_factory.mktemp("hostile")
    codes = sorted(official_units().query("district_code == '127'")["commune_code"])
    assert len(codes) == 8  # Sốp Cộp's 8 communes (official list)
    units = _units(codes)
    units.to_csv(folder / "units.csv", index=False)
    fin = ["year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,disbursed_mvnd"]
    fin += [f"2023,30/11/2023,14,127,{c},DA4,investment,current,{100 + i},{50 + i}" for i, c in enumerate(codes)]
    fin += [f"2023,30/11/2023,14,127,{codes[0]},{BAD_PROJECT},investment,current,1,1",
            f"2023,30/11/2023,14,127,{codes[1]},DA5,{BAD_CAPITAL},current,1,1"]
    (folder / "finance.csv").write_text("\n".join(fin) + "\n", encoding="utf-8")
    pov = ["year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"]
    pov += [f"{y},{c},1000,{200 - 30 * (y - 2022)},100,900,190" for c in codes for y in (2022, 2023)]
    (folder / "poverty.csv").write_text("\n".join(pov) + "\n", encoding="utf-8")
    # squares of 0.02° near Sốp Cộp; the boundary names are hostile too, and one feature has
    # a code the data lacks, so its name reaches the warnings
    # a tenth square, of an old commune 04999 merged into the first one by a crosswalk with a
    # hostile file name, and a bow-tie (invalid, repaired) for the second commune
    names = [*HOSTILE_NAMES[::-1], "<script>alert(7)</script>", "<b>old</b>"]
    geoms = [box(103.5 + 0.02 * i, 20.9, 103.52 + 0.02 * i, 20.92) for i in range(9)]
    geoms.append(box(103.5, 20.88, 103.52, 20.9))
    geoms[1] = Polygon([(103.52, 20.9), (103.54, 20.92), (103.54, 20.9), (103.52, 20.92)])
    gpd.GeoDataFrame({"commune_code": [*codes, "99999", "04999"], "commune_name": names}, geometry=geoms,
                     crs=4326).to_file(folder / "boundaries.geojson", engine="pyogrio")
    crosswalk = folder / CROSSWALK_NAME
    crosswalk.write_text(f"old_code,new_code\n04999,{codes[0]}\n", encoding="utf-8")
    out = folder / "processed"
    prepare(finance=folder / "finance.csv", poverty=folder / "poverty.csv", communes=None,
            boundaries=folder / "boundaries.geojson", units=folder / "units.csv", boundary_crosswalk=crosswalk,
            out=out)
    return out


def _assert_text_only(page: str) -> None:
    found = INJECTED.findall(page)
    assert not found, f"markup from the data reached the page: {found}"


def _cells(notebook: str) -> list[str]:
    """The report calls of a notebook's code cells (after the parameters and the context)."""
    nb = json.loads((NOTEBOOKS_DIR / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return [c for c in code[2:] if c.strip()]


def test_every_section_of_the_district_report_escapes_the_data(hostile_prepared):
    from analysis import report
    from analysis.report import indicators as report_indicators

    ctx = report.context("14", "127", 2023, data_dir=hostile_prepared)
    assert set(HOSTILE_NAMES) <= set(ctx.area.communes["commune_name"])  # the names did arrive
    parts = []
    for cell in _cells("district_report") + _cells("explore"):
        names = {"report": report, "report_indicators": report_indicators, "ctx": ctx, "indicator": "disbursement_rate"}
        value = eval(cell, names)  # noqa: S307
        parts.append(value._repr_html_() if hasattr(value, "_repr_html_") else str(value))
    page = "\n".join(parts)
    _assert_text_only(page)
    # shown as text: the escaped names are on the page (tables, hover titles, rejects)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Xã A &amp; B &lt;b&gt;đậm&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page  # the rejected project cell
    assert "Xã {district} {0} %s" in page  # placeholders in a name are not filled in
    # what prepare did to the boundaries is said, the crosswalk's file name as text
    assert "1 xã đã sáp nhập được gộp vào 1 xã theo bảng chuyển đổi &lt;b onclick=x&gt;sáp nhập &amp; co.csv" in page
    assert "1 vùng ranh giới không hợp lệ" in page


def test_svg_map_is_well_formed_xml_with_names_as_text(hostile_prepared):
    from analysis import report

    ctx = report.context("14", "127", 2023, data_dir=hostile_prepared)
    block = report.interactive_map(ctx, "disbursement_rate")._repr_html_()
    _assert_text_only(block)
    root = ET.fromstring(block)  # an unescaped "<", "&" or "]]>" would not parse
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    # the hover titles are the names as the data wrote them (XML parsing undoes the escaping)
    assert sorted(t.split(": ")[0] for t in titles) == sorted(HOSTILE_NAMES)
    assert "]]&gt;&lt;svg onload=alert(2)&gt;" in block


def test_index_page_escapes_names(hostile_prepared, tmp_path):
    from analysis.run.index_page import index_html
    from analysis.run.outcomes import BatchResult

    result = BatchResult(province_code="14", province_name="Sơn La", year=2023, lang="vi",
                         folder=tmp_path)
    page = index_html(result, as_of=None, data_dir=hostile_prepared)
    _assert_text_only(page)
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in page  # the district's name in the table


@pytest.mark.slow
def test_rendered_report_page_escapes_names(hostile_prepared, tmp_path):
    """The real page: papermill runs the notebook, nbconvert writes the HTML."""
    from analysis.run.batch import run_report

    path = run_report("14", "127", year=2023, notebook="explore",
                      options=RunOptions(data_dir=hostile_prepared, out_dir=tmp_path))
    assert path.resolve().is_relative_to(tmp_path.resolve())
    page = path.read_text(encoding="utf-8")
    _assert_text_only(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- output paths ------------------------------------------------------------------------------

PATH_NAMES = [
    "../../etc/passwd", "/etc/cron.d/x", "C:\\Windows\\System32", "..", ".", "", "   ", "a\x00b",
    "x" * 5000, "CON", "nul", "Com1", "LPT9.txt", "aux", "<script>", "Xã Chiến Thắng", "١٢٣", "~root",
    "name\nwith\nlines", "$(rm -rf ~)", "%2e%2e%2f",
]
SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@pytest.mark.parametrize("name", PATH_NAMES, ids=[repr(n[:12]) for n in PATH_NAMES])
def test_names_make_safe_file_names(tmp_path, name):
    from analysis.run.outputs import batch_folder, report_filename, slug

    s = slug(name)
    assert SAFE.fullmatch(s) and len(s) <= 65
    assert s not in {"con", "prn", "aux", "nul", "com1", "lpt9"}
    folder = batch_folder(tmp_path, 2023, name)
    assert folder.parent == (tmp_path / "2023").resolve()  # exactly one level below the year
    for code in ("187", name):
        file = report_filename(code, name, lang="en", notebook=name or "explore")
        assert "/" not in file and "\\" not in file and "\x00" not in file
        assert (folder / file).resolve().parent == folder
        assert re.fullmatch(r"[a-z0-9.-]+\.html", file) and not file.startswith(".")


def test_windows_reserved_names_and_other_digits():
    from analysis.run.outputs import report_filename, slug

    assert slug("CON") == "con-unit" and slug("Xã Nul") == "nul-unit" and slug("Console") == "console"
    # Arabic-Indic digits are digits to Python's \d, but not to a file system that expects ASCII
    assert report_filename("١٢٣", "Chi Lăng") == "unnamed-chi-lang.html"
    assert report_filename("187", "Chi Lăng", lang="en") == "187-chi-lang.en.html"
