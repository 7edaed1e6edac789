"""Tests of analysis.catalog.units_2025, analysis.inputs.reform_crosswalk, analysis.inputs.allocation_keys,
analysis.metrics.allocation and analysis.store.convert: old units
to the units of the 2025 reform.

Where the expected values come from is said at each test: hand-worked figures (written out in
the comments), the reform's published counts (34 provinces, 3,321 communes; Lạng Sơn 65 =
61 xã + 4 phường, Nghị quyết 1672/NQ-UBTVQH15), the GSO code list of 1/3/2025 in
``../shared/reference`` (the old side, independent of vietnamadminunits), or invariants
(nothing lost, nothing created).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.catalog import units_2025
from analysis.cli import main
from analysis.errors import InputFileError, ParameterError
from analysis.inputs import allocation_keys, reform_crosswalk
from analysis.metrics import allocation
from analysis.metrics.finance import disbursement
from analysis.metrics.poverty import COUNTS, poverty_rates
from analysis.store.convert import convert_prepared
from analysis.store.convert_boundaries import derive_communes
from analysis.store.prepared import load_manifest, read_prepared

# the three Lạng Sơn communes that vietnamadminunits divides between two new communes each
LANGSON_SPLITS = {"06079": {"06079", "06184"}, "06622": {"06613", "06625"}, "06625": {"06625", "06637"}}


def finance_rows(rows: list[tuple]) -> pd.DataFrame:
    """Finance rows as prepared, one snapshot: (province, district, commune or None, (plan, disbursed))."""
    return pd.DataFrame(
        {
            "year": 2023,
            "as_of": pd.Timestamp("2023-11-30"),
            "province_code": pd.array([r[0] for r in rows], dtype="string"),
            "district_code": pd.array([r[1] for r in rows], dtype="string"),
            "commune_code": pd.array([r[2] for r in rows], dtype="string"),
            "project": pd.array(["DA4"] * len(rows), dtype="string"),
            "capital_type": pd.array(["investment"] * len(rows), dtype="string"),
            "fund": pd.array(["current"] * len(rows), dtype="string"),
            "plan_mvnd": [float(r[3][0]) for r in rows],
            "disbursed_mvnd": [float(r[3][1]) for r in rows],
        }
    )


def poverty_rows(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """Poverty rows as prepared: (district, commune, households, poor); other counts 0."""
    frame = pd.DataFrame(
        {
            "year": 2023,
            "commune_code": pd.array([r[1] for r in rows], dtype="string"),
            "households": [float(r[2]) for r in rows],
            "poor_households": [float(r[3]) for r in rows],
            "near_poor_households": 0.0,
            "em_households": 0.0,
            "em_poor_households": 0.0,
            "district_code": pd.array([r[0] for r in rows], dtype="string"),
        }
    )
    frame["province_code"] = pd.array(["14" if d == "127" else "20" for d in frame["district_code"]], dtype="string")
    return frame


def divisions(pairs: pd.DataFrame) -> dict[str, set[str]]:
    """Old code -> the set of new codes, from crosswalk or report rows."""
    return {old: set(group) for old, group in pairs.groupby("old_code")["new_code"]}


@pytest.fixture(scope="module")
def crosswalk() -> pd.DataFrame:
    return reform_crosswalk.load_crosswalk()


@pytest.fixture(scope="module")
def converted(sample_prepared, tmp_path_factory):
    """The sample (Lạng Sơn and Sốp Cộp) converted once, with the package's crosswalk."""
    out = tmp_path_factory.mktemp("converted") / "processed-2025"
    return convert_prepared(sample_prepared, out)


# --- the unit lists and the crosswalk ----------------------------------------------------


def test_new_units_are_the_34_provinces_and_3321_communes_of_the_reform():
    # the reform's counts (DOMAIN.md: "34 provinces and 3,321 communes" from 1/7/2025)
    u = units_2025.new_units()
    assert len(u) == 3321 and u["commune_code"].is_unique
    assert u["province_code"].nunique() == 34
    assert u["commune_code"].str.fullmatch(r"\d{5}").all()


