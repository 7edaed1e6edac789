"""Commune boundaries: a user's file read and checked, or refused with how to fix it.

A boundary file has its own vintage (Lạng Sơn's 2019 file holds 226 communes, the 2025 list
194), its own spelling of names and sometimes a damaged code column (Excel and numeric
shapefile fields drop the leading zero of ``06481``). :func:`read_boundaries` refuses what
cannot be trusted (codes, duplicates, geometries, CRS, location), with a message that says how
to fix the file. Matching the features to the programme's units and dissolving them is
:mod:`analysis.inputs.unit_shapes`.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import shapely

from analysis.config import STORAGE_CRS
from analysis.errors import BoundaryError

__all__ = ["FEATURE", "REPAIRED", "read_boundaries"]

FEATURE = "_feature"
#: Column of :func:`read_boundaries`: the feature's geometry was invalid and repaired.
REPAIRED = "_repaired"
_PARQUET = {".parquet", ".geoparquet"}


def _pyogrio_errors() -> tuple[type[BaseException], ...]:
    """What pyogrio raises for a file it cannot read (pyogrio, GDAL's binding, is imported when
    a boundary file is first read: a run that reads none does not pay for it)."""
    import pyogrio.errors as err

    return (err.DataSourceError, err.DataLayerError, err.FieldError, err.GeometryError, err.CRSError,
            err.FeatureError, OSError)  # fmt: skip


_EXAMPLES = 5
_CODE_KINDS = {5: ("commune", "06481"), 3: ("district", "001")}


def _first_line(exc: Exception) -> str:
    # GDAL appends advice about driver prefixes that means nothing to a user: keep the cause
    text = str(exc).strip().split("; ")[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _examples(items: list[str]) -> str:
    more = f", … ({len(items)} in all)" if len(items) > _EXAMPLES else ""
    return ", ".join(items[:_EXAMPLES]) + more


def _read_file(path: Path, layer: str | None) -> geopandas.GeoDataFrame:
    if not path.exists():
        raise BoundaryError(path, "the boundary file does not exist",
                            "check the path and the file name (and that the drive is mounted)")
    if path.suffix.lower() in _PARQUET:
        try:
            return geopandas.read_parquet(path)
        except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise BoundaryError(path, f"cannot be read as GeoParquet ({_first_line(exc)})",
                                "write it with geopandas.GeoDataFrame.to_parquet or "
                                "`ogr2ogr -f Parquet`, or give a GeoPackage instead") from None
    unreadable = ("check that it is a GeoPackage, GeoJSON or Shapefile (with its .shx, .dbf and "
                  ".prj beside the .shp) and that it opens in QGIS")
    import pyogrio

    errors = _pyogrio_errors()
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except errors as exc:
        raise BoundaryError(path, f"cannot be read as a vector file ({_first_line(exc)})",
                            unreadable) from None
    if layer is not None and layer not in layers:
        raise BoundaryError(path, f"has no layer '{layer}'; its layers are: {', '.join(layers)}",
                            "pass one of these with --layer")
    if layer is None and len(layers) > 1:
        raise BoundaryError(path, f"has several layers: {', '.join(layers)}",
                            "say which one holds the communes with --layer")
    try:
        return geopandas.read_file(path, layer=layer, engine="pyogrio")
    except errors as exc:
        raise BoundaryError(path, f"cannot be read ({_first_line(exc)})", unreadable) from None


def _require_column(gdf: geopandas.GeoDataFrame, path: Path, column: str, option: str) -> None:
    if column not in gdf.columns:
        present = [c for c in gdf.columns if c not in (gdf.geometry.name, FEATURE)]
        raise BoundaryError(path, f"has no column '{column}'; its columns are: "
                            + ", ".join(present), f"name the right column with {option}",
                            column=column)


def _as_text(values: pd.Series) -> pd.Series:
    """Values as stripped text, NA for empty; integral numbers without their ``.0``."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        out = [pd.NA if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))
               for v in values]
    else:
        out = [pd.NA if pd.isna(v) or not str(v).strip() else str(v).strip() for v in values]
    return pd.Series(out, index=values.index, dtype="string")


