"""prepare: the published district figures come out of the sample files, every row is
accounted for, outputs are atomic, and real 2019 polygons join with the vintage gap shown."""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest

from analysis.common.storage import sha256_file
from analysis.config import SAMPLE_DIR
from analysis.errors import BoundaryError
from analysis.metrics.finance import disbursement, latest_snapshot
from analysis.metrics.poverty import annual_change_pp
from analysis.store.prepare import PREPARED_FILES, prepare


def _finance(prepared):
    return pd.read_parquet(prepared / "finance.parquet")


def test_chi_lang_published_figures(sample_prepared):
    # Seed 000 / published_figures.csv: Chi Lăng, 04/08/2023: investment 29,72 tỷ đồng = 37% of
    # plan; recurrent "trên 3,3 tỷ đồng" = 4,9% of plan.
    f = _finance(sample_prepared)
    snap = latest_snapshot(f[f["district_code"] == "187"], 2023, "2023-08-04")
    by = disbursement(snap, "capital_type").set_index("capital_type")
    assert round(by.loc["investment", "disbursed_mvnd"] / 1000, 2) == 29.72
    assert round(100 * by.loc["investment", "rate"]) == 37
    assert round(by.loc["recurrent", "disbursed_mvnd"] / 1000, 1) == 3.3
    assert by.loc["recurrent", "disbursed_mvnd"] > 3300  # "trên 3,3 tỷ": more than
    assert round(100 * by.loc["recurrent", "rate"], 1) == 4.9


def test_sop_cop_published_figures(sample_prepared):
    # Seed 003 / published_figures.csv: Sốp Cộp, 30/11/2023: plan 90.279,336 = 8.356,336 carried
    # over + 81.923,000 current; disbursed 2.791 (33,40%) and 35.215 (42,99%).
    f = _finance(sample_prepared)
    snap = latest_snapshot(f[f["district_code"] == "127"], 2023, "2023-11-30")
    by = disbursement(snap, "fund").set_index("fund")
    assert round(by.loc["carried_over", "plan_mvnd"], 3) == 8356.336
    assert round(by.loc["current", "plan_mvnd"], 3) == 81923.000
    assert round(disbursement(snap)["plan_mvnd"].iloc[0], 3) == 90279.336
    assert int(by.loc["carried_over", "disbursed_mvnd"]) == 2791
    assert int(by.loc["current", "disbursed_mvnd"]) == 35215
    assert f"{100 * by.loc['carried_over', 'rate']:.2f}" == "33.40"
    assert f"{100 * by.loc['current', 'rate']:.2f}" == "42.99"


def test_em_poverty_falls_about_2_9_points_a_year(sample_prepared):
    # Seed 001: Lạng Sơn's ethnic-minority poverty rate fell "khoảng 2,9%" a year.
    p = pd.read_parquet(sample_prepared / "poverty.parquet")
    change = annual_change_pp(p[p["province_code"] == "20"], 2021, 2023)
    assert -2.95 <= change <= -2.85


def test_every_row_accounted_for(sample_prepared):
    manifest = json.loads((sample_prepared / "manifest.json").read_text(encoding="utf-8"))
    rejects = pd.read_parquet(sample_prepared / "rejects.parquet")
    for name, entry in manifest["inputs"].items():
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_rejected"], name
        assert entry["rows_rejected"] == rejects[rejects["table"] == name]["row"].nunique()
    # data/sample/README.md documents 3 deliberately flawed finance rows
    assert manifest["inputs"]["finance"]["rows_rejected"] == 3
    accepted = pd.read_parquet(sample_prepared / "finance.parquet")
    assert len(accepted) == manifest["inputs"]["finance"]["rows_accepted"]


def test_codes_stay_strings(sample_prepared):
    f = _finance(sample_prepared)
    communes = gpd.read_parquet(sample_prepared / "communes.parquet")
    assert f["commune_code"].dropna().str.len().eq(5).all()
    assert "06481" in set(communes["commune_code"])  # Xã Chiến Thắng, Chi Lăng (DOMAIN.md)
    assert set(f["province_code"]) == {"14", "20"}