def test_provinces_merge_whole_and_eleven_stay_as_they_were():
    # Nghị quyết 202/2025/QH15: 63 provinces into 34; 11 (Lạng Sơn, Sơn La, Hà Nội…) not merged;
    # Hà Giang (02) joined Tuyên Quang (08)
    pmap = units_2025.new_province_of_old()
    assert len(pmap) == 63 and len(set(pmap.values())) == 34
    alone = [new for new in set(pmap.values()) if list(pmap.values()).count(new) == 1]
    assert len(alone) == 11 and {"20", "14", "01"} <= set(alone)
    assert pmap["02"] == "08" and pmap["20"] == "20" and pmap["14"] == "14"


def test_package_crosswalk_maps_every_old_commune_and_reaches_every_new_one(crosswalk, units):
    old = set(units["commune_code"].dropna())
    assert len(old) == 10035
    assert old == set(crosswalk["old_code"].dropna())
    assert set(crosswalk["new_code"]) == set(units_2025.new_units()["commune_code"])
    # the five island districts without communes map as districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo)
    islands = crosswalk[crosswalk["old_code"].isna()]
    assert sorted(islands["old_district_code"]) == ["318", "471", "498", "536", "755"]
    # an old commune lies in one new province: the one its old province became
    pmap = units_2025.new_province_of_old()
    assert (crosswalk["old_province_code"].map(pmap) == crosswalk["new_province_code"]).all()
    shares = allocation_keys.split_shares(crosswalk, "equal")
    assert np.allclose(shares.groupby("old_unit")["share"].sum(), 1.0)


def test_langson_old_communes_map_to_its_65_new_ones(crosswalk):
    # 65 = 61 xã + 4 phường (Nghị quyết 1672/NQ-UBTVQH15), as the package's 2025 list has them
    new = units_2025.new_units()
    langson_new = new[new["province_code"] == "20"]
    assert len(langson_new) == 65
    assert langson_new["commune_type"].value_counts().to_dict() == {"Xã": 61, "Phường": 4}
    ls = crosswalk[crosswalk["old_province_code"] == "20"]
    assert ls["old_code"].nunique() == 194
    assert set(ls["new_code"]) == set(langson_new["commune_code"])
    divided = divisions(ls[ls["n_new"] > 1])
    assert divided == LANGSON_SPLITS


def test_a_table_of_every_old_commune_becomes_3321_communes_in_34_provinces(crosswalk, units):
    # one poverty row per old commune, households = 1,000 + its position: the whole country
    old = units.dropna(subset=["commune_code"]).reset_index(drop=True)
    table = pd.DataFrame(
        {
            "year": 2024,
            "commune_code": old["commune_code"].astype("string"),
            **{c: 0.0 for c in COUNTS},
            "district_code": old["district_code"].astype("string"),
            "province_code": old["province_code"].astype("string"),
        }
    )
    table["households"] = 1000.0 + np.arange(len(table))
    out, unmapped = allocation.convert_poverty(table, allocation_keys.split_shares(crosswalk, "equal"))
    assert unmapped.empty
    # 3,316 new communes hold old communes; the other 5 are the đặc khu that were island districts
    # without communes (reached by district rows only): 3,316 + 5 = 3,321
    islands = set(crosswalk.loc[crosswalk["old_code"].isna(), "new_code"])
    assert out["commune_code"].nunique() == 3316 and len(islands) == 5
    assert set(out["commune_code"]) | islands == set(units_2025.new_units()["commune_code"])
    assert out["province_code"].nunique() == 34
    assert out["households"].sum() == table["households"].sum()  # exact: whole households
    assert (out["households"] % 1 == 0).all() and out["complete"].all()
    # per new province too (old provinces mapped to their new one)
    before = table.groupby(table["province_code"].map(units_2025.new_province_of_old()))["households"].sum()
    after = out.groupby("province_code")["households"].sum()
    assert before.sort_index().to_dict() == after.sort_index().to_dict()
    # 471 old communes divided (vietnamadminunits 1.0.4): their pieces, and only they, are estimated
    divided = crosswalk.loc[crosswalk["n_new"] > 1, "old_code"].nunique()
    assert divided == 471
    pieces = set(crosswalk.loc[crosswalk["n_new"] > 1, "new_code"])
    assert set(out.loc[out["estimated"], "commune_code"]) == pieces