def _codes(gdf: geopandas.GeoDataFrame, column: str, path: Path, width: int) -> pd.Series:
    """Read a code column as text, refusing codes that lost their leading zeros."""
    what, example = _CODE_KINDS[width]
    raw = gdf[column]
    numeric = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
    codes = _as_text(raw)
    features = gdf[FEATURE]
    shape = re.compile(rf"\d{{{width}}}")
    lost = re.compile(rf"\d{{1,{width - 1}}}|\d+\.0+")
    bad = [(v, f) for v, f in zip(codes, features, strict=True)
           if not pd.isna(v) and not shape.fullmatch(v)]
    zeros = [(v, f) for v, f in bad if lost.fullmatch(v)]
    if zeros:
        listed = _examples([f"{v!r} (feature {f})" for v, f in zeros])
        stored = "is stored as numbers" if numeric else "holds codes that are too short"
        raise BoundaryError(
            path,
            f"the {what} codes have lost their leading zeros: the column {stored}: {listed}. "
            f"GSO {what} codes have {width} digits (like {example}); Excel and "
            "numeric shapefile (DBF) fields store them as numbers and drop the zeros",
            f"store the column as text with all {width} digits (in QGIS: a new text field "
            f"computed as lpad(to_string(\"{column}\"), {width}, '0'), after checking that every "
            "code should have a leading zero), then read the file again",
            column=column)
    if bad:
        raise BoundaryError(path, f"holds values that are not {width}-digit GSO {what} codes: "
                            + _examples([f"{v!r} (feature {f})" for v, f in bad]),
                            f"check that '{column}' is the {what} code column", column=column)
    return codes


def _check_duplicates(codes: pd.Series, features: pd.Series, path: Path, column: str) -> None:
    codes = codes.dropna()
    dupes = sorted(set(codes[codes.duplicated()]))
    if dupes:
        where = [f"{c} (features {', '.join(map(str, features[codes[codes == c].index]))})"
                 for c in dupes]
        raise BoundaryError(path, "the same commune code is on several features: "
                            + _examples(where),
                            "keep one feature per commune (dissolve its parts, e.g. QGIS Vector > "
                            "Geoprocessing > Dissolve on the code)", column=column)


def _check_geometries(gdf: geopandas.GeoDataFrame, path: Path) -> None:
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        features = [str(f) for f in gdf.loc[empty, FEATURE]]
        raise BoundaryError(
            path,
            f"{len(features)} feature(s) have no geometry: features " + _examples(features),
            "draw or delete these features (in QGIS, features are numbered "
            "from 1 in file order), then read the file again",
        )
    kinds = gdf.geometry.geom_type
    other = ~kinds.isin(["Polygon", "MultiPolygon"])
    if other.any():
        found = ", ".join(f"{k} {n}" for k, n in kinds[other].value_counts().items())
        features = [str(f) for f in gdf.loc[other, FEATURE]]
        raise BoundaryError(
            path,
            f"{int(other.sum())} feature(s) are not polygons ({found}): features " + _examples(features),
            "give a file of commune polygons (areas); points such as commune "
            "centres or lines such as borders cannot be drawn as communes",
        )
    coords = shapely.get_coordinates(gdf.geometry.values)
    if not np.isfinite(coords).all():
        bad = ~np.array([np.isfinite(shapely.get_coordinates(g)).all() for g in gdf.geometry.values])
        raise BoundaryError(
            path,
            "coordinates that are not numbers (NaN or infinite) in features "
            + _examples([str(f) for f in gdf.loc[bad, FEATURE]]),
            "repair or redraw these features (QGIS: Vector > Geometry Tools > "
            "Check Validity), then read the file again",
        )


#: Longitude and latitude of Vietnam, islands included, with a margin: a file whose middle lies
#: outside is in another CRS than the one it declares.
VIETNAM_EXTENT = (101.5, 6.0, 118.0, 24.0)


def _in_vietnam(minx: float, miny: float, maxx: float, maxy: float) -> bool:
    x0, y0, x1, y1 = VIETNAM_EXTENT
    return x0 <= (minx + maxx) / 2 <= x1 and y0 <= (miny + maxy) / 2 <= y1


