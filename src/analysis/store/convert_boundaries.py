"""The boundaries of converted data: polygons of the new communes dissolved from the old
communes' polygons (a divided old commune cut between its new communes), or taken from a
boundary file of the new communes; the new provinces dissolved from them; the old districts
kept as a reference layer; and how each new commune got its polygon (the match report).

Used by :func:`analysis.store.convert.convert_prepared`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.catalog.units_2025 import new_province_of_old, new_units
from analysis.config import METRIC_CRS, STORAGE_CRS
from analysis.inputs.unit_shapes import dissolve_units

__all__ = [
    "SPLIT_METHOD", "derive_communes", "new_communes", "new_match_report", "new_provinces", "reference_districts",
]  # fmt: skip

OLD_VINTAGE = "pre-2025"
SPLIT_METHOD = (
    "a divided old commune's polygon is cut between its new communes by the Voronoi cells of their "
    "centre points (vietnamadminunits); the cut is approximate"
)


def _centres() -> pd.Series:
    u = new_units()
    pts = gpd.GeoSeries(gpd.points_from_xy(u["lon"], u["lat"]), index=u["commune_code"], crs=STORAGE_CRS)
    return pts.to_crs(METRIC_CRS)


def _polygonal(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def _main_piece(group: pd.DataFrame) -> str:
    ordered = group.sort_values(["share", "package_default"], ascending=False, kind="stable")
    return ordered["new_code"].iloc[0]


def _cut(geom, group: pd.DataFrame, centres: pd.Series) -> list[tuple[str, object]]:
    """A divided commune's polygon in pieces, one per new commune, by nearest new centre."""
    seen: set[tuple[float, float]] = set()
    known = []
    for code in group["new_code"]:
        point = centres.get(code)
        if point is not None and not point.is_empty and (point.x, point.y) not in seen:
            seen.add((point.x, point.y))
            known.append((code, point))
    if len(known) < 2:  # nothing to cut by: the whole polygon goes to the main piece
        return [(_main_piece(group), geom)]
    cells = shapely.voronoi_polygons(shapely.MultiPoint([p for _, p in known]), extend_to=geom, ordered=True)
    pieces = [(code, _polygonal(geom.intersection(cell))) for (code, _), cell in zip(known, cells.geoms, strict=True)]
    return [(code, piece) for code, piece in pieces if piece is not None]


def derive_communes(old: gpd.GeoDataFrame, pairs: pd.DataFrame) -> gpd.GeoDataFrame:
    """Polygons of new communes dissolved from the old communes' polygons.

    An old commune wholly inside one new commune gives it its whole polygon; a divided one is
    cut between its new communes by the Voronoi cells of their centre points (the package's
    points), an approximation flagged by ``cut = True``.

    Parameters
    ----------
    old
        Old communes with ``commune_code`` and polygons (geometry may be None), any CRS.
    pairs
        The crosswalk pairs of those communes (``old_code``, ``new_code``, ``n_new``, ``share``,
        ``package_default``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune_code`` (new), ``cut`` (a piece of it was cut), geometry in EPSG:4326; new
        communes that got no polygon are absent.
    """
    metric = old.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    shapes = dict(zip(metric["commune_code"], metric.geometry.values, strict=True))
    centres = _centres()
    valid = pairs.dropna(subset=["old_code"])
    targets: dict[str, list[int]] = {}
    for i, code in enumerate(valid["old_code"]):
        targets.setdefault(code, []).append(i)
    new_codes = valid["new_code"].to_numpy()
    pieces: list[tuple[str, object, bool]] = []
    for old_code in sorted(targets):
        geom = shapes.get(old_code)
        if geom is None or geom.is_empty:
            continue
        rows = targets[old_code]
        if len(rows) == 1:  # most communes: wholly inside one new commune
            pieces.append((new_codes[rows[0]], geom, False))
        else:
            pieces += [(code, piece, True) for code, piece in _cut(geom, valid.iloc[rows], centres)]
    if not pieces:
        return gpd.GeoDataFrame({"commune_code": [], "cut": []}, geometry=[], crs=STORAGE_CRS)
    frame = pd.DataFrame(pieces, columns=["commune_code", "geometry", "cut"])
    rows = [
        (code, bool(g["cut"].any()), shapely.union_all(g["geometry"].to_numpy()))
        for code, g in frame.groupby("commune_code", sort=True)
    ]
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["commune_code", "cut", "geometry"]), crs=METRIC_CRS)
    return out.to_crs(STORAGE_CRS)


def _joined_codes(pairs: pd.DataFrame, column: str) -> pd.Series:
    """New commune code -> the distinct values of ``column`` of its pairs, sorted, joined with ';'."""
    distinct = pairs[["new_code", column]].dropna().drop_duplicates().sort_values(["new_code", column])
    return distinct.groupby("new_code")[column].agg(";".join)


def _attributes(codes: list[str]) -> pd.DataFrame:
    """Codes and names of new communes, with the district columns of the old layout left empty."""
    u = new_units().set_index("commune_code")
    frame = pd.DataFrame({"commune_code": pd.array(codes, dtype="string")})
    for col in ("province_code", "province_name"):
        frame[col] = frame["commune_code"].map(u[col]).astype("string")
    for col in ("district_code", "district_name", "district_type"):
        frame[col] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for col in ("commune_name", "commune_type"):
        frame[col] = frame["commune_code"].map(u[col]).astype("string")
    return frame