@pytest.mark.reference
def test_gso_list_of_march_2025_maps_to_65_and_75_new_communes(reference_dir, crosswalk):
    # the old side from GSO's own list of 1/3/2025 (independent of vietnamadminunits); it predates
    # the reform, so the new counts (65 Lạng Sơn, 75 Sơn La) come from the package's 2025 list
    gso = pd.read_csv(reference_dir / "tables" / "gso_units_langson_sonla_20250301.csv", dtype=str)
    for province, n_old, n_new in (("20", 194, 65), ("14", 200, 75)):
        codes = set(gso.loc[gso["prov_code"] == province, "comm_code"])
        assert len(codes) == n_old
        assert codes <= set(crosswalk["old_code"].dropna())
        targets = crosswalk.loc[crosswalk["old_code"].isin(codes), "new_code"]
        assert targets.nunique() == n_new
        assert set(targets) == set(units_2025.new_units().query("province_code == @province")["commune_code"])


# --- allocation ----------------------------------------------------------------------------


def test_largest_remainder_keeps_totals_exact():
    # hand-worked: 7 × (0.25, 0.75) = 1.75, 5.25 -> 1, 5 and the unit left to the larger remainder (0.75)
    assert allocation.largest_remainder(7, [0.25, 0.75]).tolist() == [2, 5]
    # 10 in thirds: 3.33 each -> 3, 3, 3 and the unit left to the first (ties: the earlier piece)
    assert allocation.largest_remainder(10, [1 / 3, 1 / 3, 1 / 3]).tolist() == [4, 3, 3]
    rng = np.random.default_rng(7)
    for _ in range(500):
        shares = rng.random(rng.integers(2, 6))
        shares /= shares.sum()
        total = int(rng.integers(0, 100_000))
        pieces = allocation.largest_remainder(total, shares)
        assert pieces.sum() == total and (pieces >= 0).all()
        assert (np.abs(pieces - total * shares) < 1).all()


def test_allocate_counts_matches_the_scalar_rule():
    values = pd.Series([7.0, 7.0, 10.0, 10.0, 10.0, 5.0])
    shares = pd.Series([0.25, 0.75, 1 / 3, 1 / 3, 1 / 3, 1.0])
    groups = pd.Series([0, 0, 1, 1, 1, 2])
    assert allocation.allocate_counts(values, shares, groups).tolist() == [2.0, 5.0, 4.0, 3.0, 3.0, 5.0]


