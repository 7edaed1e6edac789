"""Tests of analysis.run.print_maps, analysis.report.mapdata and the new charts.

One small export (the sample province, one district, one indicator, every format) is written
once per module into a temporary folder; the tests then read what was written: file names,
PNG resolution, the text inside the PDF (``pdftotext``) and the SVG (its XML), the atlas's
page count (``pdfinfo``). Both tools come with poppler-utils (``make system-deps``).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from analysis.common.ownership import LEDGER
from analysis.errors import ParameterError  # noqa: E402
from analysis.maps import charts  # noqa: E402
from analysis.report.mapdata import map_data  # noqa: E402
from analysis.run import print_figures, print_files
from analysis.run import print_maps as export
from analysis.run.options import RunOptions
from analysis.store.areas import load_area  # noqa: E402

# The sample is Lạng Sơn (20) with figures for 2023, poverty reviews 2021–2023; Chi Lăng is 187.
YEAR = 2023
STEMS = [
    "20-lang-son_disbursement_rate_2023",
    "187-chi-lang_disbursement_rate_2023",
    "20-lang-son_projects_2023",
    "20-lang-son_poverty_trend_2021-2023",
    "20-lang-son_disbursement_vs_poverty_change_2021-2023",
]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def data(sample_prepared):
    return map_data(load_area("20", None, sample_prepared), YEAR)


@pytest.fixture(scope="module")
def exported(sample_prepared, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = export.export_province_maps(
        "Lạng Sơn", YEAR, options=RunOptions(data_dir=sample_prepared, out_dir=out), districts=["Chi Lăng"],
        indicators=["disbursement_rate"],
    )  # fmt: skip
    return out, result


def test_files_and_their_stable_names(exported):
    out, result = exported
    folder = out / "2023" / "lang-son" / "maps"
    expected = [folder / f"{stem}.{fmt}" for stem in STEMS for fmt in ("png", "svg", "pdf")] + [folder / "atlas.pdf"]
    assert result.folder == folder
    assert result.paths == expected  # names and order are stable
    assert result.summary().splitlines() == [str(p) for p in expected]  # what ntp-atlas maps prints
    # no temporary files left (the folder's list of what ntp-atlas wrote apart)
    assert sorted(p.name for p in folder.iterdir() if p.name != LEDGER) == sorted(p.name for p in expected)


def test_png_is_300_dpi(exported):
    _, result = exported
    for path in (p for p in result.paths if p.suffix == ".png"):
        with Image.open(path) as img:
            assert img.info["dpi"] == pytest.approx((300, 300), abs=0.01)
            assert img.width > 1500  # a 9-inch map at 300 dpi, cropped to its content


def district_names(data) -> list[str]:
    communes = data.communes[data.communes["district_code"] == "187"]
    return [nfc(n.split(" ", 1)[1]) for n in communes["commune_name"] if n.startswith("Xã ")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing: apt-get install poppler-utils")
def test_pdf_text_is_searchable_with_diacritics(exported, data):
    _, result = exported
    pdf = next(p for p in result.paths if p.name == "187-chi-lang_disbursement_rate_2023.pdf")
    text = nfc(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout)  # fmt: skip
    assert "Tỷ lệ giải ngân theo xã" in text
    assert "Huyện Chi Lăng, tỉnh Lạng Sơn" in text
    assert "Ranh giới gần đúng" in text  # the source line says the boundaries are approximate
    # commune labels are text too (not outlines): most of the district's names are found
    found = [n for n in district_names(data) if n in text.replace("\n", " ")]
    assert len(found) >= len(district_names(data)) // 2, found
    assert b"/FontFile2" in pdf.read_bytes()  # TrueType embedded


def test_svg_text_is_text_with_diacritics(exported, data):
    _, result = exported
    svg = next(p for p in result.paths if p.name == "187-chi-lang_disbursement_rate_2023.svg")
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    texts = [nfc("".join(el.itertext())) for el in root.iter() if el.tag in (f"{ns}text", f"{ns}tspan")]
    joined = " ".join(texts)
    assert "Tỷ lệ giải ngân theo xã" in texts
    assert "Huyện Chi Lăng, tỉnh Lạng Sơn" in joined
    found = [n for n in district_names(data) if n in joined.replace("\n", " ")]
    assert len(found) >= len(district_names(data)) // 2, found


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo missing: apt-get install poppler-utils")
def test_atlas_is_one_a3_page(exported):
    _, result = exported
    info = subprocess.run(["pdfinfo", str(result.paths[-1])], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert int(fields["Pages"]) == 1
    assert "A3" in fields["Page size"] and "1190" in fields["Page size"]  # landscape: 1190.88 x 841.68 pt


def test_same_data_gives_the_same_svg_and_pdf(data):
    fig = print_figures.district_map(data, "187", "poverty_change_pp", "en")
    for fmt in ("svg", "pdf"):
        assert print_files.render_figure(fig, fmt, 300, "x") == print_files.render_figure(fig, fmt, 300, "x")


def test_bad_parameters(sample_prepared, tmp_path):
    options = RunOptions(data_dir=sample_prepared, out_dir=tmp_path)
    with pytest.raises(ParameterError, match="formats"):
        export.export_province_maps("20", YEAR, options=options, formats=["jpg"])
    with pytest.raises(ParameterError, match="indicators"):
        export.export_province_maps("20", YEAR, options=options, indicators=["wealth"])
    with pytest.raises(ParameterError, match="2019"):
        export.export_province_maps("20", 2019, options=options)
    with pytest.raises(ParameterError, match="lang"):
        export.export_province_maps("20", YEAR, options=options.replace(lang="fr"))
    # the maps are of NTP 1719 by the pre-2025 units: options for other reports are refused
    with pytest.raises(ParameterError, match="programme"):
        export.export_province_maps("20", YEAR, options=options.replace(programme="p135"))
    with pytest.raises(ParameterError, match="units"):
        export.export_province_maps("20", YEAR, options=options.replace(units="2025"))
    assert not list(tmp_path.iterdir())  # nothing written


def test_maps_drawn_by_two_processes_are_the_maps_drawn_by_one(sample_prepared, tmp_path):
    # --jobs 2 forks workers after the parent has drawn the province map; each worker must draw
    # with fonts of its own (analysis.maps.textmetrics), so its PNGs are byte for byte those of one
    # process. Two districts (Chi Lăng 187, Bình Gia 181), one indicator, 72 dpi: small.
    kw = dict(formats=["png"], dpi=72, districts=None, indicators=["disbursement_rate"])
    options = RunOptions(data_dir=sample_prepared)
    one = export.export_province_maps("20", YEAR, options=options.replace(out_dir=tmp_path / "one"), **kw).paths
    two = export.export_province_maps("20", YEAR, options=options.replace(out_dir=tmp_path / "two", jobs=2), **kw).paths
    # the province map, 11 districts, 3 charts and the atlas
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 1 + 11 + 3 + 1
    differ = [a.name for a, b in zip(one, two, strict=True) if a.suffix == ".png" and a.read_bytes() != b.read_bytes()]
    assert not differ


@pytest.mark.slow
def test_cli_maps_with_two_jobs_runs_to_the_end_every_time(sample_prepared, tmp_path):
    """``ntp-atlas maps --jobs 2`` (what ``make maps`` runs), a fresh process each time, 3 runs.

    Before the text cache kept its shapings with the font objects matplotlib lends (and dropped
    them at fork), 5 of 7 such runs died in a worker with "FT_Load_Glyph ... invalid outline".
    Expected files: 3 province maps, 11 districts x 3 maps, 3 charts (PNG) and the atlas (PDF).
    """
    import os
    import sys
    from pathlib import Path

    import analysis

    env = {**os.environ, "PYTHONPATH": str(Path(analysis.__file__).parents[1]), "MPLBACKEND": "Agg"}
    for run in range(3):
        out = tmp_path / f"run{run}"
        argv = [sys.executable, "-m", "analysis.cli", "maps", "--province", "20", "--year", str(YEAR), "--jobs", "2",
                "--format", "png", "--dpi", "100", "--data", str(sample_prepared), "--out", str(out)]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=900)
        assert done.returncode == 0, f"run {run + 1}: {done.stderr[-2000:]}"
        written = sorted(p.name for p in (out / str(YEAR) / "lang-son" / "maps").iterdir() if p.name != LEDGER)
        assert len(written) == 3 + 11 * 3 + 3 + 1 and written.count("atlas.pdf") == 1


# --- the figures behind the maps -------------------------------------------------------------


def test_map_figures_reproduce_published_totals(sample_prepared):
    # Chi Lăng as of 04/08/2023 (seed 000, published_figures.csv): disbursed 29,72 + 3,312 tỷ
    # đồng of 80.324,324 + 67.591,837 million VND; every commune of the province is kept.
    from analysis.report.mapdata import map_data
    from analysis.store.areas import load_area

    area = load_area("20", data_dir=sample_prepared)
    md = map_data(area, YEAR, "2023-08-04")
    d = md.districts.set_index("district_code").loc["187"]
    assert round(d["plan_mvnd"], 3) == round(80324.324 + 67591.837, 3)
    assert round(d["disbursed_mvnd"], 3) == 29720.000 + 3312.000
    assert (md.baseline_year, md.poverty_year) == (2021, 2023)
    assert len(md.communes) == len(area.province_communes) == 194  # Lạng Sơn's official list


def test_district_figures_add_up(data):
    # A district's plan is the sum of all its rows in the snapshot, commune or not.
    snap = data.snapshot
    d = data.districts.set_index("district_code")
    assert d.loc["187", "plan_mvnd"] == pytest.approx(snap.loc[snap["district_code"] == "187", "plan_mvnd"].sum())
    assert d.loc["187", "rate"] == pytest.approx(d.loc["187", "disbursed_mvnd"] / d.loc["187", "plan_mvnd"])


# --- charts ----------------------------------------------------------------------------------


def test_poverty_trend_chart_one_labelled_line_per_district():
    # By hand: district A has 10 poor of 100 households in 2021, 5 of 100 in 2022 (10% -> 5%);
    # B has 30 of 200 then 20 of 200 (15% -> 10%); the whole: 40/300 -> 25/300.
    poverty = pd.DataFrame({
        "year": [2021, 2022, 2021, 2022], "district_code": ["001", "001", "002", "002"],
        "commune_code": ["1", "1", "2", "2"], "households": [100, 100, 200, 200],
        "poor_households": [10, 5, 30, 20], "near_poor_households": 0, "em_households": 0,
        "em_poor_households": 0,
    })  # fmt: skip
    ax = charts.poverty_trend_chart(poverty, "district", "en", names={"001": "Huyện A", "002": "Thành phố B"})
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["A"].get_ydata()) == pytest.approx([0.10, 0.05])
    assert list(lines["TP. B"].get_ydata()) == pytest.approx([0.15, 0.10])
    assert list(lines["Whole province"].get_ydata()) == pytest.approx([40 / 300, 25 / 300])
    ends = [t.get_text() for t in ax.texts if t.get_gid() == "ntp-line-label"]
    assert sorted(ends) == ["A", "TP. B", "Whole province"]
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.texts if t.get_gid() == "ntp-line-label"]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_scatter_chart_labels_every_district_without_overlap(data):
    ax = charts.scatter_chart(data.districts, "vi", period=(2021, 2023), reference=0.8)
    labels = [t for t in ax.texts if t.get_gid() == "ntp-point-label"]
    ok = data.districts.dropna(subset=["poverty_rate_change_pp", "rate"])
    assert len(labels) == len(ok) == len(ax.collections[0].get_offsets())
    assert "TP. Lạng Sơn" in [t.get_text() for t in labels]  # the city is not taken for the province
    assert ax.get_xlabel() == "Thay đổi tỷ lệ hộ nghèo 2021–2023 (điểm %)"
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    offsets = np.asarray(ax.collections[0].get_offsets())
    assert offsets[:, 1] == pytest.approx(ok["rate"].to_numpy())


# --- docs ------------------------------------------------------------------------------------


def test_docs_page_describes_every_legend_set_and_shows_existing_pictures():
    import re

    from analysis.config import DOCS_DIR
    from analysis.maps.legends import LEGEND_SETS

    doc = (DOCS_DIR / "maps.md").read_text("utf-8")
    for key, ls in LEGEND_SETS.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{key}` |")), "")
        assert row, f"docs/maps.md has no row for legend set {key!r}"
        assert all(colour in row for colour in ls.colors), f"docs/maps.md: colours of {key!r} out of date"
    assert "EPSG:3405" in doc
    for picture in re.findall(r"\]\((img/[^)]+\.png)\)", doc):
        # regenerate with: make docs
        assert (DOCS_DIR / picture).exists(), f"docs/{picture} missing: run make docs"
