"""Tests for analysis.inputs.boundaries and analysis.inputs.unit_shapes: reading, checking, matching and
dissolving boundaries.

Fixtures are tiny squares near Chi Lăng (Lạng Sơn) written to tmp_path; expected values
were worked out by hand and the comments say how.
"""

from __future__ import annotations

import geopandas
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

from analysis.config import METRIC_CRS, REFERENCE_DIR
from analysis.errors import BoundaryError
from analysis.inputs.boundaries import read_boundaries
from analysis.inputs.unit_shapes import dissolve_units, match_units, merge_units

CODES = ["06481", "06484", "06487"]
NAMES = ["Xã Chiến Thắng", "Xã Bắc Thủy", "Thị trấn Đồng Mỏ"]


def squares(codes=CODES, names=NAMES, crs="EPSG:4326", **columns) -> geopandas.GeoDataFrame:
    """Unit squares of 0.01 degree side in a row, from (106.50, 21.50) eastwards."""
    geoms = [box(106.50 + 0.01 * i, 21.50, 106.51 + 0.01 * i, 21.51) for i in range(len(codes))]
    data = {"commune_code": codes, "commune_name": names, **columns}
    return geopandas.GeoDataFrame(data, geometry=geoms, crs=crs)


def write(gdf: geopandas.GeoDataFrame, path) -> None:
    if path.suffix == ".parquet":
        gdf.to_parquet(path)
    else:
        gdf.to_file(path, engine="pyogrio")


def data_units(rows) -> pd.DataFrame:
    """Data communes from (commune_code, commune_name, district_code, district_name)."""
    df = pd.DataFrame(rows, columns=["commune_code", "commune_name", "district_code",
                                     "district_name"])
    df["province_code"], df["province_name"] = "20", "Lạng Sơn"
    return df


# --- reading ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["b.gpkg", "b.geojson", "b.shp", "b.parquet"])
def test_round_trip_keeps_leading_zeros(tmp_path, name):
    path = tmp_path / name
    gdf = squares()
    if name.endswith(".shp"):
        # DBF field names have at most 10 characters; the code is written as a text field
        gdf = gdf.rename(columns={"commune_code": "code", "commune_name": "name"})
    write(gdf, path)
    code_column = "code" if name.endswith(".shp") else "commune_code"
    name_column = "name" if name.endswith(".shp") else None
    out = read_boundaries(path, code_column=code_column, name_column=name_column)
    assert out.crs == "EPSG:4326"
    assert list(out.columns) == ["commune_code", "commune_name", "_feature", "_repaired", "geometry"]
    assert not out["_repaired"].any()
    assert out["commune_code"].tolist() == CODES
    assert out["commune_name"].tolist() == NAMES
    assert out["_feature"].tolist() == [1, 2, 3]
    assert out.attrs["repaired_geometries"] == 0
    assert out.geometry.iloc[0].equals(box(106.50, 21.50, 106.51, 21.51))


def test_district_column_codes_or_names(tmp_path):
    path = tmp_path / "b.gpkg"
    write(squares(dist=["187", "187", "187"], dname=["Huyện Chi Lăng"] * 3), path)
    by_code = read_boundaries(path, district_column="dist")
    assert by_code["district_code"].tolist() == ["187"] * 3
    by_name = read_boundaries(path, district_column="dname")
    assert "district_code" not in by_name.columns
    assert by_name["district_name"].tolist() == ["Huyện Chi Lăng"] * 3


def test_codes_only_names(tmp_path):
    path = tmp_path / "b.gpkg"
    write(squares(), path)
    out = read_boundaries(path, code_column=None, name_column="commune_name")
    assert out["commune_code"].isna().all()


def test_reprojects_from_vn2000(tmp_path):
    # Corners of a square chosen in degrees, projected by pyproj to EPSG:3405 and written;
    # reading back must give the same degrees (to 1e-6) as the corners we started from.
    corners = [(106.50, 21.50), (106.52, 21.50), (106.52, 21.52), (106.50, 21.52)]
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    metric = Polygon([to_metric.transform(x, y) for x, y in corners])
    assert metric.bounds[0] > 1000  # really metres
    path = tmp_path / "metric.gpkg"
    write(geopandas.GeoDataFrame({"commune_code": ["06481"]}, geometry=[metric],
                                 crs=METRIC_CRS), path)
    out = read_boundaries(path)
    assert out.crs == "EPSG:4326"
    got = list(out.geometry.iloc[0].exterior.coords)[:4]
    for (x, y), (gx, gy) in zip(corners, got, strict=True):
        assert gx == pytest.approx(x, abs=1e-6)
        assert gy == pytest.approx(y, abs=1e-6)