def squares(codes: list[str], spans: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """Rectangles 1 km high between the given x spans (km), in the metric CRS."""
    x0, y0 = 700_000.0, 2_400_000.0
    geoms = [box(x0 + a * 1000, y0, x0 + b * 1000, y0 + 1000) for a, b in spans]
    return gpd.GeoDataFrame({"commune_code": codes}, geometry=geoms, crs="EPSG:3405")


def test_a_divided_commune_is_allocated_by_area_and_marked_estimated(crosswalk):
    # Hồng Phong (06079, Bình Gia) is divided between 06079 and 06184. Hand-made polygons: the old
    # commune is 4 km × 1 km, 1 km² of it in 06079 and 3 km² in 06184, so area shares 0.25 / 0.75.
    old = squares(["06079"], [(0, 4)])
    new = squares(["06079", "06184"], [(-2, 1), (1, 6)])
    pairs = crosswalk[crosswalk["old_code"] == "06079"]
    areas = allocation_keys.intersection_areas(old, new, pairs)
    assert dict(zip(areas["new_code"], areas["area_m2"].round(), strict=True)) == {"06079": 1e6, "06184": 3e6}
    shares = allocation_keys.split_shares(crosswalk, "area", areas)
    fin = finance_rows([("20", "181", "06079", (100, 40))])
    out, unmapped = allocation.convert_finance(fin, shares)
    assert unmapped.empty
    got = out.set_index("commune_code")
    # plan 100 -> 25 / 75, disbursed 40 -> 10 / 30; both estimated, by area
    assert got.loc["06079", "plan_mvnd"] == pytest.approx(25.0) and got.loc["06184", "plan_mvnd"] == pytest.approx(75.0)
    assert got.loc["06079", "disbursed_mvnd"] == pytest.approx(10.0)
    assert got["estimated"].all() and set(got["allocation_key"]) == {"area"}
    assert got["district_code"].isna().all() and set(got["source_district_code"]) == {"181"}
    # households 7, poor 3: by largest remainder 2 / 5 and 1 / 2 (0.75 and 2.25 -> 0, 2, one left to the first)
    pov, _ = allocation.convert_poverty(poverty_rows([("181", "06079", 7, 3)]), shares)
    p = pov.set_index("commune_code")
    assert p.loc["06079", "households"] == 2 and p.loc["06184", "households"] == 5
    assert p.loc["06079", "poor_households"] == 1 and p.loc["06184", "poor_households"] == 2
    assert p["estimated"].all()


def test_without_new_boundaries_the_key_falls_back_and_says_so(crosswalk):
    # no areas: key "area" gives equal shares for the package's crosswalk (it has no weights)
    shares = allocation_keys.split_shares(crosswalk, "area")
    hp = shares[shares["old_code"] == "06079"]
    assert hp["share"].tolist() == [0.5, 0.5] and set(hp["allocation_key"]) == {"equal"}
    # undivided communes have share 1 and no key
    whole = shares[shares["n_new"] == 1]
    assert (whole["share"] == 1).all() and whole["allocation_key"].isna().all()


def test_crosswalk_weights_and_population_key(tmp_path):
    # a user's crosswalk: Hồng Phong divided 1 : 3 (a population of 1,000 and 3,000), Minh Khai whole
    path = tmp_path / "crosswalk.csv"
    path.write_text("old_code;new_code;dân số\n06079;06079;1000\n06079;06184;3000\n06094;06079;\n", "utf-8")
    pairs = reform_crosswalk.load_crosswalk(path)
    assert pairs.attrs["source"] == str(path)
    by_pop = allocation_keys.split_shares(pairs, "population").set_index("new_code")
    hp = by_pop[by_pop["old_code"] == "06079"]
    assert hp["share"].to_dict() == {"06079": 0.25, "06184": 0.75}
    assert set(hp["allocation_key"]) == {"population"}
    by_area = allocation_keys.split_shares(pairs, "area")  # no new boundaries: the crosswalk's weights, called so
    assert set(by_area.loc[by_area["n_new"] > 1, "allocation_key"]) == {"weight"}
    equal = allocation_keys.split_shares(pairs, "equal")
    assert equal.loc[equal["n_new"] > 1, "share"].tolist() == [0.5, 0.5]
    with pytest.raises(ParameterError, match="unknown allocation key"):
        allocation_keys.split_shares(pairs, "households")


def test_merged_communes_are_summed_and_rates_recomputed_not_averaged(crosswalk):
    # 04228 Púng Bánh, 04225 Sam Kha and 04234 Dồm Cang (Sốp Cộp) became one commune, 04228.
    # Hand-worked: plan 100 + 200 + 300 = 600, disbursed 90 + 30 + 30 = 150 -> rate 25 %
    # (the average of the three rates, 90 %, 15 %, 10 %, would be 38.3 %).
    shares = allocation_keys.split_shares(crosswalk, "area")
    fin = finance_rows(
        [("14", "127", "04225", (100, 90)), ("14", "127", "04228", (200, 30)), ("14", "127", "04234", (300, 30))]
    )
    out, _ = allocation.convert_finance(fin, shares)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["commune_code"], row["plan_mvnd"], row["disbursed_mvnd"]) == ("04228", 600.0, 150.0)
    assert not row["estimated"] and pd.isna(row["allocation_key"]) and row["n_old_communes"] == 3
    rate = disbursement(out, "commune_code")["rate"].iloc[0]
    assert rate == pytest.approx(0.25)
    # households 100 + 300 + 600 = 1,000, poor 50 + 30 + 0 = 80 -> 8 % (average of rates: 20 %)
    pov, _ = allocation.convert_poverty(
        poverty_rows([("127", "04225", 100, 50), ("127", "04228", 300, 30), ("127", "04234", 600, 0)]), shares
    )
    rates = poverty_rates(pov, ["year", "commune_code"])
    assert rates["households"].iloc[0] == 1000 and rates["poverty_rate"].iloc[0] == pytest.approx(0.08)
    assert pov["complete"].iloc[0]  # all three old communes have a row


