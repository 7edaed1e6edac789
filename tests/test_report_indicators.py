"""The reports' programme and indicators: seed figures stated, tables by unit, maps, the programme filter.

Expected figures come from the seed articles: 001 (96,1% of communes with a paved road to
the centre, 99,99% of households on the grid, 81% solid schools and clinics, 11 region III
exits), 002 (Programme 135 in 133 communes and 121 villages, 431 works, 226,3 tỷ đồng;
Programme 30a 98% disbursed) and 004 (steering committees in 11/11 districts and 181/181
communes), which the sample's indicators reproduce for Lạng Sơn (data/sample/README.md).
Counts of units come from the sample's structure (194 communes in Lạng Sơn, 181 of them
rural communes with a road figure; one commune, 06640, without a household figure). The
two-programme finance below is hand-made and its sums are worked out in the comments.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from analysis import report
from analysis.cli import main
from analysis.common.storage import sha256_file, write_json
from analysis.errors import ParameterError
from analysis.maps.interactive import svg_map, value_text
from analysis.metrics.finance import headline
from analysis.report import indicators as report_indicators
from analysis.report.sections import indicators as indicator_sections
from analysis.report.sections import maps as report_maps
from analysis.report.summaries import indicator_facts
from analysis.report.summaries.gather import summary_facts
from analysis.report.summaries.writer import write_summary
from analysis.run import fingerprint
from analysis.run.batch import run_batch
from analysis.run.options import RunOptions
from analysis.run.outputs import report_filename

# --- the sample province states the seeds' figures ---------------------------------------------

SEED_VI = [
    # seed 001: "96,1% xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông"
    "174/181 xã (96,1%) có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông",
    # seed 001: "99,99% số hộ dân được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp";
    # commune 06640 has an empty household figure: said, not counted as zero
    "99,99% số hộ được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp (1 xã chưa có số liệu)",
    # seed 001: "81% trường, lớp học và trạm y tế được xây dựng kiên cố"
    "81% trường, lớp học và trạm y tế được xây dựng kiên cố",
    # seed 004: "11/11 huyện, thành phố …; 181/181 xã thành lập, kiện toàn Ban Chỉ đạo cấp xã"
    "11/11 huyện (100%) đã thành lập Ban Chỉ đạo các Chương trình MTQG cấp huyện",
    "181/181 xã (100%) đã thành lập, kiện toàn Ban Chỉ đạo cấp xã",
    # seed 002: "Chương trình 135 đầu tư trên địa bàn 133 xã …, 121 thôn đặc biệt khó khăn, kế hoạch vốn
    # 226,3 tỷ đồng, đầu tư xây dựng 431 công trình; Chương trình 30a … giải ngân đạt 98% kế hoạch"
    "Đến hết năm 2018, 133/181 xã (73,5%) được đầu tư từ Chương trình 135",
    "121/121 thôn (100,0%) đặc biệt khó khăn được đầu tư từ Chương trình 135",
    "431 công trình được đầu tư xây dựng từ Chương trình 135",
    "kế hoạch vốn Chương trình 135 là 226,3 tỷ đồng",
    "98% kế hoạch vốn Chương trình 30a đã được giải ngân",
    # seed 001: "có 11 xã khu vực III thoát khỏi tình trạng đặc biệt khó khăn"
    "11 xã khu vực III năm 2021 đã thoát khỏi tình trạng đặc biệt khó khăn",
]

SEED_EN = [
    "174 of 181 communes (96.1%) had an asphalt or concrete road to the commune centre",
    "99.99% of households used grid or other suitable electricity (1 commune without data)",
    "81% of schools, classrooms and health stations were of solid construction",
    "11 of 11 districts (100%) had set up a steering committee",
    "181 of 181 communes (100%) had set up a commune steering committee",
    "133 of 181 communes (73.5%) were covered by Programme 135",
    "121 of 121 villages (100.0%)",
    "431 works were built by Programme 135",
    "the Programme 135 capital plan was 226.3 billion VND",
    "98% of the Programme 30a capital plan had been disbursed",
    "11 communes of region III in 2021 have left it",
]


@pytest.fixture(scope="module")
def lang_son(sample_prepared):
    """The sample province's overview for 2023 at its latest snapshot (31/12/2023)."""
    return {lang: report.context("20", None, "2023", "", lang, sample_prepared) for lang in ("vi", "en")}