def _swapped(minx: float, miny: float, maxx: float, maxy: float) -> bool:
    """Degrees whose x holds Vietnam's latitudes and y its longitudes."""
    x0, y0, x1, y1 = VIETNAM_EXTENT
    return y0 <= minx and maxx <= y1 and x0 <= miny and maxy <= x1


def _check_crs(gdf: geopandas.GeoDataFrame, path: Path) -> None:
    crs = gdf.crs
    if crs is None:
        raise BoundaryError(path, "the file has no coordinate reference system",
                            "assign the CRS the coordinates are in, e.g. `ogr2ogr -a_srs "
                            "EPSG:4326 out.gpkg in.shp` (degrees) or -a_srs EPSG:3405 "
                            "(VN-2000 / UTM 48N metres); in QGIS: Layer > Assign Projection")
    minx, miny, maxx, maxy = (float(b) for b in gdf.total_bounds)
    bounds = f"x {minx:.6g} to {maxx:.6g}, y {miny:.6g} to {maxy:.6g}"
    degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    if crs.is_geographic and _swapped(minx, miny, maxx, maxy):
        raise BoundaryError(
            path,
            f"latitude and longitude look swapped ({bounds}: x holds Vietnam's latitudes, y its longitudes)",
            "re-export the file with x = longitude and y = latitude (in "
            "QGIS: Vector > Geometry Tools > Swap X and Y coordinates)",
        )
    if crs.is_geographic and not degrees:
        raise BoundaryError(path, f"the file declares the geographic CRS '{crs.name}' (degrees) "
                            f"but its coordinates are not degrees ({bounds})",
                            "assign the CRS the coordinates are really in, e.g. `ogr2ogr "
                            "-a_srs EPSG:3405 out.gpkg in.gpkg` for VN-2000 / UTM 48N metres")
    if crs.is_projected and degrees:
        raise BoundaryError(path, f"the file declares the projected CRS '{crs.name}' but its "
                            f"coordinates look like degrees ({bounds})",
                            "assign EPSG:4326 instead, e.g. `ogr2ogr -a_srs EPSG:4326 "
                            "out.gpkg in.gpkg` (QGIS: Layer > Assign Projection)")


def _check_location(gdf: geopandas.GeoDataFrame, path: Path) -> None:
    """Refuse a file whose coordinates, read in its declared CRS, do not land in Vietnam."""
    crs = gdf.crs
    with np.errstate(all="ignore"):
        lonlat = gdf.geometry.to_crs(STORAGE_CRS).total_bounds
    if not np.isfinite(lonlat).all():
        raise BoundaryError(
            path,
            f"the coordinates cannot be converted from '{crs.name}' to longitude/latitude",
            "check the CRS assigned to the file",
        )
    if _in_vietnam(*lonlat):
        return
    where = f"longitude {lonlat[0]:.4g} to {lonlat[2]:.4g}, latitude {lonlat[1]:.4g} to {lonlat[3]:.4g}"
    swapped = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    with np.errstate(all="ignore"):
        back = geopandas.GeoSeries(swapped, crs=crs).to_crs(STORAGE_CRS).total_bounds
    if np.isfinite(back).all() and _in_vietnam(*back):
        raise BoundaryError(
            path,
            f"read in its CRS '{crs.name}', the file lies outside Vietnam "
            f"({where}); with x and y swapped it would fit: the two coordinates "
            "look swapped",
            "re-export the file with x = easting and y = northing "
            "(QGIS: Vector > Geometry Tools > Swap X and Y coordinates)",
        )
    raise BoundaryError(
        path,
        f"read in its CRS '{crs.name}', the file lies outside Vietnam "
        f"({where}): the CRS declared is not the one the coordinates are in",
        "assign the right CRS (Layer > Assign Projection in QGIS, or `ogr2ogr "
        "-a_srs EPSG:…`): EPSG:4326 for degrees, EPSG:3405 for VN-2000 / UTM 48N "
        "metres, EPSG:3406 for UTM 49N; do not reproject, only assign",
    )