def test_district_rows_go_to_the_new_province_or_the_one_commune_the_district_became(crosswalk):
    # a row of the whole district (no commune): Sốp Cộp (127) is spread over 4 new communes ->
    # Sơn La (14), no commune; Lý Sơn (536) had no communes and became one đặc khu -> that commune
    shares = allocation_keys.split_shares(crosswalk, "area")
    fin = finance_rows([("14", "127", None, (10, 5)), ("51", "536", None, (8, 2))])
    out, unmapped = allocation.convert_finance(fin, shares)
    assert unmapped.empty
    by_district = out.set_index("source_district_code")
    assert by_district.loc["127", "province_code"] == "14" and pd.isna(by_district.loc["127", "commune_code"])
    assert by_district.loc["536", "province_code"] == "51"
    assert (
        by_district.loc["536", "commune_code"]
        == crosswalk.loc[crosswalk["old_district_code"] == "536", "new_code"].iloc[0]
    )


def test_classification_keeps_a_shared_region_only():
    pairs = allocation_keys.split_shares(reform_crosswalk.load_crosswalk(), "area")
    cls = pd.DataFrame(
        {
            "year": 2023,
            "commune_code": pd.array(["04225", "04228", "04234", "04231", "04237", "04243"], dtype="string"),
            "region": pd.array(["III", "III", "III", "III", "II", "III"], dtype="string"),
            "dbkk_villages": [1.0, 2.0, 3.0, 4.0, 0.0, 1.0],
            "district_code": pd.array(["127"] * 6, dtype="string"),
            "province_code": pd.array(["14"] * 6, dtype="string"),
        }
    )
    out, _ = allocation.convert_classification(cls, pairs)
    got = out.set_index("commune_code")
    assert got.loc["04228", "region"] == "III" and got.loc["04228", "dbkk_villages"] == 6
    # 04231 Sốp Cộp, 04237 Nậm Lạnh, 04243 Mường Và -> 04231: regions III, II, III differ
    assert pd.isna(got.loc["04231", "region"]) and got.loc["04231", "old_regions"] == "III;II;III"


# --- a user's crosswalk file ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match", "row", "column"),
    [
        ("old_code,new_code\n6079,06079\n", "lost its leading zeros", 2, "old_code"),
        ("old_code,new_code,weight\n06079,06079,1\n06079,06184,\n", "weight on some of its rows", 3, "weight"),
        ("old_code,new_code\n06079,99999\n", "not communes of the 2025 list", 2, "new_code"),
        ("old_code,new_code\n06079,00004\n", "became province 20", 2, "new_code"),
        ("old_code,new_code,weight\n06079,06079,-1\n", "cannot be negative", 2, "weight"),
        ("old_code,new_code,weight\n06079,06079,1.000\n06079,06184,3.000\n", "read two ways", 2, "weight"),
    ],
)
def test_bad_crosswalk_files_say_where_and_what_to_do(tmp_path, text, match, row, column):
    path = tmp_path / "crosswalk.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(InputFileError, match=match) as err:
        reform_crosswalk.load_crosswalk(path)
    assert err.value.row == row and err.value.column == column and str(path) in str(err.value)
    assert "fix:" in str(err.value)