def test_bow_tie_is_repaired_and_counted(tmp_path):
    bow_tie = Polygon([(106.50, 21.50), (106.51, 21.51), (106.51, 21.50), (106.50, 21.51)])
    assert not bow_tie.is_valid
    gdf = squares()
    gdf.loc[1, "geometry"] = bow_tie
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    out = read_boundaries(path)
    assert out.attrs["repaired_geometries"] == 1
    assert out["_repaired"].tolist() == [False, True, False]
    assert out.geometry.is_valid.all()
    # two triangles of half-base 0.01 and height 0.005 each: 2 * 0.01 * 0.005 / 2 = 5e-5
    assert out.geometry.iloc[1].area == pytest.approx(5e-5)


# --- errors -----------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(BoundaryError, match="does not exist") as err:
        read_boundaries(tmp_path / "nowhere.gpkg")
    assert "nowhere.gpkg" in str(err.value)


@pytest.mark.parametrize("name", ["bad.gpkg", "bad.parquet"])
def test_unreadable_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"this is not a boundary file")
    with pytest.raises(BoundaryError, match="cannot be read") as err:
        read_boundaries(path)
    message = str(err.value)
    assert name in message and "fix:" in message and "Traceback" not in message
    assert "<DRIVER>" not in message  # GDAL's advice on driver prefixes is cut


def test_missing_layer_lists_layers(tmp_path):
    path = tmp_path / "two.gpkg"
    squares().to_file(path, layer="communes", engine="pyogrio")
    squares().to_file(path, layer="roads", engine="pyogrio")
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path, layer="xa")
    message = str(err.value)
    assert "two.gpkg" in message and "'xa'" in message
    assert "communes, roads" in message and "--layer" in message
    with pytest.raises(BoundaryError, match="several layers"):
        read_boundaries(path)
    assert len(read_boundaries(path, layer="communes")) == 3


def test_missing_code_column_lists_columns(tmp_path):
    path = tmp_path / "b.geojson"
    write(squares().rename(columns={"commune_code": "ma_xa"}), path)
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path)
    message = str(err.value)
    assert "b.geojson" in message and "column 'commune_code'" in message
    assert "ma_xa, commune_name" in message and "--code-column" in message


def test_no_crs(tmp_path):
    path = tmp_path / "b.shp"
    with pytest.warns(UserWarning, match="crs"):
        write(squares(crs=None).rename(columns={"commune_code": "code", "commune_name": "name"}),
              path)
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path, code_column="code", name_column="name")
    message = str(err.value)
    assert "b.shp" in message and "the file has no coordinate reference system" in message
    assert "ogr2ogr -a_srs EPSG:4326" in message and "QGIS" in message


def test_geographic_crs_with_metres_is_refused(tmp_path):
    # VN-2000 / UTM 48N metres labelled as EPSG:4326
    gdf = geopandas.GeoDataFrame({"commune_code": ["06481"]},
                                 geometry=[box(600000, 2380000, 601000, 2381000)], crs=4326)
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError, match="not degrees") as err:
        read_boundaries(path)
    assert "b.gpkg" in str(err.value) and "-a_srs EPSG:3405" in str(err.value)


def test_projected_crs_with_degrees_is_refused(tmp_path):
    path = tmp_path / "b.gpkg"
    write(squares(crs=METRIC_CRS), path)
    with pytest.raises(BoundaryError, match="look like degrees") as err:
        read_boundaries(path)
    assert "b.gpkg" in str(err.value) and "-a_srs EPSG:4326" in str(err.value)


def test_swapped_latitude_longitude(tmp_path):
    gdf = squares()
    gdf.geometry = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError, match="look swapped") as err:
        read_boundaries(path)
    assert "b.gpkg" in str(err.value) and "Swap X and Y" in str(err.value)


def test_numeric_codes_lost_zeros(tmp_path):
    path = tmp_path / "b.shp"
    gdf = squares().rename(columns={"commune_name": "name"}).drop(columns="commune_code")
    write(gdf.assign(code=[6481, 6484, 6487]), path)
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path, code_column="code", name_column="name")
    message = str(err.value)
    assert "b.shp" in message and "column 'code'" in message
    assert "lost their leading zeros" in message and "stored as numbers" in message
    assert "'6481' (feature 1)" in message and "store the column as text" in message