def _geometry(
    frame: pd.DataFrame,
    old: gpd.GeoDataFrame,
    scope_pairs: pd.DataFrame,
    new_bounds: gpd.GeoDataFrame | None,
    new_source: str | None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Each new commune's polygon, and where it came from: ``match``, ``boundary_quality``, ``boundary_source``."""
    codes = frame["commune_code"]
    derived = derive_communes(old, scope_pairs).set_index("commune_code")
    geometry = codes.map(derived.geometry).astype(object)  # object: none derived (a new file only) is no float
    cut = codes.map(derived["cut"]).fillna(False).astype(bool)
    source = pd.Series(f"derived from {OLD_VINTAGE} communes", index=frame.index, dtype="string")
    match = pd.Series("derived", index=frame.index, dtype="string")
    if new_bounds is not None:
        given = new_bounds.dropna(subset=["commune_code"]).drop_duplicates("commune_code").set_index("commune_code")
        has = codes.isin(given.index)
        geometry = geometry.where(~has, codes.map(given.geometry).astype(object))
        source = source.where(~has, new_source)
        match = match.where(~has, "matched_code")
        cut = cut & ~has
    match = match.where(geometry.notna(), "no_geometry")
    approx = pd.Series(False, index=frame.index)
    if "boundary_quality" in old.columns:  # derived from approximate polygons: approximate too
        old_quality = old.set_index("commune_code")["boundary_quality"]
        approx_old = scope_pairs["old_code"].map(old_quality).eq("approximate")
        approx = codes.map(approx_old.groupby(scope_pairs["new_code"]).any()).fillna(False) & (match == "derived")
    quality = pd.Series(np.where(approx | cut, "approximate", "surveyed"), index=frame.index, dtype="string")
    return geometry, pd.DataFrame({"match": match, "boundary_quality": quality, "boundary_source": source})


def _provenance(frame: pd.DataFrame, scope_pairs: pd.DataFrame) -> pd.DataFrame:
    """Which old units each new commune holds, and whether all of them are in the data."""
    codes = frame["commune_code"]
    g = scope_pairs.groupby("new_code")
    out = pd.DataFrame(index=frame.index)
    out["n_old_communes"] = codes.map(g["n_old"].first()).astype("int64")
    out["n_old_communes_in_data"] = codes.map(g["old_unit"].nunique()).astype("int64")
    out["complete"] = out["n_old_communes_in_data"] >= out["n_old_communes"]
    out["old_commune_codes"] = codes.map(_joined_codes(scope_pairs, "old_code")).astype("string")
    out["old_district_codes"] = codes.map(_joined_codes(scope_pairs, "old_district_code")).astype("string")
    split = _joined_codes(scope_pairs[scope_pairs["n_new"] > 1], "old_code")
    out["split_old_codes"] = codes.map(split).astype("string").fillna("")
    return out


def new_communes(
    old: gpd.GeoDataFrame,
    scope_pairs: pd.DataFrame,
    new_bounds: gpd.GeoDataFrame | None,
    new_source: str | None,
    tables: dict[str, pd.DataFrame],
) -> gpd.GeoDataFrame:
    """The communes table of the converted folder: one row per new commune in scope.

    Parameters
    ----------
    old
        The old communes (prepared ``communes`` table).
    scope_pairs
        The crosswalk pairs of the old communes in the data, with their shares.
    new_bounds, new_source
        Boundaries of the new communes, if given, and what to call their source.
    tables
        The converted finance and poverty tables (for ``has_finance``, ``has_poverty``).
    """
    frame = _attributes(sorted(scope_pairs["new_code"].unique()))
    geometry, origin = _geometry(frame, old, scope_pairs, new_bounds, new_source)
    frame["match"] = origin["match"]
    frame["boundary_quality"] = origin["boundary_quality"]
    for name in ("finance", "poverty"):
        frame[f"has_{name}"] = frame["commune_code"].isin(tables[name]["commune_code"].dropna().unique())
    frame["boundary_source"] = origin["boundary_source"]
    frame = pd.concat([frame, _provenance(frame, scope_pairs)], axis=1)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry.to_numpy(), crs=STORAGE_CRS), crs=STORAGE_CRS)


def new_provinces(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The new provinces, dissolved from the new communes, with their official commune counts."""
    provinces = dissolve_units(communes, "province")
    official = new_units().groupby("province_code")["commune_code"].nunique()
    provinces["n_communes_official"] = provinces["province_code"].map(official).astype("int64")
    sources = communes.groupby("province_code")["boundary_source"].agg(lambda s: "; ".join(sorted(set(s))))
    provinces["boundary_source"] = provinces["province_code"].map(sources).astype("string")
    return provinces


def reference_districts(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The old districts, kept as a reference layer under their new province."""
    out = districts.copy()
    out["old_province_code"] = out["province_code"].astype("string")
    out["old_province_name"] = out["province_name"].astype("string")
    pmap = new_province_of_old()
    names = new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
    out["province_code"] = out["old_province_code"].map(pmap).astype("string")
    out["province_name"] = out["province_code"].map(names).astype("string")
    out["reference_only"] = True
    out["valid_until"] = "2025-06-30"
    return out


def new_match_report(communes: gpd.GeoDataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """How each new commune got its polygon, in the columns of the old match report."""
    known = {
        "status": communes["match"].astype("string"),
        "commune_code": communes["commune_code"].astype("string"),
        "commune_name": communes["commune_name"].astype("string"),
        "boundary_code": communes["commune_code"].astype("string").where(communes["match"] == "matched_code"),
        "boundary_name": communes["boundary_source"].astype("string"),
    }
    report = pd.DataFrame(index=communes.index)
    for col in dict.fromkeys([*like.columns, *known]):
        if col in known:
            report[col] = known[col].to_numpy()
        else:  # district columns and whatever else the old report has: empty, same dtype
            report[col] = pd.Series(pd.NA, index=communes.index).astype(like[col].dtype if col in like else "string")
    return report.reset_index(drop=True)