# --- the sample converted -----------------------------------------------------------------


def test_sample_langson_becomes_65_communes_with_derived_boundaries(converted):
    communes = read_prepared(converted.out_dir, "communes", province="20")
    assert len(communes) == 65 and communes["complete"].all()
    assert communes.geometry.notna().all() and not communes.geometry.is_empty.any()
    assert set(communes["boundary_source"]) == {"derived from pre-2025 communes"}
    assert communes["district_code"].isna().all()
    assert communes["n_old_communes_in_data"].sum() == 194 + 3  # the three divided communes count twice
    sopcop = read_prepared(converted.out_dir, "communes", province="14")
    assert sorted(sopcop["commune_code"]) == ["04228", "04231", "04240", "04246"]
    provinces = read_prepared(converted.out_dir, "provinces").set_index("province_code")
    assert provinces["n_communes"].to_dict() == {"14": 4, "20": 65}
    assert provinces["n_communes_official"].to_dict() == {"14": 75, "20": 65}  # Sơn La: only Sốp Cộp in the sample
    assert provinces.geometry.notna().all()
    manifest = load_manifest(converted.out_dir)
    assert manifest["units"] == "2025" and manifest["districts"] == [] and manifest["provinces"] == ["14", "20"]
    assert manifest["boundaries"]["source"] == "derived from pre-2025 communes"
    assert len(manifest["reference_districts"]) == 12
    assert manifest["crosswalk"]["splits"] == 3 and manifest["crosswalk"]["keys_used"] == {"equal": 3}


def test_derived_boundaries_cover_the_old_ones_without_overlap(sample_prepared, converted):
    # invariant: cutting and dissolving loses no territory and counts none twice
    old = read_prepared(sample_prepared, "communes", province="20").to_crs("EPSG:3405")
    new = read_prepared(converted.out_dir, "communes", province="20").to_crs("EPSG:3405")
    assert new.area.sum() == pytest.approx(old.area.sum(), rel=1e-6)
    assert new.union_all().area == pytest.approx(old.union_all().area, rel=1e-6)


def test_sample_totals_are_equal_before_and_after_for_every_province(sample_prepared, converted):
    # both provinces kept their codes (20, 14), so old and new totals compare directly
    keys = ["province_code", "year", "as_of", "capital_type", "fund"]
    old = read_prepared(sample_prepared, "finance").groupby(keys)[["plan_mvnd", "disbursed_mvnd"]].sum()
    new = read_prepared(converted.out_dir, "finance").groupby(keys)[["plan_mvnd", "disbursed_mvnd"]].sum()
    pd.testing.assert_frame_equal(old, new, check_exact=False, rtol=1e-12)
    # and per reporting district: each old district's snapshot is kept whole
    old_d = read_prepared(sample_prepared, "finance").groupby(["district_code", "as_of"])["plan_mvnd"].sum()
    new_d = read_prepared(converted.out_dir, "finance").groupby(["source_district_code", "as_of"])["plan_mvnd"].sum()
    assert np.allclose(old_d.sort_index().to_numpy(), new_d.sort_index().to_numpy())
    old_p = read_prepared(sample_prepared, "poverty").groupby(["province_code", "year"])[COUNTS].sum()
    new_p = read_prepared(converted.out_dir, "poverty").groupby(["province_code", "year"])[COUNTS].sum()
    pd.testing.assert_frame_equal(old_p, new_p)  # counts: exact
    assert (converted.totals["not_mapped"] == 0).all()
    assert np.allclose(converted.totals["before"], converted.totals["after"])