@pytest.mark.parametrize("bad", ["6481", "6481.0"])
def test_text_codes_lost_zeros(tmp_path, bad):
    path = tmp_path / "b.geojson"
    write(squares(codes=["06481", bad, "06487"]), path)
    with pytest.raises(BoundaryError, match="lost their leading zeros") as err:
        read_boundaries(path)
    assert f"'{bad}' (feature 2)" in str(err.value) and "as text" in str(err.value)


def test_float_codes_lost_zeros(tmp_path):
    path = tmp_path / "b.gpkg"
    write(squares().assign(code=[6481.0, 6484.0, None]), path)
    with pytest.raises(BoundaryError, match="lost their leading zeros") as err:
        read_boundaries(path, code_column="code")
    assert "'6481' (feature 1)" in str(err.value)


def test_duplicate_codes(tmp_path):
    path = tmp_path / "b.gpkg"
    write(squares(codes=["06481", "06484", "06481"]), path)
    with pytest.raises(BoundaryError, match="same commune code") as err:
        read_boundaries(path)
    assert "06481 (features 1, 3)" in str(err.value) and "b.gpkg" in str(err.value)


def test_empty_and_missing_geometries(tmp_path):
    gdf = squares()
    gdf.loc[0, "geometry"] = None
    gdf.loc[2, "geometry"] = Polygon()
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError, match="no geometry") as err:
        read_boundaries(path)
    assert "features 1, 3" in str(err.value) and "b.gpkg" in str(err.value)


# --- matching ---------------------------------------------------------------------------


def boundary(rows, district="district_code") -> geopandas.GeoDataFrame:
    """Boundaries from (code or None, name, district); one small square each."""
    return geopandas.GeoDataFrame(
        {"commune_code": pd.array([r[0] for r in rows], dtype="string"),
         "commune_name": [r[1] for r in rows], district: [r[2] for r in rows],
         "_feature": range(1, len(rows) + 1)},
        geometry=[box(106.5 + 0.01 * i, 21.5, 106.51 + 0.01 * i, 21.51)
                  for i in range(len(rows))], crs=4326)


def test_match_by_code_and_by_name_within_district():
    data = data_units([
        ("06481", "Xã Chiến Thắng", "187", "Huyện Chi Lăng"),
        ("06484", "Xã Hòa Bình", "187", "Huyện Chi Lăng"),
        ("06487", "Xã Vân Thủy", "187", "Huyện Chi Lăng"),
        ("06490", "Xã Tân Lập", "188", "Huyện Hữu Lũng"),
    ])
    bnd = boundary([
        ("06481", "Xã Chiến Thắng", "187"),   # by code
        (None, "Xã Hoà Bình", "187"),          # old tone placement: unit_key with marks
        (None, "Van Thuy", "187"),             # no diacritics: unit_key without marks, unique
        (None, "Xã Tân Lập", "187"),           # same name, other district: not matched
    ])
    communes, report = match_units(data, bnd)
    assert communes["match"].tolist() == ["code", "name", "name", "none"]
    assert communes.geometry.isna().tolist() == [False, False, False, True]
    assert communes.geometry.iloc[1].equals(bnd.geometry.iloc[1])
    assert communes.geometry.iloc[2].equals(bnd.geometry.iloc[2])
    assert report["status"].tolist() == [
        "matched_code", "matched_name", "matched_name", "unmatched_data", "unmatched_boundary"]
    assert report["boundary_feature"].tolist()[:3] == [1, 2, 3]
    last = report.iloc[-1]
    assert (last["commune_name"], last["district_code"], last["boundary_feature"]) == (
        "Xã Tân Lập", "187", 4)


def test_loose_key_ambiguous_in_district_is_not_matched():
    # Tân Lập and Tấn Lập differ only in diacritics: "Tan Lap" fits both, so neither matches
    data = data_units([
        ("06481", "Xã Tân Lập", "187", "Huyện Chi Lăng"),
        ("06484", "Xã Tấn Lập", "187", "Huyện Chi Lăng"),
    ])
    communes, report = match_units(data, boundary([(None, "Tan Lap", "187")]))
    assert communes["match"].tolist() == ["none", "none"]
    assert sorted(report["status"]) == ["unmatched_boundary", "unmatched_data", "unmatched_data"]


