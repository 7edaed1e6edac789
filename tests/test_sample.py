"""The sample data in data/sample/: reproducible, and true to the published figures.

The expected figures below come from ``../shared/reference/published_figures.csv`` (the
articles of seeds 000, 001 and 003); they are written out here by hand and checked with plain
pandas on the committed files, not with the generator's internals.
"""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from analysis.catalog.units import official_units
from analysis.config import METRIC_CRS, SAMPLE_DIR
from analysis.store.sample import write_sample

FINANCE = SAMPLE_DIR / "finance.csv"
POVERTY = SAMPLE_DIR / "poverty.xlsx"
COMMUNES = SAMPLE_DIR / "communes.csv"
BOUNDARIES = SAMPLE_DIR / "boundaries.gpkg"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def finance() -> pd.DataFrame:
    df = pd.read_csv(FINANCE, dtype=str, keep_default_na=False)
    for col in ("plan_mvnd", "disbursed_mvnd"):
        df[col] = df[col].astype(float)
    return df


@pytest.fixture(scope="module")
def poverty() -> pd.DataFrame:
    return pd.read_excel(POVERTY, sheet_name="Rà soát hộ nghèo", header=3, dtype={"Mã xã": str})


# --- the committed files are what the generator writes ----------------------------------


@pytest.mark.parametrize("name", ["finance.csv", "communes.csv", "README.md", "2026/finance.csv", "2026/poverty.csv",
                                  "2026/communes.csv"])
def test_text_files_are_byte_identical(rebuilt, name):
    assert (rebuilt["finance"].parent / name).read_bytes() == (SAMPLE_DIR / name).read_bytes()


def test_poverty_xlsx_is_equal_cell_by_cell(rebuilt):
    new = openpyxl.load_workbook(rebuilt["poverty"])
    old = openpyxl.load_workbook(POVERTY)
    assert new.sheetnames == old.sheetnames == ["Rà soát hộ nghèo"]
    rows_new = list(new.active.iter_rows(values_only=True))
    rows_old = list(old.active.iter_rows(values_only=True))
    assert rows_new == rows_old


def test_boundaries_are_equal(rebuilt):
    new = gpd.read_file(rebuilt["boundaries"], layer="communes").sort_values("commune_code")
    old = gpd.read_file(BOUNDARIES, layer="communes").sort_values("commune_code")
    assert new["commune_code"].tolist() == old["commune_code"].tolist()
    assert (
        new.drop(columns="geometry")
        .reset_index(drop=True)
        .equals(old.drop(columns="geometry").reset_index(drop=True))
    )
    assert (
        new.geometry.reset_index(drop=True)
        .geom_equals_exact(old.geometry.reset_index(drop=True), tolerance=1e-9)
        .all()
    )


# --- the published figures (seed 000: Chi Lăng; seed 003: Sốp Cộp) -------------------------


def test_chi_lang_at_2023_08_04(finance):
    rows = finance[
        (finance["district_code"] == "187")
        & (finance["year"] == "2023")
        & (finance["as_of"] == "2023-08-04")
    ]
    sums = rows.groupby("capital_type")[["plan_mvnd", "disbursed_mvnd"]].sum().round(3)
    inv, rec = sums.loc["investment"], sums.loc["recurrent"]
    assert (inv["plan_mvnd"], inv["disbursed_mvnd"]) == (80324.324, 29720.000)
    assert (rec["plan_mvnd"], rec["disbursed_mvnd"]) == (67591.837, 3312.000)
    # "29,72 tỷ đồng, đạt 37%"; "trên 3,3 tỷ đồng, đạt 4,9%"
    assert round(inv["disbursed_mvnd"] / 1000, 2) == 29.72
    assert round(inv["disbursed_mvnd"] / inv["plan_mvnd"] * 100) == 37
    assert round(rec["disbursed_mvnd"] / 1000, 1) == 3.3
    assert round(rec["disbursed_mvnd"] / rec["plan_mvnd"] * 100, 1) == 4.9


def test_sop_cop_at_2023_11_30(finance):
    rows = finance[
        (finance["district_code"] == "127")
        & (finance["year"] == "2023")
        & (finance["as_of"] == "2023-11-30")
    ]
    sums = rows.groupby("fund")[["plan_mvnd", "disbursed_mvnd"]].sum().round(3)
    co, cur = sums.loc["carried_over"], sums.loc["current"]
    assert (co["plan_mvnd"], co["disbursed_mvnd"]) == (8356.336, 2791.000)
    assert (cur["plan_mvnd"], cur["disbursed_mvnd"]) == (81923.000, 35215.000)
    assert round(rows["plan_mvnd"].sum(), 3) == 90279.336
    assert f"{co['disbursed_mvnd'] / co['plan_mvnd'] * 100:.2f}" == "33.40"
    assert f"{cur['disbursed_mvnd'] / cur['plan_mvnd'] * 100:.2f}" == "42.99"