def test_sample_estimated_rows_are_the_pieces_of_the_divided_communes(converted):
    fin = read_prepared(converted.out_dir, "finance")
    estimated = set(fin.loc[fin["estimated"], "commune_code"])
    assert estimated == set().union(*LANGSON_SPLITS.values())
    assert set(fin.loc[fin["estimated"], "allocation_key"]) == {"equal"}
    assert fin.loc[~fin["estimated"], "allocation_key"].isna().all()
    report = pd.read_csv(converted.out_dir / "convert_report.csv", dtype=str)
    splits = report[report["change"] == "split"]
    assert divisions(splits) == LANGSON_SPLITS
    assert (splits["allocation_key"] == "equal").all()
    assert report["change"].isin(["split", "merged", "one_to_one"]).all()
    # Hồng Phong (Bình Gia) to Đồng Đăng (Cao Lộc): 37 km between the package's centres, flagged
    far = splits[(splits["old_code"] == "06079") & (splits["new_code"] == "06184")]
    assert "check this piece" in far["note"].iloc[0]


def test_a_commune_missing_from_the_crosswalk_is_reported_and_totals_still_reconcile(
    sample_prepared, crosswalk, tmp_path
):
    # a user's crosswalk: the package's pairs of Lạng Sơn and Sốp Cộp, without Lâm Ca (06640)
    pairs = crosswalk[crosswalk["old_province_code"].isin(["14", "20"]) & (crosswalk["old_code"] != "06640")]
    path = tmp_path / "crosswalk.csv"
    pairs[["old_code", "new_code"]].to_csv(path, index=False)
    result = convert_prepared(sample_prepared, tmp_path / "out", crosswalk=path, key="equal")
    report = pd.read_csv(tmp_path / "out" / "convert_report.csv", dtype=str)
    unmapped = report[report["change"] == "unmapped"]
    assert unmapped["old_code"].tolist() == ["06640"]
    assert "finance" in unmapped["note"].iloc[0] and "left out" in unmapped["note"].iloc[0]
    lamca = read_prepared(sample_prepared, "finance")
    lamca = lamca[lamca["commune_code"] == "06640"]["plan_mvnd"].sum()
    plan = result.totals[(result.totals["province_code"] == "20") & (result.totals["column"] == "plan_mvnd")].iloc[0]
    assert plan["not_mapped"] == pytest.approx(lamca) and lamca > 0
    assert plan["before"] == pytest.approx(plan["after"] + plan["not_mapped"])
    assert result.manifest["crosswalk"]["unmapped"] == 1