def test_match_by_district_name():
    data = data_units([
        ("06484", "Xã Hòa Bình", "187", "Huyện Chi Lăng"),
        ("06490", "Xã Hòa Bình", "188", "Huyện Hữu Lũng"),
    ])
    bnd = boundary([(None, "Hoa Binh", "Chi Lang")], district="district_name")
    communes, report = match_units(data, bnd)
    assert communes["match"].tolist() == ["name", "none"]


def test_without_district_names_must_be_unique_in_the_data():
    data = data_units([
        ("06481", "Xã Vân Thủy", "187", "Huyện Chi Lăng"),
        ("06484", "Xã Hòa Bình", "187", "Huyện Chi Lăng"),
        ("06490", "Xã Hòa Bình", "188", "Huyện Hữu Lũng"),
    ])
    bnd = boundary([(None, "Van Thuy", "x"), (None, "Hòa Bình", "x")]).drop(
        columns="district_code")
    communes, _ = match_units(data, bnd)
    # Vân Thủy is unique in the data; Hòa Bình is in two districts, so it stays unmatched
    assert communes["match"].tolist() == ["name", "none", "none"]


def test_report_accounts_for_every_unit():
    data = data_units([("06481", "Xã A", "187", "H"), ("06484", "Xã B", "187", "H")])
    bnd = boundary([("06484", "Xã B", "187"), ("09999", "Xã C", "187"), (None, "Xã D", "187")])
    _, report = match_units(data, bnd)
    # 2 data communes (1 matched, 1 not) and 3 features (1 matched, 2 not): 4 rows
    assert len(report[report["status"] != "unmatched_boundary"]) == len(data)
    assert (report["status"].str.startswith("matched").sum()
            + (report["status"] == "unmatched_boundary").sum()) == len(bnd)


# --- dissolving -------------------------------------------------------------------------


def test_dissolve_two_districts_areas_add_up():
    # three 1 km squares in metres: two touching in district 187, one in 188; plus a
    # commune without geometry in 188. Areas by hand: 2 km² and 1 km².
    squares_m = [box(600000, 2380000, 601000, 2381000), box(601000, 2380000, 602000, 2381000),
                 box(610000, 2380000, 611000, 2381000), None]
    communes = geopandas.GeoDataFrame(
        data_units([("1", "A", "187", "Chi Lăng"), ("2", "B", "187", "Chi Lăng"),
                    ("3", "C", "188", "Hữu Lũng"), ("4", "D", "188", "Hữu Lũng")]),
        geometry=geopandas.GeoSeries(squares_m, crs=METRIC_CRS)).to_crs(4326)
    districts = dissolve_units(communes, "district")
    assert districts.crs == "EPSG:4326"
    assert districts["district_code"].tolist() == ["187", "188"]
    assert districts["district_name"].tolist() == ["Chi Lăng", "Hữu Lũng"]
    assert districts["n_communes"].tolist() == [2, 2]
    assert districts["n_communes_with_geometry"].tolist() == [2, 1]
    areas = districts.to_crs(METRIC_CRS).area
    assert areas.tolist() == pytest.approx([2e6, 1e6], rel=1e-6)
    assert districts.geometry.iloc[0].geom_type == "Polygon"  # the shared edge dissolved
    province = dissolve_units(communes, "province")
    assert province["n_communes"].tolist() == [4]
    assert province.to_crs(METRIC_CRS).area.tolist() == pytest.approx([3e6], rel=1e-6)


def test_dissolve_bad_level():
    with pytest.raises(ValueError, match="district"):
        dissolve_units(geopandas.GeoDataFrame(geometry=[], crs=4326), "commune")


# --- real data --------------------------------------------------------------------------

needs_reference = pytest.mark.skipif(
    not REFERENCE_DIR.is_dir(), reason=f"reference data not found at {REFERENCE_DIR}")


