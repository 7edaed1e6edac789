"""Indicators: validation, aggregation of each kind up the hierarchy, and the seed figures.

The fixture below is four communes of Lạng Sơn, two in Chi Lăng (187) and two in Lộc Bình
(188), with a few villages; every expected figure was worked out by hand from it and is
written beside its assertion. The sample's province figures are those of the seed articles
(``../shared/seeds/``, numbers 001, 002 and 004), each assertion naming its seed.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.catalog.indicators import load_catalogue, village_code
from analysis.common.numbers import format_percent
from analysis.config import SAMPLE_DIR
from analysis.errors import InputFileError, ParameterError
from analysis.inputs.schema import INDICATORS
from analysis.inputs.validate import validate_table
from analysis.maps.classes import classify
from analysis.maps.legend_text import legend_labels
from analysis.metrics.indicators import aggregate, latest, locate
from analysis.report.indicator_figures import (
    format_figure,
    indicator_values,
    indicators_by_unit,
    legend_set_for,
    missing_note,
    province_figures,
)
from analysis.store.indicators import load_indicators

UNITS = pd.DataFrame(
    {
        "province_code": ["20"] * 4,
        "province_name": ["Lạng Sơn"] * 4,
        "district_code": ["187", "187", "188", "188"],
        "district_name": ["Chi Lăng", "Chi Lăng", "Lộc Bình", "Lộc Bình"],
        "commune_code": ["06481", "06484", "06526", "06532"],
        "commune_name": ["Xã Chiến Thắng", "Xã Mai Sao", "Thị trấn Na Dương", "Xã Mẫu Sơn"],
    }
)
NAN = np.nan
# (unit_code, indicator, value); NaN is a row with an empty value: in scope, no figure
ROWS = [
    # yes/no by commune: 06532 has no figure
    ("06481", "commune_paved_road", 1), ("06484", "commune_paved_road", 0),
    ("06526", "commune_paved_road", 1), ("06532", "commune_paved_road", NAN),
    # yes/no by village: 06526-01 has no figure
    ("06481-01", "p135_village", 1), ("06481-02", "p135_village", 0), ("06481-03", "p135_village", 1),
    ("06526-01", "p135_village", NAN),
    # a count by village, plus a commune's own works (also_at commune)
    ("06481-01", "p135_works", 2), ("06481-02", "p135_works", 1), ("06481", "p135_works", 3),
    ("06526-01", "p135_works", NAN),
    # an amount; 06526's 0 is a figure, not a gap
    ("06481-01", "p135_plan_mvnd", 100.5), ("06481", "p135_plan_mvnd", 250.25), ("06526", "p135_plan_mvnd", 0.0),
    # numerator / denominator: 06526 lacks the numerator, 06532 the denominator row
    ("06481", "households", 100), ("06481", "households_electricity", 98),
    ("06484", "households", 50), ("06484", "households_electricity", 50),
    ("06526", "households", 200), ("06526", "households_electricity", NAN),
    ("06532", "households_electricity", 10),
    # amounts tied together, by district
    ("187", "p30a_plan_mvnd", 60000), ("187", "p30a_disbursed_mvnd", 58500),
    ("188", "p30a_plan_mvnd", 40000), ("188", "p30a_disbursed_mvnd", 39500),
    # yes/no by district
    ("187", "district_steering_committee", 1), ("188", "district_steering_committee", 1),
]  # fmt: skip


@pytest.fixture
def rows() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["unit_code", "indicator", "value"])
    return frame.assign(year=2023, as_of=pd.Timestamp("2023-12-31"))[INDICATORS.names]


def _at(agg: pd.DataFrame, indicator: str, unit: str) -> dict:
    hit = agg[(agg["indicator"] == indicator) & (agg["unit_code"] == unit)]
    assert len(hit) == 1, (indicator, unit, hit)
    return hit.iloc[0].to_dict()


def _check(r: dict, value, numerator=None, denominator=None, n_units=None, missing=None) -> None:
    if value is None:
        assert math.isnan(r["value"])
    else:
        assert r["value"] == pytest.approx(value)
    for key, want in (("numerator", numerator), ("denominator", denominator), ("n_units", n_units),
                      ("units_missing", missing)):  # fmt: skip
        if want is not None:
            assert r[key] == pytest.approx(want), key


# --- aggregation, each kind, by hand ---------------------------------------------------------


def test_yes_no_share_of_units_leaves_the_unit_without_value_out(rows):
    d = aggregate(rows, UNITS, "district")
    _check(_at(d, "commune_paved_road", "187"), 0.5, 1, 2, 2, 0)  # 06481 yes, 06484 no: 1 of 2
    _check(_at(d, "commune_paved_road", "188"), 1.0, 1, 1, 1, 1)  # 06526 yes, 06532 no figure: 1 of 1
    p = aggregate(rows, UNITS, "province")
    # 2 yes of 3 communes with a figure = 66.7%; not 2 of 4 = 50% (the gap is not a "no")
    _check(_at(p, "commune_paved_road", "20"), 2 / 3, 2, 3, 3, 1)
    c = aggregate(rows, UNITS, "commune")
    _check(_at(c, "commune_paved_road", "06532"), None, 0, 0, 0, 1)


def test_yes_no_villages_roll_up_to_communes(rows):
    c = aggregate(rows, UNITS, "commune")
    _check(_at(c, "p135_village", "06481"), 2 / 3, 2, 3, 3, 0)  # villages 01 and 03 of 3
    _check(_at(c, "p135_village", "06526"), None, 0, 0, 0, 1)  # its one village has no figure
    _check(_at(c, "p135_village", "06484"), None, n_units=0, missing=0)  # no village in scope
    p = aggregate(rows, UNITS, "province")
    _check(_at(p, "p135_village", "20"), 2 / 3, 2, 3, 3, 1)
    v = aggregate(rows, UNITS, "village")
    assert sorted(v.loc[v["indicator"] == "p135_village", "unit_code"]) == [
        "06481-01", "06481-02", "06481-03", "06526-01"]  # fmt: skip


def test_count_sums_villages_and_the_communes_own_rows(rows):
    c = aggregate(rows, UNITS, "commune")
    _check(_at(c, "p135_works", "06481"), 6, n_units=3, missing=0)  # 2 + 1 (villages) + 3 (commune)
    _check(_at(c, "p135_works", "06526"), None, n_units=0, missing=1)  # never 0
    p = aggregate(rows, UNITS, "province")
    _check(_at(p, "p135_works", "20"), 6, n_units=3, missing=1)


def test_amount_sums_and_a_zero_is_a_figure(rows):
    c = aggregate(rows, UNITS, "commune")
    _check(_at(c, "p135_plan_mvnd", "06481"), 350.75, n_units=2, missing=0)  # 100.5 + 250.25
    _check(_at(c, "p135_plan_mvnd", "06526"), 0.0, n_units=1, missing=0)
    d = aggregate(rows, UNITS, "district")
    _check(_at(d, "p135_plan_mvnd", "187"), 350.75)
    _check(_at(d, "p135_plan_mvnd", "188"), 0.0)


def test_numerator_over_denominator_needs_both_figures(rows):
    d = aggregate(rows, UNITS, "district")
    _check(_at(d, "households_electricity", "187"), 148 / 150, 148, 150, 2, 0)  # (98 + 50) / (100 + 50)
    _check(_at(d, "households_electricity", "188"), None, 0, 0, 0, 2)  # 06526 no numerator, 06532 no denominator
    p = aggregate(rows, UNITS, "province")
    _check(_at(p, "households_electricity", "20"), 148 / 150, 148, 150, 2, 2)  # not (148 + 10) / 350
    _check(_at(p, "households", "20"), 350, n_units=3, missing=0)  # the denominator on its own: 100 + 50 + 200
    _check(_at(p, "p30a_disbursed_mvnd", "20"), 0.98, 98000, 100000, 2, 0)  # (58500 + 39500) / (60000 + 40000)
    _check(_at(d, "p30a_disbursed_mvnd", "187"), 0.975)  # 58500 / 60000


def test_indicators_above_the_level_are_left_out_and_every_unit_is_listed(rows):
    c = aggregate(rows, UNITS, "commune")
    assert "district_steering_committee" not in set(c["indicator"])
    assert "p30a_plan_mvnd" not in set(c["indicator"])
    # every commune of the area, for every indicator reported by commune or below
    assert (c.groupby("indicator")["unit_code"].nunique() == 4).all()
    d = aggregate(rows, UNITS, "district")
    _check(_at(d, "district_steering_committee", "187"), 1.0, 1, 1, 1, 0)
    assert _at(d, "commune_paved_road", "187")["unit_name"] == "Chi Lăng"
    with pytest.raises(ParameterError, match="level must be one of"):
        aggregate(rows, UNITS, "hamlet")


def test_rows_outside_the_units_are_left_out(rows):
    only_187 = UNITS[UNITS["district_code"] == "187"]
    p = aggregate(rows, only_187, "province")
    _check(_at(p, "commune_paved_road", "20"), 0.5, 1, 2, 2, 0)  # 06481 yes, 06484 no


def test_latest_takes_each_indicators_latest_date(rows):
    older = rows.assign(as_of=pd.Timestamp("2023-06-30"), value=0.0)
    newer_year = rows[rows["indicator"] == "p135_works"].assign(year=2024, as_of=pd.Timestamp("2024-03-31"))
    agg = aggregate(pd.concat([older, rows, newer_year]), UNITS, "province")
    last = latest(agg)
    assert set(last.loc[last["indicator"] == "p135_works", "year"]) == {2024}
    assert set(last.loc[last["indicator"] == "households", "as_of"]) == {pd.Timestamp("2023-12-31")}
    assert set(latest(agg, 2023, "2023-09-30")["as_of"]) == {pd.Timestamp("2023-06-30")}


# --- formatting ---------------------------------------------------------------------------------


def test_figures_written_out_in_both_languages(rows):
    cat, p = load_catalogue(), aggregate(rows, UNITS, "province")

    def fig(code: str, lang: str, prose: bool = False) -> str:
        return format_figure(_at(p, code, "20"), cat[code], lang, prose=prose)

    assert fig("commune_paved_road", "vi") == "2/3 xã (66,7%)"
    assert fig("commune_paved_road", "en") == "2 of 3 communes (66.7%)"
    assert missing_note(_at(p, "commune_paved_road", "20"), cat["commune_paved_road"], "vi") == "1 xã chưa có số liệu"
    assert missing_note(_at(p, "commune_paved_road", "20"), cat["commune_paved_road"], "en") == "1 commune without data"
    assert missing_note(_at(p, "households", "20"), cat["households"], "en") == ""
    assert fig("households_electricity", "vi") == "98,67% (148/150 hộ)"  # 148/150 = 98.666…%, two decimals
    assert fig("households_electricity", "en") == "98.67% (148 of 150 households)"
    assert fig("p135_works", "vi") == "6 công trình"
    assert fig("p135_plan_mvnd", "vi") == "350,750 triệu đồng"
    assert fig("p135_plan_mvnd", "en", prose=True) == "VND 0.4 billion"
    assert fig("p30a_disbursed_mvnd", "vi") == "98% (98,0/100,0 tỷ đồng)"
    assert fig("district_steering_committee", "en") == "2 of 2 districts (100%)"
    c = aggregate(rows, UNITS, "commune")
    own = cat["commune_paved_road"]
    assert [format_figure(_at(c, "commune_paved_road", u), own, "vi") for u in ("06481", "06484", "06532")] == [
        "có", "không", "–"]  # fmt: skip


def test_indicator_table_by_commune(rows):
    table = indicators_by_unit(rows, UNITS[UNITS["district_code"] == "187"], "commune", lang="vi")
    assert table.columns[:2].tolist() == ["Mã", "Đơn vị"]
    row = table.set_index("Mã").loc["06481"]
    assert row["Đơn vị"] == "Xã Chiến Thắng"
    road = "Xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông (31/12/2023)"
    assert row[road] == "có"
    assert row["Thôn đặc biệt khó khăn được đầu tư từ Chương trình 135 (31/12/2023)"] == "2/3 thôn (66,7%)"
    assert row["Công trình đầu tư xây dựng từ Chương trình 135 (31/12/2023)"] == "6 công trình"
    other = table.set_index("Mã").loc["06484"]
    assert other[road] == "không"
    assert other["Công trình đầu tư xây dựng từ Chương trình 135 (31/12/2023)"] == "–"
    assert table.attrs["notes"] == []
    whole = indicators_by_unit(rows, UNITS, "commune", lang="en")
    assert "Communes with an asphalt or concrete road to the commune centre: 1 commune without data" in (
        whole.attrs["notes"])  # fmt: skip


# --- validation ------------------------------------------------------------------------------------

HEADER = "year,as_of,unit_code,indicator,value"


def _validate(tmp_path, units, *lines: str, **kw):
    path = tmp_path / "chi_tieu.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path, validate_table(path, INDICATORS, units, **kw)


def test_valid_rows_get_their_level_and_places(tmp_path, units):
    _, result = _validate(
        tmp_path,
        units,
        "2023,31/12/2023,06481,Xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông,1",
        "2023,31/12/2023,06481-3,p135_village,1",
        "2023,31/12/2023,187,Ban chỉ đạo cấp huyện,1",
        "2023,31/12/2023,06484,households,",
    )
    assert result.n_rejected == 0, result.rejects
    acc = result.accepted
    assert acc["indicator"].tolist() == [
        "commune_paved_road", "p135_village", "district_steering_committee", "households"]  # fmt: skip
    assert acc["unit_code"].tolist() == ["06481", "06481-03", "187", "06484"]  # village number padded
    assert acc["level"].tolist() == ["commune", "village", "district", "commune"]
    assert acc["commune_code"].fillna("").tolist() == ["06481", "06481", "", "06484"]
    assert acc["district_code"].tolist() == ["187"] * 4 and acc["province_code"].tolist() == ["20"] * 4
    assert math.isnan(acc["value"].iloc[3])  # an empty value is kept as "no figure"


@pytest.mark.parametrize(
    ("line", "column", "reason", "fix"),
    [
        ("2023,31/12/2023,06481,paved roads,1", "indicator", "'paved roads' is not a known indicator",
         "commune_paved_road, households"),
        ("2023,31/12/2023,187,commune_paved_road,1", "unit_code",
         "'187' is a district code; commune_paved_road is reported by commune", "commune code such as 06481"),
        ("2023,31/12/2023,6481,commune_paved_road,1", "unit_code",
         "unit_code '6481' has 4 digits; commune_paved_road is reported by commune (5-digit codes): the leading "
         "zero was probably lost", "'06481', or re-run with --pad-codes"),
        ("2023,31/12/2023,06481,p135_village,1", "unit_code",
         "'06481' is a commune code; p135_village is reported by village", "village code such as 06481-03"),
        ("2023,31/12/2023,99999-01,p135_village,1", "unit_code",
         "unknown commune code '99999' in village code '99999-01'", "GSO unit list"),
        ("2023,31/12/2023,99999,commune_paved_road,1", "unit_code", "unknown commune code '99999'", "--units"),
        ("2023,31/12/2023,06481,commune_paved_road,0.5", "value",
         "commune_paved_road is yes/no: 0.5 is not 1 (yes) or 0 (no)", "write 1 for yes, 0 for no"),
        ("2023,31/12/2023,06481,p135_works,2.5", "value", "p135_works counts works: 2.5 is not a whole number",
         "whole number"),
        ("2023,31/12/2023,06481,p135_works,-1", "value", "value is negative", "cannot be negative"),
        ("2015,31/12/2015,06481,p135_works,1", "year", "year is not one of the indicator years 2016-2030",
         "from 2016 to 2030"),
        ("2023,31/12/2025,06481,p135_works,1", "as_of", "date of the figure is not in its year or the next",
         "in its year"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_row_column_and_fix(tmp_path, units, line, column, reason, fix):
    path, result = _validate(tmp_path, units, "2023,31/12/2023,06484,p135_works,1", line)
    assert result.accepted["_row"].tolist() == [2] and result.reconciles()
    hit = result.rejects[result.rejects["row"] == 3]
    assert len(hit) == 1, hit
    hit = hit.iloc[0]
    assert (hit["file"], hit["column"]) == (str(path), column)
    assert reason in hit["reason"], hit["reason"]
    assert fix in hit["fix"], hit["fix"]


def test_numerator_above_its_denominator_is_rejected(tmp_path, units):
    _, result = _validate(
        tmp_path, units, "2023,31/12/2023,06481,households,100", "2023,31/12/2023,06481,households_electricity,101"
    )
    hit = result.rejects.iloc[0]
    assert (hit["row"], hit["column"]) == (3, "value")
    assert hit["reason"] == "households_electricity (101) exceeds households (100) of the same unit and date (row 2)"


def test_pad_codes_restores_the_zero_where_the_level_says_how_many(tmp_path, units):
    _, result = _validate(
        tmp_path,
        units,
        "2023,31/12/2023,6481,commune_paved_road,1",
        "2023,31/12/2023,6481-2,p135_works,1",
        pad_codes=True,
    )
    assert result.accepted["unit_code"].tolist() == ["06481", "06481-02"]


def test_duplicates_after_the_codes_are_read(tmp_path, units):
    # "06481-3" and "06481-03" are the same village: the second row repeats the fact
    _, result = _validate(
        tmp_path, units, "2023,31/12/2023,06481-3,p135_works,2", "2023,31/12/2023,06481-03,p135_works,2"
    )
    assert result.rejects["reason"].tolist() == ["duplicate of row 2 (same fact, same figures)"]


def test_catalogue_errors_name_the_file_and_the_indicator(tmp_path):
    path = tmp_path / "chi_tieu.json"
    path.write_text(json.dumps({"indicators": {"lit": {"vi": "a", "en": "b", "kind": "numerator", "unit": "households",
                    "level": "commune", "aggregation": "ratio_of_sums", "denominator": "all"}}}), "utf-8")  # fmt: skip
    with pytest.raises(InputFileError, match="chi_tieu.json.*indicator 'lit': its denominator 'all' is not"):
        load_catalogue(path)
    path.write_text(json.dumps({"indicators": {"x": {"vi": "a", "en": "b", "kind": "yes_no", "level": "commune",
                    "aggregation": "sum"}}}), "utf-8")  # fmt: skip
    with pytest.raises(InputFileError, match="a yes_no indicator aggregates by share_of_units, not sum"):
        load_catalogue(path)
    with pytest.raises(ParameterError, match="unknown indicator 'roads'; known indicators: commune_paved_road"):
        load_catalogue().get("roads")


def test_village_codes_and_locate():
    assert village_code("06481", 3) == "06481-03" and village_code("06481", 112) == "06481-112"
    located = locate(pd.DataFrame({"unit_code": ["06481-03", "06481", "188", "20"]}), UNITS)
    assert located["level"].tolist() == ["village", "commune", "district", "province"]
    assert located["district_code"].fillna("").tolist() == ["187", "187", "188", ""]
    assert located["province_code"].tolist() == ["20", "20", "20", "20"]


# --- maps ---------------------------------------------------------------------------------------------


def test_a_legend_set_per_kind(rows):
    cat = load_catalogue()
    assert legend_set_for(cat["commune_paved_road"], "commune") == "indicator_yes_no"
    assert legend_set_for(cat["commune_paved_road"], "district") == "indicator_share"
    assert legend_set_for(cat["households_electricity"], "commune") == "indicator_share"
    assert legend_set_for(cat["p135_works"], "commune") == "indicator_count"
    assert legend_set_for(cat["p135_plan_mvnd"], "commune") == "indicator_amount"
    values = indicator_values(rows, UNITS, "commune_paved_road", "commune")
    assert values["unit_code"].tolist() == ["06481", "06484", "06526", "06532"]
    classes = classify(values["value"], values.attrs["legend_set"]).tolist()
    assert classes == [1, 0, 1, -1]  # yes, no, yes, no data
    assert legend_labels("indicator_yes_no", "en") == ["no", "yes", "no data"]
    lit = indicator_values(rows, UNITS, "households_electricity", "district")
    assert lit["value"].iloc[0] == pytest.approx(148 / 150) and math.isnan(lit["value"].iloc[1])
    assert lit["units_missing"].tolist() == [0, 2] and lit.attrs["legend_set"] == "indicator_share"
    assert legend_labels("indicator_amount", "vi", special=False)[1] == "500–1.000"


# --- the sample: the seed figures ------------------------------------------------------------------


def test_the_generator_writes_the_committed_indicators(tmp_path):
    from analysis.store.sample import write_sample

    paths = write_sample(tmp_path)
    assert paths["indicators"].read_bytes() == (SAMPLE_DIR / "indicators.csv").read_bytes()


def test_sample_indicators_are_all_accepted(units):
    result = validate_table(SAMPLE_DIR / "indicators.csv", INDICATORS, units)
    assert (result.n_read, result.n_rejected) == (1963, 0)


@pytest.fixture(scope="module")
def figures(sample_prepared) -> dict[str, pd.DataFrame]:
    indicators = load_indicators(sample_prepared, "20")
    classification = pd.read_parquet(sample_prepared / "classification.parquet")
    classification = classification[classification["province_code"] == "20"]
    return {lang: province_figures(indicators, classification=classification, lang=lang).set_index("figure")
            for lang in ("vi", "en")}  # fmt: skip


def test_seed_001_lang_son_2023(figures):
    f = figures["vi"]
    # "96,1% xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông": 174 of 181
    road = f.loc["commune_paved_road"]
    assert (road["numerator"], road["denominator"]) == (174, 181)
    assert format_percent(road["value"], "vi", 1) == "96,1%"
    assert road["text"] == "174/181 xã (96,1%)"
    # "99,99% số hộ dân được sử dụng điện lưới quốc gia": 376,102 of 376,140 households
    lit = f.loc["households_electricity"]
    assert format_percent(lit["value"], "vi", 2) == "99,99%"
    assert lit["text"] == "99,99% (376.102/376.140 hộ)"
    assert (lit["n_units"], lit["units_missing"]) == (193, 1)  # Xã Lâm Ca (06640): no 2023 figure
    assert lit["note"] == "1 xã chưa có số liệu"
    # "81% trường, lớp học và trạm y tế được xây dựng kiên cố"
    solid = f.loc["facilities_solid"]
    assert format_percent(solid["value"], "vi", 0) == "81%"
    # "có 11 xã khu vực III thoát khỏi tình trạng đặc biệt khó khăn" (communes.csv, 2021 -> 2023)
    assert f.loc["region_iii_exits", "value"] == 11
    assert f.loc["region_iii_exits", "text"] == "11 xã (2021–2023)"
    assert figures["en"].loc["commune_paved_road", "text"] == "174 of 181 communes (96.1%)"


def test_seed_004_steering_committees(figures):
    f = figures["vi"]
    # "11/11 huyện, thành phố đã ban hành quyết định thành lập Ban Chỉ đạo cấp huyện"
    assert f.loc["district_steering_committee", "text"] == "11/11 huyện (100%)"
    # "hướng dẫn 181/181 xã thành lập, kiện toàn Ban Chỉ đạo cấp xã"
    assert f.loc["commune_steering_committee", "text"] == "181/181 xã (100%)"


def test_seed_002_programmes_135_and_30a_in_2018(figures):
    f = figures["vi"]
    assert set(f.loc[["p135_commune", "p135_works", "p30a_disbursed_mvnd"], "year"]) == {2018}
    # "Chương trình 135 đầu tư trên địa bàn 133 xã …, 121 thôn đặc biệt khó khăn"
    assert f.loc["p135_commune", "numerator"] == 133
    assert f.loc["p135_village", "numerator"] == 121
    # "kế hoạch vốn 226,3 tỷ đồng, đầu tư xây dựng 431 công trình"
    assert f.loc["p135_works", "value"] == 431
    assert f.loc["p135_plan_mvnd", "text"] == "226,3 tỷ đồng"
    assert round(f.loc["p135_plan_mvnd", "value"] / 1000, 1) == 226.3
    # "Chương trình 30a với giá trị giải ngân đạt 98% kế hoạch"
    assert format_percent(f.loc["p30a_disbursed_mvnd", "value"], "vi", 0) == "98%"
    assert figures["en"].loc["p135_plan_mvnd", "text"] == "VND 226.3 billion"


def test_prepared_indicators_are_in_the_manifest(sample_prepared):
    manifest = json.loads((sample_prepared / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["inputs"]["indicators"]
    assert (entry["rows_read"], entry["rows_accepted"], entry["rows_rejected"]) == (1963, 1963, 0)
    assert "indicators.parquet" in manifest["outputs"]
    district = load_indicators(sample_prepared, "20", "187")
    assert set(district["district_code"]) == {"187"}  # Chi Lăng's communes, villages and itself


def test_prepare_leaves_the_sample_indicators_out_of_other_data(tmp_path):
    # the sample's finance under another name is "someone else's data": the default "auto"
    # then adds no indicators, and indicators.parquet is written empty
    import shutil

    from analysis.store.prepare import prepare

    finance = tmp_path / "my_finance.csv"
    shutil.copy(SAMPLE_DIR / "finance.csv", finance)
    result = prepare(finance=finance, out=tmp_path / "out")
    assert "indicators" not in result.manifest["inputs"]
    assert result.manifest.get("arguments", {}).get("indicators") is None
    assert len(pd.read_parquet(tmp_path / "out" / "indicators.parquet")) == 0