def test_cli_convert_writes_a_folder_the_loaders_read(sample_prepared, tmp_path, capsys):
    out = tmp_path / "p2025"
    assert main(["convert", "--to", "2025", "--data-dir", str(sample_prepared), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "202 old communes → 69 new communes" in printed and "splits   3" in printed and "unmapped 0" in printed
    assert (out / "convert_report.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    for name in ("finance", "poverty", "classification", "communes", "provinces", "districts", "convert_report"):
        assert f"{name}.parquet" in manifest["outputs"]
        read_prepared(out, name, manifest=manifest)  # checks the hash
    # converting converted data, or over the input, is refused with a message
    assert main(["convert", "--to", "2025", "--data-dir", str(out), "--out", str(tmp_path / "again")]) == 2
    assert "already keyed to the 2025 units" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="must differ"):
        convert_prepared(sample_prepared, sample_prepared)


def test_new_boundaries_give_the_area_key_and_the_polygons(sample_prepared, converted, tmp_path):
    # stand-in new boundaries: the derived polygons of the first run, written as a user's file
    new = read_prepared(converted.out_dir, "communes")[["commune_code", "geometry"]]
    new = new.rename(columns={"commune_code": "ma"})
    path = tmp_path / "communes_2025.parquet"
    new.to_parquet(path)
    result = convert_prepared(sample_prepared, tmp_path / "out", new_boundaries=path, new_code_column="ma")
    assert result.manifest["crosswalk"]["keys_used"] == {"area": 3}
    communes = result.communes
    assert set(communes["boundary_source"]) == {"new boundary file communes_2025.parquet"}
    assert set(communes["match"]) == {"matched_code"}
    splits = result.pairs[result.pairs["n_new"] > 1]
    assert set(splits["allocation_key"]) == {"area"}
    assert np.allclose(splits.groupby("old_code")["share"].sum(), 1.0)
    # each piece's share is the part of the old polygon inside the new one (here: the Voronoi cut of run 1)
    old = read_prepared(sample_prepared, "communes").to_crs("EPSG:3405").set_index("commune_code")
    cut = new.to_crs("EPSG:3405").set_index("ma")
    for r in splits.itertuples():
        inside = old.geometry[r.old_code].intersection(cut.geometry[r.new_code]).area
        assert r.share == pytest.approx(inside / old.geometry[r.old_code].area, abs=1e-6)
    assert np.allclose(result.totals["before"], result.totals["after"])


def test_tables_without_a_conversion_rule_are_written_empty_and_listed(sample_prepared, converted):
    # e.g. the indicators table: written with its columns and no rows, never keyed to the old units
    source = load_manifest(sample_prepared)
    handled = {
        "communes",
        "districts",
        "provinces",
        "finance",
        "poverty",
        "classification",
        "rejects",
        "warnings",
        "match_report",
    }
    others = {f.removesuffix(".parquet") for f in source["outputs"] if f.endswith(".parquet")} - handled
    assert set(converted.manifest["not_converted"]) == others
    for name in others:
        before = read_prepared(sample_prepared, name)
        after = read_prepared(converted.out_dir, name)
        assert list(after.columns) == list(before.columns) and after.empty
        assert converted.manifest["not_converted"][name]["rows"] == len(before)


def test_the_existing_loader_reads_a_converted_province(converted):
    from analysis.store.areas import load_area

    area = load_area("20", data_dir=converted.out_dir)
    assert len(area.communes) == 65 and len(area.province_communes) == 65
    assert area.finance["district_code"].isna().all() and len(area.finance) > 0
    assert area.districts["reference_only"].all() and len(area.districts) == 11  # the old districts, for reference
    assert area.years() == [2022, 2023]


def test_a_failed_conversion_leaves_the_previous_output(sample_prepared, converted, tmp_path):
    before = (converted.out_dir / "manifest.json").read_bytes()
    bad = tmp_path / "crosswalk.csv"
    bad.write_text("old_code,new_code\n6079,06079\n", "utf-8")
    with pytest.raises(InputFileError):
        convert_prepared(sample_prepared, converted.out_dir, crosswalk=bad)
    assert (converted.out_dir / "manifest.json").read_bytes() == before


def test_derive_communes_gives_a_divided_commune_to_both_new_ones(crosswalk):
    # Kiên Mộc (06625) is divided between 06625 and 06637: cut by the package's centres, both get a piece
    from analysis.catalog.units import official_units

    point = official_units().set_index("commune_code").loc["06625", ["lon", "lat"]].astype(float)
    old = gpd.GeoDataFrame(
        {"commune_code": ["06625"]},
        geometry=gpd.points_from_xy([point["lon"]], [point["lat"]], crs="EPSG:4326").to_crs("EPSG:3405").buffer(15000),
        crs="EPSG:3405",
    )
    pairs = allocation_keys.split_shares(crosswalk[crosswalk["old_code"] == "06625"], "equal")
    new = derive_communes(old, pairs)
    assert set(new["commune_code"]) == {"06625", "06637"} and new["cut"].all()
    assert new.to_crs("EPSG:3405").area.sum() == pytest.approx(old.area.sum(), rel=1e-6)