def test_sop_cop_carried_over_is_what_2022_left(finance):
    end22 = finance[(finance["district_code"] == "127") & (finance["as_of"] == "2023-01-31")]
    left = end22["plan_mvnd"] - end22["disbursed_mvnd"]
    assert round(left[left > 0].sum(), 3) == 8356.336


# --- shape of the tables -------------------------------------------------------------------


def test_finance_codes_and_units(finance):
    communes = finance.loc[finance["commune_code"] != "", "commune_code"]
    assert communes.str.fullmatch(r"\d{5}").all()
    assert communes[communes != "99999"].nunique() == 202
    assert finance["district_code"].nunique() == 12
    assert set(finance["province_code"]) == {"14", "20"}
    assert (
        finance["plan_mvnd"].map(lambda v: f"{v:.3f}").tolist()
        == pd.read_csv(FINANCE, dtype=str)["plan_mvnd"].tolist()
    )


def test_plans_fixed_and_disbursement_cumulative(finance):
    key = ["year", "district_code", "commune_code", "project", "capital_type", "fund"]
    valid = finance[(finance["plan_mvnd"] >= 0) & (finance["commune_code"] != "99999")]
    valid = valid.drop_duplicates().sort_values([*key, "as_of"])
    assert (valid.groupby(key)["plan_mvnd"].nunique() == 1).all()
    assert (valid.groupby(key)["disbursed_mvnd"].diff().dropna() >= 0).all()


def test_deliberate_flaws_are_there_and_away_from_published_districts(finance):
    flawed = pd.concat(
        [
            finance[
                (finance["disbursed_mvnd"] > finance["plan_mvnd"]) & (finance["plan_mvnd"] >= 0)
            ],
            finance[finance["plan_mvnd"] < 0],
            finance[finance["commune_code"] == "99999"],
            finance[finance.duplicated(keep="first")],
        ]
    )
    assert len(flawed) == 4  # one of each
    assert set(flawed["year"]) == {"2022"}
    assert not set(flawed["district_code"]) & {"187", "127"}


def test_em_poverty_falls_about_2_9_points_a_year(finance, poverty):
    province = finance.drop_duplicates("commune_code").set_index("commune_code")["province_code"]
    ls = poverty[poverty["Mã xã"].map(province) == "20"]
    sums = ls.groupby("Năm")[["Số hộ nghèo DTTS", "Số hộ DTTS"]].sum()
    rate = sums["Số hộ nghèo DTTS"] / sums["Số hộ DTTS"] * 100
    assert 2.85 <= (rate[2021] - rate[2023]) / 2 <= 2.95
    assert poverty["Mã xã"].str.fullmatch(r"\d{5}").all()
    assert sorted(poverty["Năm"].unique()) == [2021, 2022, 2023]


def test_poverty_counts_are_consistent(poverty):
    p = poverty
    assert (p["Số hộ nghèo"] + p["Số hộ cận nghèo"] <= p["Tổng số hộ"]).all()
    assert (p["Số hộ DTTS"] <= p["Tổng số hộ"]).all()
    assert (p["Số hộ nghèo DTTS"] <= p["Số hộ DTTS"]).all()
    assert (p["Số hộ nghèo DTTS"] <= p["Số hộ nghèo"]).all()


def test_one_commune_has_finance_but_no_2023_poverty(finance, poverty):
    fin23 = set(
        finance.loc[(finance["year"] == "2023") & (finance["commune_code"] != ""), "commune_code"]
    )
    missing = fin23 - set(poverty.loc[poverty["Năm"] == 2023, "Mã xã"])
    assert missing == {"06640"}


def test_eleven_lang_son_communes_leave_region_iii():
    c = pd.read_csv(COMMUNES, dtype={"commune_code": str})
    regions = c.pivot(index="commune_code", columns="year", values="region")
    assert len(regions) == 202
    assert ((regions[2021] == "III") & (regions[2023] != "III")).sum() == 11
    assert not ((regions[2021] != "III") & (regions[2023] == "III")).any()
    assert c["dbkk_villages"].between(0, 12).all()


# --- approximate polygons --------------------------------------------------------------------


def test_one_valid_polygon_around_each_commune_point():
    g = gpd.read_file(BOUNDARIES, layer="communes").set_index("commune_code")
    assert g.crs.to_epsg() == 4326
    assert g.index.is_unique and len(g) == 202
    assert (g.geom_type == "Polygon").all() and g.is_valid.all()
    assert (g["boundary_quality"] == "approximate").all()
    units = official_units().set_index("commune_code").loc[g.index]
    points = gpd.GeoSeries(
        gpd.points_from_xy(units["lon"].astype(float), units["lat"].astype(float)),
        index=g.index,
        crs=g.crs,
    )
    shared = units.duplicated(["lat", "lon"], keep=False)
    assert shared.sum() == 4  # two pairs of communes share a point in the official list
    assert g.geometry[~shared].contains(points[~shared]).all()
    # a shared point was spread symmetrically, so it lies on the edge between the two cells
    metric = g.geometry[shared].to_crs(METRIC_CRS)
    assert (metric.distance(points[shared].to_crs(METRIC_CRS)) < 1.0).all()  # metres