@pytest.mark.reference
@needs_reference
def test_langson_2019_boundaries_against_2025_units():
    from analysis.catalog.units import official_units

    tables = REFERENCE_DIR / "tables"
    units_2019 = pd.read_csv(tables / "gso_units_langson_sonla_20191025.csv", dtype=str)
    units_2025 = pd.read_csv(tables / "gso_units_langson_sonla_20250301.csv", dtype=str)
    codes_2019 = set(units_2019.loc[units_2019["prov_code"] == "20", "comm_code"])
    codes_2025 = set(units_2025.loc[units_2025["prov_code"] == "20", "comm_code"])

    bnd = read_boundaries(REFERENCE_DIR / "boundaries" / "langson_communes_2019.geojson",
                          code_column="gso_commune_code_2019", name_column="commune_vn",
                          district_column="gso_district_code")
    assert len(bnd) == 226 == len(codes_2019)
    data = official_units()
    data = data[data["province_code"] == "20"]
    assert len(data) == 194 == len(codes_2025)
    communes, report = match_units(data, bnd)
    assert (communes["match"] == "code").sum() == len(codes_2025 & codes_2019)
    unmatched = report[report["status"] == "unmatched_boundary"]
    assert len(unmatched) > 0
    # every 2025 commune kept a 2019 code, so the features left over are exactly the
    # communes merged away since 2019
    assert set(unmatched["boundary_code"]) == codes_2019 - codes_2025
    assert report["status"].isin(["matched_code", "matched_name"]).sum() + len(unmatched) == 226


@pytest.mark.reference
@needs_reference
def test_sop_cop_all_matched_by_code():
    from analysis.catalog.units import official_units

    bnd = read_boundaries(REFERENCE_DIR / "boundaries" / "sonla_communes_2019.geojson",
                          code_column="gso_commune_code_2019", name_column="commune_vn",
                          district_column="gso_district_code")
    data = official_units()
    data = data[data["district_code"] == "127"]
    communes, _ = match_units(data, bnd)
    assert len(communes) == 8
    assert (communes["match"] == "code").all()


# --- more boundary problems ------------------------------------------------------------------


def test_metres_declared_as_web_mercator_lie_outside_vietnam(tmp_path):
    # VN-2000 / UTM 48N metres (x 600 km, y 2380 km) declared as EPSG:3857: read that way they
    # land at about longitude 5.4°, latitude 20.9° (in the Sahara), far outside Vietnam
    gdf = geopandas.GeoDataFrame({"commune_code": ["06481"]},
                                 geometry=[box(600000, 2380000, 601000, 2381000)], crs=3857)
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path)
    message = str(err.value)
    assert "b.gpkg" in message and "lies outside Vietnam (longitude 5.39" in message
    assert "the CRS declared is not the one the coordinates are in" in message
    assert "EPSG:3405" in message and "do not reproject, only assign" in message


def test_projected_easting_and_northing_swapped(tmp_path):
    # a 1 km square near Chi Lăng in VN-2000 / UTM 48N with x and y exchanged: read as is it
    # falls off the map; swapped back it is in Vietnam, so the message says so
    gdf = geopandas.GeoDataFrame({"commune_code": ["06481"]},
                                 geometry=[box(2380000, 600000, 2381000, 601000)], crs=METRIC_CRS)
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError, match="look swapped") as err:
        read_boundaries(path)
    assert "b.gpkg" in str(err.value) and "Swap X and Y" in str(err.value)


def test_points_are_not_communes(tmp_path):
    gdf = squares()
    gdf.geometry = shapely.centroid(gdf.geometry.values)
    path = tmp_path / "b.geojson"
    write(gdf, path)
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path)
    message = str(err.value)
    assert "3 feature(s) are not polygons (Point 3): features 1, 2, 3" in message
    assert "b.geojson" in message and "commune polygons" in message


def test_polygons_without_area_are_refused(tmp_path):
    # feature 2: corners on one line (valid for GEOS, but no area); feature 3: a ring that
    # goes out and back (invalid, and make_valid leaves nothing)
    flat = Polygon([(106.50, 21.50), (106.51, 21.51), (106.52, 21.52), (106.50, 21.50)])
    spike = Polygon([(106.50, 21.50), (106.51, 21.51), (106.50, 21.50), (106.50, 21.50)])
    assert flat.is_valid and flat.area < 1e-15 and not spike.is_valid  # area: rounding dust only
    gdf = squares()
    gdf.loc[1, "geometry"] = flat
    gdf.loc[2, "geometry"] = spike
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    with pytest.raises(BoundaryError, match="polygons with no area, even once repaired") as err:
        read_boundaries(path)
    assert "features 2, 3" in str(err.value) and "Check Validity" in str(err.value)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_coordinates(tmp_path):
    gdf = squares()
    gdf.loc[0, "geometry"] = Polygon([(106.5, 21.5), (float("nan"), 21.5), (106.51, 21.51), (106.5, 21.5)])
    path = tmp_path / "b.parquet"
    write(gdf, path)
    with pytest.raises(BoundaryError, match=r"not numbers \(NaN or infinite\) in features 1"):
        read_boundaries(path)