@pytest.fixture(scope="module")
def chi_lang(sample_prepared):
    return report.context("20", "187", "2023", "", "vi", sample_prepared)


def _text(fragment) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    data = fragment if isinstance(fragment, str) else fragment.data
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img [^>]*>", "", data))).split())


def test_province_summary_states_the_seed_figures(lang_son):
    vi = " ".join(write_summary(lang_son["vi"]))
    for figure in SEED_VI:
        assert figure in vi, figure
    en = " ".join(write_summary(lang_son["en"]))
    for figure in SEED_EN:
        assert figure in en, figure
    # one sentence per date, latest first, as the seeds date their figures ("đến hết năm 2023")
    assert (
        vi.index("Đến hết năm 2023, 174/181")
        < vi.index("Tính đến ngày 30/06/2023, 11/11")
        < vi.index("Đến hết năm 2018, 133/181")
    )


def test_province_figures_table(lang_son):
    frame, cols = indicator_sections.figures_frame(lang_son["vi"])
    by_name = dict(zip(frame["name"], frame["text"], strict=True))
    assert by_name["Xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông"] == "174/181 xã (96,1%)"
    assert by_name["Hộ được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp"] == "99,99% (376.102/376.140 hộ)"
    assert by_name["Kế hoạch vốn Chương trình 135"] == "226,3 tỷ đồng"
    assert by_name["Giải ngân Chương trình 30a"].startswith("98% (")
    assert by_name["Xã khu vực III thoát khỏi tình trạng đặc biệt khó khăn"] == "11 xã (2021–2023)"
    notes = dict(zip(frame["name"], frame["note"], strict=True))
    assert notes["Hộ được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp"] == "1 xã chưa có số liệu"
    page = _text(report_indicators.figures(lang_son["vi"]))
    assert "Kết quả toàn tỉnh" in page and "31/12/2018" in page and "30/06/2023" in page


def test_units_table_by_district_and_by_commune(lang_son, chi_lang):
    by_district, _ = indicator_sections.indicator_units_frame(lang_son["vi"])
    assert len(by_district) == 11  # the sample's 11 districts, each a row
    road = next(c for c in by_district.columns if c.startswith("Xã có đường ô tô"))
    assert "(31/12/2023)" in road
    # the districts' n add up to the province's 174 of 181
    pairs = by_district[road].str.extract(r"^(\d+)/(\d+) ").astype(int)
    assert (pairs[0].sum(), pairs[1].sum()) == (174, 181)
    assert by_district.attrs["notes"] == [
        "Hộ được sử dụng điện lưới quốc gia và các nguồn điện khác phù hợp: 1 xã chưa có số liệu"
    ]
    # no denominator columns: households and facilities show through their shares
    assert not any(c.startswith(("Tổng số hộ", "Trường, lớp học và trạm y tế (")) for c in by_district.columns)

    by_commune, _ = indicator_sections.indicator_units_frame(chi_lang)
    assert len(by_commune) == len(chi_lang.area.communes)  # every commune, with or without data
    road = next(c for c in by_commune.columns if c.startswith("Xã có đường ô tô"))
    summary = " ".join(write_summary(chi_lang))
    yes, no = (by_commune[road] == "có").sum(), (by_commune[road] == "không").sum()
    assert f"{yes}/{yes + no} xã" in summary  # the table and the text say the same
    assert set(by_commune[road]) <= {"có", "không", "–"}
    page = _text(report_indicators.units_table(chi_lang))
    assert page.startswith("Theo xã") and "Đơn vị chưa có số liệu" not in page


def test_district_report_says_its_own_figures(chi_lang):
    summary = " ".join(write_summary(chi_lang))
    # the district's own steering committee is a yes, not "1/1 huyện"
    assert "Tính đến ngày 30/06/2023, huyện đã thành lập Ban Chỉ đạo các Chương trình MTQG cấp huyện;" in summary
    assert indicator_sections.map_values(chi_lang, "district_steering_committee") is None  # one unit: not mapped


def test_each_indicator_has_its_own_legend_set(lang_son):
    ctx = lang_son["vi"]
    assert indicator_sections.legend_sets(ctx) == {
        "commune_paved_road": "indicator_yes_no",
        "facilities_solid": "indicator_share",
        "p135_commune": "indicator_yes_no",
        "p135_works": "indicator_count",
        "p135_plan_mvnd": "indicator_amount",
    }
    # every unit with a figure in one class: said, not drawn (181/181 communes: all "có")
    assert indicator_sections.mapped_indicators(ctx)[1] == [
        "households_electricity",
        "district_steering_committee",
        "commune_steering_committee",
        "p135_village",
        "p30a_disbursed_mvnd",
    ]