def _repair(gdf: geopandas.GeoDataFrame, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Geometries with the invalid ones repaired, and which ones were."""
    geoms = gdf.geometry.values.copy()
    invalid = ~gdf.geometry.is_valid.to_numpy()
    if invalid.any():
        # "structure" keeps only the polygonal parts, so a bow-tie becomes two triangles
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    # "no area" relative to the feature's extent: corners on one line leave rounding dust (1e-17)
    lost = shapely.is_empty(geoms) | (shapely.area(geoms) <= 1e-9 * shapely.area(shapely.envelope(geoms)))
    if lost.any():
        raise BoundaryError(
            path,
            "polygons with no area, even once repaired (corners on one line, "
            "a ring that folds back on itself, fewer than three distinct corners): "
            "features " + _examples([str(f) for f in gdf.loc[lost, FEATURE]]),
            "redraw these features (QGIS: Vector > Geometry Tools > Check "
            "Validity lists them), then read the file again",
        )
    return geoms, invalid


def read_boundaries(
    path: str | Path,
    code_column: str | None = "commune_code",
    name_column: str | None = None,
    district_column: str | None = None,
    layer: str | None = None,
) -> geopandas.GeoDataFrame:
    """Read a commune boundary file and check it before use.

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON, Shapefile or any other GDAL vector file; ``.parquet`` and
        ``.geoparquet`` are read as GeoParquet (``layer`` is then ignored).
    code_column
        Column with the 5-digit GSO commune code, or None when the file has only names.
        Rows with an empty code are kept (they can still be matched by name).
    name_column
        Column with the commune name; by default ``commune_name`` when present.
    district_column
        Column with the district, as 3-digit GSO codes or as names.
    layer
        Layer to read; required when the file has more than one.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, with ``commune_code`` (string, NA where empty), ``commune_name`` and
        ``district_code`` or ``district_name`` when available, ``geometry``, ``_feature``
        (1-based feature number in the file) and ``_repaired`` (True where an invalid
        geometry was repaired with :func:`shapely.make_valid`); ``attrs["repaired_geometries"]``
        counts those.

    Raises
    ------
    BoundaryError
        File missing or unreadable, layer or column missing, no CRS or one that does not fit
        the coordinates (degrees declared as metres or the reverse, a CRS that puts the file
        outside Vietnam), latitude and longitude swapped, codes without their leading zeros,
        duplicate codes, features without geometry, features that are not polygons, polygons
        without area (even once repaired).
    """
    path = Path(path)
    gdf = _read_file(path, layer).reset_index(drop=True)
    gdf[FEATURE] = np.arange(1, len(gdf) + 1)
    if name_column is None and "commune_name" in gdf.columns:
        name_column = "commune_name"
    for column, option in ((code_column, "--code-column"), (name_column, "--name-column"),
                           (district_column, "--district-column")):
        if column is not None:
            _require_column(gdf, path, column, option)
    if code_column is None and name_column is None:
        raise BoundaryError(path, "neither a code column nor a name column was given",
                            "name the commune code column with --code-column (or the name "
                            "column with --name-column)")

    out = geopandas.GeoDataFrame(index=gdf.index)
    if code_column is None:
        out["commune_code"] = pd.Series(pd.NA, index=gdf.index, dtype="string")
    else:
        out["commune_code"] = _codes(gdf, code_column, path, 5)
        _check_duplicates(out["commune_code"], gdf[FEATURE], path, code_column)
    if name_column is not None:
        out["commune_name"] = _as_text(gdf[name_column])
    if district_column is not None:
        text = _as_text(gdf[district_column]).dropna()
        if text.str.fullmatch(r"\d+(\.0+)?").all():
            out["district_code"] = _codes(gdf, district_column, path, 3)
        else:
            out["district_name"] = _as_text(gdf[district_column])
    if "boundary_quality" in gdf.columns:  # "approximate" polygons say so on every map
        out["boundary_quality"] = _as_text(gdf["boundary_quality"])
    out[FEATURE] = gdf[FEATURE]

    _check_geometries(gdf, path)
    _check_crs(gdf, path)
    _check_location(gdf, path)
    geoms, repaired = _repair(gdf, path)
    out[REPAIRED] = repaired
    out = out.set_geometry(geopandas.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    out = out.to_crs(STORAGE_CRS)
    out.attrs["repaired_geometries"] = int(repaired.sum())
    return out