def test_manifest_hashes_outputs(sample_prepared):
    manifest = json.loads((sample_prepared / "manifest.json").read_text(encoding="utf-8"))
    for name in PREPARED_FILES:
        assert manifest["outputs"][name] == sha256_file(sample_prepared / name)
    assert len(manifest["inputs"]["finance"]["sha256"]) == 64


def test_failed_prepare_keeps_previous_output(sample_prepared, tmp_path):
    out = tmp_path / "processed"
    shutil.copytree(sample_prepared, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "no_crs.geojson"
    bad.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"commune_code":"04231"},'
        '"geometry":{"type":"Point","coordinates":[500000,2300000]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(BoundaryError):
        prepare(boundaries=bad, out=out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".processed.tmp")]


@pytest.mark.reference
def test_real_langson_polygons_join_with_vintage_gap(reference_dir, tmp_path):
    """The real 2019 polygons against data keyed to the 2025 unit list."""
    out = tmp_path / "processed"
    prepare(
        boundaries=reference_dir / "boundaries" / "langson_communes_2019.geojson",
        code_column="gso_commune_code_2019",
        name_column="commune_vn",
        district_column="gso_district_code",
        out=out,
    )
    report = pd.read_parquet(out / "match_report.parquet")
    counts = report["status"].value_counts()
    # Expected from the official lists, not from our code: codes of 2019 vs 2025 for Lạng Sơn.
    tables = reference_dir / "tables"
    old = pd.read_csv(tables / "gso_units_langson_sonla_20191025.csv", dtype=str)
    new = pd.read_csv(tables / "gso_units_langson_sonla_20250301.csv", dtype=str)
    old_ls = set(old.loc[old["prov_code"] == "20", "comm_code"])
    new_ls = set(new.loc[new["prov_code"] == "20", "comm_code"])
    assert counts["matched_code"] == len(new_ls & old_ls)
    assert counts["unmatched_boundary"] == len(old_ls - new_ls)  # merged away since 2019
    # Sốp Cộp's 8 communes are in the data but not in a Lạng Sơn boundary file
    assert counts["unmatched_data"] == 8
    communes = gpd.read_parquet(out / "communes.parquet")
    assert communes.loc[communes["province_code"] == "20", "geometry"].notna().all()


def test_prepared_data_read_from_an_fsspec_url(sample_prepared):
    # workers of a cluster read the prepared data from a URL they can all reach (fsspec)
    from analysis.store.areas import load_area

    local = load_area("14", "127", sample_prepared)
    remote = load_area("14", "127", sample_prepared.absolute().as_uri())
    pd.testing.assert_frame_equal(local.finance.reset_index(drop=True), remote.finance.reset_index(drop=True))
    assert len(remote.communes) == 8  # Sốp Cộp's communes (official list)