def test_repairs_are_counted_in_the_match_report(tmp_path):
    bow_tie = Polygon([(106.50, 21.50), (106.51, 21.51), (106.51, 21.50), (106.50, 21.51)])
    gdf = squares()
    gdf.loc[0, "geometry"] = bow_tie
    path = tmp_path / "b.gpkg"
    write(gdf, path)
    data = data_units([(c, n, "187", "Huyện Chi Lăng") for c, n in zip(CODES, NAMES, strict=True)])
    _, report = match_units(data, read_boundaries(path))
    assert report["geometry_repaired"].tolist() == [True, False, False]


# --- merging old communes (crosswalk) ----------------------------------------------------------


def crosswalk(pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["old_code", "new_code"], dtype="string")


def four_squares() -> geopandas.GeoDataFrame:
    """Four 0.01° squares in a row, codes A..D (features 1..4), district 187."""
    codes = ["06481", "06484", "06487", "06490"]
    names = ["Xã Một", "Xã Hai", "Xã Ba", "Xã Bốn"]
    gdf = squares(codes=codes, names=names)
    gdf["district_code"] = "187"
    gdf["_feature"] = [1, 2, 3, 4]
    gdf["_repaired"] = [False, False, True, False]
    return gdf


def test_merge_dissolves_old_into_surviving_commune():
    # 06484 (square 2) merged into 06481 (square 1): one feature of 2 squares, adjacent, so a
    # single polygon of 0.02 x 0.01 degrees; 06487 (repaired square 3) merged into 06490 (4)
    out = merge_units(four_squares(), crosswalk([("06484", "06481"), ("06487", "06490")]))
    assert out["commune_code"].tolist() == ["06481", "06490"]
    assert out["commune_name"].tolist() == ["Xã Một", "Xã Bốn"]  # the surviving communes' names
    assert out["merged_from"].tolist() == ["06484", "06487"]
    assert out["_feature"].tolist() == [1, 4]
    assert out["_repaired"].tolist() == [False, True]  # a repaired part makes the merge repaired
    assert out.geometry.iloc[0].geom_type == "Polygon"
    assert out.geometry.iloc[0].area == pytest.approx(0.02 * 0.01)
    assert out.attrs["merges"] == {"06481": ["06484"], "06490": ["06487"]}


def test_merge_into_a_code_the_file_does_not_have():
    # 06481 and 06484 into 06999 (a new code): the feature takes the first one's place and
    # district, and no name (it is matched by code)
    out = merge_units(four_squares(), crosswalk([("06481", "06999"), ("06484", "06999")]))
    assert out["commune_code"].tolist() == ["06999", "06487", "06490"]
    assert out["merged_from"].tolist()[0] == "06481, 06484"
    assert pd.isna(out["commune_name"].iloc[0]) and out["district_code"].iloc[0] == "187"
    assert out["merged_from"].isna().tolist() == [False, True, True]


def test_merge_keeps_codes_the_data_still_has_and_ignores_absent_ones():
    # 06484 is still a commune of the data: not merged; 09999 is not in the file: nothing to do
    out = merge_units(four_squares(), crosswalk([("06484", "06481"), ("09999", "06490")]), keep={"06484"})
    assert out["commune_code"].tolist() == ["06481", "06484", "06487", "06490"]
    assert out["merged_from"].isna().all()
    assert out.attrs["merges_kept"] == ["06484"] and out.attrs["merges"] == {}


def test_match_report_shows_the_merges():
    bnd = merge_units(four_squares(), crosswalk([("06484", "06481")]))
    data = data_units([("06481", "Xã Một", "187", "Huyện Chi Lăng"), ("06487", "Xã Ba", "187", "Huyện Chi Lăng")])
    communes, report = match_units(data, bnd)
    assert communes["match"].tolist() == ["code", "code"]
    row = report[report["commune_code"] == "06481"].iloc[0]
    assert (row["status"], row["merged_from"], row["boundary_feature"]) == ("matched_code", "06484", 1)
    assert report["merged_from"].isna().sum() == len(report) - 1
