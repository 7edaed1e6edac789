"""Reports by the units of the 2025 reform: per new commune, the new province's overview with
the former districts as a reference layer, and the batch that renders them in one command.

The sample (Lạng Sơn and Sốp Cộp, prepared by the ``sample_prepared`` fixture) is converted
once for the module with the package's crosswalk. Expected figures were worked out by hand
from the rows of ``data/sample/finance.csv`` and say so.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.collections import Collection
from matplotlib.legend import Legend

from analysis import report
from analysis.cli import main
from analysis.common.storage import sha256_file, write_json
from analysis.errors import ParameterError
from analysis.metrics.finance import disbursement, latest_snapshot, progress
from analysis.report import reform_estimates
from analysis.report.reform_maps import REFERENCE_GID
from analysis.run.batch import run_batch
from analysis.run.batch_plan import batch_plan
from analysis.run.converted_data import ensure_converted
from analysis.run.options import RunOptions
from analysis.run.outputs import report_filename
from analysis.run.row_digests import input_digests_2025
from analysis.store.convert import convert_prepared

AS_OF = "2023-08-04"  # Chi Lăng's published date: its district reported on 04/08, the others on 30/06
HREF = re.compile(r"href='([^']+)'")
#: New communes holding a piece of a divided old commune (docs/reform-2025.md: 06079 → 06079,
#: 06184; 06622 → 06613, 06625; 06625 → 06625, 06637): their figures are partly estimated.
ESTIMATED = {"06079", "06184", "06613", "06625", "06637"}


@pytest.fixture(scope="module")
def converted(sample_prepared, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reform-reports") / "processed-2025"
    return convert_prepared(sample_prepared, out).out_dir


@pytest.fixture(scope="module")
def quan_son(converted):
    """Xã Quan Sơn (06517), formed from Xã Hữu Kiên (06514) and Xã Quan Sơn (06517) of Chi Lăng."""
    return report.context("20", "187", "2023", AS_OF, "vi", converted, level="commune", commune="06517")


@pytest.fixture(scope="module")
def overview(converted):
    return report.context("Lạng Sơn", None, "2023", AS_OF, "vi", converted, level="commune")


# --- finance snapshots per reporting district -------------------------------------------------


def test_latest_snapshot_is_taken_per_source_district_on_converted_rows():
    # Hand-worked: one new commune, two old districts that reported on different dates.
    # 187 reported 30/06 (plan 100, disbursed 20) and 04/08 (100, 45); 183 reported 30/06
    # (300, 60) and 30/09 (300, 150). As of 04/08: 187's 04/08 and 183's 30/06 rows:
    # plan 100 + 300 = 400, disbursed 45 + 60 = 105, rate 105 / 400 = 26.25 %.
    rows = pd.DataFrame({
        "year": [2023] * 4,
        "as_of": pd.to_datetime(["2023-06-30", "2023-08-04", "2023-06-30", "2023-09-30"]),
        "district_code": pd.array([pd.NA] * 4, dtype="string"),  # no districts after the reform
        "source_district_code": ["187", "187", "183", "183"],
        "commune_code": ["06517"] * 4,
        "plan_mvnd": [100.0, 100.0, 300.0, 300.0],
        "disbursed_mvnd": [20.0, 45.0, 60.0, 150.0],
    })  # fmt: skip
    snap = latest_snapshot(rows, 2023, AS_OF)
    assert sorted(zip(snap["source_district_code"], snap["disbursed_mvnd"], strict=True)) == [
        ("183", 60.0), ("187", 45.0)
    ]  # fmt: skip
    total = disbursement(snap).iloc[0]
    assert (total["plan_mvnd"], total["disbursed_mvnd"]) == (400.0, 105.0)
    assert total["rate"] == pytest.approx(0.2625)
    # through the year: 30/06 both 30/06 rows (80); 04/08 as above (105); 30/09 45 + 150 = 195
    prog = progress(rows, 2023)
    assert prog["disbursed_mvnd"].tolist() == [80.0, 105.0, 195.0]
    assert prog["rate"].tolist() == pytest.approx([0.2, 0.2625, 0.4875])


def test_old_rows_keep_their_district_snapshots():
    rows = pd.DataFrame({"year": [2023, 2023], "district_code": ["187", "183"],
                         "as_of": pd.to_datetime(["2023-08-04", "2023-06-30"]),
                         "plan_mvnd": [1.0, 1.0], "disbursed_mvnd": [1.0, 1.0]})  # fmt: skip
    assert len(latest_snapshot(rows, 2023)) == 2


# --- loading an area of the new units ----------------------------------------------------------


def test_load_area_resolves_new_provinces_and_communes(converted):
    from analysis.store.areas import load_area

    area = load_area("Lạng Sơn", data_dir=converted)
    assert (area.province_code, area.province_name, area.level) == ("20", "Lạng Sơn", "province")
    assert len(area.province_communes) == 65 and area.coverage == {"communes_official": 65,
                                                                   "communes_with_data": 65}
    assert area.districts["reference_only"].all() and len(area.districts) == 11
    assert set(area.rejects["province_code"]) == {"20"} and len(area.rejects) == 3  # the sample's 3 rejects
    assert set(area.warnings["province_code"]) == {"20"}
    sop_cop = load_area("Sơn La", data_dir=converted)
    assert sop_cop.rejects.empty and set(sop_cop.warnings["province_code"]) == {"14"}
    assert sop_cop.coverage["communes_with_data"] == 4 and sop_cop.coverage["communes_official"] > 4

    commune = load_area("20", data_dir=converted, commune="Xã Quan Sơn")  # "Quan Sơn" alone: see units.unit_key
    assert (commune.level, commune.commune_code, commune.name) == ("commune", "06517", "Xã Quan Sơn")
    assert set(commune.finance["commune_code"]) == {"06517"} and len(commune.communes) == 1
    # its warnings are those of its two old communes (keyed to the old codes)
    assert set(commune.warnings["commune_code"]) <= {"06514", "06517"} and len(commune.warnings) > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"province": "Hà Giang"}, r"became part of Tuyên Quang \(08\)"),
        ({"province": "20", "commune": "06514"}, r"former commune.*part of Xã Quan Sơn \(06517\)"),
        ({"province": "20", "district": "187"}, "no districts"),
        ({"province": "20", "commune": "Xyz"}, "unknown commune 'Xyz'"),
    ],
)
def test_converted_data_says_which_unit_to_ask_for(converted, kwargs, match):
    from analysis.store.areas import load_area

    with pytest.raises(ParameterError, match=match):
        load_area(data_dir=converted, **kwargs)


def test_level_commune_needs_converted_data(sample_prepared, converted):
    with pytest.raises(ParameterError, match="needs data converted to the 2025 units"):
        report.context("20", None, "2023", AS_OF, "vi", sample_prepared, level="commune")
    with pytest.raises(ParameterError, match="level must be"):
        report.context("20", None, "2023", AS_OF, "vi", converted, level="huyện")
    with pytest.raises(ParameterError, match="no districts"):
        report.context("20", "187", "2023", AS_OF, "vi", converted, level="district")


# --- a report per new commune ---------------------------------------------------------------------


def test_a_merged_commune_sums_its_old_communes_and_recomputes_the_rate(quan_son):
    # Hand-worked from data/sample/finance.csv, rows 9310–9331 (as of 04/08/2023, Chi Lăng):
    #   06514 Hữu Kiên  plan 1285 + 120.744 + 2235 + 35.233 + 1287 + 379.964 + 133 + 32.184 + 241 = 5749.125
    #                   disbursed 761.032 + 32.912 + 123.606 + 1.511 + 511.099 + 128.805 + 7.555 + 1.356
    #                   + 9.639 = 1577.515
    #   06517 Quan Sơn  plan 1788 + 1718 + 22.701 + 1455 + 399 + 1534 + 2020 + 98.463 + 538 + 14.529 + 563
    #                   + 296 + 25.123 = 10471.816; disbursed 1024.954 + 107.122 + 0.845 + 623.018 + 176.218
    #                   + 68.508 + 1020.747 + 35.132 + 22.474 + 0.749 + 312.002 + 10.064 + 0 = 3401.833
    # New Xã Quan Sơn: plan 16220.941, disbursed 4979.348, rate 4979.348 / 16220.941 = 30.697 %;
    # the average of the two old rates (27.439 % and 32.486 %) would be 29.96 %: not what is shown.
    assert quan_son.level == "commune" and quan_son.area.name == "Xã Quan Sơn"
    assert quan_son.snapshot["district_code"].isna().all()
    assert set(quan_son.snapshot["source_district_code"]) == {"187"}
    assert set(quan_son.snapshot["as_of"]) == {pd.Timestamp(AS_OF)}
    (rows, _), _ = report.headline_frames(quan_son)
    total = rows.iloc[-1]
    assert total["plan_mvnd"] == pytest.approx(16220.941)
    assert total["disbursed_mvnd"] == pytest.approx(4979.348)
    assert total["rate"] == pytest.approx(4979.348 / 16220.941)
    assert total["rate"] != pytest.approx((1577.515 / 5749.125 + 3401.833 / 10471.816) / 2, abs=1e-3)
    # DA2, investment (rows 9310, 9311, 9322, 9323): plan 1285 + 120.744 + 1455 + 399 = 3259.744,
    # disbursed 761.032 + 32.912 + 623.018 + 176.218 = 1593.180
    projects, _ = report.project_frame(quan_son)
    da2 = projects.set_index("project").loc["DA2"]
    assert (da2["plan_mvnd"], da2["disbursed_mvnd"]) == pytest.approx((3259.744, 1593.180))
    assert da2["rate"] == pytest.approx(1593.180 / 3259.744)


def test_a_commune_report_says_what_it_was_formed_from(quan_son):
    html = report.title(quan_son).data
    assert "Xã Quan Sơn, tỉnh Lạng Sơn" in html
    assert "Hợp nhất từ 2 xã cũ: Xã Hữu Kiên (Huyện Chi Lăng), Xã Quan Sơn (Huyện Chi Lăng)." in html
    assert "01/7/2025" in html and "ước tính" not in html  # nothing of Quan Sơn is estimated
    table = report.units_table(quan_son).data
    assert report.section(quan_son, "units").data.count("Các xã cũ hợp thành") == 1
    assert "06514" in table and "Xã Hữu Kiên" in table and "hợp nhất" in table
    summary = report.summary(quan_son).data
    assert "xã Quan Sơn" in summary and "30,70%" in summary


def test_estimated_figures_are_marked(converted, overview):
    hong_phong = report.context("20", None, "2023", AS_OF, "en", converted, level="commune", commune="06079")
    title = report.title(hong_phong).data
    # half of old Hồng Phong (06079, Bình Gia) is counted: the package gives no shares, so equal
    assert "Xã Hồng Phong (Huyện Bình Gia, 50.00%)" in title
    assert "Estimated" in title and "equal shares" in title
    former, cols = reform_estimates.former_communes_frame(hong_phong)
    marked = dict(zip(former["old_code"], former["estimated"], strict=True))
    assert marked == {"06079": "estimated", "06094": ""}
    projects, cols = report.project_frame(hong_phong)
    assert "estimated" in cols and (projects["estimated"] == "estimated").any()
    assert "estimated" in report.headline_figures(hong_phong).data

    units, cols = report.units_frame(overview)
    assert len(units) == 65 and "estimated" in cols
    assert set(units.loc[units["estimated"] == "ước tính", "commune_code"]) == ESTIMATED
    assert "ước tính" in report.units_table(overview).data and "tỷ lệ bằng nhau" in report.title(overview).data


def test_converted_province_total_is_the_old_total_at_the_same_date(sample_prepared, overview):
    # Chi Lăng's communes at 04/08, every other district at 30/06, before and after: the same sum
    old = report.context("20", None, "2023", AS_OF, "vi", sample_prepared)
    before = disbursement(old.snapshot).iloc[0]
    after = disbursement(overview.snapshot).iloc[0]
    assert after["plan_mvnd"] == pytest.approx(before["plan_mvnd"])
    assert after["disbursed_mvnd"] == pytest.approx(before["disbursed_mvnd"])
    assert set(overview.snapshot.loc[overview.snapshot["source_district_code"] == "187", "as_of"]) == {
        pd.Timestamp(AS_OF)
    }
    assert overview.unit_col == "commune_code" and overview.level == "province"


# --- maps -----------------------------------------------------------------------------------------------


def gid_artists(ax, gid: str) -> list:
    return [a for a in ax.findobj() if a.get_gid() == gid]


def test_the_province_map_draws_the_former_districts_as_a_reference_layer(overview):
    ax = report.map_disbursement(overview).figure.axes[0]
    outlines = gid_artists(ax, REFERENCE_GID)
    assert len(outlines) == 1 and isinstance(outlines[0], Collection)
    assert outlines[0].get_linestyle()[0][1] is not None  # dashed
    legends = [a for a in ax.get_children() if isinstance(a, Legend)]
    assert len(legends) == 2  # the indicator's legend is kept
    (reference,) = gid_artists(ax, f"{REFERENCE_GID}-legend")
    assert [x.get_text() for x in reference.get_texts()] == ["Huyện cũ (trước 1/7/2025)"]
    names = {x.get_text().replace("\n", " ") for x in gid_artists(ax, f"{REFERENCE_GID}-label")}
    districts = {"Tràng Định", "Bình Gia", "Văn Lãng", "Bắc Sơn", "Văn Quan", "Cao Lộc", "Lộc Bình", "Chi Lăng",
                 "Đình Lập", "Hữu Lũng", "Lạng Sơn"}  # fmt: skip
    assert names <= districts and len(names) >= 8  # names that do not fit are left out, never misplaced
    assert all(x.get_style() == "italic" for x in gid_artists(ax, f"{REFERENCE_GID}-label"))
    # every new commune is coloured: 65 communes counted in the classes' legend
    counts = [int(m.group(1)) for x in legends[0].get_texts() if (m := re.search(r"\((\d+)\)$", x.get_text()))]
    assert sum(counts) == 65


def test_a_commune_map_shows_the_commune_its_neighbours_and_the_former_districts(quan_son):
    ax = report.map_disbursement(quan_son).figure.axes[0]
    classes = [a for a in ax.collections if (a.get_gid() or "").startswith("ntp-class-")]
    assert sum(len(c.get_paths()) for c in classes) == 1  # only the commune itself is classed
    assert gid_artists(ax, "ntp-neighbours") and gid_artists(ax, REFERENCE_GID)
    (legend,) = gid_artists(ax, f"{REFERENCE_GID}-legend")
    assert [x.get_text() for x in legend.get_texts()] == ["Huyện cũ (trước 1/7/2025)", "Xã, phường giáp ranh"]
    assert ax.child_axes  # the locator inset of the new province


# --- the batch ------------------------------------------------------------------------------------------


def test_every_new_commune_gets_a_safe_file_name(converted):
    plan = batch_plan("Lạng Sơn", converted, 2023)
    assert plan.by_commune and plan.system.key == "2025" and len(plan.units) == 65 and plan.folder_suffix == "-2025"
    names = [report_filename(code, name, lang=lang) for code, name in plan.units for lang in ("vi", "en")]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"\d{5}-[a-z0-9]+(-[a-z0-9]+)*(\.en)?\.html", name), name
    assert report_filename("06517", "Xã Quan Sơn") == "06517-quan-son.html"
    assert plan.unit_parameters("06517") == {"level": "commune", "district": "", "commune": "06517"}


def changed_commune(converted: Path, tmp_path: Path, commune: str) -> Path:
    """A copy of the converted data with 100 million VND more disbursed on one row of ``commune``."""
    copy = tmp_path / "processed-2025"
    shutil.copytree(converted, copy)
    finance = pd.read_parquet(copy / "finance.parquet")
    finance.loc[finance.index[finance["commune_code"] == commune][0], "disbursed_mvnd"] += 100
    finance.to_parquet(copy / "finance.parquet", index=False)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["finance.parquet"] = sha256_file(copy / "finance.parquet")
    write_json(copy / "manifest.json", manifest)
    return copy


def test_digests_by_new_commune(converted, tmp_path):
    before = input_digests_2025("20", converted)
    assert set(before) == {""} | {code for code, _ in batch_plan("20", converted, 2023).units}
    after = input_digests_2025("20", changed_commune(converted, tmp_path, "06517"))
    assert {code for code in before if before[code] != after[code]} == {"", "06517"}


@pytest.fixture
def stamping_render(stamp_render):
    """The notebook run replaced by one that stamps its page as render_report does (fast)."""
    return stamp_render(lambda notebook, parameters, html, pool: (notebook, dict(parameters)))


def test_a_batch_by_new_commune_is_incremental(stamping_render, converted, tmp_path):
    options = RunOptions(lang="vi", jobs=2, out_dir=tmp_path / "reports", progress=False, as_of=AS_OF)
    first = run_batch("Lạng Sơn", 2023, options=options.replace(data_dir=converted))
    assert first.ok and first.units == "2025" and len(first.rendered) == 66  # 65 communes + the overview
    assert first.folder == (tmp_path / "reports" / "2023" / "lang-son-2025").resolve()
    notebook, params = stamping_render[0]
    assert notebook == "district_report" and params["level"] == "commune" and params["district"] == ""
    overview = [p for n, p in stamping_render if n == "province_overview"]
    assert overview == [overview[0]] and overview[0]["level"] == "commune" and "commune" not in overview[0]
    page = first.index.read_text(encoding="utf-8")
    assert "Báo cáo theo xã mới" in page and "ước tính" in page and "01/7/2025" in page
    links = HREF.findall(page)
    assert "06517-quan-son.html" in links and "overview.html" in links
    assert all((first.folder / link).is_file() for link in links)

    stamping_render.clear()
    second = run_batch("Lạng Sơn", 2023, options=options.replace(data_dir=converted))
    assert stamping_render == [] and len(second.skipped) == 66 and second.index_skipped

    changed = changed_commune(converted, tmp_path, "06517")
    third = run_batch("Lạng Sơn", 2023, options=options.replace(data_dir=changed))
    assert sorted(p.get("commune") or n for n, p in stamping_render) == ["06517", "province_overview"]
    assert len(third.skipped) == 64


def test_units_2025_converts_when_missing_or_older_than_the_prepared_data(sample_prepared, tmp_path):
    data = tmp_path / "processed"
    shutil.copytree(sample_prepared, data)
    messages = []
    first = ensure_converted(data, log=messages.append)
    assert first.converted and first.path == tmp_path / "processed-2025" and first.reason == "no converted data yet"
    assert ensure_converted(data, log=messages.append).converted is False
    assert ensure_converted(first.path).path == first.path  # the converted folder given itself
    assert len(messages) == 1

    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    manifest["created_at"] = "2027-01-01T00:00:00+00:00"  # prepared again since
    write_json(data / "manifest.json", manifest)
    again = ensure_converted(data, log=messages.append)
    assert again.converted and "changed" in again.reason and len(messages) == 2


def test_cli_refuses_new_communes_on_old_units(sample_prepared, tmp_path, capsys):
    argv = ["batch", "--province", "20", "--commune", "06517", "--data", str(sample_prepared), "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "need data converted to the 2025 units" in capsys.readouterr().err


@pytest.mark.slow
def test_one_command_renders_the_sample_province_per_new_commune(sample_prepared, tmp_path, capsys):
    """``ntp-atlas batch --province "Lạng Sơn" --units 2025`` end to end: conversion, notebooks
    on warm kernels, HTML. Restricted to two new communes (one merged, one holding half of a
    divided commune) with the overview and the index, to keep it short."""
    data = tmp_path / "processed"
    shutil.copytree(sample_prepared, data)
    out = tmp_path / "reports"
    argv = ["batch", "--province", "Lạng Sơn", "--units", "2025", "--commune", "06517,Hồng Phong", "--year", "2023",
            "--as-of", AS_OF, "--jobs", "2", "--data", str(data), "--out", str(out)]  # fmt: skip
    start = time.perf_counter()
    assert main(argv) == 0, capsys.readouterr()
    elapsed = time.perf_counter() - start
    printed = capsys.readouterr().out
    assert "2 new commune reports + overview" in printed and "failed  0" in printed
    assert "converted to the 2025 units" in printed
    folder = out / "2023" / "lang-son-2025"
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "06079-hong-phong.html", "06517-quan-son.html", "index.html", "overview.html"
    ]  # fmt: skip
    assert not (out / "2023" / "lang-son").exists()  # the old units' reports are never touched
    assert (tmp_path / "processed-2025" / "manifest.json").is_file()

    quan_son = (folder / "06517-quan-son.html").read_text(encoding="utf-8")
    assert "Hợp nhất từ 2 xã cũ" in quan_son and "16.220,941" in quan_son and "4.979,348" in quan_son
    assert "30,70%" in quan_son and "Các xã cũ hợp thành" in quan_son
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", quan_son)
    hong_phong = (folder / "06079-hong-phong.html").read_text(encoding="utf-8")
    assert "ước tính" in hong_phong and "tỷ lệ bằng nhau" in hong_phong
    overview = (folder / "overview.html").read_text(encoding="utf-8")
    assert "Theo xã" in overview and "ước tính" in overview
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert all((folder / link).is_file() for link in HREF.findall(index))
    print(f"one command, 2 communes + overview + index (conversion included): {elapsed:.1f} s")


def test_the_country_by_the_new_units_keeps_its_own_national_index(stamping_render, sample_prepared, tmp_path, capsys):
    data = tmp_path / "processed"
    shutil.copytree(sample_prepared, data)
    argv = ["batch", "--province", "Sơn La", "--units", "2025", "--year", "2023", "--no-pool", "--data", str(data),
            "--out", str(tmp_path / "reports")]  # fmt: skip
    assert main([*argv[:2], "14,Lạng Sơn", *argv[3:]]) == 0
    printed = capsys.readouterr().out
    assert "Sơn La 2023 (vi)" in printed and "4 new commune reports + overview" in printed
    assert "65 new commune reports + overview" in printed
    year = tmp_path / "reports" / "2023"
    assert (year / "index-2025.html").is_file() and not (year / "index.html").exists()
    assert sorted(p.name for p in year.iterdir() if p.is_dir()) == ["lang-son-2025", "son-la-2025"]
    links = HREF.findall((year / "index-2025.html").read_text(encoding="utf-8"))
    assert sorted(links) == ["lang-son-2025/index.html", "son-la-2025/index.html"]


def test_cli_report_of_one_new_commune_goes_where_the_batch_puts_it(stamping_render, converted, tmp_path, capsys):
    argv = ["report", "--province", "Lạng Sơn", "--commune", "Xã Quan Sơn", "--lang", "en", "--data", str(converted),
            "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == tmp_path.resolve() / "2023" / "lang-son-2025" / "06517-quan-son.en.html"
    (notebook, params), = stamping_render
    assert notebook == "district_report" and params["commune"] == "06517" and params["level"] == "commune"
    assert main(["report", "--province", "20", "--data", str(converted), "--out", str(tmp_path)]) == 2
    assert "give --district" in capsys.readouterr().err