def test_damaged_prepared_file_is_refused(sample_prepared, tmp_path):
    from analysis.errors import PreparedDataError
    from analysis.store.areas import load_area

    copy = tmp_path / "processed"
    shutil.copytree(sample_prepared, copy)
    data = (copy / "finance.parquet").read_bytes()
    (copy / "finance.parquet").write_bytes(data[: len(data) // 2])  # cut short
    with pytest.raises(PreparedDataError, match="does not match the hash in manifest.json"):
        load_area("14", "127", copy)


def test_a_table_read_again_comes_from_memory_but_never_shares_changes(sample_prepared, tmp_path):
    # The districts of a province read the same province tables one after another on the same
    # kernel: read_prepared keeps them, but every caller gets its own copy, and a file that
    # changed is read again.
    from analysis.store import prepared
    from analysis.store.prepared import read_prepared

    copy = tmp_path / "processed"
    shutil.copytree(sample_prepared, copy)
    first = read_prepared(copy, "finance", province="14")
    n = len(first)
    assert n > 0
    assert any(k[1].endswith("finance.parquet") and k[4] == "14" for k in prepared._READ_CACHE)
    first["plan_mvnd"] = -1.0  # what one report does to its frame
    del first["year"]
    second = read_prepared(copy, "finance", province="14")
    assert len(second) == n and (second["plan_mvnd"] != -1.0).all() and "year" in second.columns

    # prepare writes a new file (here: the first 3 rows) and its hash: the new rows are read
    path = copy / "finance.parquet"
    pd.read_parquet(path).head(3).to_parquet(path, index=False)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["outputs"]["finance.parquet"] = sha256_file(path)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert len(read_prepared(copy, "finance")) == 3


#: Merges that the GSO lists name themselves: the surviving code's name after the merge joins
#: the two old names (or takes the old one's), and the old code is gone from the later list.
#: (old code, its 2019 name, surviving code, its 2019 name, its name in the 2025 list, district)
NAMED_MERGES = [
    ("06334", "Xã Quỳnh Sơn", "06343", "Xã Bắc Sơn", "Xã Bắc Quỳnh", "185"),
    ("06409", "Xã Tân Lập", "06406", "Xã Thiện Kỵ", "Xã Thiện Tân", "186"),
    ("06580", "Xã Hiệp Hạ", "06595", "Xã Minh Phát", "Xã Minh Hiệp", "188"),
    ("05995", "Thị trấn Thất Khê", "06040", "Xã Đại Đồng", "Thị trấn Thất Khê", "180"),
]


@pytest.mark.reference
def test_crosswalk_dissolves_merged_communes_of_the_2019_polygons(reference_dir, tmp_path, capsys):
    """The real 2019 polygons, a crosswalk of four merges checked by name, through the CLI."""
    from analysis.cli import main
    from analysis.config import METRIC_CRS

    tables = reference_dir / "tables"
    old = pd.read_csv(tables / "gso_units_langson_sonla_20191025.csv", dtype=str).set_index("comm_code")
    new = pd.read_csv(tables / "gso_units_langson_sonla_20250301.csv", dtype=str).set_index("comm_code")
    source = reference_dir / "boundaries" / "langson_communes_2019.geojson"
    polygons = gpd.read_file(source).set_index("gso_commune_code_2019").to_crs(METRIC_CRS)
    for old_code, old_name, code, name_2019, name_2025, district in NAMED_MERGES:
        # the names say it: checked against the official lists, not against our code
        assert old.loc[old_code, ["comm_name", "dist_code"]].tolist() == [old_name, district]
        assert old.loc[code, ["comm_name", "dist_code"]].tolist() == [name_2019, district]
        assert new.loc[code, "comm_name"] == name_2025 and old_code not in new.index
        # and the map agrees: the two 2019 polygons are neighbours (the file has slivers of
        # up to about 150 m between communes)
        assert polygons.geometry[old_code].distance(polygons.geometry[code]) < 200
    crosswalk = tmp_path / "sáp nhập.csv"
    crosswalk.write_text("Mã xã cũ,Tên xã cũ,Mã xã mới\n"
                         + "".join(f"{m[0]},{m[1]},{m[2]}\n" for m in NAMED_MERGES), encoding="utf-8")
    out = tmp_path / "processed"
    status = main(["prepare", "--boundaries", str(source), "--code-column", "gso_commune_code_2019",
                   "--name-column", "commune_vn", "--district-column", "gso_district_code",
                   "--boundary-crosswalk", str(crosswalk), "--out", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "crosswalk sáp nhập.csv: 4 old communes dissolved into 4" in printed
    assert "    06334 → 06343" in printed and "    05995 → 06040" in printed

    report = pd.read_parquet(out / "match_report.parquet")
    # By hand: 226 polygons, 4 dissolved into their neighbours leaves 222; all 194 communes of
    # the 2025 list have a 2019 code (the GSO lists share every 2025 code), so 194 match by
    # code and 222 - 194 = 28 polygons (the 32 codes gone since 2019, less the 4 merged) stay
    # without data; Sốp Cộp's 8 communes have no polygon in a Lạng Sơn file.
    assert report["status"].value_counts().to_dict() == {
        "matched_code": 194, "unmatched_boundary": 28, "unmatched_data": 8}
    merged = report[report["merged_from"].notna()].set_index("commune_code")["merged_from"]
    assert merged.sort_index().to_dict() == {m[2]: m[0] for m in NAMED_MERGES}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["boundaries"]["crosswalk"]["features_merged"] == 4
    assert manifest["options"]["boundary_crosswalk"] == str(crosswalk)

    # each merged commune's polygon is the two 2019 polygons together: by inclusion-exclusion,
    # area(old) + area(new) - area(overlap) (Quỳnh Sơn and Bắc Sơn overlap by 0.15 km² in the
    # coarse file, the others by less than 200 m²)
    communes = gpd.read_parquet(out / "communes.parquet").set_index("commune_code").to_crs(METRIC_CRS)
    for old_code, _, code, *_ in NAMED_MERGES:
        a, b = polygons.geometry[old_code], polygons.geometry[code]
        expected = a.area + b.area - a.intersection(b).area
        assert communes.geometry[code].area == pytest.approx(expected, rel=1e-6)
        assert communes.geometry[code].contains(polygons.geometry[old_code].representative_point())


def test_crosswalk_needs_codes_in_the_boundary_file(tmp_path):
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text("old_code,new_code\n06334,06343\n", encoding="utf-8")
    with pytest.raises(BoundaryError) as err:
        prepare(code_column=None, name_column="commune_name", boundary_crosswalk=crosswalk, out=tmp_path / "out")
    message = str(err.value)
    assert "boundaries.gpkg" in message and "crosswalk (crosswalk.csv) merges communes by code" in message
    assert "--code-column" in message
    assert not (tmp_path / "out").exists()


def test_corrupt_prepared_file_is_rebuilt_from_unchanged_inputs(sample_prepared, tmp_path, capsys):
    from analysis.store.areas import load_area
    from analysis.store.prepare import ensure_prepared
    from analysis.store.prepared import damaged_files

    copy = tmp_path / "processed"
    shutil.copytree(sample_prepared, copy)
    before = pd.read_parquet(copy / "finance.parquet")
    data = (copy / "finance.parquet").read_bytes()
    (copy / "finance.parquet").write_bytes(data[: len(data) // 3])  # cut short, as by a full disk
    (copy / "rejects.csv").unlink()
    assert damaged_files(copy) == ["finance.parquet", "rejects.csv"]
    manifest = ensure_prepared(copy)  # the sample inputs it was made from are unchanged: rebuilt
    assert "finance.parquet, " in capsys.readouterr().err
    assert damaged_files(copy) == []
    assert manifest["outputs"]["finance.parquet"] == sha256_file(copy / "finance.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(copy / "finance.parquet"), before)
    assert len(load_area("14", "127", copy).finance) > 0


def test_corrupt_prepared_file_with_changed_inputs_is_refused(tmp_path):
    from analysis.errors import PreparedDataError
    from analysis.store.prepare import ensure_prepared

    inputs = tmp_path / "inputs"
    shutil.copytree(SAMPLE_DIR, inputs)
    out = tmp_path / "processed"
    prepare(finance=inputs / "finance.csv", poverty=inputs / "poverty.xlsx", communes=inputs / "communes.csv",
            boundaries=inputs / "boundaries.gpkg", out=out)
    (out / "poverty.parquet").write_bytes(b"PAR1 not really")
    with (inputs / "finance.csv").open("a", encoding="utf-8") as fh:
        fh.write("2023,30/11/2023,14,127,04231,DA9,investment,current,1,1\n")  # edited since prepare
    with pytest.raises(PreparedDataError) as err:
        ensure_prepared(out)
    message = str(err.value)
    assert f"{out}/poverty.parquet is corrupt (hash mismatch with manifest.json)" in message
    assert f"have changed or moved since: {inputs / 'finance.csv'}" in message
    assert "Run 'ntp-atlas prepare' again." in message
    with pytest.raises(PreparedDataError, match="is corrupt"):
        ensure_prepared(out, rebuild=False)
