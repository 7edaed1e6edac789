"""Data keyed to the units of 1/7/2025 from the start: detected, prepared, reported (issue #19).

The tables are written here, by hand: 2026 finance of twelve of Lạng Sơn's 65 new communes
(province 20, no district column) and their poverty for 2025 and 2026. The figures are chosen
so that every total below can be worked out on paper:

* the rows name no programme: from 2026 they are the integrated programme of 2026–2030's
  (``ntp2026``), whose components are HP1 and HP2;
* commune *i* (0…11, in code order) plans 100.5 + i million VND of component 1 (HP1),
  investment, current funds, and has disbursed 40.25 + i; and plans 50.5 of component 2 (HP2),
  recurrent, funds of 2025 carried over, with 25.25 disbursed;
* so the province plans 12 × 100.5 + (0 + 1 + … + 11) = 1,206 + 66 = 1,272 of investment
  (disbursed 12 × 40.25 + 66 = 549) and 12 × 50.5 = 606 carried over (disbursed 303):
  1,878 in all, 852 disbursed, 45.37 %;
* commune *i* counts 1,000 households, 200 − i poor in 2025 and 180 − i in 2026: the first
  commune's rate falls from 20.00 % to 18.00 %, 2.0 points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.catalog.units_2025 import new_units
from analysis.errors import InputFileError
from analysis.inputs.readers import read_table
from analysis.inputs.schema import FINANCE, without_districts
from analysis.inputs.unit_detection import NEW, OLD, decide_units, unit_evidence
from analysis.store.prepare import prepare
from analysis.store.prepared import read_prepared

N = 12
FIN_HEADER = "year,as_of,province_code,commune_code,project,capital_type,fund,plan_mvnd,disbursed_mvnd"


def _communes() -> list[str]:
    u = new_units()
    return sorted(u.loc[u["province_code"] == "20", "commune_code"])[:N]


def _finance_lines() -> list[str]:
    lines = [FIN_HEADER]
    for i, code in enumerate(_communes()):
        lines.append(f"2026,2026-06-30,20,{code},HP1,investment,current,{100 + i}.5,{40 + i}.25")
        lines.append(f"2026,2026-06-30,20,{code},HP2,recurrent,carried_over,50.5,25.25")
    return lines


def _write(folder: Path, finance: list[str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pov = ["year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"]
    for i, code in enumerate(_communes()):
        pov.append(f"2025,{code},1000,{200 - i},100,900,{180 - i}")
        pov.append(f"2026,{code},1000,{180 - i},100,900,{160 - i}")
    paths = {"finance": folder / "finance.csv", "poverty": folder / "poverty.csv"}
    paths["finance"].write_text("\n".join(finance) + "\n", encoding="utf-8")
    paths["poverty"].write_text("\n".join(pov) + "\n", encoding="utf-8")
    return paths


def _prepare(paths: dict[str, Path], out: Path, **kw):
    return prepare(finance=paths["finance"], poverty=paths["poverty"], communes=None, indicators=None, out=out,
                   today="2026-12-01", **kw)  # fmt: skip


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    work = tmp_path_factory.mktemp("native")
    return _prepare(_write(work / "in", _finance_lines()), work / "prepared")


def test_a_2026_table_of_new_communes_prepares_with_no_rejects(native):
    m = native.manifest
    assert m["units"] == "2025-native"
    assert m["provinces"] == ["20"] and m["districts"] == []
    assert native.tables["finance"].n_accepted == 2 * N and native.tables["finance"].n_rejected == 0
    assert native.tables["poverty"].n_accepted == 2 * N and len(native.rejects) == 0
    fin = read_prepared(native.out_dir, "finance")
    assert fin["district_code"].isna().all() and set(fin["province_code"]) == {"20"}
    assert set(fin["programme"]) == {"ntp2026"}  # 2026 rows without a programme: the integrated one
    by_component = fin.groupby("project")[["plan_mvnd", "disbursed_mvnd"]].sum()
    assert by_component.loc["HP1"].tolist() == pytest.approx([1272.0, 549.0])
    assert by_component.loc["HP2"].tolist() == pytest.approx([606.0, 303.0])
    by_type = fin.groupby("capital_type")["plan_mvnd"].sum()
    assert by_type["investment"] == pytest.approx(1272.0) and by_type["recurrent"] == pytest.approx(606.0)
    # hand-worked above: 1,272 + 606 planned, 549 + 303 disbursed
    by_fund = fin.groupby("fund")[["plan_mvnd", "disbursed_mvnd"]].sum()
    assert by_fund.loc["current"].tolist() == pytest.approx([1272.0, 549.0])
    assert by_fund.loc["carried_over"].tolist() == pytest.approx([606.0, 303.0])


def test_every_new_commune_of_the_province_is_on_the_map(native):
    communes = read_prepared(native.out_dir, "communes")
    assert len(communes) == 65  # Lạng Sơn's communes and wards of 1/7/2025
    assert int(communes["has_finance"].sum()) == N
    # the sample's boundaries are of the old communes: dissolved, and said so
    assert native.manifest["boundaries"]["vintage"] == "pre-2025"
    assert communes["boundary_source"].str.startswith("derived").all()


def test_one_old_unit_row_is_refused_naming_it(tmp_path):
    lines = _finance_lines()
    lines.append("2026,2026-06-30,20,178,06481,HP1,investment,current,10.5,1.25")  # a district: old units
    lines[0] = FIN_HEADER.replace("province_code,", "province_code,district_code,")
    lines[1:-1] = [ln.replace(",20,", ",20,,", 1) for ln in lines[1:-1]]
    with pytest.raises(InputFileError) as err:
        _prepare(_write(tmp_path / "in", lines), tmp_path / "prepared")
    text = str(err.value)
    # the header is row 1, the 24 rows of new communes rows 2-25: the old-unit row is row 26
    assert "mixes the units before and after" in text and "row 26 (district code 178)" in text
    assert not (tmp_path / "prepared").exists()


def test_an_old_only_commune_code_is_an_old_unit_row(tmp_path):
    lines = _finance_lines()
    old_only = "06484"  # Xã Thượng Cường, Chi Lăng: a code the reform did not keep
    assert old_only not in set(new_units()["commune_code"])
    lines.append(f"2026,2026-06-30,20,{old_only},HP1,investment,current,10.5,1.25")
    with pytest.raises(InputFileError, match=rf"row 26 \(commune code {old_only}, a commune before 1/7/2025 only\)"):
        _prepare(_write(tmp_path / "in", lines), tmp_path / "prepared")


def test_the_old_units_asked_of_a_new_file_are_refused(tmp_path):
    paths = _write(tmp_path / "in", _finance_lines())
    ev = unit_evidence("finance", read_table(paths["finance"], without_districts(FINANCE)))
    assert ev.all_codes_new and ev.years_new[:2] == [2, 3]
    assert decide_units({"finance": ev}) == NEW
    assert decide_units({"finance": ev}, NEW) == NEW


def test_2026_figures_keyed_to_the_old_units_get_the_way_to_convert(tmp_path):
    path = tmp_path / "finance.csv"
    path.write_text("year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,"
                    "disbursed_mvnd\n2026,2026-06-30,20,180,06484,DA1,investment,current,10.5,1.25\n",
                    encoding="utf-8")  # fmt: skip
    ev = unit_evidence("finance", read_table(path, without_districts(FINANCE)))
    with pytest.raises(InputFileError, match="convert --to 2025"):
        decide_units({"finance": ev})
    assert decide_units({"finance": ev}, OLD) == OLD  # asked for: the user converts later


def test_the_sample_is_still_read_as_the_old_units(tmp_path):
    from analysis.config import SAMPLE_FILES

    ev = unit_evidence("finance", read_table(SAMPLE_FILES["finance"], without_districts(FINANCE)))
    assert ev.says == OLD and not ev.new
    with pytest.raises(InputFileError, match="--units 2025 was asked"):
        decide_units({"finance": ev}, NEW)


def test_a_commune_of_another_province_is_rejected_with_both(tmp_path):
    lines = _finance_lines()
    code = _communes()[0]
    lines.append(f"2026,2026-06-30,14,{code},HP1,investment,current,10.5,1.25")  # Lạng Sơn's commune, Sơn La's code
    result = _prepare(_write(tmp_path / "in", lines), tmp_path / "prepared")
    rejects = result.tables["finance"].rejects
    assert rejects["row"].tolist() == [26]
    assert rejects["reason"].iloc[0].startswith(f"commune '{code}' (") and "is in province 20, not 14" in (
        rejects["reason"].iloc[0]
    )


def test_a_1719_project_in_2026_is_not_a_component(tmp_path):
    lines = _finance_lines()
    lines.append(f"2026,2026-06-30,20,{_communes()[1]},DA4,investment,current,10.5,1.25")
    result = _prepare(_write(tmp_path / "in", lines), tmp_path / "prepared")
    rejects = result.tables["finance"].rejects
    assert rejects["row"].tolist() == [26]
    assert rejects["reason"].iloc[0] == "'DA4' is not a project code of NTP 2026–2030 (ntp2026)"
    assert "HP1 or HP2" in rejects["fix"].iloc[0]


def test_the_province_and_its_communes_render(native, tmp_path):
    from analysis.run.batch import run_batch
    from analysis.run.options import RunOptions
    from tests.visible_text import visible_text

    first = _communes()[0]
    result = run_batch("20", 2026, communes=[first], options=RunOptions(
        lang="vi", jobs=1, data_dir=native.out_dir, out_dir=tmp_path / "reports", progress=False))  # fmt: skip
    assert result.ok, result.summary()
    pages = sorted(p.name for p in (tmp_path / "reports").rglob("*.html") if p.name != "index.html")
    assert len(pages) == 2  # the province overview and the one commune asked for
    overview = visible_text(next((tmp_path / "reports").rglob("overview.html")).read_text("utf-8"))
    assert "Đơn vị hành chính từ ngày 01/7/2025" in overview
    assert "Chương trình MTQG giai đoạn 2026–2030" in overview and "1719" not in overview
    assert "danh mục tạm thời" in overview  # the components' contents are provisional: said so
    assert "Theo hợp phần và loại vốn" in overview  # components, not 1719's projects
    assert "HP1" in overview and "HP2" in overview
    assert "1.878" in overview and "45,37%" in overview  # hand-worked: 852 / 1,878
    commune = visible_text(next((tmp_path / "reports").rglob(f"{first}-*.html")).read_text("utf-8"))
    assert "18,00%" in commune and "giảm 2,0 điểm phần trăm" in commune  # 180/1,000 after 200/1,000
    assert "quy đổi" not in commune  # nothing was converted


# --- the poverty standard of 2027 (Nghị định 351/2025/NĐ-CP) ---------------------------------


@pytest.fixture(scope="module")
def to_2027(tmp_path_factory):
    """2027 figures: finance as above a year on, poverty for 2026 (the 2022–2025 standard,
    kept for 2026) and 2027 (the new standard): the first commune 180 then 150 poor of 1,000."""
    work = tmp_path_factory.mktemp("to2027")
    lines = [ln.replace("2026,2026-06-30", "2027,2027-06-30") for ln in _finance_lines()]
    paths = _write(work / "in", lines)
    pov = ["year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"]
    for i, code in enumerate(_communes()):
        pov.append(f"2026,{code},1000,{180 - i},100,900,{160 - i}")
        pov.append(f"2027,{code},1000,{150 - i},100,900,{130 - i}")
    paths["poverty"].write_text("\n".join(pov) + "\n", encoding="utf-8")
    return prepare(finance=paths["finance"], poverty=paths["poverty"], communes=None, indicators=None,
                   out=work / "prepared", today="2027-12-01").out_dir  # fmt: skip


def test_no_change_is_computed_across_a_new_poverty_standard_by_default(to_2027):
    from analysis.report.area import context

    ctx = context("20", year=2027, data_dir=to_2027, level="commune", commune=_communes()[0])
    assert ctx.poverty_year == 2027 and ctx.baseline_year == 2027  # 2026 counted under the old standard
    assert ctx.standard_break == ""


def test_a_change_asked_across_the_break_says_so(to_2027):
    from analysis.report.area import context
    from analysis.report.sections.finance import headline_figures

    ctx = context("20", year=2027, data_dir=to_2027, level="commune", commune=_communes()[0], baseline_year=2026)
    assert "năm 2026 theo Nghị định 07/2021/NĐ-CP, năm 2027 theo Nghị định 351/2025/NĐ-CP" in ctx.standard_break
    text = headline_figures(ctx).data
    # 150/1,000 after 180/1,000: −3.0 points, with the break beside it
    assert "−3,0 điểm % so với năm 2026 (hai chuẩn nghèo khác nhau" in text


def test_a_boundary_file_of_the_new_communes_is_used_as_it_is(native, tmp_path):
    """A GeoPackage of the 65 new communes (here: the polygons of the prepared data above,
    written out as a user's file would be) is matched by code, not dissolved again."""
    import geopandas as gpd

    communes = gpd.read_parquet(native.out_dir / "communes.parquet")[["commune_code", "commune_name", "geometry"]]
    new_file = tmp_path / "xa_2025.gpkg"
    communes.rename(columns={"commune_code": "ma_xa"}).to_file(new_file, layer="xa", driver="GPKG")
    paths = _write(tmp_path / "in", _finance_lines())
    result = _prepare(paths, tmp_path / "prepared", boundaries=new_file, code_column="ma_xa")
    assert result.manifest["boundaries"]["vintage"] == "2025"
    prepared = read_prepared(result.out_dir, "communes")
    assert set(prepared["boundary_source"]) == {"boundary file xa_2025.gpkg"}
    assert set(result.match_report["status"]) == {"matched_code"} and len(result.match_report) == 65