def _legend(picture) -> tuple[str, list[str]]:
    legend = picture.figure.axes[0].get_legend()
    return legend.get_title().get_text(), [t.get_text() for t in legend.get_texts()]


def test_maps_draw_every_commune_with_the_legend_of_their_kind(lang_son):
    ctx = lang_son["vi"]
    title, labels = _legend(indicator_sections.map_indicator(ctx, "commune_paved_road"))
    # 174 yes and 7 no of the 181 rural communes; the 13 other of the 194 have no row: no data
    assert title == "Có / không" and labels == ["không (7)", "có (174)", "không có số liệu (13)"]
    title, labels = _legend(indicator_sections.map_indicator(ctx, "p135_works"))
    assert title == "Số lượng" and not any("%" in label for label in labels)
    title, labels = _legend(indicator_sections.map_indicator(ctx, "p135_plan_mvnd"))
    assert title == "Triệu đồng" and labels[1].startswith("500–1.000")
    title, _ = _legend(indicator_sections.map_indicator(ctx, "facilities_solid"))
    assert title == "Tỷ lệ"
    assert indicator_sections.map_indicator(ctx, "commune_steering_committee") is None
    page = report_indicators.maps(ctx).data
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 5
    assert "Xã đã thành lập, kiện toàn Ban Chỉ đạo cấp xã: có" in _text(page)


def test_figures_after_the_report_date_are_left_out(sample_prepared):
    # as of 04/08/2023: the road figures (31/12/2023) are not yet there; the steering
    # committees (30/06/2023) and Programme 135 (2018) are
    ctx = report.context("20", None, "2023", "2023-08-04", "vi", sample_prepared)
    codes = set(indicator_facts.area_figures(ctx)["indicator"])
    assert "commune_paved_road" not in codes and {"commune_steering_committee", "p135_works"} <= codes
    assert "Đến hết năm 2023" not in " ".join(write_summary(ctx))


def test_no_indicator_section_without_indicators(sample_prepared, tmp_path):
    # Sốp Cộp (Sơn La) has no indicator rows in the sample
    sop_cop = report.context("14", "127", "2023", "2023-11-30", "vi", sample_prepared)
    for show in (
        report_indicators.section,
        report_indicators.figures,
        report_indicators.units_table,
        report_indicators.maps,
    ):
        assert show(sop_cop) is None
    assert summary_facts(sop_cop).indicators == ()
    # data prepared before indicators existed: no section, and the batch still fingerprints it
    old = tmp_path / "processed"
    shutil.copytree(sample_prepared, old)
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["outputs"]["indicators.parquet"]
    write_json(old / "manifest.json", manifest)
    (old / "indicators.parquet").unlink()
    ctx = report.context("20", "187", "2023", "", "vi", old)
    assert report_indicators.section(ctx) is None and report_indicators.maps(ctx) is None
    assert "" in fingerprint.input_digests("20", old)


# --- the programme filter -----------------------------------------------------------------------

# Hand-made finance: Chi Lăng (187) has NTP 1719 and Programme 135 money; Lạng Sơn city (178)
# NTP 1719 only. District rows (no commune).
#   Chi Lăng, NTP 1719: plan 100 + 60 = 160, disbursed 40 + 30 = 70, rate 43,75%
#   Chi Lăng, Programme 135: plan 50, disbursed 10, rate 20,00%
#   (both summed together, as before the filter: 210 and 80, 38,10%: never shown)
#   province, NTP 1719: plan 160 + 200 = 360, disbursed 70 + 50 = 120, rate 33,33%
FINANCE = """\
year,as_of,province_code,district_code,commune_code,programme,project,capital_type,fund,plan_mvnd,disbursed_mvnd
2023,2023-06-30,20,187,,ntp1719,DA4,investment,current,100,40
2023,2023-06-30,20,187,,,DA10,recurrent,current,60,30
2023,2023-06-30,20,187,,Chương trình 135,Tiểu dự án 1,investment,current,50,10
2023,2023-06-30,20,178,,NTP 1719,DA4,investment,current,200,50
"""


@pytest.fixture(scope="module")
def two_programmes(tmp_path_factory) -> Path:
    from analysis.store.prepare import prepare

    folder = tmp_path_factory.mktemp("two-programmes")
    finance = folder / "finance.csv"
    finance.write_text(FINANCE, encoding="utf-8")
    out = folder / "processed"
    prepare(finance=finance, indicators=None, out=out)
    return out


def test_reports_sum_one_programme(two_programmes):
    ntp = report.context("20", "187", 2023, None, "vi", two_programmes)
    total = headline(ntp.snapshot)["total"].iloc[0]
    assert (ntp.programme, total["plan_mvnd"], total["disbursed_mvnd"]) == ("ntp1719", 160, 70)
    assert round(total["rate"], 4) == 0.4375
    p135 = report.context("20", "187", 2023, None, "vi", two_programmes, programme="Chương trình 135")
    total = headline(p135.snapshot)["total"].iloc[0]
    assert (p135.programme, total["plan_mvnd"], total["disbursed_mvnd"]) == ("p135", 50, 10)
    # the district against its province counts the same programme: 43,75% against 33,33%, 1st of 2
    position = summary_facts(ntp).position
    assert (round(position.province_rate, 4), position.rank, position.n) == (0.3333, 1, 2)
    assert summary_facts(p135).position is None  # the only district with Programme 135 money
    assert "Tổng cộng đã giải ngân 10 triệu đồng, đạt 20,00% tổng kế hoạch vốn." in " ".join(write_summary(p135))


def test_the_title_names_the_programme(two_programmes):
    ntp = report.context("20", "187", 2023, None, "vi", two_programmes)
    assert "<h1>Chương trình MTQG 1719: Huyện Chi Lăng, tỉnh Lạng Sơn</h1>" in report.title(ntp).data
    p135 = report.context("20", "187", 2023, None, "en", two_programmes, programme="p135")
    assert "<h1>Programme 135: Huyện Chi Lăng, Lạng Sơn province</h1>" in report.title(p135).data
    assert report_maps._source(p135).startswith("Programme 135 figures to")


def test_a_programme_without_money_in_the_area_is_a_clear_error(two_programmes):
    with pytest.raises(ParameterError, match=r"no finance data of Programme 135 \(p135\).*ntp1719 \(NTP 1719\)"):
        report.context("20", "178", 2023, None, "vi", two_programmes, programme="p135")
    with pytest.raises(ParameterError, match="unknown programme 'p999'; known programmes: ntp1719"):
        report.context("20", "187", 2023, None, "vi", two_programmes, programme="p999")


def test_programme_file_names():
    assert report_filename("187", "Huyện Chi Lăng", programme="ntp1719") == "187-chi-lang.html"
    assert report_filename("187", "Huyện Chi Lăng", programme="p135") == "187-chi-lang.p135.html"
    assert report_filename("187", "Huyện Chi Lăng", lang="en", programme="30a") == "187-chi-lang.p30a.en.html"
    assert report_filename(lang="en", notebook="province_overview", programme="p135") == "overview.p135.en.html"


@pytest.fixture
def stamping_render(stamp_render):
    """The notebook run replaced by one that stamps its page as render_report does (fast)."""
    return stamp_render(lambda notebook, parameters, html, pool: (notebook, dict(parameters), html))


def test_programmes_batch_side_by_side(stamping_render, two_programmes, tmp_path):
    options = RunOptions(lang="vi", jobs=1, out_dir=tmp_path, progress=False, data_dir=two_programmes)
    ntp = run_batch("20", 2023, options=options)
    ntp_files = {p.name for p in ntp.folder.iterdir()}
    stamping_render.clear()
    p135 = run_batch("20", 2023, options=options.replace(programme="p135"))
    assert {params["programme"] for _, params, _ in stamping_render} == {"p135"}
    names = {out.name for *_, out in stamping_render}
    assert "187-chi-lang.p135.html" in names and "overview.p135.html" in names
    assert p135.index.name == "index.p135.html" and p135.programme == "p135"
    assert "Báo cáo Chương trình 135: tỉnh Lạng Sơn, năm 2023" in p135.index.read_text(encoding="utf-8")
    # NTP 1719's pages are all still there, untouched by Programme 135's
    assert ntp_files <= {p.name for p in p135.folder.iterdir()}
    assert all(not name.endswith(".p135.html") for name in ntp_files)
    # the programme is a parameter: part of each report's fingerprint
    _, params, _ = stamping_render[0]
    other = params | {"programme": "ntp1719"}
    assert fingerprint.report_fingerprint("district_report", params, "d", "c") != fingerprint.report_fingerprint(
        "district_report", other, "d", "c"
    )
    stamping_render.clear()
    again = run_batch("20", 2023, options=options.replace(programme="p135"))
    assert stamping_render == [] and again.index_skipped


def test_cli_programme(stamping_render, two_programmes, tmp_path, capsys):
    argv = [
        "report",
        "--province",
        "20",
        "--district",
        "187",
        "--programme",
        "p135",
        "--data",
        str(two_programmes),
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    assert Path(capsys.readouterr().out.strip()).name == "187-chi-lang.p135.html"
    assert stamping_render[0][1]["programme"] == "p135"
    assert main(["batch", "--province", "all", "--programme", "p135", "--data", str(two_programmes)]) == 2
    assert "--programme other than ntp1719 is for one province at a time" in capsys.readouterr().err


# --- the batch re-renders what indicators changed -----------------------------------------------


def _changed_indicators(prepared: Path, tmp_path: Path, district: str = "187") -> Path:
    """A copy of the prepared data where one road figure of a commune of ``district`` flips,
    with the manifest's hash of indicators.parquet updated to match."""
    copy = tmp_path / "processed"
    shutil.copytree(prepared, copy)
    rows = pd.read_parquet(copy / "indicators.parquet")
    at = rows.index[(rows["district_code"] == district) & (rows["indicator"] == "commune_paved_road")][0]
    rows.loc[at, "value"] = 1.0 - rows.loc[at, "value"]
    rows.to_parquet(copy / "indicators.parquet", index=False)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["indicators.parquet"] = sha256_file(copy / "indicators.parquet")
    write_json(copy / "manifest.json", manifest)
    return copy


def test_changed_indicators_rerender_their_district_and_the_overview(stamping_render, sample_prepared, tmp_path):
    options = RunOptions(lang="vi", jobs=1, out_dir=tmp_path / "reports", progress=False)
    first = run_batch("20", 2023, options=options.replace(data_dir=sample_prepared))
    assert len(first.rendered) == 12
    stamping_render.clear()
    run_batch("20", 2023, options=options.replace(data_dir=_changed_indicators(sample_prepared, tmp_path)))
    assert sorted(params.get("district") or notebook for notebook, params, _ in stamping_render) == [
        "187",
        "province_overview",
    ]


# --- the interactive map formats counts and amounts as numbers --------------------------------


def test_interactive_map_numbers_are_not_percentages():
    # hand-made: two squares, 3 works and 1.250,5 million VND; yes/no by its class label
    assert value_text(3.0, 2, "indicator_count") == "3"
    assert value_text(1250.5, 3, "indicator_amount") == "1.250,5"
    assert value_text(1250.5, 3, "indicator_amount", "en") == "1,250.5"
    assert value_text(0.0, 0, "indicator_yes_no") == "không"
    assert value_text(0.961, 5, "indicator_share") == "96,10%"
    assert value_text(0.3, 0, "disbursement_rate") == "30,00%"
    gdf = gpd.GeoDataFrame(
        {"name": ["A", "B"], "works": [3.0, 1250.5]},
        geometry=[box(105.0, 21.0, 105.1, 21.1), box(105.1, 21.0, 105.2, 21.1)],
        crs=4326,
    )
    page = svg_map(gdf, "works", "indicator_count", "name", "vi")
    assert "<title>A: 3</title>" in page and "<title>B: 1.250,5</title>" in page and "%" not in page.split("<svg")[1]


# --- the rendered overview ----------------------------------------------------------------------


@pytest.mark.slow
def test_rendered_province_overview_states_the_seed_figures(sample_prepared, tmp_path):
    from analysis.run.render import render_report

    out = render_report(
        "province_overview",
        {
            "province": "20",
            "year": "2023",
            "as_of": "",
            "lang": "vi",
            "data_dir": sample_prepared,
            "baseline_year": "",
            "programme": "ntp1719",
        },
        tmp_path / "overview.html",
    )
    page = out.read_text(encoding="utf-8")
    text = _text(page)
    for figure in SEED_VI:
        assert figure in text, figure
    assert "Các chỉ tiêu theo đơn vị hành chính" in text and "Bản đồ chỉ tiêu" in text
    assert "174/181 xã (96,1%)" in text and "11 xã (2021–2023)" in text  # the figures table
    assert "<title>Chương trình MTQG 1719: tỉnh Lạng Sơn</title>" in page
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # still offline
